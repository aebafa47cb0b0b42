"""Background sync as the user sees it, against a real server on loopback.

One ``desktopdesk-server`` per module (seeding the demo takes seconds); each test signs a
fresh replica in (in-memory keyring) and lets the window's own controller sync it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from keyring.backends import fail
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.domain.commands import AddWorkunit, AssignOwner, CloseTicket
from desktopdesk.domain.queries import user_summary
from desktopdesk.domain.workflow import allowed_next_statuses
from desktopdesk.models import (
    OutboxEntry,
    OutboxState,
    Resolution,
    Status,
    SyncConflict,
    Ticket,
    Workunit,
)
from desktopdesk.store.workspace import Role, Workspace
from desktopdesk.sync.account import SyncAttempt, server_link, sign_in, sync_with_server
from desktopdesk.sync.client import SyncSummary
from desktopdesk.sync.client_http import ServerClient, Token
from desktopdesk.sync.conflicts import ConflictAction, SyncCounts
from desktopdesk.sync.credential_access import (
    MASTER_PASSWORD_ENV,
    CredentialAccess,
    MasterPasswordPurpose,
    shared_credentials,
)
from desktopdesk.sync.credentials import CredentialStore, StoreKind
from desktopdesk.ui.connect_dialog import ConnectDialog
from desktopdesk.ui.main_window import MainWindow
from desktopdesk.ui.master_password_dialog import MasterPasswordDialog
from desktopdesk.ui.sync_controller import SyncController, SyncStatus
from desktopdesk.ui.sync_indicator import describe, relative_time
from desktopdesk.ui.sync_panel import SyncPanel
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_conflicts import TicketConflictsPanel
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.sync.desktop import Desktop
from tests.sync.live_server import closed_loopback_url, running_demo_server
from tests.sync.memory_keyring import MemoryKeyring, installed

pytestmark = [
    #: The offscreen platform can neither size nor raise top-level windows (the sync
    #: panel, the window F5 is pressed in); it says so, and that is all it says.
    pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)"),
    #: A message box would block: every test here only records what would be shown.
    pytest.mark.usefixtures("shown"),
]

SYNC_TIMEOUT_MS = 30_000
JAVI = "Javier «Javi» Delgado"
MASTER = "correct horse battery staple"


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo_server(tmp_path_factory.mktemp("live")) as url:
        yield url


@pytest.fixture(autouse=True)
def vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv(MASTER_PASSWORD_ENV, raising=False)
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


def api(url: str, username: str) -> dict[str, str]:
    answer = requests.post(f"{url}/api/v1/auth/token",
                           json={"username": username, "password": "demo"}, timeout=10)
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def workunit_texts(url: str, number: int, username: str) -> list[str]:
    answer = requests.get(f"{url}/api/v1/tickets/{number}/workunits",
                          headers=api(url, username), timeout=10)
    answer.raise_for_status()
    return [w["text_html"] for w in answer.json()]


@dataclass
class Replica:
    ws: Workspace
    user_id: uuid.UUID
    url: str


@pytest.fixture
def tomas(server_url: str, tmp_path: Path) -> Iterator[Replica]:
    """Tomás's laptop, signed in and holding its first copy."""
    ws = Workspace.open(tmp_path / "tomas-laptop")
    store = CredentialStore.open(ws.data_dir)
    signed_in = sign_in(ws, server_url, "tomas", "demo", store)
    sync_with_server(ws, server_link(ws), store)
    yield Replica(ws, signed_in.user.id, server_url)
    ws.close()


MakeWindow = Callable[[Replica], MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, tomas: Replica) -> Iterator[MakeWindow]:
    windows: list[MainWindow] = []

    def make(replica: Replica) -> MainWindow:
        with replica.ws.read() as session:
            user = user_summary(session, replica.user_id)
        assert user is not None
        window = MainWindow(replica.ws, user)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:  # before the workspace closes: workers hold sessions
        window.close()
        assert window.sync_controller is not None
        window.sync_controller.wait_for_done()
        window.runner.wait_for_done()


def wait_for_sync(qtbot: QtBot, controller: SyncController,
                  until: Callable[[SyncStatus], bool] = lambda _s: True) -> SyncStatus:
    qtbot.waitUntil(lambda: not controller.is_syncing and controller.status.online is not None
                    and until(controller.status), timeout=SYNC_TIMEOUT_MS)
    return controller.status


