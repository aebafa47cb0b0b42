"""The desktop's ticket list: filters, sorts and keyset pages, all in SQL, no Qt.

A page is cut at the last row's sort key plus its id (keyset), never by OFFSET: page
fifty costs what page one costs, and a ticket changing between two pages cannot make
another one show twice or not at all. Each sort is a short list of *segments*, each
with its own key columns, none of them NULL: "number" lists numbered tickets, then the
provisional ones (and any without either), and "priority" puts Maintenance (code 10)
below Informative as Integria shows it. A cursor names its segment and the key values
in it; the next page continues that segment and moves on to the next while room is
left. Every key column is indexed with ``id`` behind it (migration 0006), so a page is
an index walk that stops after ``limit`` rows.

A text search may be capped (the ``max_search_results`` setting, Integria's "maximum
tickets per search"): its pages stop once that many rows are listed, and the last page
says so (``TicketPage.capped_at``), so the list can ask for a narrower search. Without a
text filter, or with no cap, nothing changes: the cap is counted in the cursor only
while one applies.

Rows are plain frozen dataclasses: pages are read on a worker thread and handed to the
GUI thread, which must never see an ORM object.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from desktopdesk.domain.acl import Permissions, visible_tickets_clause
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.domain.sla_model import Limit
from desktopdesk.domain.ticket_search import search_words, text_clause
from desktopdesk.models import (
    CustomField,
    CustomFieldValue,
    Group,
    Priority,
    Sla,
    Status,
    Ticket,
    TicketSlaState,
    TicketType,
    User,
    Workunit,
)

OPEN_STATUSES = frozenset(s for s in Status if s.is_open)
MAX_PAGE = 1000

_Owner = aliased(User, name="owner")
_Creator = aliased(User, name="creator")


class SortKey(enum.StrEnum):
    NUMBER = "number"
    SLA = "sla"
    TITLE = "title"
    GROUP = "group"
    STATUS = "status"
    PRIORITY = "priority"
    OWNER = "owner"
    CREATOR = "creator"
    UPDATED = "updated"
    CREATED = "created"


@dataclass(frozen=True)
class TicketSort:
    key: SortKey = SortKey.UPDATED
    descending: bool = True
    #: People columns sort by what they show: full names, or usernames.
    full_names: bool = False


@dataclass(frozen=True)
class TicketFilter:
    """What the quick filters ask for; an empty set or None means "any"."""

    text: str = ""
    statuses: frozenset[Status] = OPEN_STATUSES
    priorities: frozenset[Priority] = frozenset()
    group_ids: frozenset[uuid.UUID] = frozenset()
    owner_id: uuid.UUID | None = None
    creator_id: uuid.UUID | None = None
    ticket_type_id: uuid.UUID | None = None
    #: True: an SLA is fired on the ticket now (``affected_sla_id``); False: none is.
    sla_fired: bool | None = None
    #: Lifetime SLA compliance strictly below / above this many percent, as the server
    #: last evaluated it (``ticket_sla_states``); a ticket never evaluated, or with no
    #: counted time yet, matches neither.
    compliance_below: int | None = None
    compliance_above: int | None = None


@dataclass(frozen=True)
class PageCursor:
    """Where a page ended: the sort segment, then the last row's key values and id."""

    segment: int
    key: tuple[Any, ...]
    #: Rows listed up to here, kept only while a capped search counts them (else 0).
    listed: int = 0


@dataclass(frozen=True)
class ListedTicket:
    """One line of the list, everything its columns, tooltips and tints need."""

    id: uuid.UUID
    number: int | None
    number_label: str
    title: str
    type_name: str | None
    #: ("label", "value") of custom fields marked "show in list", in field order.
    list_fields: tuple[tuple[str, str], ...]
    status: Status
    priority: Priority
    group_name: str
    owner_username: str
    owner_full_name: str
    creator_username: str
    creator_full_name: str
    #: The SLA currently fired on the ticket, if one is.
    sla_name: str | None
    updated_at: dt.datetime
    created_at: dt.datetime
    #: The creator wrote the last workunit: the next move is the help desk's.
    ball_in_our_court: bool
    locked: bool = False
    #: The limits in breach now, as the server last evaluated them (for the SLA tooltip);
    #: empty when no SLA is fired or the evaluation has not reached this desktop yet.
    sla_fired_limits: tuple[Limit, ...] = ()

    @property
    def sla_fired(self) -> bool:
        return self.sla_name is not None


