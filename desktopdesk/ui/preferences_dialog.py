"""Preferences, for everyone: the Settings section in a dialog of its own.

People who are not super-admins still choose this desktop's options (full names,
approximate dates, ...); the shared options show read-only with the reason. Super-admins
reach the same section in Administration too. Below it, the scanner folder: where this
computer's scanner or phone app saves signed work orders (a preference of this desktop).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGroupBox, QVBoxLayout, QWidget

from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.settings_section import SettingsSection
from desktopdesk.ui.desktop_preferences import DesktopPreferences
from desktopdesk.ui.scanner_folder_row import ScannerFolderRow
from desktopdesk.ui.tasks import TaskRunner


class PreferencesDialog(QDialog):
    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferences_dialog")
        self.setAccessibleName("Preferences")
        self.setWindowTitle("Preferences — DesktopDesk")
        self.section = SettingsSection(workspace, user_id, runner, self)
        self.preferences = DesktopPreferences(workspace.data_dir)
        scans = QGroupBox("Signed work orders", self)
        scans.setObjectName("preferences_scans")
        self.scanner_folder = ScannerFolderRow(scans, watching=False)
        folder = self.preferences.scanner_folder
        self.scanner_folder.show_folder(folder, watching=folder is None or folder.is_dir())
        self.scanner_folder.folder_chosen.connect(self._on_scanner_folder_folder_chosen)
        QVBoxLayout(scans).addWidget(self.scanner_folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("preferences_buttons")
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.section, 1)
        layout.addWidget(scans)
        layout.addWidget(buttons)
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.activated.connect(self.section.save)
        self.resize(760, 640)
        self.section.reload()

    @Slot(object)
    def _on_scanner_folder_folder_chosen(self, folder: Path) -> None:
        self.preferences.set_scanner_folder(folder)
        self.scanner_folder.show_folder(folder, watching=folder.is_dir())
