"""The sign-in and sync steps the CLI and the window share: outcomes a status can show,
and how the window reaches the credential store (unlocked once, shared, asked for only
where there is no OS keyring)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import fail

from desktopdesk import cli_account
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.account import (
    NotLinkedError,
    ServerLink,
    attempt_sync,
    server_link,
)
from desktopdesk.sync.client_http import Token
from desktopdesk.sync.credential_access import (
    MASTER_FIELD,
    MASTER_PASSWORD_ENV,
    REPEAT_FIELD,
    CredentialAccess,
    MasterPasswordError,
    MasterPasswordPurpose,
    master_password_strength,
    new_master_password_problem,
    session_only_note,
    shared_credentials,
)
from desktopdesk.sync.credentials import CREDENTIALS_FILE, CredentialStore, StoreKind
from tests.sync.live_server import closed_loopback_url
from tests.sync.memory_keyring import MemoryKeyring, installed

MASTER = "correct horse battery staple"
LATER = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(MASTER_PASSWORD_ENV, raising=False)
    with installed(MemoryKeyring()):
        yield


@pytest.fixture
def no_vault() -> Iterator[None]:
    """A computer without Secret Service: keyring's own fallback is the fail backend."""
    with installed(fail.Keyring()):
        yield


def saved_file(data_dir: Path, url: str = "https://desk.example.org") -> None:
    """A credential file holding tomas's token, as a previous session left it."""
    CredentialStore.in_file(data_dir, MASTER).save(url, "tomas", Token("ddt_saved", LATER))


def test_without_a_token_the_attempt_asks_to_sign_in_again(workspace: Workspace) -> None:
    link = ServerLink(closed_loopback_url(), "tomas", uuid.uuid4())
    attempt = attempt_sync(workspace, link, CredentialAccess(workspace.data_dir).current)
    assert (attempt.summary, attempt.reachable, attempt.needs_sign_in) == (None, True, True)
    assert attempt.problem.startswith(f"Not signed in to {link.url} (signed out, expired")


def test_an_unreachable_server_is_offline_not_an_error(workspace: Workspace) -> None:
    link = ServerLink(closed_loopback_url(), "tomas", uuid.uuid4())
    CredentialStore.open(workspace.data_dir).save(
        link.url, "tomas", Token("ddt_x", dt.datetime(2099, 1, 1, tzinfo=dt.UTC)))
    attempt = attempt_sync(workspace, link, CredentialAccess(workspace.data_dir).current)
    assert (attempt.summary, attempt.reachable, attempt.needs_sign_in) == (None, False, False)
    assert attempt.problem == ("Offline: the connection was refused (is the server running?). "
                               "Your work is kept and will be sent when the server can be "
                               "reached.")


def test_a_workspace_never_signed_in_has_no_link(workspace: Workspace) -> None:
    with pytest.raises(NotLinkedError):
        server_link(workspace)


def test_the_shared_steps_load_no_qt(tmp_path: Path) -> None:
    script = ("import sys, desktopdesk.sync.account, desktopdesk.sync.conflicts, "
              "desktopdesk.sync.credential_access; "
              "print(any(m.startswith('PySide6') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60, cwd=tmp_path)
    assert result.stdout.strip() == "False", result.stderr


# --- Reaching the credential store from the window -----------------------------------------


def test_the_os_vault_needs_no_master_password_even_with_one_in_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MASTER_PASSWORD_ENV, MASTER)
    access = CredentialAccess(tmp_path)
    assert access.request(signing_in=True) is None
    assert access.store is not None
    assert access.store.kind is StoreKind.OS_VAULT
    assert not (tmp_path / CREDENTIALS_FILE).exists()


@pytest.mark.usefixtures("no_vault")
def test_an_existing_file_asks_for_its_master_password_and_opens_with_the_right_one(
        tmp_path: Path) -> None:
    saved_file(tmp_path)
    access = CredentialAccess(tmp_path)

    request = access.request(signing_in=False)
    assert request is not None
    assert (request.purpose, request.path) == (MasterPasswordPurpose.UNLOCK,
                                               tmp_path / CREDENTIALS_FILE)
    assert access.store is None  # nothing chosen while the question is open

    with pytest.raises(MasterPasswordError) as refused:
        access.unlock("Correct horse battery staple")
    assert refused.value.can_retry
    assert refused.value.message == ("This master password does not open the saved sign-in. "
                                     "Check it and try again.")
    assert access.store is None

    store = access.unlock(MASTER)
    assert store.kind is StoreKind.ENCRYPTED_FILE
    assert access.current() is store
    token = store.load("https://desk.example.org", "tomas")
    assert token is not None
    assert token.access_token == "ddt_saved"
    assert access.request(signing_in=True) is None  # asked once per session
    assert session_only_note(store) == ""


