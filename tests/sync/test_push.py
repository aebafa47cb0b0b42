"""The server replays each desktop's commands in order, exactly once (sync.md, Push)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    CloseTicket,
    Command,
    CreateTicket,
)
from desktopdesk.models import (
    Resolution,
    Status,
    SyncMutation,
    Ticket,
    Workunit,
)
from desktopdesk.sync.push import (
    APPLIED,
    REJECTED,
    ClientMismatchError,
    PushedMutation,
    PushResult,
    process_push,
)
from tests.conftest import Org
from tests.domain.support import new_ticket, ticket

CLIENT = uuid.UUID("00000000-0000-4000-8000-00000000c11e")


def push(org: Org, user: uuid.UUID, *commands: Command | dict[str, object],
         first: int = 1, client: uuid.UUID = CLIENT) -> PushResult:
    batch = [
        PushedMutation(first + n, c if isinstance(c, dict) else c.to_json())
        for n, c in enumerate(commands)
    ]
    return process_push(org.ws, user, client, batch, lambda: org.now)


def count(org: Org, model: type) -> int:
    with org.ws.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_new_mutations_are_applied_in_order_and_numbered_by_the_server(org: Org) -> None:
    create = CreateTicket(title="Written offline", group_id=org.acme_group)
    note = AddWorkunit(ticket_id=create.ticket_id, text_html="<p>more detail</p>")

    result = push(org, org.ana, create, note)

    assert [o.outcome for o in result.outcomes] == [APPLIED, APPLIED]
    assert result.last_mutation_id == 2
    assert ticket(org, create.ticket_id).number is not None  # the server numbers it


def test_a_duplicate_delivery_changes_nothing_and_answers_the_same(org: Org) -> None:
    create = CreateTicket(title="Once", group_id=org.acme_group)
    first = push(org, org.ana, create)
    tickets_after_first = count(org, Ticket)

    again = push(org, org.ana, create)  # the response was lost: the desktop resends

    assert again.outcomes == first.outcomes
    assert again.last_mutation_id == 1
    assert count(org, Ticket) == tickets_after_first


def test_a_gap_in_mutation_ids_stops_the_batch(org: Org) -> None:
    push(org, org.ana, CreateTicket(title="One", group_id=org.acme_group))

    result = push(org, org.ana, CreateTicket(title="Three", group_id=org.acme_group), first=3)

    assert result.outcomes == ()
    assert result.last_mutation_id == 1
    assert "expected mutation 2" in result.stopped


def test_the_worked_example_keeps_the_work_and_refuses_the_close(org: Org) -> None:
    """Offline, Tomás logs 45 minutes on a ticket and closes it; meanwhile Ramón gave it
    to Javi. The workunit is saved, the close is refused naming the new owner."""
    ticket_id = new_ticket(org, org.tomas, org.support)  # Tomás owns it
    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.javi), org.tomas)  # meanwhile

    result = push(org, org.tomas,
                  AddWorkunit(ticket_id=ticket_id, text_html="<p>Replaced disk</p>", hours=0.75),
                  CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED))

    saved, close = result.outcomes
    assert saved.outcome == APPLIED
    assert (close.outcome, close.code) == (REJECTED, "not_owner")
    assert "Javi" in close.message
    assert result.last_mutation_id == 2  # the queue does not jam
    assert ticket(org, ticket_id).status is not Status.CLOSED
    with org.ws.read() as session:
        hours = session.scalars(select(Workunit.hours).where(Workunit.ticket_id == ticket_id))
        assert list(hours) == [0.75]


def test_a_refused_create_uses_no_number_and_the_next_command_still_applies(org: Org) -> None:
    refused = CreateTicket(title="", group_id=org.acme_group)
    fine = CreateTicket(title="Fine", group_id=org.acme_group)

    result = push(org, org.ana, refused, fine)

    assert [o.outcome for o in result.outcomes] == [REJECTED, APPLIED]
    assert result.outcomes[0].code == "validation"
    assert ticket(org, fine.ticket_id).number == 1  # the refused one consumed nothing


def test_an_unreadable_command_is_rejected_not_crashed_on(org: Org) -> None:
    result = push(org, org.ana, {"command": "LaunchMissiles", "args": {}},
                  CreateTicket(title="After", group_id=org.acme_group))

    assert [(o.outcome, o.code) for o in result.outcomes] == [
        (REJECTED, "validation"), (APPLIED, "")]
    assert count(org, SyncMutation) == 2


def test_a_client_id_stays_with_its_user(org: Org) -> None:
    push(org, org.ana, CreateTicket(title="Ana's", group_id=org.acme_group))

    with pytest.raises(ClientMismatchError):
        push(org, org.bob, CreateTicket(title="Bob's", group_id=org.acme_group), first=2)
