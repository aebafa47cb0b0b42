"""Administration commands: people, groups, profiles, types and fields, mapping, settings.

Configuration is authored by administrators: users, groups, profiles, companies, the
status mapping and server settings by super-admins; ticket types, fields, SLAs and
inventory by anyone holding MANAGE on a group (as in Integria).
"""

from __future__ import annotations

import math
import re
import uuid
from typing import Any

from sqlalchemy import delete, func, select

from desktopdesk.domain import acl, fields
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    GROUP_FIELDS,
    AddCustomField,
    AddMembership,
    ChangeSetting,
    CreateCompany,
    CreateGroup,
    CreateInventoryObject,
    CreateProfile,
    CreateSla,
    CreateTicketType,
    CreateUser,
    SetStatusMapping,
    UpdateGroup,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.domain.handlers.common import (
    as_uuid,
    normalise_emails,
    require_active_user,
    require_new_id,
    require_row,
    require_text,
)
from desktopdesk.domain.settings import get_setting, lookup
from desktopdesk.models import (
    AT_CREATION,
    Base,
    Company,
    CustomField,
    Group,
    InventoryObject,
    LimitMode,
    Membership,
    Profile,
    SettingValue,
    Sla,
    SlaType,
    Status,
    StatusTransition,
    TicketType,
    TicketTypeGroup,
    User,
    UserKind,
)

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")


def _require_unique(action: Action, model: type[Base], column: Any, value: str, what: str,
                    field: str) -> None:
    clash = action.session.scalar(
        select(func.count()).select_from(model).where(func.lower(column) == value.lower())
    )
    if clash:
        raise DomainError(VALIDATION, f"There is already a {what} called '{value}'.", field)


@handles(CreateCompany)
def create_company(action: Action, cmd: CreateCompany) -> CommandResult:
    acl.require_superadmin(action.perms, "create companies")
    require_new_id(action.session, Company, cmd.company_id, "company",
                   "company_id")
    name = require_text(cmd.name, "The company name", "name", 200)
    _require_unique(action, Company, Company.name, name, "company", "name")
    action.session.add(Company(id=cmd.company_id, name=name))
    return action.result(created_id=cmd.company_id, config_changed=True)


@handles(CreateUser)
def create_user(action: Action, cmd: CreateUser) -> CommandResult:
    acl.require_superadmin(action.perms, "create users")
    require_new_id(action.session, User, cmd.user_id, "user",
                   "user_id")
    username = cmd.username.strip().lower()
    if not _USERNAME.fullmatch(username):
        raise DomainError(VALIDATION, "A username is 2-60 characters: letters, digits, '.', "
                                      "'_' or '-', starting with a letter or digit.", "username")
    _require_unique(action, User, User.username, username, "user", "username")
    full_name = require_text(cmd.full_name, "The full name", "full_name", 200)
    emails = normalise_emails((cmd.email,), "email")
    if cmd.company_id is not None:
        require_row(action.session, Company, cmd.company_id, "company", "company_id")
    try:
        kind = UserKind(cmd.kind)
    except ValueError:
        raise DomainError(VALIDATION, "A user is 'grouped' or 'independent'.", "kind") from None
    action.session.add(User(
        id=cmd.user_id, username=username, full_name=full_name,
        email=emails[0] if emails else "", company_id=cmd.company_id, kind=kind,
        is_superadmin=cmd.is_superadmin, enabled=cmd.enabled,
    ))
    return action.result(created_id=cmd.user_id, config_changed=True)


@handles(CreateProfile)
def create_profile(action: Action, cmd: CreateProfile) -> CommandResult:
    acl.require_superadmin(action.perms, "create profiles")
    require_new_id(action.session, Profile, cmd.profile_id, "profile",
                   "profile_id")
    name = require_text(cmd.name, "The profile name", "name", 100)
    _require_unique(action, Profile, Profile.name, name, "profile", "name")
    if not math.isfinite(cmd.hourly_rate) or cmd.hourly_rate < 0:
        raise DomainError(VALIDATION, "The hourly rate must be zero or more.", "hourly_rate")
    action.session.add(Profile(
        id=cmd.profile_id, name=name, can_view=cmd.can_view, can_edit=cmd.can_edit,
        can_manage=cmd.can_manage, can_escalate=cmd.can_escalate, can_qa=cmd.can_qa,
        hourly_rate=cmd.hourly_rate,
    ))
    return action.result(created_id=cmd.profile_id, config_changed=True)