@dataclass(frozen=True)
class TicketPage:
    rows: tuple[ListedTicket, ...]
    #: None: this was the last page.
    next_cursor: PageCursor | None
    #: The cap a text search stopped at, with more matches left unlisted; 0: not cut.
    capped_at: int = 0


# --- Sorts as segments ---------------------------------------------------------------------


#: A sort key: a mapped attribute (``Ticket.title``, ``_Owner.username``) or an
#: expression over the ticket's columns (never NULL, so rows compare).
_Key = QueryableAttribute[Any] | ColumnElement[Any]
_PROVISIONAL = func.coalesce(Ticket.provisional_number, 0).label("provisional_key")


@dataclass(frozen=True)
class _Segment:
    condition: ColumnElement[bool]
    keys: tuple[_Key, ...]  # ascending order; ``id`` (or a unique key) last


def _segments(sort: TicketSort) -> list[_Segment]:
    """The sort's segments in ascending order; descending walks them backwards."""
    t = Ticket
    match sort.key:
        case SortKey.NUMBER:
            # Not yet numbered by the server: few (this desktop's unsent ones), so the
            # coalesce that keeps a ticket with neither number among them costs nothing.
            return [
                _Segment(t.number.is_not(None), (t.number,)),  # unique: no tiebreak needed
                _Segment(t.number.is_(None), (_PROVISIONAL, t.id)),
            ]
        case SortKey.SLA:
            return [_Segment(t.affected_sla_id.is_(None), (t.id,)),
                    _Segment(t.affected_sla_id.is_not(None), (t.affected_sla_id, t.id))]
        case SortKey.PRIORITY:
            return [_Segment(t.priority == Priority.MAINTENANCE, (t.id,)),
                    _Segment(t.priority < Priority.MAINTENANCE, (t.priority, t.id))]
        case SortKey.TITLE:
            return [_Segment(true(), (t.title, t.id))]
        case SortKey.STATUS:
            return [_Segment(true(), (t.status, t.id))]
        case SortKey.UPDATED:
            return [_Segment(true(), (t.updated_at, t.id))]
        case SortKey.CREATED:
            return [_Segment(true(), (t.created_at, t.id))]
        case SortKey.GROUP:
            # Group names are unique; within a group, its (group, status, id) index order.
            return [_Segment(true(), (Group.name, t.status, t.id))]
        case SortKey.OWNER | SortKey.CREATOR:
            person, person_id = ((_Owner, t.owner_id) if sort.key is SortKey.OWNER
                                 else (_Creator, t.creator_id))
            if sort.full_names:  # not unique: the person's id keeps their tickets together
                return [_Segment(true(), (person.full_name, person_id, t.status, t.id))]
            return [_Segment(true(), (person.username, t.status, t.id))]
    raise ValueError(f"no such sort {sort.key!r}")  # pragma: no cover - exhaustive match


