"""The SLA engine: a ticket's compliance as a pure function of its history and its SLA.

Nothing here remembers anything between calls. Whatever arrives late (a workunit
written offline and synced hours later) simply appears in the timeline at the time it
was done, and the next evaluation tells the story as if it had always been known. That
is also why a breach has no "OK blips": it lasts, in the history as evaluated, until
the thing that ends it (an answer, a touch, a pause, closing).

How one evaluation goes, all in epoch seconds for speed:

1. the counted-status intervals (where ``rules.counts(status)``) in [opened, until);
2. the ticket's own clock: counted time (business, or wall-clock) summed over those
   intervals, as a running total so any stretch is two look-ups;
3. per limit, its runs (anchor -> stop): resolution one run for the whole life,
   response restarting at each follow-up by the creator and stopping at an answer,
   inactivity restarting at every change; where a run's clock reaches the limit, the
   rest of the run inside counted intervals is in breach (for a wall-clock SLA each
   such piece starts at the first working moment in it, Integria's firing gate);
4. a sweep of all boundaries into spans, equal neighbours merged, and the counted
   seconds of the OK and VIOLATED ones.
"""

from __future__ import annotations

import datetime as dt
import itertools
from bisect import bisect_left
from collections.abc import Callable, Sequence

from desktopdesk.domain.business_time import BusinessClock, clock_for, from_epoch, to_epoch
from desktopdesk.domain.sla_model import (
    ComplianceSpan,
    Limit,
    SlaEvaluation,
    SlaRules,
    SpanState,
    TicketTimeline,
    Violation,
)
from desktopdesk.models.codes import SlaType, Status

_Interval = tuple[float, float]
_LIMITS = (Limit.RESPONSE, Limit.RESOLUTION, Limit.INACTIVITY)
#: Every set of limits in breach, by bit mask (bit i = _LIMITS[i]): spans share them.
_LIMIT_SETS = tuple(
    frozenset(limit for bit, limit in enumerate(_LIMITS) if mask & (1 << bit))
    for mask in range(2 << len(_LIMITS))
)
#: The bit of a sweep mask set while the status counts.
_COUNTING = 1 << len(_LIMITS)
_STATES = tuple(
    SpanState.PAUSED if not mask & _COUNTING
    else SpanState.VIOLATED if mask & (_COUNTING - 1) else SpanState.OK
    for mask in range(_COUNTING << 1)
)


def evaluate(timeline: TicketTimeline, rules: SlaRules, until: dt.datetime) -> SlaEvaluation:
    """The ticket's compliance spans and violations over [opened_at, until).

    Event times before ``opened_at`` count as ``opened_at``; events after ``until`` are
    ignored, and one exactly at ``until`` shapes no span (it would start at ``until``).
    """
    clock = clock_for(rules.working_time)
    opened = to_epoch(timeline.opened_at)
    end = max(to_epoch(until), opened)
    #: The caller's own datetimes by epoch, handed back rather than rebuilt.
    known: dict[float, dt.datetime] = {}
    if timeline.opened_at.tzinfo is dt.UTC:
        known[opened] = timeline.opened_at
    if until.tzinfo is dt.UTC and until > timeline.opened_at:
        known[end] = until
    counted, resolved = _counted_intervals(timeline, rules, opened, end, known)
    ticket_clock = _TicketClock(clock, counted)

    pieces: list[list[_Interval]] = []
    for limit in _LIMITS:
        limit_seconds = _limit_hours(rules, limit) * 3600.0
        # No clock runs longer than the ticket's whole counted life.
        if limit_seconds <= 0 or limit_seconds > ticket_clock.total:
            pieces.append([])
            continue
        runs = _runs(limit, timeline, opened, end, known)
        pieces.append(_breach_pieces(runs, limit_seconds, ticket_clock, clock))

    spans = _sweep(opened, end, counted, pieces)
    ok, violated = _counted_split(spans, ticket_clock)
    moments = _moments(known, end, spans, pieces, resolved)
    return SlaEvaluation(
        ticket_id=timeline.ticket_id,
        sla_id=rules.sla_id,
        until=until,
        spans=tuple(
            ComplianceSpan(moments[start], moments[stop], _STATES[mask], _LIMIT_SETS[mask])
            for start, stop, mask in spans),
        violations=_violations(pieces, end, moments),
        ok_seconds=ok,
        violated_seconds=violated,
        first_response_at=_first_response(timeline, end),
        resolved_at=None if resolved is None else moments[resolved],
    )


