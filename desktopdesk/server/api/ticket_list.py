"""The ticket list: visibility, filters, ordering and keyset paging, all in SQL.

Pages are cut on ``(updated_at, id)``, never by OFFSET: a row inserted or changed while
someone pages cannot shift the rest of the list under them. Oldest change first is the
default because it is the order that misses nothing: a ticket that changes after the
caller has passed it moves behind the cursor and comes again, in its new state (clients
upsert by id), while a ticket not yet reached is still ahead. Newest first is offered for
people looking at a list; it cannot promise the same for tickets changing meanwhile.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session, aliased

from desktopdesk.domain.acl import Permissions, visible_tickets_clause
from desktopdesk.domain.errors import VALIDATION
from desktopdesk.domain.ticket_list_query import compliance_clause, sla_fired_clause
from desktopdesk.models import Group, Priority, Status, Ticket, User
from desktopdesk.server.api.models import Ref, code_label
from desktopdesk.server.api.ticket_models import TicketPage, TicketSummary
from desktopdesk.server.errors import ApiError

Order = Literal["asc", "desc"]
OPEN_STATUSES = frozenset(s for s in Status if s.is_open)
_CURSOR_VERSION = 1

_Owner = aliased(User, name="owner")
_Creator = aliased(User, name="creator")


@dataclass(frozen=True)
class TicketFilters:
    #: None: every status.
    statuses: frozenset[Status] | None = OPEN_STATUSES
    priorities: frozenset[Priority] = frozenset()
    group_id: uuid.UUID | None = None
    owner: str | None = None
    creator: str | None = None
    text: str | None = None
    updated_since: dt.datetime | None = None
    #: True: an SLA is fired on the ticket now; False: none is.
    sla_fired: bool | None = None
    #: Lifetime SLA compliance strictly below / above this percentage, as last evaluated;
    #: tickets not yet evaluated match neither.
    compliance_below: int | None = None
    compliance_above: int | None = None


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended. Opaque to clients (base64 of a small JSON)."""

    updated_at: dt.datetime
    ticket_id: uuid.UUID
    order: Order

    def encode(self) -> str:
        raw = json.dumps({"v": _CURSOR_VERSION, "u": self.updated_at.isoformat(),
                          "i": str(self.ticket_id), "o": self.order}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, order: Order) -> Cursor:
        try:
            padded = text + "=" * (-len(text) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            if data["v"] != _CURSOR_VERSION:
                raise ValueError("cursor version")
            cursor = cls(dt.datetime.fromisoformat(data["u"]), uuid.UUID(data["i"]), data["o"])
            if cursor.updated_at.tzinfo is None:
                raise ValueError("naive cursor time")
        except (ValueError, KeyError, TypeError, UnicodeEncodeError, binascii.Error):
            raise ApiError(422, VALIDATION, "The cursor is not one this server gave out; "
                                            "start again without it.", "cursor") from None
        if cursor.order != order:
            raise ApiError(422, VALIDATION, "The cursor belongs to a list in the other order.",
                           "cursor")
        return cursor


def parse_statuses(values: list[str]) -> frozenset[Status] | None:
    """``status`` query values: codes (1-7), ``open`` (the default), ``closed`` or ``all``."""
    if not values:
        return OPEN_STATUSES
    chosen: set[Status] = set()
    for value in values:
        word = value.strip().lower()
        if word == "all":
            return None
        if word == "open":
            chosen |= OPEN_STATUSES
        elif word == "closed":
            chosen.add(Status.CLOSED)
        else:
            try:
                chosen.add(Status(int(word)))
            except ValueError:
                raise ApiError(422, VALIDATION, f"'{value}' is not a status: give a code "
                                                "1-7, 'open', 'closed' or 'all'.",
                               "status") from None
    return frozenset(chosen)


def _filter_clause(filters: TicketFilters) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if filters.statuses is not None:
        conditions.append(Ticket.status.in_(sorted(filters.statuses)))
    if filters.priorities:
        conditions.append(Ticket.priority.in_(sorted(filters.priorities)))
    if filters.group_id is not None:
        conditions.append(Ticket.group_id == filters.group_id)
    if filters.owner is not None:
        conditions.append(_Owner.username == filters.owner.strip().lower())
    if filters.creator is not None:
        conditions.append(_Creator.username == filters.creator.strip().lower())
    if filters.text:
        conditions.append(or_(Ticket.title.icontains(filters.text, autoescape=True),
                              Ticket.description_html.icontains(filters.text, autoescape=True)))
    if filters.updated_since is not None:
        conditions.append(Ticket.updated_at >= filters.updated_since)
    # The desktop list's clauses: one definition of "fired" and "compliance below N %".
    if filters.sla_fired is not None:
        conditions.append(sla_fired_clause(filters.sla_fired))
    if filters.compliance_below is not None or filters.compliance_above is not None:
        conditions.append(compliance_clause(filters.compliance_below,
                                            filters.compliance_above))
    return and_(true(), *conditions)


def _after(cursor: Cursor) -> ColumnElement[bool]:
    if cursor.order == "asc":
        return or_(Ticket.updated_at > cursor.updated_at,
                   and_(Ticket.updated_at == cursor.updated_at, Ticket.id > cursor.ticket_id))
    return or_(Ticket.updated_at < cursor.updated_at,
               and_(Ticket.updated_at == cursor.updated_at, Ticket.id < cursor.ticket_id))


def ticket_page(session: Session, perms: Permissions, filters: TicketFilters, *, limit: int,
                order: Order = "asc", cursor: Cursor | None = None) -> TicketPage:
    ordering = ((Ticket.updated_at.asc(), Ticket.id.asc()) if order == "asc"
                else (Ticket.updated_at.desc(), Ticket.id.desc()))
    query = (
        select(Ticket.number, Ticket.id, Ticket.title, Ticket.status, Ticket.priority,
               Group.id, Group.name, _Owner.username, _Creator.username, Ticket.created_at,
               Ticket.updated_at, Ticket.closed_at)
        .join(Group, Group.id == Ticket.group_id)
        .join(_Owner, _Owner.id == Ticket.owner_id)
        .join(_Creator, _Creator.id == Ticket.creator_id)
        .where(visible_tickets_clause(perms), _filter_clause(filters),
               Ticket.number.is_not(None))
        .order_by(*ordering)
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(_after(cursor))
    rows = session.execute(query).all()
    items = [
        TicketSummary(
            number=number or 0,  # never 0: unnumbered rows are filtered out above
            id=ticket_id, title=title, status=code_label(status),
            priority=code_label(priority), group=Ref(id=group_id, name=group_name),
            owner=owner, creator=creator, created_at=created_at, updated_at=updated_at,
            closed_at=closed_at,
        )
        for (number, ticket_id, title, status, priority, group_id, group_name, owner, creator,
             created_at, updated_at, closed_at) in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = Cursor(last.updated_at, last.id, order).encode()
    return TicketPage(items=items, next_cursor=next_cursor)
