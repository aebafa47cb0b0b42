"""The credential policy: OS vault, else an encrypted file, else memory; never plain text."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import fail, null
from keyring.errors import KeyringError, KeyringLocked

from desktopdesk.sync import encrypted_keyring
from desktopdesk.sync.client_http import Token
from desktopdesk.sync.credentials import (
    CREDENTIALS_FILE,
    SESSION_MEMORY,
    CredentialStore,
    CredentialTimeoutError,
    StoreKind,
)
from desktopdesk.sync.encrypted_keyring import (
    CredentialFileError,
    EncryptedFileKeyring,
    WrongMasterPasswordError,
)
from tests.sync.memory_keyring import MemoryKeyring, installed

SERVER = "https://desk.example.org"
OTHER_SERVER = "https://other.example.org:8443"
MASTER = "correct horse battery staple"
SECRET_TOKEN = "ddt_s3cr3t-t0k3n-that-must-never-show"
NOW = dt.datetime.now(dt.UTC)


def token(value: str = SECRET_TOKEN, *, days: int = 30) -> Token:
    return Token(access_token=value, expires_at=NOW + dt.timedelta(days=days))


@pytest.fixture
def vault() -> Iterator[MemoryKeyring]:
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture
def no_vault() -> Iterator[None]:
    """A computer without Secret Service: keyring's own fallback is the fail backend."""
    with installed(fail.Keyring()):
        yield


# --- 1. The OS vault ----------------------------------------------------------------------


def test_the_os_vault_wins_and_keeps_one_token_per_server_and_user(
    vault: MemoryKeyring, tmp_path: Path
) -> None:
    store = CredentialStore.open(tmp_path, master_password=MASTER)
    assert store.kind is StoreKind.OS_VAULT
    assert store.persistent
    assert store.where.startswith("the OS keyring (")
    store.save(SERVER, "ramon", token("ramon-at-desk"))
    store.save(OTHER_SERVER, "ramon", token("ramon-at-other"))
    store.save(SERVER, "tomas", token("tomas-at-desk"))

    again = CredentialStore.open(tmp_path)  # as after a restart
    assert [again.load(url, user).access_token  # type: ignore[union-attr]
            for url, user in [(SERVER, "ramon"), (OTHER_SERVER, "ramon"), (SERVER, "tomas")]
            ] == ["ramon-at-desk", "ramon-at-other", "tomas-at-desk"]
    assert again.load(f"{SERVER}/", "Ramon") == again.load(SERVER, "ramon")  # same account
    assert again.load(SERVER, "javi") is None
    assert again.forget(SERVER, "ramon") is True
    assert again.forget(SERVER, "ramon") is False
    assert again.load(SERVER, "ramon") is None
    assert list(tmp_path.iterdir()) == []  # the vault held it all: no file of ours
    for secret in vault.secrets.values():  # the token and its expiry, nothing else
        assert set(json.loads(secret)) == {"access_token", "expires_at", "token_type"}


def test_an_expired_or_unreadable_token_is_not_handed_out_and_is_dropped(
    vault: MemoryKeyring, tmp_path: Path
) -> None:
    store = CredentialStore.open(tmp_path)
    store.save(SERVER, "ramon", token(days=-1))
    assert store.load(SERVER, "ramon") is None
    vault.secrets[("DesktopDesk " + SERVER, "tomas")] = "not json"
    assert store.load(SERVER, "tomas") is None
    assert vault.secrets == {}