def counted_split(
    evaluation: SlaEvaluation, rules: SlaRules, start: dt.datetime, end: dt.datetime
) -> tuple[float, float]:
    """(OK, violated) counted seconds inside [start, end): what a histogram range shows."""
    clock = clock_for(rules.working_time)
    a, b = to_epoch(start), to_epoch(end)
    ok = violated = 0.0
    if b <= a:
        return ok, violated
    for span in evaluation.spans:
        if span.state is SpanState.PAUSED:
            continue
        s, e = max(to_epoch(span.start), a), min(to_epoch(span.end), b)
        if e <= s:
            continue
        seconds = clock.counted_at(e) - clock.counted_at(s)
        if span.state is SpanState.VIOLATED:
            violated += seconds
        else:
            ok += seconds
    return ok, violated


def compliance_between(
    evaluation: SlaEvaluation, rules: SlaRules, start: dt.datetime, end: dt.datetime
) -> float | None:
    """Compliance % (0..100) of [start, end); None when nothing was counted there."""
    ok, violated = counted_split(evaluation, rules, start, end)
    total = ok + violated
    return None if total <= 0 else 100.0 * ok / total


# --- 1. counted-status intervals ----------------------------------------------------


def _counted_intervals(
    timeline: TicketTimeline, rules: SlaRules, opened: float, end: float,
    known: dict[float, dt.datetime],
) -> tuple[list[_Interval], float | None]:
    """Where the SLA counts, merged and sorted; and when the ticket was closed if it is
    closed at ``end`` (the start of its last closed stretch)."""
    counting = _counting_statuses(rules)
    status = timeline.initial_status
    since: float | None = opened if status in counting else None
    closed_since: float | None = opened if status == Status.CLOSED else None
    intervals: list[_Interval] = []
    for change in timeline.status_changes:
        t = _epoch(change.at, known)
        if t > end:
            break
        if t < opened:
            t = opened
        if change.status == Status.CLOSED:
            if closed_since is None:
                closed_since = t
        else:
            closed_since = None
        if change.status in counting:
            if since is None:
                since = t
        elif since is not None:
            _append_interval(intervals, since, t)
            since = None
    if since is not None:
        _append_interval(intervals, since, end)
    return intervals, closed_since


def _counting_statuses(rules: SlaRules) -> frozenset[Status]:
    """The statuses ``rules.counts``, asked once per SLA type (all the answer hangs on)."""
    counting = _COUNTING_BY_TYPE.get(rules.sla_type)
    if counting is None:
        counting = frozenset(status for status in Status if rules.counts(status))
        _COUNTING_BY_TYPE[rules.sla_type] = counting
    return counting


_COUNTING_BY_TYPE: dict[SlaType, frozenset[Status]] = {}


def _append_interval(intervals: list[_Interval], start: float, stop: float) -> None:
    if stop <= start:
        return
    if intervals and intervals[-1][1] >= start:
        intervals[-1] = (intervals[-1][0], stop)
    else:
        intervals.append((start, stop))


# --- 2. the ticket's clock -------------------------------------------------------------


