"""A ticket's custom fields as a form: one editor per field, linked fields cascading.

Shared by the create dialog and the ticket view's Details tab, so it knows nothing about
tickets: it is handed ``CustomFieldSpec`` values (read on a worker) and the values as
stored, and gives back what the person typed as the strings the commands take. Whether
a value fits its field is CreateTicket's and UpdateTicketFields' business; a refusal
comes back through ``show_error`` and is shown under the field it names.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QDate, QObject, QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

from desktopdesk.domain.ticket_form import CustomFieldSpec
from desktopdesk.models import FieldKind
from desktopdesk.ui import palette
from desktopdesk.ui.form_messages import error_label, message_column

#: What a stored value no longer among a field's choices is shown with.
NOT_OFFERED = "(no longer offered)"
DATE_PLACEHOLDER = "YYYY-MM-DD"
#: What the date editor lets through while typing.
_DATE_TYPING = QRegularExpression(r"[0-9]{0,4}(-[0-9]{0,2}(-[0-9]{0,2})?)?")
_TEXTAREA_LINES = 4
#: What the numeric editor lets through while typing (the command checks the rest).
_NUMBER = QRegularExpression(r"[-+]?[0-9]*\.?[0-9]*")


def field_key(field_id: uuid.UUID | str) -> str:
    """How commands name a custom field in a refusal (``DomainError.field``)."""
    return f"custom:{field_id}"


class OptionalDateEdit(QWidget):
    """A date that may be empty: typed as YYYY-MM-DD or picked from a calendar.

    A QDateEdit cannot be empty (its "special value" trick leaves nothing typeable), and
    an empty date is the usual state of an optional field.
    """

    #: The person typed, picked or cleared a date.
    date_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line_edit = QLineEdit(self)
        self.line_edit.setPlaceholderText(DATE_PLACEHOLDER)
        self.line_edit.setClearButtonEnabled(True)
        self.line_edit.setValidator(QRegularExpressionValidator(_DATE_TYPING, self.line_edit))
        self.line_edit.setMaxLength(10)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setIcon(palette.icon("mdi6.calendar-month-outline"))
        self.calendar_button.setToolTip("Pick a date")
        self.calendar = QCalendarWidget(self)
        self.calendar.setWindowFlags(Qt.WindowType.Popup)
        self.calendar.setGridVisible(False)
        self.calendar.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.line_edit, 1)
        row.addWidget(self.calendar_button)
        self.setFocusProxy(self.line_edit)
        self.line_edit.textChanged.connect(self._on_line_edit_text_changed)
        self.calendar_button.clicked.connect(self._on_calendar_button_clicked)
        self.calendar.clicked.connect(self._on_calendar_clicked)
        self.calendar.activated.connect(self._on_calendar_clicked)

    def name_parts(self, name: str, accessible: str) -> None:
        """Names for the parts, derived from the field's."""
        self.line_edit.setObjectName(f"{name}_text")
        self.line_edit.setAccessibleName(accessible)
        self.calendar_button.setObjectName(f"{name}_calendar_button")
        self.calendar_button.setAccessibleName(f"Pick {accessible} from a calendar")
        self.calendar.setObjectName(f"{name}_calendar")
        self.calendar.setAccessibleName(f"Calendar for {accessible}")

    def value(self) -> str:
        return self.line_edit.text().strip()

    def set_value(self, text: str) -> None:
        self.line_edit.setText(text.strip())

    def date(self) -> QDate:
        """The date shown, or an invalid QDate when empty or half typed."""
        return QDate.fromString(self.value(), "yyyy-MM-dd")

    def set_date(self, date: QDate) -> None:
        self.line_edit.setText(date.toString("yyyy-MM-dd"))

    # Named like the text editors' own, so the form treats every editor alike.
    def isReadOnly(self) -> bool:
        return self.line_edit.isReadOnly()

    def setReadOnly(self, read_only: bool) -> None:
        self.line_edit.setReadOnly(read_only)
        self.line_edit.setClearButtonEnabled(not read_only)
        self.calendar_button.setEnabled(not read_only)

    @Slot(str)
    def _on_line_edit_text_changed(self, _text: str) -> None:
        self.date_changed.emit()

    @Slot()
    def _on_calendar_button_clicked(self) -> None:
        shown = self.date()
        start = shown if shown.isValid() else QDate.currentDate()
        self.calendar.setSelectedDate(start)
        self.calendar.setCurrentPage(start.year(), start.month())
        self.calendar.adjustSize()
        self.calendar.move(self.mapToGlobal(self.rect().bottomLeft()))
        self.calendar.show()
        self.calendar.setFocus()

    @Slot(QDate)
    def _on_calendar_clicked(self, date: QDate) -> None:
        self.calendar.hide()
        self.set_date(date)
        self.line_edit.setFocus()


