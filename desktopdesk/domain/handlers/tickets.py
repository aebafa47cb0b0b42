"""Ticket commands: create, update fields, status, owner, lock, parent, links, delete."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktopdesk.domain import acl, fields, settings, workflow
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    UPDATABLE_FIELDS,
    AssignOwner,
    ChangeStatus,
    CloseTicket,
    CreateTicket,
    DeleteTicket,
    LinkInventory,
    LockTicket,
    ReopenTicket,
    SetEmailsInCopy,
    SetParent,
    UpdateTicketFields,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.counters import PROVISIONAL_TICKET_NUMBER, TICKET_NUMBER, next_value
from desktopdesk.domain.errors import (
    FORBIDDEN,
    INVALID_TRANSITION,
    NOT_OWNER,
    VALIDATION,
    DomainError,
)
from desktopdesk.domain.handlers.common import (
    normalise_emails,
    require_active_user,
    require_row,
    require_text,
    require_unlocked,
    ticket_label,
    touch,
)
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.html import plain_text, sanitize_html
from desktopdesk.domain.limits import check_group_limits
from desktopdesk.domain.merge import MergeOutcome, three_way
from desktopdesk.domain.workunit_rules import add_workunit_row
from desktopdesk.models import (
    CustomField,
    CustomFieldValue,
    Group,
    InventoryObject,
    Priority,
    Resolution,
    Status,
    Ticket,
    TicketInventoryLink,
    TicketType,
    TicketTypeGroup,
    User,
)

MAX_TITLE = 500


# --- Create -------------------------------------------------------------------------------


@handles(CreateTicket)
def create_ticket(action: Action, cmd: CreateTicket) -> CommandResult:
    session, perms = action.session, action.perms
    if session.get(Ticket, cmd.ticket_id) is not None:
        raise DomainError(VALIDATION, "A ticket with this id already exists.", "ticket_id")
    title = require_text(cmd.title, "The title", "title", MAX_TITLE)
    group = require_row(session, Group, cmd.group_id, "group", "group_id")
    if not acl.can_create_in(perms, group.id):
        raise DomainError(FORBIDDEN, f"You may not create tickets in group '{group.name}'.",
                          "group_id")
    ticket_type = _check_type_for_group(action, cmd.ticket_type_id, group, required_check=True)
    creator = _choose_creator(action, cmd.creator_id, group)
    owner = _choose_owner(action, cmd.owner_id, group)
    status = _initial_status(action, cmd.status, owner, group)
    priority = _check_priority(cmd.priority)
    parent_id = _check_parent(action, cmd.ticket_id, cmd.parent_id)
    created_at = _creation_time(action, cmd)
    emails = normalise_emails(cmd.emails_in_copy, "emails_in_copy")
    type_fields = fields.fields_for_type(session, ticket_type.id if ticket_type else None)
    values = fields.validate_values(type_fields, _custom_keys(cmd.custom_values))
    warning = check_group_limits(session, group, creator.id, action.now)

    ticket = Ticket(
        id=cmd.ticket_id,
        title=title,
        description_html=sanitize_html(cmd.description_html),
        status=status,
        priority=priority,
        resolution=Resolution.NONE,
        group_id=group.id,
        creator_id=creator.id,
        owner_id=owner.id,
        editor_id=action.actor_id,
        creator_group_id=group.id,
        ticket_type_id=ticket_type.id if ticket_type else None,
        parent_id=parent_id,
        emails_in_copy=emails,
        project_task=cmd.project_task.strip(),
        created_at=created_at,
        updated_at=created_at,
    )
    if action.ctx.is_authority:
        ticket.number = next_value(session, TICKET_NUMBER)
    else:
        ticket.provisional_number = next_value(session, PROVISIONAL_TICKET_NUMBER)
    session.add(ticket)
    session.flush()
    for field_id, value in values.items():
        if value:
            session.add(CustomFieldValue(ticket_id=ticket.id, field_id=field_id, value=value))
    for object_id in dict.fromkeys(cmd.inventory_object_ids):
        require_row(session, InventoryObject, object_id, "inventory object", "inventory")
        session.add(TicketInventoryLink(ticket_id=ticket.id, inventory_object_id=object_id))

    history = action.history
    history.record(ticket.id, EventKind.CREATED, new=title)
    history.record(ticket.id, EventKind.STATUS_CHANGED, "status", new=status)
    history.record(ticket.id, EventKind.PRIORITY_CHANGED, "priority", new=priority)
    history.record(ticket.id, EventKind.GROUP_CHANGED, "group", new=group.id)
    history.record(ticket.id, EventKind.OWNER_CHANGED, "owner", new=owner.id)
    if action.setting(settings.EDITOR_ADDS_WORKUNIT_ON_CREATE):
        add_workunit_row(
            action, ticket,
            text_html="<p>Workunit added by the editor when the ticket was created.</p>",
            hours=action.setting(settings.WORKUNIT_DEFAULT_HOURS),
        )
    return action.result(created_id=ticket.id, tickets=(ticket.id,),
                         warnings=(warning,) if warning else ())


def _custom_keys(raw: dict[str, Any]) -> dict[uuid.UUID, str]:
    values: dict[uuid.UUID, str] = {}
    for key, value in raw.items():
        try:
            field_id = uuid.UUID(key.removeprefix("custom:"))
        except ValueError:
            raise DomainError(VALIDATION, f"'{key}' is not a custom field id.", key) from None
        if not isinstance(value, str):
            raise DomainError(VALIDATION, "Custom field values are text.", f"custom:{field_id}")
        values[field_id] = value
    return values


def _check_type_for_group(
    action: Action, type_id: uuid.UUID | None, group: Group, *, required_check: bool
) -> TicketType | None:
    if type_id is None:
        if required_check and action.setting(settings.REQUIRED_TICKET_TYPE):
            raise DomainError(VALIDATION, "Choose a ticket type.", "ticket_type_id")
        return None
    ticket_type = require_row(action.session, TicketType, type_id, "ticket type", "ticket_type_id")
    offered_to = set(action.session.scalars(
        select(TicketTypeGroup.group_id).where(TicketTypeGroup.ticket_type_id == type_id)
    ))
    if offered_to and group.id not in offered_to:
        raise DomainError(
            VALIDATION, f"Type '{ticket_type.name}' is not available in group '{group.name}'.",
            "ticket_type_id",
        )
    return ticket_type


def _may_change_people(action: Action) -> bool:
    return action.perms.is_superadmin or action.setting(settings.ALLOW_CREATOR_OWNER_CHANGE)


def _may_set_creator(action: Action, group_id: uuid.UUID) -> bool:
    perms = action.perms
    if perms.is_superadmin:
        return True
    if perms.is_independent or not _may_change_people(action):
        return False
    access = perms.access(group_id)
    return access.manage or (access.edit and action.setting(settings.EDIT_CAN_CHANGE_CREATOR))


def _choose_creator(action: Action, creator_id: uuid.UUID | None, group: Group) -> User:
    if creator_id is None:
        if action.setting(settings.CREATOR_BLANK_BY_DEFAULT):
            raise DomainError(VALIDATION, "Choose who the ticket is for (its creator).",
                              "creator_id")
        creator_id = action.actor_id
    if creator_id != action.actor_id and not _may_set_creator(action, group.id):
        raise DomainError(FORBIDDEN, "You may not file tickets on behalf of someone else.",
                          "creator_id")
    return require_active_user(action.session, creator_id, "creator_id")


def can_own(session: Session, user: User, group_id: uuid.UUID) -> bool:
    """Owners work the ticket: enabled, grouped, and able to see the group."""
    if not user.enabled:
        return False
    if user.is_superadmin:
        return True
    return not user.is_independent and acl.load_permissions(session, user.id).access(
        group_id).view


def check_owner_candidate(action: Action, owner: User, group_id: uuid.UUID,
                          field: str = "owner_id") -> None:
    if not can_own(action.session, owner, group_id):
        group = action.session.get(Group, group_id)
        name = group.name if group else "?"
        raise DomainError(
            VALIDATION, f"{owner.full_name} cannot see group '{name}', so cannot own its tickets.",
            field,
        )


def _choose_owner(action: Action, owner_id: uuid.UUID | None, group: Group) -> User:
    """The chosen owner, else the first who can own it of: the creator when "owner is
    creator" is on, the group's default owner, the person filing it."""
    session = action.session
    if owner_id is not None:
        if owner_id != action.actor_id and not (
            _may_change_people(action) and action.perms.access(group.id).manage
        ):
            raise DomainError(FORBIDDEN, "You need MANAGE on the group to choose the owner.",
                              "owner_id")
        owner = require_active_user(session, owner_id, "owner_id")
        check_owner_candidate(action, owner, group.id)
        return owner
    actor = require_active_user(session, action.actor_id, "owner_id")
    default_owner = session.get(User, group.default_owner_id) if group.default_owner_id else None
    candidates = [default_owner, actor]
    if action.setting(settings.OWNER_IS_CREATOR):
        candidates.reverse()
    for candidate in candidates:
        if candidate is not None and can_own(session, candidate, group.id):
            return candidate
    raise DomainError(
        VALIDATION, f"Group '{group.name}' has no default owner who can take this ticket; an "
                    "administrator must set one.", "group_id",
    )


