"""The Create Ticket dialog: type first, then group, title, description, custom fields,
parent and files, and the creator and creation time where the rules allow them.

What is offered (types, groups, fields, people) is read on a worker as
``CreateFormOptions``; filing is ``ticket_create_source.submit_ticket`` on the runner.
The dialog holds no rules: a refusal comes back as a DomainError and is shown beside the
field it names, with everything typed kept and the dialog still open.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, Signal, Slot
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.ticket_form import CreateFormOptions
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette
from desktopdesk.ui.attachment_files import image_hashes
from desktopdesk.ui.combo_data import find_data
from desktopdesk.ui.custom_field_form import CustomFieldForm
from desktopdesk.ui.files_to_attach import FilesToAttach, dropped_files
from desktopdesk.ui.form_messages import error_label, message_column, refusal
from desktopdesk.ui.inline_images import RichTextEdit
from desktopdesk.ui.pasted_images import PastedImages
from desktopdesk.ui.rich_text_toolbar import RichTextToolbar
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_create_source import CreatedTicket, TicketSubmission, submit_ticket
from desktopdesk.ui.ticket_picker import ParentPicker
from desktopdesk.ui.ticket_view_source import find_parent_tickets, load_create_options
from desktopdesk.ui.workunit_fields import DATE_FORMAT

CREATE_TEXT = "Create ticket"
#: Which error label shows a refusal naming this command field ("custom:…" go to the
#: custom field form; anything else to the label above the buttons).
_FIELD_OF_ERROR = {
    "ticket_type_id": "ticket_type_id", "group_id": "group_id", "title": "title",
    "description_html": "description", "priority": "priority", "parent_id": "parent_id",
    "creator_id": "creator_id", "created_at": "created_at", "file_name": "files",
    "size": "files", "sha256": "files", "mime_type": "files",
}
_ERRORS = ("ticket_type_id", "group_id", "title", "description", "priority", "parent_id",
           "files", "creator_id", "created_at", "general")

class TicketCreateDialog(QDialog):
    """A new ticket. Pass the window's ``runner`` so closing the app waits for a create
    in flight."""

    #: The ticket was filed: its id.
    ticket_created = Signal(object)
    #: The options are in; the form can be used.
    options_loaded = Signal()
    #: A refusal or failure was shown (its message); the dialog is usable again.
    create_failed = Signal(str)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_create_dialog")
        self.setAccessibleName("Create ticket")
        self.setWindowTitle("Create ticket")
        self.setAcceptDrops(True)
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self._options: CreateFormOptions | None = None
        self._creating = False
        self._build()
        self._connect()
        self._set_ready(False)
        task = self.runner.run(partial(load_create_options, workspace, user_id))
        task.succeeded.connect(self._on_options_task_succeeded)
        task.failed.connect(self._on_options_task_failed)

    # --- Building -------------------------------------------------------------------------

    def _build(self) -> None:
        self._errors = {name: error_label(self, name) for name in _ERRORS}
        self.type_combo = self._combo("ticket_type", "Ticket type")
        self.type_help = QLabel(self)
        self.type_help.setObjectName("ticket_type_description")
        self.type_help.setWordWrap(True)
        self.type_help.setStyleSheet("color: palette(placeholder-text);")
        self.type_help.hide()
        self.group_combo = self._combo("ticket_group", "Group")
        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("ticket_title")
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setPlaceholderText("What is the problem, in a few words?")
        self.description = RichTextEdit(self.workspace.blobs, self, runner=self.runner)
        self.description.setObjectName("ticket_description")
        self.description.setAccessibleName("Description")
        self.description.setPlaceholderText("Describe it. Paste or drop screenshots straight in.")
        self.description.setMinimumHeight(140)
        self.description.setTabChangesFocus(True)
        self.toolbar = RichTextToolbar(self.description, self)
        self.addActions(self.toolbar.actions())
        # Bytes still on their way to the blob store go with Create, so none is missed.
        self.pictures = PastedImages(self.description, self.toolbar, self.workspace.blobs,
                                     self.runner, self)
        self.priority_combo = self._combo("ticket_priority", "Priority")
        self.custom_box = QGroupBox("Details", self)
        self.custom_box.setObjectName("ticket_custom_fields_box")
        self.custom_fields = CustomFieldForm(self.custom_box)
        QVBoxLayout(self.custom_box).addWidget(self.custom_fields)
        self.parent_picker = ParentPicker(
            self.runner, partial(find_parent_tickets, self.workspace, self.user_id), self)
        self.file_list = FilesToAttach("ticket_files", "button_add_files",
                                       "button_remove_files", self, multiple=True)
        self.files = self.file_list.list
        self.add_files_button = self.file_list.attach_button
        self.remove_files_button = self.file_list.remove_button
        self.creator_combo = self._combo("ticket_creator", "Creator")
        self.creator_combo.setToolTip("Who the ticket is for: it counts as theirs.")
        self.created_at_check = QCheckBox("Filed earlier, at:", self)
        self.created_at_check.setObjectName("ticket_created_at_set")
        self.created_at_check.setAccessibleName("Set the creation date")
        self.created_at_edit = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.created_at_edit.setObjectName("ticket_created_at")
        self.created_at_edit.setAccessibleName("Creation date")
        self.created_at_edit.setCalendarPopup(True)
        self.created_at_edit.setDisplayFormat(DATE_FORMAT)
        self.created_at_edit.setMaximumDateTime(QDateTime.currentDateTime())
        self.created_at_edit.setEnabled(False)

        self.create_action = QAction(palette.icon("mdi6.ticket-confirmation-outline"),
                                     CREATE_TEXT, self)
        self.create_action.setObjectName("action_create_ticket")
        self.create_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.create_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(self.create_action)
        self.buttons = QDialogButtonBox(self)
        self.create_button = self.buttons.addButton(
            CREATE_TEXT, QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("button_create_ticket")
        self.create_button.setAccessibleName(CREATE_TEXT)
        self.create_button.setToolTip("File the ticket (Ctrl+Enter)")
        self.create_button.setIcon(self.create_action.icon())
        self.create_button.setAutoDefault(False)  # Enter in the title must not file it
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("button_cancel")
        self.cancel_button.setAccessibleName("Cancel")
        self._lay_out()

    def _lay_out(self) -> None:
        self._content = content = QWidget(self)
        content.setObjectName("ticket_create_form")
        self.form = QFormLayout(content)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._row("&Type:", self.type_combo, [self.type_combo, self.type_help],
                  "ticket_type_id")
        self._row("&Group:", self.group_combo, [self.group_combo], "group_id")
        self._row("T&itle:", self.title_edit, [self.title_edit], "title")
        self._row("&Description:", self.description, [self.toolbar, self.description],
                  "description")
        self._row("&Priority:", self.priority_combo, [self.priority_combo], "priority")
        self._custom_row = self.form.rowCount()
        self.form.addRow(self.custom_box)
        self._row("P&arent:", self.parent_picker.search_edit, [self.parent_picker],
                  "parent_id")
        self._row("Fi&les:", self.files, [self.file_list], "files")
        self._creator_row = self._row("C&reator:", self.creator_combo, [self.creator_combo],
                                      "creator_id")
        created_row = QHBoxLayout()
        created_row.addWidget(self.created_at_check)
        created_row.addWidget(self.created_at_edit, 1)
        self._created_row = self._row("Created:", self.created_at_check, [created_row],
                                      "created_at")
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("ticket_create_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        layout = QVBoxLayout(self)
        # The form scrolls, so the window needs no minimum from its contents; one that
        # followed them would change whenever a row shows or hides.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self._errors["general"])
        layout.addWidget(self.buttons)
        self.setMinimumSize(480, 360)
        self.resize(720, 760)

    def _row(self, label: str, buddy: QWidget, parts: list[QWidget | QHBoxLayout],
             error: str) -> int:
        caption = QLabel(label, self)
        caption.setBuddy(buddy)
        self.form.addRow(caption, message_column(parts, [self._errors[error]]))
        return self.form.rowCount() - 1

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        return combo

    def _connect(self) -> None:
        self.type_combo.currentIndexChanged.connect(self._on_type_combo_current_index_changed)
        self.group_combo.currentIndexChanged.connect(self._on_group_combo_current_index_changed)
        self.title_edit.textEdited.connect(self._on_title_edit_text_edited)
        self.description.textChanged.connect(self._on_description_text_changed)
        self.description.files_dropped.connect(self._on_description_files_dropped)
        self.parent_picker.changed.connect(self._on_parent_picker_changed)
        self.creator_combo.currentIndexChanged.connect(self._on_creator_combo_changed)
        self.created_at_check.toggled.connect(self._on_created_at_check_toggled)
        self.file_list.added.connect(self._on_file_list_changed)
        self.file_list.removed.connect(self._on_file_list_changed)
        self.create_action.triggered.connect(self.create_ticket)
        self.buttons.accepted.connect(self.create_ticket)
        self.buttons.rejected.connect(self.reject)

    def _set_ready(self, ready: bool) -> None:
        self._content.setEnabled(ready)
        self.create_button.setEnabled(ready and not self._creating)
        self.create_action.setEnabled(ready and not self._creating)

    # --- Loading --------------------------------------------------------------------------

    @property
    def is_ready(self) -> bool:
        return self._options is not None

    @Slot(object)
    def _on_options_task_succeeded(self, options: CreateFormOptions) -> None:
        self._options = options
        self.type_combo.blockSignals(True)
        try:
            self.type_combo.clear()
            if not options.type_required:
                self.type_combo.addItem("No type", None)
            else:
                self.type_combo.setPlaceholderText("Choose a type")
            for option in options.types:
                self.type_combo.addItem(option.name, option.id)
                if option.description:
                    self.type_combo.setItemData(self.type_combo.count() - 1,
                                                option.description, Qt.ItemDataRole.ToolTipRole)
            self.type_combo.setCurrentIndex(0 if not options.type_required
                                            or len(options.types) == 1 else -1)
        finally:
            self.type_combo.blockSignals(False)
        for priority in options.priorities:
            self.priority_combo.addItem(priority.label, int(priority))
        self.priority_combo.setCurrentIndex(max(self.priority_combo.findText("Medium"), 0))
        self._fill_creators(options)
        self.form.setRowVisible(self._created_row, options.allow_creation_date)
        self._errors["created_at"].hide()  # setRowVisible shows every widget of the row
        self._on_type_combo_current_index_changed()
        self._set_ready(True)
        self.title_edit.setFocus()
        self.options_loaded.emit()

    def _fill_creators(self, options: CreateFormOptions) -> None:
        self.creator_combo.blockSignals(True)
        try:
            self.creator_combo.clear()
            self.creator_combo.addItem("Choose who it is for", None)
            for person in options.people:
                self.creator_combo.addItem(f"{person.full_name} ({person.username})",
                                           person.id)
            mine = find_data(self.creator_combo, self.user_id)
            self.creator_combo.setCurrentIndex(
                0 if options.creator_blank_by_default or mine < 0 else mine)
        finally:
            self.creator_combo.blockSignals(False)

    @Slot(object)
    def _on_options_task_failed(self, error: BaseException) -> None:
        message = error.message if isinstance(error, DomainError) else str(error)
        messages.error(self, "The ticket form could not be opened.", details=message)

    # --- Type, group and creator ----------------------------------------------------------

    def _selected_type(self) -> uuid.UUID | None:
        data = self.type_combo.currentData()
        return data if isinstance(data, uuid.UUID) else None

    @Slot()
    def _on_type_combo_current_index_changed(self) -> None:
        """Groups narrow to the type's; its fields replace the others, keeping what was
        typed in the fields both share (the global ones)."""
        options = self._options
        if options is None:
            return
        self._errors["ticket_type_id"].hide()
        type_id = self._selected_type()
        chosen = next((t for t in options.types if t.id == type_id), None)
        self.type_help.setText(chosen.description if chosen is not None else "")
        self.custom_box.setTitle(f"{chosen.name} details" if chosen is not None else "Details")
        self.type_help.setVisible(bool(self.type_help.text()))
        previous = self.group_combo.currentData()
        self.group_combo.blockSignals(True)
        try:
            self.group_combo.clear()
            groups = options.groups_for(type_id)
            for group in groups:
                self.group_combo.addItem(group.name, group.id)
            self.group_combo.setPlaceholderText(
                "Choose a group" if groups else "No group of yours offers this type")
            index = find_data(self.group_combo, previous)
            self.group_combo.setCurrentIndex(
                index if index >= 0 else (0 if len(groups) == 1 else -1))
        finally:
            self.group_combo.blockSignals(False)
        self.custom_fields.set_fields(options.fields_for(type_id), self.custom_fields.values())
        self.form.setRowVisible(self._custom_row, bool(options.fields_for(type_id)))
        self._on_group_combo_current_index_changed()

    @Slot()
    def _on_group_combo_current_index_changed(self) -> None:
        options = self._options
        if options is None:
            return
        self._errors["group_id"].hide()
        group_id = self.group_combo.currentData()
        self.form.setRowVisible(self._creator_row, group_id in options.may_set_creator_in)
        self._errors["creator_id"].hide()

    @Slot()
    def _on_creator_combo_changed(self) -> None:
        self._errors["creator_id"].hide()

    @Slot(bool)
    def _on_created_at_check_toggled(self, checked: bool) -> None:
        self.created_at_edit.setEnabled(checked)
        self._errors["created_at"].hide()

    @Slot()
    def _on_title_edit_text_edited(self) -> None:
        self._errors["title"].hide()

    @Slot()
    def _on_description_text_changed(self) -> None:
        self._errors["description"].hide()

    @Slot()
    def _on_parent_picker_changed(self) -> None:
        self._errors["parent_id"].hide()

    # --- Images and files -----------------------------------------------------------------

    @Slot(list)
    def _on_description_files_dropped(self, paths: list[Path]) -> None:
        for path in paths:
            self.add_file(path)

    def add_file(self, path: Path) -> None:
        """Queue ``path`` to be attached to the new ticket (once per path)."""
        self.file_list.add(path)

    def file_paths(self) -> list[Path]:
        return self.file_list.paths()

    @Slot()
    def _on_file_list_changed(self) -> None:
        self._errors["files"].hide()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData())
        if not paths:
            super().dropEvent(event)
            return
        for path in paths:
            self.add_file(path)
        event.acceptProposedAction()

    # --- Creating -------------------------------------------------------------------------

    def submission(self) -> TicketSubmission:
        html = self.description.toHtml()
        if not self.description.toPlainText().strip() and not image_hashes(html):
            html = ""
        creator = self.creator_combo.currentData() if self.form.isRowVisible(
            self._creator_row) else self.user_id
        created_at = None
        if self.form.isRowVisible(self._created_row) and self.created_at_check.isChecked():
            seconds = self.created_at_edit.dateTime().toSecsSinceEpoch()
            created_at = dt.datetime.fromtimestamp(seconds, dt.UTC)
        return TicketSubmission(
            title=self.title_edit.text(), group_id=self.group_combo.currentData(),
            description_html=html, priority=self.priority_combo.currentData(),
            ticket_type_id=self._selected_type(), custom_values=self.custom_fields.values(),
            creator_id=creator, parent_id=self.parent_picker.parent_id(),
            created_at=created_at, images=self.pictures.images(),
            files=tuple(self.file_paths()))

    @Slot()
    def create_ticket(self) -> None:
        if self._creating or self._options is None:
            return
        self.clear_errors()
        self._set_busy(True)
        task = self.runner.run(partial(submit_ticket, self.workspace, self.user_id,
                                       self.submission(), self.pictures.unsaved()))
        task.succeeded.connect(self._on_create_task_succeeded)
        task.failed.connect(self._on_create_task_failed)

    def _set_busy(self, busy: bool) -> None:
        self._creating = busy
        self.create_button.setEnabled(not busy)
        self.create_action.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.create_button.setText("Creating…" if busy else CREATE_TEXT)

    def reject(self) -> None:
        if not self._creating:  # the ticket may be filed a moment later: wait for it
            super().reject()

    @Slot(object)
    def _on_create_task_succeeded(self, created: CreatedTicket) -> None:
        self._set_busy(False)
        if created.warnings:
            messages.warning(self, "\n".join(created.warnings), title="Ticket created")
        self.ticket_created.emit(created.ticket_id)
        self.accept()

    @Slot(object)
    def _on_create_task_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        refused = refusal(error)
        if refused is not None:
            field, message = refused
            self.show_error(field, message)
        else:
            message = "The ticket could not be created."
            self.show_error("", message)
            messages.error(self, message, details=str(error))
        self.create_failed.emit(message)

    def show_error(self, field: str, message: str) -> None:
        """Show a refusal beside the input it names (a command field name), and take the
        person there."""
        if field.startswith("custom:") and self.custom_fields.show_error(field, message):
            target: QWidget = self.custom_fields.editor(field.partition(":")[2])
            self.scroll_area.ensureWidgetVisible(target)
            target.setFocus()
            return
        name = _FIELD_OF_ERROR.get(field, "general")
        label = self._errors[name]
        label.setText(message)
        label.show()
        inputs: dict[str, QWidget] = {
            "ticket_type_id": self.type_combo, "group_id": self.group_combo,
            "title": self.title_edit, "description": self.description,
            "priority": self.priority_combo, "parent_id": self.parent_picker,
            "files": self.files, "creator_id": self.creator_combo,
            "created_at": self.created_at_edit}
        if name in inputs:
            self.scroll_area.ensureWidgetVisible(label)
            inputs[name].setFocus()

    def clear_errors(self) -> None:
        for label in self._errors.values():
            label.hide()
        self.custom_fields.clear_errors()

    def error_text(self, name: str) -> str:
        """The message shown for ``name`` (a label of this dialog), or "" if none is."""
        label = self._errors[name]
        return label.text() if not label.isHidden() else ""
