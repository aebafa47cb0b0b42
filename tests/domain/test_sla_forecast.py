"""The SLA forecast: until the moment it gives, evaluating the ticket again shows the
same standing; at that moment the standing has moved. The scheduled pass relies on it
to skip tickets that are not due."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from desktopdesk.domain.sla_engine import evaluate
from desktopdesk.domain.sla_forecast import (
    HORIZON,
    next_change_at,
    rounded_compliance,
)
from desktopdesk.domain.sla_model import (
    Limit,
    SlaEvaluation,
    SlaRules,
    TicketTimeline,
    WorkingTime,
)
from tests.domain.test_sla_engine import (
    CREATOR,
    SLA_ID,
    TICKET_ID,
    at,
    rules_strategy,
    tickets_strategy,
)

SECOND = dt.timedelta(seconds=1)


def standing(evaluation: SlaEvaluation) -> tuple[frozenset[Limit], int | None]:
    """What lists show of a ticket's SLA."""
    return evaluation.fired_limits, rounded_compliance(evaluation.ok_seconds,
                                                       evaluation.violated_seconds)


def test_rounding_never_shows_a_breached_ticket_as_perfect_nor_a_compliant_one_as_zero() -> None:
    assert rounded_compliance(0, 0) is None
    assert rounded_compliance(3600, 0) == 100
    assert rounded_compliance(997, 3) == 99
    assert rounded_compliance(2, 998) == 1
    assert rounded_compliance(0, 50) == 0
    assert rounded_compliance(1, 1) == 50


def test_a_fresh_ticket_is_due_when_its_response_time_runs_out() -> None:
    rules = SlaRules(SLA_ID, "Office", response_hours=4, resolution_hours=0,
                     inactivity_hours=0, working_time=WorkingTime(8, 18))
    timeline = TicketTimeline(TICKET_ID, at("01-06 09:00"), CREATOR, initial_status=1)  # type: ignore[arg-type]
    evaluation = evaluate(timeline, rules, at("01-06 10:00"))

    # Compliance stays 100 % while OK; the breach at 13:00 is the first change.
    assert next_change_at(timeline, rules, evaluation) == at("01-06 13:00")


def test_a_ticket_in_breach_is_due_when_its_compliance_loses_a_point() -> None:
    rules = SlaRules(SLA_ID, "Round the clock", response_hours=1, resolution_hours=0,
                     inactivity_hours=0, working_time=WorkingTime(0, 0, skip_weekends=False))
    timeline = TicketTimeline(TICKET_ID, at("01-06 09:00"), CREATOR, initial_status=1)  # type: ignore[arg-type]
    evaluation = evaluate(timeline, rules, at("01-06 11:00"))  # 1 h OK, 1 h in breach
    assert standing(evaluation) == (frozenset({Limit.RESPONSE}), 50)

    due = next_change_at(timeline, rules, evaluation)

    # 50 % rounds to 49 once ok / total < 49.5 %: after 3600 / 0.495 - 7200 = 72.7 s.
    assert due is not None
    exact = at("01-06 11:01") + dt.timedelta(seconds=12.73)
    assert exact <= due <= exact + SECOND


def test_a_closed_ticket_is_never_due() -> None:
    rules = SlaRules(SLA_ID, "Office", response_hours=4)
    timeline = TicketTimeline(TICKET_ID, at("01-06 09:00"), CREATOR, initial_status=7)  # type: ignore[arg-type]
    assert next_change_at(timeline, rules, evaluate(timeline, rules, at("01-06 10:00"))) is None


@settings(max_examples=150, deadline=None)
@given(rules_strategy(), tickets_strategy(), st.floats(0.0, 1.0))
def test_nothing_changes_before_the_forecast_and_something_does_at_it(
    rules: SlaRules, ticket_and_until: tuple[TicketTimeline, dt.datetime], fraction: float
) -> None:
    timeline, now = ticket_and_until
    # Later than every event, as the pass evaluates: the forecast assumes no new events.
    now = max([now, timeline.opened_at, *timeline.activity]) + SECOND
    evaluation = evaluate(timeline, rules, now)
    shown = standing(evaluation)

    due = next_change_at(timeline, rules, evaluation)

    if due is None:
        assert standing(evaluate(timeline, rules, now + HORIZON)) == shown
        return
    assert now <= due <= now + HORIZON
    before = now + (due - now) * fraction - SECOND
    if before > now:
        assert standing(evaluate(timeline, rules, before)) == shown
    if due < now + HORIZON:
        assert standing(evaluate(timeline, rules, due + SECOND)) != shown