def _initial_status(action: Action, requested: int | None, owner: User, group: Group) -> Status:
    """New by default; another starting status is a status change, so it is the owner's
    (or a manager's) to make, not a customer's."""
    allowed = workflow.creation_statuses(action.session)
    if requested is None:
        return allowed[0]
    status = _check_status(requested)
    if status is Status.CLOSED:
        raise DomainError(INVALID_TRANSITION, "A ticket cannot be created closed.", "status")
    workflow.check_creation_status(action.session, status)
    perms = action.perms
    if status is not allowed[0] and not (
        perms.is_superadmin or owner.id == perms.user_id or perms.access(group.id).manage
    ):
        raise DomainError(NOT_OWNER, f"Only the owner ({owner.full_name}) or a manager can file "
                                     f"a ticket as {status.label}.", "status")
    return status


def _check_status(code: int) -> Status:
    try:
        return Status(code)
    except ValueError:
        raise DomainError(VALIDATION, f"{code} is not a status (1-7).", "status") from None


def _check_priority(code: int) -> Priority:
    try:
        return Priority(code)
    except ValueError:
        raise DomainError(VALIDATION, f"{code} is not a priority (0-4 or 10).",
                          "priority") from None


def _creation_time(action: Action, cmd: CreateTicket) -> Any:
    if cmd.created_at is None:
        return action.now
    if not action.setting(settings.ALLOW_CREATION_DATE):
        raise DomainError(VALIDATION, "Setting the creation date is not enabled.", "created_at")
    if cmd.created_at > action.now:
        raise DomainError(VALIDATION, "The creation date cannot be in the future.", "created_at")
    return cmd.created_at


