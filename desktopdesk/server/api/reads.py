"""Read-side helpers for the routes, every one filtered by the shared ACL code.

A ticket the caller may not see is looked up exactly like a missing one, in SQL with
``visible_tickets_clause``, so no route can tell the two apart (or leak a field of it).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import Permissions, visible_tickets_clause
from desktopdesk.domain.errors import NOT_FOUND
from desktopdesk.models import (
    CustomField,
    CustomFieldValue,
    Group,
    InventoryObject,
    Ticket,
    TicketInventoryLink,
    TicketType,
    User,
)
from desktopdesk.server.api.models import Ref, code_label
from desktopdesk.server.api.ticket_models import InventoryRef, TicketDetail
from desktopdesk.server.errors import ApiError

TICKET_NOT_FOUND = "Ticket not found."


def ticket_not_found() -> ApiError:
    """The one answer for a ticket that is missing or hidden: identical bytes either way."""
    return ApiError(404, NOT_FOUND, TICKET_NOT_FOUND, "number")


def visible_ticket(session: Session, perms: Permissions, number: int) -> Ticket:
    ticket = session.scalar(
        select(Ticket).where(Ticket.number == number, visible_tickets_clause(perms)))
    if ticket is None:
        raise ticket_not_found()
    return ticket


def visible_ticket_by_id(session: Session, perms: Permissions, ticket_id: uuid.UUID) -> Ticket:
    ticket = session.scalar(
        select(Ticket).where(Ticket.id == ticket_id, visible_tickets_clause(perms)))
    if ticket is None:
        raise ticket_not_found()
    return ticket


def usernames_by_id(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {user_id for user_id in ids if user_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {user_id: username for user_id, username in rows}


def group_refs(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Ref]:
    rows = session.execute(select(Group.id, Group.name).where(Group.id.in_(set(ids))))
    return {group_id: Ref(id=group_id, name=name) for group_id, name in rows}


def ticket_detail(session: Session, perms: Permissions, ticket: Ticket) -> TicketDetail:
    """The full ticket as the caller may see it: related tickets they may not see are left
    out (a parent shows as null, hidden children are not listed)."""
    names = usernames_by_id(session, (ticket.owner_id, ticket.creator_id, ticket.editor_id,
                                      ticket.closed_by_id))
    groups = group_refs(session, (ticket.group_id, ticket.creator_group_id))
    ticket_type = (session.get(TicketType, ticket.ticket_type_id)
                   if ticket.ticket_type_id is not None else None)
    visible = visible_tickets_clause(perms)
    parent = (session.scalar(select(Ticket.number).where(Ticket.id == ticket.parent_id, visible))
              if ticket.parent_id is not None else None)
    children = session.scalars(
        select(Ticket.number).where(Ticket.parent_id == ticket.id, visible,
                                    Ticket.number.is_not(None)).order_by(Ticket.number))
    custom = session.execute(
        select(CustomField.label, CustomFieldValue.value)
        .join(CustomField, CustomField.id == CustomFieldValue.field_id)
        .where(CustomFieldValue.ticket_id == ticket.id, CustomFieldValue.value != "")
        .order_by(CustomField.ticket_type_id.is_not(None), CustomField.position,
                  CustomField.label))
    inventory = session.execute(
        select(InventoryObject.id, InventoryObject.name, InventoryObject.serial)
        .join(TicketInventoryLink, TicketInventoryLink.inventory_object_id == InventoryObject.id)
        .where(TicketInventoryLink.ticket_id == ticket.id)
        .order_by(InventoryObject.name))
    assert ticket.number is not None  # the server is the authority: every ticket is numbered
    return TicketDetail(
        number=ticket.number,
        id=ticket.id,
        title=ticket.title,
        status=code_label(ticket.status),
        priority=code_label(ticket.priority),
        group=groups[ticket.group_id],
        owner=names[ticket.owner_id],
        creator=names[ticket.creator_id],
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        closed_at=ticket.closed_at,
        description_html=ticket.description_html,
        resolution=code_label(ticket.resolution),
        type=Ref(id=ticket_type.id, name=ticket_type.name) if ticket_type else None,
        custom_values={label: value for label, value in custom},
        inventory=[InventoryRef(id=item_id, name=name, serial=serial)
                   for item_id, name, serial in inventory],
        emails_in_copy=list(ticket.emails_in_copy),
        parent=parent,
        children=[number for number in children if number is not None],
        editor=names[ticket.editor_id],
        creator_group=groups[ticket.creator_group_id],
        project_task=ticket.project_task,
        sla_disabled=ticket.sla_disabled,
        locked=ticket.locked,
        closed_by=names.get(ticket.closed_by_id) if ticket.closed_by_id else None,
        epilogue_html=ticket.epilogue_html,
        score=ticket.score,
    )
