"""The sync panel: where sync stands, a "Sync now" button, and every change the server did
not apply with its way forward. Opened from the status-bar indicator; not modal, so the
user can keep working beside it.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.models import utc_now
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.conflicts import ActionOutcome
from desktopdesk.ui import palette
from desktopdesk.ui.connect_dialog import ConnectDialog
from desktopdesk.ui.sync_controller import SyncController, SyncOutcome, SyncStatus
from desktopdesk.ui.sync_indicator import plural, relative_time, state_words
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_conflicts import ConflictList


class SyncPanel(QDialog):
    def __init__(self, workspace: Workspace, user_id: uuid.UUID, controller: SyncController,
                 runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.workspace = workspace
        self.runner = runner
        self.sign_in_dialog: ConnectDialog | None = None
        self.setObjectName("sync_panel")
        self.setWindowTitle("Sync")
        self.setAccessibleName("Sync panel")
        self.setModal(False)
        self.resize(640, 560)

        self.state_icon = QLabel(self)
        self.state_icon.setObjectName("sync_panel_state_icon")
        self.state_label = QLabel(self)
        self.state_label.setObjectName("sync_panel_state")
        font = self.state_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.state_label.setFont(font)
        self.sync_button = QPushButton(palette.icon("mdi6.sync"), "Sync now", self)
        self.sync_button.setObjectName("sync_now_button")
        self.sync_button.setAccessibleName("Sync now")
        self.sync_button.setToolTip("Send waiting changes and fetch the server's (F5)")
        self.sync_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.sync_button.clicked.connect(self._on_sync_button_clicked)
        self.sign_in_button = QPushButton(palette.icon("mdi6.account-key-outline"),
                                          "Sign in again…", self)
        self.sign_in_button.setObjectName("sync_sign_in_button")
        self.sign_in_button.setAccessibleName("Sign in again")
        self.sign_in_button.clicked.connect(self._on_sign_in_button_clicked)
        self.sign_in_button.hide()
        header = QHBoxLayout()
        header.addWidget(self.state_icon)
        header.addWidget(self.state_label, 1)
        header.addWidget(self.sign_in_button)
        header.addWidget(self.sync_button)

        self.server_value = self._value("sync_panel_server")
        self.last_sync_value = self._value("sync_panel_last_sync")
        self.pending_value = self._value("sync_panel_pending")
        self.problem_value = self._value("sync_panel_problem")
        self.sign_in_value = self._value("sync_panel_sign_in")
        details = QFormLayout()
        details.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        details.addRow("Server:", self.server_value)
        details.addRow("Last sync:", self.last_sync_value)
        details.addRow("Waiting to be sent:", self.pending_value)
        details.addRow("Problem:", self.problem_value)
        details.addRow("Sign-in:", self.sign_in_value)
        self._details = details

        conflicts_title = QLabel("Not applied by the server", self)
        conflicts_title.setObjectName("sync_panel_conflicts_title")
        title_font = conflicts_title.font()
        title_font.setBold(True)
        conflicts_title.setFont(title_font)
        self.conflict_list = ConflictList(workspace, user_id, runner, parent=self)
        self.conflict_list.conflict_resolved.connect(self._on_conflict_list_conflict_resolved)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.setObjectName("sync_panel_buttons")
        close.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(details)
        layout.addSpacing(8)
        layout.addWidget(conflicts_title)
        layout.addWidget(self.conflict_list, 1)
        layout.addWidget(close)

        controller.status_changed.connect(self._on_controller_status_changed)
        controller.sync_finished.connect(self._on_controller_sync_finished)
        self.show_status(controller.status)
        self.conflict_list.reload()

    def _value(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def show_status(self, status: SyncStatus) -> None:
        icon_name, words = state_words(status)
        palette.set_icon(self.state_icon, palette.icon(icon_name), QSize(28, 28))
        self.state_label.setText(words)
        self.server_value.setText(f"{status.username} at {status.server_url}"
                                  if status.server_url else "—")
        if status.last_sync_at is not None:
            local = status.last_sync_at.astimezone()
            self.last_sync_value.setText(f"{local:%d %b %Y %H:%M} "
                                         f"({relative_time(status.last_sync_at, utc_now())})")
        else:
            self.last_sync_value.setText("Never")
        self.pending_value.setText(plural(status.pending, "change") if status.pending
                                   else "Nothing")
        self.problem_value.setText(status.last_error)
        self._details.setRowVisible(self.problem_value, bool(status.last_error))
        # Said even after a good sync: a sign-in kept in memory is gone after a restart.
        self.sign_in_value.setText(status.sign_in_note)
        self._details.setRowVisible(self.sign_in_value, bool(status.sign_in_note)
                                    and status.sign_in_note not in status.last_error)
        self.sync_button.setEnabled(not status.syncing)
        self.sign_in_button.setVisible(status.needs_sign_in)

    # --- Slots ----------------------------------------------------------------------------

    @Slot()
    def _on_sync_button_clicked(self) -> None:
        self.controller.sync_now()

    @Slot()
    def _on_sign_in_button_clicked(self) -> None:
        status = self.controller.status
        self.sign_in_dialog = ConnectDialog(self.workspace, self.runner, parent=self,
                                            again_as=(status.server_url, status.username))
        self.sign_in_dialog.accepted.connect(self._on_sign_in_dialog_accepted)
        self.sign_in_dialog.open()

    @Slot()
    def _on_sign_in_dialog_accepted(self) -> None:
        self.controller.sync_now()

    @Slot(object)
    def _on_controller_status_changed(self, status: SyncStatus) -> None:
        self.show_status(status)

    @Slot(object)
    def _on_controller_sync_finished(self, _outcome: SyncOutcome) -> None:
        self.conflict_list.reload()

    @Slot(object)
    def _on_conflict_list_conflict_resolved(self, outcome: ActionOutcome) -> None:
        """Counts change at once; a queued follow-up (note, retry, copy) goes out now."""
        self.controller.refresh_status()
        if outcome.mutation_id is not None:
            self.controller.sync_now()
