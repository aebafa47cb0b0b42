"""Tickets: list, create, read, update fields (``/tickets``, ``/tickets/{number}``).

Routes stay thin: read through the ACL-filtered helpers, change through one command.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.commands import CreateTicket, UpdateTicketFields
from desktopdesk.models import Priority, Ticket, new_id
from desktopdesk.server.api import API_PREFIX, resolve
from desktopdesk.server.api.changes import command_id_for, run, run_create
from desktopdesk.server.api.models import TicketNumber
from desktopdesk.server.api.reads import (
    ticket_detail,
    visible_ticket,
    visible_ticket_by_id,
)
from desktopdesk.server.api.ticket_list import (
    Cursor,
    Order,
    TicketFilters,
    parse_statuses,
    ticket_page,
)
from desktopdesk.server.api.ticket_models import (
    NewTicket,
    TicketChange,
    TicketDetail,
    TicketFields,
    TicketPage,
    TicketPatch,
)
from desktopdesk.server.deps import ClockDep, CurrentUser, StoreDep
from desktopdesk.server.errors import ApiError, error_responses
from desktopdesk.store.workspace import Workspace

router = APIRouter(tags=["tickets"])

MAX_PAGE = 500


def ticket_url(number: int) -> str:
    return f"{API_PREFIX}/tickets/{number}"


def changed_ticket(store: Workspace, user_id: uuid.UUID, ticket_id: uuid.UUID,
                   warnings: tuple[str, ...]) -> TicketChange:
    """The ticket after a change, read afresh; null if the change took it out of sight."""
    with store.read() as session:
        perms = load_permissions(session, user_id)
        try:
            ticket = visible_ticket_by_id(session, perms, ticket_id)
        except ApiError:
            return TicketChange(ticket=None, warnings=list(warnings))
        return TicketChange(ticket=ticket_detail(session, perms, ticket),
                            warnings=list(warnings))


@router.get(
    "/tickets", response_model=TicketPage, summary="List the tickets you may see",
    responses=error_responses(401, 422),
)
def list_tickets(
    store: StoreDep,
    user_id: CurrentUser,
    status: Annotated[list[str] | None, Query(
        description="Repeatable: a status code (1-7), `open` (the default), `closed` or "
                    "`all`.")] = None,
    priority: Annotated[list[Priority] | None, Query(description="Repeatable.")] = None,
    group: Annotated[str | None, Query(description="A group's id or name.")] = None,
    owner: Annotated[str | None, Query(description="The owner's username.")] = None,
    creator: Annotated[str | None, Query(description="The creator's username.")] = None,
    text: Annotated[str | None, Query(
        max_length=200, description="Contained in the title or description (any case).")
    ] = None,
    updated_since: Annotated[AwareDatetime | None, Query(
        description="Changed at or after this time (ISO 8601 with a zone, e.g. ...Z).")
    ] = None,
    sla_fired: Annotated[bool | None, Query(
        description="`true`: only tickets with an SLA fired now; `false`: only those "
                    "without.")] = None,
    compliance_below: Annotated[int | None, Query(
        ge=0, le=100, description="Lifetime SLA compliance below this % (as last "
                                  "evaluated; tickets not yet evaluated never match).")
    ] = None,
    compliance_above: Annotated[int | None, Query(
        ge=0, le=100, description="Lifetime SLA compliance above this %.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(
        max_length=400, description="`next_cursor` of the previous page.")] = None,
    order: Annotated[Order, Query(
        description="By last change: `asc` (oldest first, the default) misses nothing "
                    "while tickets change between pages: a ticket changed after you "
                    "passed it comes again later. `desc`: newest first.")] = "asc",
) -> TicketPage:
    """Filtering, ordering and paging happen in the database (keyset on updated_at, id).

    Unknown usernames or groups match nothing (they do not reveal who exists).
    """
    after = Cursor.decode(cursor, order) if cursor else None
    with store.read() as session:
        perms = load_permissions(session, user_id)
        filters = TicketFilters(
            statuses=parse_statuses(status or []),
            priorities=frozenset(priority or ()),
            group_id=resolve.group_id(session, group) if group is not None else None,
            owner=owner,
            creator=creator,
            text=text,
            updated_since=updated_since,
            sla_fired=sla_fired,
            compliance_below=compliance_below,
            compliance_above=compliance_above,
        )
        return ticket_page(session, perms, filters, limit=limit, order=order, cursor=after)


@router.post(
    "/tickets", status_code=201, response_model=TicketChange, summary="Create a ticket",
    responses={
        200: {"model": TicketChange,
              "description": "A retry of a create already done (same `id`, same caller)"},
        **error_responses(401, 403, 404, 409, 422),
    },
)
def create_ticket(body: NewTicket, store: StoreDep, user_id: CurrentUser, clock: ClockDep,
                  response: Response) -> TicketChange:
    """201 with a ``Location`` header; 409 ``group_limit`` when the group is full."""
    ticket_id = body.id or new_id()
    with store.read() as session:
        perms = load_permissions(session, user_id)
        type_id = resolve.ticket_type_id(session, body.type) if body.type else None
        command = CreateTicket(
            command_id=command_id_for("CreateTicket", ticket_id) if body.id else new_id(),
            ticket_id=ticket_id,
            title=body.title,
            group_id=resolve.group_id(session, body.group),
            description_html=body.description_html,
            priority=body.priority,
            ticket_type_id=type_id,
            custom_values=resolve.custom_changes(session, type_id, body.custom_values),
            status=body.status,
            owner_id=resolve.user_id(session, body.owner) if body.owner else None,
            creator_id=resolve.user_id(session, body.creator) if body.creator else None,
            parent_id=(resolve.visible_ticket_id(session, perms, body.parent)
                       if body.parent is not None else None),
            emails_in_copy=tuple(body.emails_in_copy),
            inventory_object_ids=tuple(body.inventory),
            project_task=body.project_task,
        )
    result = run_create(store, command, user_id, clock())
    if result is None:
        response.status_code = 200
        warnings: tuple[str, ...] = ()
    else:
        warnings = result.warnings
    change = changed_ticket(store, user_id, ticket_id, warnings)
    if change.ticket is not None:
        response.headers["Location"] = ticket_url(change.ticket.number)
    return change


@router.get(
    "/tickets/{number}", response_model=TicketDetail, summary="Read one ticket",
    responses=error_responses(401, 404, 422),
)
def read_ticket(number: TicketNumber, store: StoreDep, user_id: CurrentUser) -> TicketDetail:
    """404 for a ticket you may not see, exactly as for one that does not exist."""
    with store.read() as session:
        perms = load_permissions(session, user_id)
        return ticket_detail(session, perms, visible_ticket(session, perms, number))


@router.patch(
    "/tickets/{number}", response_model=TicketChange, summary="Change a ticket's fields",
    responses=error_responses(401, 403, 404, 409, 422),
)
def update_ticket(number: TicketNumber, body: TicketPatch, store: StoreDep,
                  user_id: CurrentUser, clock: ClockDep) -> TicketChange:
    """Only the fields sent change. 409 ``locked`` for a locked ticket."""
    with store.read() as session:
        perms = load_permissions(session, user_id)
        ticket = visible_ticket(session, perms, number)
        changes = _changes(session, ticket, body, body)
        base = (_changes(session, ticket, body.base, body, prefix="base.")
                if body.base is not None else {})
        ticket_id = ticket.id
    if not changes:
        return changed_ticket(store, user_id, ticket_id, ())
    command = UpdateTicketFields(ticket_id=ticket_id, changes=changes, base=base)
    result = run(store, command, user_id, clock())
    return changed_ticket(store, user_id, ticket_id, result.warnings)


def _changes(session: Session, ticket: Ticket, fields: TicketFields, patch: TicketFields, *,
             prefix: str = "") -> dict[str, Any]:
    """The command's ``changes`` (or ``base``) for the fields sent, keyed as it expects.

    Custom fields resolve against the type the ticket will have after ``patch``.
    """
    given = fields.model_fields_set
    out: dict[str, Any] = {}
    for name in ("title", "description_html", "sla_disabled", "project_task"):
        if name in given:
            out[name] = getattr(fields, name)
    if "priority" in given and fields.priority is not None:
        out["priority"] = int(fields.priority)
    if "group" in given and fields.group is not None:
        out["group_id"] = str(resolve.group_id(session, fields.group))
    if "type" in given:
        out["ticket_type_id"] = (None if fields.type is None
                                 else str(resolve.ticket_type_id(session, fields.type)))
    if "creator" in given and fields.creator is not None:
        out["creator_id"] = str(resolve.user_id(session, fields.creator))
    if "custom_values" in given and fields.custom_values is not None:
        type_id = ticket.ticket_type_id
        if "type" in patch.model_fields_set:
            type_id = (None if patch.type is None
                       else resolve.ticket_type_id(session, patch.type))
        out.update(resolve.custom_changes(session, type_id, fields.custom_values,
                                          prefix=prefix))
    return out
