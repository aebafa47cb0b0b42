"""What the Groups, People, Companies and Profiles sections share: a list of records
beside a form, read on the runner, saved through commands, refusals beside the input.

``OrgSection`` runs the reads and the saves (one transaction per user action, on a
worker) and keeps the record someone was looking at selected across re-reads;
``FieldMessages`` (``desktopdesk.ui.form_messages``) puts a refusal under the input its
``field`` names, keeps what was typed and takes the person there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.commands import Command
from desktopdesk.domain.errors import DomainError
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette
from desktopdesk.ui.admin import org_source
from desktopdesk.ui.admin.section import AdminSection
from desktopdesk.ui.combo_data import select_data
from desktopdesk.ui.form_messages import (
    FieldMessages,
    error_label,
    heading_label,
    message_column,
)
from desktopdesk.ui.table_look import set_list_look
from desktopdesk.ui.tasks import Task, TaskRunner
from desktopdesk.ui.ticket_tab_models import EntryTableModel

#: Shown in a choice that may be left empty ("no default owner").
NOBODY = "(none)"


def add_row(form: QFormLayout, errors: FieldMessages, text: str, field: str,
            widget: QWidget) -> QLabel:
    """A form row: ``widget`` over the refusal naming ``field`` (a label named
    ``error_<field>``); returns the row's label."""
    owner = widget.parentWidget()
    assert owner is not None, "inputs are made with their form's widget as parent"
    label = QLabel(text, owner)
    label.setBuddy(widget)
    message = error_label(owner, field)
    errors.add(field, widget, message)
    form.addRow(label, message_column([widget], [message]))
    return label


def save_button(parent: QWidget, name: str, tip: str) -> QPushButton:
    """A form's Save, on Ctrl+S (only the page shown answers it)."""
    keys = QKeySequence(QKeySequence.StandardKey.Save)
    made = button(parent, name, "Save", "mdi6.content-save",
                  f"{tip} ({keys.toString(QKeySequence.SequenceFormat.NativeText)})")
    made.setShortcut(keys)
    return made


def button(parent: QWidget, name: str, text: str, icon: str = "",
           tip: str = "") -> QPushButton:
    made = QPushButton(palette.icon(icon), text, parent) if icon else QPushButton(text, parent)
    made.setObjectName(name)
    made.setAccessibleName(text.replace("&", "").rstrip("…"))
    if tip:
        made.setToolTip(tip)
    return made


def record_table(parent: QWidget, name: str, accessible: str) -> QTableView:
    """A read-only list of records, one selected at a time."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    set_list_look(view, f"{name}_header", f"{accessible} columns",
                  QAbstractItemView.SelectionMode.SingleSelection)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _inputs(form: QWidget) -> list[QWidget]:
    """The form's own inputs, in a fixed order (not the line edit inside a spin box)."""
    return [w for w in form.findChildren(QWidget)
            if isinstance(w, QLineEdit | QComboBox | QCheckBox | QAbstractSpinBox)
            and w.objectName() and not w.objectName().startswith("qt_")]


def _value(widget: QWidget) -> object:
    match widget:
        case QLineEdit():
            return widget.text()
        case QComboBox():
            return widget.currentData()
        case QCheckBox():
            return widget.isChecked()
        case QSpinBox() | QDoubleSpinBox():
            return widget.value()
    return None


def _set_value(widget: QWidget, value: Any) -> None:
    match widget:
        case QLineEdit():
            widget.setText(value)
        case QComboBox():
            select_data(widget, value)
        case QCheckBox():
            widget.setChecked(value)
        case QSpinBox() | QDoubleSpinBox():
            widget.setValue(value)


def refill_keeping_edits(form: QWidget, show_saved: Callable[[], None],
                         show_fresh: Callable[[], None]) -> None:
    """Show a fresh read of the record being edited without losing what was typed.

    A re-read comes after every save elsewhere and every sync, perhaps mid-sentence:
    each input the person changed (it differs from the record as it was when shown)
    keeps its value; the others show the fresh one, so someone else's change to another
    setting appears. ``show_saved`` fills the form with the record as it was shown,
    ``show_fresh`` with the new read.
    """
    inputs = _inputs(form)
    typed = [_value(w) for w in inputs]
    show_saved()
    changed = [(w, value) for w, value in zip(inputs, typed, strict=True)
               if _value(w) != value]
    show_fresh()
    for widget, value in changed:
        _set_value(widget, value)


def set_save_text(save: QPushButton, text: str) -> None:
    """"Save" or "Create …", keeping the Ctrl+S that setText would drop."""
    shortcut = save.shortcut()
    save.setText(text)
    save.setAccessibleName(text)
    save.setShortcut(shortcut)