def close_offline_after_reassignment(replica: Replica) -> tuple[uuid.UUID, int]:
    """sync.md's worked example: the lead gives one of Tomás's tickets to Javi on the
    server; Tomás, offline, logs 45 minutes on it and closes it. (ticket id, number)"""
    lead = api(replica.url, "ramon")
    mine = requests.get(f"{replica.url}/api/v1/tickets", headers=lead, timeout=10,
                        params={"owner": "tomas", "status": "open", "limit": 100})
    with replica.ws.read() as session:
        for item in mine.json()["items"]:
            ticket = session.scalar(select(Ticket).where(Ticket.number == item["number"]))
            assert ticket is not None
            if Status.CLOSED in allowed_next_statuses(session, ticket.status):
                break
        else:
            raise AssertionError("the demo has no open ticket of Tomás's he may close")
    moved = requests.post(f"{replica.url}/api/v1/tickets/{item['number']}/owner",
                          json={"owner": "javi"}, headers=lead, timeout=10)
    assert moved.status_code == 200, moved.text
    replica.ws.execute(AddWorkunit(ticket_id=ticket.id, text_html="<p>Replaced disk</p>",
                                   hours=0.75), replica.user_id)
    replica.ws.execute(CloseTicket(ticket_id=ticket.id, resolution=Resolution.FIXED),
                       replica.user_id)
    return ticket.id, item["number"]


# --- The worked example, through the window ----------------------------------------------


def test_a_conflict_appears_after_a_background_sync_and_the_owner_is_asked(
        qtbot: QtBot, tomas: Replica, make_window: MakeWindow, shown: list[str]) -> None:
    ticket_id, number = close_offline_after_reassignment(tomas)

    window = make_window(tomas)  # a replica window syncs as soon as it opens
    controller = window.sync_controller
    indicator = window.sync_indicator
    assert controller is not None
    assert indicator is not None
    status = wait_for_sync(qtbot, controller, lambda s: s.conflicts == 1)

    assert (status.online, status.pending, status.last_error) == (True, 0, "")
    assert not indicator.conflict_badge.isHidden()
    assert indicator.conflict_badge.text() == "1 conflict"
    assert indicator.state_button.text() == "Online · last sync just now"
    assert any("Replaced disk" in text for text in workunit_texts(tomas.url, number, "tomas"))

    qtbot.mouseClick(indicator.conflict_badge, Qt.MouseButton.LeftButton)
    panel = window.findChild(SyncPanel, "sync_panel")
    assert panel is not None
    assert panel.isVisible()
    qtbot.waitUntil(lambda: len(panel.conflict_list.cards) == 1)
    card = panel.conflict_list.cards[0]
    assert card.summary_label.text() == (f"Close of #{number} not applied: owner is now "
                                         f"{JAVI}. Your work log was saved.")
    assert set(card.buttons) == {ConflictAction.ASK_OWNER, ConflictAction.RETRY,
                                 ConflictAction.DISCARD}

    qtbot.mouseClick(card.buttons[ConflictAction.ASK_OWNER], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.conflict_list.cards
                    and not panel.conflict_list.is_loading, timeout=SYNC_TIMEOUT_MS)
    assert panel.conflict_list.result_label.text().startswith(f"Asked {JAVI} about #{number}")
    wait_for_sync(qtbot, controller, lambda s: s.pending == 0 and s.conflicts == 0)
    assert indicator.conflict_badge.isHidden()

    asks = [t for t in workunit_texts(tomas.url, number, "javi") if "Could you close it?" in t]
    assert len(asks) == 1
    assert asks[0].startswith(f"<p>{JAVI}: Tomás Ortega wanted to close #{number}")
    with tomas.ws.read() as session:
        conflict = session.scalars(select(SyncConflict)).one()
        assert conflict.resolution == "ask_owner"
        assert conflict.client_payload["command"] == "CloseTicket"
        saved = session.scalars(select(Workunit).where(Workunit.ticket_id == ticket_id,
                                                       Workunit.hours == 0.75)).all()
    assert [w.text_html for w in saved] == ["<p>Replaced disk</p>"]
    assert shown == []