def _check_parent(
    action: Action, ticket_id: uuid.UUID, parent_id: uuid.UUID | None
) -> uuid.UUID | None:
    if parent_id is None:
        return None
    if parent_id == ticket_id:
        raise DomainError(VALIDATION, "A ticket cannot be its own parent.", "parent_id")
    parent = action.session.get(Ticket, parent_id)
    if parent is None or not acl.can_view(action.perms, parent):
        raise DomainError(VALIDATION, "The parent ticket does not exist.", "parent_id")
    seen = {ticket_id}
    node: Ticket | None = parent
    while node is not None:
        if node.id in seen:
            raise DomainError(VALIDATION, "That parent would make a loop of tickets.",
                              "parent_id")
        seen.add(node.id)
        node = action.session.get(Ticket, node.parent_id) if node.parent_id else None
    return parent_id


# --- Update -------------------------------------------------------------------------------


def _editable_ticket(action: Action, ticket_id: uuid.UUID) -> Ticket:
    ticket = acl.require_visible(action.session, action.perms, ticket_id)
    require_unlocked(ticket)
    may_modify = action.setting(settings.EXTERNAL_USERS_MAY_MODIFY)
    if not acl.can_edit(action.perms, ticket, may_modify):
        raise DomainError(FORBIDDEN, f"You may not edit ticket {ticket_label(ticket)}.")
    return ticket


