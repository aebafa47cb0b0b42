"""The files a form will attach when it is sent: chosen, dropped or restored, each once.

One widget for the Create Ticket dialog and the workunit fields, so a file is listed,
shown and removed the same way in both. Nothing is read here: the paths go with the
submission, and the worker stores the bytes (``attachment_files.file_attachments``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.ui import palette

PathRole = Qt.ItemDataRole.UserRole + 1


def choose_files(parent: QWidget) -> list[Path]:
    """A module function for the file dialog, so tests can answer it."""
    names, _ = QFileDialog.getOpenFileNames(parent, "Attach files")
    return [Path(name) for name in names]


def dropped_files(mime: QMimeData) -> list[Path]:
    """The local files (not folders) among dropped or pasted URLs."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and Path(url.toLocalFile()).is_file()]


class FilesToAttach(QWidget):
    """The list, with Attach files… and Remove beside it.

    ``name`` names the list; its buttons are ``attach_name`` and ``remove_name``.
    ``multiple``: several rows can be selected (and removed) at once.
    """

    #: A file was listed (by the person, or ``add`` from code).
    added = Signal()
    #: The person pressed Remove.
    removed = Signal()

    def __init__(self, name: str, attach_name: str, remove_name: str,
                 parent: QWidget | None = None, *, multiple: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_box")
        # As tall as the list: the buttons' stretch must not ask the form for room.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.list = QListWidget(self)
        self.list.setObjectName(name)
        self.list.setAccessibleName("Files to attach")
        self.list.setFixedHeight(64)
        self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if multiple:
            self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.attach_button = self._button(attach_name, "Attach files…", "mdi6.paperclip",
                                          "Attach files")
        self.remove_button = self._button(
            remove_name, "Remove", "mdi6.close",
            "Remove the selected files" if multiple else "Remove the selected file")
        buttons = QVBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)  # as tight as the form's rows (the buttons' column inherits it)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        self.attach_button.clicked.connect(self._on_attach_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)

    def _button(self, name: str, text: str, icon: str, accessible: str) -> QPushButton:
        button = QPushButton(palette.icon(icon), text, self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setAutoDefault(False)  # Enter in a dialog's field must not open the chooser
        return button

    def add(self, path: Path) -> None:
        """List ``path`` (once: a path already listed is not added again)."""
        if path in self.paths():
            return
        item = QListWidgetItem(palette.icon("mdi6.file-outline"), path.name)
        item.setData(PathRole, str(path))
        item.setToolTip(str(path))
        self.list.addItem(item)
        self.added.emit()

    def paths(self) -> list[Path]:
        return [Path(self.list.item(row).data(PathRole)) for row in range(self.list.count())]

    def clear(self) -> None:
        """Empty the list, as from code (no ``removed``)."""
        self.list.clear()

    @Slot()
    def _on_attach_button_clicked(self) -> None:
        for path in choose_files(self):
            self.add(path)

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        self.removed.emit()
