"""A form's inputs with their messages under them: refusals, notes, progress.

One home for how a message label looks and where it goes, so the sign-in dialogs, the
Create Ticket dialog, the workunit fields and the Details tab word a refusal the same way
beside the input it is about. ``refusal`` tells a refusal (which field, what to say) from
a bug; ``FieldMessages`` keeps which label belongs to which input, for dialogs that put
each refusal under its field and the rest under the form.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLayout, QLineEdit, QVBoxLayout, QWidget

from desktopdesk.domain.errors import DomainError
from desktopdesk.ui import palette
from desktopdesk.ui.attachment_files import UnreadableFileError

#: Style sheet templates (``palette.set_style``): named colours, right in light and dark.
ERROR_STYLE = "color: $danger;"


def text_label(parent: QWidget, name: str, style: str = "") -> QLabel:
    """Wrapped plain text (never read as HTML: it may quote what someone typed)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if style:
        palette.set_style(label, style)
    return label


def message_label(parent: QWidget, name: str, style: str = "") -> QLabel:
    """A ``text_label`` hidden until there is something to say."""
    label = text_label(parent, name, style)
    label.hide()
    return label


def error_label(parent: QWidget, name: str) -> QLabel:
    """A refusal's message beside the input it names, hidden until there is one."""
    label = QLabel(parent)
    label.setObjectName(f"error_{name}")
    label.setAccessibleName(f"Problem with {name.replace('_', ' ')}")
    palette.set_style(label, ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def heading_label(parent: QWidget, name: str) -> QLabel:
    """A dialog's title line: bold, a little larger than the text under it."""
    label = QLabel(parent)
    label.setObjectName(name)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    return label


def section_heading(text: str, name: str, parent: QWidget) -> QLabel:
    """A bold line over a part of a page (a table, a group of figures)."""
    label = QLabel(text, parent)
    label.setObjectName(name)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def message_column(fields: Sequence[QWidget | QLayout],
                   messages: Sequence[QLabel]) -> QVBoxLayout:
    """A form row's input (or the pieces it is made of, top to bottom) over its message
    labels, close together so each message reads as the input's."""
    column = QVBoxLayout()
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    for field in fields:
        if isinstance(field, QWidget):
            column.addWidget(field)
        else:
            column.addLayout(field)
    for label in messages:
        column.addWidget(label)
    return column


def with_messages(parent: QWidget, field: QWidget, *messages: QLabel) -> QWidget:
    """``message_column`` as a widget: a form row that can be hidden as a whole."""
    box = QWidget(parent)
    box.setLayout(message_column([field], messages))
    return box


def refusal(error: BaseException) -> tuple[str, str] | None:
    """(command field or "", message) when ``error`` is something to tell the person
    beside what they typed: a rule said no, or a file chosen to attach could not be read.
    None for anything else, which is a bug to report as one."""
    if isinstance(error, DomainError):
        return error.field or "", error.message
    if isinstance(error, UnreadableFileError):
        return "file_name", str(error)
    return None


class FieldMessages:
    """Which error label and input belong to each field name, plus one general label
    for refusals that name no field (or one this form does not have)."""

    def __init__(self, general: QLabel) -> None:
        self.general = general
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}

    def add(self, field: str, widget: QWidget, error: QLabel) -> None:
        self._fields[field] = (widget, error)

    def _label(self, field: str | None) -> QLabel:
        known = self._fields.get(field or "")
        return known[1] if known is not None else self.general

    def text(self, field: str | None) -> str:
        """The message shown for ``field`` (None: the general one), or "" if none is."""
        label = self._label(field)
        return "" if label.isHidden() else label.text()

    def show(self, field: str | None, message: str) -> QWidget | None:
        """Show ``message`` under ``field`` and describe its input with it; the input,
        for the caller to take the person there (None for the general label)."""
        label = self._label(field)
        label.setText(message)
        label.show()
        known = self._fields.get(field or "")
        if known is None:
            return None
        known[0].setAccessibleDescription(message)
        return known[0]

    def show_and_focus(self, field: str | None, message: str, *,
                       select_all: bool = False) -> None:
        """``show``, then take the person to the field's input, keeping what was typed
        (``select_all``: selected, so typing the answer again replaces it)."""
        widget = self.show(field, message)
        if widget is None:
            return
        if select_all and isinstance(widget, QLineEdit):
            widget.selectAll()
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        for widget, label in self._fields.values():
            label.clear()
            label.hide()
            widget.setAccessibleDescription("")
        self.general.clear()
        self.general.hide()