@pytest.mark.usefixtures("no_vault")
def test_declining_keeps_sign_ins_in_memory_for_the_session_and_says_why(
        tmp_path: Path) -> None:
    saved_file(tmp_path)
    access = CredentialAccess(tmp_path)
    request = access.request(signing_in=False)
    assert request is not None

    store = access.decline(request)
    assert store.kind is StoreKind.MEMORY
    assert access.request(signing_in=True) is None  # not asked again at the next sign-in
    assert access.current() is store
    assert session_only_note(store) == ("Sign-in kept in memory for this session only (the "
                                        "credential file was left locked).")
    assert store.load("https://desk.example.org", "tomas") is None


@pytest.mark.usefixtures("no_vault")
def test_with_no_file_the_first_sign_in_offers_to_create_one(tmp_path: Path) -> None:
    access = CredentialAccess(tmp_path)
    assert access.request(signing_in=False) is None  # starting up: nothing to unlock
    assert access.store is not None
    assert access.store.kind is StoreKind.MEMORY

    request = access.request(signing_in=True)
    assert request is not None
    assert request.purpose is MasterPasswordPurpose.CREATE

    store = access.unlock(MASTER)
    store.save("https://desk.example.org", "tomas", Token("ddt_new", LATER))
    assert (tmp_path / CREDENTIALS_FILE).exists()
    after_restart = CredentialAccess(tmp_path)
    assert after_restart.unlock(MASTER).load("https://desk.example.org", "tomas") \
        == Token("ddt_new", LATER)


@pytest.mark.usefixtures("no_vault")
def test_the_environments_master_password_opens_the_file_without_asking(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved_file(tmp_path)
    monkeypatch.setenv(MASTER_PASSWORD_ENV, MASTER)
    access = CredentialAccess(tmp_path)
    assert access.request(signing_in=False) is None
    token = access.current().load("https://desk.example.org", "tomas")
    assert token is not None
    assert token.access_token == "ddt_saved"


@pytest.mark.usefixtures("no_vault")
def test_a_wrong_master_password_in_the_environment_means_memory_not_a_question(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    saved_file(tmp_path)
    monkeypatch.setenv(MASTER_PASSWORD_ENV, "not the master")
    access = CredentialAccess(tmp_path)
    assert access.request(signing_in=True) is None
    store = access.current()
    assert store.kind is StoreKind.MEMORY
    assert f"{MASTER_PASSWORD_ENV} does not open {tmp_path / CREDENTIALS_FILE}" in store.where
    assert any(MASTER_PASSWORD_ENV in record.getMessage() and record.levelname == "WARNING"
               for record in caplog.records)


@pytest.mark.usefixtures("no_vault")
def test_a_damaged_file_cannot_be_retried_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / CREDENTIALS_FILE
    path.write_text("{not ours}", encoding="utf-8")
    with pytest.raises(MasterPasswordError) as refused:
        CredentialAccess(tmp_path).unlock(MASTER)
    assert not refused.value.can_retry
    assert "is not a DesktopDesk credential file" in refused.value.message
    assert "move the file away" in refused.value.message
    assert path.read_text(encoding="utf-8") == "{not ours}"


@pytest.mark.usefixtures("no_vault")
def test_a_locked_file_nobody_unlocked_tells_the_sync_why_it_is_signed_out(
        workspace: Workspace) -> None:
    link = ServerLink(closed_loopback_url(), "tomas", uuid.uuid4())
    saved_file(workspace.data_dir, link.url)
    attempt = attempt_sync(workspace, link, CredentialAccess(workspace.data_dir).current)
    assert attempt.needs_sign_in
    assert attempt.problem == (
        f"Not signed in to {link.url}: sign-ins are kept in memory for this session only "
        f"({workspace.data_dir / CREDENTIALS_FILE} is locked: no master password was given). "
        "Sign in again to sync; your work is kept.")


def test_every_part_of_the_window_shares_one_access_per_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    folder.mkdir()
    assert shared_credentials(folder) is shared_credentials(tmp_path / "laptop" / ".." /
                                                            "laptop")
    assert shared_credentials(folder) is not shared_credentials(tmp_path)


def test_the_window_and_the_command_line_read_the_same_variable() -> None:
    assert MASTER_PASSWORD_ENV == cli_account.MASTER_PASSWORD_ENV


def test_a_new_master_password_must_be_long_enough_and_typed_twice_alike() -> None:
    assert new_master_password_problem("", "") == (MASTER_FIELD, "Choose a master password.")
    assert new_master_password_problem("short", "short") == (
        MASTER_FIELD, "Use at least 8 characters.")
    assert new_master_password_problem(MASTER, MASTER.upper()) == (
        REPEAT_FIELD, "The two passwords differ. Type the same one twice.")
    assert new_master_password_problem(MASTER, MASTER) is None


@pytest.mark.parametrize(("master", "level"), [
    ("password", 0), ("aaaaaaaaaaaaaaaaaaaa", 0), ("Tr0ub4dor&3", 1), (MASTER, 2),
    ("Passwort-für-Büro", 2),
])
def test_the_strength_hint_grows_with_length_and_variety(master: str, level: int) -> None:
    assert master_password_strength(master).level == level
