"""The ticket view's SLA tab: the SLA in words, range presets moving the histogram and the
percentage, the breaches, a ticket without an SLA, loading only while shown."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import AddWorkunit, CreateSla, UpdateGroup
from desktopdesk.domain.sla_model import Limit, Violation
from desktopdesk.domain.ticket_sla import RangePreset, TicketSlaReport
from desktopdesk.ui import ticket_sla_source, ticket_view_source
from desktopdesk.ui.sla_histogram import moment_text
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_sla_tab import TicketSlaTab, ViolationTableModel, pct_text
from desktopdesk.ui.ticket_view import TicketView
from tests.conftest import T0, Org
from tests.domain.support import new_ticket
from tests.ui.conftest import Embed, qt_modules_loaded_by
from tests.ui.test_dark_mode import unreadable
from tests.ui.test_palette import MakeAppearance, appearances
from tests.ui.test_ticket_view import wait_loaded

HOUR = dt.timedelta(hours=1)
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def at(hours: float) -> dt.datetime:
    return T0 + hours * HOUR  # Monday 2 March 2026, 09:00 UTC


OpenView = Callable[[uuid.UUID, uuid.UUID], TicketView]


@pytest.fixture
def open_view(qtbot: QtBot, org: Org, runner: TaskRunner, embed: Embed,
              shown: list[str]) -> OpenView:
    """The whole ticket view, loaded, as the main window holds it."""

    def make(user_id: uuid.UUID, ticket_id: uuid.UUID) -> TicketView:
        view = TicketView(org.ws, user_id, runner, ticket_id)
        embed(view, 1200, 800)
        wait_loaded(qtbot, view)
        return view

    return make


@pytest.fixture
def make_appearance(qapp: QApplication) -> Iterator[MakeAppearance]:
    yield from appearances(qapp)


@pytest.fixture
def answered_late(org: Org, monkeypatch: pytest.MonkeyPatch) -> uuid.UUID:
    """Gold on Acme (response 4 h, a change every 24 h, around the clock); Ana's ticket
    answered after 6 h and left alone since; the tab reads it on Wednesday at 11:00."""
    sla = org.do(CreateSla(name="Gold", max_response_hours=4, max_resolution_hours=0,
                           max_inactivity_hours=24, day_start_hour=0, day_end_hour=0,
                           no_sla_on_weekends=False), org.admin).created_id
    org.do(UpdateGroup(group_id=org.acme_group, changes={"sla_id": str(sla)}), org.admin)
    ticket = new_ticket(org, org.ana, at=at(0))
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>Looking into it</p>"), org.ramon, at(6))
    monkeypatch.setattr(ticket_sla_source, "utc_now", lambda: at(50))
    return ticket


def sla_tab(qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner, user: uuid.UUID,
            ticket: uuid.UUID) -> TicketSlaTab:
    tab = TicketSlaTab(org.ws, user, runner)
    embed(tab, 1000, 600)
    details = ticket_view_source.load_details(org.ws, user, ticket).details
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.show_details(details)
    return tab


def test_the_tab_words_the_sla_and_shows_the_lifetime(
        qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner,
        answered_late: uuid.UUID) -> None:
    tab = sla_tab(qtbot, org, embed, runner, org.ramon, answered_late)
    assert tab.name_label.text() == "Gold — the SLA of Acme"
    assert tab.limits_label.text() == ("Response within 4 h · No more than 24 h without a "
                                       "change")
    assert tab.rules_label.text().startswith("Counted around the clock, every day (UTC).")
    assert tab.lifetime_pct.text() == "Lifetime: 56 %"  # 28 h OK of 50
    assert tab.range_pct.text() == "Compliance in this range: 56 %"  # Lifetime, at first
    assert tab.histogram.shown_range == (at(0), at(50))
    assert tab.breaches_heading.text() == "Breaches (2)"
    rows = [[tab.violation_table.proxy.index(row, column).data() for column in range(4)]
            for row in range(tab.violation_table.proxy.rowCount())]
    assert rows == [
        ["Response time", moment_text(at(4)), moment_text(at(6)), "2 h"],
        ["Inactivity", moment_text(at(30)), "ongoing", "20 h so far"],
    ]
    assert not tab.no_breaches.isVisible()


def test_range_presets_move_the_histogram_and_the_percentage(
        qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner,
        answered_late: uuid.UUID) -> None:
    tab = sla_tab(qtbot, org, embed, runner, org.ramon, answered_late)
    report = tab.report
    assert isinstance(report, TicketSlaReport)

    qtbot.mouseClick(tab.range_buttons[RangePreset.TWO_DAYS], Qt.MouseButton.LeftButton)
    assert tab.histogram.shown_range == (at(2), at(50))
    assert tab.range_pct.text() == "Compliance in this range: 54 %"  # 26 h OK of 48
    assert tab.lifetime_pct.text() == "Lifetime: 56 %", "the lifetime stays"

    qtbot.mouseClick(tab.range_buttons[RangePreset.TODAY], Qt.MouseButton.LeftButton)
    today = report.range_for(RangePreset.TODAY)
    assert tab.histogram.shown_range == (today.start, at(50))
    assert today.start > at(30)  # some midnight on Wednesday, wherever this runs
    assert tab.range_pct.text() == "Compliance in this range: 0 %"
    assert tab.range_buttons[RangePreset.TODAY].isChecked()
    assert not tab.range_buttons[RangePreset.TWO_DAYS].isChecked()

    qtbot.mouseClick(tab.range_buttons[RangePreset.MONTH], Qt.MouseButton.LeftButton)
    assert tab.histogram.shown_range == (at(50) - dt.timedelta(days=30), at(50))
    assert tab.range_pct.text() == "Compliance in this range: 56 %"


def test_a_ticket_without_an_sla_says_why(
        qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner) -> None:
    ticket = new_ticket(org, org.javi, org.support)
    tab = sla_tab(qtbot, org, embed, runner, org.javi, ticket)
    assert tab.report is None
    assert tab.message.isVisible()
    assert tab.message.text().startswith("The group Support has no SLA")
    assert not tab.histogram.isVisible()


def test_the_view_reads_the_sla_only_once_the_tab_is_shown_and_after_changes(
        qtbot: QtBot, org: Org, open_view: OpenView,
        answered_late: uuid.UUID) -> None:
    view = open_view(org.ramon, answered_late)
    assert view.tab_title("sla") == "SLA"
    assert view.sla_tab.report is None, "not read while another tab is shown"
    with qtbot.waitSignal(view.sla_tab.loaded, timeout=10_000):
        view.set_current_tab("sla")
    assert view.sla_tab.breaches_heading.text() == "Breaches (2)"
    assert "ongoing" in view.sla_tab.violations.text(view.sla_tab.violations.entry(1), 2)

    org.do(AddWorkunit(ticket_id=answered_late, text_html="<p>Still on it</p>"), org.tomas,
           at(40))
    with qtbot.waitSignal(view.sla_tab.loaded, timeout=10_000):
        view.reload()  # as after any change made in the view
    report = view.sla_tab.report
    assert report is not None
    assert report.evaluation.violations[-1].end == at(40), "touched: no longer inactive"
    assert view.sla_tab.violations.text(view.sla_tab.violations.entry(1), 2) == \
        moment_text(at(40))


def test_the_breaches_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = ViolationTableModel()
    model.set_violations((Violation(Limit.RESPONSE, at(4), at(6)),
                          Violation(Limit.INACTIVITY, at(30), None)), at(50))
    qtmodeltester.check(model)
    model.set_violations((), at(50))
    qtmodeltester.check(model)


@pytest.mark.parametrize(("pct", "text"), [
    (None, "—"), (0.0, "0 %"), (0.4, "under 1 %"), (56.0, "56 %"), (99.7, "over 99 %"),
    (100.0, "100 %")])
def test_percentages_never_round_to_a_false_0_or_100(pct: float | None, text: str) -> None:
    assert pct_text(pct) == text


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_tab_reads_in_light_and_dark(
        qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner, answered_late: uuid.UUID,
        make_appearance: MakeAppearance, scheme: str) -> None:
    make_appearance(scheme)  # type: ignore[arg-type]
    tab = sla_tab(qtbot, org, embed, runner, org.ramon, answered_late)
    host = tab.parentWidget()
    assert isinstance(host, QWidget)
    assert unreadable(host) == []


@pytest.mark.parametrize("module", ["desktopdesk.ui.ticket_sla_source",
                                    "desktopdesk.ui.ticket_statistics_source"])
def test_what_the_runner_calls_loads_no_qt(module: str) -> None:
    assert qt_modules_loaded_by(module) == []


def test_an_answer_about_the_previous_ticket_is_not_shown_for_the_next(
        qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner,
        answered_late: uuid.UUID) -> None:
    """Moved to another ticket while hidden, the tab drops the answer still coming about
    the first one, and reads the new ticket when shown again."""
    other = new_ticket(org, org.ana, at=at(1), title="Another one")
    tab = TicketSlaTab(org.ws, org.ramon, runner)
    embed(tab, 1000, 600)
    first = ticket_view_source.load_details(org.ws, org.ramon, answered_late).details
    second = ticket_view_source.load_details(org.ws, org.ramon, other).details
    tab.show_details(first)  # reading the first ticket...
    assert tab.is_loading
    tab.hide()
    tab.show_details(second)  # ...when the view moves on, the tab hidden
    qtbot.waitUntil(lambda: not runner.busy)
    qtbot.wait(50)  # the finished read's signal has been delivered
    assert tab.report is None, "the first ticket's report is not shown for the second"

    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.show()
    assert tab.report is not None
    assert tab.report.evaluation.ticket_id == other
