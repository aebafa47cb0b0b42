"""A standalone desktop is its own SLA server: the pass runs at start and on a timer."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import CreateSla, UpdateGroup
from desktopdesk.models import Ticket
from desktopdesk.store.workspace import Role
from desktopdesk.ui.app import evaluate_slas
from tests.conftest import Org
from tests.ui.conftest import MakeWindow, Tickets


def strict_sla_on_acme(org: Org) -> uuid.UUID:
    sla = org.do(CreateSla(name="Strict", max_response_hours=2, max_resolution_hours=0,
                           max_inactivity_hours=0, max_open_tickets=0), org.admin).created_id
    assert sla is not None
    org.do(UpdateGroup(group_id=org.acme_group, changes={"sla_id": str(sla)}), org.admin)
    return sla


def fired_sla(org: Org, ticket_id: uuid.UUID) -> uuid.UUID | None:
    with org.ws.read() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket.affected_sla_id


def test_a_standalone_store_evaluates_its_slas_at_start_and_shows_them(
        qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets) -> None:
    # The sample tickets were filed on 2 March 2026 and nobody answered Ana's; today is
    # later than that.
    sla = strict_sla_on_acme(org)
    window = make_window(org.ramon)
    qtbot.waitUntil(lambda: not window.model.is_fetching, timeout=20_000)
    row = next(r for r in range(window.model.rowCount())
               if window.model.ticket_id(r) == tickets.ana_new)
    assert not window.model.ticket_row(row).sla_fired

    timer = evaluate_slas(window)
    qtbot.waitUntil(lambda: fired_sla(org, tickets.ana_new) == sla, timeout=20_000)
    qtbot.waitUntil(lambda: not window.runner.busy and not window.model.is_fetching,
                    timeout=20_000)

    assert timer.isActive()
    row = next(r for r in range(window.model.rowCount())
               if window.model.ticket_id(r) == tickets.ana_new)
    assert window.model.ticket_row(row).sla_fired
    assert fired_sla(org, tickets.bob_closed) is None  # closed in time
    timer.stop()


def test_a_replica_leaves_its_slas_to_the_server(
        qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets) -> None:
    strict_sla_on_acme(org)
    window = make_window(org.ramon)
    org.ws.set_info("role", Role.REPLICA)

    timer = evaluate_slas(window, interval_ms=50)
    qtbot.waitUntil(lambda: not timer.isActive(), timeout=20_000)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=20_000)

    assert fired_sla(org, tickets.ana_new) is None
