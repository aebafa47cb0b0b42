"""Read-side queries for lists and headers: plain frozen rows, never ORM objects.

Views live on the GUI thread and sessions never cross threads, so what a query hands
back must be inert data. Visibility, joins, ordering and paging all happen in SQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from desktopdesk.domain.acl import Permissions, visible_tickets_clause
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.models import Group, Priority, Status, Ticket, User


@dataclass(frozen=True)
class TicketRow:
    """One line of a ticket list."""

    id: uuid.UUID
    number_label: str
    title: str
    status: Status
    status_label: str
    priority: Priority
    priority_label: str
    group_name: str
    owner_username: str
    owner_full_name: str
    creator_username: str
    creator_full_name: str
    updated_at: dt.datetime
    created_at: dt.datetime


@dataclass(frozen=True)
class UserSummary:
    id: uuid.UUID
    username: str
    full_name: str
    enabled: bool


_Owner = aliased(User, name="owner")
_Creator = aliased(User, name="creator")

#: The orderings a list may ask for, by name, so callers never pass SQL in.
TICKET_ORDERINGS: dict[str, tuple[QueryableAttribute[Any], ...]] = {
    "updated_at": (Ticket.updated_at,),
    "created_at": (Ticket.created_at,),
    "number": (Ticket.number, Ticket.provisional_number),
    "title": (Ticket.title,),
    "status": (Ticket.status,),
    "priority": (Ticket.priority,),
    "group": (Group.name,),
    "owner": (_Owner.full_name,),
    "creator": (_Creator.full_name,),
}


def _visible(perms: Permissions, owner_id: uuid.UUID | None) -> ColumnElement[bool]:
    clause = visible_tickets_clause(perms)
    if owner_id is not None:
        clause = clause & (Ticket.owner_id == owner_id)
    return clause


def ticket_page(
    session: Session,
    perms: Permissions,
    *,
    offset: int,
    limit: int,
    order_by: str = "updated_at",
    descending: bool = True,
    owner_id: uuid.UUID | None = None,
) -> list[TicketRow]:
    """One page of the tickets ``perms`` may see, optionally only those ``owner_id`` owns.

    The ticket id breaks ties, so the order is total. Offset paging still shifts when
    tickets change between two pages (and slows down deep in a long list); keyset paging
    replaces it with the ticket-list scale work.
    """
    if offset < 0 or limit < 1:
        raise ValueError(f"bad page: offset={offset}, limit={limit}")
    try:
        keys = TICKET_ORDERINGS[order_by]
    except KeyError:
        raise ValueError(
            f"cannot order tickets by {order_by!r}; choose from {', '.join(TICKET_ORDERINGS)}"
        ) from None
    keys = (*keys, Ticket.id)
    ordering = [k.desc() if descending else k.asc() for k in keys]
    query = (
        select(
            Ticket.id, Ticket.number, Ticket.provisional_number, Ticket.title, Ticket.status,
            Ticket.priority, Group.name, _Owner.username, _Owner.full_name,
            _Creator.username, _Creator.full_name, Ticket.updated_at, Ticket.created_at,
        )
        .join(Group, Group.id == Ticket.group_id)
        .join(_Owner, _Owner.id == Ticket.owner_id)
        .join(_Creator, _Creator.id == Ticket.creator_id)
        .where(_visible(perms, owner_id))
        .order_by(*ordering)
        .offset(offset)
        .limit(limit)
    )
    return [
        TicketRow(
            id=ticket_id,
            number_label=ticket_number_label(number, provisional),
            title=title,
            status=Status(status),
            status_label=Status(status).label,
            priority=Priority(priority),
            priority_label=Priority(priority).label,
            group_name=group_name,
            owner_username=owner_username,
            owner_full_name=owner_full_name,
            creator_username=creator_username,
            creator_full_name=creator_full_name,
            updated_at=updated_at,
            created_at=created_at,
        )
        for (ticket_id, number, provisional, title, status, priority, group_name,
             owner_username, owner_full_name, creator_username, creator_full_name,
             updated_at, created_at) in session.execute(query)
    ]


def count_visible_tickets(
    session: Session, perms: Permissions, *, owner_id: uuid.UUID | None = None
) -> int:
    query = select(func.count()).select_from(Ticket).where(_visible(perms, owner_id))
    return session.scalar(query) or 0


def _summary(user: User) -> UserSummary:
    return UserSummary(id=user.id, username=user.username, full_name=user.full_name,
                       enabled=user.enabled)


def user_summary(session: Session, user_id: uuid.UUID) -> UserSummary | None:
    """Who is signed in, for window titles and status bars; None if there is no such user."""
    user = session.get(User, user_id)
    return None if user is None else _summary(user)


def find_user(session: Session, username: str) -> UserSummary | None:
    """Usernames are stored lower-case; people type them any way."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    return None if user is None else _summary(user)


def usernames(session: Session, limit: int = 20) -> list[str]:
    """A few usernames, alphabetically, to suggest when someone mistypes one."""
    return list(session.scalars(select(User.username).order_by(User.username).limit(limit)))
