"""SLA standing travels to desktops; work done offline counts when it was done.

The server store is the ``org`` fixture's, its Acme group under a strict SLA (2 working
hours to respond, Monday to Friday 8-18 UTC); T0 is Monday 2 March 2026, 09:00 UTC.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain.commands import (
    AddWorkunit,
    ChangeStatus,
    CreateSla,
    UpdateGroup,
    UpdateTicketFields,
)
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.sla_state import refresh_sla_states
from desktopdesk.models import HistoryEvent, Status, Ticket, TicketSlaState, Workunit
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.http_transport import HttpTransport
from desktopdesk.sync.push import (
    MAX_MADE_AGE,
    PushedMutation,
    plausible_made_at,
    process_push,
)
from desktopdesk.sync.rows import row_to_json
from tests.conftest import T0, Org
from tests.domain.support import new_ticket
from tests.sync.desktop import Desktop
from tests.sync.inprocess import InProcessTransport, _wire

HOUR = dt.timedelta(hours=1)
CLIENT = uuid.UUID("00000000-0000-4000-8000-0000000051a0")


class DatingTransport(InProcessTransport):
    """The in-process transport speaking the whole push: each mutation's ``made_at`` and
    the push's ``sent_at``, read off the desktop's own clock (which may be wrong)."""

    def __init__(self, server: Workspace, user_id: uuid.UUID,
                 clock: Callable[[], dt.datetime],
                 desktop_clock: Callable[[], dt.datetime]) -> None:
        super().__init__(server, user_id, clock)
        self.desktop_clock = desktop_clock

    def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        batch = [PushedMutation(m["mutation_id"], m["command"],
                                dt.datetime.fromisoformat(m["made_at"]))
                 for m in _wire(mutations)]
        result = process_push(self.server, self.user_id, client_id, batch, self.clock,
                              sent_at=self.desktop_clock())
        return _wire({"results": [dataclasses.asdict(o) for o in result.outcomes],
                      "last_mutation_id": result.last_mutation_id, "stopped": result.stopped})


@pytest.fixture
def sla(org: Org) -> uuid.UUID:
    created = org.do(CreateSla(name="Strict", max_response_hours=2, max_resolution_hours=0,
                               max_inactivity_hours=0, max_open_tickets=0), org.admin,
                     at=T0 - HOUR).created_id
    assert created is not None
    org.do(UpdateGroup(group_id=org.acme_group, changes={"sla_id": str(created)}), org.admin,
           at=T0 - HOUR)
    return created


def desktop_with_clock(org: Org, folder: Path, ahead: dt.timedelta = dt.timedelta(0)) -> Desktop:
    """Ramón's laptop, its clock ``ahead`` of the server's."""
    return Desktop(org, org.ramon, folder, DatingTransport(
        org.ws, org.ramon, lambda: org.now, lambda: org.now + ahead))


@pytest.fixture
def laptop(org: Org, tmp_path: Path) -> Iterator[Desktop]:
    made = desktop_with_clock(org, tmp_path / "laptop")
    yield made
    made.ws.close()


def run_pass(org: Org, at: dt.datetime) -> None:
    with org.ws.sessions.begin() as session:
        refresh_sla_states(session, at)


def server_workunit_event(org: Org, workunit_id: uuid.UUID) -> HistoryEvent:
    with org.ws.read() as session:
        event = session.scalar(select(HistoryEvent).where(
            HistoryEvent.kind == EventKind.WORKUNIT_ADDED.value,
            HistoryEvent.new_value == str(workunit_id)))
    assert event is not None
    return event


# --- The standing reaches desktops ------------------------------------------------------


def test_a_desktop_pulls_the_fired_flag_and_the_standing(
    org: Org, sla: uuid.UUID, laptop: Desktop
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    laptop.sync()
    assert laptop.ticket(ticket_id).affected_sla_id is None

    org.now = T0 + 3 * HOUR
    run_pass(org, org.now)
    laptop.sync()

    assert laptop.ticket(ticket_id).affected_sla_id == sla
    with org.ws.read() as server, laptop.ws.read() as local:
        on_server = server.scalar(select(TicketSlaState))
        held = local.scalar(select(TicketSlaState))
        assert on_server is not None
        assert held is not None
        assert row_to_json(held) == row_to_json(on_server)
        assert (held.fired_limits, held.compliance_pct) == ("response", 67)
        mine, theirs = local.get(Ticket, ticket_id), server.get(Ticket, ticket_id)
        assert mine is not None
        assert theirs is not None
        assert row_to_json(mine) == row_to_json(theirs)


def test_a_state_the_server_clears_is_cleared_on_desktops(
    org: Org, sla: uuid.UUID, laptop: Desktop
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    org.now = T0 + 3 * HOUR
    run_pass(org, org.now)
    laptop.sync()
    with laptop.ws.read() as local:
        assert local.scalar(select(TicketSlaState)) is not None

    org.do(UpdateGroup(group_id=org.acme_group, changes={"sla_id": None}), org.admin)
    run_pass(org, org.now + HOUR)
    laptop.sync()

    with laptop.ws.read() as local:
        held = local.scalar(select(TicketSlaState))
        assert held is not None
        assert (held.sla_id, held.compliance_pct, held.fired_limits) == (None, None, "")
    assert laptop.ticket(ticket_id).affected_sla_id is None


def test_a_state_cleared_and_evaluated_again_reaches_a_desktop_over_several_pages(
    org: Org, sla: uuid.UUID, laptop: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SLA switched off and on again while a desktop was away, its next pull cut into
    small pages: the ticket's one state row travels as an update, never as a new row
    beside the old one's tombstone (which the unique ticket key would refuse)."""
    ticket_id = new_ticket(org, org.ana, at=T0)
    org.now = T0 + 3 * HOUR
    run_pass(org, org.now)
    laptop.sync()
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"sla_disabled": True}),
           org.ramon, at=org.now + HOUR)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"sla_disabled": False}),
           org.ramon, at=org.now + 2 * HOUR)
    monkeypatch.setattr("desktopdesk.sync.pull.PAGE_ROWS", 2)

    laptop.sync()

    with laptop.ws.read() as local:
        held = local.scalars(select(TicketSlaState)).all()
    assert [(row.ticket_id, row.sla_id) for row in held] == [(ticket_id, sla)]


