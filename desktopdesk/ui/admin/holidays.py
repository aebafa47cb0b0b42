"""The holiday calendar: the days SLA clocks skip (for SLAs that skip holidays), one year
at a time, added one by one or imported as a list.

Each change is sent at once (there is nothing to Save): Add is one ``AddHolidays``, an
import is one too (a bad line refuses the whole list, naming the line, with the text
kept to fix), and removing the selected days is one transaction. Days already in the
calendar are skipped by the command; the message under the calendar counts them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.admin_queries import HolidayRow
from desktopdesk.domain.errors import DomainError
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette
from desktopdesk.ui.admin.holidays_source import (
    AddedHolidays,
    HolidayYear,
    ListFileError,
    add_holidays,
    answered,
    import_holidays,
    load_year,
    read_list_file,
    remove_holidays,
)
from desktopdesk.ui.admin.section import AdminSection, SectionAccess
from desktopdesk.ui.form_messages import error_label, message_label, text_label
from desktopdesk.ui.table_look import set_list_look
from desktopdesk.ui.tasks import Task, TaskRunner

AnyIndex = QModelIndex | QPersistentModelIndex
#: The whole ``HolidayRow`` of a row.
HolidayRole = Qt.ItemDataRole.UserRole + 1
MAX_NAME = 100
IMPORT_EXAMPLE = "2026-12-25 Christmas Day\n2026-12-26, Boxing Day\n2027-01-01"


def choose_list_file(parent: QWidget) -> Path | None:
    """A module function for the file dialog, so tests can answer it."""
    name, _ = QFileDialog.getOpenFileName(parent, "Import holidays from a file", "",
                                          "Text files (*.txt *.csv);;All files (*)")
    return Path(name) if name else None


class HolidayTableModel(QAbstractTableModel):
    """One year's days: date, weekday, name. A year read again replaces the rows whole."""

    HEADERS = ("Date", "Day", "Name")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[HolidayRow, ...] = ()

    def set_rows(self, rows: Sequence[HolidayRow]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    @property
    def rows(self) -> tuple[HolidayRow, ...]:
        return self._rows

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (row.day, row.date.strftime("%A"), row.name)[index.column()]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.day}, {row.date.strftime('%A')}" + (f": {row.name}" if row.name
                                                               else "")
        if role == HolidayRole:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None


