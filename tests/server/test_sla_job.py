"""The server's SLA pass: every five minutes as a job, and after every command on a ticket.

On the demo server (its "today" is DEMO_TODAY, Monday 2 March 2026 09:00 UTC): Acme
applies "Acme Gold" (4 working hours to respond), Support "Standard (business hours)".
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from desktopdesk.domain.commands import AddWorkunit, CreateTicket
from desktopdesk.domain.history import EventKind
from desktopdesk.models import Group, HistoryEvent, SlaNotice, Status, Ticket, TicketSlaState
from desktopdesk.server.config import ServerConfig
from desktopdesk.server.jobs import JOBS, Outcome, run_job
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import API, DEMO_TODAY, FakeClock, login, run_as, user_id

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
JOB = {job.name: job for job in JOBS}["evaluate-slas"]


@pytest.fixture
def workspace(server_config: ServerConfig) -> Iterator[Workspace]:
    """The copied demo server's store, opened as the server opens it (no app running)."""
    with Workspace.open(server_config.data_dir, server_config.database_url) as store:
        yield store


def acme_group(store: Workspace) -> uuid.UUID:
    with store.read() as session:
        found = session.scalar(select(Group.id).where(Group.name == "Acme"))
    assert found is not None
    return found


def fired(store: Workspace, ticket_id: uuid.UUID) -> uuid.UUID | None:
    with store.read() as session:
        row = session.get(Ticket, ticket_id)
        assert row is not None
        return row.affected_sla_id


def test_the_demo_server_shows_fired_slas_from_the_start(workspace: Workspace) -> None:
    with workspace.read() as session:
        in_breach = session.scalar(select(func.count()).select_from(Ticket)
                                   .where(Ticket.affected_sla_id.is_not(None)))
        states = session.scalar(select(func.count()).select_from(TicketSlaState))
        told = session.scalar(select(func.count()).select_from(SlaNotice))
    assert in_breach
    assert states
    assert told


def test_the_job_runs_every_five_minutes_and_catches_up_with_the_clock(
    workspace: Workspace, server_config: ServerConfig
) -> None:
    assert JOB.period == 5 * MINUTE
    ticket_id = uuid.uuid4()
    run_as(workspace, "acme.ana", CreateTicket(ticket_id=ticket_id, title="Scanner offline",
                                               group_id=acme_group(workspace)),
           FakeClock(DEMO_TODAY))  # filed at 09:01; nobody answers
    assert fired(workspace, ticket_id) is None

    first = run_job(workspace, server_config, DEMO_TODAY + 2 * MINUTE, JOB)
    soon = run_job(workspace, server_config, DEMO_TODAY + 4 * MINUTE, JOB)
    later = run_job(workspace, server_config, DEMO_TODAY + 6 * HOUR, JOB)

    assert (first.outcome, soon.outcome, later.outcome) == (Outcome.RAN, Outcome.NOT_DUE,
                                                            Outcome.RAN)
    assert "in breach" in later.detail
    assert fired(workspace, ticket_id) is not None  # 4 working hours passed at 13:01
    with workspace.read() as session:
        notice = session.scalar(select(SlaNotice).where(SlaNotice.ticket_id == ticket_id))
    assert notice is not None
    assert notice.limit_kind == "response"
    assert notice.recipient_id == user_id(workspace, "ramon")  # Acme's owner by default


def test_an_answer_over_the_api_clears_the_fired_flag_at_once(
    client: TestClient, server_store: Workspace, clock: FakeClock, server_config: ServerConfig
) -> None:
    ticket_id = uuid.uuid4()
    run_as(server_store, "acme.ana", CreateTicket(
        ticket_id=ticket_id, title="Scanner offline", group_id=acme_group(server_store)), clock)
    clock.advance(6 * HOUR)
    run_job(server_store, server_config, clock(), JOB)
    assert fired(server_store, ticket_id) is not None
    with server_store.read() as session:
        number = session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))

    response = client.post(f"{API}/tickets/{number}/workunits", headers=login(client, "tomas"),
                           json={"text_html": "<p>Restarted the scanner.</p>"})

    assert response.status_code == 201, response.text
    assert fired(server_store, ticket_id) is None
    with server_store.read() as session:
        state = session.scalar(select(TicketSlaState).where(TicketSlaState.ticket_id == ticket_id))
        ticket = session.get(Ticket, ticket_id)
    assert state is not None
    assert state.fired_limits == ""
    assert ticket is not None
    assert ticket.status is not Status.CLOSED


def test_a_push_dated_earlier_counts_then_and_corrects_the_desktops_clock(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    """Over HTTP: a workunit written offline at 10:00 (laptop clock an hour fast, so it
    says 11:00) and pushed at 15:00 answers the ticket at 10:00, in time."""
    ticket_id = uuid.uuid4()
    run_as(server_store, "acme.ana", CreateTicket(
        ticket_id=ticket_id, title="Scanner offline", group_id=acme_group(server_store)), clock)
    opened = clock()
    clock.advance(6 * HOUR)  # the server's 15:01
    note = AddWorkunit(ticket_id=ticket_id, text_html="<p>Checked the cable.</p>")
    headers = login(client, "tomas")

    response = client.post(f"{API}/sync/push", headers=headers, json={
        "client_id": str(uuid.uuid4()),
        "sent_at": (clock() + HOUR).isoformat(),
        "mutations": [{"mutation_id": 1, "command": note.to_json(),
                       "made_at": (opened + 2 * HOUR).isoformat()}],
    })

    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["outcome"] == "applied"
    with server_store.read() as session:
        at = session.scalar(select(HistoryEvent.at).where(
            HistoryEvent.kind == EventKind.WORKUNIT_ADDED.value,
            HistoryEvent.new_value == str(note.workunit_id)))
        state = session.scalar(select(TicketSlaState).where(TicketSlaState.ticket_id == ticket_id))
    assert at == opened + HOUR
    assert state is not None
    assert state.compliance_pct == 100
    assert fired(server_store, ticket_id) is None


def test_a_push_from_an_older_desktop_still_applies(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    ticket_id = uuid.uuid4()
    run_as(server_store, "acme.ana", CreateTicket(
        ticket_id=ticket_id, title="Scanner offline", group_id=acme_group(server_store)), clock)
    note = AddWorkunit(ticket_id=ticket_id, text_html="<p>No times sent.</p>")

    response = client.post(f"{API}/sync/push", headers=login(client, "tomas"), json={
        "client_id": str(uuid.uuid4()),
        "mutations": [{"mutation_id": 1, "command": note.to_json()}]})

    assert response.status_code == 200, response.text
    with server_store.read() as session:
        at = session.scalar(select(HistoryEvent.at).where(
            HistoryEvent.new_value == str(note.workunit_id)))
    assert at == clock()