def test_discarding_from_the_panel_keeps_what_was_typed(
        qtbot: QtBot, tomas: Replica, make_window: MakeWindow, shown: list[str]) -> None:
    close_offline_after_reassignment(tomas)
    window = make_window(tomas)
    assert window.sync_controller is not None
    assert window.sync_indicator is not None
    wait_for_sync(qtbot, window.sync_controller, lambda s: s.conflicts == 1)
    qtbot.mouseClick(window.sync_indicator.state_button, Qt.MouseButton.LeftButton)
    panel = window.findChild(SyncPanel, "sync_panel")
    assert panel is not None
    qtbot.waitUntil(lambda: len(panel.conflict_list.cards) == 1)

    qtbot.mouseClick(panel.conflict_list.cards[0].buttons[ConflictAction.DISCARD],
                     Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: not panel.conflict_list.cards and not panel.conflict_list.is_loading)
    qtbot.waitUntil(lambda: window.sync_controller is not None
                    and window.sync_controller.status.conflicts == 0)
    with tomas.ws.read() as session:
        conflict = session.scalars(select(SyncConflict)).one()
        refused = session.get(OutboxEntry, conflict.mutation_id)
    assert conflict.resolution == "discard"
    assert conflict.client_payload["args"]["resolution"] == Resolution.FIXED
    assert refused is not None
    assert refused.state == OutboxState.REJECTED
    assert shown == []


# --- Offline, F5, one sync at a time ----------------------------------------------------------


def test_offline_the_indicator_says_so_and_work_waits_unlost(
        qtbot: QtBot, tomas: Replica, make_window: MakeWindow) -> None:
    # The server goes away: its address now refuses connections, as a stopped server does.
    gone = closed_loopback_url()
    tomas.ws.set_info("server_url", gone)
    CredentialStore.open(tomas.ws.data_dir).save(
        gone, "tomas", Token("ddt_still_valid", dt.datetime(2099, 1, 1, tzinfo=dt.UTC)))
    with tomas.ws.read() as session:
        ticket_id = session.scalars(select(Ticket.id).where(
            Ticket.owner_id == tomas.user_id)).first()
    assert ticket_id is not None

    window = make_window(tomas)
    controller, indicator = window.sync_controller, window.sync_indicator
    assert controller is not None
    assert indicator is not None
    status = wait_for_sync(qtbot, controller)
    assert status.online is False
    assert "the connection was refused" in status.last_error
    assert indicator.state_button.text() == "Offline · last sync just now"

    for n in range(2):  # the user keeps working
        tomas.ws.execute(AddWorkunit(ticket_id=ticket_id, text_html=f"<p>offline {n}</p>"),
                         tomas.user_id)
    controller.refresh_status()
    qtbot.waitUntil(lambda: controller.status.pending == 2)
    assert indicator.state_button.text() == "Offline · 2 pending · last sync just now"

    controller.sync_now()
    status = wait_for_sync(qtbot, controller)
    assert (status.online, status.pending) == (False, 2)
    with tomas.ws.read() as session:
        waiting = [e.payload["args"]["text_html"] for e in session.scalars(
            select(OutboxEntry).where(OutboxEntry.state == OutboxState.PENDING))]
    assert waiting == ["<p>offline 0</p>", "<p>offline 1</p>"]


def test_when_the_server_ends_the_sign_in_the_panel_signs_in_again(
        qtbot: QtBot, tomas: Replica, make_window: MakeWindow, vault: MemoryKeyring) -> None:
    token = CredentialStore.open(tomas.ws.data_dir).load(tomas.url, "tomas")
    assert token is not None
    with ServerClient(tomas.url, token.access_token) as elsewhere:
        elsewhere.logout()  # say, an administrator revoked it
    window = make_window(tomas)
    controller, indicator = window.sync_controller, window.sync_indicator
    assert controller is not None
    assert indicator is not None
    status = wait_for_sync(qtbot, controller)
    assert status.needs_sign_in
    assert indicator.state_button.text().startswith("Sign in to sync")
    assert vault.secrets == {}  # the dead token is forgotten

    qtbot.mouseClick(indicator.state_button, Qt.MouseButton.LeftButton)
    panel = window.findChild(SyncPanel, "sync_panel")
    assert panel is not None
    assert not panel.sign_in_button.isHidden()
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    dialog = panel.sign_in_dialog
    assert dialog is not None
    assert (dialog.url_edit.text(), dialog.username_edit.text()) == (tomas.url, "tomas")
    assert dialog.demo_button.isHidden()
    dialog.password_edit.setText("demo")
    with qtbot.waitSignal(dialog.accepted, timeout=SYNC_TIMEOUT_MS):
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)

    status = wait_for_sync(qtbot, controller, lambda s: not s.needs_sign_in)
    assert (status.online, status.last_error) == (True, "")
    assert panel.sign_in_button.isHidden()
    assert len(vault.secrets) == 1


