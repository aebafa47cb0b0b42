"""SLA metrics over many tickets: compliance, violations, time to first response and to
resolution, per ticket, group, owner and date range.

Served by the API (``GET /api/v1/sla/metrics``, as Integria offers) and computed on the
desktop from its replica for offline viewing: both call ``sla_metrics`` with the reader's
permissions, and only tickets they may see count. Every figure is re-evaluated from the
tickets' histories (``sla_engine.evaluate`` up to the end of the range), never read from
stored percentages, so a range in the past says what happened then.

Two compliance figures, because they answer different questions:

* ``compliance_pct`` is time-weighted: counted time OK over counted time, summed over
  all tickets. A ticket open for a month weighs more than one closed in an hour.
* ``mean_ticket_compliance_pct`` is Integria's "SLA total compliance": the mean of the
  per-ticket percentages. Unlike Integria, a ticket with no counted time in the range
  (created on a Sunday and closed before Monday, or paused throughout) is left out, not
  counted as 0 % (quirk 4 of the domain notes).

Counted time is the SLA's: business time (or every second, for a wall-clock SLA) while
the ticket is in a status the SLA counts. Tickets without an SLA (their group has none,
or the ticket has its SLA switched off) have no evaluation and are skipped. Groups and
owners are the tickets' current ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import Permissions, visible_tickets_clause
from desktopdesk.domain.business_time import clock_for
from desktopdesk.domain.context import LATE_CHANGE_WINDOW
from desktopdesk.domain.sla_config import load_sla_catalog
from desktopdesk.domain.sla_engine import counted_split, evaluate
from desktopdesk.domain.sla_model import (
    Limit,
    SlaEvaluation,
    SlaRules,
    SpanState,
    TicketTimeline,
)
from desktopdesk.domain.sla_timeline import CHUNK, chunks, load_timelines
from desktopdesk.models import Group, Ticket, User


@dataclass(frozen=True)
class SlaMetricsQuery:
    """Which tickets, over which range; every part optional.

    ``start``/``end`` are aware datetimes bounding [start, end): tickets whose life
    overlaps it are measured, and only what happened inside it counts. No ``start``:
    each ticket's whole life; no ``end`` (or one in the future): up to now.
    """

    ticket_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass(frozen=True)
class ViolationCounts:
    """Breaches that began inside the range, by limit (a breach that ends and starts
    again, as when a ticket leaves a pause still over its limit, counts twice)."""

    response: int = 0
    resolution: int = 0
    inactivity: int = 0

    def __getitem__(self, limit: Limit) -> int:
        return int(getattr(self, limit.value))

    @property
    def total(self) -> int:
        return self.response + self.resolution + self.inactivity


@dataclass(frozen=True)
class DurationFigure:
    """How many tickets reached a moment in the range, and their mean counted time to it."""

    count: int = 0
    #: None when ``count`` is 0 (no mean of nothing).
    mean_seconds: float | None = None


@dataclass(frozen=True)
class SlaFigures:
    """The figures of one set of tickets."""

    #: Tickets with an SLA whose life overlaps the range.
    tickets: int = 0
    #: Of those, the ones with counted time in the range (the mean's denominator).
    tickets_counted: int = 0
    ok_seconds: float = 0.0
    violated_seconds: float = 0.0
    #: OK over counted time, 0..100; None when nothing was counted.
    compliance_pct: float | None = None
    #: Mean of the per-ticket percentages (Integria's figure); None with no ticket counted.
    mean_ticket_compliance_pct: float | None = None
    violations: ViolationCounts = field(default_factory=ViolationCounts)
    #: Counted time from opening to the first workunit by someone other than the creator,
    #: for tickets first answered inside the range.
    first_response: DurationFigure = field(default_factory=DurationFigure)
    #: Counted time over the ticket's life, for tickets closed inside the range (and
    #: still closed at its end).
    resolution: DurationFigure = field(default_factory=DurationFigure)


@dataclass(frozen=True)
class SlaBreakdownRow:
    """One group's or owner's share of the figures."""

    id: uuid.UUID
    #: The group's name, or the owner's username.
    name: str
    #: The group's name, or the owner's full name.
    display_name: str
    figures: SlaFigures


@dataclass(frozen=True)
class SlaMetrics(SlaFigures):
    """The figures over every ticket the query selects, and split by group and owner."""

    #: The range measured: ``start`` None for whole lives; ``end`` never after ``now``.
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    by_group: tuple[SlaBreakdownRow, ...] = ()
    by_owner: tuple[SlaBreakdownRow, ...] = ()


# --- One ticket -----------------------------------------------------------------------


@dataclass(frozen=True)
class TicketFigures:
    """One ticket's share of the range."""

    ok_seconds: float
    violated_seconds: float
    violations: tuple[Limit, ...]
    first_response_seconds: float | None
    resolution_seconds: float | None

    @property
    def compliance_pct(self) -> float | None:
        counted = self.ok_seconds + self.violated_seconds
        return None if counted <= 0 else 100.0 * self.ok_seconds / counted