def _after(keys: Sequence[_Key], values: Sequence[Any],
           descending: bool) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the segment's order, as one row-value comparison
    (both SQLite and PostgreSQL seek an index with it); the leading-column bound lets the
    planner seek the outer table of a join too (group, owner, creator sorts)."""
    params = [bindparam(None, value, type_=key.type) for key, value in zip(keys, values,
                                                                           strict=True)]
    if len(keys) == 1:
        return keys[0] < params[0] if descending else keys[0] > params[0]
    row, bound = tuple_(*keys), tuple_(*params)
    first = (keys[0] <= bindparam(None, values[0], type_=keys[0].type) if descending
             else keys[0] >= bindparam(None, values[0], type_=keys[0].type))
    return and_(first, row < bound if descending else row > bound)


# --- Filters -------------------------------------------------------------------------------


def filter_clause(session: Session, perms: Permissions,
                  ticket_filter: TicketFilter) -> ColumnElement[bool]:
    """Visibility and the quick filters, as one SQL condition on ``tickets``."""
    f = ticket_filter
    conditions: list[ColumnElement[bool]] = [visible_tickets_clause(perms)]
    if f.statuses and f.statuses != frozenset(Status):
        conditions.append(Ticket.status.in_(sorted(f.statuses)))
    if f.priorities and f.priorities != frozenset(Priority):
        conditions.append(Ticket.priority.in_(sorted(f.priorities)))
    if f.group_ids:
        conditions.append(Ticket.group_id.in_(sorted(f.group_ids)))
    if f.owner_id is not None:
        conditions.append(Ticket.owner_id == f.owner_id)
    if f.creator_id is not None:
        conditions.append(Ticket.creator_id == f.creator_id)
    if f.ticket_type_id is not None:
        conditions.append(Ticket.ticket_type_id == f.ticket_type_id)
    if f.sla_fired is not None:
        conditions.append(sla_fired_clause(f.sla_fired))
    if f.compliance_below is not None or f.compliance_above is not None:
        conditions.append(compliance_clause(f.compliance_below, f.compliance_above))
    if f.text.strip():
        conditions.append(text_clause(session, f.text, perms))
    return and_(*conditions)


def sla_fired_clause(fired: bool) -> ColumnElement[bool]:
    """"SLA fired" is ``affected_sla_id``, which the SLA pass sets and clears; the list
    sorts and draws its icon from the same column (index ix_tickets_affected_sla_id)."""
    return Ticket.affected_sla_id.is_not(None) if fired else Ticket.affected_sla_id.is_(None)


def compliance_clause(below: int | None, above: int | None) -> ColumnElement[bool]:
    """Tickets whose last evaluated compliance is in range, as an ``IN`` over the
    (compliance_pct, ticket_id) index: the range is one index walk and the list's own
    sort index stays the outer loop, so keyset pages cost what they did. A NULL
    compliance (never evaluated, nothing counted yet) compares to nothing."""
    bounds: list[ColumnElement[bool]] = [TicketSlaState.compliance_pct.is_not(None)]
    if below is not None:
        bounds.append(TicketSlaState.compliance_pct < below)
    if above is not None:
        bounds.append(TicketSlaState.compliance_pct > above)
    return Ticket.id.in_(select(TicketSlaState.ticket_id).where(*bounds))


def search_cap(ticket_filter: TicketFilter, max_matches: int) -> int:
    """How many rows a list with ``ticket_filter`` may hold: ``max_matches`` (the
    ``max_search_results`` setting) for a text search, 0 (no cap) for any other list or
    when the setting is 0."""
    return max_matches if max_matches > 0 and search_words(ticket_filter.text) else 0


# --- Pages ---------------------------------------------------------------------------------

_COLUMNS: tuple[Any, ...] = (
    Ticket.id, Ticket.number, Ticket.provisional_number, Ticket.title, Ticket.status,
    Ticket.priority, Group.name, _Owner.username, _Owner.full_name,
    _Creator.username, _Creator.full_name, TicketType.name, Sla.name,
    Ticket.affected_sla_id.is_not(None), Ticket.updated_at, Ticket.created_at, Ticket.locked,
)


def _key_positions(keys: Sequence[_Key]) -> tuple[list[int], list[_Key]]:
    """Where each sort key's value is in a result row, and the keys to select for it: a
    key already among the columns (``id``, ``title``...) is not read twice."""
    positions: list[int] = []
    extra: list[_Key] = []
    for key in keys:
        found = next((n for n, column in enumerate(_COLUMNS) if column is key), None)
        if found is None:
            found = len(_COLUMNS) + len(extra)
            extra.append(key)
        positions.append(found)
    return positions, extra


def _page_query(condition: ColumnElement[bool], segment: _Segment, descending: bool,
                after: Sequence[Any] | None, limit: int) -> Select[Any]:
    keys = segment.keys
    where = [condition, segment.condition]
    if after is not None:
        where.append(_after(keys, after, descending))
    return (
        select(*_COLUMNS, *_key_positions(keys)[1])
        .join(Group, Group.id == Ticket.group_id)
        .join(_Owner, _Owner.id == Ticket.owner_id)
        .join(_Creator, _Creator.id == Ticket.creator_id)
        .outerjoin(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(Sla, Sla.id == Ticket.affected_sla_id)
        .where(*where)
        .order_by(*(k.desc() if descending else k.asc() for k in keys))
        .limit(limit)
    )


def page_sql(session: Session, perms: Permissions, ticket_filter: TicketFilter,
             sort: TicketSort, limit: int) -> Select[Any]:
    """The first page's statement (first segment), for benchmarks and query plans."""
    segments = _segments(sort)
    first = segments[-1] if sort.descending else segments[0]
    return _page_query(filter_clause(session, perms, ticket_filter), first, sort.descending,
                       None, limit)


