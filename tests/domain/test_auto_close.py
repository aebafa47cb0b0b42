"""Idle tickets closed as Expired: which ones, by whose commands, and what a rule keeps open."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from desktopdesk.domain import workflow
from desktopdesk.domain.auto_close import (
    IdleTicket,
    close_idle_tickets,
    idle_since,
    idle_tickets,
    run_auto_close,
)
from desktopdesk.domain.commands import (
    AddWorkunit,
    ChangeSetting,
    ChangeStatus,
    CloseTicket,
    SetStatusMapping,
    UpdateUser,
)
from desktopdesk.domain.history import EventKind
from desktopdesk.models import Resolution, Status, UserKind
from tests.conftest import Org
from tests.domain.support import history, new_ticket, snapshot, ticket, workunits

DAY = dt.timedelta(days=1)


def set_days(org: Org, days: int) -> None:
    org.do(ChangeSetting(key="auto_close_days", value=days), org.admin)


def file_at(org: Org, at: dt.datetime, status: Status | None = None) -> uuid.UUID:
    """A ticket filed (and put in ``status``) at ``at``, by ana in Acme: ramon owns it."""
    ticket_id = new_ticket(org, org.ana, at=at)
    if status is not None:
        org.do(ChangeStatus(ticket_id=ticket_id, status=status), org.ramon, at)
    return ticket_id


def test_tickets_idle_for_the_days_set_are_closed_as_expired_by_their_owner(org: Org) -> None:
    set_days(org, 10)
    now = org.now + 30 * DAY
    idle = file_at(org, org.now)
    idle_assigned = file_at(org, org.now, Status.ASSIGNED)
    recent = file_at(org, now - 9 * DAY)

    outcome = run_auto_close(org.ws, now)

    assert set(outcome.closed) == {idle, idle_assigned}
    assert outcome.summary == "2 idle ticket(s) closed"
    for ticket_id in (idle, idle_assigned):
        row = ticket(org, ticket_id)
        assert row.status == Status.CLOSED
        assert row.resolution == Resolution.EXPIRED
        assert row.closed_by_id == org.ramon
        (note,) = workunits(org, ticket_id)
        assert note.author_id == org.ramon
        assert note.hours == 0
        assert "nobody updated this ticket for 10 days" in note.text_html
        (closed,) = history(org, ticket_id, EventKind.CLOSED)
        assert closed.actor_id == org.ramon
    assert ticket(org, recent).status == Status.NEW
    assert workunits(org, recent) == []


def test_tickets_waiting_on_a_third_person_or_closed_are_left_alone(org: Org) -> None:
    set_days(org, 10)
    waiting = file_at(org, org.now, Status.PENDING_THIRD_PERSON)
    done = file_at(org, org.now)
    org.do(CloseTicket(ticket_id=done, resolution=Resolution.FIXED), org.ramon, org.now)

    outcome = run_auto_close(org.ws, org.now + 30 * DAY)

    assert outcome.closed == ()
    assert ticket(org, waiting).status == Status.PENDING_THIRD_PERSON
    assert ticket(org, done).resolution == Resolution.FIXED


def test_any_update_restarts_the_wait(org: Org) -> None:
    set_days(org, 10)
    talked_about = file_at(org, org.now)
    org.do(AddWorkunit(ticket_id=talked_about, text_html="<p>Still on it</p>"), org.ana,
           org.now + 15 * DAY)
    assert run_auto_close(org.ws, org.now + 20 * DAY).closed == ()
    assert run_auto_close(org.ws, org.now + 26 * DAY).closed == (talked_about,)


def test_zero_days_switches_it_off(org: Org) -> None:
    set_days(org, 0)
    idle = file_at(org, org.now)
    before = snapshot(org)
    outcome = run_auto_close(org.ws, org.now + 3650 * DAY)
    assert outcome.summary == "auto-close is off"
    assert ticket(org, idle).status == Status.NEW
    assert snapshot(org) == before


def test_the_default_is_72_days(org: Org) -> None:
    idle = file_at(org, org.now)
    assert run_auto_close(org.ws, org.now + 71 * DAY).closed == ()
    assert run_auto_close(org.ws, org.now + 73 * DAY).closed == (idle,)


def test_a_ticket_the_status_mapping_keeps_open_is_skipped_and_logged(
    org: Org, caplog: pytest.LogCaptureFixture,
) -> None:
    set_days(org, 10)
    org.do(SetStatusMapping(transitions=workflow.manual_example()), org.admin)
    stuck = file_at(org, org.now)  # New: the manual's mapping goes nowhere near Closed
    ready = file_at(org, org.now, Status.ASSIGNED)
    org.do(ChangeStatus(ticket_id=ready, status=Status.PENDING_TO_BE_CLOSED), org.ramon,
           org.now)
    caplog.set_level("INFO", logger="desktopdesk.domain.auto_close")

    outcome = run_auto_close(org.ws, org.now + 30 * DAY)

    assert outcome.closed == (ready,)
    assert outcome.skipped == ((stuck, "The status mapping does not allow New -> Closed."),)
    assert outcome.summary == "1 idle ticket(s) closed, 1 left open (refused)"
    assert ticket(org, stuck).status == Status.NEW
    assert workunits(org, stuck) == [], "its note went back with the refused close"
    assert "auto-close left" in caplog.text
    assert "New -> Closed" in caplog.text


def test_a_disabled_owner_cannot_close_and_the_ticket_stays_open(org: Org) -> None:
    set_days(org, 10)
    idle = file_at(org, org.now)
    org.do(UpdateUser(user_id=org.ramon, full_name="Ramon", email="ramon@example.com",
                      company_id=org.helpdesk_company, kind=UserKind.GROUPED,
                      is_superadmin=False, enabled=False), org.admin)
    outcome = run_auto_close(org.ws, org.now + 30 * DAY)
    assert outcome.closed == ()
    assert [ticket_id for ticket_id, _ in outcome.skipped] == [idle]
    assert ticket(org, idle).status == Status.NEW


def test_a_replica_leaves_it_to_its_server(org: Org) -> None:
    set_days(org, 10)
    idle = file_at(org, org.now)
    org.ws.set_info("role", "replica")
    assert run_auto_close(org.ws, org.now + 30 * DAY).closed == ()
    assert ticket(org, idle).status == Status.NEW


def test_a_run_pages_through_every_idle_ticket(org: Org) -> None:
    set_days(org, 10)
    idle = {file_at(org, org.now) for _ in range(5)}
    cutoff = idle_since(org.now + 30 * DAY, 10)
    reads: list[list[IdleTicket]] = []

    def read_two(after: uuid.UUID | None) -> list[IdleTicket]:
        with org.ws.read() as session:
            reads.append(idle_tickets(session, cutoff, after=after, limit=2))
        return reads[-1]

    outcome = close_idle_tickets(
        read_two, 10, lambda commands, owner: org.ws.execute_all(
            commands, owner, now=org.now + 30 * DAY))
    assert set(outcome.closed) == idle
    assert [len(batch) for batch in reads] == [2, 2, 1, 0]