def _check_group_values(action: Action, group_id: uuid.UUID, values: dict[str, Any]) -> None:
    session = action.session
    # UpdateGroup's changes come as JSON values: check types before using them.
    for key in ("name", "email_from"):
        if key in values and not isinstance(values[key], str):
            raise DomainError(VALIDATION, f"'{key}' must be text.", key)
    if "qa_evaluation" in values and not isinstance(values["qa_evaluation"], bool):
        raise DomainError(VALIDATION, "'QA evaluation' is yes or no.", "qa_evaluation")
    if "name" in values:
        values["name"] = require_text(values["name"], "The group name", "name", 100)
    if values.get("parent_id") is not None:
        parent_id = values["parent_id"] = as_uuid(values["parent_id"], "parent_id")
        parents = {gid: parent
                   for gid, parent in session.execute(select(Group.id, Group.parent_id))}
        if parent_id not in parents:
            raise DomainError(VALIDATION, "Unknown parent group.", "parent_id")
        node: uuid.UUID | None = parent_id
        while node is not None:
            if node == group_id:
                raise DomainError(VALIDATION, "A group cannot sit under itself.", "parent_id")
            node = parents.get(node)
    if values.get("default_owner_id") is not None:
        values["default_owner_id"] = require_active_user(
            session, as_uuid(values["default_owner_id"], "default_owner_id"), "default_owner_id"
        ).id
    for key in ("open_ticket_limit", "total_ticket_limit"):
        if key in values:
            limit = values[key]
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                raise DomainError(VALIDATION, "A ticket limit is a whole number, 0 for none.",
                                  key)
    if "limit_mode" in values:
        try:
            values["limit_mode"] = LimitMode(values["limit_mode"])
        except ValueError:
            raise DomainError(VALIDATION, "The limit mode is 'forced' or 'notify'.",
                              "limit_mode") from None
    if values.get("email_from"):
        values["email_from"] = normalise_emails((values["email_from"],), "email_from")[0]
    if values.get("sla_id") is not None:
        values["sla_id"] = require_row(session, Sla, as_uuid(values["sla_id"], "sla_id"),
                                       "SLA", "sla_id").id


@handles(CreateGroup)
def create_group(action: Action, cmd: CreateGroup) -> CommandResult:
    acl.require_superadmin(action.perms, "create groups")
    require_new_id(action.session, Group, cmd.group_id, "group",
                   "group_id")
    values = {name: getattr(cmd, name) for name in GROUP_FIELDS}
    _check_group_values(action, cmd.group_id, values)
    _require_unique(action, Group, Group.name, values["name"], "group", "name")
    action.session.add(Group(id=cmd.group_id, **values))
    return action.result(created_id=cmd.group_id, config_changed=True)


@handles(UpdateGroup)
def update_group(action: Action, cmd: UpdateGroup) -> CommandResult:
    acl.require_superadmin(action.perms, "change groups")
    group = require_row(action.session, Group, cmd.group_id, "group", "group_id")
    unknown = set(cmd.changes) - set(GROUP_FIELDS)
    if unknown:
        raise DomainError(VALIDATION, f"'{sorted(unknown)[0]}' is not a group setting.",
                          sorted(unknown)[0])
    values = dict(cmd.changes)
    _check_group_values(action, group.id, values)
    if "name" in values and values["name"].lower() != group.name.lower():
        _require_unique(action, Group, Group.name, values["name"], "group", "name")
    for key, value in values.items():
        setattr(group, key, value)
    return action.result(config_changed=True)


@handles(AddMembership)
def add_membership(action: Action, cmd: AddMembership) -> CommandResult:
    acl.require_superadmin(action.perms, "grant profiles")
    session = action.session
    require_new_id(action.session, Membership, cmd.membership_id, "membership",
                   "membership_id")
    require_row(session, User, cmd.user_id, "user", "user_id")
    require_row(session, Group, cmd.group_id, "group", "group_id")
    require_row(session, Profile, cmd.profile_id, "profile", "profile_id")
    exists = session.scalar(select(Membership.id).where(
        Membership.user_id == cmd.user_id, Membership.group_id == cmd.group_id,
        Membership.profile_id == cmd.profile_id,
    ))
    if exists is not None:
        raise DomainError(VALIDATION, "That user already holds this profile in this group.",
                          "profile_id")
    session.add(Membership(id=cmd.membership_id, user_id=cmd.user_id, group_id=cmd.group_id,
                           profile_id=cmd.profile_id))
    return action.result(created_id=cmd.membership_id, config_changed=True)


