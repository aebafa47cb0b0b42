"""What the Details tab's columns share: each editable part's caption, lock and error
label, and the small widget helpers both columns build with.

A part is named as ``TicketDetails.read_only`` names it ("status", "parent_id"); the
tab shows a refusal under the part a command field belongs to, and a lock beside the
caption of a part the reader may not change, with the reason as its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, QSizeF, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QTextEdit,
    QWidget,
)

from desktopdesk.ui import palette
from desktopdesk.ui.form_messages import error_label, message_column


def make_combo(name: str, accessible: str, parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    return combo


def value_label(name: str, parent: QWidget) -> QLabel:
    """A value shown, not edited: selectable, wrapped."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def plain_caption(text: str, parent: QWidget) -> QLabel:
    """The caption of a value that is never edited (no lock, no error)."""
    label = QLabel(text, parent)
    palette.set_style(label, "color: $muted_text;")
    return label


def group_form(box: QGroupBox) -> QFormLayout:
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
    form.setVerticalSpacing(6)
    return form


def fit_to_text(edit: QTextEdit, low: int, high: int) -> None:
    """Keep ``edit`` as tall as its text, between ``low`` and ``high`` pixels: a short
    description should not push the custom fields out of sight, a long one scrolls."""

    def fit(size: QSizeF | None = None) -> None:
        height = (size or edit.document().size()).height()
        margins = edit.contentsMargins()
        wanted = int(height) + margins.top() + margins.bottom() + 2 * edit.frameWidth() + 4
        edit.setFixedHeight(max(low, min(high, wanted)))

    edit.document().documentLayout().documentSizeChanged.connect(fit)
    fit()


class PartLabels:
    """The caption, lock and error label of every editable part, by part name."""

    def __init__(self) -> None:
        self.captions: dict[str, QLabel] = {}
        self.locks: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}

    def caption(self, part: str, text: str, buddy: QWidget, parent: QWidget, *,
                right: bool = False) -> QWidget:
        """The caption, with a lock shown beside it while the part may not be changed."""
        box = QWidget(parent)
        label = QLabel(text, box)
        label.setObjectName(f"caption_{part}")
        label.setBuddy(buddy)
        lock = QLabel(box)
        lock.setObjectName(f"lock_{part}")
        palette.set_icon(lock, palette.icon("mdi6.lock-outline", color=palette.muted_text),
                         QSize(14, 14))
        lock.hide()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(3)
        if right:
            row.addStretch(1)
        row.addWidget(label)
        row.addWidget(lock)
        if not right:
            row.addStretch(1)
        self.captions[part] = label
        self.locks[part] = lock
        return box

    def error(self, part: str, parent: QWidget) -> QLabel:
        label = error_label(parent, part)
        self.errors[part] = label
        return label

    def row(self, form: QFormLayout, part: str, text: str, widget: QWidget,
            buddy: QWidget | None = None) -> None:
        """A form row: the caption on the left, the input over its error on the right."""
        holder = form.parentWidget()
        assert holder is not None, "forms are made on their group box"
        error = self.error(part, holder)
        form.addRow(self.caption(part, text, buddy or widget, holder, right=True),
                    message_column([widget], [error]))

    def explain(self, part: str, widget: QWidget, reason: str | None,
                tooltip: str = "") -> None:
        """Why ``part`` may not be changed (or ``tooltip`` while it may), on the input and
        its caption, and the lock beside the caption."""
        shown = reason or tooltip
        widget.setToolTip(shown)
        widget.setAccessibleDescription(reason or "")
        self.captions[part].setToolTip(shown)
        self.locks[part].setVisible(reason is not None)
        self.locks[part].setToolTip(reason or "")

    def caption_text(self, part: str) -> str | None:
        """The caption as read ("&Status" -> "Status"); None for a part without one."""
        caption = self.captions.get(part)
        return caption.text().replace("&", "") if caption is not None else None
