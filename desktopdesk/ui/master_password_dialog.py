"""The master password of the encrypted credential file, for computers with no keyring.

Asked only where the credential policy needs it (``desktopdesk.sync.credential_access``):
to unlock the file that keeps the sign-in (one field), or, at a sign-in, to create it (the
password twice, with a strength hint). Saying no is always possible and always honest:
the sign-in is then kept in memory until DesktopDesk closes.

The dialog opens the store itself, on the runner (scrypt takes about 0.1 s and the file
is read from disk), so a wrong password is told beside the field and asked again without
closing. Shown with ``open()``; whoever opened it waits for ``finished`` and then reads
``credentials.store``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.sync.credential_access import (
    MASTER_FIELD,
    REPEAT_FIELD,
    CredentialAccess,
    MasterPasswordError,
    MasterPasswordPurpose,
    MasterPasswordRequest,
    new_master_password_problem,
)
from desktopdesk.sync.credentials import CredentialStore
from desktopdesk.ui import palette
from desktopdesk.ui.form_messages import (
    ERROR_STYLE,
    FieldMessages,
    heading_label,
    message_label,
    text_label,
)
from desktopdesk.ui.new_password_fields import NewPasswordFields
from desktopdesk.ui.tasks import Task, TaskRunner

log = logging.getLogger("desktopdesk.ui.sync")

#: Style sheet templates (``palette.set_style``): named colours, right in light and dark.
NOTE_STYLE = "color: $muted_text;"


class MasterPasswordDialog(QDialog):
    """Unlock or create the credential file; rejecting it means memory for this session."""

    def __init__(self, credentials: CredentialAccess, request: MasterPasswordRequest,
                 runner: TaskRunner, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.credentials = credentials
        self.request = request
        self.runner = runner
        self._task: Task | None = None
        creating = request.purpose is MasterPasswordPurpose.CREATE
        self.setObjectName("master_password_dialog")
        self.setModal(True)
        self.setWindowIcon(palette.icon("mdi6.key-chain-variant"))

        icon = QLabel(self)
        icon.setObjectName("master_password_icon")
        palette.set_icon(icon, palette.icon("mdi6.shield-key-outline", color=palette.muted_text),
                         QSize(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title_label = heading_label(self, "master_password_title")
        self.intro_label = text_label(self, "master_password_intro")
        self.note_label = text_label(self, "master_password_note", NOTE_STYLE)
        heading = QVBoxLayout()
        heading.addWidget(self.title_label)
        heading.addWidget(self.intro_label)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(heading, 1)

        self.general_error = message_label(self, "master_password_general_error", ERROR_STYLE)
        self.progress_label = message_label(self, "master_password_progress")
        self._messages = FieldMessages(self.general_error)
        self.fields = NewPasswordFields(
            self, self._messages, password_field=MASTER_FIELD, repeat_field=REPEAT_FIELD,
            password_name="master_password", repeat_name="master_password_repeat",
            strength_name="master_password_strength", password_accessible="Master password",
            repeat_accessible="Repeat the master password")
        self.fields.hints_strength = creating
        self.master_edit = self.fields.password_edit
        self.master_error = self.fields.password_error
        self.strength_label = self.fields.strength_label
        self.repeat_edit = self.fields.repeat_edit
        self.repeat_error = self.fields.repeat_error
        self.show_action = QAction(palette.icon("mdi6.eye-outline"), "Show the password",
                                   self)
        self.show_action.setObjectName("master_password_show")
        self.show_action.setCheckable(True)
        self.show_action.toggled.connect(self._on_show_action_toggled)
        self.master_edit.addAction(self.show_action, QLineEdit.ActionPosition.TrailingPosition)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Master password:", self.fields.password_row)
        self._repeat_row = self.fields.repeat_row
        form.addRow("&Repeat it:", self._repeat_row)
        self._form = form

        self.decline_button = QPushButton(self)
        self.decline_button.setObjectName("master_password_decline")
        self.decline_button.clicked.connect(self.reject)
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("master_password_open")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.decline_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.note_label)
        layout.addWidget(self.general_error)
        layout.addWidget(self.progress_label)
        layout.addStretch(1)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        self.setMinimumWidth(540)

        if creating:
            self._word_for_creating()
        else:
            self._word_for_unlocking()
        self.note_label.show()
        self.master_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- Building -------------------------------------------------------------------------

    def _word_for_unlocking(self) -> None:
        self.setWindowTitle("Unlock your saved sign-in")
        self.setAccessibleName("Unlock the saved sign-in")
        self.title_label.setText("Unlock your saved sign-in")
        self.intro_label.setText(
            "This computer has no system keyring, so DesktopDesk keeps your sign-in to the "
            "server in an encrypted file, locked with the master password you chose for it. "
            "Enter it to sync without signing in again.")
        self.note_label.setText(
            f"The file: {self.request.path}\nForgot the master password? Continue without "
            "it and sign in again; that sign-in is kept until DesktopDesk closes.")
        self._form.setRowVisible(self._repeat_row, False)
        self.decline_button.setText("&Continue without it")
        self.decline_button.setAccessibleName("Continue without the saved sign-in")
        self.decline_button.setToolTip("Sync asks you to sign in again; that sign-in is kept "
                                       "for this session only")
        self.open_button.setIcon(palette.icon("mdi6.lock-open-variant-outline"))
        self.open_button.setText("&Unlock")
        self.open_button.setAccessibleName("Unlock")

    def _word_for_creating(self) -> None:
        self.setWindowTitle("Keep your sign-in on this computer")
        self.setAccessibleName("Choose a master password")
        self.title_label.setText("Keep your sign-in on this computer?")
        self.intro_label.setText(
            "This computer has no system keyring (such as GNOME Keyring, KWallet, the macOS "
            "Keychain or the Windows Credential Manager) to keep your sign-in safe. "
            "DesktopDesk can keep it in an encrypted file instead, locked with a master "
            "password you choose now and enter each time DesktopDesk starts.")
        self.note_label.setText(
            "The master password protects only the saved sign-in (a token the server can "
            "revoke; never your server password). It does not encrypt the tickets kept on "
            "this computer. Without it, you sign in again each time DesktopDesk starts.")
        self.decline_button.setText("&Don't save my sign-in")
        self.decline_button.setAccessibleName("Don't save my sign-in")
        self.decline_button.setToolTip("Keep the sign-in in memory until DesktopDesk closes")
        self.open_button.setIcon(palette.icon("mdi6.content-save-outline"))
        self.open_button.setText("&Save sign-in")
        self.open_button.setAccessibleName("Save the sign-in")

    # --- State ----------------------------------------------------------------------------

    @property
    def creating(self) -> bool:
        return self.request.purpose is MasterPasswordPurpose.CREATE

    @property
    def is_busy(self) -> bool:
        return self._task is not None

    @property
    def store(self) -> CredentialStore | None:
        """Where sign-ins go now: the file once unlocked, memory once declined."""
        return self.credentials.store

    def error_for(self, field: str | None) -> str:
        return self._messages.text(field)

    def _show_error(self, field: str | None, message: str) -> None:
        self._messages.show_and_focus(field, message, select_all=True)

    def _set_busy(self, busy: bool) -> None:
        self.progress_label.setText("Opening the credential file…" if busy else "")
        self.progress_label.setVisible(busy)
        for widget in (self.master_edit, self.repeat_edit, self.open_button,
                       self.decline_button):
            widget.setEnabled(not busy)

    # --- Slots ----------------------------------------------------------------------------

    @Slot(bool)
    def _on_show_action_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for edit in (self.master_edit, self.repeat_edit):
            edit.setEchoMode(mode)
        self.show_action.setIcon(palette.icon("mdi6.eye-off-outline" if shown
                                                else "mdi6.eye-outline"))
        self.show_action.setText("Hide the password" if shown else "Show the password")

    @Slot()
    def _on_open_button_clicked(self) -> None:
        if self._task is not None:
            return
        self._messages.clear()
        master = self.master_edit.text()
        if self.creating:
            problem = new_master_password_problem(master, self.repeat_edit.text())
            if problem is not None:
                self._show_error(*problem)
                return
        elif not master:
            self._show_error(MASTER_FIELD, "Enter the master password.")
            return
        credentials = self.credentials
        self._set_busy(True)
        self._task = self.runner.run(lambda: _unlock(credentials, master))
        self._task.succeeded.connect(self._on_unlock_task_succeeded)
        self._task.failed.connect(self._on_unlock_task_failed)

    @Slot(object)
    def _on_unlock_task_succeeded(self, outcome: CredentialStore | MasterPasswordError) -> None:
        self._task = None
        self._set_busy(False)
        if isinstance(outcome, CredentialStore):
            self.accept()
            return
        log.info("master password refused: %s", outcome.message)
        if outcome.can_retry:
            self.master_edit.clear()
            self.repeat_edit.clear()
            self._show_error(MASTER_FIELD, outcome.message)
            return
        self._show_error(None, outcome.message)
        for edit in (self.master_edit, self.repeat_edit):
            edit.clear()
            edit.setEnabled(False)
        self.open_button.setEnabled(False)
        self.decline_button.setDefault(True)
        self.decline_button.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(object)
    def _on_unlock_task_failed(self, error: BaseException) -> None:
        """A bug (refusals come back as outcomes): logged by the runner, told here."""
        self._task = None
        self._set_busy(False)
        self._show_error(None, f"The credential file could not be opened: {error}")

    def reject(self) -> None:
        """No master password: sign-ins live in memory until the program exits."""
        if self._task is not None:
            return  # the file is being opened; its outcome decides
        self.credentials.decline(self.request)
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._task is not None:
            event.ignore()
            return
        super().closeEvent(event)


def _unlock(credentials: CredentialAccess, master: str) -> CredentialStore | MasterPasswordError:
    """On the worker: a refusal is an answer to show, not an error to log."""
    try:
        return credentials.unlock(master)
    except MasterPasswordError as refusal:
        return refusal
