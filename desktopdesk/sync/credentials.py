"""Where the server's token is kept between runs: the credential policy, in one place.

The policy (ecosystem-notes.md, section 5), in order:

1. An OS vault (Windows Credential Locker, macOS Keychain, Secret Service or KWallet)
   when keyring finds one.
2. Otherwise, given a master password, an encrypted file in the data folder
   (``EncryptedFileKeyring``).
3. Otherwise, memory for this session only; ``where`` says so, for the UI to show.

Never plain text: keyring's fail and null backends and keyrings.alt's (plaintext, or
encrypted without a MAC) do not count as a vault. What is kept is the server-issued,
revocable token and its expiry, per (server URL, username); never the password.

OS vaults can block (a locked GNOME Keyring may wait on a prompt nobody sees), so every
keyring call runs on a helper thread and gives up after ``timeout_s`` with
``CredentialTimeoutError``. The methods are plain blocking calls, safe to run from the GUI's
background task runner; none touches Qt.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TypeVar

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, PasswordDeleteError

from desktopdesk.sync.client_http import Token
from desktopdesk.sync.encrypted_keyring import EncryptedFileKeyring

log = logging.getLogger("desktopdesk.sync")

CREDENTIALS_FILE = "credentials.json"
SERVICE_PREFIX = "DesktopDesk "
DEFAULT_TIMEOUT_S = 10.0

T = TypeVar("T")


class StoreKind(StrEnum):
    OS_VAULT = "os_vault"
    ENCRYPTED_FILE = "encrypted_file"
    MEMORY = "memory"


class CredentialError(Exception):
    """The token could not be kept or read back (the reason is in the message)."""


class CredentialTimeoutError(CredentialError):
    """The keyring did not answer in time; a locked desktop vault is the usual cause."""


class SecretBackend(Protocol):
    """The part of keyring's backend interface the store uses."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...

    def delete_password(self, service: str, username: str) -> None: ...


class SessionMemory:
    """Secrets that live as long as this process and are never written anywhere.

    Deliberately not a ``KeyringBackend``: keyring registers every subclass and would
    consider a no-argument one in its own backend discovery.
    """

    def __init__(self) -> None:
        self._secrets: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            if self._secrets.pop((service, username), None) is None:
                raise PasswordDeleteError(f"no secret for {username!r} in {service!r}")


#: One per process: "for the session" means until the program exits.
SESSION_MEMORY = SessionMemory()


def call_with_timeout(call: Callable[[], T], timeout_s: float, what: str) -> T:
    """``call()`` on a daemon thread; ``CredentialTimeoutError`` if it takes over ``timeout_s``.

    A daemon thread, not an executor: a call stuck in a vault must not keep the program
    from exiting.
    """
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(call())
        except BaseException as error:  # handed to the waiting thread, re-raised there
            future.set_exception(error)

    threading.Thread(target=run, name="desktopdesk-credentials", daemon=True).start()
    try:
        return future.result(timeout=timeout_s)
    except TimeoutError:
        raise CredentialTimeoutError(f"{what} did not answer within {timeout_s:g} s; if the "
                                "system keyring is locked, unlock it and try again") from None


def is_os_vault(backend: KeyringBackend) -> bool:
    """Whether ``backend`` keeps secrets safely on its own (no master password of ours)."""
    if isinstance(backend, fail.Keyring | null.Keyring | EncryptedFileKeyring):
        return False
    if type(backend).__module__.startswith("keyrings.alt"):
        return False  # plaintext, or encrypted without authentication
    if isinstance(backend, chainer.ChainerBackend):
        return any(is_os_vault(member) for member in backend.backends)
    return True


def find_os_vault(timeout_s: float = DEFAULT_TIMEOUT_S) -> KeyringBackend | None:
    """keyring's chosen backend if it is a real vault; None where there is none."""
    backend = call_with_timeout(keyring.get_keyring, timeout_s, "Looking for the system keyring")
    return backend if is_os_vault(backend) else None


def credentials_file(data_dir: Path) -> Path:
    return data_dir / CREDENTIALS_FILE


