"""The "SLA time zone" option at work: where a working day starts for the SLA engine.

Issue 5 asks for a test per option that shows its effect. The option is changed as a
super-admin changes it (``ChangeSetting``), then the rules are read the way the SLA pass
reads them (``load_sla_catalog``) and a ticket is evaluated under them. The notification
period's effect is shown with the SLA pass's notices (``sla_state``'s tests).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from desktopdesk.domain import settings
from desktopdesk.domain.business_time import clock_for
from desktopdesk.domain.commands import ChangeSetting, CreateSla, CreateTicket, UpdateGroup
from desktopdesk.domain.errors import VALIDATION
from desktopdesk.domain.settings import get_setting
from desktopdesk.domain.sla_config import load_sla_catalog
from desktopdesk.domain.sla_engine import evaluate
from desktopdesk.domain.sla_model import Limit
from desktopdesk.domain.sla_timeline import timeline_for
from tests.conftest import Org
from tests.domain.support import reading, refused

#: A Monday in March, before either side of the Atlantic moves its clocks.
OPENED = dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC)
UNTIL = OPENED + dt.timedelta(hours=12)


@pytest.fixture
def ticket(org: Org) -> uuid.UUID:
    """A ticket in Support, under a 1-hour response SLA counting 08:00-18:00, filed at
    07:30 UTC and never answered."""
    sla_id = org.do(CreateSla(name="Office hours", max_response_hours=1.0,
                              max_resolution_hours=0.0, max_inactivity_hours=0.0,
                              day_start_hour=8, day_end_hour=18), org.ramon).created_id
    org.do(UpdateGroup(group_id=org.support, changes={"sla_id": str(sla_id)}), org.admin)
    created = org.do(CreateTicket(title="Printer on fire", group_id=org.support), org.tomas,
                     at=OPENED).created_id
    assert created is not None
    return created


def working_day_and_breach(org: Org, ticket_id: uuid.UUID) -> tuple[dt.datetime, dt.datetime]:
    """When the ticket's first working time starts, and when its response limit breaks,
    as the SLA pass would work them out now."""
    with reading(org) as session:
        rules = load_sla_catalog(session).rules_for_group(org.support)
        timeline = timeline_for(session, ticket_id)
    assert rules is not None
    assert timeline is not None
    start = clock_for(rules.working_time).next_working(OPENED)
    assert start is not None
    evaluation = evaluate(timeline, rules, UNTIL)
    (breach,) = evaluation.violations
    assert breach.limit is Limit.RESPONSE
    return start, breach.start


@pytest.mark.parametrize(("zone", "working_day_starts"), [
    ("UTC", dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)),
    # 08:00 in Madrid is 07:00 UTC in winter: the ticket came in during working time.
    ("Europe/Madrid", dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)),
    # 08:00 in New York is 13:00 UTC: five hours later than in London.
    ("America/New_York", dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC)),
])
def test_the_time_zone_decides_when_a_working_day_starts(
    org: Org, ticket: uuid.UUID, zone: str, working_day_starts: dt.datetime,
) -> None:
    org.do(ChangeSetting(key=settings.SLA_TIME_ZONE.key, value=zone), org.admin)

    start, breach = working_day_and_breach(org, ticket)

    assert start == max(working_day_starts, OPENED)
    assert breach == max(working_day_starts, OPENED) + dt.timedelta(hours=1)


def test_changing_the_zone_moves_the_breach_of_a_ticket_already_filed(
    org: Org, ticket: uuid.UUID,
) -> None:
    _, in_utc = working_day_and_breach(org, ticket)
    org.do(ChangeSetting(key=settings.SLA_TIME_ZONE.key, value="Asia/Tokyo"), org.admin)
    _, in_tokyo = working_day_and_breach(org, ticket)

    # 07:30 UTC is 16:30 in Tokyo: one hour and a half of the working day is left, so
    # the hour runs out at 17:30 Tokyo time, 08:30 UTC, before London opens.
    assert in_utc == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    assert in_tokyo == dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)


def test_a_zone_that_does_not_exist_is_refused_and_the_old_one_stays(org: Org) -> None:
    org.do(ChangeSetting(key=settings.SLA_TIME_ZONE.key, value="Europe/Madrid"), org.admin)

    error = refused(org, ChangeSetting(key=settings.SLA_TIME_ZONE.key, value="Mars/Olympus"),
                    org.admin, VALIDATION)

    assert (error.field, error.message) == (
        "sla_time_zone", "Setting 'SLA time zone': 'Mars/Olympus' is not a known time zone "
                         "(for example Europe/Madrid or UTC).")
    with reading(org) as session:
        assert get_setting(session, settings.SLA_TIME_ZONE) == "Europe/Madrid"
