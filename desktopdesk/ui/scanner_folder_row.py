"""The scanner folder as one line: which folder it is, and a button to choose another.

The folder is a preference of this desktop (``DesktopPreferences.scanner_folder``); the
row shows it in the validate dialog (what is watched now) and in Preferences (what is
set), and says ``folder_chosen``: the owner saves the preference.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from desktopdesk.ui import palette


def choose_folder(parent: QWidget, start: Path | None) -> Path | None:
    """A module function for the folder dialog, so tests can answer it."""
    name = QFileDialog.getExistingDirectory(parent, "Choose the scanner folder",
                                            str(start or Path.home()))
    return Path(name) if name else None


class ScannerFolderRow(QWidget):
    """"Scanner folder: ~/Scans [Choose folder…]": which folder is watched, and a way to
    choose another (``folder_chosen`` with it; the owner saves the preference)."""

    #: The person chose a folder: its path.
    folder_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, watching: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("scanner_folder_row")
        self._folder: Path | None = None
        #: Says what is watched now (the validate dialog) or what is set (Preferences).
        self._says_watching = watching
        self.icon = QLabel(self)
        self.icon.setObjectName("scanner_folder_icon")
        palette.set_icon(self.icon, palette.icon("mdi6.folder-eye-outline",
                                                 color=palette.muted_text),
                         self.icon.fontMetrics().boundingRect("M").size() * 1.4)
        self.label = QLabel(self)
        self.label.setObjectName("scanner_folder_label")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        palette.set_style(self.label, "QLabel#scanner_folder_label { color: $muted_text; }")
        self.choose_button = QPushButton(palette.icon("mdi6.folder-search-outline"),
                                         "Choose folder…", self)
        self.choose_button.setObjectName("scanner_folder_choose")
        self.choose_button.setAccessibleName("Choose the scanner folder")
        self.choose_button.setToolTip("The folder your scanner or phone app saves into: "
                                      "new scans there are added as they arrive")
        self.choose_button.setAutoDefault(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.icon)
        row.addWidget(self.label, 1)
        row.addWidget(self.choose_button)
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.show_folder(None)

    @property
    def folder(self) -> Path | None:
        return self._folder

    def show_folder(self, folder: Path | None, *, watching: bool = True,
                    problem: str = "") -> None:
        """Say which folder it is; ``watching`` False: it cannot be read (``problem``:
        why, as the system said)."""
        self._folder = folder
        if folder is None:
            text = "No scanner folder: choose the folder your scanner app saves into."
        elif watching and self._says_watching:
            text = f"Watching {folder} for new scans"
        elif watching:
            text = f"Scanner folder: {folder}"
        else:
            why = f": {problem}" if problem else ""
            text = (f"{folder} cannot be watched{why} (it may be gone or on a disconnected "
                    "drive).")
            if self._says_watching:
                text += " It is looked at again every few seconds."
        self.label.setText(text)
        self.label.setToolTip(str(folder) if folder else "")
        self.setAccessibleName(text)

    def show_looking(self, folder: Path) -> None:
        """The folder is being read (a network share may take a moment)."""
        self._folder = folder
        text = f"Looking at {folder}…"
        self.label.setText(text)
        self.label.setToolTip(str(folder))
        self.setAccessibleName(text)

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        chosen = choose_folder(self, self._folder)
        if chosen is not None:
            self.folder_chosen.emit(chosen)
