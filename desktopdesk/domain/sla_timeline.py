"""A ticket's history as the SLA engine reads it (``TicketTimeline``), from the database.

Everything comes from ``history_events``, the one record of what was done and when:
status changes (``status_changed``, ``closed``, ``reopened``, old and new values the
status codes), workunits (``workunit_added``, whose actor is the author) and every other
change a person made. Event times are when the thing was done as the authority accepted
it (a command pushed late carries the time it was made, clamped by the server), so a
timeline rebuilt later gives the same answer.

Many tickets are read at once in chunks: one query for the tickets and one for their
events per chunk, selecting only what the engine needs (the scheduled pass reads every
open ticket's history every five minutes).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, case, select, type_coerce
from sqlalchemy.orm import Session

from desktopdesk.domain.history import EventKind
from desktopdesk.domain.sla_model import StatusChange, TicketTimeline, WorkunitMark
from desktopdesk.models import HistoryEvent, Status, Ticket

#: Tickets read per pair of queries (also keeps ``IN (...)`` lists a database accepts).
CHUNK = 500

#: Events that change the status; their old and new values are status codes ("" for
#: the status a ticket was created with).
STATUS_KINDS = frozenset({EventKind.STATUS_CHANGED.value, EventKind.CLOSED.value,
                          EventKind.REOPENED.value})
#: Effects of an administrator's or the system's work, not of anyone working the ticket:
#: they do not restart the inactivity clock.
NOT_ACTIVITY = frozenset({EventKind.FIELD_REMOVED.value, EventKind.CUSTOM_VALUE_DROPPED.value})
# Plain strings: compared once per event, and an enum's ``.value`` is a property lookup.
_CREATED = EventKind.CREATED.value
_WORKUNIT_ADDED = EventKind.WORKUNIT_ADDED.value
#: Kinds whose events say more than "someone worked on the ticket then".
_READ_CLOSER = STATUS_KINDS | {_CREATED, _WORKUNIT_ADDED}


def load_timelines(session: Session,
                   ticket_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, TicketTimeline]:
    """The timelines of the given tickets that exist, by id."""
    found: dict[uuid.UUID, TicketTimeline] = {}
    for chunk in chunks(sorted(set(ticket_ids)), CHUNK):
        found.update(_load_chunk(session, chunk))
    return found


def timeline_for(session: Session, ticket_id: uuid.UUID) -> TicketTimeline | None:
    """One ticket's timeline; None when there is no such ticket."""
    return load_timelines(session, (ticket_id,)).get(ticket_id)