@pytest.fixture
def kiosk(server_url: str, tmp_path: Path) -> Iterator[Replica]:
    """Tomás on a computer with no OS keyring: his last session kept the token in the
    encrypted credential file, under ``MASTER``."""
    with installed(fail.Keyring()):
        ws = Workspace.open(tmp_path / "kiosk")
        store = CredentialStore.in_file(ws.data_dir, MASTER)
        signed_in = sign_in(ws, server_url, "tomas", "demo", store)
        sync_with_server(ws, server_link(ws), store)
        yield Replica(ws, signed_in.user.id, server_url)
        ws.close()


def test_without_a_keyring_the_window_unlocks_the_saved_sign_in_once_and_syncs(
        qtbot: QtBot, kiosk: Replica, monkeypatch: pytest.MonkeyPatch) -> None:
    with kiosk.ws.read() as session:
        user = user_summary(session, kiosk.user_id)
    assert user is not None
    window = MainWindow(kiosk.ws, user)
    qtbot.addWidget(window)
    controller, indicator = window.sync_controller, window.sync_indicator
    assert controller is not None
    assert indicator is not None
    try:
        qtbot.waitUntil(lambda: controller.master_password_dialog is not None)
        asking = controller.master_password_dialog
        assert asking is not None
        assert asking.request.purpose is MasterPasswordPurpose.UNLOCK
        asking.master_edit.setText("not the master")
        qtbot.mouseClick(asking.open_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not asking.is_busy)
        assert asking.error_for("master").startswith("This master password does not open")
        asking.master_edit.setText(MASTER)
        with qtbot.waitSignal(asking.accepted):
            qtbot.mouseClick(asking.open_button, Qt.MouseButton.LeftButton)

        status = wait_for_sync(qtbot, controller)
        assert (status.online, status.needs_sign_in, status.last_error) == (True, False, "")
        assert indicator.state_button.text() == "Online · last sync just now"

        # The server ends that sign-in; signing in again from the panel saves the new token
        # in the same, already unlocked file, without asking for the master password again.
        asked_again: list[MasterPasswordDialog] = []
        monkeypatch.setattr(MasterPasswordDialog, "open", lambda self: asked_again.append(self))
        revoked = CredentialStore.in_file(kiosk.ws.data_dir, MASTER).load(kiosk.url, "tomas")
        assert revoked is not None
        with ServerClient(kiosk.url, revoked.access_token) as elsewhere:
            elsewhere.logout()
        controller.sync_now()
        wait_for_sync(qtbot, controller, lambda s: s.needs_sign_in)
        qtbot.mouseClick(indicator.state_button, Qt.MouseButton.LeftButton)
        panel = window.findChild(SyncPanel, "sync_panel")
        assert panel is not None
        qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
        again = panel.sign_in_dialog
        assert again is not None
        again.password_edit.setText("demo")
        with qtbot.waitSignal(again.accepted, timeout=SYNC_TIMEOUT_MS):
            qtbot.mouseClick(again.connect_button, Qt.MouseButton.LeftButton)
        status = wait_for_sync(qtbot, controller, lambda s: not s.needs_sign_in)
        assert (status.online, status.last_error) == (True, "")
        assert asked_again == []
        kept = CredentialStore.in_file(kiosk.ws.data_dir, MASTER).load(kiosk.url, "tomas")
        assert kept is not None
        assert kept.access_token != revoked.access_token
    finally:
        window.close()
        controller.wait_for_done()
        window.runner.wait_for_done()


def test_f5_syncs_now(qtbot: QtBot, tomas: Replica, make_window: MakeWindow) -> None:
    window = make_window(tomas)
    controller = window.sync_controller
    assert controller is not None
    wait_for_sync(qtbot, controller)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    before = controller.syncs_started

    qtbot.keyClick(window.table, Qt.Key.Key_F5)

    assert controller.syncs_started == before + 1
    wait_for_sync(qtbot, controller)


