"""The SLA engine's vocabulary: what it reads (rules, a ticket's timeline) and what it
says (compliance spans, violations). Plain frozen values, no database and no Qt, so the
server, the desktop and the tests build them alike.

Times are timezone-aware UTC ``datetime``s throughout; only working hours are read in
the SLA time zone (``WorkingTime.time_zone``).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field

from desktopdesk.models.codes import SlaType, Status


class Limit(enum.StrEnum):
    """The three limits an SLA puts on one ticket (the open-ticket cap is per group)."""

    #: Max response time: from creation, and from each follow-up by the creator, until
    #: someone else writes a workunit.
    RESPONSE = "response"
    #: Max resolution time: counted time while the ticket is open.
    RESOLUTION = "resolution"
    #: Max inactivity: counted time since the last change by anyone.
    INACTIVITY = "inactivity"

    @property
    def label(self) -> str:
        return _LIMIT_LABELS[self]


_LIMIT_LABELS = {
    Limit.RESPONSE: "Response time",
    Limit.RESOLUTION: "Resolution time",
    Limit.INACTIVITY: "Inactivity",
}


class SpanState(enum.StrEnum):
    OK = "ok"
    VIOLATED = "violated"
    #: The SLA does not count now: a status its type ignores (Pending on a third person
    #: for a normal SLA, anything but that for a third-party one), or Closed.
    PAUSED = "paused"


@dataclass(frozen=True)
class WorkingTime:
    """When an SLA's clocks run.

    Hours are whole hours of the day in ``time_zone``: ``day_start_hour`` 8 and
    ``day_end_hour`` 18 count 08:00-18:00; equal values count the whole day (as in
    Integria); a start after the end counts overnight, from the start hour to the end
    hour of the next morning (the night belongs to the day it starts on, for weekends
    and holidays). ``wall_clock`` is Integria's counting: every hour counts, and working
    time only delays the moment a breach is declared.
    """

    day_start_hour: int = 8
    day_end_hour: int = 18
    skip_weekends: bool = True
    holidays: frozenset[dt.date] = frozenset()
    time_zone: str = "UTC"
    wall_clock: bool = False


@dataclass(frozen=True)
class SlaRules:
    """One SLA as the engine applies it; a limit of 0 hours is not checked."""

    sla_id: uuid.UUID
    name: str
    sla_type: SlaType = SlaType.NORMAL
    response_hours: float = 48.0
    resolution_hours: float = 480.0
    inactivity_hours: float = 96.0
    max_open_tickets: int = 10
    enforced: bool = True
    working_time: WorkingTime = field(default_factory=WorkingTime)

    def counts(self, status: Status) -> bool:
        """Whether the SLA's clocks run while a ticket is in ``status``."""
        if status == Status.CLOSED:
            return False
        if self.sla_type == SlaType.NORMAL:
            return status != Status.PENDING_THIRD_PERSON
        if self.sla_type == SlaType.THIRD_PARTY:
            return status == Status.PENDING_THIRD_PERSON
        return True


@dataclass(frozen=True)
class StatusChange:
    at: dt.datetime
    status: Status


@dataclass(frozen=True)
class WorkunitMark:
    """A workunit as the SLA sees it: when it was written, and by whom."""

    at: dt.datetime
    author_id: uuid.UUID


@dataclass(frozen=True)
class TicketTimeline:
    """What the SLA engine needs of one ticket's history.

    Every time is when the thing was done, as the authority accepted it (a workunit
    written offline at 10:00 and synced at 16:00 says 10:00). Tuples are sorted by time;
    ``activity`` holds every change made by a person (workunits and status changes
    included), never the SLA pass's own writes.
    """

    ticket_id: uuid.UUID
    opened_at: dt.datetime
    creator_id: uuid.UUID
    initial_status: Status
    status_changes: tuple[StatusChange, ...] = ()
    workunits: tuple[WorkunitMark, ...] = ()
    activity: tuple[dt.datetime, ...] = ()

    def status_at(self, moment: dt.datetime) -> Status:
        """The status in force at ``moment`` (a change at ``moment`` is in force)."""
        status = self.initial_status
        for change in self.status_changes:
            if change.at > moment:
                break
            status = change.status
        return status


@dataclass(frozen=True)
class ComplianceSpan:
    """[start, end): one stretch of a ticket's life in one state; ``limits`` names the
    limits in breach (empty unless VIOLATED)."""

    start: dt.datetime
    end: dt.datetime
    state: SpanState
    limits: frozenset[Limit] = frozenset()


@dataclass(frozen=True)
class Violation:
    """One breach of one limit: from the moment it was declared until it ended (answered,
    resolved, touched, paused or closed); ``end`` None while still in breach."""

    limit: Limit
    start: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True)
class SlaEvaluation:
    """A ticket's SLA compliance from its opening until ``until``.

    ``spans`` cover [opened_at, until) without gaps or overlaps, neighbours differing in
    state or limits. ``ok_seconds`` and ``violated_seconds`` are counted time (business
    time, or every second for a wall-clock SLA) spent OK and in breach; paused time is
    in neither.
    """

    ticket_id: uuid.UUID
    sla_id: uuid.UUID
    until: dt.datetime
    spans: tuple[ComplianceSpan, ...]
    violations: tuple[Violation, ...]
    ok_seconds: float
    violated_seconds: float
    #: The first workunit by someone other than the creator.
    first_response_at: dt.datetime | None = None
    #: When the ticket was last closed, if it is closed at ``until``.
    resolved_at: dt.datetime | None = None

    @property
    def fired_limits(self) -> frozenset[Limit]:
        """The limits in breach at ``until``."""
        if self.spans and self.spans[-1].state is SpanState.VIOLATED:
            return self.spans[-1].limits
        return frozenset()

    @property
    def fired_since(self) -> dt.datetime | None:
        """Since when the ticket has been in breach without a break (None when it is not)."""
        since = None
        for span in reversed(self.spans):
            if span.state is not SpanState.VIOLATED:
                break
            since = span.start
        return since

    @property
    def compliance_pct(self) -> float | None:
        """Counted time OK over counted time, 0..100; None when nothing was counted
        (a ticket paused all its life is not 0 % compliant, nor 100 %)."""
        counted = self.ok_seconds + self.violated_seconds
        return None if counted <= 0 else 100.0 * self.ok_seconds / counted