@dataclass
class _Row:
    spec: CustomFieldSpec
    editor: QWidget
    error: QLabel


class CustomFieldForm(QWidget):
    #: The person changed a value (values set from code do not count).
    values_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("custom_field_form")
        self.setAccessibleName("Custom fields")
        self._rows: dict[uuid.UUID, _Row] = {}
        self._children: dict[uuid.UUID, list[uuid.UUID]] = {}
        self._filling = False
        self._read_only: str | None = None
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        palette.follow_palette(self, self._colour_stale_choices)

    # --- Building -------------------------------------------------------------------------

    def set_fields(self, specs: Sequence[CustomFieldSpec], values: Mapping[str, str]) -> None:
        """Rebuild the form for ``specs`` showing ``values`` (keyed by str(field id))."""
        self._filling = True
        try:
            while self.form.rowCount():
                self.form.removeRow(0)
            self._rows.clear()
            self._children.clear()
            for spec in specs:
                self._add_row(spec, values.get(str(spec.id), ""))
                if spec.parent_field_id is not None:
                    self._children.setdefault(spec.parent_field_id, []).append(spec.id)
            for field_id in self._parents_first():
                row = self._rows[field_id]
                if row.spec.kind in (FieldKind.COMBO, FieldKind.LINKED):
                    self._fill_choices(row, values.get(str(field_id), ""))
            self._apply_read_only()
        finally:
            self._filling = False

    def _parents_first(self) -> list[uuid.UUID]:
        roots = [fid for fid, row in self._rows.items()
                 if row.spec.parent_field_id not in self._rows]
        ordered: list[uuid.UUID] = []
        pending = list(roots)
        while pending:
            field_id = pending.pop(0)
            if field_id in ordered:  # a cycle cannot be stored; never loop on one
                continue
            ordered.append(field_id)
            pending.extend(self._children.get(field_id, ()))
        return ordered

    def _add_row(self, spec: CustomFieldSpec, value: str) -> None:
        editor = self._make_editor(spec, value)
        editor.setObjectName(f"custom_{spec.id}")
        editor.setAccessibleName(spec.label)
        if spec.help_text:
            editor.setAccessibleDescription(spec.help_text)
        error = error_label(self, field_key(spec.id))
        error.setAccessibleName(f"Problem with {spec.label}")
        caption = QLabel(f"{spec.label} *" if spec.required else spec.label, self)
        caption.setObjectName(f"custom_label_{spec.id}")
        caption.setBuddy(editor)
        if spec.required:
            caption.setToolTip("Required")
        if spec.help_text:
            caption.setToolTip(spec.help_text)
            caption.setWhatsThis(spec.help_text)
        self.form.addRow(caption, message_column([editor], [error]))
        self._rows[spec.id] = _Row(spec, editor, error)

    def _make_editor(self, spec: CustomFieldSpec, value: str) -> QWidget:
        kind = FieldKind(spec.kind)
        editor: QWidget
        if kind is FieldKind.TEXTAREA:
            area = QPlainTextEdit(self)
            area.setTabChangesFocus(True)
            area.setPlainText(value)
            margins = area.contentsMargins()
            area.setFixedHeight(area.fontMetrics().lineSpacing() * _TEXTAREA_LINES
                                + 2 * int(area.document().documentMargin())
                                + margins.top() + margins.bottom())
            area.textChanged.connect(self._on_editor_changed)
            editor = area
        elif kind is FieldKind.DATE:
            date = OptionalDateEdit(self)
            date.name_parts(f"custom_{spec.id}", spec.label)
            date.set_value(value)
            date.date_changed.connect(self._on_editor_changed)
            editor = date
        elif kind is FieldKind.CHECKBOX:
            box = QCheckBox(self)
            box.setChecked(value.strip() == "1")
            box.toggled.connect(self._on_editor_changed)
            editor = box
        elif kind in (FieldKind.COMBO, FieldKind.LINKED):
            combo = QComboBox(self)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._on_editor_changed)
            if kind is FieldKind.LINKED:
                combo.currentIndexChanged.connect(self._on_linked_changed)
            editor = combo
        else:
            line = QLineEdit(value, self)
            if kind is FieldKind.NUMERIC:
                line.setValidator(QRegularExpressionValidator(_NUMBER, line))
                line.setPlaceholderText(_bounds_text(spec))
            line.textChanged.connect(self._on_editor_changed)
            editor = line
        editor.setToolTip(self._tooltip(spec))
        if spec.help_text:
            editor.setWhatsThis(spec.help_text)
        editor.setProperty("field_id", str(spec.id))
        return editor

    def _tooltip(self, spec: CustomFieldSpec) -> str:
        parts = [spec.help_text] if spec.help_text else []
        if spec.kind == FieldKind.NUMERIC and (bounds := _bounds_text(spec)):
            parts.append(bounds)
        if spec.kind == FieldKind.DATE:
            parts.append("A date as YYYY-MM-DD")
        return "\n".join(parts)

    # --- Choices --------------------------------------------------------------------------

    def _parent_value(self, spec: CustomFieldSpec) -> str | None:
        if spec.parent_field_id is None:
            return None
        parent = self._rows.get(spec.parent_field_id)
        return _combo_value(parent.editor) if parent is not None else None

    def _fill_choices(self, row: _Row, wanted: str) -> None:
        """Offer the field's choices (given its parent's value now) and select ``wanted``,
        shown marked as no longer offered if it is not among them."""
        combo = row.editor
        assert isinstance(combo, QComboBox)
        choices = row.spec.choices_for(self._parent_value(row.spec))
        combo.blockSignals(True)
        try:
            combo.clear()
            if "" not in choices:
                combo.addItem("", "")
            for choice in choices:
                combo.addItem(choice, choice)
            if wanted and wanted not in choices:
                combo.addItem(f"{wanted} {NOT_OFFERED}", wanted)
                stale = combo.count() - 1
                combo.setItemData(stale, QBrush(palette.warning_text()),
                                  Qt.ItemDataRole.ForegroundRole)
                combo.setItemData(stale, "This value is no longer among the field's options.",
                                  Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(max(combo.findData(wanted), 0))
        finally:
            combo.blockSignals(False)
        self._update_linked_enabled(row)

    def _colour_stale_choices(self) -> None:
        """A stale choice's colour is item data: set again after a switch of light and dark."""
        brush = QBrush(palette.warning_text())
        for row in self._rows.values():
            combo = row.editor
            if isinstance(combo, QComboBox):
                for index in range(combo.count()):
                    if combo.itemText(index).endswith(NOT_OFFERED):
                        combo.setItemData(index, brush, Qt.ItemDataRole.ForegroundRole)

    def _cascade(self, parent_id: uuid.UUID) -> None:
        """Children reload their choices; a value no longer offered is cleared, and so on
        down the chain."""
        for child_id in self._children.get(parent_id, ()):
            child = self._rows[child_id]
            current = _combo_value(child.editor)
            offered = child.spec.choices_for(self._parent_value(child.spec))
            self._fill_choices(child, current if current in offered else "")
            self._cascade(child_id)

    def _update_linked_enabled(self, row: _Row) -> None:
        """A child with nothing to offer waits for its parent rather than showing a blank
        list."""
        if row.spec.kind != FieldKind.LINKED or self._read_only is not None:
            return
        combo = row.editor
        assert isinstance(combo, QComboBox)
        waiting = combo.count() <= 1 and row.spec.parent_field_id is not None
        combo.setEnabled(not waiting)
        parent = self._rows.get(row.spec.parent_field_id) if row.spec.parent_field_id else None
        if waiting and parent is not None:
            combo.setToolTip(f"Choose {parent.spec.label} first.")
        else:
            combo.setToolTip(self._tooltip(row.spec))

    # --- Values ---------------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        """Every field's value as the commands take it: "" when empty, checkbox "1"/"0",
        date YYYY-MM-DD, a number as typed."""
        return {str(field_id): _editor_value(row.editor) for field_id, row in self._rows.items()}

    def editor(self, field_id: uuid.UUID | str) -> QWidget:
        """The input of a field (KeyError if this form has none): for tests and focus."""
        return self._rows[uuid.UUID(str(field_id))].editor

    def set_read_only(self, reason: str | None) -> None:
        """None: editable. Otherwise nothing can be changed, and each editor says why."""
        self._read_only = reason
        self._apply_read_only()

    def _apply_read_only(self) -> None:
        reason = self._read_only
        for row in self._rows.values():
            editor = row.editor
            if isinstance(editor, (QLineEdit, QPlainTextEdit, OptionalDateEdit)):  # selectable
                editor.setReadOnly(reason is not None)
                self._show_placeholder(row, reason is None)
            else:
                editor.setEnabled(reason is None)
            editor.setToolTip(reason if reason is not None else self._tooltip(row.spec))
            if reason is None:
                self._update_linked_enabled(row)

    @staticmethod
    def _show_placeholder(row: _Row, shown: bool) -> None:
        """A hint how to type a value only invites typing where nothing can be typed."""
        editor = row.editor
        if isinstance(editor, OptionalDateEdit):
            editor.line_edit.setPlaceholderText(DATE_PLACEHOLDER if shown else "")
        elif isinstance(editor, QLineEdit) and row.spec.kind == FieldKind.NUMERIC:
            editor.setPlaceholderText(_bounds_text(row.spec) if shown else "")

    # --- Refusals -------------------------------------------------------------------------

    def show_error(self, field_key: str, message: str) -> bool:
        """Show ``message`` under the field a refusal names ("custom:<id>"); False if this
        form has no such field."""
        _, _, raw = field_key.rpartition(":")
        try:
            row = self._rows.get(uuid.UUID(raw))
        except ValueError:
            return False
        if row is None:
            return False
        row.error.setText(message)
        row.error.show()
        return True

    def clear_errors(self) -> None:
        for row in self._rows.values():
            row.error.hide()

    # --- Slots ----------------------------------------------------------------------------

    def _row_of(self, sender: QObject | None) -> _Row | None:
        if sender is None:
            return None
        raw = sender.property("field_id")
        return self._rows.get(uuid.UUID(raw)) if isinstance(raw, str) else None

    @Slot()
    def _on_editor_changed(self) -> None:
        if self._filling:
            return
        row = self._row_of(self.sender())
        if row is not None:
            row.error.hide()  # the person is answering it
        self.values_changed.emit()

    @Slot(int)
    def _on_linked_changed(self, _index: int) -> None:
        row = self._row_of(self.sender())
        if row is not None:
            self._cascade(row.spec.id)


def _bounds_text(spec: CustomFieldSpec) -> str:
    low, high = spec.numeric_min, spec.numeric_max
    if low is not None and high is not None:
        return f"A number from {low:g} to {high:g}"
    if low is not None:
        return f"A number of at least {low:g}"
    if high is not None:
        return f"A number of at most {high:g}"
    return "A number"


def _combo_value(editor: QWidget) -> str:
    if isinstance(editor, QComboBox):
        data = editor.currentData()
        return data if isinstance(data, str) else ""
    return _editor_value(editor)


def _editor_value(editor: QWidget) -> str:
    if isinstance(editor, OptionalDateEdit):
        return editor.value()
    if isinstance(editor, QPlainTextEdit):
        return editor.toPlainText()
    if isinstance(editor, QCheckBox):
        return "1" if editor.isChecked() else "0"
    if isinstance(editor, QComboBox):
        return _combo_value(editor)
    if isinstance(editor, QLineEdit):
        return editor.text()
    raise TypeError(f"not a custom field editor: {editor!r}")