def ticket_figures(evaluation: SlaEvaluation, rules: SlaRules, opened_at: dt.datetime,
                   start: dt.datetime | None, end: dt.datetime) -> TicketFigures:
    """What one evaluation (made up to ``end``) contributes to [start, end)."""
    if start is None or start <= opened_at:
        ok, violated = evaluation.ok_seconds, evaluation.violated_seconds
    else:
        ok, violated = counted_split(evaluation, rules, start, end)
    violations = tuple(v.limit for v in evaluation.violations
                       if (start is None or v.start >= start) and v.start < end)
    first = evaluation.first_response_at
    first_seconds = (_counted_until(evaluation, rules, first)
                     if first is not None and _within(first, start, end) else None)
    resolved = evaluation.resolved_at
    # Nothing accrues after closing, so the lifetime counted time is the time it took.
    resolution_seconds = (evaluation.ok_seconds + evaluation.violated_seconds
                          if resolved is not None and _within(resolved, start, end) else None)
    return TicketFigures(ok, violated, violations, first_seconds, resolution_seconds)


def _within(moment: dt.datetime, start: dt.datetime | None, end: dt.datetime) -> bool:
    return (start is None or moment >= start) and moment < end


def _counted_until(evaluation: SlaEvaluation, rules: SlaRules, moment: dt.datetime) -> float:
    """Counted time from opening to ``moment``: the SLA's clock, stopped while paused (a
    ticket waiting on a third person is not waiting for us)."""
    clock = clock_for(rules.working_time)
    seconds = 0.0
    for span in evaluation.spans:
        if span.start >= moment:
            break
        if span.state is not SpanState.PAUSED:
            seconds += clock.counted_seconds(span.start, min(span.end, moment))
    return seconds


# --- Adding up ------------------------------------------------------------------------


class _Tally:
    """Running sums for one set of tickets."""

    __slots__ = ("counted", "first_count", "first_sum", "ok", "pct_sum", "resolved_count",
                 "resolved_sum", "tickets", "violated", "violations")

    def __init__(self) -> None:
        self.tickets = self.counted = 0
        self.ok = self.violated = self.pct_sum = 0.0
        self.violations = dict.fromkeys(Limit, 0)
        self.first_count = self.resolved_count = 0
        self.first_sum = self.resolved_sum = 0.0

    def add(self, figures: TicketFigures) -> None:
        self.tickets += 1
        self.ok += figures.ok_seconds
        self.violated += figures.violated_seconds
        pct = figures.compliance_pct
        if pct is not None:
            self.counted += 1
            self.pct_sum += pct
        for limit in figures.violations:
            self.violations[limit] += 1
        if figures.first_response_seconds is not None:
            self.first_count += 1
            self.first_sum += figures.first_response_seconds
        if figures.resolution_seconds is not None:
            self.resolved_count += 1
            self.resolved_sum += figures.resolution_seconds

    def figures(self) -> SlaFigures:
        counted = self.ok + self.violated
        return SlaFigures(
            tickets=self.tickets,
            tickets_counted=self.counted,
            ok_seconds=self.ok,
            violated_seconds=self.violated,
            compliance_pct=100.0 * self.ok / counted if counted > 0 else None,
            mean_ticket_compliance_pct=self.pct_sum / self.counted if self.counted else None,
            violations=ViolationCounts(**{limit.value: n for limit, n
                                          in self.violations.items()}),
            first_response=_duration(self.first_count, self.first_sum),
            resolution=_duration(self.resolved_count, self.resolved_sum),
        )


def _duration(count: int, total: float) -> DurationFigure:
    return DurationFigure(count, total / count if count else None)


# --- The query ------------------------------------------------------------------------


