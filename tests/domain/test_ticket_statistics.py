"""The Statistics tab's figures, from a ticket whose every hour is known: which status,
owner and group held it, when it was closed, and who wrote what."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    ChangeStatus,
    CloseTicket,
    CreateTicket,
    ReopenTicket,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import NOT_FOUND, DomainError
from desktopdesk.domain.ticket_statistics import (
    TicketStatistics,
    TimeShare,
    duration_text,
    ticket_statistics,
)
from desktopdesk.models import Resolution, Status
from tests.conftest import T0, Org
from tests.domain.support import new_ticket, reading

HOUR = dt.timedelta(hours=1)


def at(hours: float) -> dt.datetime:
    return T0 + hours * HOUR


def lived(org: Org) -> uuid.UUID:
    """Ana's ticket in Acme (owner Ramón by default), twelve hours of it:

    0-2 New, 2-3 Assigned, 3-5 Pending on a third person, 5-8 Assigned, 8-10 Closed,
    10-12 Reopened; Ramón owns it until 6, Tomás after; it moves to Support at 11.
    Workunits: Ramón at 1 (1.5 h), Tomás at 6.5 (private, 2 h), Ana at 7 (0.5 h).
    """
    ticket = new_ticket(org, org.ana, at=at(0))
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>Looking</p>", hours=1.5), org.ramon,
           at(1))
    org.do(ChangeStatus(ticket_id=ticket, status=Status.ASSIGNED), org.ramon, at(2))
    org.do(ChangeStatus(ticket_id=ticket, status=Status.PENDING_THIRD_PERSON), org.ramon,
           at(3))
    org.do(ChangeStatus(ticket_id=ticket, status=Status.ASSIGNED), org.ramon, at(5))
    org.do(AssignOwner(ticket_id=ticket, owner_id=org.tomas), org.ramon, at(6))
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>Vendor notes</p>", hours=2,
                       is_private=True), org.tomas, at(6.5))
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>Still broken</p>", hours=0.5),
           org.ana, at(7))
    org.do(CloseTicket(ticket_id=ticket, resolution=Resolution.FIXED), org.tomas, at(8))
    org.do(ReopenTicket(ticket_id=ticket), org.tomas, at(10))
    org.do(UpdateTicketFields(ticket_id=ticket, changes={"group_id": str(org.support)}),
           org.admin, at(11))
    return ticket


def stats(org: Org, reader: uuid.UUID, ticket: uuid.UUID, now: dt.datetime) -> TicketStatistics:
    with reading(org) as session:
        return ticket_statistics(session, load_permissions(session, reader), ticket, now)


def table(rows: tuple[TimeShare, ...]) -> dict[str, float]:
    """Hours per name."""
    return {row.name: row.seconds / 3600 for row in rows}


def test_time_by_status_owner_and_group_adds_up_to_the_time_open(org: Org) -> None:
    ticket = lived(org)
    figures = stats(org, org.ramon, ticket, at(12))

    assert figures.opened_at == at(0)
    assert figures.closed_at is None  # reopened
    assert figures.updated_at == at(11)
    assert figures.open_seconds == 10 * 3600  # twelve hours, two of them closed
    assert figures.without_third_party_seconds == 8 * 3600
    assert table(figures.by_status) == {"Assigned": 4, "New": 2,
                                        "Pending on a third person": 2, "Reopened": 2}
    assert table(figures.by_owner) == {"Ramon": 6, "Tomas": 4}
    assert table(figures.by_group) == {"Acme": 9, "Support": 1}
    for rows in (figures.by_status, figures.by_owner, figures.by_group):
        assert sum(row.seconds for row in rows) == figures.open_seconds
        assert sum(row.share for row in rows) == pytest.approx(1.0)
    assert [row.name for row in figures.by_status if row.current] == ["Reopened"]
    assert [row.name for row in figures.by_owner if row.current] == ["Tomas"]
    assert [row.name for row in figures.by_group if row.current] == ["Support"]
    assert figures.by_status[0].name == "Assigned"  # longest first


def test_workunits_counted_are_those_the_reader_sees(org: Org) -> None:
    ticket = lived(org)
    lead = stats(org, org.ramon, ticket, at(12))  # a manager sees the private one
    assert lead.workunit_count == 3
    assert lead.hours_recorded == 4.0
    assert [(w.author.full_name, w.workunits, w.hours) for w in lead.by_author] == [
        ("Tomas", 1, 2.0), ("Ramon", 1, 1.5), ("Acme.Ana", 1, 0.5)]
    assert lead.last_workunit_at == at(7)

    customer = stats(org, org.ana, ticket, at(12))
    assert customer.workunit_count == 2
    assert customer.hours_recorded == 2.0
    assert {w.author.full_name for w in customer.by_author} == {"Ramon", "Acme.Ana"}


def test_first_response_is_the_first_workunit_by_someone_else(org: Org) -> None:
    ticket = new_ticket(org, org.ana, at=at(0))
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>More details</p>"), org.ana, at(1))
    before = stats(org, org.ramon, ticket, at(2))
    assert before.first_response_at is None
    assert before.first_response_seconds is None

    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>On it</p>"), org.tomas, at(3))
    after = stats(org, org.ramon, ticket, at(4))
    assert after.first_response_at == at(3)
    assert after.first_response_seconds == 3 * 3600


def test_work_done_offline_counts_when_it_was_done(org: Org) -> None:
    """A workunit written at 2 on a laptop and pushed at 5 answered the ticket at 2."""
    ticket = new_ticket(org, org.ana, at=at(0))
    ctx = dataclasses.replace(org.ws.context(at(5)), made_at=at(2))
    with org.ws.user_action() as session:
        org.ws.apply_in(session, AddWorkunit(ticket_id=ticket, text_html="<p>Done</p>"),
                        org.tomas, ctx)
    figures = stats(org, org.ramon, ticket, at(6))
    assert figures.first_response_at == at(2)
    assert figures.last_workunit_at == at(2)


def test_a_ticket_filed_offline_was_open_since_it_was_filed(org: Org) -> None:
    ctx = dataclasses.replace(org.ws.context(at(5)), made_at=at(2))
    with org.ws.user_action() as session:
        result = org.ws.apply_in(session, CreateTicket(title="Filed on the train",
                                                       group_id=org.acme_group),
                                 org.ana, ctx)
    assert result.created_id is not None
    figures = stats(org, org.ramon, result.created_id, at(6))
    assert figures.opened_at == at(2)
    assert figures.open_seconds == 4 * 3600
    assert table(figures.by_status) == {"New": 4}


def test_a_closed_ticket_stops_counting_and_says_when_it_closed(org: Org) -> None:
    ticket = new_ticket(org, org.ana, at=at(0))
    org.do(CloseTicket(ticket_id=ticket, resolution=Resolution.FIXED), org.ramon, at(5))
    figures = stats(org, org.ramon, ticket, at(100))
    assert figures.closed_at == at(5)
    assert figures.open_seconds == 5 * 3600
    assert figures.age_seconds == 100 * 3600
    assert table(figures.by_status) == {"New": 5}  # Closed is never open time
    assert table(figures.by_owner) == {"Ramon": 5}


def test_a_fresh_ticket_has_its_current_values_listed(org: Org) -> None:
    ticket = new_ticket(org, org.ana, at=at(0))
    figures = stats(org, org.ana, ticket, at(0))
    assert figures.open_seconds == 0
    assert [(row.name, row.seconds, row.current) for row in figures.by_status] == [
        ("New", 0.0, True)]
    assert [row.name for row in figures.by_group] == ["Acme"]
    assert figures.workunit_count == 0
    assert figures.by_author == ()


def test_a_ticket_the_reader_may_not_see_is_not_found(org: Org) -> None:
    ticket = new_ticket(org, org.ana, at=at(0))
    with pytest.raises(DomainError) as refused:
        stats(org, org.javi, ticket, at(1))  # Support only
    assert refused.value.code == NOT_FOUND


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0 min"), (20, "under a minute"), (60, "1 min"), (3600, "1 h"), (3660, "1 h 1 min"),
    (86400, "1 d"), (90000, "1 d 1 h"), (86400 * 40 + 60, "40 d"),
])
def test_durations_read_in_their_two_largest_units(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text
