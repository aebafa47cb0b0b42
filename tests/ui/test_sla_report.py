"""The SLA report window: opened from Tools, its figures against hand-computed ones,
narrowed by group, owner and period, its tables, and what it says when there is nothing
to measure."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QMenu,
    QPushButton,
    QTableView,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    ChangeStatus,
    CloseTicket,
    CreateSla,
    CreateTicket,
    UpdateGroup,
)
from desktopdesk.domain.sla_metrics import SlaMetrics, SlaMetricsQuery
from desktopdesk.models import Resolution, Status
from desktopdesk.ui import sla_report_window
from desktopdesk.ui.sla_histogram import moment_text
from desktopdesk.ui.sla_report_models import BreakdownTableModel
from desktopdesk.ui.sla_report_source import (
    DatePreset,
    SlaReport,
    period_query,
    preset_days,
)
from desktopdesk.ui.sla_report_window import SlaReportWindow, source_sentence
from desktopdesk.ui.sync_controller import SyncOutcome
from desktopdesk.ui.tasks import TaskRunner
from tests.conftest import T0, Org
from tests.domain.support import new_ticket
from tests.ui.conftest import MakeWindow, choose, offered, qt_modules_loaded_by
from tests.ui.test_dark_mode import unreadable
from tests.ui.test_palette import MakeAppearance, appearances

# The offscreen platform cannot pass a top-level window's size limits on, and says so.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

NOW = T0 + dt.timedelta(hours=8)  # Monday 2 March 2026, 17:00 UTC
TODAY = NOW.date()


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def utc_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class Story:
    answered: uuid.UUID  # Acme, Tomas's: answered after 1 h, closed after 4 h
    late: uuid.UUID  # Acme, Ramon's: answered after 5 h (limit 2 h: in breach 2-5 h)
    paused: uuid.UUID  # Support, Tomas's: opened at 1 h, waits on a third person 1.5-6 h
    unmeasured: uuid.UUID  # Independent customers: a group without SLA


@pytest.fixture
def story(org: Org) -> Story:
    """Round-the-clock SLA on Acme and Support (every hour counts, so the arithmetic
    stays simple): response 2 h, resolution 10 h, inactivity not checked. At 17:00:

    ============  ======  ==========  ==============  ==========
    ticket        OK      in breach   first answer    closed
    ============  ======  ==========  ==============  ==========
    answered      4 h     0           after 1 h       after 4 h
    late          5 h     3 h (2-5)   after 5 h       no
    paused        2 h     30 min      no              no
    ============  ======  ==========  ==============  ==========

    (paused: 30 min counted before the pause, the clock reaches 2 h at 7.5 h.)
    """
    sla = org.do(CreateSla(name="Round the clock", day_start_hour=0, day_end_hour=0,
                           no_sla_on_weekends=False, max_response_hours=2,
                           max_resolution_hours=10, max_inactivity_hours=0),
                 org.admin).created_id
    for group in (org.support, org.acme_group):
        org.do(UpdateGroup(group_id=group, changes={"sla_id": str(sla)}), org.admin)

    def create(actor: uuid.UUID, group: uuid.UUID, hours: float) -> uuid.UUID:
        created = org.do(CreateTicket(title="Help", group_id=group), actor, at(hours))
        assert created.created_id is not None
        return created.created_id

    answered = create(org.ana, org.acme_group, 0)
    org.do(AssignOwner(ticket_id=answered, owner_id=org.tomas), org.ramon, at(0))
    org.do(AddWorkunit(ticket_id=answered, text_html="<p>On it</p>"), org.tomas, at(1))
    org.do(CloseTicket(ticket_id=answered, resolution=Resolution.FIXED), org.tomas, at(4))
    late = create(org.bob, org.acme_group, 0)  # Acme's default owner: Ramon
    org.do(AddWorkunit(ticket_id=late, text_html="<p>Sorry</p>"), org.ramon, at(5))
    paused = create(org.javi, org.support, 1)
    org.do(AssignOwner(ticket_id=paused, owner_id=org.tomas), org.ramon, at(1))
    org.do(ChangeStatus(ticket_id=paused, status=Status.PENDING_THIRD_PERSON), org.tomas,
           at(1.5))
    org.do(ChangeStatus(ticket_id=paused, status=Status.ASSIGNED), org.tomas, at(6))
    unmeasured = create(org.carla, org.independents, 0)
    return Story(answered, late, paused, unmeasured)


OpenReport = Callable[[uuid.UUID], SlaReportWindow]


@pytest.fixture
def open_report(qtbot: QtBot, org: Org, runner: TaskRunner) -> Iterator[OpenReport]:
    """The report window as ``user_id`` opens it at 17:00 on 2 March (days in UTC), once
    its first report is shown."""
    windows: list[SlaReportWindow] = []

    def make(user_id: uuid.UUID) -> SlaReportWindow:
        window = SlaReportWindow(org.ws, user_id, runner, clock=lambda: NOW, zone=dt.UTC)
        qtbot.addWidget(window)
        windows.append(window)
        with qtbot.waitSignal(window.report_shown, timeout=10_000):
            window.show()
        return window

    yield make
    runner.wait_for_done()
    for window in windows:
        window.close()


def settled(qtbot: QtBot, window: SlaReportWindow, done: Callable[[SlaMetricsQuery], bool],
            ) -> SlaMetrics:
    """Wait until the report shown is the one for the query ``done`` accepts."""
    qtbot.waitUntil(lambda: window.report is not None and not window.is_loading
                    and done(window.report.query), timeout=10_000)
    assert window.report is not None
    return window.report.metrics


def table_rows(table: QTableView) -> list[list[str]]:
    model = table.model()
    return [[model.index(row, column).data() for column in range(model.columnCount())]
            for row in range(model.rowCount())]


def days(window: SlaReportWindow) -> tuple[dt.date, dt.date]:
    """The first and last day the date fields show."""
    first, last = window.filters.from_date.date(), window.filters.to_date.date()
    return (dt.date(first.year(), first.month(), first.day()),
            dt.date(last.year(), last.month(), last.day()))


def bars(window: SlaReportWindow) -> list[tuple[str, float]]:
    return [(bar.name, bar.value) for bar in window.summary.violations_chart.bars]


# --- Opening ----------------------------------------------------------------------------


# Nor can it raise a window.
@pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
def test_the_tools_menu_opens_one_report_window_and_raises_it_again(
    qtbot: QtBot, org: Org, story: Story, make_window: MakeWindow,
) -> None:
    main = make_window(org.ramon)
    tools = main.findChild(QMenu, "menu_tools")
    assert tools is not None
    entry = next(a for a in tools.actions() if a.objectName() == "action_sla_report")
    assert entry.text() == "&SLA report…"
    assert entry.shortcut().toString() == "Ctrl+Shift+R"
    entry.trigger()
    report = main.findChild(SlaReportWindow)
    assert report is not None
    with qtbot.waitSignal(report.report_shown, timeout=10_000):
        pass
    assert report.isVisible()
    assert report.windowTitle() == "SLA report — DesktopDesk"
    assert report.isWindow(), "a window of its own, beside the main one"
    report.close()
    entry.trigger()
    assert main.findChildren(SlaReportWindow) == [report]
    assert report.isVisible()
    qtbot.waitUntil(lambda: not report.is_loading)


@pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
def test_an_open_report_is_computed_again_after_a_sync_brings_changes(
    qtbot: QtBot, org: Org, story: Story, make_window: MakeWindow,
) -> None:
    main = make_window(org.ramon)
    report = main.show_sla_report()
    with qtbot.waitSignal(report.report_shown, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: not report.is_loading)

    with qtbot.waitSignal(report.report_shown, timeout=10_000):
        main._on_sync_controller_sync_finished(SyncOutcome(
            pulled_rows=3, applied=0, rejected=0, new_conflicts=(), rebuilt=False))
    qtbot.waitUntil(lambda: not report.is_loading)


def test_every_control_is_named_and_the_filters_offer_what_the_reader_may_see(
    org: Org, story: Story, open_report: OpenReport,
) -> None:
    window = open_report(org.ramon)
    for kind in (QComboBox, QDateEdit, QPushButton, QTableView):
        for widget in window.findChildren(kind):
            assert isinstance(widget, QWidget)
            assert widget.objectName(), widget
            assert widget.accessibleName(), widget.objectName()
    assert offered(window.filters.group) == ["Any group", "Acme", "Independent customers (no SLA)",
                                     "Support"]
    assert offered(window.filters.owner)[0] == "Anyone"
    assert {"Ramon", "Tomas", "Javi"} <= set(offered(window.filters.owner))
    assert window.filters.period.currentText() == "Last 30 days"


# --- The figures --------------------------------------------------------------------------


def test_the_summary_and_tables_show_the_hand_computed_figures(
    org: Org, story: Story, open_report: OpenReport,
) -> None:
    window = open_report(org.ramon)
    summary = window.summary
    assert window.pages.currentWidget() is not window.message
    assert summary.texts() == {"compliance": "76 %",  # 11 h OK of 14 h 30 min
                               "tickets": "3",  # not the one in a group without SLA
                               "breach": "3 h 30 min",
                               "first_response": "3 h",  # (1 h + 5 h) / 2
                               "resolution": "4 h"}
    assert summary.captions["compliance"].text() == (
        "of the counted time within the SLA; 81 % per ticket on average")  # (100+62.5+80)/3
    assert summary.captions["breach"].text() == "of 14 h 30 min counted; 11 h within the SLA"
    assert summary.captions["first_response"].text() == "on average, 2 tickets first answered"
    assert summary.captions["resolution"].text() == "on average, 1 ticket closed"
    assert bars(window) == [("Response time", 2), ("Resolution time", 0), ("Inactivity", 0)]
    assert summary.violations_heading.text() == "Violations by limit (2)"
    assert table_rows(window.group_table) == [
        ["Acme", "2", "75 %", "1", "3 h", "4 h"],
        ["Support", "1", "80 %", "1", "—", "—"],
    ]
    assert table_rows(window.owner_table) == [
        ["Ramon", "1", "62 %", "1", "5 h", "—"],
        ["Tomas", "2", "92 %", "1", "1 h", "4 h"],  # 6 h OK of 6 h 30 min
    ]


def test_choosing_a_group_narrows_the_figures_to_its_tickets(
    qtbot: QtBot, org: Org, story: Story, open_report: OpenReport,
) -> None:
    window = open_report(org.ramon)
    choose(qtbot, window.filters.group, "Acme")
    settled(qtbot, window, lambda q: q.group_id == org.acme_group)
    assert window.summary.texts() == {"compliance": "75 %", "tickets": "2", "breach": "3 h",
                                      "first_response": "3 h", "resolution": "4 h"}
    assert bars(window) == [("Response time", 1), ("Resolution time", 0), ("Inactivity", 0)]
    assert [row[0] for row in table_rows(window.group_table)] == ["Acme"]
    assert [row[:2] for row in table_rows(window.owner_table)] == [["Ramon", "1"],
                                                                   ["Tomas", "1"]]

    choose(qtbot, window.filters.group, "Support")
    settled(qtbot, window, lambda q: q.group_id == org.support)
    assert window.summary.texts() == {"compliance": "80 %", "tickets": "1",
                                      "breach": "30 min", "first_response": "—",
                                      "resolution": "—"}
    assert window.summary.captions["first_response"].text() == "no ticket first answered"

    choose(qtbot, window.filters.group, "Independent customers (no SLA)")
    settled(qtbot, window, lambda q: q.group_id == org.independents)
    assert window.message.isVisible()
    assert window.message.text().startswith(
        "No ticket with an SLA was open in this period in Independent customers (no SLA)")


def test_choosing_an_owner_narrows_the_figures_to_their_tickets(
    qtbot: QtBot, org: Org, story: Story, open_report: OpenReport,
) -> None:
    window = open_report(org.ramon)
    choose(qtbot, window.filters.owner, "Tomas")
    settled(qtbot, window, lambda q: q.owner_id == org.tomas)
    assert window.summary.texts()["tickets"] == "2"
    assert window.summary.texts()["compliance"] == "92 %"
    assert [row[0] for row in table_rows(window.owner_table)] == ["Tomas"]
    assert [row[0] for row in table_rows(window.group_table)] == ["Acme", "Support"]


def test_each_person_measures_only_the_tickets_they_may_see(
    org: Org, story: Story, open_report: OpenReport,
) -> None:
    ana = open_report(org.ana)  # an Acme customer
    assert ana.summary.texts()["tickets"] == "2"
    assert [row[0] for row in table_rows(ana.group_table)] == ["Acme"]
    assert "Support" not in offered(ana.filters.group)


# --- The period ---------------------------------------------------------------------------


def test_period_presets_set_the_days_and_the_range_measured(
    qtbot: QtBot, org: Org, story: Story, open_report: OpenReport,
) -> None:
    window = open_report(org.ramon)
    assert days(window) == (dt.date(2026, 2, 1), TODAY)  # 30 days, today included
    assert window.report is not None
    assert window.report.query.start == utc_day(dt.date(2026, 2, 1))
    assert window.report.metrics.end == NOW, "never past now"

    choose(qtbot, window.filters.period, "Last month")
    metrics = settled(qtbot, window, lambda q: q.end == utc_day(dt.date(2026, 3, 1)))
    assert window.report is not None
    assert window.report.query.start == utc_day(dt.date(2026, 2, 1))
    assert days(window) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert metrics.tickets == 0  # every ticket was opened on 2 March
    assert window.message.isVisible()
    assert window.message.text().startswith("No ticket with an SLA was open in this period.")

    choose(qtbot, window.filters.period, "Last 7 days")
    metrics = settled(qtbot, window, lambda q: q.start == utc_day(dt.date(2026, 2, 24)))
    assert metrics.tickets == 3
    assert window.summary.texts()["compliance"] == "76 %"
    assert not window.message.isVisible()


def test_picking_days_by_hand_makes_a_custom_period(
    qtbot: QtBot, org: Org, story: Story, open_report: OpenReport,
) -> None:
    window = open_report(org.ramon)
    window.filters.set_days(dt.date(2026, 3, 3), dt.date(2026, 3, 5))
    assert window.filters.period.currentText() == "Custom"
    metrics = settled(qtbot, window, lambda q: q.start == utc_day(dt.date(2026, 3, 3)))
    assert metrics.tickets == 0  # after now: nothing happened yet
    from_date = window.filters.from_date
    from_date.setDate(from_date.date().addDays(10))  # past the last day
    assert days(window) == (dt.date(2026, 3, 13),) * 2, "the last day follows"
    window.filters.set_days(TODAY, TODAY)
    metrics = settled(qtbot, window, lambda q: q.start == utc_day(TODAY))
    assert metrics.tickets == 3
    assert window.filters.period.currentText() == "Custom", "kept while computing again"


@pytest.mark.parametrize(("preset", "today", "days"), [
    (DatePreset.LAST_7_DAYS, dt.date(2026, 3, 2), (dt.date(2026, 2, 24), dt.date(2026, 3, 2))),
    (DatePreset.LAST_30_DAYS, dt.date(2026, 3, 2), (dt.date(2026, 2, 1), dt.date(2026, 3, 2))),
    (DatePreset.THIS_MONTH, dt.date(2026, 3, 2), (dt.date(2026, 3, 1), dt.date(2026, 3, 2))),
    (DatePreset.LAST_MONTH, dt.date(2026, 1, 15), (dt.date(2025, 12, 1), dt.date(2025, 12, 31))),
    (DatePreset.LAST_MONTH, dt.date(2024, 3, 31), (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
])
def test_presets_cover_whole_days(preset: DatePreset, today: dt.date,
                                  days: tuple[dt.date, dt.date]) -> None:
    assert preset_days(preset, today) == days


def test_a_period_runs_from_local_midnight_to_the_midnight_after_its_last_day() -> None:
    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    query = period_query(dt.date(2026, 3, 29), dt.date(2026, 3, 29), madrid,
                         group_id=uuid.UUID(int=1))
    assert query.start == dt.datetime(2026, 3, 28, 23, 0, tzinfo=dt.UTC)
    assert query.end == dt.datetime(2026, 3, 29, 22, 0, tzinfo=dt.UTC)  # a 23-hour day (DST)
    assert query.group_id == uuid.UUID(int=1)
    with pytest.raises(ValueError, match="ends before"):
        period_query(dt.date(2026, 3, 2), dt.date(2026, 3, 1), madrid)
    with pytest.raises(ValueError, match="custom"):
        preset_days(DatePreset.CUSTOM, dt.date(2026, 3, 2))


# --- Tables -------------------------------------------------------------------------------


def test_the_tables_pass_the_model_tester_and_sort_on_numbers(
    qtbot: QtBot, qtmodeltester: ModelTester, org: Org, story: Story,
    open_report: OpenReport,
) -> None:
    window = open_report(org.ramon)
    for table in (window.group_table, window.owner_table):
        qtmodeltester.check(table.source_model)
        qtmodeltester.check(table.proxy)
    qtmodeltester.check(BreakdownTableModel("Group"))  # nothing yet
    window.group_table.sortByColumn(BreakdownTableModel.COMPLIANCE,
                                    Qt.SortOrder.DescendingOrder)
    assert [row[0] for row in table_rows(window.group_table)] == ["Support", "Acme"]
    window.owner_table.sortByColumn(BreakdownTableModel.RESOLUTION,
                                    Qt.SortOrder.AscendingOrder)
    assert [row[5] for row in table_rows(window.owner_table)] == ["4 h", "—"], \
        "no resolution after the rest"
    compliance = window.group_table.proxy.index(0, BreakdownTableModel.COMPLIANCE)
    assert compliance.data(Qt.ItemDataRole.ToolTipRole) == (
        "2 h within the SLA of 2 h 30 min counted; mean per ticket 80 %")
    violations = window.group_table.proxy.index(0, BreakdownTableModel.VIOLATIONS)
    assert violations.data(Qt.ItemDataRole.ToolTipRole) == (
        "Response time 1 · Resolution time 0 · Inactivity 0")


# --- Where the figures come from, and nothing to measure --------------------------------


def test_the_report_says_it_is_computed_here_as_of_when_and_what_is_left_out(
    org: Org, story: Story, open_report: OpenReport,
) -> None:
    window = open_report(org.ramon)
    note = window.source_note.text()
    assert note.startswith(f"Computed on this desktop from the tickets stored here, at "
                           f"{moment_text(NOW)}.")
    assert "Only tickets with an SLA count" in note
    assert window.source_note.isVisible()


def test_a_replica_names_its_last_sync() -> None:
    synced = NOW - dt.timedelta(minutes=5)
    report = SlaReport(query=SlaMetricsQuery(), metrics=SlaMetrics(), computed_at=NOW,
                       any_sla=True, replica=True, last_sync_at=synced)
    assert source_sentence(report) == (
        f"Computed on this desktop from its copy as of the last sync, {moment_text(synced)} "
        f"(5 min ago), at {moment_text(NOW)}: it works offline, and changes made elsewhere "
        "since then are not in it.")
    never = SlaReport(query=SlaMetricsQuery(), metrics=SlaMetrics(), computed_at=NOW,
                      any_sla=True, replica=True)
    assert "a copy not synced with the server yet" in source_sentence(never)


def test_a_workspace_without_any_sla_says_there_is_nothing_to_measure(
    org: Org, open_report: OpenReport,
) -> None:
    new_ticket(org, org.ana, at=at(0))
    window = open_report(org.ramon)
    assert window.message.isVisible()
    assert window.message.text().startswith(
        "None of the groups you can see has an SLA, so there is nothing to measure yet.")
    assert not window.summary.isVisible()
    assert offered(window.filters.group)[1] == "Acme (no SLA)"


def test_computing_shows_busy_and_a_failure_is_reported(
    qtbot: QtBot, org: Org, story: Story, open_report: OpenReport, shown: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_report(org.ramon)
    assert not window.busy.isVisible()
    window.refresh_report()
    assert window.busy.isVisible()
    assert not window.refresh_button.isEnabled()
    qtbot.waitUntil(lambda: not window.is_loading, timeout=10_000)
    assert not window.busy.isVisible()
    assert window.refresh_button.isEnabled()

    def broken(*_args: object) -> SlaReport:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sla_report_window, "load_sla_report", broken)
    window.refresh_report()
    qtbot.waitUntil(lambda: not window.is_loading, timeout=10_000)
    assert shown == ["The SLA report could not be computed."]
    assert window.summary.texts()["compliance"] == "76 %", "what was shown stays"


def test_what_the_runner_calls_loads_no_qt() -> None:
    assert qt_modules_loaded_by("desktopdesk.ui.sla_report_source") == []


@pytest.fixture
def make_appearance(qapp: QApplication) -> Iterator[MakeAppearance]:
    yield from appearances(qapp)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_report_reads_in_light_and_dark(
    org: Org, story: Story, open_report: OpenReport, make_appearance: MakeAppearance,
    scheme: str,
) -> None:
    make_appearance(scheme)  # type: ignore[arg-type]
    window = open_report(org.ramon)
    assert unreadable(window) == []