def sla_metrics(session: Session, perms: Permissions, query: SlaMetricsQuery,
                now: dt.datetime) -> SlaMetrics:
    """The metrics of the tickets ``perms`` may see that ``query`` selects."""
    for name, moment in (("now", now), ("start", query.start), ("end", query.end)):
        if moment is not None and moment.tzinfo is None:
            raise ValueError(f"{name} must be an aware datetime")
    end = now if query.end is None else min(query.end, now)
    start = query.start
    if start is not None and start >= end:
        return SlaMetrics(start=start, end=end)
    catalog = load_sla_catalog(session)
    selected = _selected_tickets(session, perms, query, start, end)
    overall = _Tally()
    by_group: dict[uuid.UUID, _Tally] = {}
    by_owner: dict[uuid.UUID, _Tally] = {}
    for chunk in chunks(sorted(selected), CHUNK):
        timelines = load_timelines(session, chunk)
        for ticket_id in chunk:
            group_id, owner_id = selected[ticket_id]
            rules = catalog.rules_for_group(group_id)
            timeline = timelines.get(ticket_id)
            if rules is None or timeline is None or timeline.opened_at >= end:
                continue
            figures = _figures(timeline, rules, start, end)
            for tally in (overall, by_group.setdefault(group_id, _Tally()),
                          by_owner.setdefault(owner_id, _Tally())):
                tally.add(figures)
    whole = overall.figures()
    return SlaMetrics(
        **{f.name: getattr(whole, f.name) for f in dataclasses.fields(whole)},
        start=start, end=end,
        by_group=_group_rows(session, by_group),
        by_owner=_owner_rows(session, by_owner),
    )


def _figures(timeline: TicketTimeline, rules: SlaRules, start: dt.datetime | None,
             end: dt.datetime) -> TicketFigures:
    return ticket_figures(evaluate(timeline, rules, end), rules, timeline.opened_at,
                          start, end)


def _selected_tickets(session: Session, perms: Permissions, query: SlaMetricsQuery,
                      start: dt.datetime | None, end: dt.datetime,
                      ) -> dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]]:
    """Visible tickets with an SLA whose life overlaps [start, end): id -> (group, owner)."""
    conditions: list[ColumnElement[bool]] = [
        visible_tickets_clause(perms),
        Ticket.sla_disabled.is_(False),
        Group.sla_id.is_not(None),
        # The row's time is when the authority got it: a ticket filed offline before
        # ``end`` may have arrived up to the late-change window after it (the engine then
        # reads when it was really opened).
        Ticket.created_at < end + LATE_CHANGE_WINDOW,
    ]
    if start is not None:
        conditions.append(or_(Ticket.closed_at.is_(None), Ticket.closed_at >= start))
    if query.ticket_id is not None:
        conditions.append(Ticket.id == query.ticket_id)
    if query.group_id is not None:
        conditions.append(Ticket.group_id == query.group_id)
    if query.owner_id is not None:
        conditions.append(Ticket.owner_id == query.owner_id)
    rows = session.execute(
        select(Ticket.id, Ticket.group_id, Ticket.owner_id)
        .join(Group, Group.id == Ticket.group_id)
        .where(*conditions))
    return {ticket_id: (group_id, owner_id) for ticket_id, group_id, owner_id in rows}


def _group_rows(session: Session,
                tallies: dict[uuid.UUID, _Tally]) -> tuple[SlaBreakdownRow, ...]:
    names = {group_id: name for group_id, name in session.execute(
        select(Group.id, Group.name).where(Group.id.in_(list(tallies))))} if tallies else {}
    return _rows(((group_id, names.get(group_id, ""), names.get(group_id, ""), tally)
                  for group_id, tally in tallies.items()))


def _owner_rows(session: Session,
                tallies: dict[uuid.UUID, _Tally]) -> tuple[SlaBreakdownRow, ...]:
    people = {user_id: (username, full_name) for user_id, username, full_name in
              session.execute(select(User.id, User.username, User.full_name)
                              .where(User.id.in_(list(tallies))))} if tallies else {}
    return _rows(((user_id, *people.get(user_id, ("", "")), tally)
                  for user_id, tally in tallies.items()))


def _rows(entries: Iterable[tuple[uuid.UUID, str, str, _Tally]],
          ) -> tuple[SlaBreakdownRow, ...]:
    rows: Sequence[SlaBreakdownRow] = [
        SlaBreakdownRow(key, name, display, tally.figures())
        for key, name, display, tally in entries]
    return tuple(sorted(rows, key=lambda row: (row.name.casefold(), row.id)))

