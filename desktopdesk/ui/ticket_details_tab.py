"""The ticket view's Details tab: every field of the ticket, editable where the reader may.

The tab holds no rules. What may be changed, and why not, comes with the
``TicketDetails`` (a part that may not be changed is shown disabled with the reason as
its tooltip); what a Save does is ``commands_for_edit``'s answer, run in one transaction
by ``ticket_view_source.save_edit`` on the task runner. A refusal is shown beside the
field it names and nothing typed is lost.

The tab holds the main column (title, description, resolution, the type's fields), the
button bar and the saving; the side column (properties, parent, dates) is
``TicketDetailsSide``, and both label their parts through one ``PartLabels``.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.html import sanitize_html
from desktopdesk.domain.ticket_details import TicketDetails
from desktopdesk.domain.ticket_edit import TicketEdit
from desktopdesk.models import Resolution, Status
from desktopdesk.store.drafts import InlineImage
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette
from desktopdesk.ui.combo_data import select_data
from desktopdesk.ui.custom_field_form import CustomFieldForm
from desktopdesk.ui.form_messages import error_label
from desktopdesk.ui.inline_images import RichTextEdit
from desktopdesk.ui.rich_text_toolbar import RichTextToolbar
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_close_dialog import ClosingNote, TicketCloseDialog
from desktopdesk.ui.ticket_details_parts import (
    PartLabels,
    fit_to_text,
    value_label,
)
from desktopdesk.ui.ticket_details_side import TicketDetailsSide
from desktopdesk.ui.ticket_view_source import SavedEdit, attempt_save

#: Which part's error label shows a refusal naming this command field.
_PART_OF_FIELD = {
    "resolution": "status", "epilogue_html": "status", "emails": "emails_in_copy",
    "inventory_object_id": "inventory", "inventory_object_ids": "inventory",
    "locked": "status",
}


class TicketDetailsTab(QWidget):
    """Shows one ``TicketDetails`` and saves what the person changed in it."""

    #: A Save went through: the ids of the tickets it changed (the view reloads).
    saved = Signal(object)
    #: Another ticket should be opened (the parent's link): its id.
    ticket_open_requested = Signal(object)
    #: Whether there is something to save changed (for the view's title, say).
    modified_changed = Signal(bool)
    #: A Save was refused or failed; the message shown.
    save_failed = Signal(str)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_details_tab")
        self.setAccessibleName("Ticket details")
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self.details: TicketDetails | None = None
        #: Widget readings right after loading: a part differs from them only if the
        #: person changed it (round trips through widgets never count as a change).
        self._loaded: dict[str, Any] = {}
        self._closing: ClosingNote | None = None
        self._waiting: TicketDetails | None = None  # newer details held back while editing
        self._filling = False
        self._saving = False
        self._accept_next_details = False
        self._save_when_closing_noted = False
        self._was_modified = False
        self._last_status: Status | None = None
        self.close_dialog: TicketCloseDialog | None = None
        self._build()
        self._connect()
        self.setEnabled(False)

    # --- Building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.labels = PartLabels()
        self._errors = self.labels.errors
        content = QWidget()
        content.setObjectName("details_content")
        columns = QHBoxLayout(content)
        columns.setContentsMargins(12, 12, 12, 12)
        columns.setSpacing(16)
        columns.addLayout(self._build_main(content), 3)
        self.side = TicketDetailsSide(self.workspace, self.user_id, self.runner, self.labels,
                                      content)
        columns.addWidget(self.side, 0)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("details_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        self.content = content

        self.newer_bar = QFrame(self)
        self.newer_bar.setObjectName("details_newer_bar")
        self.newer_bar.setAccessibleName("The ticket changed meanwhile")
        palette.set_style(self.newer_bar, "QFrame#details_newer_bar { background:"
                          " $info_background; border: 1px solid $info_border;"
                          " border-radius: 4px; }")
        self.newer_label = QLabel("This ticket was changed while you were editing it. Your "
                                  "changes are kept, and Save applies only what you changed.",
                                  self.newer_bar)
        self.newer_label.setObjectName("details_newer_text")
        self.newer_label.setWordWrap(True)
        self.show_newer_button = QPushButton("Discard mine and show the latest",
                                             self.newer_bar)
        self.show_newer_button.setObjectName("details_show_newer")
        self.show_newer_button.setAccessibleName("Discard my changes and show the latest")
        newer = QHBoxLayout(self.newer_bar)
        newer.setContentsMargins(8, 4, 4, 4)
        icon = QLabel(self.newer_bar)
        icon.setObjectName("details_newer_icon")
        palette.set_icon(icon, palette.icon("mdi6.information-outline", color=palette.info_icon),
                         QSize(18, 18))
        newer.addWidget(icon)
        newer.addWidget(self.newer_label, 1)
        newer.addWidget(self.show_newer_button)
        self.newer_bar.hide()

        self.save_action = QAction(palette.icon("mdi6.content-save-outline"), "Save", self)
        self.save_action.setObjectName("action_save_details")
        self.save_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.save_action)
        self.save_button = QPushButton(palette.icon("mdi6.content-save-outline"), "Save", self)
        self.save_button.setObjectName("button_save_details")
        self.save_button.setAccessibleName("Save the ticket's details")
        native = self.save_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.save_button.setToolTip(f"Save the changes ({native})")
        self.save_button.setDefault(True)
        self.revert_button = QPushButton(palette.icon("mdi6.undo-variant"), "Revert", self)
        self.revert_button.setObjectName("button_revert_details")
        self.revert_button.setAccessibleName("Revert the changes")
        self.revert_button.setToolTip("Put every field back as it was loaded")
        self._errors["general"] = error_label(self, "details_general")
        self.changes_label = QLabel(self)
        self.changes_label.setObjectName("details_changes")
        palette.set_style(self.changes_label, "color: $muted_text;")
        bar = QFrame(self)
        bar.setObjectName("details_button_bar")
        bar.setStyleSheet("QFrame#details_button_bar { border-top: 1px solid palette(mid); }")
        buttons = QHBoxLayout(bar)
        buttons.setContentsMargins(12, 6, 12, 6)
        buttons.addWidget(self._errors["general"], 1)
        buttons.addStretch(1)  # holds the buttons right while there is no message
        buttons.addWidget(self.changes_label)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.newer_bar)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(bar)

    def _build_main(self, parent: QWidget) -> QVBoxLayout:
        self.title = QLineEdit(parent)
        self.title.setObjectName("details_title")
        self.title.setAccessibleName("Title")
        self.title.setPlaceholderText("What is the problem, in a line?")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.description = RichTextEdit(self.workspace.blobs, parent)
        self.description.setObjectName("details_description")
        self.description.setAccessibleName("Description")
        self.description.setPlaceholderText("The problem in full: what happens, since when, "
                                            "what was tried.")
        fit_to_text(self.description, 120, 360)
        self.description_toolbar = RichTextToolbar(self.description, parent)
        self.description_toolbar.setObjectName("details_description_toolbar")
        self.description_toolbar.image.setVisible(False)  # pasting a picture still works
        self.addActions(self.description_toolbar.actions())

        self.epilogue_box = QGroupBox("Resolution", parent)
        self.epilogue_box.setObjectName("details_epilogue_box")
        self.resolution_text = value_label("details_resolution_text", self.epilogue_box)
        bold = QFont(self.resolution_text.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.resolution_text.setFont(bold)
        self.epilogue = QTextBrowser(self.epilogue_box)
        self.epilogue.setObjectName("details_epilogue")
        self.epilogue.setAccessibleName("Epilogue")
        self.epilogue.setOpenLinks(False)
        fit_to_text(self.epilogue, 48, 240)
        self.change_closing_button = QPushButton("Change…", self.epilogue_box)
        self.change_closing_button.setObjectName("details_change_closing")
        self.change_closing_button.setAccessibleName("Change the resolution and epilogue")
        top = QHBoxLayout()
        top.addWidget(self.resolution_text, 1)
        top.addWidget(self.change_closing_button)
        epilogue_layout = QVBoxLayout(self.epilogue_box)
        epilogue_layout.addLayout(top)
        epilogue_layout.addWidget(self.epilogue)
        self.epilogue_box.hide()

        self.custom_box = QGroupBox("Fields of this type", parent)
        self.custom_box.setObjectName("details_custom_box")
        self.custom_fields = CustomFieldForm(self.custom_box)
        custom_layout = QVBoxLayout(self.custom_box)
        custom_layout.addWidget(self.custom_fields)

        layout = QVBoxLayout()
        layout.setSpacing(4)
        layout.addWidget(self.labels.caption("title", "&Title", self.title, parent))
        layout.addWidget(self.title)
        layout.addWidget(self.labels.error("title", parent))
        layout.addSpacing(8)
        layout.addWidget(self.labels.caption("description_html", "&Description", self.description,
                                       parent))
        layout.addWidget(self.description_toolbar)
        layout.addWidget(self.description)
        layout.addWidget(self.labels.error("description_html", parent))
        layout.addSpacing(8)
        layout.addWidget(self.epilogue_box)
        layout.addWidget(self.custom_box)
        layout.addStretch(1)
        return layout


    def _connect(self) -> None:
        self._part_of_widget: dict[QObject | None, str] = {
            self.title: "title", self.description: "description_html"}
        self.title.textEdited.connect(self._on_field_edited)
        self.description.textChanged.connect(self._on_field_edited)
        self.description.image_inserted.connect(self._on_description_image_inserted)
        self.custom_fields.values_changed.connect(self._on_field_edited)
        self.side.edited.connect(self._on_side_edited)
        self.side.group.currentIndexChanged.connect(self._on_group_current_index_changed)
        self.side.ticket_type.currentIndexChanged.connect(
            self._on_ticket_type_current_index_changed)
        self.side.status.currentIndexChanged.connect(self._on_status_current_index_changed)
        self.side.ticket_open_requested.connect(self.ticket_open_requested)
        self.change_closing_button.clicked.connect(self._on_change_closing_button_clicked)
        self.save_action.triggered.connect(self.save)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.show_newer_button.clicked.connect(self._on_show_newer_button_clicked)

    # --- Showing --------------------------------------------------------------------------

    def show_details(self, details: TicketDetails) -> None:
        """Show ``details``; while the person has unsaved changes to the same ticket they
        are kept, and a bar offers the newer version instead."""
        same_ticket = self.details is not None and self.details.id == details.id
        if (same_ticket and self.has_unsaved_changes() and not self._accept_next_details):
            self._waiting = details
            self.newer_bar.show()
            return
        self._accept_next_details = False
        self._fill(details)

    def _fill(self, details: TicketDetails) -> None:
        if self.close_dialog is not None:
            self.close_dialog.reject()  # it was about what is being replaced
        self._filling = True
        try:
            self.details = details
            self._waiting = None
            self._closing = None
            self.newer_bar.hide()
            self.clear_errors()
            self.title.setText(details.title)
            self.title.setCursorPosition(0)
            self.description.set_sanitised_html(details.description_html)
            self.side.fill(details)
            self._last_status = details.status
            self.custom_fields.set_fields(details.custom_fields, dict(details.custom_values))
            self.custom_box.setVisible(bool(details.custom_fields))
            self._show_closing()
            self._loaded = self._readings()
            self._apply_read_only(details)
        finally:
            self._filling = False
        self.setEnabled(True)
        self._update_buttons()

    def _apply_read_only(self, details: TicketDetails) -> None:
        """Make read-only what the reader may not change (text stays selectable), with the
        reason as the tooltip and a lock beside the caption."""
        for part, text in (("title", self.title), ("description_html", self.description)):
            reason = details.read_only_reason(part)
            text.setReadOnly(reason is not None)
            self.labels.explain(part, text, reason)
        self.description_toolbar.setEnabled(not self.description.isReadOnly())
        self.side.apply_read_only(details)
        self.custom_fields.set_read_only(details.read_only_reason("custom"))
        self.change_closing_button.setEnabled(details.read_only_reason("status") is None)

    # --- What the person made of it -------------------------------------------------------

    def _readings(self) -> dict[str, Any]:
        """What each widget says now, in the terms of ``TicketEdit``."""
        return {
            "title": self.title.text(),
            "description_html": self.description.toHtml(),
            **self.side.readings(),
            "custom_values": self.custom_fields.values(),
        }

    def current_edit(self) -> TicketEdit | None:
        """The loaded ticket with only what the person changed changed; None before load."""
        if self.details is None:
            return None
        base = TicketEdit.of(self.details)
        now = self._readings()
        changes: dict[str, Any] = {}
        for key, value in now.items():
            if key == "custom_values" or value == self._loaded.get(key):
                continue
            changes[key] = sanitize_html(value) if key == "description_html" else value
        loaded_custom: dict[str, str] = self._loaded.get("custom_values", {})
        if now["custom_values"] != loaded_custom:
            stored = dict(base.custom_values)
            changes["custom_values"] = tuple(
                (key, stored.get(key, value) if value == loaded_custom.get(key) else value)
                for key, value in now["custom_values"].items())
        if self._closing is not None and now["status"] is Status.CLOSED:
            changes["resolution"] = self._closing.resolution
            changes["epilogue_html"] = self._closing.epilogue_html
        return dataclasses.replace(base, **changes) if changes else base

    def has_unsaved_changes(self) -> bool:
        if self.details is None:
            return False
        return self._readings() != self._loaded

    def changed_parts(self) -> list[str]:
        """The captions of what was changed, for the button bar."""
        now = self._readings()
        names = {"inventory_ids": "inventory", "custom_values": "custom"}
        parts = [names.get(key, key) for key, value in now.items()
                 if value != self._loaded.get(key)]
        return [self.labels.caption_text(part) or "Fields of this type" for part in parts]

    def _update_buttons(self) -> None:
        modified = self.has_unsaved_changes()
        self.save_button.setEnabled(modified and not self._saving)
        self.save_action.setEnabled(modified and not self._saving)
        self.revert_button.setEnabled(modified and not self._saving)
        if self._saving:
            self.changes_label.setText("Saving…")
        elif modified:
            changed = self.changed_parts()
            self.changes_label.setText(f"Changed: {', '.join(changed)}")
        else:
            self.changes_label.setText("")
        if modified != self._was_modified:
            self._was_modified = modified
            self.modified_changed.emit(modified)

    # --- Closing --------------------------------------------------------------------------

    def _show_closing(self) -> None:
        """The Resolution box: the stored one once closed, the chosen one while closing."""
        details = self.details
        if details is None:
            return
        if self._closing is not None:
            self.resolution_text.setText(f"{self._closing.resolution.label} "
                                         "(applied when you save)")
            self.epilogue.setHtml(sanitize_html(self._closing.epilogue_html))
            self.change_closing_button.show()
            self.epilogue_box.show()
        elif details.status is Status.CLOSED:
            self.resolution_text.setText(details.resolution.label
                                         if details.resolution is not Resolution.NONE
                                         else "No resolution given")
            self.epilogue.setHtml(sanitize_html(details.epilogue_html))
            self.epilogue.setVisible(bool(details.epilogue_html.strip()))
            self.change_closing_button.hide()
            self.epilogue_box.show()
        else:
            self.epilogue_box.hide()
        self.epilogue.setVisible(self._closing is not None
                                 or bool(details.epilogue_html.strip()))

    def ask_closing_note(self) -> None:
        """Open the close dialog (window-modal, not blocking); the choice comes back to
        ``_on_close_dialog_note_confirmed``, a cancel puts the status back."""
        if self.details is None:
            return
        if self.close_dialog is not None:
            self.close_dialog.raise_()
            return
        dialog = TicketCloseDialog(self.workspace.blobs, self.runner,
                                   self.details.number_label, note=self._closing, parent=self)
        dialog.note_confirmed.connect(self._on_close_dialog_note_confirmed)
        dialog.rejected.connect(self._on_close_dialog_rejected)
        dialog.finished.connect(self._on_close_dialog_finished)
        self.close_dialog = dialog
        dialog.open()

    @Slot(object)
    def _on_close_dialog_note_confirmed(self, note: ClosingNote) -> None:
        self._closing = note
        self._show_closing()
        self._update_buttons()
        self.save_button.setFocus()
        if self._save_when_closing_noted:
            self._save_when_closing_noted = False
            self.save()

    @Slot()
    def _on_close_dialog_rejected(self) -> None:
        self._save_when_closing_noted = False
        if self._closing is None and self.details is not None:
            self._set_status(self._last_status or self.details.status)  # not closing

    @Slot(int)
    def _on_close_dialog_finished(self, _result: int) -> None:
        if self.close_dialog is not None:
            self.close_dialog.deleteLater()
        self.close_dialog = None

    def _set_status(self, status: Status) -> None:
        self._filling = True
        try:
            self.side.select_status(status)
            self._last_status = status
        finally:
            self._filling = False
        self._show_closing()
        self._update_buttons()

    # --- Saving ---------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        if self.details is None or self._saving or not self.has_unsaved_changes():
            return
        edit = self.current_edit()
        assert edit is not None
        if (edit.status is Status.CLOSED and self.details.status is not Status.CLOSED
                and self._closing is None):
            self._save_when_closing_noted = True
            self.ask_closing_note()
            return
        self.clear_errors()
        self._set_saving(True)
        task = self.runner.run(partial(attempt_save, self.workspace, self.user_id,
                                       self.details, edit))
        task.succeeded.connect(self._on_save_task_succeeded)
        task.failed.connect(self._on_save_task_failed)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.content.setEnabled(not saving)  # what is changed now would be lost on reload
        self.save_button.setText("Saving…" if saving else "Save")
        self._update_buttons()

    @Slot(object)
    def _on_save_task_succeeded(self, result: SavedEdit | DomainError) -> None:
        self._set_saving(False)
        if isinstance(result, DomainError):
            self._refused(result)
            return
        self._accept_next_details = True
        if result.warnings:
            messages.warning(self, "\n".join(result.warnings), title="Saved, with a note")
        self.saved.emit(list(result.changed_ticket_ids))

    @Slot(object)
    def _on_save_task_failed(self, error: BaseException) -> None:
        self._set_saving(False)
        if isinstance(error, DomainError):
            self._refused(error)
            return
        message = "The changes could not be saved; they are still here."
        self._errors["general"].setText(message)
        self._errors["general"].show()
        messages.error(self, message, details=str(error))
        self.save_failed.emit(message)

    def _refused(self, error: DomainError) -> None:
        """Beside the field it names; the values stay as typed so Save can be tried again."""
        shown_by_field = self.show_error(error.field or "", error.message)
        general = self._errors["general"]
        general.setText("Not saved: see the message above." if shown_by_field
                        else f"Not saved: {error.message}")
        general.show()
        self.save_failed.emit(error.message)

    def show_error(self, field: str, message: str) -> bool:
        """Show ``message`` under the input the command field names; False if none does."""
        part = _PART_OF_FIELD.get(field, field)
        if part.startswith("custom:"):
            if self.custom_fields.show_error(part, message):
                self.scroll_area.ensureWidgetVisible(self.custom_box)
                return True
            return False
        label = self._errors.get(part)
        if label is None or part == "general":
            return False
        label.setText(message)
        label.show()
        self.scroll_area.ensureWidgetVisible(label)
        return True

    def error_text(self, part: str) -> str | None:
        """The refusal shown beside ``part`` ("general" for the button bar), if any."""
        label = self._errors.get(part)
        return label.text() if label is not None and not label.isHidden() else None

    def clear_errors(self) -> None:
        for label in self._errors.values():
            label.hide()
        self.custom_fields.clear_errors()

    @Slot()
    def revert(self) -> None:
        if self.details is not None and not self._saving:
            self._fill(self._waiting or self.details)

    # --- Slots ----------------------------------------------------------------------------

    @Slot()
    def _on_field_edited(self) -> None:
        self._edited(self._part_of_widget.get(self.sender()))

    @Slot(str)
    def _on_side_edited(self, part: str) -> None:
        self._edited(part)

    def _edited(self, part: str | None) -> None:
        if self._filling:
            return
        if part is not None:
            self._errors[part].hide()  # the person is answering it
        self._update_buttons()

    @Slot(int)
    def _on_status_current_index_changed(self, _index: int) -> None:
        if self._filling or self.details is None:
            return
        self._errors["status"].hide()
        chosen = self.side.status.currentData()
        closing = chosen is Status.CLOSED and self.details.status is not Status.CLOSED
        if closing and self._closing is None:
            self.ask_closing_note()
        elif not closing:
            self._closing = None
            self._last_status = chosen
        self._show_closing()
        self._update_buttons()

    @Slot(int)
    def _on_ticket_type_current_index_changed(self, _index: int) -> None:
        """The form shows the fields of the type chosen; what was typed into a field the
        two types share (a global one) stays."""
        if self._filling or self.details is None:
            return
        specs = self.details.fields_for_type(self.side.ticket_type.currentData())
        values = {**dict(self.details.custom_values), **self.custom_fields.values()}
        self._filling = True
        try:
            self.custom_fields.set_fields(specs, values)
        finally:
            self._filling = False
        self.custom_box.setVisible(bool(specs))
        self._edited("ticket_type_id")

    @Slot(int)
    def _on_group_current_index_changed(self, _index: int) -> None:
        """A group offers its own types: the list follows the group chosen."""
        if self._filling or self.details is None:
            return
        types = self.side.ticket_type
        chosen = types.currentData()
        self._filling = True
        try:
            self.side.fill_types(self.details, self.side.group.currentData())
            select_data(types, chosen)
        finally:
            self._filling = False
        if types.currentData() != chosen:
            self._on_ticket_type_current_index_changed(types.currentIndex())
        self._edited("group_id")

    @Slot()
    def _on_change_closing_button_clicked(self) -> None:
        self.ask_closing_note()

    @Slot()
    def _on_show_newer_button_clicked(self) -> None:
        if self._waiting is not None:
            self._fill(self._waiting)

    @Slot(object, bytes)
    def _on_description_image_inserted(self, image: InlineImage, data: bytes) -> None:
        store: Callable[..., object] = self.workspace.blobs.put_bytes
        self.runner.run(partial(store, data, expected_sha256=image.sha256))