class CredentialStore:
    """Tokens per (server URL, username), in whichever store the policy chose.

    ``where`` describes that store in words for people ("the OS keyring (...)", "an
    encrypted file, ...", "memory for this session only (...)").
    """

    def __init__(self, backend: SecretBackend, kind: StoreKind, where: str, *,
                 timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.backend = backend
        self.kind = kind
        self.where = where
        self.timeout_s = timeout_s

    @classmethod
    def open(cls, data_dir: Path, *, master_password: str | None = None,
             timeout_s: float = DEFAULT_TIMEOUT_S) -> CredentialStore:
        """Apply the policy. May block up to ``timeout_s``: call it off the GUI thread.

        Raises ``WrongMasterPasswordError`` (a ``KeyringLocked``) when the credential
        file exists and ``master_password`` does not open it.
        """
        vault = find_os_vault(timeout_s)
        if vault is not None:
            return cls.in_vault(vault, timeout_s=timeout_s)
        path = credentials_file(data_dir)
        if master_password:
            return cls.in_file(data_dir, master_password, timeout_s=timeout_s)
        if path.exists():
            reason = f"{path} exists but no master password was given to open it"
        else:
            reason = ("this computer has no OS keyring, and no master password was given "
                      "for an encrypted file")
        return cls.in_memory(reason, timeout_s=timeout_s)

    # The three stores, for callers that made the policy's choice themselves (the window
    # asks for the master password only once it knows there is no vault).

    @classmethod
    def in_vault(cls, vault: KeyringBackend, *,
                 timeout_s: float = DEFAULT_TIMEOUT_S) -> CredentialStore:
        return cls(vault, StoreKind.OS_VAULT, f"the OS keyring ({type(vault).name})",
                   timeout_s=timeout_s)

    @classmethod
    def in_file(cls, data_dir: Path, master_password: str, *,
                timeout_s: float = DEFAULT_TIMEOUT_S) -> CredentialStore:
        """The encrypted file, opened now (about 0.1 s of scrypt): a wrong master password
        raises ``WrongMasterPasswordError`` here, not at the first lookup."""
        path = credentials_file(data_dir)
        encrypted = call_with_timeout(lambda: EncryptedFileKeyring(path, master_password),
                                      timeout_s, "Opening the credential file")
        return cls(encrypted, StoreKind.ENCRYPTED_FILE, f"an encrypted file, {path}",
                   timeout_s=timeout_s)

    @classmethod
    def in_memory(cls, reason: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> CredentialStore:
        log.info("keeping server tokens in memory only: %s", reason)
        return cls(SESSION_MEMORY, StoreKind.MEMORY,
                   f"memory for this session only ({reason})", timeout_s=timeout_s)

    @property
    def persistent(self) -> bool:
        """Whether a token saved now is still there after the program restarts."""
        return self.kind is not StoreKind.MEMORY

    def load(self, server_url: str, username: str) -> Token | None:
        """The kept token, or None if there is none or it has expired."""
        service, account = _key(server_url, username)
        secret = self._call(lambda: self.backend.get_password(service, account),
                            "Reading the token")
        if secret is None:
            return None
        try:
            fields = json.loads(secret)
            token = Token(access_token=str(fields["access_token"]),
                          expires_at=dt.datetime.fromisoformat(fields["expires_at"]),
                          token_type=str(fields.get("token_type", "bearer")))
        except (KeyError, TypeError, ValueError):
            log.warning("dropping an unreadable token kept for %s at %s", account, service)
            self.forget(server_url, username)
            return None
        if token.is_expired():
            log.info("the token for %s at %s expired at %s", account, service, token.expires_at)
            self.forget(server_url, username)
            return None
        return token

    def save(self, server_url: str, username: str, token: Token) -> None:
        service, account = _key(server_url, username)
        # Short and opaque: Windows Credential Manager refuses secrets over 2,560 bytes.
        secret = json.dumps({"access_token": token.access_token,
                             "expires_at": token.expires_at.isoformat(),
                             "token_type": token.token_type}, separators=(",", ":"))
        self._call(lambda: self.backend.set_password(service, account, secret),
                   "Saving the token")

    def forget(self, server_url: str, username: str) -> bool:
        """Delete the kept token; False if there was none."""
        service, account = _key(server_url, username)
        try:
            self._call(lambda: self.backend.delete_password(service, account),
                       "Forgetting the token")
        except CredentialError as error:
            if isinstance(error.__cause__, PasswordDeleteError):
                return False
            raise
        return True

    def _call(self, call: Callable[[], T], what: str) -> T:
        """Run a backend call with the timeout; keyring's errors become CredentialError."""
        try:
            return call_with_timeout(call, self.timeout_s, what)
        except KeyringError as error:
            raise CredentialError(f"{what} in {self.where} failed: {error}") from error


def _key(server_url: str, username: str) -> tuple[str, str]:
    """keyring's (service, username) for a token: readable in a vault's own UI."""
    return f"{SERVICE_PREFIX}{server_url.rstrip('/')}", username.strip().lower()