def fake_sync(hold: threading.Event, log: list[str],
              running: list[int]) -> Callable[[], SyncAttempt]:
    lock = threading.Lock()

    def work() -> SyncAttempt:
        with lock:
            running.append(len(running))
            log.append(f"start {len(log)}")
            overlapping = len(running) > 1
        hold.wait(10)
        time.sleep(0.02)
        with lock:
            running.pop()
            if overlapping:
                log.append("overlap")
        return SyncAttempt(SyncSummary(), reachable=True)

    return work


def test_two_syncs_never_overlap_and_requests_meanwhile_make_one_more(qtbot: QtBot) -> None:
    hold = threading.Event()
    log: list[str] = []
    running: list[int] = []
    controller = SyncController(fake_sync(hold, log, running),
                                lambda: SyncCounts(0, 0, None, ""), interval_ms=5)
    started: list[None] = []
    controller.sync_started.connect(lambda: started.append(None))
    controller.start()
    assert controller.is_syncing
    assert [controller.sync_now() for _ in range(3)] == [False, False, False]
    qtbot.wait(50)  # the 5 ms timer fires meanwhile: it must not start a second one
    assert len(started) == 1
    hold.set()
    qtbot.waitUntil(lambda: len(started) >= 3)
    controller.stop()
    assert controller.wait_for_done(10_000)
    assert "overlap" not in log


def test_the_indicator_words(qtbot: QtBot) -> None:
    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    assert relative_time(now - dt.timedelta(seconds=20), now) == "just now"
    assert relative_time(now - dt.timedelta(minutes=2, seconds=5), now) == "2 min ago"
    assert relative_time(now - dt.timedelta(hours=3), now) == "3 h ago"
    status = SyncStatus(online=True, pending=3, conflicts=1,
                        last_sync_at=now - dt.timedelta(minutes=2))
    assert describe(status, now) == "Online · 3 pending · last sync 2 min ago"
    assert describe(SyncStatus(), now) == "Not synced yet · never synced"
    assert describe(SyncStatus(needs_sign_in=True, online=True), now).startswith(
        "Sign in to sync")


# --- First start ------------------------------------------------------------------------------


@pytest.fixture
def dialog(qtbot: QtBot, tmp_path: Path) -> Iterator[ConnectDialog]:
    ws = Workspace.open(tmp_path / "new-laptop")
    runner = TaskRunner()
    made = ConnectDialog(ws, runner)
    qtbot.addWidget(made)
    yield made
    runner.wait_for_done()
    ws.close()


def fill(dialog: ConnectDialog, url: str, username: str, password: str) -> None:
    dialog.url_edit.setText(url)
    dialog.username_edit.setText(username)
    dialog.password_edit.setText(password)


def test_a_wrong_password_is_told_by_the_password_field(
        qtbot: QtBot, dialog: ConnectDialog, server_url: str, vault: MemoryKeyring) -> None:
    fill(dialog, server_url, "tomas", "not-the-password")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.is_busy
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=SYNC_TIMEOUT_MS)

    assert dialog.error_for("password") == "Wrong username or password."
    assert dialog.error_for("url") == dialog.error_for(None) == ""
    assert dialog.password_edit.text() == ""  # typed again, not edited
    assert dialog.choice is None
    assert vault.secrets == {}
    assert dialog.workspace.role is Role.STANDALONE


def test_an_unreachable_server_or_a_bad_address_is_told_by_the_address_field(
        qtbot: QtBot, dialog: ConnectDialog) -> None:
    fill(dialog, "desk.example.org", "tomas", "demo")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert not dialog.is_busy  # checked before anything is sent
    assert "give an http:// or https:// URL" in dialog.error_for("url")

    fill(dialog, closed_loopback_url(), "tomas", "demo")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=SYNC_TIMEOUT_MS)
    assert dialog.error_for("url") == ("Could not reach the server: the connection was "
                                       "refused (is the server running?).")


def test_connecting_keeps_the_token_in_the_keyring_and_fetches_the_first_copy(
        qtbot: QtBot, dialog: ConnectDialog, server_url: str, vault: MemoryKeyring) -> None:
    fill(dialog, f"{server_url}/api/v1/", "tomas", "demo")
    with qtbot.waitSignal(dialog.accepted, timeout=SYNC_TIMEOUT_MS):
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.choice is not None
    assert dialog.choice.signed_in is not None
    assert dialog.choice.signed_in.user.username == "tomas"
    [(service, account)] = vault.secrets
    assert (service, account) == (f"DesktopDesk {server_url}", "tomas")
    assert "demo" not in vault.secrets[(service, account)]  # a token, never the password
    ws = dialog.workspace
    assert ws.role is Role.REPLICA
    assert ws.info("server_url") == server_url
    with ws.read() as session:
        assert session.scalars(select(Ticket.id)).first() is not None  # works offline now


