"""Refused commands as people see them, and the four ways out (sync.md's conflict table).

A desktop replica syncs with a server store in-process; nothing here needs Qt.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    CloseTicket,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import (
    OutboxEntry,
    OutboxState,
    Resolution,
    Status,
    SyncConflict,
    Ticket,
    Workunit,
)
from desktopdesk.sync import conflicts
from desktopdesk.sync.conflicts import ConflictAction
from desktopdesk.sync.outbox import forget_old_acked
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.sync.desktop import Desktop


@pytest.fixture
def tomas(org: Org, tmp_path: Path) -> Iterator[Desktop]:
    desktop = Desktop(org, org.tomas, tmp_path / "tomas")
    yield desktop
    desktop.ws.close()


def worked_example(org: Org, tomas: Desktop, *, epilogue: str = "") -> uuid.UUID:
    """sync.md: offline, Tomás logs 45 minutes on his ticket and closes it; meanwhile his
    lead gave the ticket to Javi. The close is refused on sync, the work log is not."""
    ticket_id = new_ticket(org, org.tomas, org.support, title="Disk failing in the NAS")
    tomas.sync()
    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.javi), org.ramon)
    tomas.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Replaced disk</p>", hours=0.75))
    tomas.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED,
                         epilogue_html=epilogue))
    summary = tomas.sync()
    assert (summary.applied, summary.rejected) == (1, 1)
    return ticket_id


def number_of(org: Org, ticket_id: uuid.UUID) -> int:
    with org.ws.read() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert ticket.number is not None
        return ticket.number


def server_ticket(org: Org, ticket_id: uuid.UUID) -> Ticket:
    with org.ws.read() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


def stored_conflict(desktop: Desktop, conflict_id: int) -> SyncConflict:
    with desktop.ws.read() as session:
        conflict = session.get(SyncConflict, conflict_id)
        assert conflict is not None
        return conflict


def test_the_worked_example_reads_as_sync_md_says(org: Org, tomas: Desktop) -> None:
    ticket_id = worked_example(org, tomas)

    (row,) = conflicts.list_conflicts(tomas.ws, tomas.user)

    number = number_of(org, ticket_id)
    assert row.summary == (f"Close of #{number} not applied: owner is now Javi. "
                           "Your work log was saved.")
    assert row.reason == f"Only the owner (Javi) can change the status of #{number}."
    assert (row.code, row.command_name, row.ticket_id) == ("not_owner", "CloseTicket",
                                                           ticket_id)
    assert (row.ticket_label, row.ticket_title) == (f"#{number}", "Disk failing in the NAS")
    assert row.actions == (ConflictAction.ASK_OWNER, ConflictAction.RETRY,
                           ConflictAction.DISCARD)
    assert conflicts.sync_counts(tomas.ws).conflicts == 1
    assert conflicts.ticket_sync_state(tomas.ws, ticket_id) == conflicts.TicketSyncState(
        pending=0, conflicts=1)
    assert conflicts.list_conflicts(tomas.ws, tomas.user, ticket_id=uuid.uuid4()) == []


def test_the_closing_note_is_kept_and_shown(org: Org, tomas: Desktop) -> None:
    worked_example(org, tomas, epilogue="<p>Swapped the <b>second</b> disk &amp; rebuilt</p>")
    (row,) = conflicts.list_conflicts(tomas.ws, tomas.user)
    assert row.user_text == "Swapped the second disk & rebuilt"


def test_asking_the_owner_posts_a_note_to_them_and_resolves_the_conflict(
        org: Org, tomas: Desktop) -> None:
    ticket_id = worked_example(org, tomas, epilogue="<p>Swapped the second disk</p>")
    (row,) = conflicts.list_conflicts(tomas.ws, tomas.user)

    outcome = conflicts.ask_owner(tomas.ws, row.conflict_id, tomas.user, now=org.now)

    number = number_of(org, ticket_id)
    assert outcome.message == f"Asked Javi about #{number}; the note goes with the next sync."
    assert conflicts.list_conflicts(tomas.ws, tomas.user) == []
    assert conflicts.sync_counts(tomas.ws).pending == 1
    stored = stored_conflict(tomas, row.conflict_id)
    assert (stored.resolution, stored.resolved_at) == ("ask_owner", org.now)
    assert stored.client_payload["args"]["epilogue_html"] == "<p>Swapped the second disk</p>"

    assert tomas.sync().applied == 1
    with org.ws.read() as session:
        notes = [w for w in session.scalars(select(Workunit).where(
            Workunit.ticket_id == ticket_id)) if w.author_id == org.tomas]
    asked = next(w for w in notes if "Could you close it?" in w.text_html)
    assert asked.text_html.startswith(
        f"<p>Javi: Tomas wanted to close #{number} as “Fixed”, but it was yours")
    assert "Swapped the second disk" in asked.text_html
    assert asked.hours == 0
    assert server_ticket(org, ticket_id).status is not Status.CLOSED  # Javi decides


def test_a_conflict_is_resolved_once(org: Org, tomas: Desktop) -> None:
    worked_example(org, tomas)
    (row,) = conflicts.list_conflicts(tomas.ws, tomas.user)
    conflicts.ask_owner(tomas.ws, row.conflict_id, tomas.user)
    with pytest.raises(DomainError, match="already resolved"):
        conflicts.ask_owner(tomas.ws, row.conflict_id, tomas.user)
    with pytest.raises(DomainError, match="already resolved"):
        conflicts.discard(tomas.ws, row.conflict_id)
    assert conflicts.sync_counts(tomas.ws).pending == 1  # one note, not two


def test_retry_is_refused_here_while_it_would_be_refused_there(
        org: Org, tomas: Desktop) -> None:
    worked_example(org, tomas)
    (row,) = conflicts.list_conflicts(tomas.ws, tomas.user)
    with pytest.raises(DomainError) as refused:
        conflicts.retry(tomas.ws, row.conflict_id, tomas.user)
    assert refused.value.code == "not_owner"
    assert conflicts.sync_counts(tomas.ws).pending == 0  # nothing was queued
    assert [r.conflict_id for r in conflicts.list_conflicts(tomas.ws, tomas.user)] == [
        row.conflict_id]


def test_retry_sends_a_new_command_that_the_server_decides_again(
        org: Org, tomas: Desktop) -> None:
    ticket_id = worked_example(org, tomas)
    (row,) = conflicts.list_conflicts(tomas.ws, tomas.user)
    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.tomas), org.javi)  # given back
    tomas.sync()
    (row,) = conflicts.list_conflicts(tomas.ws, tomas.user)
    assert ConflictAction.ASK_OWNER not in row.actions  # he is the owner again

    outcome = conflicts.retry(tomas.ws, row.conflict_id, tomas.user)

    assert outcome.ticket_id == ticket_id
    with tomas.ws.read() as session:
        refused = session.get(OutboxEntry, row.mutation_id)
        again = session.get(OutboxEntry, outcome.mutation_id)
        assert refused is not None
        assert again is not None
        assert again.command_id != refused.command_id
        assert again.mutation_id > refused.mutation_id
        assert ({**again.payload["args"], "command_id": None}
                == {**refused.payload["args"], "command_id": None})
    assert tomas.sync().applied == 1
    assert server_ticket(org, ticket_id).status is Status.CLOSED
    assert stored_conflict(tomas, row.conflict_id).resolution == "retry"


def test_a_work_log_on_a_ticket_that_left_the_view_is_copied_to_a_new_ticket(
        org: Org, tomas: Desktop) -> None:
    ticket_id = new_ticket(org, org.ana, org.acme_group, title="Projector flickers")
    tomas.sync()
    # Meanwhile the ticket moves to a queue Tomás has no access to.
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"group_id": str(org.independents)}),
           org.ramon)
    tomas.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Cable replaced; fine now</p>",
                         hours=0.5))
    assert tomas.sync().rejected == 1

    (row,) = conflicts.list_conflicts(tomas.ws, tomas.user)
    assert row.ticket_label is None
    assert row.summary == "Work log not applied: the ticket is no longer visible to you."
    assert row.user_text == "Cable replaced; fine now"
    assert row.actions == (ConflictAction.COPY_TO_NEW_TICKET, ConflictAction.DISCARD)

    outcome = conflicts.copy_to_new_ticket(tomas.ws, row.conflict_id, tomas.user,
                                           group_id=org.support)

    assert outcome.message == f"Copied to the new ticket #L{outcome.mutation_id} (provisional)."
    assert tomas.sync().applied == 1
    copy = server_ticket(org, outcome.ticket_id) if outcome.ticket_id else None
    assert copy is not None
    assert copy.group_id == org.support
    assert copy.title == "Work log kept from a ticket no longer visible to you"
    assert "Cable replaced; fine now" in copy.description_html
    assert "30 min" in copy.description_html
    assert stored_conflict(tomas, row.conflict_id).resolution == "copy_to_new_ticket"


def test_discard_marks_it_resolved_and_keeps_what_was_typed(org: Org, tomas: Desktop) -> None:
    worked_example(org, tomas, epilogue="<p>Swapped the second disk</p>")
    (row,) = conflicts.list_conflicts(tomas.ws, tomas.user)

    outcome = conflicts.discard(tomas.ws, row.conflict_id, now=org.now)

    assert outcome.mutation_id is None
    stored = stored_conflict(tomas, row.conflict_id)
    assert (stored.resolution, stored.resolved_at) == ("discard", org.now)
    assert stored.client_payload["args"]["epilogue_html"] == "<p>Swapped the second disk</p>"
    with tomas.ws.sessions.begin() as session:
        forget_old_acked(session, org.now.replace(year=org.now.year + 1))
    with tomas.ws.read() as session:
        refused = session.get(OutboxEntry, row.mutation_id)
        assert refused is not None
        assert refused.state == OutboxState.REJECTED  # and still there
    assert conflicts.sync_counts(tomas.ws) == conflicts.SyncCounts(
        pending=0, conflicts=0, last_ok_at=org.now, last_error="")


def test_counts_follow_local_work(org: Org, tomas: Desktop) -> None:
    ticket_id = new_ticket(org, org.tomas, org.support)
    tomas.sync()
    for n in range(3):
        tomas.do(AddWorkunit(ticket_id=ticket_id, text_html=f"<p>step {n}</p>"))
    assert conflicts.sync_counts(tomas.ws).pending == 3
    assert conflicts.ticket_sync_state(tomas.ws, ticket_id).pending == 3
    tomas.sync()
    assert conflicts.sync_counts(tomas.ws).pending == 0