class OrgSection(AdminSection):
    """Subclasses build their widgets, say how to read their page (``read``) and show
    it (``show_page``), and call ``send`` with the commands of a Save."""

    #: The page was read and is shown (after every reload, saves included).
    loaded = Signal()
    #: A save was refused or failed: the message shown beside the input.
    save_failed = Signal(str)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self._load_task: Task | None = None
        self._load_again = False
        #: After the next read, show this record (one just created or saved).
        self._select_after_load: uuid.UUID | None = None
        self._sending = False
        self._send_errors: FieldMessages | None = None
        self._send_select: uuid.UUID | None = None

    # --- Subclasses -----------------------------------------------------------------------

    def read(self) -> Callable[[], Any]:
        """The worker's read (a ``partial`` over an ``org_source`` function)."""
        raise NotImplementedError

    def show_page(self, page: Any, select_id: uuid.UUID | None) -> None:
        """Show what ``read`` returned, with ``select_id`` (else the record shown before)
        as the current record."""
        raise NotImplementedError

    def set_sending(self, sending: bool) -> None:
        """A save is on its way: disable what would send another."""

    # --- Reading --------------------------------------------------------------------------

    def reload(self) -> None:
        if self._load_task is not None:  # changed while reading: read once more after
            self._load_again = True
            return
        self._load_task = self.runner.run(self.read())
        self._load_task.succeeded.connect(self._on_load_task_succeeded)
        self._load_task.failed.connect(self._on_load_task_failed)

    @property
    def is_loading(self) -> bool:
        return self._load_task is not None

    def _load_finished(self) -> bool:
        """Whether to show this read (False: a newer one has started)."""
        self._load_task = None
        if self._load_again:
            self._load_again = False
            self.reload()
            return False
        return True

    @Slot(object)
    def _on_load_task_succeeded(self, page: object) -> None:
        if not self._load_finished():
            return
        select_id, self._select_after_load = self._select_after_load, None
        self.show_page(page, select_id)
        self.loaded.emit()

    @Slot(object)
    def _on_load_task_failed(self, error: BaseException) -> None:
        if self._load_finished():
            messages.error(self, f"{self.title} could not be read.", details=str(error))

    # --- Saving ---------------------------------------------------------------------------

    @property
    def is_sending(self) -> bool:
        return self._sending

    def send(self, commands: Sequence[Command], errors: FieldMessages,
             select_id: uuid.UUID | None = None) -> None:
        """Apply ``commands`` as one action; then re-read and show ``select_id`` (None:
        the record the commands created). A refusal goes under the input it names."""
        if self._sending or not commands:
            return
        errors.clear()
        self._sending = True
        self._send_errors = errors
        self._send_select = select_id
        self.set_sending(True)
        task = self.runner.run(partial(org_source.save, self.workspace, self.user_id,
                                       tuple(commands)))
        task.succeeded.connect(self._on_save_task_succeeded)
        task.failed.connect(self._on_save_task_failed)

    def _send_finished(self) -> FieldMessages:
        self._sending = False
        self.set_sending(False)
        errors, self._send_errors = self._send_errors, None
        assert errors is not None
        return errors

    @Slot(object)
    def _on_save_task_succeeded(self, saved: org_source.Saved) -> None:
        self._send_finished()
        self._select_after_load = self._send_select or saved.created_id
        self.saved.emit()
        if saved.warnings:
            messages.warning(self, "\n".join(saved.warnings), title=f"{self.title} saved")
        self.reload()

    @Slot(object)
    def _on_save_task_failed(self, error: BaseException) -> None:
        errors = self._send_finished()
        if isinstance(error, DomainError):
            message = error.message
            errors.show_and_focus(error.field, message)
        else:
            message = "The change could not be saved."
            errors.show_and_focus(None, message)
            messages.error(self, message, details=str(error))
        self.save_failed.emit(message)


class RecordForm(QWidget):
    """A form editing one record (``record`` None: a new one), with Save and Revert
    under its rows. Subclasses add rows to ``rows`` and call ``finish``."""

    def __init__(self, name: str, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self._name = name.removesuffix("_form")
        self.record: Any = None
        #: Where typing starts in a new record.
        self.first_input: QWidget | None = None
        self.heading = heading_label(self, f"{self._name}_heading")
        self.errors = FieldMessages(error_label(self, f"{self._name}_general"))
        self.rows = QFormLayout()
        self.save_button = save_button(self, f"{self._name}_save",
                                       f"Save the {accessible.lower()}")
        self.revert_button = button(self, f"{self._name}_revert", "Revert", "mdi6.undo",
                                    "Show it as saved")

    def finish(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.errors.general, 1)
        buttons.addStretch()
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.rows)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def line_edit(self, name: str, accessible: str, length: int) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"{self._name}_{name}")
        edit.setAccessibleName(accessible)
        edit.setMaxLength(length)
        return edit

    def check_box(self, name: str, text: str, tip: str = "") -> QCheckBox:
        check = QCheckBox(text, self)
        check.setObjectName(f"{self._name}_{name}")
        check.setAccessibleName(text)
        check.setToolTip(tip)
        return check

    def start(self, record: Any, title: str, create_text: str) -> None:
        """Begin showing ``record`` under ``title`` (None: a new one, which Save
        creates under the button text ``create_text``)."""
        self.record = record
        self.errors.clear()
        self.heading.setText(title)
        set_save_text(self.save_button, "Save" if record is not None else create_text)


