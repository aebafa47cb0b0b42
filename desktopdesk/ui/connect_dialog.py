"""First start: connect this computer to the team's server, or open the demo workspace.

Signing in goes through ``desktopdesk.sync.account``, the same steps as
``desktopdesk login``: the password is used for one request, the token goes to the OS
keyring, and the workspace becomes a replica. Where there is no keyring, the master
password dialog first offers to keep the token in an encrypted file (or unlocks the one
there is); declined, the token stays in memory for this session. The store is the
process's shared one for the data folder, so the window's syncs read the token saved
here. Then the first sync fetches the user's copy, after which the app works
offline. Both run on the task runner; the dialog only validates what was typed and puts
each failure next to the field it is about (bad address or unreachable server by the
address, a wrong password by the password).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from keyring.errors import KeyringError
from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QCloseEvent
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

from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.account import (
    OtherReplicaError,
    SignedIn,
    StandaloneWorkspaceError,
    SyncAttempt,
    attempt_sync,
    check_can_become_replica,
    server_link,
    sign_in,
)
from desktopdesk.sync.client_http import (
    BadServerUrlError,
    ServerError,
    ServerUnreachable,
    normalise_server_url,
    sends_secrets_in_clear,
)
from desktopdesk.sync.credential_access import (
    CredentialAccess,
    MasterPasswordRequest,
    shared_credentials,
)
from desktopdesk.sync.credentials import CredentialError
from desktopdesk.ui import palette
from desktopdesk.ui.form_messages import (
    ERROR_STYLE,
    FieldMessages,
    heading_label,
    message_label,
    with_messages,
)
from desktopdesk.ui.master_password_dialog import MasterPasswordDialog
from desktopdesk.ui.tasks import Task, TaskRunner

log = logging.getLogger("desktopdesk.ui.sync")

URL_FIELD, USERNAME_FIELD, PASSWORD_FIELD = "url", "username", "password"
#: A style sheet template (``palette.set_style``): a named colour, right in light and dark.
NOTE_STYLE = "color: $warning_text;"


@dataclass(frozen=True)
class ConnectChoice:
    """What the person chose: the demo, or a server they are now signed in to and synced."""

    demo: bool
    signed_in: SignedIn | None = None


def placement(error: BaseException) -> tuple[str | None, str]:
    """(field, message): which input a sign-in failure is about, and what to tell people."""
    if isinstance(error, BadServerUrlError):
        return URL_FIELD, str(error)
    if isinstance(error, ServerUnreachable):
        return URL_FIELD, f"Could not reach the server: {error.reason}."
    if isinstance(error, ServerError):
        if error.status == 401 or error.code == "invalid_credentials":
            return PASSWORD_FIELD, error.message
        if error.field in (USERNAME_FIELD, PASSWORD_FIELD):
            return error.field, error.message
        return None, error.message
    if isinstance(error, StandaloneWorkspaceError):
        return None, ("This data folder holds a workspace of its own, which cannot become a "
                      "copy of a server. Start DesktopDesk with a new data folder "
                      "(--data-dir) to connect.")
    if isinstance(error, OtherReplicaError):
        return None, (f"This data folder holds {error.known_username}'s copy of "
                      f"{error.known_url}. Use a new data folder to connect as someone else "
                      "or to another server.")
    if isinstance(error, CredentialError | KeyringError):
        return None, f"The sign-in could not be kept: {error}"
    return None, f"Something went wrong: {error}"


def prepare_sign_in(workspace: Workspace, url: str, username: str,
                    credentials: CredentialAccess) -> MasterPasswordRequest | None:
    """The background first half of "Connect": the checks, then where the token will go.

    Refused before any master password is asked for; a request back means the dialog
    asks for one before ``connect``.
    """
    check_can_become_replica(workspace, url, username)
    return credentials.request(signing_in=True)


def connect(workspace: Workspace, url: str, username: str, password: str,
            credentials: CredentialAccess) -> SignedIn:
    """The background second half of "Connect": signing in, the token kept in the store."""
    check_can_become_replica(workspace, url, username)
    return sign_in(workspace, url, username, password, credentials.current())


def first_sync(workspace: Workspace, credentials: CredentialAccess) -> SyncAttempt:
    """The replica's first copy: until it is there, no window can open on it."""
    return attempt_sync(workspace, server_link(workspace), credentials.current)