@handles(UpdateTicketFields)
def update_ticket_fields(action: Action, cmd: UpdateTicketFields) -> CommandResult:
    session, perms, history = action.session, action.perms, action.history
    ticket = _editable_ticket(action, cmd.ticket_id)
    merge = three_way(_current_values(session, ticket, cmd.changes), cmd.changes, cmd.base)
    custom_changes: dict[str, Any] = {}
    plain: dict[str, Any] = {}
    for key, value in merge.apply.items():
        if key.startswith("custom:"):
            custom_changes[key] = value
        elif key in UPDATABLE_FIELDS:
            plain[key] = value
        else:
            raise DomainError(VALIDATION, f"'{key}' cannot be changed this way.", key)

    if "title" in plain:
        new_title = require_text(_text(plain["title"], "title"), "The title", "title", MAX_TITLE)
        if new_title != ticket.title:
            history.record(ticket.id, EventKind.FIELD_CHANGED, "title", ticket.title, new_title)
            ticket.title = new_title
    if "description_html" in plain:
        html = sanitize_html(_text(plain["description_html"], "description_html"))
        if html != ticket.description_html:
            history.record(ticket.id, EventKind.FIELD_CHANGED, "description",
                           _excerpt(ticket.description_html), _excerpt(html))
            ticket.description_html = html
    if "priority" in plain:
        priority = _check_priority(_integer(plain["priority"], "priority"))
        if priority != ticket.priority:
            history.record(ticket.id, EventKind.PRIORITY_CHANGED, "priority", ticket.priority,
                           priority)
            ticket.priority = priority
    if "project_task" in plain:
        task = _text(plain["project_task"], "project_task").strip()[:200]
        if task != ticket.project_task:
            history.record(ticket.id, EventKind.FIELD_CHANGED, "project_task",
                           ticket.project_task, task)
            ticket.project_task = task
    if "sla_disabled" in plain:
        disabled = plain["sla_disabled"]
        if not isinstance(disabled, bool):
            raise DomainError(VALIDATION, "'SLA disabled' is yes or no.", "sla_disabled")
        access = perms.access(ticket.group_id)
        if perms.is_independent or not (access.manage or access.escalate):
            raise DomainError(FORBIDDEN, "You need MANAGE or escalate to disable the SLA.",
                              "sla_disabled")
        if disabled != ticket.sla_disabled:
            history.record(ticket.id, EventKind.FIELD_CHANGED, "sla_disabled",
                           ticket.sla_disabled, disabled)
            ticket.sla_disabled = disabled
    if "creator_id" in plain:
        creator_id = _uuid(plain["creator_id"], "creator_id")
        if creator_id != ticket.creator_id:
            if not _may_set_creator(action, ticket.group_id):
                raise DomainError(FORBIDDEN, "You may not change the creator.", "creator_id")
            creator = require_active_user(session, creator_id, "creator_id")
            history.record(ticket.id, EventKind.FIELD_CHANGED, "creator", ticket.creator_id,
                           creator.id)
            ticket.creator_id = creator.id
    group = session.get(Group, ticket.group_id)
    assert group is not None
    limit_warning = None
    if "group_id" in plain:
        group_id = _uuid(plain["group_id"], "group_id")
        if group_id != ticket.group_id:
            group = require_row(session, Group, group_id, "group", "group_id")
            limit_warning = _check_move(action, ticket, group)
            history.record(ticket.id, EventKind.GROUP_CHANGED, "group", ticket.group_id,
                           group.id)
            ticket.group_id = group.id
    type_id = ticket.ticket_type_id
    if "ticket_type_id" in plain:
        raw_type = plain["ticket_type_id"]
        type_id = None if raw_type is None else _uuid(raw_type, "ticket_type_id")
        if type_id != ticket.ticket_type_id and not (
            perms.is_superadmin or action.setting(settings.ALLOW_TYPE_CHANGE)
        ):
            raise DomainError(FORBIDDEN, "Changing a ticket's type is not allowed.",
                              "ticket_type_id")
    if type_id is not None and ("ticket_type_id" in plain or "group_id" in plain):
        _check_type_for_group(action, type_id, group, required_check=False)
    elif type_id is None and "ticket_type_id" in plain:
        _check_type_for_group(action, None, group, required_check=True)
    type_changed = type_id != ticket.ticket_type_id
    if type_changed:
        history.record(ticket.id, EventKind.FIELD_CHANGED, "ticket_type", ticket.ticket_type_id,
                       type_id)
        ticket.ticket_type_id = type_id
    _update_custom_values(action, ticket, custom_changes, type_changed=type_changed)
    if "description_html" in merge.kept_theirs:
        _keep_description_edit_as_workunit(action, ticket, cmd.changes["description_html"])
    touch(action, ticket)
    warnings = _merge_warnings(session, merge) + ((limit_warning,) if limit_warning else ())
    return action.result(tickets=(ticket.id,), warnings=warnings)


