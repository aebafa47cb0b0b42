"""Editing one custom field's definition: label, kind, required, help, and what the
kind needs (bounds, options, the parent field and its ``Parent|Child`` values).

It holds the definition as typed (``FieldDraft``) and says when it changed, so the
preview follows every keystroke; saving, confirming and refusing are the section's
business. A refusal comes back naming a command field ("label", "options", "parent",
"linked"...) and is shown under that input, with what was typed kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.admin_queries import FieldDefinition
from desktopdesk.models import FieldKind
from desktopdesk.ui.admin.linked_values_editor import LinkedValuesEditor
from desktopdesk.ui.admin.types_source import FieldDraft, values_of
from desktopdesk.ui.combo_data import find_data, select_data
from desktopdesk.ui.form_messages import error_label, heading_label, message_column, text_label

KIND_NAMES = {
    FieldKind.TEXT: "Text (one line)",
    FieldKind.TEXTAREA: "Text area (several lines)",
    FieldKind.DATE: "Date",
    FieldKind.NUMERIC: "Number",
    FieldKind.CHECKBOX: "Checkbox (yes or no)",
    FieldKind.COMBO: "Combo (a list of options)",
    FieldKind.LINKED: "Linked (lists that depend on each other)",
}
#: The inputs a refusal may name (``DomainError.field``); the rest go under the buttons.
ERROR_FIELDS = ("label", "kind", "options", "parent", "linked", "numeric_min", "numeric_max")
OPTIONS_HINT = ("One option per line, or the manual's comma list (,Yes,No). A blank first "
                "line or a leading comma gives an empty first choice.")
VALUES_HINT = "One value per line, or the manual's comma list (Laptop,PC,Printer)."
LINKED_HINT = "One Parent|Child pair per line, or the manual's comma list."
NO_PARENT = "None: a first-level list"

W = TypeVar("W", bound=QWidget)


class FieldEditor(QWidget):
    #: The person changed the definition (the preview follows).
    draft_changed = Signal()
    #: Save was pressed.
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("field_editor")
        self.setAccessibleName("Field definition")
        self._loaded: FieldDraft | None = None
        self._parents: dict[uuid.UUID, FieldDefinition] = {}
        self._filling = False
        self._build()
        self._connect()
        self.show_nothing()

    # --- Building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.heading = heading_label(self, "field_heading")
        self.note = text_label(self, "field_note", "color: $muted_text;")
        self.errors = {name: error_label(self, f"field_{name}") for name in ERROR_FIELDS}
        self.general_error = error_label(self, "field_general")
        self.label_edit = self._named(QLineEdit(self), "field_label", "Label")
        self.label_edit.setPlaceholderText("What the form shows beside the field")
        self.kind_combo = self._named(QComboBox(self), "field_kind", "Kind")
        for kind, name in KIND_NAMES.items():
            self.kind_combo.addItem(name, kind)
        self.required_check = self._named(QCheckBox("Required", self),
                                          "field_required", "Required")
        self.required_check.setToolTip("A ticket cannot be filed without a value for it.")
        self.show_in_list_check = self._named(QCheckBox("Show in the ticket list", self),
                                              "field_show_in_list", "Show in the ticket list")
        self.help_edit = self._named(QLineEdit(self), "field_help", "Help text")
        self.help_edit.setPlaceholderText("Shown as the field's tooltip")
        self.min_edit = self._named(QLineEdit(self), "field_numeric_min", "Smallest number")
        self.max_edit = self._named(QLineEdit(self), "field_numeric_max", "Largest number")
        for edit in (self.min_edit, self.max_edit):
            edit.setPlaceholderText("No bound")
        self.options_edit = self._named(QPlainTextEdit(self), "field_options", "Options")
        self.options_edit.setTabChangesFocus(True)
        self.options_edit.setPlaceholderText("Yes\nNo")
        self.options_hint = text_label(self, "field_options_hint", "color: $muted_text;")
        self.parent_combo = self._named(QComboBox(self), "field_parent", "Parent field")
        self.linked = LinkedValuesEditor(self)
        self.linked_hint = text_label(self, "field_linked_hint", "color: $muted_text;")
        self.linked_hint.setText(LINKED_HINT)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("Save field",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self._named(self.save_button, "field_save", "Save field")
        self.save_button.setToolTip("Save this field (Ctrl+S)")
        self.revert_button = self.buttons.addButton("Revert",
                                                    QDialogButtonBox.ButtonRole.ResetRole)
        self._named(self.revert_button, "field_revert", "Undo the changes to this field")
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._lay_out()

    def _lay_out(self) -> None:
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._row("&Label:", self.label_edit, [self.label_edit], "label")
        self._row("&Kind:", self.kind_combo, [self.kind_combo], "kind")
        checks = QHBoxLayout()
        checks.addWidget(self.required_check)
        checks.addWidget(self.show_in_list_check)
        checks.addStretch(1)
        self.form.addRow("", checks)
        self._row("&Help text:", self.help_edit, [self.help_edit], None)
        bounds = QHBoxLayout()
        bounds.addWidget(QLabel("from", self))
        bounds.addWidget(self.min_edit, 1)
        bounds.addWidget(QLabel("to", self))
        bounds.addWidget(self.max_edit, 1)
        self._bounds_row = self._row("&Numbers:", self.min_edit, [bounds], "numeric_min",
                                     "numeric_max")
        self._options_caption = QLabel("&Options:", self)
        self._options_row = self._row(self._options_caption, self.options_edit,
                                      [self.options_edit, self.options_hint], "options")
        self._parent_row = self._row("&Parent field:", self.parent_combo, [self.parent_combo],
                                     "parent")
        self._linked_row = self._row("&Values:", self.linked, [self.linked, self.linked_hint],
                                     "linked")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.note)
        layout.addLayout(self.form, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

    def _row(self, caption: str | QLabel, buddy: QWidget, parts: list[QWidget | QHBoxLayout],
             *errors: str | None) -> int:
        label = caption if isinstance(caption, QLabel) else QLabel(caption, self)
        label.setBuddy(buddy)
        shown = [self.errors[e] for e in errors if e is not None]
        self.form.addRow(label, message_column(parts, shown))
        return self.form.rowCount() - 1

    @staticmethod
    def _named(widget: W, name: str, accessible: str) -> W:
        widget.setObjectName(name)
        widget.setAccessibleName(accessible)
        return widget

    def _connect(self) -> None:
        self.label_edit.textEdited.connect(self._on_input_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self.required_check.toggled.connect(self._on_input_changed)
        self.show_in_list_check.toggled.connect(self._on_input_changed)
        self.help_edit.textEdited.connect(self._on_input_changed)
        self.min_edit.textEdited.connect(self._on_input_changed)
        self.max_edit.textEdited.connect(self._on_input_changed)
        self.options_edit.textChanged.connect(self._on_input_changed)
        self.parent_combo.currentIndexChanged.connect(self._on_parent_combo_changed)
        self.linked.values_changed.connect(self._on_input_changed)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.save_shortcut.activated.connect(self._on_save_clicked)
        self.revert_button.clicked.connect(self._on_revert_button_clicked)

    # --- Showing a field ------------------------------------------------------------------

    def show_nothing(self) -> None:
        """No field chosen: nothing to edit."""
        self._loaded = None
        self.heading.setText("No field chosen")
        self.note.setText("Choose a field in the list to change it, or add one.")
        self.clear_errors()
        self._set_inputs_enabled(False)

    def edit(self, draft: FieldDraft, parents: Sequence[FieldDefinition], *,
             is_new: bool, tickets_with_value: int = 0) -> None:
        """Show ``draft``; ``parents`` are the linked fields it may depend on."""
        self._loaded = draft
        self._parents = {p.id: p for p in parents if p.id != draft.id}
        self.clear_errors()
        where = "global field" if draft.ticket_type_id is None else "field"
        self.heading.setText(f"New {where}" if is_new else f"The {where} '{draft.label}'")
        notes = []
        if draft.ticket_type_id is None:
            notes.append("A global field is in every type's form: changing it changes it "
                         "everywhere.")
        if tickets_with_value:
            who = ("1 ticket holds a value" if tickets_with_value == 1
                   else f"{tickets_with_value} tickets hold values")
            notes.append(f"{who} for this field.")
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))
        self._fill(draft)
        self._set_inputs_enabled(True)
        self.label_edit.setFocus()

    def _fill(self, draft: FieldDraft) -> None:
        self._filling = True
        try:
            self.label_edit.setText(draft.label)
            select_data(self.kind_combo, draft.kind)
            self.required_check.setChecked(draft.required)
            self.show_in_list_check.setChecked(draft.show_in_list)
            self.help_edit.setText(draft.help_text)
            self.min_edit.setText(draft.numeric_min_text)
            self.max_edit.setText(draft.numeric_max_text)
            self.options_edit.setPlainText(draft.options_text)
            self.parent_combo.clear()
            self.parent_combo.addItem(NO_PARENT, None)
            for candidate in self._parents.values():
                self.parent_combo.addItem(candidate.label, candidate.id)
            select_data(self.parent_combo, draft.parent_field_id)
            self._show_parent_values()
            self.linked.set_text(draft.linked_text)
            self.linked.setCurrentIndex(0)
        finally:
            self._filling = False
        self._show_kind_rows()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget in (self.label_edit, self.kind_combo, self.required_check,
                       self.show_in_list_check, self.help_edit, self.min_edit, self.max_edit,
                       self.options_edit, self.parent_combo, self.linked, self.save_button,
                       self.revert_button):
            widget.setEnabled(enabled)
        if not enabled:
            self._filling = True
            try:
                self.label_edit.clear()
                self.help_edit.clear()
            finally:
                self._filling = False
        self._show_kind_rows()

    def _show_kind_rows(self) -> None:
        kind = self.kind_combo.currentData()
        child = kind == FieldKind.LINKED and self.parent_combo.currentData() is not None
        self.form.setRowVisible(self._bounds_row, kind == FieldKind.NUMERIC)
        self.form.setRowVisible(self._options_row, kind == FieldKind.COMBO
                                or (kind == FieldKind.LINKED and not child))
        self.form.setRowVisible(self._parent_row, kind == FieldKind.LINKED)
        self.form.setRowVisible(self._linked_row, child)
        self._options_caption.setText("&Values:" if kind == FieldKind.LINKED else "&Options:")
        self.options_hint.setText(VALUES_HINT if kind == FieldKind.LINKED else OPTIONS_HINT)
        for name in ERROR_FIELDS:  # setRowVisible shows every widget of a row
            if not self.errors[name].text():
                self.errors[name].hide()

    def _show_parent_values(self) -> None:
        parent = self._parents.get(self.parent_combo.currentData())
        if parent is not None:
            self.linked.set_parent_values(parent.label, values_of(parent))

    # --- Reading back ---------------------------------------------------------------------

    @property
    def is_editing(self) -> bool:
        return self._loaded is not None

    def draft(self) -> FieldDraft | None:
        """The definition as typed now (None when no field is shown)."""
        if self._loaded is None:
            return None
        kind = self.kind_combo.currentData()
        return FieldDraft(
            id=self._loaded.id, ticket_type_id=self._loaded.ticket_type_id,
            label=self.label_edit.text(), kind=FieldKind(kind),
            required=self.required_check.isChecked(),
            show_in_list=self.show_in_list_check.isChecked(),
            help_text=self.help_edit.text(), options_text=self.options_edit.toPlainText(),
            parent_field_id=self.parent_combo.currentData(),
            linked_text=self.linked.value_text(),
            numeric_min_text=self.min_edit.text(), numeric_max_text=self.max_edit.text())

    def is_dirty(self) -> bool:
        return self._loaded is not None and self.draft() != self._loaded

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy and self._loaded is not None)
        self.save_button.setText("Saving…" if busy else "Save field")

    # --- Refusals -------------------------------------------------------------------------

    def show_error(self, field: str | None, message: str) -> None:
        """Under the input ``field`` names (under the buttons if none here); focus it."""
        label = self.errors.get(field or "", self.general_error)
        label.setText(message)
        label.show()
        inputs: dict[str, QWidget] = {
            "label": self.label_edit, "kind": self.kind_combo, "options": self.options_edit,
            "parent": self.parent_combo, "linked": self.linked.text,
            "numeric_min": self.min_edit, "numeric_max": self.max_edit}
        target = inputs.get(field or "")
        if target is not None:
            if target is self.linked.text:
                self.linked.setCurrentIndex(0)
            target.setAccessibleDescription(message)
            target.setFocus()

    def error_text(self, field: str | None) -> str:
        """The message shown under ``field`` (None: under the buttons), or ""."""
        label = self.errors.get(field or "", self.general_error)
        return "" if label.isHidden() else label.text()

    def clear_errors(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            label.clear()
            label.hide()
        for widget in (self.label_edit, self.kind_combo, self.options_edit, self.parent_combo,
                       self.linked.text, self.min_edit, self.max_edit):
            widget.setAccessibleDescription("")

    # --- Slots ----------------------------------------------------------------------------

    @Slot()
    def _on_input_changed(self) -> None:
        if self._filling:
            return
        self.draft_changed.emit()

    @Slot(int)
    def _on_kind_combo_changed(self, _index: int) -> None:
        self._show_kind_rows()
        self._on_input_changed()

    @Slot(int)
    def _on_parent_combo_changed(self, _index: int) -> None:
        if self._filling:
            return
        self._show_parent_values()
        self._show_kind_rows()
        self._on_input_changed()

    @Slot()
    def _on_save_clicked(self) -> None:
        if self._loaded is not None and self.save_button.isEnabled():
            self.save_requested.emit()

    @Slot()
    def _on_revert_button_clicked(self) -> None:
        if self._loaded is not None:
            self.clear_errors()
            self._fill(self._loaded)
            self.draft_changed.emit()

    def select_parent(self, field_id: uuid.UUID | None) -> None:
        """Choose the parent field as the person would (tests, and a new child)."""
        self.parent_combo.setCurrentIndex(max(find_data(self.parent_combo, field_id), 0))
