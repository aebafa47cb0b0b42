"""The filter bar's SLA control: fired / not fired / compliance below or above N %, as a
person picks it, and the list it leaves on screen."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from desktopdesk.domain.commands import CreateSla
from desktopdesk.domain.ticket_list_query import TicketFilter
from desktopdesk.models import Ticket, TicketSlaState
from desktopdesk.ui.main_window import MainWindow
from desktopdesk.ui.ticket_filter_bar import DEFAULT_COMPLIANCE, SlaChoice, TicketFilterBar
from tests.conftest import Org
from tests.ui.conftest import Embed, MakeWindow, Tickets, wait_until_loaded


def choose(qtbot: QtBot, bar: TicketFilterBar, choice: SlaChoice) -> TicketFilter:
    """Pick ``choice`` in the SLA button's menu; the filter the bar then announced."""
    with qtbot.waitSignal(bar.filter_changed) as changed:
        bar.sla.action_for(choice).trigger()  # as a click on the menu entry does
    ticket_filter = changed.args[0]
    assert isinstance(ticket_filter, TicketFilter)
    return ticket_filter


def test_the_sla_control_offers_each_choice_and_the_percentage_only_when_needed(
    qtbot: QtBot, embed: Embed
) -> None:
    bar = TicketFilterBar()
    embed(bar, 1400, 60)
    menu = bar.sla.button.menu()
    assert menu is not None
    options = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert options == ["Any SLA", "SLA fired", "SLA not fired", "Compliance below…",
                       "Compliance above…"]
    assert bar.sla.button.text() == "SLA: any"
    assert not bar.sla.percent.isVisible()

    fired = choose(qtbot, bar, SlaChoice.FIRED)
    assert (fired.sla_fired, fired.compliance_below, fired.compliance_above) == (
        True, None, None)
    assert not bar.sla.percent.isVisible()
    assert bar.sla.button.text() == "SLA: fired"
    assert choose(qtbot, bar, SlaChoice.NOT_FIRED).sla_fired is False
    assert bar.sla.action_for(SlaChoice.NOT_FIRED).isChecked()
    assert not bar.sla.action_for(SlaChoice.FIRED).isChecked()  # one choice at a time

    below = choose(qtbot, bar, SlaChoice.BELOW)
    assert bar.sla.button.text() == "SLA: below"
    assert bar.sla.percent.isVisible()
    assert bar.sla.percent.text() == f"{DEFAULT_COMPLIANCE} %"
    assert (below.sla_fired, below.compliance_below, below.compliance_above) == (
        None, DEFAULT_COMPLIANCE, None)
    above = choose(qtbot, bar, SlaChoice.ABOVE)
    assert (above.compliance_below, above.compliance_above) == (None, DEFAULT_COMPLIANCE)


def test_stepping_the_percentage_filters_once_after_a_pause(
    qtbot: QtBot, embed: Embed
) -> None:
    bar = TicketFilterBar()
    embed(bar, 1400, 60)
    choose(qtbot, bar, SlaChoice.BELOW)
    announced: list[TicketFilter] = []
    bar.filter_changed.connect(announced.append)
    bar.sla.percent.setFocus()
    with qtbot.waitSignal(bar.filter_changed, timeout=3000):
        for _ in range(5):
            qtbot.keyClick(bar.sla.percent, Qt.Key.Key_Down)
    assert [f.compliance_below for f in announced] == [DEFAULT_COMPLIANCE - 5]


def test_clear_puts_the_sla_control_back_to_any(qtbot: QtBot, embed: Embed) -> None:
    bar = TicketFilterBar()
    embed(bar, 1400, 60)
    choose(qtbot, bar, SlaChoice.ABOVE)
    with qtbot.waitSignal(bar.filter_changed) as changed:
        qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    assert changed.args[0] == TicketFilter()
    assert bar.sla.current is SlaChoice.ANY
    assert bar.sla.button.text() == "SLA: any"
    assert not bar.sla.percent.isVisible()


# --- On the real list ----------------------------------------------------------------------


def listed_ids(window: MainWindow) -> set[uuid.UUID]:
    return {window.model.ticket_id(r) for r in range(window.model.rowCount())}


@pytest.fixture
def evaluated(org: Org, tickets: Tickets) -> dict[uuid.UUID, int | None]:
    """What the server's SLA pass left on the replica: compliance per ticket (None: a row
    with nothing counted yet; absent: never evaluated), two tickets fired."""
    sla = org.do(CreateSla(name="Gold"), org.admin).created_id
    compliance: dict[uuid.UUID, int | None] = {
        tickets.ramon_new: 40, tickets.javi_assigned: 95, tickets.ana_new: 70,
        tickets.ramon_pending: None, tickets.tomas_unconfirmed: 100,
    }
    with org.ws.sessions.begin() as session:
        for ticket_id, value in compliance.items():
            session.add(TicketSlaState(ticket_id=ticket_id, sla_id=sla, compliance_pct=value))
        session.execute(update(Ticket)
                        .where(Ticket.id.in_([tickets.ramon_new, tickets.ana_new]))
                        .values(affected_sla_id=sla))
    return compliance


def test_the_list_shows_the_tickets_each_sla_choice_asks_for(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets,
    evaluated: dict[uuid.UUID, int | None]
) -> None:
    window = make_window(org.ramon)
    bar = window.list_panel.filter_bar
    everything = listed_ids(window)
    assert len(everything) == 7

    choose(qtbot, bar, SlaChoice.FIRED)
    wait_until_loaded(qtbot, window)
    assert listed_ids(window) == {tickets.ramon_new, tickets.ana_new}
    assert window.count_label.text().startswith("2 listed")

    choose(qtbot, bar, SlaChoice.NOT_FIRED)
    wait_until_loaded(qtbot, window)
    assert listed_ids(window) == everything - {tickets.ramon_new, tickets.ana_new}

    choose(qtbot, bar, SlaChoice.BELOW)  # 90 %
    wait_until_loaded(qtbot, window)
    assert listed_ids(window) == {tickets.ramon_new, tickets.ana_new}
    with qtbot.waitSignal(bar.filter_changed, timeout=3000):
        bar.sla.percent.setValue(50)
    wait_until_loaded(qtbot, window)
    assert listed_ids(window) == {tickets.ramon_new}

    choose(qtbot, bar, SlaChoice.ABOVE)  # stays at 50 %: the pending one, never counted,
    wait_until_loaded(qtbot, window)  # is neither below nor above
    assert listed_ids(window) == {tickets.javi_assigned, tickets.ana_new,
                                  tickets.tomas_unconfirmed}
