"""The ticket view's Statistics tab: the figures of a ticket whose every hour is known,
its three tables, and the workunits-by-author chart."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktopdesk.domain.ticket_statistics import TimeShare
from desktopdesk.ui import ticket_statistics_source, ticket_view_source
from desktopdesk.ui.bar_chart import Bar
from desktopdesk.ui.palette import contrast_ratio
from desktopdesk.ui.sla_histogram import moment_text
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_statistics_tab import TicketStatisticsTab, TimeShareTableModel
from desktopdesk.ui.ticket_view import TicketView
from tests.conftest import Org
from tests.domain.test_ticket_statistics import at, lived
from tests.ui.conftest import Embed
from tests.ui.test_dark_mode import unreadable
from tests.ui.test_palette import MakeAppearance, appearances
from tests.ui.test_ticket_view import wait_loaded

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


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
def ticket(org: Org, monkeypatch: pytest.MonkeyPatch) -> uuid.UUID:
    """``lived``'s twelve hours, read at hour 12."""
    monkeypatch.setattr(ticket_statistics_source, "utc_now", lambda: at(12))
    return lived(org)


def statistics_tab(qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner,
                   user: uuid.UUID, ticket: uuid.UUID) -> TicketStatisticsTab:
    tab = TicketStatisticsTab(org.ws, user, runner)
    embed(tab, 1100, 640)
    details = ticket_view_source.load_details(org.ws, user, ticket).details
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.show_details(details)
    return tab


def shown(model: TimeShareTableModel) -> list[list[str]]:
    return [[model.index(row, column).data() for column in range(model.columnCount())]
            for row in range(model.rowCount())]


def test_the_tab_shows_the_figures_of_the_ticket(
        qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner, ticket: uuid.UUID) -> None:
    tab = statistics_tab(qtbot, org, embed, runner, org.ramon, ticket)
    assert tab.general_texts() == {
        "opened": f"{moment_text(at(0))} (12 hours ago)",
        "closed": "Not yet",
        "updated": f"{moment_text(at(11))} (1 hour ago)",
        "time_open": "10 h",
        "without_third_party": "8 h",
        "first_response": f"After 1 h ({moment_text(at(1))})",
        "workunits": f"3 workunits, 4 h recorded; the last on {moment_text(at(7))}",
    }
    assert shown(tab.status_model) == [
        ["Assigned", "4 h", "40 %"], ["New", "2 h", "20 %"],
        ["Pending on a third person", "2 h", "20 %"], ["Reopened (now)", "2 h", "20 %"]]
    assert shown(tab.owner_model) == [["Ramon", "6 h", "60 %"], ["Tomas (now)", "4 h", "40 %"]]
    assert shown(tab.group_model) == [["Acme", "9 h", "90 %"], ["Support (now)", "1 h", "10 %"]]
    assert tab.status_model.headerData(0, tab.status_table.horizontalHeader().orientation()) \
        == "Status"
    assert tab.status_table.isVisible()


def test_the_chart_draws_a_bar_per_author_with_words_for_screen_readers(
        qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner, ticket: uuid.UUID) -> None:
    tab = statistics_tab(qtbot, org, embed, runner, org.ramon, ticket)
    chart = tab.chart
    assert chart.isVisible()
    assert chart.bars == (Bar("Tomas", 1, "1 (2 h)"), Bar("Ramon", 1, "1 (1.5 h)"),
                          Bar("Acme.Ana", 1, "1 (0.5 h)"))
    assert chart.accessibleDescription() == "Tomas: 1 (2 h); Ramon: 1 (1.5 h); " \
                                            "Acme.Ana: 1 (0.5 h)."
    image = chart.grab().toImage()
    window = chart.palette().color(chart.backgroundRole())
    for row in range(3):
        bar = chart.bar_rect(row)
        assert bar.width() > 50
        painted = image.pixelColor(int(bar.center().x()), int(bar.center().y()))
        assert contrast_ratio(painted, window) >= 3.0
    assert chart.row_at(chart.bar_rect(1).center().y()) == 1


def test_a_customer_sees_only_the_work_they_may_read(
        qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner, ticket: uuid.UUID) -> None:
    tab = statistics_tab(qtbot, org, embed, runner, org.ana, ticket)
    assert tab.general_texts()["workunits"].startswith("2 workunits, 2 h recorded")
    assert [bar.name for bar in tab.chart.bars] == ["Ramon", "Acme.Ana"]


def test_the_view_reads_the_statistics_once_the_tab_is_shown(
        qtbot: QtBot, org: Org, open_view: OpenView,
        ticket: uuid.UUID) -> None:
    view = open_view(org.ramon, ticket)
    assert view.tab_title("statistics") == "Statistics"
    assert view.statistics_tab.statistics is None, "not read while another tab is shown"
    with qtbot.waitSignal(view.statistics_tab.loaded, timeout=10_000):
        view.set_current_tab("statistics")
    assert view.statistics_tab.general_texts()["time_open"] == "10 h"


def test_the_time_tables_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = TimeShareTableModel("Owner")
    model.set_entries((TimeShare("a", "Ramon", 3600, 0.6), TimeShare("b", "Tomas", 2400, 0.4,
                                                                     current=True)))
    qtmodeltester.check(model)
    model.set_entries(())
    qtmodeltester.check(model)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_tab_reads_in_light_and_dark(
        qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner, ticket: uuid.UUID,
        make_appearance: MakeAppearance, scheme: str) -> None:
    make_appearance(scheme)  # type: ignore[arg-type]
    tab = statistics_tab(qtbot, org, embed, runner, org.ramon, ticket)
    host = tab.parentWidget()
    assert isinstance(host, QWidget)
    assert unreadable(host) == []
