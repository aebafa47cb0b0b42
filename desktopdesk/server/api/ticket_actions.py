"""Workflow on one ticket: status (change, close, reopen) and owner (assign, escalate).

Each maps to the command the desktop would queue for the same click, so sync conflict
rules (which are per command) treat an API client like any other.
"""

from __future__ import annotations

from fastapi import APIRouter

from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.commands import (
    AssignOwner,
    ChangeStatus,
    CloseTicket,
    Command,
    ReopenTicket,
)
from desktopdesk.models import Resolution, Status
from desktopdesk.server.api import resolve
from desktopdesk.server.api.changes import run
from desktopdesk.server.api.models import TicketNumber
from desktopdesk.server.api.reads import visible_ticket
from desktopdesk.server.api.ticket_models import OwnerChange, StatusChange, TicketChange
from desktopdesk.server.api.tickets import changed_ticket
from desktopdesk.server.deps import ClockDep, CurrentUser, StoreDep
from desktopdesk.server.errors import error_responses

router = APIRouter(tags=["tickets"])


@router.post(
    "/tickets/{number}/status", response_model=TicketChange,
    summary="Change the status: close (7, with a resolution) or reopen (4)",
    responses=error_responses(401, 403, 404, 409, 422),
)
def change_status(number: TicketNumber, body: StatusChange, store: StoreDep,
                  user_id: CurrentUser, clock: ClockDep) -> TicketChange:
    """Only the owner (or a super-admin) changes a status: anyone else gets 409
    ``not_owner``, whose message names the owner. 409 ``invalid_transition`` when the
    status mapping does not allow the move, ``locked`` for a locked ticket."""
    with store.read() as session:
        perms = load_permissions(session, user_id)
        ticket = visible_ticket(session, perms, number)
        ticket_id, current = ticket.id, ticket.status
    command: Command
    if body.status is Status.CLOSED:
        command = CloseTicket(ticket_id=ticket_id, resolution=body.resolution or Resolution.NONE,
                              epilogue_html=body.epilogue_html)
    elif (current is Status.CLOSED and body.status is Status.REOPENED
          and body.resolution in (None, Resolution.NONE) and not body.epilogue_html):
        command = ReopenTicket(ticket_id=ticket_id)
    else:
        command = ChangeStatus(ticket_id=ticket_id, status=body.status,
                               resolution=body.resolution, epilogue_html=body.epilogue_html)
    result = run(store, command, user_id, clock())
    return changed_ticket(store, user_id, ticket_id, result.warnings)


@router.post(
    "/tickets/{number}/owner", response_model=TicketChange,
    summary="Give the ticket to another owner (assign, escalate)",
    responses=error_responses(401, 403, 404, 409, 422),
)
def assign_owner(number: TicketNumber, body: OwnerChange, store: StoreDep,
                 user_id: CurrentUser, clock: ClockDep) -> TicketChange:
    """The owner or a manager of the group may reassign; the new owner must be able to
    see the group (422 naming ``owner`` otherwise)."""
    with store.read() as session:
        perms = load_permissions(session, user_id)
        ticket_id = visible_ticket(session, perms, number).id
        owner_id = resolve.user_id(session, body.owner)
    result = run(store, AssignOwner(ticket_id=ticket_id, owner_id=owner_id), user_id, clock())
    return changed_ticket(store, user_id, ticket_id, result.warnings)