class _TicketClock:
    """Counted time inside the counted-status intervals as a running total from opening:
    what a clock started at opening and never reset would show. A limit's clock from an
    anchor is the difference of two totals."""

    __slots__ = ("_base", "_clock", "_counted_at", "_totals", "_totals_end", "intervals",
                 "total")

    def __init__(self, clock: BusinessClock, intervals: list[_Interval]) -> None:
        self._clock = clock
        self._counted_at = counted_at = clock.counted_at
        self.intervals = intervals
        running = 0.0
        self._base: list[float] = []  # clock.counted_at(a) of each interval
        self._totals: list[float] = []  # the ticket's total at each interval's start
        self._totals_end: list[float] = []  # ... and at its end
        for a, b in intervals:
            at_a = counted_at(a)
            self._base.append(at_a)
            self._totals.append(running)
            running += counted_at(b) - at_a
            self._totals_end.append(running)
        #: Counted time over the whole evaluated life.
        self.total = running

    def totals_at(self, points: list[float]) -> list[float]:
        """The running total at each of ``points`` (sorted), in one walk."""
        intervals, totals, totals_end = self.intervals, self._totals, self._totals_end
        counted_at, base = self._counted_at, self._base
        last = len(intervals) - 1
        i = -1
        found = []
        for t in points:
            while i < last and intervals[i + 1][0] <= t:
                i += 1
            if i < 0:
                found.append(0.0)
            elif t >= intervals[i][1]:
                found.append(totals_end[i])
            elif t == intervals[i][0]:
                found.append(totals[i])
            else:
                found.append(totals[i] + counted_at(t) - base[i])
        return found

    def reaching(self, total: float) -> tuple[int, float] | None:
        """The interval index and the earliest moment the total reaches ``total`` (> 0)."""
        i = bisect_left(self._totals_end, total)
        if i >= len(self.intervals):
            return None
        moment = self._clock.reaching_total(
            self._base[i] + total - self._totals[i], self.intervals[i][0])
        return None if moment is None else (i, moment)


# --- 3. runs and breaches --------------------------------------------------------------


def _epoch(moment: dt.datetime, known: dict[float, dt.datetime]) -> float:
    """``to_epoch``, remembering a UTC ``moment`` to hand back in the evaluation."""
    if moment.tzinfo is dt.UTC:
        t = moment.timestamp()
        known[t] = moment
        return t
    return to_epoch(moment)


def _limit_hours(rules: SlaRules, limit: Limit) -> float:
    if limit is Limit.RESPONSE:
        return rules.response_hours
    if limit is Limit.RESOLUTION:
        return rules.resolution_hours
    return rules.inactivity_hours


def _runs(
    limit: Limit, timeline: TicketTimeline, opened: float, end: float,
    known: dict[float, dt.datetime],
) -> list[_Interval]:
    """[anchor, stop) of each stretch the limit's clock runs from zero, in order."""
    if limit is Limit.RESOLUTION:
        return [(opened, end)]
    if limit is Limit.INACTIVITY:
        anchors = [opened]
        for moment in timeline.activity:
            t = _epoch(moment, known)
            if t >= end:
                break
            if t > anchors[-1]:
                anchors.append(t)
        anchors.append(end)
        return list(itertools.pairwise(anchors))
    runs: list[_Interval] = []
    running_since: float | None = opened
    creator = timeline.creator_id
    for workunit in timeline.workunits:
        t = _epoch(workunit.at, known)
        if t >= end:
            break
        if t < opened:
            t = opened
        if running_since is not None and t > running_since:
            runs.append((running_since, t))
        # A follow-up by the creator restarts the clock; anyone else's answers it.
        running_since = t if workunit.author_id == creator else None
    if running_since is not None and end > running_since:
        runs.append((running_since, end))
    return runs


def _breach_pieces(
    runs: Sequence[_Interval], limit_seconds: float, ticket_clock: _TicketClock,
    clock: BusinessClock,
) -> list[_Interval]:
    """The stretches in breach of one limit, sorted and merged."""
    # Counted time never exceeds elapsed time: shorter runs cannot reach the limit.
    long_runs = [run for run in runs if run[1] - run[0] >= limit_seconds]
    if not long_runs:
        return []
    totals = ticket_clock.totals_at([moment for run in long_runs for moment in run])
    intervals = ticket_clock.intervals
    gate: Callable[[float], float | None] | None = (
        clock.next_working_ts if clock.working_time.wall_clock else None)
    pieces: list[_Interval] = []
    for k, (_, stop) in enumerate(long_runs):
        at_anchor = totals[2 * k]
        if totals[2 * k + 1] - at_anchor < limit_seconds:
            continue
        reached = ticket_clock.reaching(at_anchor + limit_seconds)
        if reached is None:
            continue
        index, deadline = reached
        while index < len(intervals):
            a, b = intervals[index]
            index += 1
            if a >= stop:
                break
            start = a if a > deadline else deadline
            finish = b if b < stop else stop
            if gate is not None and start < finish:
                gated = gate(start)
                start = finish if gated is None else gated
            if start < finish:
                if pieces and pieces[-1][1] >= start:
                    pieces[-1] = (pieces[-1][0], finish)
                else:
                    pieces.append((start, finish))
    return pieces