def _check_move(action: Action, ticket: Ticket, group: Group) -> str | None:
    """Moving a ticket is filing it in the new group: the same right, the owner must be
    able to work it there, and an open ticket counts against the group's limits."""
    if not acl.can_create_in(action.perms, group.id):
        raise DomainError(FORBIDDEN, f"You may not move tickets into '{group.name}'.", "group_id")
    owner = action.session.get(User, ticket.owner_id)
    assert owner is not None
    if not can_own(action.session, owner, group.id):
        raise DomainError(VALIDATION, f"{owner.full_name} owns this ticket but cannot see "
                                      f"'{group.name}'; reassign it first.", "group_id")
    if ticket.status == Status.CLOSED:
        return None
    return check_group_limits(action.session, group, ticket.creator_id, action.now)


def _current_values(session: Session, ticket: Ticket, changes: dict[str, Any]) -> dict[str, Any]:
    """The ticket's present value of every field a change names, for the merge."""
    values: dict[str, Any] = {}
    custom_ids = [_uuid(k.removeprefix("custom:"), k) for k in changes if k.startswith("custom:")]
    if custom_ids:
        stored = dict(session.execute(
            select(CustomFieldValue.field_id, CustomFieldValue.value).where(
                CustomFieldValue.ticket_id == ticket.id,
                CustomFieldValue.field_id.in_(custom_ids),
            )
        ).all())
        values.update({f"custom:{field_id}": stored.get(field_id, "") for field_id in custom_ids})
    for key in changes:
        if key in UPDATABLE_FIELDS:
            values[key] = getattr(ticket, key)
    return values


def _field_name(session: Session, key: str) -> str:
    if key.startswith("custom:"):
        field = session.get(CustomField, _uuid(key.removeprefix("custom:"), key))
        return field.label if field else "a custom field"
    return key.removesuffix("_id").removesuffix("_html").replace("_", " ")


