"""The ticket's Statistics tab (Integria's "Statistics/Tracking"): when it was opened,
closed and updated, how long it has been open (and without a third party), the first
response; where its open time went by status, owner and group; and who wrote its
workunits, as a small bar chart.

Read on the task runner (``ticket_statistics_source``) while the tab is shown, like the
SLA tab (``LazyReportTab``). The tables are models over the frozen figures, checked
with the model tester; the chart has its rows in words for screen readers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.ticket_statistics import TicketStatistics, TimeShare, duration_text
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import ticket_statistics_source
from desktopdesk.ui.bar_chart import Bar, HorizontalBarChart
from desktopdesk.ui.form_messages import section_heading
from desktopdesk.ui.sla_histogram import moment_text
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_list_format import approximate_age
from desktopdesk.ui.ticket_sla_tab import LazyReportTab, fit_rows
from desktopdesk.ui.ticket_tab_format import hours_text
from desktopdesk.ui.ticket_tab_models import EntryTableModel
from desktopdesk.ui.ticket_tab_views import EntryTable

_PAGE_MESSAGE, _PAGE_FIGURES = range(2)
#: The general figures, by the name of the label that shows each.
GENERAL = (("opened", "Opened"), ("closed", "Closed"), ("updated", "Last updated"),
           ("time_open", "Time open"), ("without_third_party", "Time without third party"),
           ("first_response", "First response"), ("workunits", "Workunits"))


def share_text(share: float) -> str:
    percent = share * 100
    return "under 1 %" if 0 < percent < 1 else f"{percent:.0f} %"


def _when(moment: dt.datetime, now: dt.datetime) -> str:
    """"2026/03/02 09:00 (3 days, 2 hours ago)"."""
    ago = approximate_age(moment, now)
    return f"{moment_text(moment)} ({ago})" if ago == "just now" else \
        f"{moment_text(moment)} ({ago} ago)"


class TimeShareTableModel(EntryTableModel[TimeShare]):
    NAME, TIME, SHARE = range(3)
    HEADERS = ("Name", "Time open", "Share")

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.HEADERS = (what, "Time open", "Share")

    def text(self, entry: TimeShare, column: int) -> str:
        match column:
            case self.NAME:
                return f"{entry.name} (now)" if entry.current else entry.name
            case self.TIME:
                return duration_text(entry.seconds)
            case _:
                return share_text(entry.share)

    def tooltip(self, entry: TimeShare, column: int) -> str | None:
        if column == self.NAME and entry.current:
            return f"{entry.name}: in force now"
        return None

    def sort_key(self, entry: TimeShare, column: int) -> Any:
        if column in (self.TIME, self.SHARE):
            return entry.seconds
        return super().sort_key(entry, column)

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        if column in (self.TIME, self.SHARE):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.FontRole and index.isValid()
                and 0 <= index.row() < self.rowCount() and self.entry(index.row()).current):
            font = QGuiApplication.font()
            font.setBold(True)
            return font
        return super().data(index, role)


class TicketStatisticsTab(LazyReportTab):
    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("ticket_statistics_tab")
        self.setAccessibleName("Statistics")
        self.statistics: TicketStatistics | None = None
        self._build()

    def reader(self, ticket_id: uuid.UUID) -> Callable[[], Any]:
        return partial(ticket_statistics_source.load_ticket_statistics, self.workspace,
                       self.user_id, ticket_id)

    # --- Building -------------------------------------------------------------------------

    def _table(self, what: str, name: str, parent: QWidget) -> tuple[TimeShareTableModel,
                                                                     EntryTable]:
        model = TimeShareTableModel(what, self)
        table = EntryTable(model, name, f"Time open by {what.lower()}", parent,
                           stretch_column=TimeShareTableModel.NAME)
        table.fit_columns({TimeShareTableModel.TIME: "30 d 23 h",
                           TimeShareTableModel.SHARE: "100 %"})
        return model, table

    def _build(self) -> None:
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("statistics_pages")
        self.message = QLabel(self.pages)
        self.message.setObjectName("statistics_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)

        page = QWidget(self.pages)
        general = QFormLayout()
        general.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.values: dict[str, QLabel] = {}
        for name, caption in GENERAL:
            value = QLabel(page)
            value.setObjectName(f"statistics_{name}")
            value.setAccessibleName(caption)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[name] = value
            general.addRow(f"{caption}:", value)

        self.chart = HorizontalBarChart("workunits_by_author_chart", "Workunits by author",
                                        page)
        self.chart.empty_text = "No workunits you may read yet."
        self.status_model, self.status_table = self._table("Status", "time_by_status_table",
                                                           page)
        self.owner_model, self.owner_table = self._table("Owner", "time_by_owner_table", page)
        self.group_model, self.group_table = self._table("Group", "time_by_group_table", page)

        general_column = QVBoxLayout()
        general_column.addWidget(section_heading("General", "statistics_general_heading", page))
        general_column.addLayout(general)
        general_column.addStretch(1)
        chart_column = QVBoxLayout()
        chart_column.addWidget(section_heading("Workunits by author", "statistics_chart_heading",
                                             page))
        chart_column.addWidget(self.chart)
        chart_column.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(general_column, 3)
        top.addSpacing(24)  # not setSpacing: the columns inside would inherit it
        top.addLayout(chart_column, 2)

        tables = QGridLayout()
        tables.setHorizontalSpacing(16)
        for column, (title, name, table) in enumerate((
                ("Time by status", "time_by_status_heading", self.status_table),
                ("Time by owner", "time_by_owner_heading", self.owner_table),
                ("Time by group", "time_by_group_heading", self.group_table))):
            tables.addWidget(section_heading(title, name, page), 0, column)
            tables.addWidget(table, 1, column, Qt.AlignmentFlag.AlignTop)
            tables.setColumnStretch(column, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addLayout(tables)
        layout.addStretch(1)

        self.pages.addWidget(self.message)
        self.pages.addWidget(page)
        outer = QVBoxLayout(self)
        outer.addWidget(self.pages)

    # --- What is shown --------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentIndex(_PAGE_MESSAGE)

    def show_data(self, data: Any) -> None:
        assert isinstance(data, TicketStatistics)
        self.statistics = figures = data
        self.values["opened"].setText(_when(figures.opened_at, figures.now))
        self.values["closed"].setText(_when(figures.closed_at, figures.now)
                                      if figures.closed_at else "Not yet")
        self.values["updated"].setText(_when(figures.updated_at, figures.now))
        self.values["time_open"].setText(duration_text(figures.open_seconds))
        self.values["without_third_party"].setText(
            duration_text(figures.without_third_party_seconds))
        response = figures.first_response_seconds
        self.values["first_response"].setText(
            "No answer yet" if figures.first_response_at is None or response is None
            else f"After {duration_text(response)} ({moment_text(figures.first_response_at)})")
        count = figures.workunit_count
        workunits = "1 workunit" if count == 1 else f"{count} workunits"
        self.chart.setToolTip("Workunits each person wrote (hours recorded)")
        if count:
            workunits += f", {hours_text(figures.hours_recorded)} recorded"
        if figures.last_workunit_at is not None:
            workunits += f"; the last on {moment_text(figures.last_workunit_at)}"
        self.values["workunits"].setText(workunits)
        self.status_model.set_entries(figures.by_status)
        self.owner_model.set_entries(figures.by_owner)
        self.group_model.set_entries(figures.by_group)
        rows = max(len(figures.by_status), len(figures.by_owner), len(figures.by_group))
        for table in (self.status_table, self.owner_table, self.group_table):
            fit_rows(table, rows)
        self.chart.set_bars([
            Bar(work.author.full_name or work.author.username, work.workunits,
                f"{work.workunits} ({hours_text(work.hours)})")
            for work in figures.by_author])
        self.pages.setCurrentIndex(_PAGE_FIGURES)

    def general_texts(self) -> dict[str, str]:
        """What each general figure says, by name (see ``GENERAL``)."""
        return {name: label.text() for name, label in self.values.items()}
