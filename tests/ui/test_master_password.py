"""A computer with no OS keyring: the window unlocks the saved sign-in with its master
password (or the environment's), or keeps sign-ins for this session only.

The replica here is linked to a loopback address where nothing listens: a sync that finds
the token goes to the network and comes back "Offline", one that does not says "Not
signed in". (tests/ui/test_sync_ui.py does the same against a real server.)
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktopdesk.store.workspace import Role, Workspace
from desktopdesk.sync.account import SERVER_URL, SERVER_USER_ID, SERVER_USERNAME
from desktopdesk.sync.client_http import Token
from desktopdesk.sync.credential_access import (
    MASTER_PASSWORD_ENV,
    CredentialAccess,
    MasterPasswordPurpose,
    MasterPasswordRequest,
)
from desktopdesk.sync.credentials import CREDENTIALS_FILE, CredentialStore, StoreKind
from desktopdesk.ui.master_password_dialog import MasterPasswordDialog
from desktopdesk.ui.sync_controller import SyncController, SyncStatus
from desktopdesk.ui.sync_indicator import SyncIndicator, tooltip
from desktopdesk.ui.sync_panel import SyncPanel
from desktopdesk.ui.tasks import TaskRunner
from tests.sync.live_server import closed_loopback_url
from tests.sync.memory_keyring import installed

#: The offscreen platform cannot size top-level windows, and says so.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

MASTER = "correct horse battery staple"
LATER = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
SYNC_TIMEOUT_MS = 30_000


@pytest.fixture(autouse=True)
def no_vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A computer without Secret Service (keyring's fallback is the fail backend)."""
    monkeypatch.delenv(MASTER_PASSWORD_ENV, raising=False)
    with installed(fail.Keyring()):
        yield


@dataclass
class Laptop:
    """A replica whose last session saved tomas's token in the credential file."""

    ws: Workspace
    url: str
    credentials: CredentialAccess


@pytest.fixture
def laptop(workspace: Workspace) -> Laptop:
    url = closed_loopback_url()
    for key, value in ((SERVER_URL, url), (SERVER_USERNAME, "tomas"),
                       (SERVER_USER_ID, str(uuid.uuid4())), ("role", Role.REPLICA.value)):
        workspace.set_info(key, value)
    CredentialStore.in_file(workspace.data_dir, MASTER).save(url, "tomas",
                                                             Token("ddt_saved", LATER))
    return Laptop(workspace, url, CredentialAccess(workspace.data_dir))


StartSync = Callable[[Laptop], SyncController]


@pytest.fixture
def start_sync(qtbot: QtBot) -> Iterator[StartSync]:
    """The window's controller, started as the window starts it; drained afterwards."""
    controllers: list[SyncController] = []
    windows: list[QWidget] = []  # the controller's parent, kept alive with it

    def start(laptop: Laptop) -> SyncController:
        window = QWidget()
        qtbot.addWidget(window)
        windows.append(window)
        controller = SyncController.for_workspace(laptop.ws, parent=window,
                                                  credentials=laptop.credentials)
        assert controller is not None
        controllers.append(controller)
        controller.start()
        return controller

    yield start
    for controller in controllers:
        controller.stop()
        controller.wait_for_done()


def dialog_of(qtbot: QtBot, controller: SyncController) -> MasterPasswordDialog:
    qtbot.waitUntil(lambda: controller.master_password_dialog is not None)
    dialog = controller.master_password_dialog
    assert dialog is not None
    assert dialog.isVisible()
    return dialog


def unlock_with(qtbot: QtBot, dialog: MasterPasswordDialog, master: str) -> None:
    dialog.master_edit.setText(master)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy)


def synced(qtbot: QtBot, controller: SyncController) -> SyncStatus:
    qtbot.waitUntil(lambda: not controller.is_unlocking and not controller.is_syncing
                    and controller.status.online is not None, timeout=SYNC_TIMEOUT_MS)
    return controller.status


# --- At start-up -------------------------------------------------------------------------------


def test_the_right_master_password_finds_the_saved_sign_in_after_a_wrong_one(
        qtbot: QtBot, laptop: Laptop, start_sync: StartSync) -> None:
    controller = start_sync(laptop)
    dialog = dialog_of(qtbot, controller)
    assert dialog.windowTitle() == "Unlock your saved sign-in"
    assert not dialog.repeat_edit.isVisible()
    assert controller.status.sign_in_note == ("Waiting for the master password of the saved "
                                              "sign-in.")

    unlock_with(qtbot, dialog, "Correct horse battery staple")
    assert dialog.error_for("master") == ("This master password does not open the saved "
                                          "sign-in. Check it and try again.")
    assert dialog.master_edit.text() == ""  # typed again
    assert dialog.isVisible()
    assert controller.syncs_started == 0  # nothing syncs with a locked sign-in

    dialog.master_edit.setText(MASTER)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    status = synced(qtbot, controller)
    # The token was found, so the sync went to the (absent) server instead of asking to
    # sign in; and the dialog was not shown again.
    assert (status.online, status.needs_sign_in, status.sign_in_note) == (False, False, "")
    assert status.last_error.startswith("Offline: the connection was refused")
    assert controller.master_password_dialog is None
    assert controller.syncs_started == 1
    store = laptop.credentials.store
    assert store is not None
    assert store.kind is StoreKind.ENCRYPTED_FILE