def _keep_description_edit_as_workunit(action: Action, ticket: Ticket, text: Any) -> None:
    """The description changed under an offline edit: keep theirs, file ours as a note."""
    html = sanitize_html(_text(text, "description_html"))
    add_workunit_row(
        action, ticket, hours=0.0,
        text_html="<p><em>Description edit not applied: the description had changed "
                  "meanwhile. The edited text was:</em></p>" + html,
    )


def _merge_warnings(session: Session, merge: MergeOutcome) -> tuple[str, ...]:
    warnings = []
    if merge.kept_theirs:
        warnings.append("The description had changed meanwhile; your text was added as a "
                        "workunit instead.")
    if merge.overwrote:
        names = ", ".join(_field_name(session, key) for key in merge.overwrote)
        warnings.append(f"Also changed by someone else, now set to your value: {names} "
                        "(their value is in the history).")
    return tuple(warnings)


def _update_custom_values(
    action: Action, ticket: Ticket, changes: dict[str, Any], *, type_changed: bool
) -> None:
    """Merge changes with stored values and validate them all against the ticket's type.

    Values of fields the (new) type lacks are dropped with a history event each, so
    nothing disappears without a trace. "Required" is enforced on the fields being
    changed, or on all of them when the type changes (the form then shows them all).
    """
    if not changes and not type_changed:
        return
    session = action.session
    stored = {
        row.field_id: row
        for row in session.scalars(
            select(CustomFieldValue).where(CustomFieldValue.ticket_id == ticket.id)
        )
    }
    type_fields = fields.fields_for_type(session, ticket.ticket_type_id)
    field_ids = {f.id for f in type_fields}
    labels = {f.id: f.label for f in session.scalars(select(CustomField))}
    for field_id, row in list(stored.items()):
        if field_id not in field_ids:
            action.history.record(ticket.id, EventKind.CUSTOM_VALUE_DROPPED,
                                  f"custom:{labels.get(field_id, field_id)}", row.value, "")
            session.delete(row)
            del stored[field_id]
    merged = {field_id: row.value for field_id, row in stored.items()}
    changed = _custom_keys(changes)
    merged.update(changed)
    clean = fields.validate_values(
        type_fields, merged, enforce_required=None if type_changed else set(changed)
    )
    for field_id, value in clean.items():
        current = stored.get(field_id)
        old = current.value if current else ""
        if value == old:
            continue
        action.history.record(ticket.id, EventKind.FIELD_CHANGED,
                              f"custom:{labels[field_id]}", old, value)
        if current is None:
            session.add(CustomFieldValue(ticket_id=ticket.id, field_id=field_id, value=value))
        elif value:
            current.value = value
        else:
            session.delete(current)