# --- Late offline edits ---------------------------------------------------------------------


def test_a_workunit_written_offline_counts_when_it_was_written(
    org: Org, sla: uuid.UUID, laptop: Desktop
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    laptop.sync()
    org.now = T0 + HOUR  # on the train, offline: answered within the hour
    note = AddWorkunit(ticket_id=ticket_id, text_html="<p>Call me at 12.</p>")
    laptop.do(note)

    org.now = T0 + 6 * HOUR  # back at the office
    laptop.sync()

    assert server_workunit_event(org, note.workunit_id).at == T0 + HOUR
    with org.ws.read() as session:
        workunit = session.get(Workunit, note.workunit_id)
        assert workunit is not None
        assert workunit.created_at == T0 + 6 * HOUR
        state = session.scalar(select(TicketSlaState))
    assert state is not None
    assert state.compliance_pct == 100
    assert laptop.ticket(ticket_id).affected_sla_id is None


def test_the_same_workunit_without_its_time_would_have_been_late(
    org: Org, sla: uuid.UUID, tmp_path: Path
) -> None:
    """What an older desktop (no ``made_at``) gets: the guard for the test above."""
    ticket_id = new_ticket(org, org.ana, at=T0)
    old = Desktop(org, org.ramon, tmp_path / "old",
                  InProcessTransport(org.ws, org.ramon, lambda: org.now, sends_times=False))
    try:
        old.sync()
        org.now = T0 + HOUR
        note = AddWorkunit(ticket_id=ticket_id, text_html="<p>Call me at 12.</p>")
        old.do(note)
        org.now = T0 + 6 * HOUR
        old.sync()
    finally:
        old.ws.close()

    assert server_workunit_event(org, note.workunit_id).at == T0 + 6 * HOUR
    with org.ws.read() as session:
        state = session.scalar(select(TicketSlaState))
    assert state is not None
    assert state.compliance_pct == 33


def test_a_desktop_clock_an_hour_fast_is_corrected(
    org: Org, sla: uuid.UUID, tmp_path: Path
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    fast = desktop_with_clock(org, tmp_path / "fast", ahead=HOUR)
    try:
        fast.sync()
        note = AddWorkunit(ticket_id=ticket_id, text_html="<p>On my way.</p>")
        # The laptop writes it at 10:00 server time, and its clock says 11:00.
        fast.ws.execute(note, org.ramon, now=T0 + 2 * HOUR)
        org.now = T0 + 6 * HOUR
        fast.sync()
    finally:
        fast.ws.close()

    assert server_workunit_event(org, note.workunit_id).at == T0 + HOUR


def test_the_outbox_sends_when_each_change_was_made(org: Org, tmp_path: Path) -> None:
    sent: list[dict[str, Any]] = []

    class Recording(DatingTransport):
        def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
            sent.extend(mutations)
            return super().push(client_id, mutations)

    ticket_id = new_ticket(org, org.ana, at=T0)
    laptop = Desktop(org, org.ramon, tmp_path / "laptop",
                     Recording(org.ws, org.ramon, lambda: org.now, lambda: org.now))
    try:
        laptop.sync()
        org.now = T0 + HOUR
        laptop.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>noted</p>"))
        org.now = T0 + 5 * HOUR
        laptop.sync()
    finally:
        laptop.ws.close()

    assert [m["made_at"] for m in sent] == [(T0 + HOUR).isoformat()]


def test_the_http_transport_says_when_it_sends() -> None:
    posted: list[dict[str, Any]] = []

    class Client:
        def post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
            posted.append(body)
            return {"results": [], "last_mutation_id": 0}

    before = dt.datetime.now(dt.UTC)
    HttpTransport(Client()).push(CLIENT, [])  # type: ignore[arg-type]

    sent_at = dt.datetime.fromisoformat(posted[0]["sent_at"])
    assert before <= sent_at <= dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(("made", "recorded"), [
    (T0 - 6 * HOUR, T0 - 6 * HOUR),  # plausible: kept
    (T0 - dt.timedelta(days=90), T0 - MAX_MADE_AGE),  # months back: as far back as allowed
    (T0 + 2 * HOUR, T0),  # the future: now
])
def test_made_at_is_kept_within_what_the_server_finds_plausible(
    org: Org, made: dt.datetime, recorded: dt.datetime
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0 - dt.timedelta(days=100))
    note = AddWorkunit(ticket_id=ticket_id, text_html="<p>late</p>")

    result = process_push(org.ws, org.ramon, CLIENT,
                          [PushedMutation(1, note.to_json(), made)], lambda: T0, sent_at=T0)

    assert [o.outcome for o in result.outcomes] == ["applied"]
    assert server_workunit_event(org, note.workunit_id).at == recorded


def test_a_push_without_times_counts_its_changes_now(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    note = AddWorkunit(ticket_id=ticket_id, text_html="<p>from an older desktop</p>")

    process_push(org.ws, org.ramon, CLIENT, [PushedMutation(1, note.to_json())],
                 lambda: T0 + 3 * HOUR)

    assert server_workunit_event(org, note.workunit_id).at == T0 + 3 * HOUR


def test_plausibility_corrects_skew_before_clamping() -> None:
    now = T0
    slow = -HOUR  # the desktop's clock is an hour fast: the server is an hour behind it
    assert plausible_made_at(T0 - HOUR, slow, now) == T0 - 2 * HOUR
    assert plausible_made_at(T0 + HOUR, slow, now) is None  # its "11:00" is now
    half_hour = dt.timedelta(minutes=30)
    assert plausible_made_at(T0 + half_hour, slow, now) == T0 - half_hour
    assert plausible_made_at(None, slow, now) is None
    naive = (T0 - 3 * HOUR).replace(tzinfo=None)  # a desktop that sent no zone: UTC
    assert plausible_made_at(naive, dt.timedelta(0), now) == T0 - 3 * HOUR


def test_a_change_claimed_before_the_ticket_existed_is_dated_at_its_opening(
    org: Org, sla: uuid.UUID, laptop: Desktop
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    laptop.sync()
    note = AddWorkunit(ticket_id=ticket_id, text_html="<p>Answered, honest.</p>")
    laptop.ws.execute(note, org.ramon, now=T0 - 5 * HOUR)  # a clock, or a claim, too early
    org.now = T0 + 6 * HOUR
    laptop.sync()

    assert server_workunit_event(org, note.workunit_id).at == T0


def test_a_late_status_change_overtaken_on_the_server_is_dated_when_it_arrived(
    org: Org, sla: uuid.UUID, laptop: Desktop
) -> None:
    """Offline at 09:30 the laptop sets Pending on a third person; at 10:00 the server
    has Assigned; the laptop's change arrives at 15:00 and wins from then on. Dating it
    09:30 would pause 10:00-15:00, hours everyone saw the ticket Assigned."""
    ticket_id = new_ticket(org, org.ana, at=T0)
    laptop.sync()
    laptop.ws.execute(ChangeStatus(ticket_id=ticket_id, status=Status.PENDING_THIRD_PERSON),
                      org.ramon, now=T0 + HOUR / 2)
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon,
           at=T0 + HOUR)
    org.now = T0 + 6 * HOUR
    laptop.sync()

    with org.ws.read() as session:
        changes = [(event.at, event.new_value) for event in session.scalars(
            select(HistoryEvent).where(HistoryEvent.ticket_id == ticket_id,
                                       HistoryEvent.kind == EventKind.STATUS_CHANGED.value,
                                       HistoryEvent.old_value != "")  # not the creation's
            .order_by(HistoryEvent.at))]
    assert changes == [(T0 + HOUR, str(Status.ASSIGNED.value)),
                       (T0 + 6 * HOUR, str(Status.PENDING_THIRD_PERSON.value))]


def test_a_late_status_change_nobody_overtook_counts_from_when_it_was_made(
    org: Org, sla: uuid.UUID, laptop: Desktop
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    laptop.sync()
    laptop.ws.execute(ChangeStatus(ticket_id=ticket_id, status=Status.PENDING_THIRD_PERSON),
                      org.ramon, now=T0 + HOUR / 2)
    org.now = T0 + 6 * HOUR
    laptop.sync()

    with org.ws.read() as session:
        event = session.scalar(select(HistoryEvent).where(
            HistoryEvent.ticket_id == ticket_id,
            HistoryEvent.kind == EventKind.STATUS_CHANGED.value,
            HistoryEvent.new_value == str(Status.PENDING_THIRD_PERSON.value)))
    assert event is not None
    assert event.at == T0 + HOUR / 2
