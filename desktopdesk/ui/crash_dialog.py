"""The dialog shown when an unexpected exception reaches the top of the event loop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

INTRO = (
    "DesktopDesk hit an unexpected problem. Your saved work is safe; what you were "
    "doing just now may not have finished. Please send the details below with a short "
    "note of what you were doing."
)


class CrashDialog(QDialog):
    def __init__(self, details: str, log_file: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crash_dialog")
        self.setWindowTitle("DesktopDesk: unexpected error")
        self.setAccessibleName("Unexpected error")
        self.resize(640, 420)

        where = f"\n\nThe full log is in {log_file}." if log_file else ""
        intro = QLabel(INTRO + where, self)
        intro.setWordWrap(True)

        self.details = QPlainTextEdit(details, self)
        self.details.setObjectName("crash_details")
        self.details.setAccessibleName("Error details")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.copy_button = QPushButton("&Copy details", self)
        self.copy_button.setObjectName("crash_copy_details")
        self.copy_button.setAccessibleName("Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("crash_close")
        close.setAccessibleName("Close")

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
