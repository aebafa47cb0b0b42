"""When a ticket's SLA standing next changes if nobody touches the ticket.

What the lists show of a ticket's SLA (the limits in breach, the lifetime compliance in
whole percent) changes in only two ways: a command on the ticket (the authority
re-evaluates it right after) or time passing, which brings a limit's deadline or moves
the percentage by a point. This module works out the second: the moment, so that the
scheduled pass (``desktopdesk.domain.sla_state``) evaluates only the tickets that are due
instead of every open ticket every five minutes.

The forecast is the engine's own answer, not a second set of rules: the ticket is
evaluated a week ahead with no new events, and the first span after now that differs is
when the breach set changes; the percentage is followed through the spans in between.
A ticket whose SLA clocks are stopped (a paused status, or closed) changes only with a
command: no moment.
"""

from __future__ import annotations

import datetime as dt
import math

from desktopdesk.domain.business_time import clock_for
from desktopdesk.domain.sla_engine import evaluate
from desktopdesk.domain.sla_model import SlaEvaluation, SlaRules, SpanState, TicketTimeline

#: How far ahead a forecast looks; a ticket with nothing due before is looked at again
#: then (cheap, and it bounds the work of one forecast).
HORIZON = dt.timedelta(days=7)
#: Forecasts are rounded up to the second: the pass runs every few minutes anyway.
_PRECISION_S = 1.0


def rounded_compliance(ok_seconds: float, violated_seconds: float) -> int | None:
    """Compliance in whole percent as lists show it: 100 only when never in breach, 0
    only when never compliant (99.7 % with a breach is 99, 0.2 % without is 1); None
    when nothing was counted."""
    counted = ok_seconds + violated_seconds
    if counted <= 0:
        return None
    value = math.floor(100.0 * ok_seconds / counted + 0.5)
    if value >= 100 and violated_seconds > 0:
        return 99
    if value <= 0 and ok_seconds > 0:
        return 1
    return max(0, min(100, value))


def next_change_at(timeline: TicketTimeline, rules: SlaRules,
                   evaluation: SlaEvaluation) -> dt.datetime | None:
    """The first moment after ``evaluation.until`` at which the limits in breach or the
    rounded compliance differ from ``evaluation``'s, if no event happens; at most
    ``HORIZON`` ahead. None when only an event can change them (clocks stopped)."""
    if not evaluation.spans or evaluation.spans[-1].state is SpanState.PAUSED:
        return None
    now = evaluation.until
    horizon = now + HORIZON
    current = evaluation.spans[-1]
    clock = clock_for(rules.working_time)
    ok, violated = evaluation.ok_seconds, evaluation.violated_seconds
    shown = rounded_compliance(ok, violated)
    for span in evaluate(timeline, rules, horizon).spans:
        if span.end <= now:
            continue
        start = max(span.start, now)
        if span.state is not current.state or span.limits != current.limits:
            return start
        capacity = clock.counted_seconds(start, span.end)
        is_ok = span.state is SpanState.OK
        needed = _seconds_until_rounding_moves(ok, violated, is_ok, capacity, shown)
        if needed is not None:
            moment = clock.add_counted(start, needed)
            return horizon if moment is None else min(moment, horizon)
        if is_ok:
            ok += capacity
        else:
            violated += capacity
    return horizon


def _seconds_until_rounding_moves(ok: float, violated: float, is_ok: bool, capacity: float,
                                  shown: int | None) -> float | None:
    """The least counted time x <= ``capacity`` (to the second, rounded up) after which
    the rounded compliance is no longer ``shown``, time accruing as OK or in breach;
    None if it stays. The percentage moves one way only within a span: bisect."""

    def rounded_after(x: float) -> int | None:
        return rounded_compliance(ok + x, violated) if is_ok else rounded_compliance(
            ok, violated + x)

    if capacity <= 0 or rounded_after(capacity) == shown:
        return None
    low, high = 0.0, capacity  # rounded_after(low) == shown, rounded_after(high) != shown
    while high - low > _PRECISION_S:
        middle = (low + high) / 2
        if rounded_after(middle) == shown:
            low = middle
        else:
            high = middle
    return high