def test_continuing_without_it_keeps_sign_ins_for_this_session_only(
        qtbot: QtBot, laptop: Laptop, start_sync: StartSync) -> None:
    before = (laptop.ws.data_dir / CREDENTIALS_FILE).read_bytes()
    controller = start_sync(laptop)
    dialog = dialog_of(qtbot, controller)
    qtbot.mouseClick(dialog.decline_button, Qt.MouseButton.LeftButton)

    status = synced(qtbot, controller)
    assert status.needs_sign_in
    assert status.last_error == (
        f"Not signed in to {laptop.url}: sign-ins are kept in memory for this session only "
        "(the credential file was left locked). Sign in again to sync; your work is kept.")
    assert status.sign_in_note == ("Sign-in kept in memory for this session only (the "
                                   "credential file was left locked).")
    # What people see: the indicator and the panel.
    indicator = SyncIndicator()
    qtbot.addWidget(indicator)
    indicator.show_status(status)
    assert indicator.state_button.text().startswith("Sign in to sync")
    assert "memory for this session only" in indicator.state_button.toolTip()
    runner = TaskRunner()
    panel = SyncPanel(laptop.ws, uuid.uuid4(), controller, runner)
    qtbot.addWidget(panel)
    assert "sign-ins are kept in memory for this session only" in panel.problem_value.text()
    assert not panel.sign_in_button.isHidden()
    qtbot.waitUntil(lambda: not panel.conflict_list.is_loading)
    runner.wait_for_done()
    assert (laptop.ws.data_dir / CREDENTIALS_FILE).read_bytes() == before  # left alone


def test_the_environments_master_password_unlocks_without_a_dialog(
        qtbot: QtBot, laptop: Laptop, start_sync: StartSync,
        monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[MasterPasswordDialog] = []
    monkeypatch.setattr(MasterPasswordDialog, "open", lambda self: opened.append(self))
    monkeypatch.setenv(MASTER_PASSWORD_ENV, MASTER)
    controller = start_sync(laptop)

    status = synced(qtbot, controller)
    assert opened == []
    assert (status.online, status.needs_sign_in, status.sign_in_note) == (False, False, "")
    store = laptop.credentials.store
    assert store is not None
    assert store.kind is StoreKind.ENCRYPTED_FILE


def test_with_a_keyring_nothing_is_asked(qtbot: QtBot, laptop: Laptop,
                                         start_sync: StartSync) -> None:
    from tests.sync.memory_keyring import MemoryKeyring

    with installed(MemoryKeyring()):
        controller = start_sync(laptop)
        status = synced(qtbot, controller)
    assert controller.master_password_dialog is None
    assert status.needs_sign_in  # the vault holds no token: the file is not consulted
    store = laptop.credentials.store
    assert store is not None
    assert store.kind is StoreKind.OS_VAULT


# --- The dialog on its own ---------------------------------------------------------------------


def make_dialog(qtbot: QtBot, access: CredentialAccess, purpose: MasterPasswordPurpose,
                runner: TaskRunner) -> MasterPasswordDialog:
    dialog = MasterPasswordDialog(access, MasterPasswordRequest(purpose, access.path), runner)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def test_creating_refuses_two_different_passwords_then_saves_matching_ones(
        qtbot: QtBot, workspace: Workspace, runner: TaskRunner) -> None:
    access = CredentialAccess(workspace.data_dir)
    dialog = make_dialog(qtbot, access, MasterPasswordPurpose.CREATE, runner)
    assert dialog.windowTitle() == "Keep your sign-in on this computer"
    assert dialog.decline_button.text() == "&Don't save my sign-in"
    assert "does not encrypt the tickets" in dialog.note_label.text()

    dialog.master_edit.setText("password")
    assert dialog.strength_label.text().startswith("Strength: weak")
    dialog.master_edit.setText(MASTER)
    assert dialog.strength_label.text() == "Strength: strong."
    dialog.repeat_edit.setText(MASTER.title())
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert not dialog.is_busy  # refused before anything is derived or written
    assert dialog.error_for("repeat") == "The two passwords differ. Type the same one twice."
    assert dialog.isVisible()
    assert access.store is None

    dialog.master_edit.setText("short")
    dialog.repeat_edit.setText("short")
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.error_for("master") == "Use at least 8 characters."
    assert dialog.error_for("repeat") == ""

    dialog.master_edit.setText(MASTER)
    dialog.repeat_edit.setText(MASTER)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    store = dialog.store
    assert store is not None
    assert store.kind is StoreKind.ENCRYPTED_FILE


def test_dont_save_my_sign_in_keeps_it_in_memory(
        qtbot: QtBot, workspace: Workspace, runner: TaskRunner) -> None:
    access = CredentialAccess(workspace.data_dir)
    dialog = make_dialog(qtbot, access, MasterPasswordPurpose.CREATE, runner)
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    store = access.store
    assert store is not None
    assert store.kind is StoreKind.MEMORY
    assert store.where == "memory for this session only (you chose not to save the sign-in)"
    assert not access.path.exists()


def test_a_damaged_file_leaves_only_continuing_without_it(
        qtbot: QtBot, workspace: Workspace, runner: TaskRunner) -> None:
    access = CredentialAccess(workspace.data_dir)
    access.path.write_text("{not ours}", encoding="utf-8")
    dialog = make_dialog(qtbot, access, MasterPasswordPurpose.UNLOCK, runner)
    unlock_with(qtbot, dialog, MASTER)
    assert "is not a DesktopDesk credential file" in dialog.error_for(None)
    assert not dialog.master_edit.isEnabled()
    assert not dialog.open_button.isEnabled()
    assert dialog.decline_button.isEnabled()
    assert dialog.isVisible()


def test_after_a_good_sync_the_tooltip_still_says_the_sign_in_will_not_last() -> None:
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    note = "Sign-in kept in memory for this session only (no keyring here)."
    status = SyncStatus(online=True, last_sync_at=now, server_url="https://desk.example",
                        username="tomas", sign_in_note=note)
    assert note in tooltip(status, now)
    assert note not in tooltip(SyncStatus(online=True, last_sync_at=now), now)
