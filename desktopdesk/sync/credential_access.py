"""How a running program reaches its sign-in store: chosen once, unlocked once, shared.

``CredentialStore.open`` applies the policy in one blocking call and needs the master
password up front; a terminal can ask for it on the spot (``cli_account``). A window
cannot: looking for the OS keyring may block (so it happens on a worker), and only once
it is known that there is none does the window know whether to ask, and for what (to
unlock an existing credential file, or to create one at a sign-in). ``CredentialAccess``
splits the policy into those steps; the window shows its dialog between them.

One ``CredentialAccess`` per data folder per process (``shared_credentials``): the sync
controller, the first-start dialog and "Sign in again" all get the same one, so the file
is unlocked once and a sign-in lands in the store the next sync reads. Two stores for one
folder is how the window used to lose the token: a second store opened without the
master password falls back to memory.

``MASTER_PASSWORD_ENV`` works here as in the command line and takes precedence over any
dialog (kiosks, CI); an OS vault still comes first, as the policy says.

Nothing here imports Qt; the blocking methods say so and belong on a worker.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from keyring.errors import KeyringError

from desktopdesk.sync.credentials import (
    DEFAULT_TIMEOUT_S,
    CredentialStore,
    CredentialTimeoutError,
    StoreKind,
    credentials_file,
    find_os_vault,
)
from desktopdesk.sync.encrypted_keyring import CredentialFileError, WrongMasterPasswordError

log = logging.getLogger("desktopdesk.sync")

#: The same variable as ``desktopdesk login`` reads (cli_account.MASTER_PASSWORD_ENV).
MASTER_PASSWORD_ENV = "DESKTOPDESK_MASTER_PASSWORD"
#: A new master password shorter than this is refused: the file sits next to the data.
MIN_MASTER_LENGTH = 8
MASTER_FIELD, REPEAT_FIELD = "master", "repeat"


class MasterPasswordPurpose(StrEnum):
    #: The credential file exists: its master password opens it.
    UNLOCK = "unlock"
    #: No file yet and someone is signing in: a new master password keeps the sign-in.
    CREATE = "create"


@dataclass(frozen=True)
class MasterPasswordRequest:
    """There is no OS keyring: what the master password would be for, and which file."""

    purpose: MasterPasswordPurpose
    path: Path


class MasterPasswordError(Exception):
    """The master password did not open the store; the message is for people.

    ``can_retry`` is False when no password could help (a damaged or foreign file).
    """

    def __init__(self, message: str, *, can_retry: bool) -> None:
        super().__init__(message)
        self.message = message
        self.can_retry = can_retry


class CredentialAccess:
    """The store for one data folder in this process, resolved in steps.

    ``store`` stays None until a step has chosen one. A memory store chosen only because
    there was nothing to unlock yet (no vault, no file, nobody signing in) is provisional:
    the next sign-in may still offer to create the encrypted file. Every other choice
    (vault, file, the environment's password, the person's "no") holds for the session.
    Safe to share between threads; the blocking calls run outside the lock.
    """

    def __init__(self, data_dir: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.data_dir = data_dir
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._store: CredentialStore | None = None
        self._settled = False

    @property
    def path(self) -> Path:
        return credentials_file(self.data_dir)

    @property
    def store(self) -> CredentialStore | None:
        """The store chosen so far (never blocks)."""
        with self._lock:
            return self._store

    def request(self, *, signing_in: bool) -> MasterPasswordRequest | None:
        """What to ask for before the store can be used; None when nothing (it is open).

        Blocks while looking for the OS keyring (up to ``timeout_s``; raises
        ``CredentialTimeoutError``) and, given ``MASTER_PASSWORD_ENV``, for the scrypt of
        opening the file: call it on a worker. ``signing_in`` is True when a token is about
        to be saved: then, with no vault and no file, creating the file is offered.
        """
        with self._lock:
            if self._settled or (self._store is not None and not signing_in):
                return None
        vault = find_os_vault(self.timeout_s)
        if vault is not None:
            self._choose(CredentialStore.in_vault(vault, timeout_s=self.timeout_s))
            return None
        from_environment = os.environ.get(MASTER_PASSWORD_ENV)
        if from_environment:
            try:
                self.unlock(from_environment)
            except MasterPasswordError as refusal:
                log.warning("%s does not open %s: %s", MASTER_PASSWORD_ENV, self.path,
                            refusal.message)
                self._choose(CredentialStore.in_memory(
                    f"{MASTER_PASSWORD_ENV} does not open {self.path}",
                    timeout_s=self.timeout_s))
            return None
        if self.path.exists():
            return MasterPasswordRequest(MasterPasswordPurpose.UNLOCK, self.path)
        if signing_in:
            return MasterPasswordRequest(MasterPasswordPurpose.CREATE, self.path)
        self._choose(CredentialStore.in_memory(
            "this computer has no OS keyring, and no credential file was created",
            timeout_s=self.timeout_s), settled=False)
        return None

    def unlock(self, master_password: str) -> CredentialStore:
        """Open (or, if there is none, start) the credential file with ``master_password``.

        Blocks for the scrypt (about 0.1 s): call it on a worker. Raises
        ``MasterPasswordError`` with a message for people.
        """
        if not master_password:
            raise MasterPasswordError("Enter the master password.", can_retry=True)
        try:
            store = CredentialStore.in_file(self.data_dir, master_password,
                                            timeout_s=self.timeout_s)
        except WrongMasterPasswordError:
            raise MasterPasswordError(
                "This master password does not open the saved sign-in. Check it and try "
                "again.", can_retry=True) from None
        except CredentialFileError as error:
            raise MasterPasswordError(
                f"{error}. DesktopDesk cannot use this file, so sign-ins are kept for this "
                "session only; to start afresh, move the file away and sign in again.",
                can_retry=False) from None
        except CredentialTimeoutError as error:
            raise MasterPasswordError(f"{error}.", can_retry=True) from None
        except (KeyringError, OSError) as error:
            raise MasterPasswordError(f"The credential file could not be opened: {error}.",
                                        can_retry=True) from None
        self._choose(store)
        log.info("credential file %s unlocked", self.path)
        return store

    def decline(self, request: MasterPasswordRequest) -> CredentialStore:
        """The person gave no master password: memory for the rest of this session."""
        reason = ("the credential file was left locked"
                  if request.purpose is MasterPasswordPurpose.UNLOCK
                  else "you chose not to save the sign-in")
        with self._lock:
            if self._settled and self._store is not None:
                return self._store  # opened meanwhile (the environment, another dialog)
        store = CredentialStore.in_memory(reason, timeout_s=self.timeout_s)
        self._choose(store)
        return store

    def current(self) -> CredentialStore:
        """The store to read and save tokens with now, choosing one if nothing has.

        Never asks: a locked file nobody unlocked means memory (provisional, so a later
        sign-in can still unlock it). May block like ``request``: call it on a worker.
        """
        store = self.store
        if store is not None:
            return store
        if self.request(signing_in=False) is not None:
            self._choose(CredentialStore.in_memory(
                f"{self.path} is locked: no master password was given",
                timeout_s=self.timeout_s), settled=False)
        store = self.store
        assert store is not None  # every path through request() without a request chose
        return store

    def _choose(self, store: CredentialStore, *, settled: bool = True) -> None:
        with self._lock:
            self._store = store
            self._settled = settled


def session_only_note(store: CredentialStore | None) -> str:
    """For a status line: empty unless a sign-in would be forgotten when the program ends."""
    if store is None or store.kind is not StoreKind.MEMORY:
        return ""
    return f"Sign-in kept in {store.where}."


_shared: dict[Path, CredentialAccess] = {}
_shared_lock = threading.Lock()


def shared_credentials(data_dir: Path) -> CredentialAccess:
    """This process's ``CredentialAccess`` for ``data_dir``: the same one for every caller."""
    key = data_dir.resolve()
    with _shared_lock:
        access = _shared.get(key)
        if access is None:
            access = _shared[key] = CredentialAccess(data_dir)
        return access