def ticket_list_page(
    session: Session,
    perms: Permissions,
    ticket_filter: TicketFilter = TicketFilter(),  # frozen: a shared default is safe
    sort: TicketSort = TicketSort(),
    *,
    limit: int,
    after: PageCursor | None = None,
    max_matches: int = 0,
) -> TicketPage:
    """Up to ``limit`` rows after ``after`` (from the top when None), and where to go on.

    ``max_matches``: a text search lists at most this many rows over all its pages (0:
    no cap; see ``search_cap``); the page that reaches it ends the list.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"a page holds 1 to {MAX_PAGE} rows, not {limit}")
    cap = search_cap(ticket_filter, max_matches)
    listed_before = after.listed if after is not None and cap else 0
    if cap:
        if listed_before >= cap:
            return TicketPage(rows=(), next_cursor=None, capped_at=cap)
        limit = min(limit, cap - listed_before)
    segments = _segments(sort)
    order = list(range(len(segments)))
    if sort.descending:
        order.reverse()
    condition = filter_clause(session, perms, ticket_filter)
    start = 0 if after is None else order.index(after.segment)
    found: list[tuple[_Segment, int, Any]] = []
    for position in order[start:]:
        segment = segments[position]
        resume = after.key if after is not None and position == after.segment else None
        wanted = limit + 1 - len(found)  # one more than asked: is there a next page?
        query = _page_query(condition, segment, sort.descending, resume, wanted)
        # Core rows, not ORM ones: nothing here is an entity, and it saves a third.
        found.extend((segment, position, row) for row in session.connection().execute(query))
        if len(found) > limit:
            break
    next_cursor = None
    capped_at = 0
    if len(found) > limit and cap and listed_before + limit >= cap:
        capped_at = cap  # more matches than the cap: the list ends here
    elif len(found) > limit:  # the cursor: the last row's segment and key values
        segment, position, row = found[limit - 1]
        next_cursor = PageCursor(position, tuple(row[n] for n in
                                                 _key_positions(segment.keys)[0]),
                                 listed_before + limit if cap else 0)
    return TicketPage(rows=_listed(session, found[:limit]), next_cursor=next_cursor,
                      capped_at=capped_at)


def tickets_by_id(session: Session, perms: Permissions, ticket_filter: TicketFilter,
                  ticket_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ListedTicket]:
    """Those of ``ticket_ids`` the list still shows, read afresh (after a quick edit)."""
    wanted = sorted(set(ticket_ids))
    if not wanted:
        return {}
    by_id = _Segment(true(), (Ticket.id,))
    query = _page_query(and_(filter_clause(session, perms, ticket_filter),
                             Ticket.id.in_(wanted)), by_id, False, None, len(wanted))
    rows = _listed(session, [(by_id, 0, row) for row in session.connection().execute(query)])
    return {row.id: row for row in rows}


def _listed(session: Session, found: Sequence[tuple[_Segment, int, Any]],
            ) -> tuple[ListedTicket, ...]:
    """Rows as ``ListedTicket``s, with what one more query reads for the whole page."""
    if not found:
        return ()
    extras = _page_extras(session, [row[0] for _segment, _position, row in found])
    listed = []
    for _segment, _position, row in found:
        (ticket_id, number, provisional, title, status, priority, group_name,
         owner_username, owner_full_name, creator_username, creator_full_name,
         type_name, sla_name, sla_fired, updated_at, created_at, locked) = row[:len(_COLUMNS)]
        ball_in_our_court, list_fields, fired_limits = extras.get(ticket_id, (False, (), ()))
        listed.append(ListedTicket(
            id=ticket_id, number=number,
            number_label=ticket_number_label(number, provisional), title=title,
            type_name=type_name, list_fields=list_fields, status=status, priority=priority,
            group_name=group_name, owner_username=owner_username,
            owner_full_name=owner_full_name, creator_username=creator_username,
            creator_full_name=creator_full_name,
            sla_name=(sla_name or "SLA") if sla_fired else None,
            updated_at=updated_at, created_at=created_at,
            ball_in_our_court=ball_in_our_court, locked=bool(locked),
            sla_fired_limits=fired_limits if sla_fired else (),
        ))
    return tuple(listed)


#: Separators of the custom values folded into one text per ticket (ASCII's own unit and
#: record separators: nobody types them into a field).
_UNIT, _RECORD = "\x1f", "\x1e"


_Extras = tuple[bool, tuple[tuple[str, str], ...], tuple[Limit, ...]]


def _page_extras(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, _Extras]:
    """For each ticket of the page: whether its creator wrote the last workunit ("ball
    in our court"), its custom values marked "show in list", in field order, and the SLA
    limits the server last found in breach.

    One query for all three, correlated per ticket (the page's ids are few), so a page costs
    one round of statement overhead here rather than two.
    """
    # Newest by the (ticket, created) index alone: a tie to the microsecond between two
    # workunits of one ticket is not worth sorting every ticket's thread for.
    last_author = (select(Workunit.author_id).where(Workunit.ticket_id == Ticket.id)
                   .order_by(Workunit.created_at.desc()).limit(1)
                   .correlate(Ticket).scalar_subquery())
    fields = (select(func.aggregate_strings(
        cast(CustomField.position, String) + _UNIT + CustomField.label + _UNIT
        + CustomFieldValue.value, _RECORD))
        .select_from(CustomFieldValue)
        .join(CustomField, CustomField.id == CustomFieldValue.field_id)
        .where(CustomFieldValue.ticket_id == Ticket.id, CustomField.show_in_list.is_(True),
               CustomFieldValue.value != "")
        .correlate(Ticket).scalar_subquery())
    fired = (select(TicketSlaState.fired_limits).where(TicketSlaState.ticket_id == Ticket.id)
             .correlate(Ticket).scalar_subquery())
    extras: dict[uuid.UUID, _Extras] = {}
    for ticket_id, ball, folded, limits in session.connection().execute(
            select(Ticket.id, last_author == Ticket.creator_id, fields, fired)
            .where(Ticket.id.in_(ids))):
        extras[ticket_id] = (bool(ball), _unfold(folded), parse_limits(limits))
    return extras


def parse_limits(text: str | None) -> tuple[Limit, ...]:
    """``"response,inactivity"`` (``TicketSlaState.fired_limits``) as limits, in the
    enum's order; a name this version does not know is left out."""
    names = set((text or "").split(","))
    return tuple(limit for limit in Limit if limit.value in names)


def _unfold(folded: str | None) -> tuple[tuple[str, str], ...]:
    if not folded:
        return ()
    fields = sorted((int(position), label, value) for position, label, value in
                    (record.split(_UNIT, 2) for record in folded.split(_RECORD)))
    return tuple((label, value) for _position, label, value in fields)


def count_listed(session: Session, perms: Permissions, ticket_filter: TicketFilter, *,
                 max_matches: int = 0) -> int:
    """How many tickets the list holds in all (for the status bar; a scan, so off-thread).

    A capped text search (``search_cap``) stops counting at the cap plus one: a count
    above the cap means the list shows only the first ``max_matches``, and a common word
    costs no more to count than to list.
    """
    condition = filter_clause(session, perms, ticket_filter)
    cap = search_cap(ticket_filter, max_matches)
    if cap:
        matches = select(Ticket.id).where(condition).limit(cap + 1).subquery()
        return session.scalar(select(func.count()).select_from(matches)) or 0
    return session.scalar(select(func.count()).select_from(Ticket).where(condition)) or 0

