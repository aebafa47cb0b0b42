"""A ticket's history as the SLA engine reads it, built from what commands recorded."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import update

from desktopdesk.domain import sla_timeline
from desktopdesk.domain.commands import (
    AddWorkunit,
    ChangeSetting,
    ChangeStatus,
    CloseTicket,
    ReopenTicket,
    UpdateTicketFields,
)
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.settings import ALLOW_CREATION_DATE
from desktopdesk.domain.sla_model import StatusChange, WorkunitMark
from desktopdesk.domain.sla_timeline import load_timelines, timeline_for
from desktopdesk.models import HistoryEvent, Resolution, Status, Ticket
from tests.conftest import T0, Org
from tests.domain.support import new_ticket

HOUR = dt.timedelta(hours=1)


def test_a_tickets_life_becomes_its_timeline(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)  # filed by Ana, owned by Ramón
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>still broken</p>"), org.ana,
           at=T0 + HOUR)
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon, at=T0 + 2 * HOUR)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>on it</p>"), org.ramon,
           at=T0 + 3 * HOUR)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon,
           at=T0 + 4 * HOUR)
    org.do(ReopenTicket(ticket_id=ticket_id), org.ramon, at=T0 + 5 * HOUR)

    with org.ws.read() as session:
        timeline = timeline_for(session, ticket_id)

    assert timeline is not None
    assert timeline.opened_at == T0
    assert timeline.creator_id == org.ana
    assert timeline.initial_status is Status.NEW
    assert timeline.status_changes == (
        StatusChange(T0 + 2 * HOUR, Status.ASSIGNED),
        StatusChange(T0 + 4 * HOUR, Status.CLOSED),
        StatusChange(T0 + 5 * HOUR, Status.REOPENED),
    )
    assert timeline.workunits == (WorkunitMark(T0 + HOUR, org.ana),
                                  WorkunitMark(T0 + 3 * HOUR, org.ramon))
    # Each command is one moment of activity, however many events it wrote.
    assert timeline.activity == tuple(T0 + n * HOUR for n in range(6))
    assert timeline.status_at(T0 + 4 * HOUR + dt.timedelta(minutes=1)) is Status.CLOSED


def test_a_ticket_never_changed_keeps_the_status_it_was_filed_with(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)

    with org.ws.read() as session:
        timeline = timeline_for(session, ticket_id)

    assert timeline is not None
    assert (timeline.initial_status, timeline.status_changes) == (Status.NEW, ())


def test_a_backdated_creation_date_opens_the_timeline_then(org: Org) -> None:
    org.do(ChangeSetting(key=ALLOW_CREATION_DATE.key, value=True), org.admin)
    filed = T0 - dt.timedelta(days=2)
    ticket_id = new_ticket(org, org.ramon, at=T0, created_at=filed)

    with org.ws.read() as session:
        timeline = timeline_for(session, ticket_id)

    assert timeline is not None
    assert timeline.opened_at == filed


def test_administrative_effects_are_not_activity(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "Printer smoking"}),
           org.ramon, at=T0 + HOUR)
    with org.ws.sessions.begin() as session:  # what removing a field or a type leaves
        for n, kind in enumerate((EventKind.FIELD_REMOVED, EventKind.CUSTOM_VALUE_DROPPED)):
            session.add(HistoryEvent(ticket_id=ticket_id, actor_id=org.admin,
                                     at=T0 + (5 + n) * HOUR, kind=kind.value, field="custom:x"))

    with org.ws.read() as session:
        timeline = timeline_for(session, ticket_id)

    assert timeline is not None
    assert timeline.activity == (T0, T0 + HOUR)


def test_a_late_status_change_dated_before_a_newer_one_still_ends_in_force(org: Org) -> None:
    """The server applied an offline Pending-on-a-third-person change (dated 10:00) after
    someone's Assigned at 11:00: the ticket is pending, and the timeline must say so."""
    ticket_id = new_ticket(org, org.ana, at=T0)
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon, at=T0 + 2 * HOUR)
    with org.ws.sessions.begin() as session:
        session.add(HistoryEvent(ticket_id=ticket_id, actor_id=org.ramon, at=T0 + HOUR,
                                 kind=EventKind.STATUS_CHANGED.value, field="status",
                                 old_value=str(Status.ASSIGNED.value),
                                 new_value=str(Status.PENDING_THIRD_PERSON.value)))
        session.execute(update(Ticket).where(Ticket.id == ticket_id)
                        .values(status=Status.PENDING_THIRD_PERSON))

    with org.ws.read() as session:
        timeline = timeline_for(session, ticket_id)

    assert timeline is not None
    assert timeline.status_at(T0 + 3 * HOUR) is Status.PENDING_THIRD_PERSON
    assert timeline.status_at(T0 + HOUR) is Status.PENDING_THIRD_PERSON


def test_many_tickets_load_in_chunks_and_unknown_ids_are_left_out(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sla_timeline, "CHUNK", 2)
    ticket_ids = [new_ticket(org, org.ana, at=T0 + n * HOUR, title=f"Ticket {n}")
                  for n in range(5)]
    for n, ticket_id in enumerate(ticket_ids):
        org.do(AddWorkunit(ticket_id=ticket_id, text_html=f"<p>note {n}</p>"), org.tomas,
               at=T0 + (n + 10) * HOUR)
    missing = uuid.uuid4()

    with org.ws.read() as session:
        timelines = load_timelines(session, [*ticket_ids, missing])
        assert timeline_for(session, missing) is None

    assert set(timelines) == set(ticket_ids)
    for n, ticket_id in enumerate(ticket_ids):
        timeline = timelines[ticket_id]
        assert timeline.opened_at == T0 + n * HOUR
        assert timeline.workunits == (WorkunitMark(T0 + (n + 10) * HOUR, org.tomas),)
