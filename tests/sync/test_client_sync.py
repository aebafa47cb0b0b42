"""A desktop replica syncing with a real server store: offline work arrives, nothing lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    CloseTicket,
    CreateTicket,
    UpdateTicketFields,
)
from desktopdesk.models import OutboxEntry, OutboxState, Resolution, Status, Ticket, Workunit
from desktopdesk.sync.client import open_conflicts
from desktopdesk.sync.rows import row_to_json
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.sync.desktop import Desktop


@pytest.fixture
def desktops(org: Org, tmp_path: Path) -> Iterator[dict[str, Desktop]]:
    made = {name: Desktop(org, getattr(org, name), tmp_path / name)
            for name in ("tomas", "ana")}
    yield made
    for desktop in made.values():
        desktop.ws.close()


def same_as_server(org: Org, desktop: Desktop) -> None:
    """The replica holds exactly the server's rows for what its user may see."""
    with org.ws.read() as server, desktop.ws.read() as local:
        perms = acl.load_permissions(server, desktop.user)
        visible = select(Ticket).where(acl.visible_tickets_clause(perms))
        expected = {t.id: row_to_json(t) for t in server.scalars(visible)}
        held = {t.id: row_to_json(t) for t in local.scalars(select(Ticket))}
        assert held == expected
        shown = select(Workunit).where(acl.visible_workunits_anywhere_clause(perms))
        assert ({w.id for w in local.scalars(select(Workunit))}
                == {w.id for w in server.scalars(shown) if w.ticket_id in expected})


def test_offline_work_reaches_the_server_and_comes_back_numbered(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ana = desktops["ana"]
    ana.sync()
    create = CreateTicket(title="Written on the train", group_id=org.acme_group)
    ana.do(create)
    ana.do(AddWorkunit(ticket_id=create.ticket_id, text_html="<p>More detail</p>"))
    assert ana.ticket(create.ticket_id).provisional_number == 1

    summary = ana.sync()

    local = ana.ticket(create.ticket_id)
    assert local.number is not None  # the server's number replaced the provisional one
    assert local.version is not None
    assert summary.applied == 2
    assert summary.still_pending == 0
    same_as_server(org, ana)


def test_the_worked_example_end_to_end(org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.tomas, org.support)
    tomas = desktops["tomas"]
    tomas.sync()
    # Meanwhile, online, Tomás's lead... no: Tomás passed it to Javi from his workstation.
    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.javi), org.tomas)
    # Offline on the laptop, Tomás logs his work and closes it.
    tomas.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Replaced disk</p>", hours=0.75))
    tomas.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED))
    assert tomas.ticket(ticket_id).status is Status.CLOSED  # locally, for now

    summary = tomas.sync()

    assert summary.rejected == 1
    local = tomas.ticket(ticket_id)
    assert local.status is not Status.CLOSED  # back to the server's truth
    assert local.owner_id == org.javi
    (conflict,) = open_conflicts(tomas.ws)
    assert conflict.code == "not_owner"
    assert "Javi" in conflict.message
    assert conflict.client_payload["command"] == "CloseTicket"  # nothing typed is lost
    with tomas.ws.read() as session:
        notes = list(session.scalars(select(Workunit).where(Workunit.ticket_id == ticket_id)))
        assert [w.hours for w in notes] == [0.75]  # the work log was saved
        states = {e.command_name: e.state for e in session.scalars(select(OutboxEntry))}
    assert states == {"AddWorkunit": OutboxState.ACKED, "CloseTicket": OutboxState.REJECTED}
    same_as_server(org, tomas)


def test_pending_edits_stay_on_top_of_newer_server_changes(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.ana, title="Printer")
    ana = desktops["ana"]
    ana.sync()
    ana.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>It smokes now</p>"))
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"priority": 4}), org.ramon)

    # Pull only (the push is lost): the server's change arrives, the local note stays.
    state_transport = ana.transport
    original_push = state_transport.push
    state_transport.push = lambda client_id, mutations: {  # type: ignore[method-assign]
        "results": [], "last_mutation_id": 0, "stopped": "offline"}
    ana.sync()
    assert ana.ticket(ticket_id).priority == 4
    with ana.ws.read() as session:
        texts = [w.text_html for w in session.scalars(select(Workunit))]
    assert "<p>It smokes now</p>" in texts

    state_transport.push = original_push  # type: ignore[method-assign]
    ana.sync()
    same_as_server(org, ana)


def test_two_desktops_converge(org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.ana, title="Shared")
    ana, tomas = desktops["ana"], desktops["tomas"]
    ana.sync()
    tomas.sync()
    ana.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>from Ana</p>"))
    tomas.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>from Tomás</p>"))
    tomas.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "Shared (triaged)"}))

    for desktop in (ana, tomas, ana):
        desktop.sync()

    same_as_server(org, ana)
    same_as_server(org, tomas)
    assert ana.ticket(ticket_id).title == "Shared (triaged)"


def test_a_refused_edit_is_undone_even_when_the_server_row_never_changed(
        org: Org, desktops: dict[str, Desktop]) -> None:
    from desktopdesk.domain.commands import ChangeSetting, CreateTicketType

    question = org.do(CreateTicketType(name="Question"), org.admin).created_id
    incident = org.do(CreateTicketType(name="Incident"), org.admin).created_id
    ticket_id = new_ticket(org, org.ana, ticket_type_id=question)
    ana = desktops["ana"]
    ana.sync()
    ana.do(UpdateTicketFields(ticket_id=ticket_id, changes={"ticket_type_id": str(incident)}))
    assert ana.ticket(ticket_id).ticket_type_id == incident
    # Meanwhile the administrator freezes ticket types: only a setting changes.
    org.do(ChangeSetting(key="allow_type_change", value=False), org.admin)

    summary = ana.sync()

    assert summary.rejected == 1
    assert ana.ticket(ticket_id).ticket_type_id == question  # restored from its shadow
    same_as_server(org, ana)
