"""Status changes, closing, reopening, escalation and locking."""

from __future__ import annotations

import uuid

from desktopdesk.domain import acl, workflow
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    AssignOwner,
    ChangeStatus,
    CloseTicket,
    LockTicket,
    ReopenTicket,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import (
    FORBIDDEN,
    INVALID_TRANSITION,
    NOT_OWNER,
    VALIDATION,
    DomainError,
)
from desktopdesk.domain.handlers.common import (
    require_active_user,
    require_unlocked,
    ticket_label,
    touch,
)
from desktopdesk.domain.handlers.ticket_rules import (
    check_owner_candidate,
    check_status,
    claim_editor,
    may_change_people,
    may_edit,
    may_lock,
    may_reassign,
    may_unlock,
)
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.html import sanitize_html
from desktopdesk.models import (
    Resolution,
    Status,
    User,
)


def _change_status(action: Action, ticket_id: uuid.UUID, target: Status,
                   resolution: int | None, epilogue_html: str) -> CommandResult:
    session = action.session
    ticket = acl.require_visible(session, action.perms, ticket_id)
    require_unlocked(ticket)
    if not may_edit(action, ticket):
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
            if ticket.score:
                # The rating was of how it was closed then: the creator rates the next
                # close afresh (Integria clears it when an open ticket is saved).
                ticket.score = 0
                history.record(ticket.id, EventKind.FIELD_CHANGED, "score")
    claim_editor(action, ticket, ticket.creator_id)
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
    return _change_status(action, cmd.ticket_id, check_status(cmd.status), cmd.resolution,
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


@handles(AssignOwner)
def assign_owner(action: Action, cmd: AssignOwner) -> CommandResult:
    session, perms = action.session, action.perms
    ticket = acl.require_visible(session, perms, cmd.ticket_id)
    require_unlocked(ticket)
    if not may_reassign(action, ticket):
        if not may_change_people(action):
            raise DomainError(FORBIDDEN, "Changing the owner is switched off in the settings.",
                              "owner_id")
        raise DomainError(FORBIDDEN, "Only the owner or a manager of the group can "
                                     "reassign this ticket.", "owner_id")
    owner = require_active_user(session, cmd.owner_id, "owner_id")
    if owner.id == ticket.owner_id:
        return action.result(tickets=(ticket.id,))
    check_owner_candidate(action, owner, ticket.group_id)
    action.history.record(ticket.id, EventKind.OWNER_CHANGED, "owner", ticket.owner_id, owner.id)
    claim_editor(action, ticket, ticket.creator_id)
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
        if not may_lock(perms, ticket):
            raise DomainError(FORBIDDEN, "Only the owner or a manager can lock this ticket.")
    elif not may_unlock(perms, ticket):
        raise DomainError(FORBIDDEN, "Only a manager of the group can unlock a ticket.")
    action.history.record(ticket.id, EventKind.LOCKED if cmd.locked else EventKind.UNLOCKED)
    ticket.locked = cmd.locked
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))