def test_first_start_without_a_keyring_offers_to_keep_the_sign_in_in_an_encrypted_file(
        qtbot: QtBot, dialog: ConnectDialog, server_url: str) -> None:
    with installed(fail.Keyring()):
        fill(dialog, server_url, "tomas", "demo")
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.master_password_dialog is not None)
        asking = dialog.master_password_dialog
        assert asking is not None
        assert asking.creating
        assert dialog.is_busy
        asking.master_edit.setText(MASTER)
        asking.repeat_edit.setText("correct horse battery stapler")
        qtbot.mouseClick(asking.open_button, Qt.MouseButton.LeftButton)
        assert asking.error_for("repeat") == ("The two passwords differ. Type the same one "
                                              "twice.")
        assert dialog.choice is None

        asking.repeat_edit.setText(MASTER)
        with qtbot.waitSignal(dialog.accepted, timeout=SYNC_TIMEOUT_MS):
            qtbot.mouseClick(asking.open_button, Qt.MouseButton.LeftButton)

        assert dialog.choice is not None
        assert dialog.choice.signed_in is not None
        assert dialog.choice.signed_in.store_kind is StoreKind.ENCRYPTED_FILE
        data_dir = dialog.workspace.data_dir
        # The window that opens next reads the same, unlocked store: no second question.
        shared = shared_credentials(data_dir).store
        assert shared is not None
        assert shared.kind is StoreKind.ENCRYPTED_FILE
        # After a restart only the master password opens the file, and it holds the token.
        request = CredentialAccess(data_dir).request(signing_in=False)
        assert request is not None
        assert request.purpose is MasterPasswordPurpose.UNLOCK
        assert CredentialStore.in_file(data_dir, MASTER).load(server_url, "tomas") is not None


def test_the_demo_can_be_chosen_instead(qtbot: QtBot, dialog: ConnectDialog) -> None:
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is not None
    assert dialog.choice.demo
    assert dialog.workspace.role is Role.STANDALONE


# --- The ticket view's strip -------------------------------------------------------------------


def test_a_tickets_conflict_panel_shows_only_that_tickets_refusals(
        qtbot: QtBot, org: Org, tmp_path: Path) -> None:
    """In-process server (no HTTP needed): the strip the ticket view embeds."""
    desktop = Desktop(org, org.tomas, tmp_path / "tomas")
    runner = TaskRunner()
    try:
        ticket_id = new_ticket(org, org.tomas, org.support)
        other_id = new_ticket(org, org.tomas, org.support)
        desktop.sync()
        org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.javi), org.ramon)
        desktop.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED,
                               epilogue_html="<p>Done &amp; dusted</p>"))
        desktop.sync()

        strip = TicketConflictsPanel(desktop.ws, org.tomas, runner, ticket_id)
        quiet = TicketConflictsPanel(desktop.ws, org.tomas, runner, other_id)
        for panel in (strip, quiet):
            qtbot.addWidget(panel)
        qtbot.waitUntil(lambda: not strip.conflict_list.is_loading
                        and not quiet.conflict_list.is_loading)

        assert not strip.isHidden()
        assert quiet.isHidden()
        (card,) = strip.conflict_list.cards
        assert card.user_text_label is not None
        assert card.user_text_label.text() == "Done & dusted"
        assert card.summary_label.text().startswith("Close of #")
    finally:
        runner.wait_for_done()
        desktop.ws.close()


def test_first_start_shows_the_dialog_and_returns_the_choice(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import desktopdesk.ui.app

    # pytest-qt's own handler must keep catching Qt's messages.
    monkeypatch.setattr(desktopdesk.ui.app, "qInstallMessageHandler", lambda _handler: None)
    clicked: list[str] = []

    def choose_demo() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ConnectDialog)
        clicked.append(dialog.objectName())
        qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)

    with Workspace.open(tmp_path / "new-laptop") as ws:
        QTimer.singleShot(0, choose_demo)
        choice = desktopdesk.ui.app.choose_first_start(ws)
    assert clicked == ["connect_dialog"]
    assert choice is not None
    assert choice.demo
