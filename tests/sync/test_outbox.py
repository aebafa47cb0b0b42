"""A replica queues every local command with its change, and keeps what it needs to undo."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from desktopdesk.domain.commands import (
    AddWorkunit,
    CreateTicket,
    DeleteTicket,
    UpdateTicketFields,
    command_from_json,
)
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import (
    HistoryEvent,
    OutboxEntry,
    OutboxState,
    SyncShadow,
    Ticket,
    Tombstone,
    Workunit,
)
from desktopdesk.store.workspace import Role
from desktopdesk.sync.outbox import pending
from tests.conftest import Org
from tests.domain.support import new_ticket


@pytest.fixture
def replica(org: Org) -> Org:
    """The fixture's rows came from an authority (they have versions): now we defer to it."""
    org.ws.set_info("role", Role.REPLICA)
    return org


def outbox(org: Org) -> list[OutboxEntry]:
    with org.ws.read() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.mutation_id)))


def shadows(org: Org) -> dict[uuid.UUID, dict[str, object]]:
    with org.ws.read() as session:
        return {s.row_id: s.data for s in session.scalars(select(SyncShadow))}


def test_each_local_command_is_queued_in_order_with_its_payload(replica: Org) -> None:
    first = CreateTicket(title="Offline one", group_id=replica.acme_group)
    second = CreateTicket(title="Offline two", group_id=replica.acme_group)
    replica.do(first, replica.ana)
    replica.do(second, replica.ana)

    queued = outbox(replica)
    assert [e.mutation_id for e in queued] == [1, 2]
    assert [e.state for e in queued] == [OutboxState.PENDING] * 2
    assert command_from_json(queued[0].payload) == first
    assert queued[1].ticket_id == second.ticket_id
    with replica.ws.read() as session:
        assert [e.mutation_id for e in pending(session)] == [1, 2]
        ticket = session.get(Ticket, second.ticket_id)
        assert ticket is not None
        assert ticket.number is None
        assert ticket.provisional_number == 2  # the mutation id: stable across replays
        assert ticket.version is None


def test_a_refused_command_queues_nothing_and_leaves_no_gap(replica: Org) -> None:
    with pytest.raises(DomainError):
        replica.do(CreateTicket(title="", group_id=replica.acme_group), replica.ana)
    replica.do(CreateTicket(title="Fine", group_id=replica.acme_group), replica.ana)

    assert [e.mutation_id for e in outbox(replica)] == [1]


def test_server_rows_keep_one_shadow_as_the_server_sent_them(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, title="As the server has it")
    org.ws.set_info("role", Role.REPLICA)

    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "Edit 1"}), org.ana)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "Edit 2"}), org.ana)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>local note</p>"), org.ana)

    kept = shadows(org)
    assert set(kept) == {ticket_id}  # local rows (workunit, history) need no shadow
    assert kept[ticket_id]["title"] == "As the server has it"
    assert kept[ticket_id]["version"] is not None


def test_a_local_delete_keeps_shadows_of_everything_it_removed(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>server-side note</p>"), org.ramon)
    org.ws.set_info("role", Role.REPLICA)

    org.do(DeleteTicket(ticket_id=ticket_id), org.ramon)

    with org.ws.read() as session:
        workunit_ids = set(session.scalars(select(Workunit.id)))
        history_count = session.scalar(select(func.count()).select_from(HistoryEvent))
    assert workunit_ids == set()
    kept = shadows(org)
    assert ticket_id in kept
    assert len(kept) >= 1 + 1 + 6  # the ticket, its workunit, its history events
    assert history_count == 0


def test_the_authority_leaves_tombstones_for_what_a_command_deleted(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>note</p>"), org.ramon)

    result = org.do(DeleteTicket(ticket_id=ticket_id), org.ramon)

    with org.ws.read() as session:
        stones = list(session.scalars(select(Tombstone)))
        latest = session.scalar(select(func.max(Tombstone.version)))
    assert result.changed_ticket_ids == (ticket_id,)
    assert {(s.entity, s.row_id) for s in stones} >= {("tickets", ticket_id)}
    assert {s.entity for s in stones} >= {"tickets", "workunits", "history_events"}
    assert {s.ticket_id for s in stones} == {ticket_id}
    assert {s.version for s in stones} == {latest}
