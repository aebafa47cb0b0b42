"""UpdateTicketFields: field edits, group moves, type changes and the 3-way merge."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain import acl, fields
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    UPDATABLE_FIELDS,
    UpdateTicketFields,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import (
    FORBIDDEN,
    VALIDATION,
    DomainError,
)
from desktopdesk.domain.handlers.common import (
    as_integer,
    as_text,
    as_uuid,
    require_active_user,
    require_row,
    require_text,
    touch,
)
from desktopdesk.domain.handlers.ticket_rules import (
    MAX_TITLE,
    can_own,
    check_priority,
    check_type_for_group,
    claim_editor,
    custom_keys,
    editable_ticket,
    excerpt,
    may_change_type,
    may_disable_sla,
    may_set_creator,
)
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.html import sanitize_html
from desktopdesk.domain.limits import check_group_limits
from desktopdesk.domain.merge import MergeOutcome, three_way
from desktopdesk.domain.workunit_rules import add_workunit_row
from desktopdesk.models import (
    CustomField,
    CustomFieldValue,
    Group,
    Status,
    Ticket,
    User,
)


@handles(UpdateTicketFields)
def update_ticket_fields(action: Action, cmd: UpdateTicketFields) -> CommandResult:
    session, perms, history = action.session, action.perms, action.history
    ticket = editable_ticket(action, cmd.ticket_id)
    creator_before = ticket.creator_id
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
        new_title = require_text(as_text(plain["title"], "title"), "The title", "title", MAX_TITLE)
        if new_title != ticket.title:
            history.record(ticket.id, EventKind.FIELD_CHANGED, "title", ticket.title, new_title)
            ticket.title = new_title
    if "description_html" in plain:
        html = sanitize_html(as_text(plain["description_html"], "description_html"))
        if html != ticket.description_html:
            history.record(ticket.id, EventKind.FIELD_CHANGED, "description",
                           excerpt(ticket.description_html), excerpt(html))
            ticket.description_html = html
    if "priority" in plain:
        priority = check_priority(as_integer(plain["priority"], "priority"))
        if priority != ticket.priority:
            history.record(ticket.id, EventKind.PRIORITY_CHANGED, "priority", ticket.priority,
                           priority)
            ticket.priority = priority
    if "project_task" in plain:
        task = as_text(plain["project_task"], "project_task").strip()[:200]
        if task != ticket.project_task:
            history.record(ticket.id, EventKind.FIELD_CHANGED, "project_task",
                           ticket.project_task, task)
            ticket.project_task = task
    if "sla_disabled" in plain:
        disabled = plain["sla_disabled"]
        if not isinstance(disabled, bool):
            raise DomainError(VALIDATION, "'SLA disabled' is yes or no.", "sla_disabled")
        if not may_disable_sla(perms, ticket.group_id):
            raise DomainError(FORBIDDEN, "You need MANAGE or escalate to disable the SLA.",
                              "sla_disabled")
        if disabled != ticket.sla_disabled:
            history.record(ticket.id, EventKind.FIELD_CHANGED, "sla_disabled",
                           ticket.sla_disabled, disabled)
            ticket.sla_disabled = disabled
    if "creator_id" in plain:
        creator_id = as_uuid(plain["creator_id"], "creator_id")
        if creator_id != ticket.creator_id:
            if not may_set_creator(action, ticket.group_id):
                raise DomainError(FORBIDDEN, "You may not change the creator.", "creator_id")
            creator = require_active_user(session, creator_id, "creator_id")
            history.record(ticket.id, EventKind.FIELD_CHANGED, "creator", ticket.creator_id,
                           creator.id)
            ticket.creator_id = creator.id
    group = session.get(Group, ticket.group_id)
    assert group is not None
    limit_warning = None
    if "group_id" in plain:
        group_id = as_uuid(plain["group_id"], "group_id")
        if group_id != ticket.group_id:
            group = require_row(session, Group, group_id, "group", "group_id")
            limit_warning = _check_move(action, ticket, group)
            history.record(ticket.id, EventKind.GROUP_CHANGED, "group", ticket.group_id,
                           group.id)
            ticket.group_id = group.id
    type_id = ticket.ticket_type_id
    if "ticket_type_id" in plain:
        raw_type = plain["ticket_type_id"]
        type_id = None if raw_type is None else as_uuid(raw_type, "ticket_type_id")
        if type_id != ticket.ticket_type_id and not may_change_type(action):
            raise DomainError(FORBIDDEN, "Changing a ticket's type is not allowed.",
                              "ticket_type_id")
    if type_id is not None and ("ticket_type_id" in plain or "group_id" in plain):
        check_type_for_group(action, type_id, group, required_check=False)
    elif type_id is None and "ticket_type_id" in plain:
        check_type_for_group(action, None, group, required_check=True)
    type_changed = type_id != ticket.ticket_type_id
    if type_changed:
        history.record(ticket.id, EventKind.FIELD_CHANGED, "ticket_type", ticket.ticket_type_id,
                       type_id)
        ticket.ticket_type_id = type_id
    _update_custom_values(action, ticket, custom_changes, type_changed=type_changed)
    if "description_html" in merge.kept_theirs:
        _keep_description_edit_as_workunit(action, ticket, cmd.changes["description_html"])
    if merge.apply:
        claim_editor(action, ticket, creator_before)
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
    custom_ids = [as_uuid(k.removeprefix("custom:"), k) for k in changes if k.startswith("custom:")]
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
        field = session.get(CustomField, as_uuid(key.removeprefix("custom:"), key))
        return field.label if field else "a custom field"
    return key.removesuffix("_id").removesuffix("_html").replace("_", " ")


def _keep_description_edit_as_workunit(action: Action, ticket: Ticket, text: Any) -> None:
    """The description changed under an offline edit: keep theirs, file ours as a note."""
    html = sanitize_html(as_text(text, "description_html"))
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
    changed = custom_keys(changes)
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