class ConnectDialog(QDialog):
    """Modal at first start; ``choice`` holds the outcome once it is accepted.

    Given ``again_as`` (server URL, username), it signs the replica's own account in
    again (the server ended the sign-in): address and username are fixed, there is no
    demo, and no sync is run here, since the window's sync controller does that and two
    syncs must never overlap.

    ``credentials`` defaults to the process's shared access for the workspace's folder,
    the one its sync controller reads.
    """

    busy_changed = Signal(bool)

    def __init__(self, workspace: Workspace, runner: TaskRunner, *,
                 again_as: tuple[str, str] | None = None,
                 credentials: CredentialAccess | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner
        self.again_as = again_as
        self.credentials = credentials or shared_credentials(workspace.data_dir)
        self.choice: ConnectChoice | None = None
        self.master_password_dialog: MasterPasswordDialog | None = None
        self._signed_in: SignedIn | None = None
        self._task: Task | None = None
        #: (url, username, password) between the two halves of "Connect".
        self._pending: tuple[str, str, str] | None = None
        self.setObjectName("connect_dialog")
        self.setWindowTitle("Welcome to DesktopDesk")
        self.setAccessibleName("Connect to a server")
        self.setWindowIcon(palette.icon("mdi6.cloud-outline"))

        title = heading_label(self, "connect_title")
        title.setText("Connect to your help desk")
        intro = QLabel("DesktopDesk keeps a copy of your tickets on this computer and syncs "
                       "it with your team's server. Sign in once; after the first sync it "
                       "works offline too.", self)
        intro.setObjectName("connect_intro")
        intro.setWordWrap(True)

        self.url_edit = self._edit("connect_url", "Server address",
                                   "https://helpdesk.example.org")
        self.username_edit = self._edit("connect_username", "Username", "")
        self.password_edit = self._edit("connect_password", "Password", "")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.url_error = message_label(self, "connect_url_error", ERROR_STYLE)
        self.username_error = message_label(self, "connect_username_error", ERROR_STYLE)
        self.password_error = message_label(self, "connect_password_error", ERROR_STYLE)
        self.url_note = message_label(self, "connect_url_note", NOTE_STYLE)
        self.general_error = message_label(self, "connect_error", ERROR_STYLE)
        self.progress_label = message_label(self, "connect_progress")
        self._messages = FieldMessages(self.general_error)
        self._messages.add(URL_FIELD, self.url_edit, self.url_error)
        self._messages.add(USERNAME_FIELD, self.username_edit, self.username_error)
        self._messages.add(PASSWORD_FIELD, self.password_edit, self.password_error)
        self.url_edit.textChanged.connect(self._on_url_edit_text_changed)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Server &address:", with_messages(
            self, self.url_edit, self.url_error, self.url_note))
        form.addRow("&Username:", with_messages(self, self.username_edit, self.username_error))
        form.addRow("&Password:", with_messages(self, self.password_edit, self.password_error))

        self.demo_button = QPushButton(palette.icon("mdi6.ticket-outline"),
                                       "Open the &demo workspace", self)
        self.demo_button.setObjectName("connect_demo")
        self.demo_button.setAccessibleName("Open the demo workspace")
        self.demo_button.setToolTip("Try DesktopDesk on sample tickets, with no server")
        self.demo_button.clicked.connect(self._on_demo_button_clicked)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("connect_cancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.connect_button = QPushButton(palette.icon("mdi6.cloud-check-outline"),
                                          "&Connect", self)
        self.connect_button.setObjectName("connect_button")
        self.connect_button.setAccessibleName("Connect")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self._on_connect_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.connect_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.progress_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)
        if again_as is not None:
            url, username = again_as
            self.setWindowTitle("Sign in again")
            title.setText(f"Sign in again to {url}")
            intro.setText("The server ended this computer's sign-in (it expired or was "
                          "revoked). Your work is kept; sign in to sync it.")
            self.url_edit.setText(url)
            self.username_edit.setText(username)
            self.url_edit.setReadOnly(True)
            self.username_edit.setReadOnly(True)
            self.demo_button.hide()
            self.connect_button.setText("&Sign in")
            self.password_edit.setFocus()

    # --- Building -------------------------------------------------------------------------

    def _edit(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        return edit

    # --- State ----------------------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        return self._task is not None or self.master_password_dialog is not None

    def error_for(self, field: str | None) -> str:
        return self._messages.text(field)

    def _show_error(self, field: str | None, message: str) -> None:
        edit = self._messages.show(field, message)
        if edit is not None:
            if edit is self.password_edit:
                self.password_edit.clear()
            edit.setFocus()

    def _set_busy(self, text: str) -> None:
        busy = bool(text)
        self.progress_label.setText(text)
        self.progress_label.setVisible(busy)
        for widget in (self.url_edit, self.username_edit, self.password_edit,
                       self.connect_button, self.demo_button):
            widget.setEnabled(not busy)
        self.busy_changed.emit(busy)

    # --- Slots ----------------------------------------------------------------------------

    @Slot(str)
    def _on_url_edit_text_changed(self, text: str) -> None:
        try:
            clear_text = sends_secrets_in_clear(normalise_server_url(text))
        except BadServerUrlError:
            clear_text = False
        self.url_note.setText("Plain http: the password and token cross the network "
                              "unencrypted. Use https:// unless this network is trusted."
                              if clear_text else "")
        self.url_note.setVisible(clear_text)

    @Slot()
    def _on_connect_button_clicked(self) -> None:
        if self._task is not None:
            return
        self._messages.clear()
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        try:
            url = normalise_server_url(self.url_edit.text())
        except BadServerUrlError as error:
            self._show_error(URL_FIELD, str(error))
            return
        if not username:
            self._show_error(USERNAME_FIELD, "Give your username on the server.")
            return
        if not password:
            self._show_error(PASSWORD_FIELD, "Give your password.")
            return
        workspace, credentials = self.workspace, self.credentials
        self._set_busy(f"Signing in to {url}…")
        self._pending = (url, username, password)
        self._task = self.runner.run(
            lambda: prepare_sign_in(workspace, url, username, credentials))
        self._task.succeeded.connect(self._on_prepare_task_succeeded)
        self._task.failed.connect(self._on_task_failed)

    @Slot(object)
    def _on_prepare_task_succeeded(self, request: MasterPasswordRequest | None) -> None:
        self._task = None
        if request is None:
            self._sign_in()
            return
        self.master_password_dialog = MasterPasswordDialog(self.credentials, request,
                                                           self.runner, parent=self)
        self.master_password_dialog.finished.connect(self._on_master_password_dialog_finished)
        self.master_password_dialog.open()

    @Slot(int)
    def _on_master_password_dialog_finished(self, _result: int) -> None:
        """Unlocked, created or declined: the store is settled either way; sign in to it."""
        dialog, self.master_password_dialog = self.master_password_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self._sign_in()

    def _sign_in(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        url, username, password = pending
        workspace, credentials = self.workspace, self.credentials
        self._task = self.runner.run(
            lambda: connect(workspace, url, username, password, credentials))
        self._task.succeeded.connect(self._on_connect_task_succeeded)
        self._task.failed.connect(self._on_task_failed)

    @Slot(object)
    def _on_connect_task_succeeded(self, signed_in: SignedIn) -> None:
        self._signed_in = signed_in
        if self.again_as is not None:
            self._task = None
            self._set_busy("")
            self.choice = ConnectChoice(demo=False, signed_in=signed_in)
            self.accept()
            return
        workspace, credentials = self.workspace, self.credentials
        self._set_busy(f"Signed in as {signed_in.user.full_name}. Fetching your tickets… "
                       "(the first time takes a while)")
        self._task = self.runner.run(lambda: first_sync(workspace, credentials))
        self._task.succeeded.connect(self._on_first_sync_task_succeeded)
        self._task.failed.connect(self._on_task_failed)

    @Slot(object)
    def _on_first_sync_task_succeeded(self, attempt: SyncAttempt) -> None:
        self._task = None
        self._set_busy("")
        if attempt.summary is None:
            self._show_error(None, f"Signed in, but your tickets could not be fetched yet: "
                                   f"{attempt.problem}")
            return
        self.choice = ConnectChoice(demo=False, signed_in=self._signed_in)
        self.accept()

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        self._task = None
        self._pending = None
        self._set_busy("")
        field, message = placement(error)
        log.info("connecting failed: %s", message)
        self._show_error(field, message)

    @Slot()
    def _on_demo_button_clicked(self) -> None:
        self.choice = ConnectChoice(demo=True)
        self.accept()

    def reject(self) -> None:
        if self.is_busy:
            return  # a sign-in in flight finishes first: its token must not be orphaned
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_busy:
            event.ignore()
            return
        super().closeEvent(event)
