"""Closing a ticket asks for what the manual's Closed status carries: a resolution and an
epilogue saying how it ended.

Shown with ``open()`` (window-modal, not a nested event loop), so the Details tab waits
for ``accepted``/``rejected`` and tests drive the real dialog. It only collects the two
values; whether the ticket may be closed is the ChangeStatus command's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.html import plain_text, sanitize_html
from desktopdesk.models import Resolution
from desktopdesk.store.blobs import BlobStore
from desktopdesk.store.drafts import InlineImage
from desktopdesk.ui import palette
from desktopdesk.ui.inline_images import RichTextEdit
from desktopdesk.ui.rich_text_toolbar import RichTextToolbar
from desktopdesk.ui.tasks import TaskRunner


@dataclass(frozen=True)
class ClosingNote:
    resolution: Resolution
    epilogue_html: str


class TicketCloseDialog(QDialog):
    """Resolution and epilogue for closing ``number_label``; OK waits for both."""

    #: The person confirmed: the ``ClosingNote``.
    note_confirmed = Signal(object)

    def __init__(self, blobs: BlobStore, runner: TaskRunner, number_label: str, *,
                 note: ClosingNote | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_close_dialog")
        self.setAccessibleName(f"Close ticket {number_label}")
        self.setWindowTitle(f"Close ticket {number_label}")
        self._blobs = blobs
        self._runner = runner

        intro = QLabel("Say how the ticket ended. Everyone on it will see the epilogue.", self)
        intro.setObjectName("close_intro")
        intro.setWordWrap(True)
        self.resolution = QComboBox(self)
        self.resolution.setObjectName("close_resolution")
        self.resolution.setAccessibleName("Resolution")
        self.resolution.addItem("Choose a resolution…", None)
        for resolution in Resolution:
            if resolution is not Resolution.NONE:
                self.resolution.addItem(resolution.label, resolution)
        self.epilogue = RichTextEdit(blobs, self)
        self.epilogue.setObjectName("close_epilogue")
        self.epilogue.setAccessibleName("Epilogue")
        self.epilogue.setPlaceholderText("What was the cause, and what fixed it?")
        self.epilogue.setMinimumSize(460, 160)
        toolbar = RichTextToolbar(self.epilogue, self)
        toolbar.image.setVisible(False)  # a picture can still be pasted
        self.addActions(toolbar.actions())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.setObjectName("close_buttons")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Close ticket")
        self.ok_button.setIcon(palette.icon("mdi6.check-circle-outline"))
        self.ok_button.setObjectName("close_ok")
        self.ok_button.setAccessibleName("Close the ticket")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("close_cancel")
        cancel.setAccessibleName("Do not close")
        self.hint = QLabel(self)
        self.hint.setObjectName("close_hint")
        palette.set_style(self.hint, "color: $muted_text;")

        form = QFormLayout()
        form.addRow("&Resolution:", self.resolution)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        epilogue_label = QLabel("&Epilogue:", self)
        epilogue_label.setBuddy(self.epilogue)
        layout.addWidget(epilogue_label)
        layout.addWidget(toolbar)
        layout.addWidget(self.epilogue, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)

        if note is not None:
            self.resolution.setCurrentIndex(max(0, next(
                (i for i in range(self.resolution.count())
                 if self.resolution.itemData(i) == note.resolution), 0)))
            self.epilogue.set_sanitised_html(note.epilogue_html)
        self.resolution.currentIndexChanged.connect(self._on_resolution_current_index_changed)
        self.epilogue.textChanged.connect(self._on_epilogue_text_changed)
        self.epilogue.image_inserted.connect(self._on_epilogue_image_inserted)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self._update_ok()
        self.resolution.setFocus(Qt.FocusReason.OtherFocusReason)

    def note(self) -> ClosingNote | None:
        """What is chosen and typed, or None while something required is missing."""
        resolution = self.resolution.currentData()
        html = sanitize_html(self.epilogue.toHtml())
        if not isinstance(resolution, Resolution) or not plain_text(html).strip():
            return None
        return ClosingNote(resolution, html)

    def _update_ok(self) -> None:
        missing = []
        if not isinstance(self.resolution.currentData(), Resolution):
            missing.append("a resolution")
        if not self.epilogue.toPlainText().strip():
            missing.append("an epilogue")
        self.ok_button.setEnabled(not missing)
        self.hint.setText(f"Needs {' and '.join(missing)}." if missing else "")

    @Slot(int)
    def _on_resolution_current_index_changed(self, _index: int) -> None:
        self._update_ok()

    @Slot()
    def _on_epilogue_text_changed(self) -> None:
        self._update_ok()

    @Slot(object, bytes)
    def _on_epilogue_image_inserted(self, image: InlineImage, data: bytes) -> None:
        self._runner.run(partial(self._blobs.put_bytes, data, expected_sha256=image.sha256))

    @Slot()
    def _on_buttons_accepted(self) -> None:
        note = self.note()
        if note is None:
            return
        self.note_confirmed.emit(note)
        self.accept()