# --- Choosing a new master password ------------------------------------------------------


@dataclass(frozen=True)
class Strength:
    """A rough guide while typing, not a guarantee: 0 weak, 1 fair, 2 strong."""

    level: int
    words: str


def master_password_strength(master: str) -> Strength:
    """Estimated from length and character variety; repeated characters count little."""
    if not master:
        return Strength(0, "")
    pool = sum(size for present, size in (
        (any(c.islower() for c in master), 26),
        (any(c.isupper() for c in master), 26),
        (any(c.isdigit() for c in master), 10),
        (any(not c.isalnum() and c.isascii() for c in master), 33),
        (any(not c.isascii() for c in master), 100),
    ) if present)
    effective_length = min(len(master), 2 * len(set(master)))
    bits = effective_length * math.log2(max(pool, 2))
    if bits < 50:
        return Strength(0, "Strength: weak, easy to guess. A few unrelated words make a "
                           "strong password that is easy to remember.")
    if bits < 80:
        return Strength(1, "Strength: fair. Longer is stronger: add another word.")
    return Strength(2, "Strength: strong.")


def new_master_password_problem(master: str, repeated: str) -> tuple[str, str] | None:
    """(field, message) refusing a new master password, or None when it will do."""
    if not master:
        return MASTER_FIELD, "Choose a master password."
    if len(master) < MIN_MASTER_LENGTH:
        return MASTER_FIELD, f"Use at least {MIN_MASTER_LENGTH} characters."
    if repeated != master:
        return REPEAT_FIELD, "The two passwords differ. Type the same one twice."
    return None