# --- 4. spans and violations -----------------------------------------------------------


def _sweep(
    opened: float, end: float, counted: list[_Interval], pieces: list[list[_Interval]]
) -> list[tuple[float, float, int]]:
    """[start, stop, mask) covering [opened, end), neighbours differing: ``mask`` is the
    bit set of limits in breach (bit i for ``_LIMITS[i]``) plus ``_COUNTING`` while the
    status counts; so 0 is paused and ``_COUNTING`` alone is OK.

    Every list is sorted, disjoint and merged, so each boundary toggles its bits: the
    state at a moment is the XOR of the toggles up to it.
    """
    if end <= opened:
        return []
    toggles: dict[float, int] = {opened: 0, end: 0}
    for a, b in counted:
        toggles[a] = toggles.get(a, 0) ^ _COUNTING
        toggles[b] = toggles.get(b, 0) ^ _COUNTING
    for bit, limit_pieces in enumerate(pieces):
        flag = 1 << bit
        for a, b in limit_pieces:
            toggles[a] = toggles.get(a, 0) ^ flag
            toggles[b] = toggles.get(b, 0) ^ flag
    spans: list[tuple[float, float, int]] = []
    mask = 0
    start = opened
    for t, toggle in sorted(toggles.items()):
        if t > start:
            if spans and spans[-1][2] == mask:
                spans[-1] = (spans[-1][0], t, mask)
            else:
                spans.append((start, t, mask))
            start = t
        mask ^= toggle
    return spans


def _counted_split(
    spans: list[tuple[float, float, int]], ticket_clock: _TicketClock
) -> tuple[float, float]:
    """(OK, violated) counted seconds of the spans (which are contiguous and sorted)."""
    if not spans:
        return 0.0, 0.0
    points = [start for start, _, _ in spans]
    points.append(spans[-1][1])
    totals = ticket_clock.totals_at(points)
    ok = violated = 0.0
    for k, (_, _, mask) in enumerate(spans):
        if mask == _COUNTING:
            ok += totals[k + 1] - totals[k]
        elif mask:
            violated += totals[k + 1] - totals[k]
    return ok, violated


def _violations(
    pieces: list[list[_Interval]], end: float, moments: dict[float, dt.datetime]
) -> tuple[Violation, ...]:
    found = [
        (a, bit, Violation(limit, moments[a], None if b >= end else moments[b]))
        for bit, limit in enumerate(_LIMITS)
        for a, b in pieces[bit]
    ]
    found.sort(key=lambda item: (item[0], item[1]))
    return tuple(violation for _, _, violation in found)


def _first_response(timeline: TicketTimeline, end: float) -> dt.datetime | None:
    for workunit in timeline.workunits:
        if to_epoch(workunit.at) > end:
            return None
        if workunit.author_id != timeline.creator_id:
            return max(workunit.at, timeline.opened_at)
    return None


def _moments(
    known: dict[float, dt.datetime], end: float, spans: list[tuple[float, float, int]],
    pieces: list[list[_Interval]], resolved: float | None,
) -> dict[float, dt.datetime]:
    """Every moment the evaluation reports, as an aware UTC ``datetime``: the caller's
    own where it has one, else made once."""
    points = [start for start, _, _ in spans]
    points.append(end)
    for limit_pieces in pieces:
        for a, b in limit_pieces:
            points.append(a)
            points.append(b)
    if resolved is not None:
        points.append(resolved)
    moments = {}
    for t in points:
        if t not in moments:
            moments[t] = known.get(t) or from_epoch(t)
    return moments
