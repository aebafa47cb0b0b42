"""The ticket view's SLA report: the rules in words, the evaluation, the compliance per
range, and why a ticket has none."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from desktopdesk.domain.commands import (
    AddWorkunit,
    CreateSla,
    UpdateGroup,
    UpdateTicketFields,
)
from desktopdesk.domain.sla_model import Limit, SpanState
from desktopdesk.domain.sla_state import SETTLE
from desktopdesk.domain.ticket_sla import (
    NoSlaReason,
    RangePreset,
    TicketSlaReport,
    hours_text,
    preset_starts,
    ticket_sla_report,
    why_no_sla,
)
from tests.conftest import T0, Org
from tests.domain.support import new_ticket, reading

HOUR = dt.timedelta(hours=1)


def at(hours: float) -> dt.datetime:
    return T0 + hours * HOUR  # T0: Monday 2 March 2026, 09:00 UTC


def gold(org: Org) -> uuid.UUID:
    """Response in 4 h, a change at least every 24 h, counted around the clock; on Acme."""
    sla = org.do(CreateSla(name="Gold", max_response_hours=4, max_resolution_hours=0,
                           max_inactivity_hours=24, day_start_hour=0, day_end_hour=0,
                           no_sla_on_weekends=False), org.admin).created_id
    assert sla is not None
    org.do(UpdateGroup(group_id=org.acme_group, changes={"sla_id": str(sla)}), org.admin)
    return sla


def report(org: Org, ticket: uuid.UUID, now: dt.datetime) -> TicketSlaReport | None:
    with reading(org) as session:
        return ticket_sla_report(session, ticket, now, day_zone=dt.UTC)


def answered_late(org: Org) -> uuid.UUID:
    """Ana's ticket, answered by Ramón after 6 h, then left alone."""
    ticket = new_ticket(org, org.ana, at=at(0))
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>Looking into it</p>"), org.ramon, at(6))
    return ticket


def test_the_report_evaluates_the_ticket_and_words_its_rules(org: Org) -> None:
    sla = gold(org)
    ticket = answered_late(org)
    found = report(org, ticket, at(10))
    assert found is not None
    assert found.rules.sla_id == sla
    assert found.rules.name == "Gold"
    assert found.group_name == "Acme"
    assert [(s.start, s.end, s.state, s.limits) for s in found.evaluation.spans] == [
        (at(0), at(4), SpanState.OK, frozenset()),
        (at(4), at(6), SpanState.VIOLATED, frozenset({Limit.RESPONSE})),
        # Evaluated just after the moment asked (``SETTLE``), as the authority does.
        (at(6), at(10) + SETTLE, SpanState.OK, frozenset()),
    ]
    assert found.lifetime_pct == pytest.approx(80.0)
    assert found.limit_texts == ("Response within 4 h", "No more than 24 h without a change")
    assert found.working_time_text == "Counted around the clock, every day (UTC)."
    assert "pending on a third person" in found.counting_text
    assert found.notice_text == "The owner is notified of a breach."


def test_each_range_has_its_own_compliance(org: Org) -> None:
    gold(org)
    ticket = answered_late(org)  # inactive from 6 h: in breach from 30 h on
    found = report(org, ticket, at(50))  # Wednesday 11:00
    assert found is not None
    assert found.lifetime_pct == pytest.approx(100 * 28 / 50)
    lifetime = found.range_for(RangePreset.LIFETIME)
    assert (lifetime.start, lifetime.end) == (at(0), at(50))
    assert lifetime.compliance_pct == pytest.approx(found.lifetime_pct)
    today = found.range_for(RangePreset.TODAY)
    assert today.start == dt.datetime(2026, 3, 4, tzinfo=dt.UTC)
    assert today.compliance_pct == 0.0  # all of Wednesday in breach
    two_days = found.range_for(RangePreset.TWO_DAYS)
    assert two_days.start == at(2)
    assert two_days.compliance_pct == pytest.approx(100 * 26 / 48)
    assert [r.preset for r in found.ranges] == list(RangePreset)


def test_a_group_without_an_sla_says_so(org: Org) -> None:
    ticket = new_ticket(org, org.ana, at=at(0))
    assert report(org, ticket, at(1)) is None
    with reading(org) as session:
        why = why_no_sla(session, ticket)
    assert why is not None
    assert why.reason is NoSlaReason.NO_SLA_ON_GROUP
    assert "The group Acme has no SLA" in why.message


def test_a_ticket_with_its_sla_disabled_says_so(org: Org) -> None:
    gold(org)
    ticket = new_ticket(org, org.ana, at=at(0))
    org.do(UpdateTicketFields(ticket_id=ticket, changes={"sla_disabled": True}), org.ramon,
           at(1))
    assert report(org, ticket, at(2)) is None
    with reading(org) as session:
        why = why_no_sla(session, ticket)
        assert why is not None
        assert why.reason is NoSlaReason.SLA_DISABLED
        assert "disabled on this ticket" in why.message
        other = new_ticket(org, org.ana, at=at(0))
        assert why_no_sla(session, other) is None  # the group's SLA applies to it


def test_ranges_end_now_and_today_starts_at_local_midnight() -> None:
    now = dt.datetime(2026, 3, 4, 1, 30, tzinfo=dt.UTC)
    zone = dt.timezone(dt.timedelta(hours=2))  # 03:30 there
    starts = preset_starts(at(0), now, zone)
    assert starts[RangePreset.TODAY] == dt.datetime(2026, 3, 3, 22, 0, tzinfo=dt.UTC)
    assert starts[RangePreset.WEEK] == now - dt.timedelta(days=7)
    assert starts[RangePreset.MONTH] == now - dt.timedelta(days=30)
    assert starts[RangePreset.LIFETIME] == at(0)


@pytest.mark.parametrize(("hours", "text"), [
    (4, "4 h"), (1.5, "1 h 30 min"), (0.25, "15 min"), (480, "480 h")])
def test_limits_read_as_set(hours: float, text: str) -> None:
    assert hours_text(hours) == text
