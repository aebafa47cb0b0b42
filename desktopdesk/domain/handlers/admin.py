"""Administration commands: the status mapping, server settings and inventory.

Configuration is authored by administrators: users, groups, profiles, companies, the
status mapping and server settings by super-admins; ticket types, fields, SLAs and
inventory by anyone holding MANAGE on a group (as in Integria). People and the calendar
are in ``admin_people``, groups and memberships in ``admin_groups``, types and fields in
``admin_types``, SLAs in ``admin_sla``.
"""

from __future__ import annotations

from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    ChangeSetting,
    CreateInventoryObject,
    SetStatusMapping,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.domain.handlers.common import require_new_id, require_row, require_text
from desktopdesk.domain.settings import get_setting, lookup
from desktopdesk.models import (
    AT_CREATION,
    Company,
    InventoryObject,
    SettingValue,
    Status,
    StatusTransition,
)


@handles(SetStatusMapping)
def set_status_mapping(action: Action, cmd: SetStatusMapping) -> CommandResult:
    acl.require_superadmin(action.perms, "change the status mapping")
    codes = {s.value for s in Status}
    pairs: set[tuple[int, int]] = set()
    for frm, to in cmd.transitions:
        if frm not in codes | {AT_CREATION} or to not in codes:
            raise DomainError(VALIDATION, f"({frm} -> {to}) names an unknown status.",
                              "transitions")
        if frm == to:
            raise DomainError(VALIDATION, f"{Status(to).label} -> itself is not a transition.",
                              "transitions")
        if frm == Status.CLOSED and to != Status.REOPENED:
            raise DomainError(VALIDATION, f"From Closed a ticket can only be reopened, not moved "
                                          f"to {Status(to).label}.", "transitions")
        if frm == AT_CREATION and to == Status.CLOSED:
            raise DomainError(VALIDATION, "A ticket cannot be created closed.", "transitions")
        pairs.add((frm, to))
    # Rows one by one, kept where they stay: a bulk DELETE would leave no tombstones, and
    # desktops would keep the old rows (and clash on the new ones' unique pairs).
    held = {(row.from_status, row.to_status): row
            for row in action.session.scalars(select(StatusTransition))}
    for pair, row in held.items():
        if pair not in pairs:
            action.session.delete(row)
    action.session.flush()
    for frm, to in sorted(pairs - set(held)):
        action.session.add(StatusTransition(from_status=frm, to_status=to))
    return action.result(config_changed=True)


@handles(ChangeSetting)
def change_setting(action: Action, cmd: ChangeSetting) -> CommandResult:
    setting = lookup(cmd.key)
    if setting.scope != "server":
        # Shared rows would impose one person's preference on everyone (and sync it).
        raise DomainError(VALIDATION, f"'{setting.label}' is a preference of each desktop, "
                                      "not a shared setting.", setting.key)
    acl.require_superadmin(action.perms, f"change '{setting.label}'")
    value = setting.coerce(cmd.value)
    if value == get_setting(action.session, setting):
        return action.result(config_changed=True)
    row = action.session.scalar(select(SettingValue).where(SettingValue.key == setting.key))
    if row is None:
        action.session.add(SettingValue(key=setting.key, value=value))
    else:
        row.value = value
    return action.result(config_changed=True)


@handles(CreateInventoryObject)
def create_inventory_object(action: Action, cmd: CreateInventoryObject) -> CommandResult:
    acl.require_manager(action.perms, "add inventory objects")
    require_new_id(action.session, InventoryObject, cmd.inventory_object_id, "inventory object",
                   "inventory_object_id")
    name = require_text(cmd.name, "The object name", "name", 200)
    if cmd.company_id is not None:
        require_row(action.session, Company, cmd.company_id, "company", "company_id")
    action.session.add(InventoryObject(id=cmd.inventory_object_id, name=name,
                                       serial=cmd.serial.strip(), company_id=cmd.company_id))
    return action.result(created_id=cmd.inventory_object_id, config_changed=True)