def _excerpt(html: str, length: int = 200) -> str:
    """What history keeps of a long text: its start, as plain text."""
    text = " ".join(plain_text(html).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise DomainError(VALIDATION, f"'{field}' must be text.", field)
    return value


def _integer(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(VALIDATION, f"'{field}' must be a whole number.", field)
    return value


def _uuid(value: Any, field: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise DomainError(VALIDATION, f"'{field}' must be an id.", field) from None


# --- Status -------------------------------------------------------------------------------


def _change_status(action: Action, ticket_id: uuid.UUID, target: Status,
                   resolution: int | None, epilogue_html: str) -> CommandResult:
    session = action.session
    ticket = acl.require_visible(session, action.perms, ticket_id)
    require_unlocked(ticket)
    may_modify = action.setting(settings.EXTERNAL_USERS_MAY_MODIFY)
    if not acl.can_edit(action.perms, ticket, may_modify):
        raise DomainError(FORBIDDEN, f"You may not change {ticket_label(ticket)}.", "status")
    if not acl.is_owner_or_admin(action.perms, ticket):
        owner = session.get(User, ticket.owner_id)
        name = owner.full_name if owner else "its owner"
        raise DomainError(NOT_OWNER, f"Only the owner ({name}) can change the status of "
                                     f"{ticket_label(ticket)}.", "status")
    current = Status(ticket.status)
    if target is current:
        return action.result(tickets=(ticket.id,))
    workflow.check_transition(session, current, target)
    history = action.history
    if target is Status.CLOSED:
        closing_resolution = _check_resolution(resolution)
        ticket.resolution = closing_resolution
        ticket.epilogue_html = sanitize_html(epilogue_html)
        ticket.closed_at = action.now
        ticket.closed_by_id = action.actor_id
        history.record(ticket.id, EventKind.CLOSED, "status", current, target)
        history.record(ticket.id, EventKind.FIELD_CHANGED, "resolution", Resolution.NONE,
                       closing_resolution)
    else:
        if resolution not in (None, Resolution.NONE):
            raise DomainError(VALIDATION, "A resolution is only given when closing.",
                              "resolution")
        kind = EventKind.REOPENED if current is Status.CLOSED else EventKind.STATUS_CHANGED
        history.record(ticket.id, kind, "status", current, target)
        if current is Status.CLOSED:
            ticket.resolution = Resolution.NONE
            ticket.closed_at = None
            ticket.closed_by_id = None
    ticket.status = target
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))


def _check_resolution(code: int | None) -> Resolution:
    if code is None or code == Resolution.NONE:
        raise DomainError(VALIDATION, "Closing a ticket needs a resolution.", "resolution")
    try:
        return Resolution(code)
    except ValueError:
        raise DomainError(VALIDATION, f"{code} is not a resolution (1-9).",
                          "resolution") from None


@handles(ChangeStatus)
def change_status(action: Action, cmd: ChangeStatus) -> CommandResult:
    return _change_status(action, cmd.ticket_id, _check_status(cmd.status), cmd.resolution,
                          cmd.epilogue_html)


@handles(CloseTicket)
def close_ticket(action: Action, cmd: CloseTicket) -> CommandResult:
    return _change_status(action, cmd.ticket_id, Status.CLOSED, cmd.resolution,
                          cmd.epilogue_html)


@handles(ReopenTicket)
def reopen_ticket(action: Action, cmd: ReopenTicket) -> CommandResult:
    ticket = acl.require_visible(action.session, action.perms, cmd.ticket_id)
    if ticket.status != Status.CLOSED:
        raise DomainError(INVALID_TRANSITION, f"{ticket_label(ticket)} is not closed.", "status")
    return _change_status(action, cmd.ticket_id, Status.REOPENED, None, "")


# --- Owner, lock, parent, links -----------------------------------------------------------


@handles(AssignOwner)
def assign_owner(action: Action, cmd: AssignOwner) -> CommandResult:
    session, perms = action.session, action.perms
    ticket = acl.require_visible(session, perms, cmd.ticket_id)
    require_unlocked(ticket)
    if not perms.is_superadmin:
        if not action.setting(settings.ALLOW_CREATOR_OWNER_CHANGE):
            raise DomainError(FORBIDDEN, "Changing the owner is switched off in the settings.",
                              "owner_id")
        if not (acl.can_manage(perms, ticket) or ticket.owner_id == perms.user_id):
            raise DomainError(FORBIDDEN, "Only the owner or a manager of the group can "
                                         "reassign this ticket.", "owner_id")
    owner = require_active_user(session, cmd.owner_id, "owner_id")
    if owner.id == ticket.owner_id:
        return action.result(tickets=(ticket.id,))
    check_owner_candidate(action, owner, ticket.group_id)
    action.history.record(ticket.id, EventKind.OWNER_CHANGED, "owner", ticket.owner_id, owner.id)
    ticket.owner_id = owner.id
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))


