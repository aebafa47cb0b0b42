"""SLA metrics over tickets worked through commands, against hand-computed figures."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import update

from desktopdesk.domain import acl
from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    ChangeStatus,
    CloseTicket,
    CreateSla,
    CreateTicket,
    UpdateGroup,
    UpdateTicketFields,
)
from desktopdesk.domain.sla_metrics import SlaMetrics, SlaMetricsQuery, sla_metrics
from desktopdesk.domain.sla_model import Limit
from desktopdesk.models import Resolution, Status, Ticket
from tests.conftest import T0, Org

H = 3600.0
NOW = T0 + dt.timedelta(hours=8)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


@dataclass(frozen=True)
class Story:
    sla: uuid.UUID
    answered: uuid.UUID  # A: Acme, answered after 1 h, closed after 4 h
    late: uuid.UUID  # B: Acme, answered after 5 h (response limit 2 h breached 2-5 h)
    paused: uuid.UUID  # D: Support, waits on a third person 1.5-6 h, breached from 7.5 h
    unsla: uuid.UUID  # Independents, a group without SLA
    disabled: uuid.UUID  # Support, SLA switched off on the ticket


@pytest.fixture
def story(org: Org) -> Story:
    """Round-the-clock SLA (every hour counts: arithmetic by hand stays simple):
    response 2 h, resolution 10 h, inactivity not checked."""
    sla = org.do(CreateSla(name="Round the clock", day_start_hour=0, day_end_hour=0,
                           no_sla_on_weekends=False, max_response_hours=2,
                           max_resolution_hours=10, max_inactivity_hours=0),
                 org.admin).created_id
    assert sla is not None
    for group in (org.support, org.acme_group):
        org.do(UpdateGroup(group_id=group, changes={"sla_id": sla}), org.admin)

    def create(actor: uuid.UUID, group: uuid.UUID, hours: float) -> uuid.UUID:
        created = org.do(CreateTicket(title="Help", group_id=group), actor, at(hours))
        assert created.created_id is not None
        return created.created_id

    def answer(actor: uuid.UUID, ticket: uuid.UUID, hours: float) -> None:
        org.do(AddWorkunit(ticket_id=ticket, text_html="<p>On it</p>"), actor, at(hours))

    answered = create(org.ana, org.acme_group, 0)
    org.do(AssignOwner(ticket_id=answered, owner_id=org.tomas), org.ramon, at(0))
    answer(org.tomas, answered, 1)
    org.do(CloseTicket(ticket_id=answered, resolution=Resolution.FIXED), org.tomas, at(4))

    late = create(org.bob, org.acme_group, 0)
    answer(org.ramon, late, 5)

    paused = create(org.javi, org.support, 1)
    org.do(AssignOwner(ticket_id=paused, owner_id=org.tomas), org.ramon, at(1))
    org.do(ChangeStatus(ticket_id=paused, status=Status.PENDING_THIRD_PERSON), org.tomas,
           at(1.5))
    org.do(ChangeStatus(ticket_id=paused, status=Status.ASSIGNED), org.tomas, at(6))

    unsla = create(org.carla, org.independents, 0)
    disabled = create(org.javi, org.support, 0)
    org.do(UpdateTicketFields(ticket_id=disabled, changes={"sla_disabled": True}), org.admin,
           at(0))
    return Story(sla, answered, late, paused, unsla, disabled)


EVERY_TICKET = SlaMetricsQuery()


def metrics(org: Org, user: uuid.UUID, query: SlaMetricsQuery = EVERY_TICKET,
            now: dt.datetime = NOW) -> SlaMetrics:
    with org.ws.read() as session:
        return sla_metrics(session, acl.load_permissions(session, user), query, now)


def test_lifetime_figures_add_up_the_tickets_with_an_sla(org: Org, story: Story) -> None:
    m = metrics(org, org.admin)
    assert m.tickets == 3  # no SLA on Independents; one ticket has its SLA switched off
    assert m.tickets_counted == 3
    assert m.ok_seconds == pytest.approx((4 + 5 + 2) * H)
    assert m.violated_seconds == pytest.approx((3 + 0.5) * H)
    assert m.compliance_pct == pytest.approx(100 * 11 / 14.5)
    assert m.mean_ticket_compliance_pct == pytest.approx((100 + 62.5 + 80) / 3)
    assert (m.violations.response, m.violations.resolution, m.violations.inactivity) == (
        2, 0, 0)
    assert m.violations[Limit.RESPONSE] == m.violations.total == 2
    assert m.first_response.count == 2
    assert m.first_response.mean_seconds == pytest.approx(3 * H)
    assert m.resolution.count == 1
    assert m.resolution.mean_seconds == pytest.approx(4 * H)
    assert (m.start, m.end) == (None, NOW)


def test_breakdowns_split_the_same_figures_by_group_and_owner(
    org: Org, story: Story
) -> None:
    m = metrics(org, org.admin)
    assert [(row.name, row.figures.tickets) for row in m.by_group] == [
        ("Acme", 2), ("Support", 1)]
    acme = m.by_group[0].figures
    assert acme.ok_seconds == pytest.approx(9 * H)
    assert acme.violated_seconds == pytest.approx(3 * H)
    assert acme.resolution.count == 1
    assert [(row.name, row.display_name, row.figures.tickets) for row in m.by_owner] == [
        ("ramon", "Ramon", 1), ("tomas", "Tomas", 2)]
    tomas = m.by_owner[1].figures
    assert tomas.mean_ticket_compliance_pct == pytest.approx(90.0)
    assert sum(row.figures.tickets for row in m.by_owner) == m.tickets


def test_a_range_counts_only_what_happened_inside_it(org: Org, story: Story) -> None:
    m = metrics(org, org.admin, SlaMetricsQuery(start=at(3), end=at(6)))
    # A: OK 3-4 h then closed; B: breached 3-5 h, OK 5-6 h; D: paused throughout.
    assert m.tickets == 3
    assert m.tickets_counted == 2  # D counted nothing: left out of the mean, not 0 %
    assert m.ok_seconds == pytest.approx(2 * H)
    assert m.violated_seconds == pytest.approx(2 * H)
    assert m.compliance_pct == pytest.approx(50.0)
    assert m.mean_ticket_compliance_pct == pytest.approx((100 + 100 / 3) / 2)
    assert m.violations.total == 0  # B's began at 2 h, D's at 7.5 h
    assert m.first_response.count == 1
    assert m.first_response.mean_seconds == pytest.approx(5 * H)
    assert m.resolution.count == 1
    assert m.resolution.mean_seconds == pytest.approx(4 * H)


def test_a_range_sees_the_breach_that_starts_in_it_and_none_after_its_end(
    org: Org, story: Story
) -> None:
    m = metrics(org, org.admin, SlaMetricsQuery(start=at(7), end=at(20)))
    assert m.tickets == 2  # A was closed before the range
    assert m.end == NOW  # not into the future
    assert m.violations.response == 1  # D's, at 7.5 h
    assert m.violated_seconds == pytest.approx(0.5 * H)
    before = metrics(org, org.admin, SlaMetricsQuery(end=at(3)))
    assert before.violations.response == 1  # B's, from 2 h
    assert before.violated_seconds == pytest.approx(1 * H)  # B 2-3 h, nothing later
    assert before.first_response.count == 1  # A's answer; B's came at 5 h


def test_filters_by_ticket_group_and_owner(org: Org, story: Story) -> None:
    only_b = metrics(org, org.admin, SlaMetricsQuery(ticket_id=story.late))
    assert only_b.tickets == 1
    assert only_b.compliance_pct == pytest.approx(62.5)
    support = metrics(org, org.admin, SlaMetricsQuery(group_id=org.support))
    assert support.tickets == 1
    assert support.violations.response == 1
    tomas = metrics(org, org.admin, SlaMetricsQuery(owner_id=org.tomas))
    assert tomas.tickets == 2
    assert [row.name for row in tomas.by_owner] == ["tomas"]
    assert metrics(org, org.admin, SlaMetricsQuery(ticket_id=story.unsla)).tickets == 0


def test_each_person_measures_only_the_tickets_they_may_see(org: Org, story: Story) -> None:
    assert metrics(org, org.ana).tickets == 2  # Acme's
    assert metrics(org, org.javi).tickets == 1  # Support's
    nothing = metrics(org, org.carla)  # her ticket's group has no SLA
    assert nothing.tickets == 0
    assert nothing.compliance_pct is None
    assert nothing.mean_ticket_compliance_pct is None
    assert nothing.first_response.mean_seconds is None
    assert metrics(org, org.ana, SlaMetricsQuery(ticket_id=story.paused)).tickets == 0


def test_an_empty_or_reversed_range_measures_nothing(org: Org, story: Story) -> None:
    assert metrics(org, org.admin, SlaMetricsQuery(start=at(5), end=at(5))).tickets == 0
    assert metrics(org, org.admin, SlaMetricsQuery(end=at(-1))).tickets == 0
    with pytest.raises(ValueError, match="aware"):
        metrics(org, org.admin, SlaMetricsQuery(start=dt.datetime(2026, 3, 2)))


def test_time_to_first_response_is_business_time(org: Org) -> None:
    """Filed Friday 17:00, answered Monday 09:00 with 08-18 working days: two hours."""
    sla = org.do(CreateSla(name="Office hours", max_response_hours=4), org.admin).created_id
    org.do(UpdateGroup(group_id=org.acme_group, changes={"sla_id": sla}), org.admin)
    friday = dt.datetime(2026, 2, 27, 17, 0, tzinfo=dt.UTC)
    ticket = org.do(CreateTicket(title="Friday", group_id=org.acme_group), org.ana,
                    friday).created_id
    assert ticket is not None
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>Morning</p>"), org.tomas,
           friday + dt.timedelta(days=2, hours=16))
    m = metrics(org, org.admin, now=friday + dt.timedelta(days=3, hours=2))  # Mon 19:00
    assert m.first_response.mean_seconds == pytest.approx(2 * H)
    assert m.violations.total == 0
    assert m.ok_seconds == pytest.approx(11 * H)  # Fri 17-18, Mon 08-18


def test_a_ticket_filed_offline_before_the_range_ends_counts_though_it_arrived_after(
    org: Org, story: Story
) -> None:
    """Filed at hour 0 on a laptop, stored by the server at hour 20: its history says
    hour 0, and a range ending at hour 8 includes it."""
    with org.ws.user_action() as session:
        session.execute(update(Ticket).where(Ticket.id == story.late)
                        .values(created_at=at(20)))

    m = metrics(org, org.admin, SlaMetricsQuery(group_id=org.acme_group), now=at(30))
    ranged = metrics(org, org.admin, SlaMetricsQuery(group_id=org.acme_group, end=NOW),
                     now=at(30))

    assert m.tickets == 2
    assert ranged.tickets == 2
