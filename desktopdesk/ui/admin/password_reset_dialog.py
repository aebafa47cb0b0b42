"""Reset password…: a super-admin gives someone a new password, on the server.

The new password is typed twice (with the same strength hint as the master password);
the dialog sends it on the runner with this replica's own sign-in and stays open until
the server answers, so a refusal (offline, a weak password, not a super-admin) is told
beside the field at fault and the person can try again. On success it emits
``password_reset`` with the sentence to show and closes.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.admin_queries import PersonRow
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.credential_access import CredentialAccess
from desktopdesk.ui import palette
from desktopdesk.ui.admin.org_source import (
    PASSWORD_FIELD,
    REPEAT_FIELD,
    PasswordReset,
    new_password_problem,
    reset_password,
)
from desktopdesk.ui.form_messages import (
    ERROR_STYLE,
    FieldMessages,
    heading_label,
    message_label,
    text_label,
)
from desktopdesk.ui.master_password_dialog import NOTE_STYLE
from desktopdesk.ui.new_password_fields import NewPasswordFields
from desktopdesk.ui.tasks import Task, TaskRunner

log = logging.getLogger("desktopdesk.ui.admin")


class PasswordResetDialog(QDialog):
    """The new password for one person; open with ``open()``."""

    #: The server took the new password: the sentence to show.
    password_reset = Signal(str)

    def __init__(self, workspace: Workspace, person: PersonRow, runner: TaskRunner, *,
                 credentials: CredentialAccess | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.person = person
        self.runner = runner
        self.credentials = credentials
        self._task: Task | None = None
        self.setObjectName("password_reset_dialog")
        self.setAccessibleName(f"Reset {person.full_name}'s password")
        self.setWindowTitle("Reset password")
        self.setWindowIcon(palette.icon("mdi6.lock-reset"))
        self.setModal(True)

        title = heading_label(self, "password_reset_title")
        title.setText(f"New password for {person.full_name}")
        intro = text_label(self, "password_reset_intro", NOTE_STYLE)
        intro.setText(f"The server keeps it; {person.username}'s sign-ins on every computer "
                      "end, and they sign in again with the new password. This needs a "
                      "connection to the server.")

        self.general_error = message_label(self, "password_reset_general_error", ERROR_STYLE)
        self.progress_label = message_label(self, "password_reset_progress", NOTE_STYLE)
        self._messages = FieldMessages(self.general_error)
        self.fields = NewPasswordFields(
            self, self._messages, password_field=PASSWORD_FIELD, repeat_field=REPEAT_FIELD,
            password_name="password_reset_password", repeat_name="password_reset_repeat",
            strength_name="password_reset_strength", password_accessible="New password",
            repeat_accessible="Repeat the new password")
        self.password_edit = self.fields.password_edit
        self.password_error = self.fields.password_error
        self.strength_label = self.fields.strength_label
        self.repeat_edit = self.fields.repeat_edit
        self.repeat_error = self.fields.repeat_error

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&New password:", self.fields.password_row)
        form.addRow("&Repeat it:", self.fields.repeat_row)

        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("password_reset_cancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.reset_button = QPushButton(palette.icon("mdi6.lock-reset"), "&Reset password",
                                        self)
        self.reset_button.setObjectName("password_reset_confirm")
        self.reset_button.setAccessibleName("Reset password")
        self.reset_button.setDefault(True)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.reset_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.progress_label)
        layout.addStretch(1)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        self.setMinimumWidth(480)
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def is_busy(self) -> bool:
        return self._task is not None

    def error_for(self, field: str | None) -> str:
        return self._messages.text(field)

    def _show_error(self, field: str | None, message: str) -> None:
        self._messages.show_and_focus(field, message, select_all=True)

    def _set_busy(self, busy: bool) -> None:
        self.progress_label.setText("Asking the server…" if busy else "")
        self.progress_label.setVisible(busy)
        for widget in (self.password_edit, self.repeat_edit, self.reset_button,
                       self.cancel_button):
            widget.setEnabled(not busy)

    @Slot()
    def _on_reset_button_clicked(self) -> None:
        if self._task is not None:
            return
        self._messages.clear()
        password = self.password_edit.text()
        problem = new_password_problem(password, self.repeat_edit.text())
        if problem is not None:
            self._show_error(*problem)
            return
        workspace, person, credentials = self.workspace, self.person, self.credentials
        self._set_busy(True)
        self._task = self.runner.run(
            lambda: reset_password(workspace, person, password, credentials))
        self._task.succeeded.connect(self._on_reset_task_succeeded)
        self._task.failed.connect(self._on_reset_task_failed)

    @Slot(object)
    def _on_reset_task_succeeded(self, outcome: PasswordReset) -> None:
        self._task = None
        self._set_busy(False)
        if outcome.done:
            self.password_reset.emit(outcome.message)
            self.accept()
            return
        log.info("password reset refused: %s", outcome.message)
        self._show_error(outcome.field, outcome.message)

    @Slot(object)
    def _on_reset_task_failed(self, error: BaseException) -> None:
        """A bug (refusals come back as outcomes): logged by the runner, told here."""
        self._task = None
        self._set_busy(False)
        self._show_error(None, f"The password could not be reset: {error}")

    def reject(self) -> None:
        if self._task is not None:
            return  # the server is being asked; its answer decides
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._task is not None:
            event.ignore()
            return
        super().closeEvent(event)