@handles(LockTicket)
def lock_ticket(action: Action, cmd: LockTicket) -> CommandResult:
    perms = action.perms
    ticket = acl.require_visible(action.session, perms, cmd.ticket_id)
    if cmd.locked == ticket.locked:
        return action.result(tickets=(ticket.id,))
    if cmd.locked:
        if ticket.status != Status.CLOSED:
            raise DomainError(INVALID_TRANSITION, "Only a closed ticket can be locked.", "locked")
        if not (acl.is_owner_or_admin(perms, ticket) or acl.can_manage(perms, ticket)):
            raise DomainError(FORBIDDEN, "Only the owner or a manager can lock this ticket.")
    elif not acl.can_manage(perms, ticket):
        raise DomainError(FORBIDDEN, "Only a manager of the group can unlock a ticket.")
    action.history.record(ticket.id, EventKind.LOCKED if cmd.locked else EventKind.UNLOCKED)
    ticket.locked = cmd.locked
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))


@handles(SetParent)
def set_parent(action: Action, cmd: SetParent) -> CommandResult:
    perms = action.perms
    ticket = acl.require_visible(action.session, perms, cmd.ticket_id)
    require_unlocked(ticket)
    access = perms.access(ticket.group_id)
    if not (access.manage or access.escalate):
        raise DomainError(FORBIDDEN, "You need MANAGE or escalate to set a parent ticket.",
                          "parent_id")
    parent_id = _check_parent(action, ticket.id, cmd.parent_id)
    if parent_id == ticket.parent_id:
        return action.result(tickets=(ticket.id,))
    action.history.record(ticket.id, EventKind.PARENT_CHANGED, "parent", ticket.parent_id,
                          parent_id)
    ticket.parent_id = parent_id
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))


@handles(LinkInventory)
def link_inventory(action: Action, cmd: LinkInventory) -> CommandResult:
    session = action.session
    ticket = _editable_ticket(action, cmd.ticket_id)
    item = require_row(session, InventoryObject, cmd.inventory_object_id, "inventory object",
                       "inventory_object_id")
    link = session.scalar(select(TicketInventoryLink).where(
        TicketInventoryLink.ticket_id == ticket.id,
        TicketInventoryLink.inventory_object_id == item.id,
    ))
    if cmd.linked and link is None:
        session.add(TicketInventoryLink(ticket_id=ticket.id, inventory_object_id=item.id))
        action.history.record(ticket.id, EventKind.INVENTORY_LINKED, "inventory", "", item.name)
    elif not cmd.linked and link is not None:
        session.delete(link)
        action.history.record(ticket.id, EventKind.INVENTORY_UNLINKED, "inventory", item.name, "")
    else:
        return action.result(tickets=(ticket.id,))
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))


@handles(SetEmailsInCopy)
def set_emails_in_copy(action: Action, cmd: SetEmailsInCopy) -> CommandResult:
    ticket = _editable_ticket(action, cmd.ticket_id)
    emails = normalise_emails(cmd.emails, "emails")
    if emails == list(ticket.emails_in_copy):
        return action.result(tickets=(ticket.id,))
    action.history.record(ticket.id, EventKind.EMAILS_IN_COPY_CHANGED, "emails_in_copy",
                          ticket.emails_in_copy, emails)
    ticket.emails_in_copy = emails
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))


@handles(DeleteTicket)
def delete_ticket(action: Action, cmd: DeleteTicket) -> CommandResult:
    session = action.session
    ticket = acl.require_visible(session, action.perms, cmd.ticket_id)
    if not acl.can_manage(action.perms, ticket):
        raise DomainError(FORBIDDEN, "Only a manager of the group can delete a ticket.")
    # Children survive as top-level tickets; rows hanging off the ticket go with it.
    for child in session.scalars(select(Ticket).where(Ticket.parent_id == ticket.id)):
        action.history.record(child.id, EventKind.PARENT_CHANGED, "parent", ticket.id, None)
        child.parent_id = None
    session.flush()
    session.execute(delete(Ticket).where(Ticket.id == ticket.id))
    session.expunge(ticket)
    return action.result(tickets=(cmd.ticket_id,))