@handles(CreateTicketType)
def create_ticket_type(action: Action, cmd: CreateTicketType) -> CommandResult:
    acl.require_manager(action.perms, "define ticket types")
    require_new_id(action.session, TicketType, cmd.ticket_type_id, "ticket type",
                   "ticket_type_id")
    name = require_text(cmd.name, "The type name", "name", 100)
    _require_unique(action, TicketType, TicketType.name, name, "ticket type", "name")
    action.session.add(TicketType(id=cmd.ticket_type_id, name=name,
                                  description=cmd.description.strip()))
    for group_id in dict.fromkeys(cmd.group_ids):
        require_row(action.session, Group, group_id, "group", "group_ids")
        action.session.add(TicketTypeGroup(ticket_type_id=cmd.ticket_type_id, group_id=group_id))
    return action.result(created_id=cmd.ticket_type_id, config_changed=True)


@handles(AddCustomField)
def add_custom_field(action: Action, cmd: AddCustomField) -> CommandResult:
    acl.require_manager(action.perms, "define custom fields")
    session = action.session
    require_new_id(action.session, CustomField, cmd.field_id, "custom field",
                   "field_id")
    if cmd.ticket_type_id is not None:
        require_row(session, TicketType, cmd.ticket_type_id, "ticket type", "ticket_type_id")
    options = [o.strip() for o in cmd.options]
    linked = [(p.strip(), c.strip()) for p, c in cmd.linked_values]
    fields.check_definition(
        session, field_id=cmd.field_id, ticket_type_id=cmd.ticket_type_id, label=cmd.label,
        kind=cmd.kind, options=options, parent_field_id=cmd.parent_field_id,
        linked_values=linked, numeric_min=cmd.numeric_min, numeric_max=cmd.numeric_max,
    )
    last = session.scalar(select(func.max(CustomField.position)).where(
        CustomField.ticket_type_id.is_(None) if cmd.ticket_type_id is None
        else CustomField.ticket_type_id == cmd.ticket_type_id
    ))
    session.add(CustomField(
        id=cmd.field_id, ticket_type_id=cmd.ticket_type_id, label=cmd.label.strip(),
        kind=cmd.kind, required=cmd.required, show_in_list=cmd.show_in_list,
        help_text=cmd.help_text.strip(), position=(last or 0) + 1,
        options=options if cmd.kind != "linked" or cmd.parent_field_id is None else [],
        parent_field_id=cmd.parent_field_id, linked_values=[list(p) for p in linked],
        numeric_min=cmd.numeric_min, numeric_max=cmd.numeric_max,
    ))
    return action.result(created_id=cmd.field_id, config_changed=True)


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
    action.session.execute(delete(StatusTransition))
    for frm, to in sorted(pairs):
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


@handles(CreateSla)
def create_sla(action: Action, cmd: CreateSla) -> CommandResult:
    acl.require_manager(action.perms, "define SLAs")
    require_new_id(action.session, Sla, cmd.sla_id, "SLA",
                   "sla_id")
    name = require_text(cmd.name, "The SLA name", "name", 100)
    _require_unique(action, Sla, Sla.name, name, "SLA", "name")
    try:
        sla_type = SlaType(cmd.sla_type)
    except ValueError:
        raise DomainError(VALIDATION, "The SLA type is 0 (normal), 1 (third party) or 2 (both).",
                          "sla_type") from None
    for key in ("max_response_hours", "max_resolution_hours", "max_inactivity_hours"):
        hours = getattr(cmd, key)
        if not math.isfinite(hours) or hours < 0:
            raise DomainError(VALIDATION, "SLA times are zero or more hours.", key)
    for key in ("day_start_hour", "day_end_hour"):
        if not 0 <= getattr(cmd, key) <= 24:
            raise DomainError(VALIDATION, "Working hours are between 0 and 24.", key)
    if cmd.max_open_tickets < 0:
        raise DomainError(VALIDATION, "The open-ticket cap is zero or more.", "max_open_tickets")
    action.session.add(Sla(
        id=cmd.sla_id, name=name, description=cmd.description.strip(), sla_type=sla_type,
        max_response_hours=cmd.max_response_hours, max_resolution_hours=cmd.max_resolution_hours,
        max_open_tickets=cmd.max_open_tickets, max_inactivity_hours=cmd.max_inactivity_hours,
        day_start_hour=cmd.day_start_hour, day_end_hour=cmd.day_end_hour,
        no_sla_on_weekends=cmd.no_sla_on_weekends, no_sla_on_holidays=cmd.no_sla_on_holidays,
        enforced=cmd.enforced,
    ))
    return action.result(created_id=cmd.sla_id, config_changed=True)
