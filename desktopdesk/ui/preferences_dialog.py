"""Preferences, for everyone: the Settings section in a dialog of its own.

People who are not super-admins still choose this desktop's options (full names,
approximate dates, ...); the shared options show read-only with the reason. Super-admins
reach the same section in Administration too.
"""

from __future__ import annotations

import uuid

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.settings_section import SettingsSection
from desktopdesk.ui.tasks import TaskRunner


class PreferencesDialog(QDialog):
    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferences_dialog")
        self.setAccessibleName("Preferences")
        self.setWindowTitle("Preferences — DesktopDesk")
        self.section = SettingsSection(workspace, user_id, runner, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("preferences_buttons")
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.section, 1)
        layout.addWidget(buttons)
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.activated.connect(self.section.save)
        self.resize(760, 640)
        self.section.reload()
