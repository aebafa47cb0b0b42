"""Checks shared by the ticket commands: who may set what, and value coercion."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain import acl, settings
from desktopdesk.domain.apply import Action
from desktopdesk.domain.errors import (
    FORBIDDEN,
    VALIDATION,
    DomainError,
)
from desktopdesk.domain.handlers.common import (
    require_row,
    require_unlocked,
    ticket_label,
)
from desktopdesk.domain.html import plain_text
from desktopdesk.models import (
    Group,
    Priority,
    Status,
    Ticket,
    TicketType,
    TicketTypeGroup,
    User,
)

MAX_TITLE = 500


def custom_keys(raw: dict[str, Any]) -> dict[uuid.UUID, str]:
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


def check_type_for_group(
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


def may_change_people(action: Action) -> bool:
    return action.perms.is_superadmin or action.setting(settings.ALLOW_CREATOR_OWNER_CHANGE)


def may_set_creator(action: Action, group_id: uuid.UUID) -> bool:
    perms = action.perms
    if perms.is_superadmin:
        return True
    if perms.is_independent or not may_change_people(action):
        return False
    access = perms.access(group_id)
    return access.manage or (access.edit and action.setting(settings.EDIT_CAN_CHANGE_CREATOR))


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


def check_status(code: int) -> Status:
    try:
        return Status(code)
    except ValueError:
        raise DomainError(VALIDATION, f"{code} is not a status (1-7).", "status") from None


def check_priority(code: int) -> Priority:
    try:
        return Priority(code)
    except ValueError:
        raise DomainError(VALIDATION, f"{code} is not a priority (0-4 or 10).",
                          "priority") from None


def check_parent(
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


def editable_ticket(action: Action, ticket_id: uuid.UUID) -> Ticket:
    ticket = acl.require_visible(action.session, action.perms, ticket_id)
    require_unlocked(ticket)
    may_modify = action.setting(settings.EXTERNAL_USERS_MAY_MODIFY)
    if not acl.can_edit(action.perms, ticket, may_modify):
        raise DomainError(FORBIDDEN, f"You may not edit ticket {ticket_label(ticket)}.")
    return ticket


def excerpt(html: str, length: int = 200) -> str:
    """What history keeps of a long text: its start, as plain text."""
    text = " ".join(plain_text(html).split())
    return text if len(text) <= length else text[: length - 1] + "…"