def test_a_vault_that_hangs_times_out_instead_of_freezing_the_caller(tmp_path: Path) -> None:
    release = threading.Event()

    class LockedVault(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            release.wait(10)  # a locked GNOME Keyring waiting on an invisible prompt
            return None

    store = CredentialStore(LockedVault(), StoreKind.OS_VAULT, "the OS keyring", timeout_s=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(CredentialTimeoutError, match=r"did not answer within 0\.2 s"):
            store.load(SERVER, "ramon")
        assert time.monotonic() - started < 5
    finally:
        release.set()


def test_keyring_discovery_never_picks_our_backends_by_itself() -> None:
    """Both are registered as subclasses the moment they are imported."""
    script = ("import keyring, desktopdesk.sync.credentials, tests.sync.memory_keyring; "
              "print(type(keyring.get_keyring()).__name__)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() not in ("EncryptedFileKeyring", "MemoryKeyring")


# --- 2. The encrypted file ----------------------------------------------------------------


@pytest.mark.usefixtures("no_vault")
def test_without_a_vault_a_master_password_keeps_tokens_in_an_encrypted_file(
    tmp_path: Path
) -> None:
    store = CredentialStore.open(tmp_path, master_password=MASTER)
    assert store.kind is StoreKind.ENCRYPTED_FILE
    assert store.where == f"an encrypted file, {tmp_path / CREDENTIALS_FILE}"
    store.save(SERVER, "ramon", token())

    path = tmp_path / CREDENTIALS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    for visible in (SECRET_TOKEN, MASTER, "ramon", "desk.example.org", "access_token"):
        assert visible.encode() not in raw
    reopened = CredentialStore.open(tmp_path, master_password=MASTER)
    loaded = reopened.load(SERVER, "ramon")
    assert loaded == token()


@pytest.mark.usefixtures("no_vault")
def test_a_wrong_master_password_is_refused_clearly(tmp_path: Path) -> None:
    CredentialStore.open(tmp_path, master_password=MASTER).save(SERVER, "ramon", token())
    with pytest.raises(WrongMasterPasswordError, match="master password does not open") as info:
        CredentialStore.open(tmp_path, master_password="Correct horse battery staple")
    assert isinstance(info.value, KeyringLocked)


def test_writes_are_atomic_and_leave_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / CREDENTIALS_FILE
    backend = EncryptedFileKeyring(path, MASTER)
    for number in range(5):
        backend.set_password("svc", f"user{number}", f"secret{number}")
    backend.delete_password("svc", "user0")
    assert [p.name for p in tmp_path.iterdir()] == [CREDENTIALS_FILE]
    before = path.read_bytes()

    def power_cut(_source: object, _target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(encrypted_keyring.os, "replace", power_cut)
    with pytest.raises(OSError, match="No space left"):
        backend.set_password("svc", "late", "secret")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [CREDENTIALS_FILE]
    monkeypatch.undo()
    assert EncryptedFileKeyring(path, MASTER).get_password("svc", "user4") == "secret4"


def test_the_key_is_derived_once_per_session_not_per_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    derivations: list[bytes] = []
    real_scrypt = hashlib.scrypt

    def counting_scrypt(password: bytes, **kwargs: int | bytes) -> bytes:
        derivations.append(password)
        return real_scrypt(password, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(encrypted_keyring.hashlib, "scrypt", counting_scrypt)
    backend = EncryptedFileKeyring(tmp_path / CREDENTIALS_FILE, MASTER)
    for number in range(3):
        backend.set_password("svc", "user", f"secret{number}")
        assert backend.get_password("svc", "user") == f"secret{number}"
    assert len(derivations) == 1


def test_a_damaged_or_foreign_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / CREDENTIALS_FILE
    path.write_text('{"something": "else"}')
    with pytest.raises(CredentialFileError, match="not a DesktopDesk credential file"):
        EncryptedFileKeyring(path, MASTER)
    assert path.read_text() == '{"something": "else"}'
    assert issubclass(CredentialFileError, KeyringError)


# --- 3. Memory only -----------------------------------------------------------------------


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()],
                         ids=["fail", "null"])
def test_with_no_vault_and_no_master_password_tokens_live_in_memory_only(
    backend: fail.Keyring | null.Keyring, tmp_path: Path
) -> None:
    with installed(backend):
        store = CredentialStore.open(tmp_path)
        assert store.kind is StoreKind.MEMORY
        assert not store.persistent
        assert store.where.startswith("memory for this session only (")
        assert "no OS keyring" in store.where
        store.save(SERVER, "memory-user", token())
        # The same process (session) sees it from another store; nothing is on disk.
        assert CredentialStore.open(tmp_path).load(SERVER, "memory-user") == token()
        assert list(tmp_path.iterdir()) == []
        assert SESSION_MEMORY.get_password("DesktopDesk " + SERVER, "memory-user")
        assert store.forget(SERVER, "memory-user")


@pytest.mark.usefixtures("no_vault")
def test_memory_only_says_when_a_credential_file_is_there_but_locked(tmp_path: Path) -> None:
    CredentialStore.open(tmp_path, master_password=MASTER).save(SERVER, "ramon", token())
    store = CredentialStore.open(tmp_path)
    assert store.kind is StoreKind.MEMORY
    assert f"{tmp_path / CREDENTIALS_FILE} exists but no master password" in store.where
