"""The SLA report: compliance, violations, first response and resolution over a period,
for one group or all, one owner or anyone, with the same figures split by group and by
owner.

A window of its own (Tools > SLA report…), so a ticket can stay open beside it. The
figures are computed here, from this desktop's copy of the tickets, on the task runner
(``sla_report_source``): the report works offline, and says when it was computed. Any
change in the filter bar (``sla_report_filters``) computes it again; the answer to an
older request is dropped, and what is shown stays until the new one is in. Refresh also
reads the groups and people again (a sync may have brought new ones).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.errors import DomainError
from desktopdesk.models import utc_now
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette
from desktopdesk.ui.form_messages import section_heading
from desktopdesk.ui.sla_histogram import moment_text
from desktopdesk.ui.sla_report_filters import SlaReportFilters
from desktopdesk.ui.sla_report_models import BreakdownTableModel
from desktopdesk.ui.sla_report_source import (
    ReportChoices,
    SlaReport,
    load_report_choices,
    load_sla_report,
)
from desktopdesk.ui.sla_report_summary import SlaSummary
from desktopdesk.ui.sync_indicator import relative_time
from desktopdesk.ui.tasks import Task, TaskRunner
from desktopdesk.ui.ticket_sla_tab import fit_rows
from desktopdesk.ui.ticket_tab_views import EntryTable

_PAGE_MESSAGE, _PAGE_REPORT = range(2)
NOT_COUNTED = ("Only tickets with an SLA count: those of a group without one, or with "
               "the SLA switched off, are left out. Times are the time each SLA counts "
               "(its working hours, while the ticket's status counts); groups and owners "
               "are the tickets' current ones.")


class SlaReportWindow(QWidget):
    """One per main window; ``MainWindow.show_sla_report`` raises it when already open."""

    #: The filters' choices were read and are offered.
    choices_loaded = Signal(object)
    #: A report was computed and is shown.
    report_shown = Signal(object)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner, *,
                 clock: Callable[[], dt.datetime] = utc_now, zone: dt.tzinfo | None = None,
                 parent: QWidget | None = None) -> None:
        """``clock`` and ``zone``: "now", and the zone whose days make a period (this
        computer's when None)."""
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("sla_report_window")
        self.setAccessibleName("SLA report")
        self.setWindowTitle("SLA report — DesktopDesk")
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self._clock = clock
        self.choices = ReportChoices()
        self.report: SlaReport | None = None
        self._choices_task: Task | None = None
        self._report_task: Task | None = None

        self.filters = SlaReportFilters(clock, zone, self)
        self.refresh_button = QPushButton(palette.icon("mdi6.refresh"), "Refresh", self)
        self.refresh_button.setObjectName("sla_report_refresh")
        self.refresh_button.setAccessibleName("Refresh")
        self.refresh_button.setToolTip("Compute the report again from this desktop's "
                                       "tickets as they are now")
        self.busy = QLabel("Computing…", self)
        self.busy.setObjectName("sla_report_busy")
        self.busy.hide()
        top = QHBoxLayout()
        top.addWidget(self.filters)
        top.addStretch(1)
        top.addWidget(self.busy)
        top.addWidget(self.refresh_button)

        self.pages = QStackedWidget(self)
        self.pages.setObjectName("sla_report_pages")
        self.message = QLabel("Reading…", self.pages)
        self.message.setObjectName("sla_report_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.pages.addWidget(self.message)
        self.pages.addWidget(self._build_report_page())
        self.source_note = QLabel(self)
        self.source_note.setObjectName("sla_report_source_note")
        self.source_note.setWordWrap(True)
        palette.set_style(self.source_note, "color: $muted_text;")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.source_note)
        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)

        self.filters.filters_changed.connect(self._on_filters_changed)
        self.refresh_button.clicked.connect(self.reload)
        self.resize(1100, 720)
        self.reload()

    # --- Building -------------------------------------------------------------------------

    def _table(self, what: str, name: str, parent: QWidget) -> tuple[BreakdownTableModel,
                                                                     EntryTable]:
        model = BreakdownTableModel(what, self)
        table = EntryTable(model, name, f"Figures by {what.lower()}", parent,
                           stretch_column=BreakdownTableModel.NAME)
        table.fit_columns({column: sample for column, sample in enumerate(
            ("", "Tickets", "Compliance", "Violations", "First response", "Resolution"))
            if sample})
        return model, table

    def _build_report_page(self) -> QScrollArea:
        page = QWidget()
        page.setObjectName("sla_report_page")
        self.summary = SlaSummary(page)
        self.group_model, self.group_table = self._table("Group", "sla_report_by_group",
                                                         page)
        self.owner_model, self.owner_table = self._table("Owner", "sla_report_by_owner",
                                                         page)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addSpacing(8)
        layout.addWidget(section_heading("By group", "sla_report_by_group_heading", page))
        layout.addWidget(self.group_table)
        layout.addSpacing(8)
        layout.addWidget(section_heading("By owner", "sla_report_by_owner_heading", page))
        layout.addWidget(self.owner_table)
        layout.addStretch(1)
        scroll = QScrollArea(self.pages)
        scroll.setObjectName("sla_report_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    # --- Reading --------------------------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        return self._choices_task is not None or self._report_task is not None

    def reload(self) -> None:
        """Read the filters' choices again, then compute the report."""
        self._set_busy(True)
        task = self.runner.run(partial(load_report_choices, self.workspace, self.user_id))
        task.succeeded.connect(self._on_choices_task_succeeded)
        task.failed.connect(self._on_task_failed)
        self._choices_task = task

    def refresh_report(self) -> None:
        """Compute the report for the filters as they are (presets up to today)."""
        self._set_busy(True)
        task = self.runner.run(partial(load_sla_report, self.workspace, self.user_id,
                                       self.filters.query(), self._clock()))
        task.succeeded.connect(self._on_report_task_succeeded)
        task.failed.connect(self._on_task_failed)
        self._report_task = task

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.refresh_button.setEnabled(not busy)
        if busy:
            self.pages.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.pages.unsetCursor()

    # --- What is shown --------------------------------------------------------------------

    def show_report(self, report: SlaReport) -> None:
        self.report = report
        metrics = report.metrics
        self.source_note.setText(f"{source_sentence(report)} {NOT_COUNTED}")
        if not report.any_sla:
            self._show_message("None of the groups you can see has an SLA, so there is "
                               "nothing to measure yet. An administrator gives a group "
                               "its SLA in Administration > Groups.")
            return
        if metrics.tickets == 0:
            self._show_message("No ticket with an SLA was open in this period"
                               f"{self.filters.words()}. Try a longer period or another "
                               "group.")
            return
        self.summary.show_figures(metrics)
        self.group_model.set_entries(metrics.by_group)
        self.owner_model.set_entries(metrics.by_owner)
        fit_rows(self.group_table, len(metrics.by_group))
        fit_rows(self.owner_table, len(metrics.by_owner))
        self.pages.setCurrentIndex(_PAGE_REPORT)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentIndex(_PAGE_MESSAGE)

    # --- Slots ----------------------------------------------------------------------------

    @Slot(object)
    def _on_choices_task_succeeded(self, choices: ReportChoices) -> None:
        if self.sender() is not self._choices_task:
            return
        self._choices_task = None
        self.choices = choices
        self.filters.offer(choices)
        self.choices_loaded.emit(choices)
        self.refresh_report()

    @Slot(object)
    def _on_report_task_succeeded(self, report: SlaReport) -> None:
        if self.sender() is not self._report_task:
            return  # an older request's answer
        self._report_task = None
        self._set_busy(self.is_loading)
        self.show_report(report)
        self.report_shown.emit(report)

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        if self.sender() is self._choices_task:
            self._choices_task = None
        elif self.sender() is self._report_task:
            self._report_task = None
        else:
            return
        self._set_busy(self.is_loading)
        text = error.message if isinstance(error, DomainError) else str(error)
        messages.error(self, "The SLA report could not be computed.", details=text)

    @Slot()
    def _on_filters_changed(self) -> None:
        self.refresh_report()


def source_sentence(report: SlaReport) -> str:
    """Where the figures come from and as of when: this desktop's own data, offline."""
    computed = moment_text(report.computed_at)
    if not report.replica:
        return f"Computed on this desktop from the tickets stored here, at {computed}."
    if report.last_sync_at is None:
        synced = "a copy not synced with the server yet"
    else:
        synced = (f"its copy as of the last sync, {moment_text(report.last_sync_at)} "
                  f"({relative_time(report.last_sync_at, report.computed_at)})")
    return (f"Computed on this desktop from {synced}, at {computed}: it works offline, "
            "and changes made elsewhere since then are not in it.")
