"""A ticket's Statistics tab (Integria's "Statistics/Tracking"): how long it has been open,
where that time went (by status, owner and group) and who worked on it.

Everything is read back from the ticket's history, so nothing has to be accumulated by a
scheduled job as Integria's ``tincident_stats`` is. Durations are wall-clock and exact:
each "time by ..." is the sum of the intervals the value was in force while the ticket
was open (Integria subtracts non-working days with an inverted partial-day adjustment,
quirk 6; that is not copied, and business time is the SLA's business, not this tab's).
Each table therefore adds up to the time open.

Only the workunits the reader may see are counted (the Workunits tab's rule), for the
counts, the hours and the first response alike: the tab says nothing about work the
reader cannot read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktopdesk.domain import acl
from desktopdesk.domain.acl import Permissions
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.queries import UserSummary
from desktopdesk.models import Group, HistoryEvent, Status, Ticket, User, Workunit

#: The events that say which status, owner and group were in force from when.
_STATUS_EVENTS = (EventKind.STATUS_CHANGED, EventKind.CLOSED, EventKind.REOPENED)
_TRACKED = {
    **{kind.value: "status" for kind in _STATUS_EVENTS},
    EventKind.OWNER_CHANGED.value: "owner",
    EventKind.GROUP_CHANGED.value: "group",
}


@dataclass(frozen=True)
class TimeShare:
    """How long the ticket was open with one status, owner or group."""

    #: The value as history holds it: a status code ("3") or an id.
    key: str
    name: str
    seconds: float
    #: Of the time open, 0..1 (0 when the ticket has not been open for a second).
    share: float
    #: The value in force now.
    current: bool = False


@dataclass(frozen=True)
class AuthorWork:
    """The workunits one person wrote on the ticket (those the reader may see)."""

    author: UserSummary
    workunits: int
    hours: float


@dataclass(frozen=True)
class TicketStatistics:
    ticket_id: uuid.UUID
    #: The moment the figures were computed for.
    now: dt.datetime
    opened_at: dt.datetime
    #: When it was last closed; None while open.
    closed_at: dt.datetime | None
    updated_at: dt.datetime
    #: Wall-clock time spent open (not Closed), from opening to ``now``.
    open_seconds: float
    #: ``open_seconds`` minus the time spent Pending on a third person.
    without_third_party_seconds: float
    #: The first workunit by someone other than the creator; None until there is one.
    first_response_at: dt.datetime | None
    last_workunit_at: dt.datetime | None
    workunit_count: int
    hours_recorded: float
    by_status: tuple[TimeShare, ...]
    by_owner: tuple[TimeShare, ...]
    by_group: tuple[TimeShare, ...]
    #: Most workunits first.
    by_author: tuple[AuthorWork, ...]

    @property
    def age_seconds(self) -> float:
        """Since it was opened, closed or not."""
        return max((self.now - self.opened_at).total_seconds(), 0.0)

    @property
    def first_response_seconds(self) -> float | None:
        if self.first_response_at is None:
            return None
        return max((self.first_response_at - self.opened_at).total_seconds(), 0.0)


def duration_text(seconds: float) -> str:
    """"3 d 4 h", "2 h 5 min", "45 min", "under a minute": the two largest units, as a
    person reads a duration at a glance."""
    whole = round(seconds)
    if whole < 60:
        return "under a minute" if whole > 0 else "0 min"
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def ticket_statistics(session: Session, perms: Permissions, ticket_id: uuid.UUID,
                      now: dt.datetime) -> TicketStatistics:
    """The figures of one ticket as ``perms``' owner may see them at ``now``; the
    NOT_FOUND DomainError when they may not see the ticket."""
    ticket = acl.require_visible(session, perms, ticket_id)
    # Opened when it was made: a ticket filed offline is stored later, its events not.
    created_event = session.scalar(
        select(func.min(HistoryEvent.at))
        .where(HistoryEvent.ticket_id == ticket.id,
               HistoryEvent.kind == EventKind.CREATED.value))
    opened_at = min(ticket.created_at, created_event or ticket.created_at)
    now = max(now, opened_at)
    changes: dict[str, list[tuple[dt.datetime, str, str]]] = {
        "status": [], "owner": [], "group": []}
    for kind, at, old, new in session.execute(
            select(HistoryEvent.kind, HistoryEvent.at, HistoryEvent.old_value,
                   HistoryEvent.new_value)
            .where(HistoryEvent.ticket_id == ticket.id, HistoryEvent.kind.in_(_TRACKED))
            .order_by(HistoryEvent.at, HistoryEvent.id)):
        changes[_TRACKED[kind]].append((min(max(at, opened_at), now), old, new))
    current = {"status": str(int(ticket.status)), "owner": str(ticket.owner_id),
               "group": str(ticket.group_id)}
    for what, found in changes.items():
        if found and found[-1][2] != current[what]:
            # A change pushed late, dated before one already applied, was applied last:
            # its value is the one in force since the later change (as the SLA reads it).
            found.append((found[-1][0], found[-1][2], current[what]))
    timelines = {what: _Timeline(current[what], changes[what]) for what in changes}
    spent = _spend(timelines, opened_at, now)

    workunits = _workunits(session, perms, ticket)
    first_response = next((at for author, at, _ in workunits if author != ticket.creator_id),
                          None)
    people = _users(session, [row[0] for row in workunits]
                    + [_as_id(key) for key in (*spent.by_value["owner"], current["owner"])])
    groups = _groups(session,
                     [_as_id(key) for key in (*spent.by_value["group"], current["group"])])
    return TicketStatistics(
        ticket_id=ticket.id,
        now=now,
        opened_at=opened_at,
        closed_at=ticket.closed_at if ticket.status == Status.CLOSED else None,
        updated_at=ticket.updated_at,
        open_seconds=spent.open_seconds,
        without_third_party_seconds=spent.open_seconds - spent.by_value["status"].get(
            str(int(Status.PENDING_THIRD_PERSON)), 0.0),
        first_response_at=first_response,
        last_workunit_at=max((at for _, at, _ in workunits), default=None),
        workunit_count=len(workunits),
        hours_recorded=round(sum(hours for _, _, hours in workunits), 2),
        by_status=_shares(spent, "status", current["status"], _status_name),
        by_owner=_shares(spent, "owner", current["owner"],
                         lambda key: _person_name(people, key)),
        by_group=_shares(spent, "group", current["group"],
                         lambda key: _group_name(groups, key)),
        by_author=_authors(workunits, people),
    )


def _workunits(session: Session, perms: Permissions,
               ticket: Ticket) -> list[tuple[uuid.UUID, dt.datetime, float]]:
    """(author, when written, hours) of the workunits the reader may see, oldest first.

    When written is the time of its ``workunit_added`` event: when it was done, as the
    SLA reads it, also for one written offline and synced later (the row's
    ``created_at`` is when the server stored it)."""
    written = {new: at for new, at in session.execute(
        select(HistoryEvent.new_value, HistoryEvent.at)
        .where(HistoryEvent.ticket_id == ticket.id,
               HistoryEvent.kind == EventKind.WORKUNIT_ADDED.value))}
    rows = [(author, written.get(str(workunit_id), created_at), hours)
            for workunit_id, author, created_at, hours in session.execute(
                select(Workunit.id, Workunit.author_id, Workunit.created_at, Workunit.hours)
                .where(Workunit.ticket_id == ticket.id,
                       acl.visible_workunits_clause(perms, ticket)))]
    return sorted(rows, key=lambda row: row[1])


# --- Intervals ------------------------------------------------------------------------------


class _Timeline:
    """One field's values over time: each change says the new value from its moment on.

    Before the first change the field held that change's old value (a ticket whose
    history starts mid-life), or, for a creation event (no old value), what the ticket
    holds now: a ticket with no history at all held its current value all along.
    """

    def __init__(self, current: str, changes: Sequence[tuple[dt.datetime, str, str]]) -> None:
        self.changes = changes
        self.value = changes[0][1] if changes and changes[0][1] else current
        self._next = 0

    def advance(self, moment: dt.datetime) -> None:
        """Apply every change at or before ``moment``."""
        while self._next < len(self.changes) and self.changes[self._next][0] <= moment:
            self.value = self.changes[self._next][2] or self.value
            self._next += 1


@dataclass(frozen=True)
class _Spent:
    open_seconds: float
    #: Per field ("status", "owner", "group"), open seconds per value.
    by_value: dict[str, dict[str, float]]


def _spend(timelines: dict[str, _Timeline], start: dt.datetime, end: dt.datetime) -> _Spent:
    """Sweep [start, end) cut at every change; each piece while open goes to the values
    then in force."""
    moments = sorted({start, end, *(at for timeline in timelines.values()
                                    for at, _, _ in timeline.changes)})
    by_value: dict[str, dict[str, float]] = {what: {} for what in timelines}
    open_seconds = 0.0
    closed = str(int(Status.CLOSED))
    for piece_start, piece_end in itertools.pairwise(moments):
        for timeline in timelines.values():
            timeline.advance(piece_start)
        if timelines["status"].value == closed:
            continue
        seconds = (piece_end - piece_start).total_seconds()
        open_seconds += seconds
        for what, timeline in timelines.items():
            bucket = by_value[what]
            bucket[timeline.value] = bucket.get(timeline.value, 0.0) + seconds
    return _Spent(open_seconds, by_value)


def _shares(spent: _Spent, what: str, current: str,
            name_of: Callable[[str], str]) -> tuple[TimeShare, ...]:
    """Longest first; the value in force now is listed even before a second has passed
    (but not Closed, which is never open time)."""
    seconds = dict(spent.by_value[what])
    if current != str(int(Status.CLOSED)) or what != "status":
        seconds.setdefault(current, 0.0)
    total = spent.open_seconds
    rows = [TimeShare(key=key, name=name_of(key), seconds=value,
                      share=value / total if total > 0 else 0.0, current=key == current)
            for key, value in seconds.items()]
    return tuple(sorted(rows, key=lambda row: (-row.seconds, row.name.casefold())))


# --- Names ----------------------------------------------------------------------------------


def _as_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _wanted(ids: Iterable[uuid.UUID | None]) -> list[uuid.UUID]:
    return sorted({i for i in ids if i is not None})


def _users(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, User]:
    wanted = _wanted(ids)
    return {row.id: row for row in session.scalars(select(User).where(User.id.in_(wanted)))}


def _groups(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Group]:
    wanted = _wanted(ids)
    return {row.id: row for row in session.scalars(select(Group).where(Group.id.in_(wanted)))}


def _status_name(key: str) -> str:
    try:
        return Status(int(key)).label
    except ValueError:
        return key or "(unknown status)"


def _summary(people: dict[uuid.UUID, User], user_id: uuid.UUID) -> UserSummary:
    user = people.get(user_id)
    if user is None:
        return UserSummary(user_id, "?", "(unknown person)", False)
    return UserSummary(user.id, user.username, user.full_name, user.enabled)


def _person_name(people: dict[uuid.UUID, User], key: str) -> str:
    user_id = _as_id(key)
    if user_id is None:
        return "(unknown person)"
    summary = _summary(people, user_id)
    return summary.full_name or summary.username


def _group_name(groups: dict[uuid.UUID, Group], key: str) -> str:
    group_id = _as_id(key)
    group = groups.get(group_id) if group_id is not None else None
    return group.name if group is not None else "(deleted group)"


def _authors(workunits: Sequence[tuple[uuid.UUID, dt.datetime, float]],
             people: dict[uuid.UUID, User]) -> tuple[AuthorWork, ...]:
    counts: dict[uuid.UUID, list[float]] = {}
    for author, _, hours in workunits:
        counts.setdefault(author, []).append(hours)
    rows = [AuthorWork(author=_summary(people, author), workunits=len(hours),
                       hours=round(sum(hours), 2))
            for author, hours in counts.items()]
    return tuple(sorted(rows, key=lambda row: (-row.workunits, -row.hours,
                                               row.author.full_name.casefold())))
