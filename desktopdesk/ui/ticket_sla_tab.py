"""The ticket's SLA tab: the SLA and its limits in words, the compliance histogram over a
chosen range (today ... lifetime) with its percentage and the lifetime one, and every
breach; or, for a ticket without an SLA, a sentence saying why.

The report is read on the task runner (``ticket_sla_source``), only while the tab is
shown: evaluating a ticket's whole history is cheap but not free, and most people open a
ticket for its details. It is read again each time the tab comes into view and whenever
the ticket view reads the ticket again (a change made here), so it stays current.
``LazyReportTab`` is that behaviour, shared with the Statistics tab.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.sla_model import Violation
from desktopdesk.domain.ticket_details import TicketDetails
from desktopdesk.domain.ticket_sla import NoSla, RangePreset, TicketSlaReport
from desktopdesk.domain.ticket_statistics import duration_text
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import palette, ticket_sla_source
from desktopdesk.ui.sla_histogram import SlaHistogram, moment_text
from desktopdesk.ui.tasks import Task, TaskRunner
from desktopdesk.ui.ticket_tab_models import EntryTableModel
from desktopdesk.ui.ticket_tab_views import EntryTable

_PAGE_MESSAGE, _PAGE_REPORT = range(2)
_VIOLATION_SAMPLES = {0: "Resolution time", 1: "2026/12/31 23:59", 2: "2026/12/31 23:59"}


def fit_rows(table: EntryTable, rows: int, most: int = 10) -> None:
    """As tall as ``rows`` rows (between 2 and ``most``; more scroll), so a short list
    leaves the room below free rather than framing it empty."""
    shown = min(max(rows, 2), most)
    height = (table.horizontalHeader().sizeHint().height()
              + shown * table.verticalHeader().defaultSectionSize() + 2 * table.frameWidth())
    table.setFixedHeight(height)


def pct_text(pct: float | None) -> str:
    """"80 %"; never "100 %" while some time was in breach, nor "0 %" while some was
    OK; "—" when nothing was counted."""
    if pct is None:
        return "—"
    if 0 < pct < 1:
        return "under 1 %"
    if 99 < pct < 100:
        return "over 99 %"
    return f"{pct:.0f} %"


def _pct_said(pct: float | None) -> str:
    return f"{pct_text(pct)} (nothing counted)" if pct is None else pct_text(pct)


class LazyReportTab(QWidget):
    """A tab that reads its data for the ticket shown, on the runner, while it is shown.

    Subclasses say what to read (``reader``) and how to show it (``show_data``); the
    answer to an older read is dropped, and what is on screen stays until the new one is
    in.
    """

    #: The data was read and is shown.
    loaded = Signal(object)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self.ticket_id: uuid.UUID | None = None
        self._shown_ticket: uuid.UUID | None = None
        self._task: Task | None = None

    def reader(self, ticket_id: uuid.UUID) -> Callable[[], Any]:
        raise NotImplementedError

    def show_data(self, data: Any) -> None:
        raise NotImplementedError

    def show_message(self, text: str) -> None:
        raise NotImplementedError

    @property
    def is_loading(self) -> bool:
        return self._task is not None

    def show_details(self, details: TicketDetails) -> None:
        """The ticket view read the ticket (again): read ours now if shown, else when."""
        if details.id != self.ticket_id:
            self._task = None  # an answer still coming is about the previous ticket
        self.ticket_id = details.id
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.reload()

    def reload(self) -> None:
        if self.ticket_id is None:
            return
        if self._shown_ticket != self.ticket_id:
            self.show_message("Reading…")
        task = self.runner.run(self.reader(self.ticket_id))
        task.succeeded.connect(self._on_load_task_succeeded)
        task.failed.connect(self._on_load_task_failed)
        self._task = task

    @Slot(object)
    def _on_load_task_succeeded(self, data: object) -> None:
        if self.sender() is not self._task:
            return
        self._task = None
        self._shown_ticket = self.ticket_id
        self.show_data(data)
        self.loaded.emit(data)

    @Slot(object)
    def _on_load_task_failed(self, error: BaseException) -> None:
        if self.sender() is not self._task:
            return
        self._task = None
        self._shown_ticket = None
        # The ticket view says it when the ticket itself is gone; this says the rest.
        self.show_message(error.message if isinstance(error, DomainError)
                          else "This could not be read. It is read again when you come "
                               "back to this tab.")


class ViolationTableModel(EntryTableModel[Violation]):
    LIMIT, FROM, TO, LENGTH = range(4)
    HEADERS = ("Limit", "From", "To", "Length")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.until: dt.datetime | None = None

    def set_violations(self, violations: tuple[Violation, ...], until: dt.datetime) -> None:
        self.until = until
        self.set_entries(violations)

    def _end(self, entry: Violation) -> dt.datetime:
        return entry.end or self.until or entry.start

    def text(self, entry: Violation, column: int) -> str:
        match column:
            case self.LIMIT:
                return entry.limit.label
            case self.FROM:
                return moment_text(entry.start)
            case self.TO:
                return "ongoing" if entry.end is None else moment_text(entry.end)
            case _:
                seconds = (self._end(entry) - entry.start).total_seconds()
                return duration_text(seconds) + (" so far" if entry.end is None else "")

    def tooltip(self, entry: Violation, column: int) -> str | None:
        if entry.end is None:
            return "Still in breach: it ends with what the limit asks for (an answer, a " \
                   "change, closing) or when the SLA stops counting."
        return None

    def sort_key(self, entry: Violation, column: int) -> Any:
        if column == self.FROM:
            return entry.start.timestamp()
        if column == self.TO:
            return self._end(entry).timestamp()
        if column == self.LENGTH:
            return (self._end(entry) - entry.start).total_seconds()
        return super().sort_key(entry, column)


class TicketSlaTab(LazyReportTab):
    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("ticket_sla_tab")
        self.setAccessibleName("SLA")
        self.report: TicketSlaReport | None = None
        self.no_sla: NoSla | None = None
        self.preset = RangePreset.LIFETIME
        self._build()

    def reader(self, ticket_id: uuid.UUID) -> Callable[[], Any]:
        return partial(ticket_sla_source.load_ticket_sla, self.workspace, self.user_id,
                       ticket_id)

    # --- Building -------------------------------------------------------------------------

    def _label(self, name: str, parent: QWidget, *, muted: bool = False) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if muted:
            palette.set_style(label, f"QLabel#{name} {{ color: $muted_text; }}")
        return label

    def _build(self) -> None:
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("sla_pages")

        message_page = QWidget(self.pages)
        self.message_icon = QLabel(message_page)
        self.message_icon.setObjectName("sla_message_icon")
        self.message_icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        palette.set_icon(self.message_icon, palette.icon("mdi6.timer-off-outline",
                                                         color=palette.muted_text),
                         QSize(48, 48))
        self.message = self._label("sla_message", message_page)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        message_layout = QVBoxLayout(message_page)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message_icon)
        message_layout.addWidget(self.message)
        message_layout.addStretch(2)

        page = QWidget(self.pages)
        self.name_label = self._label("sla_name", page)
        font = self.name_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.name_label.setFont(font)
        self.limits_label = self._label("sla_limits", page)
        self.rules_label = self._label("sla_rules", page, muted=True)

        self.range_buttons: dict[RangePreset, QToolButton] = {}
        self.range_group = QButtonGroup(self)
        self.range_group.setExclusive(True)
        self.range_bar = QWidget(page)
        self.range_bar.setObjectName("sla_ranges")
        # A segmented control: the range shown is marked by the selection colour under
        # it (its text keeps the button's colour, which reads on either background).
        palette.set_style(self.range_bar, (
            "QToolButton { padding: 3px 8px 2px 8px; border: 1px solid palette(mid);"
            " border-bottom: 3px solid palette(button); background: palette(button);"
            " color: palette(button-text); }"
            " QToolButton:hover { background: palette(midlight); }"
            " QToolButton:checked { background: palette(base);"
            " border-bottom: 3px solid palette(highlight); font-weight: bold; }"
            " QToolButton:focus { border-color: palette(highlight); }"))
        segments = QHBoxLayout(self.range_bar)
        segments.setContentsMargins(0, 0, 0, 0)
        segments.setSpacing(0)
        for preset in RangePreset:
            button = QToolButton(self.range_bar)
            button.setObjectName(f"sla_range_{preset.value}")
            button.setText(preset.label)
            button.setAccessibleName(f"Show {preset.label.lower()}")
            button.setToolTip(preset.description)
            button.setCheckable(True)
            self.range_group.addButton(button)
            self.range_buttons[preset] = button
            button.clicked.connect(partial(self.set_preset, preset))
            segments.addWidget(button)
        self.range_buttons[self.preset].setChecked(True)
        ranges = QHBoxLayout()
        ranges.addWidget(self.range_bar)
        ranges.addStretch(1)
        self.range_pct = self._label("sla_range_compliance", page)
        self.range_pct.setWordWrap(False)
        self.lifetime_pct = self._label("sla_lifetime_compliance", page)
        self.lifetime_pct.setWordWrap(False)
        ranges.addWidget(self.range_pct)
        ranges.addSpacing(16)
        ranges.addWidget(self.lifetime_pct)

        self.histogram = SlaHistogram(page)
        self.breaches_heading = self._label("sla_breaches_heading", page)
        bold = self.breaches_heading.font()
        bold.setBold(True)
        self.breaches_heading.setFont(bold)
        self.violations = ViolationTableModel(self)
        self.violation_table = EntryTable(self.violations, "sla_violations_table",
                                          "Breaches of the SLA", page,
                                          stretch_column=ViolationTableModel.LENGTH)
        self.violation_table.fit_columns(_VIOLATION_SAMPLES)
        self.no_breaches = self._label("sla_no_breaches", page, muted=True)
        self.no_breaches.setText("No breach so far: every limit has been met.")

        layout = QVBoxLayout(page)
        layout.addWidget(self.name_label)
        layout.addWidget(self.limits_label)
        layout.addWidget(self.rules_label)
        layout.addSpacing(6)
        layout.addLayout(ranges)
        layout.addWidget(self.histogram)
        layout.addSpacing(6)
        layout.addWidget(self.breaches_heading)
        layout.addWidget(self.violation_table)
        layout.addWidget(self.no_breaches)
        layout.addStretch(1)

        self.pages.addWidget(message_page)
        self.pages.addWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

    # --- What is shown --------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentIndex(_PAGE_MESSAGE)

    def show_data(self, data: Any) -> None:
        if isinstance(data, NoSla):
            self.report, self.no_sla = None, data
            self.histogram.set_evaluation(None, None)
            self.show_message(data.message)
            return
        assert isinstance(data, TicketSlaReport)
        self.report, self.no_sla = data, None
        rules = data.rules
        self.name_label.setText(f"{rules.name} — the SLA of {data.group_name}"
                                if data.group_name else rules.name)
        self.limits_label.setText(" · ".join(data.limit_texts))
        self.rules_label.setText(" ".join((data.working_time_text, data.counting_text,
                                           data.notice_text)))
        self.lifetime_pct.setText(f"Lifetime: {_pct_said(data.lifetime_pct)}")
        self.lifetime_pct.setToolTip(self._counted_tip(data.evaluation.ok_seconds,
                                                       data.evaluation.violated_seconds))
        self.histogram.set_evaluation(data.evaluation, rules)
        violations = data.evaluation.violations
        self.violations.set_violations(violations, data.evaluation.until)
        self.breaches_heading.setText(f"Breaches ({len(violations)})" if violations
                                      else "Breaches")
        fit_rows(self.violation_table, len(violations))
        self.violation_table.setVisible(bool(violations))
        self.no_breaches.setVisible(not violations)
        self._show_range()
        self.pages.setCurrentIndex(_PAGE_REPORT)

    def set_preset(self, preset: RangePreset) -> None:
        """Show ``preset``'s range: the histogram's axis and the range's percentage."""
        self.preset = preset
        self.range_buttons[preset].setChecked(True)
        self._show_range()

    def _show_range(self) -> None:
        if self.report is None:
            return
        shown = self.report.range_for(self.preset)
        self.histogram.set_range(shown.start, shown.end)
        self.range_pct.setText(f"Compliance in this range: {_pct_said(shown.compliance_pct)}")
        self.range_pct.setToolTip(self._counted_tip(shown.ok_seconds, shown.violated_seconds))

    @staticmethod
    def _counted_tip(ok: float, violated: float) -> str:
        if ok + violated <= 0:
            return "Nothing was counted: the SLA was paused or outside its working hours."
        return (f"Counted time: {duration_text(ok)} OK, {duration_text(violated)} in breach "
                "(paused time and time outside working hours do not count).")