class HolidaysSection(AdminSection):
    """The calendar for the year chosen, with Add, Remove and Import beside it."""

    title = "Holidays"
    icon = "mdi6.calendar-star"
    access = SectionAccess.SETUP

    #: The year's days were read and shown.
    year_loaded = Signal()
    #: A change was refused or failed: the message shown.
    change_failed = Signal(str)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("holidays_section")
        self.setAccessibleName("Holidays")
        self._busy = False
        self._pending: tuple[QLabel, Callable[[Any], None]] | None = None
        self._build()
        self._connect()
        self.reload()

    # --- Building -------------------------------------------------------------------------

    def _build(self) -> None:
        intro = text_label(self, "holidays_intro")
        intro.setText("Days on which SLA clocks stop, for SLAs set to skip holidays. "
                      "Weekends need not be listed.")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self._build_year_bar())
        body = QHBoxLayout()
        body.addLayout(self._build_list(), 3)
        side = QVBoxLayout()
        side.addWidget(self._build_add_box())
        side.addWidget(self._build_import_box(), 1)
        body.addLayout(side, 2)
        layout.addLayout(body, 1)
        self.result_label = message_label(self, "holidays_result", "color: $muted_text;")
        layout.addWidget(self.result_label)

    def _build_year_bar(self) -> QHBoxLayout:
        self.previous_year = self._tool_button("holidays_previous_year", "mdi6.chevron-left",
                                               "Previous year")
        self.year = QSpinBox(self)
        self.year.setObjectName("holidays_year")
        self.year.setAccessibleName("Year")
        self.year.setRange(1900, 2999)
        self.year.setValue(dt.date.today().year)
        self.year.setKeyboardTracking(False)  # read once the year is typed, not per digit
        self.next_year = self._tool_button("holidays_next_year", "mdi6.chevron-right",
                                           "Next year")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("holidays_count")
        bar = QHBoxLayout()
        year_label = QLabel("&Year:", self)
        year_label.setBuddy(self.year)
        bar.addWidget(year_label)
        bar.addWidget(self.previous_year)
        bar.addWidget(self.year)
        bar.addWidget(self.next_year)
        bar.addSpacing(12)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        return bar

    def _tool_button(self, name: str, icon: str, text: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setToolTip(text)
        button.setIcon(palette.icon(icon))
        return button

    def _build_list(self) -> QVBoxLayout:
        self.model = HolidayTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("holidays_table")
        self.table.setAccessibleName("Holidays of the year")
        self.table.setModel(self.model)
        set_list_look(self.table, "holidays_header", "Holiday columns",
                      QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.remove_button = QPushButton(palette.icon("mdi6.delete-outline"), "Remove", self)
        self.remove_button.setObjectName("holidays_remove")
        self.remove_button.setAccessibleName("Remove the selected days")
        self.remove_button.setToolTip("Remove the selected days (Delete)")
        self.remove_action = QAction("Remove the selected days", self.table)
        self.remove_action.setObjectName("action_remove_holidays")
        self.remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.remove_action)
        self.remove_error = error_label(self, "remove")
        column = QVBoxLayout()
        column.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        column.addWidget(self.remove_error)
        return column

    def _build_add_box(self) -> QGroupBox:
        box = QGroupBox("Add a day", self)
        box.setObjectName("holidays_add_box")
        self.day = QDateEdit(box)
        self.day.setObjectName("holidays_day")
        self.day.setAccessibleName("Date of the holiday")
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setCalendarPopup(True)
        self.day.setDate(QDate.currentDate())
        self.name = QLineEdit(box)
        self.name.setObjectName("holidays_name")
        self.name.setAccessibleName("Name of the holiday")
        self.name.setPlaceholderText("Christmas Day (optional)")
        self.name.setMaxLength(MAX_NAME)
        self.add_button = QPushButton(palette.icon("mdi6.calendar-plus"), "Add", box)
        self.add_button.setObjectName("holidays_add")
        self.add_button.setAccessibleName("Add the day")
        self.add_error = error_label(box, "day")
        form = QFormLayout(box)
        form.addRow("&Date:", self.day)
        form.addRow("&Name:", self.name)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.add_button)
        form.addRow(row)
        form.addRow(self.add_error)
        return box

    def _build_import_box(self) -> QGroupBox:
        box = QGroupBox("Import a list", self)
        box.setObjectName("holidays_import_box")
        hint = text_label(box, "holidays_import_hint", "color: $muted_text;")
        hint.setText("One date per line (YYYY-MM-DD), optionally followed by its name. "
                     "Paste it here, or read it from a file.")
        self.import_text = QPlainTextEdit(box)
        self.import_text.setObjectName("holidays_import_text")
        self.import_text.setAccessibleName("Dates to import")
        self.import_text.setPlaceholderText(IMPORT_EXAMPLE)
        self.import_text.setTabChangesFocus(True)
        self.import_error = error_label(box, "holidays")
        self.file_button = QPushButton(palette.icon("mdi6.file-import-outline"),
                                       "From a file…", box)
        self.file_button.setObjectName("holidays_import_file")
        self.file_button.setAccessibleName("Import holidays from a file")
        self.import_button = QPushButton("Import", box)
        self.import_button.setObjectName("holidays_import")
        self.import_button.setAccessibleName("Import the dates")
        buttons = QHBoxLayout()
        buttons.addWidget(self.file_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        column = QVBoxLayout(box)
        column.addWidget(hint)
        column.addWidget(self.import_text, 1)
        column.addWidget(self.import_error)
        column.addLayout(buttons)
        return box

    def _connect(self) -> None:
        self.year.valueChanged.connect(self._on_year_value_changed)
        self.previous_year.clicked.connect(self._on_previous_year_clicked)
        self.next_year.clicked.connect(self._on_next_year_clicked)
        self.add_button.clicked.connect(self.add_day)
        self.name.returnPressed.connect(self.add_day)
        self.import_button.clicked.connect(self.import_list)
        self.file_button.clicked.connect(self._on_file_button_clicked)
        self.remove_button.clicked.connect(self.remove_selected)
        self.remove_action.triggered.connect(self.remove_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.import_text.textChanged.connect(self._on_import_text_changed)

    # --- Reading --------------------------------------------------------------------------

    def reload(self) -> None:
        task = self.runner.run(partial(load_year, self.workspace, self.year.value()))
        task.succeeded.connect(self._on_load_task_succeeded)
        task.failed.connect(self._on_load_task_failed)

    @Slot(object)
    def _on_load_task_succeeded(self, loaded: HolidayYear) -> None:
        if loaded.year != self.year.value():
            return  # the person moved on to another year; its read is on its way
        self.model.set_rows(loaded.rows)
        count = len(loaded.rows)
        self.count_label.setText(f"{count or 'No'} "
                                 f"{'holiday' if count == 1 else 'holidays'} in {loaded.year}")
        self._update_buttons()
        self.year_loaded.emit()

    @Slot(object)
    def _on_load_task_failed(self, error: BaseException) -> None:
        messages.error(self, "The holiday calendar could not be read.", details=str(error))

    @Slot(int)
    def _on_year_value_changed(self, year: int) -> None:
        day = self.day.date()
        if day.year() != year:
            moved = QDate(year, day.month(), min(day.day(), QDate(year, day.month(), 1)
                                                 .daysInMonth()))
            self.day.setDate(moved)
        self.reload()

    @Slot()
    def _on_previous_year_clicked(self) -> None:
        self.year.stepBy(-1)

    @Slot()
    def _on_next_year_clicked(self) -> None:
        self.year.stepBy(1)

    def selected_days(self) -> list[str]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.rows[row].day for row in rows]

    # --- Changing -------------------------------------------------------------------------

    @Slot()
    def add_day(self) -> None:
        if self._busy:
            return
        day = self.day.date().toString("yyyy-MM-dd")
        self._send(partial(add_holidays, self.workspace, self.user_id,
                           [(day, self.name.text().strip())]),
                   self.add_error, self._on_add_task_succeeded)

    @Slot()
    def import_list(self) -> None:
        if self._busy:
            return
        self._send(partial(import_holidays, self.workspace, self.user_id,
                           self.import_text.toPlainText()),
                   self.import_error, self._on_import_task_succeeded)

    @Slot()
    def remove_selected(self) -> None:
        days = self.selected_days()
        if self._busy or not days:
            return
        self._send(partial(remove_holidays, self.workspace, self.user_id, days),
                   self.remove_error, partial(self._on_remove_task_succeeded, days))

    def _send(self, work: Callable[[], Any], error: QLabel,
              succeeded: Callable[[Any], None]) -> Task:
        """Runs ``work``; its answer goes to ``succeeded``, a refusal or failure under
        ``error``."""
        self._clear_messages()
        self._set_busy(True)
        # One change at a time (busy): its label and follow-up wait here, and the answer
        # comes to real slots, which Qt disconnects if this section is gone by then.
        self._pending = (error, succeeded)
        task = self.runner.run(partial(answered, work))
        task.succeeded.connect(self._on_change_task_answered)
        task.failed.connect(self._on_change_task_raised)
        return task

    @Slot(object)
    def _on_change_task_answered(self, answer: object) -> None:
        assert self._pending is not None
        error, succeeded = self._pending
        if isinstance(answer, DomainError | ListFileError):
            self._on_change_task_failed(error, answer)
        else:
            succeeded(answer)

    @Slot(object)
    def _on_change_task_raised(self, raised: BaseException) -> None:
        assert self._pending is not None
        self._on_change_task_failed(self._pending[0], raised)

    @Slot()
    def _on_file_button_clicked(self) -> None:
        path = choose_list_file(self)
        if path is None or self._busy:
            return
        self._send(partial(read_list_file, path), self.import_error,
                   self._on_file_task_succeeded)

    @Slot(object)
    def _on_file_task_succeeded(self, text: str) -> None:
        """The file's lines go in the box before they are sent, so a refused line can be
        fixed there and the list imported again."""
        self._set_busy(False)
        self.import_text.setPlainText(text)
        self.import_list()

    @Slot(object)
    def _on_add_task_succeeded(self, added: AddedHolidays) -> None:
        self.name.clear()
        self._changed(added.message, added.years)

    @Slot(object)
    def _on_import_task_succeeded(self, added: AddedHolidays) -> None:
        self.import_text.clear()
        self._changed(added.message, added.years)

    def _on_remove_task_succeeded(self, days: list[str], _result: object) -> None:
        self._changed(f"Removed {days[0]}." if len(days) == 1
                      else f"Removed {len(days)} days.", ())

    def _changed(self, message: str, years: Sequence[int]) -> None:
        """Shows the message and the year changed (the first one the change touched,
        if it did not touch the one shown)."""
        self._set_busy(False)
        self.result_label.setText(message)
        self.result_label.show()
        self.saved.emit()
        if years and self.year.value() not in years:
            self.year.setValue(years[0])  # reads that year
        else:
            self.reload()

    def _on_change_task_failed(self, error_label: QLabel, error: BaseException) -> None:
        """A refusal goes under the part that sent it, with what was typed kept."""
        self._set_busy(False)
        if isinstance(error, DomainError | ListFileError):
            message = str(error)
        else:
            message = "The calendar could not be changed."
            messages.error(self, message, details=str(error))
        error_label.setText(message)
        error_label.show()
        self.change_failed.emit(message)

    # --- State ----------------------------------------------------------------------------

    def _clear_messages(self) -> None:
        for label in (self.add_error, self.import_error, self.remove_error,
                      self.result_label):
            label.hide()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    @Slot()
    def _on_import_text_changed(self) -> None:
        self.import_error.hide()
        self._update_buttons()

    @Slot()
    def _update_buttons(self) -> None:
        idle = not self._busy
        self.add_button.setEnabled(idle)
        self.import_button.setEnabled(idle and bool(self.import_text.toPlainText().strip()))
        self.file_button.setEnabled(idle)
        has_selection = self.table.selectionModel().hasSelection()
        self.remove_button.setEnabled(idle and has_selection)
        self.remove_action.setEnabled(idle and has_selection)
