"""The SLA pass: fired flags, recorded standing, notices, and what it must never touch.

The organisation's Acme group gets a strict SLA (2 working hours to respond, Monday to
Friday 8-18 UTC); T0 is Monday 2 March 2026, 09:00 UTC. Ana files, Ramón owns.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desktopdesk.domain import sla_state
from desktopdesk.domain.commands import (
    AddWorkunit,
    ChangeSetting,
    ChangeStatus,
    CreateSla,
    UpdateGroup,
    UpdateSla,
    UpdateTicketFields,
)
from desktopdesk.domain.context import ApplyContext
from desktopdesk.domain.counters import CHANGE_SEQUENCE, next_value
from desktopdesk.domain.settings import SLA_NOTIFICATION_PERIOD_HOURS
from desktopdesk.domain.sla_notices import MAX_OPEN
from desktopdesk.domain.sla_state import (
    NotAuthorityError,
    SlaPassOutcome,
    refresh_sla_states,
    run_sla_pass,
)
from desktopdesk.models import (
    HistoryEvent,
    Resolution,
    SlaNotice,
    SlaSchedule,
    Status,
    Ticket,
    TicketSlaState,
)
from desktopdesk.store.workspace import Role
from tests.conftest import T0, Org
from tests.domain.support import new_ticket, ticket

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def make_sla(org: Org, *, group: uuid.UUID | None = None, **limits: Any) -> uuid.UUID:
    """An SLA (response 2 h, nothing else checked unless told) applied to a group."""
    values: dict[str, Any] = {"name": "Strict", "max_response_hours": 2,
                              "max_resolution_hours": 0, "max_inactivity_hours": 0,
                              "max_open_tickets": 0}
    values.update(limits)
    result = org.do(CreateSla(**values), org.admin, at=T0 - HOUR)
    assert result.created_id is not None
    org.do(UpdateGroup(group_id=group or org.acme_group,
                       changes={"sla_id": str(result.created_id)}), org.admin, at=T0 - HOUR)
    return result.created_id


@pytest.fixture
def sla(org: Org) -> uuid.UUID:
    return make_sla(org)


def run_pass(org: Org, at: dt.datetime,
             ticket_ids: list[uuid.UUID] | None = None) -> SlaPassOutcome:
    with org.ws.sessions.begin() as session:
        return refresh_sla_states(session, at, ticket_ids)


def state_of(org: Org, ticket_id: uuid.UUID) -> TicketSlaState | None:
    with org.ws.read() as session:
        return session.scalar(select(TicketSlaState).where(TicketSlaState.ticket_id == ticket_id))


def notices(org: Org) -> list[SlaNotice]:
    with org.ws.read() as session:
        return list(session.scalars(select(SlaNotice).order_by(SlaNotice.at)))


def test_an_unanswered_ticket_fires_without_being_updated(org: Org, sla: uuid.UUID) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    before = ticket(org, ticket_id)
    assert before.affected_sla_id is None  # just filed: in time

    outcome = run_pass(org, T0 + 3 * HOUR)

    after = ticket(org, ticket_id)
    assert after.affected_sla_id == sla
    assert after.updated_at == before.updated_at == T0  # not an update: auto-close reads it
    assert after.version is not None
    assert before.version is not None
    assert after.version > before.version  # but desktops receive it
    assert outcome.flags_changed == (ticket_id,)
    assert outcome.fired == 1
    state = state_of(org, ticket_id)
    assert state is not None
    assert (state.sla_id, state.fired_limits, state.fired_since) == (sla, "response", T0 + 2 * HOUR)
    assert state.compliance_pct == 67  # 2 h in time, 1 h in breach


def test_an_answer_clears_the_flag_as_the_command_is_applied(org: Org, sla: uuid.UUID) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    run_pass(org, T0 + 3 * HOUR)
    assert ticket(org, ticket_id).affected_sla_id == sla

    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Looking into it.</p>"), org.ramon,
           at=T0 + 4 * HOUR)

    assert ticket(org, ticket_id).affected_sla_id is None
    state = state_of(org, ticket_id)
    assert state is not None
    assert (state.fired_limits, state.fired_since, state.compliance_pct) == ("", None, 50)


def test_the_state_row_is_written_only_when_a_shown_value_changes(
    org: Org, sla: uuid.UUID
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>On it.</p>"), org.ramon,
           at=T0 + HOUR)
    first = state_of(org, ticket_id)
    assert first is not None
    assert first.compliance_pct == 100

    quiet = run_pass(org, T0 + 2 * HOUR)
    again = run_pass(org, T0 + 5 * HOUR)

    assert quiet.states_written == again.states_written == 0
    unchanged = state_of(org, ticket_id)
    assert unchanged is not None
    assert (unchanged.version, unchanged.updated_at) == (first.version, first.updated_at)


def test_a_moving_compliance_is_written_again_in_whole_percent(
    org: Org, sla: uuid.UUID
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    run_pass(org, T0 + 3 * HOUR)
    first = state_of(org, ticket_id)

    run_pass(org, T0 + 3 * HOUR + dt.timedelta(seconds=1))  # 66.66...% still shows 67
    same = state_of(org, ticket_id)
    run_pass(org, T0 + 4 * HOUR)  # 2 h in time, 2 h in breach
    moved = state_of(org, ticket_id)

    assert first is not None
    assert same is not None
    assert moved is not None
    assert same.version == first.version
    assert moved.compliance_pct == 50
    assert moved.version is not None
    assert first.version is not None
    assert moved.version > first.version
    assert moved.updated_at == T0 + 4 * HOUR


def test_the_owner_is_told_once_per_notification_period(org: Org, sla: uuid.UUID) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)

    run_pass(org, T0 + 3 * HOUR)
    run_pass(org, T0 + 4 * HOUR)
    run_pass(org, T0 + 26 * HOUR)  # 23 h after the first notice: still within 24 h
    assert len(notices(org)) == 1
    run_pass(org, T0 + 27 * HOUR)  # the period is over and the ticket still unanswered

    told = notices(org)
    assert [(n.at, n.limit_kind) for n in told] == [(T0 + 3 * HOUR, "response"),
                                                   (T0 + 27 * HOUR, "response")]
    first = told[0]
    assert (first.ticket_id, first.group_id, first.sla_id) == (ticket_id, None, sla)
    assert first.recipient_id == org.ramon  # the owner
    assert first.mail_wanted is True  # the SLA is enforced
    assert first.mailed_at is None
    assert "Response time" in first.detail
    assert "2 working hours" in first.detail
    assert "2026-03-02 11:00" in first.detail


def test_the_notification_period_is_a_setting(org: Org, sla: uuid.UUID) -> None:
    org.do(ChangeSetting(key=SLA_NOTIFICATION_PERIOD_HOURS.key, value=2), org.admin)
    new_ticket(org, org.ana, at=T0)

    for hours in (3, 4, 5):
        run_pass(org, T0 + hours * HOUR)

    assert [n.at for n in notices(org)] == [T0 + 3 * HOUR, T0 + 5 * HOUR]


def test_an_informative_sla_records_the_notice_without_wanting_mail(org: Org) -> None:
    make_sla(org, enforced=False)
    new_ticket(org, org.ana, at=T0)

    run_pass(org, T0 + 3 * HOUR)

    (notice,) = notices(org)
    assert notice.mail_wanted is False


def test_a_group_over_its_open_ticket_cap_tells_its_default_owner_once(org: Org) -> None:
    sla = make_sla(org, max_response_hours=0, max_open_tickets=2)
    first, second = (new_ticket(org, org.ana, at=T0, title=f"Ticket {n}") for n in range(2))
    waiting = new_ticket(org, org.ana, at=T0, title="Waiting on the vendor")
    org.do(ChangeStatus(ticket_id=waiting, status=Status.PENDING_THIRD_PERSON), org.ramon,
           at=T0)

    run_pass(org, T0 + HOUR)
    assert notices(org) == []  # two count; the one waiting on a third person does not

    new_ticket(org, org.ana, at=T0 + HOUR, title="One too many")
    run_pass(org, T0 + 2 * HOUR)
    run_pass(org, T0 + 3 * HOUR)

    (notice,) = notices(org)
    assert (notice.group_id, notice.ticket_id, notice.limit_kind) == (org.acme_group, None,
                                                                      MAX_OPEN)
    assert (notice.sla_id, notice.recipient_id, notice.at) == (sla, org.ramon, T0 + 2 * HOUR)
    assert "3 open tickets" in notice.detail
    assert "Acme" in notice.detail
    for ticket_id in (first, second):  # the cap never marks tickets fired
        assert ticket(org, ticket_id).affected_sla_id is None


def test_switching_the_sla_off_on_a_ticket_clears_it_at_once(org: Org, sla: uuid.UUID) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    run_pass(org, T0 + 3 * HOUR)
    assert state_of(org, ticket_id) is not None

    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"sla_disabled": True}), org.ramon,
           at=T0 + 4 * HOUR)

    assert ticket(org, ticket_id).affected_sla_id is None
    cleared = state_of(org, ticket_id)
    assert cleared is not None
    assert (cleared.sla_id, cleared.compliance_pct, cleared.fired_limits) == (None, None, "")


def test_a_group_losing_its_sla_clears_its_tickets_and_desktops_delete_the_state(
    org: Org, sla: uuid.UUID
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    run_pass(org, T0 + 3 * HOUR)
    state = state_of(org, ticket_id)
    assert state is not None
    org.do(UpdateGroup(group_id=org.acme_group, changes={"sla_id": None}), org.admin,
           at=T0 + 4 * HOUR)
    assert ticket(org, ticket_id).affected_sla_id == sla  # a group change touches no ticket

    outcome = run_pass(org, T0 + 5 * HOUR)

    assert outcome.flags_changed == (ticket_id,)
    assert outcome.states_cleared == 1
    assert ticket(org, ticket_id).affected_sla_id is None
    # Kept, emptied: a row deleted then made again would reach desktops before its
    # tombstone when a pull spans pages, and clash on the ticket's unique key.
    cleared = state_of(org, ticket_id)
    assert cleared is not None
    assert cleared.id == state.id
    assert (cleared.sla_id, cleared.compliance_pct, cleared.fired_limits,
            cleared.fired_since) == (None, None, "", None)
    assert cleared.version == ticket(org, ticket_id).version
    assert run_pass(org, T0 + 6 * HOUR).states_cleared == 0  # once


def test_a_changed_sla_recomputes_closed_tickets_at_the_next_pass(
    org: Org, sla: uuid.UUID
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Fixed.</p>"), org.ramon,
           at=T0 + 3 * HOUR)
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.CLOSED, resolution=Resolution.FIXED),
           org.ramon, at=T0 + 3 * HOUR)
    run_pass(org, T0 + 4 * HOUR)
    closed = state_of(org, ticket_id)
    assert closed is not None
    assert closed.compliance_pct == 67

    org.do(UpdateSla(sla_id=sla, name="Strict", description="", base_sla_id=None,
                     sla_type=0, max_response_hours=4, max_resolution_hours=0,
                     max_open_tickets=0, max_inactivity_hours=0, day_start_hour=8,
                     day_end_hour=18, no_sla_on_weekends=True, no_sla_on_holidays=True,
                     enforced=True, wall_clock=False), org.admin, at=T0 + 5 * HOUR)
    run_pass(org, T0 + 6 * HOUR)

    recomputed = state_of(org, ticket_id)
    assert recomputed is not None
    assert recomputed.compliance_pct == 100
    assert run_pass(org, T0 + 7 * HOUR).evaluated == 0  # closed and settled: left alone


def test_a_command_on_a_ticket_without_sla_costs_no_evaluation(org: Org, sla: uuid.UUID) -> None:
    ticket_id = new_ticket(org, org.ramon, org.support, at=T0)  # Support has no SLA

    assert run_pass(org, T0 + 9 * HOUR, [ticket_id]) == SlaPassOutcome()
    assert state_of(org, ticket_id) is None


def test_the_scheduled_pass_leaves_closed_tickets_alone(org: Org, sla: uuid.UUID) -> None:
    open_id = new_ticket(org, org.ana, at=T0)
    closed_id = new_ticket(org, org.ana, at=T0, title="Done")
    org.do(ChangeStatus(ticket_id=closed_id, status=Status.CLOSED, resolution=Resolution.FIXED),
           org.ramon, at=T0 + HOUR)
    assert run_pass(org, T0 + 2 * HOUR).evaluated == 2  # the first pass redoes every state

    outcome = run_pass(org, T0 + 3 * HOUR)

    assert outcome.evaluated == 1
    assert ticket(org, open_id).affected_sla_id == sla
    assert ticket(org, closed_id).affected_sla_id is None


def test_a_replica_refuses_and_its_runner_does_nothing(org: Org, sla: uuid.UUID) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    org.ws.set_info("role", Role.REPLICA)

    with pytest.raises(NotAuthorityError):
        run_pass(org, T0 + 3 * HOUR)
    outcome = run_sla_pass(org.ws, T0 + 3 * HOUR)

    assert not outcome.ran
    assert ticket(org, ticket_id).affected_sla_id is None
    with org.ws.read() as session:
        assert session.scalar(select(func.count()).select_from(SlaNotice)) == 0


def test_a_standalone_store_runs_the_scheduled_pass(org: Org, sla: uuid.UUID) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)

    outcome = run_sla_pass(org.ws, T0 + 3 * HOUR)

    assert outcome.ran
    assert outcome.fired == 1
    assert ticket(org, ticket_id).affected_sla_id == sla
    assert "1 in breach" in outcome.summary


def test_an_evaluation_failure_never_costs_the_user_their_change(
    org: Org, sla: uuid.UUID, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)

    def broken(*_args: object) -> None:
        raise RuntimeError("engine bug")

    monkeypatch.setattr("desktopdesk.domain.sla_state.evaluate", broken)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Still saved.</p>"), org.ramon,
           at=T0 + HOUR)

    with org.ws.read() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)
                              .where(Ticket.id == ticket_id, Ticket.updated_at == T0 + HOUR))
    assert "engine bug" in caplog.text


def test_a_standalone_pass_that_meets_a_concurrent_change_evaluates_again(
    org: Org, sla: uuid.UUID
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    attempts: list[int] = []

    class Busy:
        """The store, except that its first write finds the snapshot stale (SQLite)."""

        def context(self, now: dt.datetime | None = None) -> ApplyContext:
            return org.ws.context(now)

        @contextmanager
        def user_action(self) -> Iterator[Session]:
            attempts.append(1)
            with org.ws.user_action() as session:
                if len(attempts) == 1:
                    raise OperationalError("UPDATE", {}, Exception("database is locked"))
                yield session

    outcome = run_sla_pass(Busy(), T0 + 3 * HOUR)

    assert len(attempts) == 2
    assert outcome.fired == 1
    assert ticket(org, ticket_id).affected_sla_id == sla


def test_closed_tickets_get_their_standing_when_their_group_gains_an_sla(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.CLOSED, resolution=Resolution.FIXED),
           org.ramon, at=T0 + 3 * HOUR)
    run_pass(org, T0 + 4 * HOUR)
    assert state_of(org, ticket_id) is None  # no SLA yet

    make_sla(org)  # 2 h to respond; nobody wrote a word in 3 h
    run_pass(org, T0 + 5 * HOUR)

    state = state_of(org, ticket_id)
    assert state is not None
    assert (state.compliance_pct, state.fired_limits) == (67, "")
    assert ticket(org, ticket_id).affected_sla_id is None


def due_at(org: Org, ticket_id: uuid.UUID) -> dt.datetime | None:
    with org.ws.read() as session:
        row = session.get(SlaSchedule, ticket_id)
        assert row is not None
        return row.due_at


def test_the_scheduled_pass_evaluates_only_the_tickets_due(org: Org, sla: uuid.UUID) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    run_pass(org, T0 + MINUTE)  # the first pass evaluates everything once
    # Opened Monday 09:00, response within 2 working hours: nothing moves before 11:00.
    assert due_at(org, ticket_id) == T0 + 2 * HOUR

    assert run_pass(org, T0 + HOUR).evaluated == 0
    assert ticket(org, ticket_id).affected_sla_id is None

    outcome = run_pass(org, T0 + 2 * HOUR + MINUTE)

    assert outcome.evaluated == 1
    assert ticket(org, ticket_id).affected_sla_id == sla
    # In breach now: due again when its compliance loses a whole percent.
    due = due_at(org, ticket_id)
    assert due is not None
    assert T0 + 2 * HOUR + MINUTE < due < T0 + 3 * HOUR


def test_a_command_on_a_ticket_reschedules_it(org: Org, sla: uuid.UUID) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.PENDING_THIRD_PERSON), org.ramon,
           at=T0 + HOUR)
    assert due_at(org, ticket_id) is None  # paused: only a command can change it

    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon,
           at=T0 + 5 * HOUR)

    # One working hour counted before the pause, one left from 14:00.
    assert due_at(org, ticket_id) == T0 + 6 * HOUR


def test_a_ticket_whose_evaluation_failed_is_due_at_once(
    org: Org, sla: uuid.UUID, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ticket_id = new_ticket(org, org.ana, at=T0)
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.PENDING_THIRD_PERSON), org.ramon,
           at=T0 + HOUR)

    def broken(*_args: object) -> None:
        raise RuntimeError("engine bug")

    with monkeypatch.context() as patched:
        patched.setattr("desktopdesk.domain.sla_state.evaluate", broken)
        org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon,
               at=T0 + 5 * HOUR)
    assert due_at(org, ticket_id) == T0 + 5 * HOUR
    assert "engine bug" in caplog.text

    assert run_pass(org, T0 + 5 * HOUR + MINUTE).evaluated >= 1
    assert due_at(org, ticket_id) == T0 + 6 * HOUR


def test_a_ticket_a_command_changed_during_the_pass_keeps_what_its_command_found(
    org: Org, sla: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL lets commands commit while the scheduled pass evaluates: a ticket
    answered meanwhile was evaluated again by its own command, with the answer; the
    pass must not write its older verdict (in breach) over it."""
    answered = new_ticket(org, org.ana, at=T0)
    other = new_ticket(org, org.ana, at=T0, title="Unanswered")
    run_pass(org, T0 + MINUTE)
    real_write = sla_state._write

    def write_after_a_concurrent_answer(session: Session, now: dt.datetime, plan: Any,
                                        read_upto: int | None) -> SlaPassOutcome:
        # What a command committed in between leaves: events newer than the pass read.
        session.add(HistoryEvent(ticket_id=answered, actor_id=org.ramon, at=now,
                                 kind="workunit_added", version=next_value(
                                     session, CHANGE_SEQUENCE)))
        session.flush()
        return real_write(session, now, plan, read_upto)

    monkeypatch.setattr(sla_state, "_write", write_after_a_concurrent_answer)
    outcome = run_pass(org, T0 + 3 * HOUR)

    assert outcome.flags_changed == (other,)
    assert ticket(org, other).affected_sla_id == sla
    assert ticket(org, answered).affected_sla_id is None
    assert due_at(org, answered) == T0 + 2 * HOUR  # as its last evaluation left it