def chunks(items: Sequence[uuid.UUID], size: int) -> Iterator[Sequence[uuid.UUID]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class _Builder:
    """One ticket's events, gathered in time order."""

    created_at: dt.datetime
    creator_id: uuid.UUID
    current_status: Status
    created_event_at: dt.datetime | None = None
    initial_status: Status | None = None
    status_changes: list[StatusChange] = field(default_factory=list)
    workunits: list[WorkunitMark] = field(default_factory=list)
    activity: list[dt.datetime] = field(default_factory=list)

    def add(self, at: dt.datetime, kind: str, author_id: uuid.UUID | None, old: str | None,
            new: str | None) -> None:
        """One event; ``author_id`` is given for workunits only."""
        if kind in _READ_CLOSER:
            if kind == _CREATED:
                if self.created_event_at is None:
                    self.created_event_at = at
            elif kind == _WORKUNIT_ADDED:
                if author_id is not None:
                    self.workunits.append(WorkunitMark(at, author_id))
            else:
                self._status(at, old, new)
        if kind not in NOT_ACTIVITY and (not self.activity or self.activity[-1] != at):
            self.activity.append(at)

    def _status(self, at: dt.datetime, old: str | None, new: str | None) -> None:
        before, after = _status(old), _status(new)
        if self.initial_status is None and not self.status_changes:
            if before is None:  # the status the ticket was created with
                self.initial_status = after
                return
            self.initial_status = before
        if after is not None:
            self.status_changes.append(StatusChange(at, after))

    def build(self, ticket_id: uuid.UUID) -> TicketTimeline:
        if self.status_changes and self.status_changes[-1].status != self.current_status:
            # A status change pushed late, dated before one the server already had, was
            # applied last: its status is the one in force since the later change.
            self.status_changes.append(StatusChange(self.status_changes[-1].at,
                                                    self.current_status))
        opened_at = self.created_at
        if self.created_event_at is not None:
            opened_at = min(opened_at, self.created_event_at)
        return TicketTimeline(
            ticket_id=ticket_id,
            opened_at=opened_at,
            creator_id=self.creator_id,
            initial_status=self.initial_status or self.current_status,
            status_changes=tuple(self.status_changes),
            workunits=tuple(self.workunits),
            activity=tuple(self.activity),
        )


#: Status codes as history records them (``HistoryWriter`` writes the number).
_STATUS_TEXT = {str(status.value): status for status in Status}


def _status(text: str | None) -> Status | None:
    """A status code as history records it; None for "" (creation) or anything unknown."""
    return _STATUS_TEXT.get(text) if text else None


def _load_chunk(session: Session,
                ticket_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, TicketTimeline]:
    # Core, not ORM rows: a scheduled pass reads hundreds of thousands of events.
    connection = session.connection()
    builders = {
        ticket_id: _Builder(created_at, creator_id, status)
        for ticket_id, created_at, creator_id, status in connection.execute(
            select(Ticket.id, Ticket.created_at, Ticket.creator_id, Ticket.status)
            .where(Ticket.id.in_(ticket_ids)))
    }
    if not builders:
        return {}
    is_status = HistoryEvent.kind.in_(STATUS_KINDS)
    # Ids as stored (made UUIDs once per distinct value, not once per event), the actor
    # of workunits only (their author), and old and new values only where they are
    # status codes: other events carry titles and descriptions the engine never reads.
    events = (select(raw_id(HistoryEvent.ticket_id), HistoryEvent.at, HistoryEvent.kind,
                     case((HistoryEvent.kind == _WORKUNIT_ADDED, raw_id(HistoryEvent.actor_id)),
                          else_=None),
                     case((is_status, HistoryEvent.old_value), else_=None),
                     case((is_status, HistoryEvent.new_value), else_=None))
              .where(HistoryEvent.ticket_id.in_(list(builders)))
              .order_by(HistoryEvent.ticket_id, HistoryEvent.at))
    ids = IdCache(builders)
    current: object = None
    add = None
    for raw_ticket, at, kind, raw_author, old, new in connection.execute(events):
        if add is None or raw_ticket != current:  # rows come ticket by ticket
            current, add = raw_ticket, builders[ids(raw_ticket)].add
        add(at, kind, ids.optional(raw_author), old, new)
    return {ticket_id: builder.build(ticket_id) for ticket_id, builder in builders.items()}


def raw_id(column: Any) -> Any:
    """``column`` as the database stores it, for :class:`IdCache` to convert."""
    return type_coerce(column, String)


class IdCache:
    """Stored ids to ``uuid.UUID``s, each distinct one converted once: a pass reads the
    same few owners, groups and SLAs thousands of times (SQLite stores ids as hex text;
    PostgreSQL's driver already returns UUIDs). ``known`` ids are recognised at once."""

    def __init__(self, known: Iterable[uuid.UUID] = ()) -> None:
        self._known: dict[object, uuid.UUID] = {}
        self.learn(known)

    def learn(self, known: Iterable[uuid.UUID]) -> None:
        for value in known:
            self._known[value] = self._known[value.hex] = value

    def __call__(self, raw: object) -> uuid.UUID:
        """The UUID of a stored id (not None: see :meth:`optional`)."""
        found = self._known.get(raw)
        if found is None:
            found = raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
            self._known[raw] = found
        return found

    def optional(self, raw: object) -> uuid.UUID | None:
        return None if raw is None else self(raw)