class TableSection(OrgSection):
    """A list of records beside the form editing the chosen one, with a New button.

    Subclasses build ``model`` and ``form`` and call ``lay_out``; they say which rows a
    page holds (``entries``), fill the form (``fill``) and make the Save (``command``).
    """

    #: "Choose a person, or create one" when nothing is chosen.
    NOTHING_CHOSEN = ""
    #: The column taking the list's spare width (the others fit their contents).
    STRETCH_COLUMN = 0
    #: The list's share of the page, in pixels at first (the form gets the rest).
    LIST_WIDTH = 440

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.page: Any = None
        self._selecting = False  # the list's row is set to match a re-read

    def lay_out(self, model: EntryTableModel[Any], form: RecordForm, name: str,
                new_text: str, new_icon: str) -> None:
        self.model = model
        self.form = form
        self.table = record_table(self, f"{name}_table", self.title)
        self.table.setModel(model)
        self.new_button = button(self, f"{name}_new", new_text, new_icon)
        list_side = QWidget(self)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addStretch()
        left = QVBoxLayout(list_side)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(top)
        left.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName(f"{name}_splitter")
        splitter.addWidget(list_side)
        splitter.addWidget(form)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([self.LIST_WIDTH, 900 - self.LIST_WIDTH])
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column in range(model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch
                                        if column == self.STRETCH_COLUMN
                                        else QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._show_nothing()
        self.table.selectionModel().currentRowChanged.connect(
            self._on_table_current_row_changed)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        form.save_button.clicked.connect(self._on_save_button_clicked)
        form.revert_button.clicked.connect(self._on_revert_button_clicked)

    # --- Subclasses -----------------------------------------------------------------------

    def entries(self, page: Any) -> Sequence[Any]:
        raise NotImplementedError

    def fill(self, record: Any) -> None:
        """Show ``record`` as saved in the form (None: a new, empty one)."""
        raise NotImplementedError

    def command(self) -> Command:
        raise NotImplementedError

    # --- The list -------------------------------------------------------------------------

    def show_page(self, page: Any, select_id: uuid.UUID | None) -> None:
        shown = self.form.record
        creating = shown is None and self.form.isEnabled()
        self.page = page
        rows = list(self.entries(page))
        self.model.set_entries(rows)
        wanted = select_id or (shown.id if shown is not None else None)
        row = next((n for n, record in enumerate(rows) if record.id == wanted), -1)
        if row >= 0:
            self._selecting = True
            try:
                self.table.selectRow(row)
            finally:
                self._selecting = False
            if select_id is None and shown is not None:  # read again meanwhile
                refill_keeping_edits(self.form, partial(self.fill, shown),
                                     partial(self._show, rows[row]))
            else:
                self._show(rows[row])
        elif not creating:  # a new record being typed stays as typed
            self._show_nothing()

    def select(self, matches: Callable[[Any], bool]) -> Any:
        """Choose the first record ``matches`` accepts, as a click would."""
        row = next(n for n, record in enumerate(self.model.entries) if matches(record))
        self.table.selectRow(row)
        return self.model.entry(row)

    def _show(self, record: Any) -> None:
        self.form.setEnabled(True)
        self.fill(record)

    def _show_nothing(self) -> None:
        self.form.record = None
        self.form.setEnabled(False)
        self.form.heading.setText(self.NOTHING_CHOSEN)

    @Slot()
    def _on_table_current_row_changed(self) -> None:
        index = self.table.currentIndex()
        if self.page is not None and index.isValid() and not self._selecting:
            self._show(self.model.entry(index.row()))

    @Slot()
    def _on_new_button_clicked(self) -> None:
        if self.page is None:
            return
        self.table.clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self._show(None)
        if self.form.first_input is not None:
            self.form.first_input.setFocus()

    @Slot()
    def _on_save_button_clicked(self) -> None:
        record = self.form.record
        self.send([self.command()], self.form.errors, record.id if record is not None else None)

    @Slot()
    def _on_revert_button_clicked(self) -> None:
        if self.page is not None and self.form.isEnabled():
            self.fill(self.form.record)

    def set_sending(self, sending: bool) -> None:
        self.form.save_button.setEnabled(not sending)
