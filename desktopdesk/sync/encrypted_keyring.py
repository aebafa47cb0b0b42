"""A keyring backend of our own: secrets in one file, encrypted under a master password.

It exists for computers with no OS vault (headless Linux, minimal desktops), where the
alternatives are worse: keyrings.alt's "encrypted" backend has no MAC and its plaintext
one is plaintext, and keyrings.cryptfile prompts on the terminal from inside
``set_password`` and runs its KDF on every call (ecosystem-notes.md, section 5).

The design:

- Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``: authenticated, so a wrong
  master password or a tampered file is detected, never decrypted into garbage.
- The key is ``scrypt(master, salt)``, derived once when the backend is created (about
  0.1 s); the master password itself is not kept. The salt is random per file.
- The whole secret map is one Fernet token: the file shows neither secrets nor which
  servers or usernames it holds.
- Every write goes to a temporary file in the same folder (created with mode 0600) and
  is renamed over the old one, so a crash leaves the old file or the new, never half.

``priority`` is low and the constructor needs arguments, so keyring's discovery never
picks this backend by itself: it is used only where our credential policy chooses it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import secrets
import tempfile
import threading
from pathlib import Path
from typing import NamedTuple

from cryptography.fernet import Fernet, InvalidToken
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, KeyringLocked, PasswordDeleteError

FILE_FORMAT = "desktopdesk-credentials"
FILE_VERSION = 1
SALT_BYTES = 16
#: scrypt cost: n=2**15, r=8 needs 32 MiB, which is exactly OpenSSL's default cap.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_MAXMEM = 64 * 1024 * 1024
#: Costs accepted from a file: enough room for stronger settings later, not enough for a
#: crafted file to make us allocate gigabytes.
SCRYPT_N_RANGE = (2**14, 2**20)


class WrongMasterPasswordError(KeyringLocked):
    """The credential file exists but this master password does not open it."""


class CredentialFileError(KeyringError):
    """The credential file cannot be read as one of ours (damaged, or another program's)."""


SecretMap = dict[str, dict[str, str]]


class _StoredFile(NamedTuple):
    salt: bytes
    cost: tuple[int, int, int]
    sealed: bytes  # the Fernet token holding the JSON secret map


class EncryptedFileKeyring(KeyringBackend):
    """Secrets in ``path``, readable only with ``master_password``.

    Safe to share between threads (one lock around each read-modify-write). Two
    processes writing at once do not corrupt the file; the later write wins.
    """

    #: Above fail (0) so it counts as a real store, far below any OS vault (>= 1).
    priority = 0.1

    def __init__(self, path: Path, master_password: str) -> None:
        # KeyringBackend.__init__ is skipped on purpose: it copies KEYRING_PROPERTY_*
        # environment variables onto the instance, which could redirect ``path``.
        if not master_password:
            raise ValueError("a master password is required")
        self.path = path
        self._lock = threading.Lock()
        existing = self._load()
        if existing is None:
            self._salt = secrets.token_bytes(SALT_BYTES)
            self._cost = (SCRYPT_N, SCRYPT_R, SCRYPT_P)
        else:
            self._salt, self._cost = existing.salt, existing.cost
        self._fernet = Fernet(_derive_key(master_password, self._salt, self._cost))
        if existing is not None:
            self._read()  # refuse a wrong master password now, not at the first lookup

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    # --- keyring's interface ----------------------------------------------------------

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            stored = self._read()
            stored.setdefault(service, {})[username] = password
            self._write(stored)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            stored = self._read()
            if username not in stored.get(service, {}):
                raise PasswordDeleteError(f"no secret for {username!r} in {service!r}")
            del stored[service][username]
            if not stored[service]:
                del stored[service]
            self._write(stored)

    # --- The file ---------------------------------------------------------------------

    def _load(self) -> _StoredFile | None:
        """The file's key-derivation settings and its sealed secrets, checked for shape."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            raise CredentialFileError(f"cannot read {self.path}: {error.strerror}") from error
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise CredentialFileError(f"{self.path} is not a DesktopDesk credential file")
        if document.get("version") != FILE_VERSION:
            raise CredentialFileError(f"{self.path} was written by a newer DesktopDesk "
                                      f"(format version {document.get('version')!r})")
        kdf, sealed = document.get("kdf"), document.get("secrets")
        try:
            if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
                raise ValueError(kdf)
            salt = base64.b64decode(kdf["salt"], validate=True)
            n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
            token = sealed.encode("ascii") if isinstance(sealed, str) else b""
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise CredentialFileError(f"{self.path} has a damaged header") from None
        low, high = SCRYPT_N_RANGE
        if not (low <= n <= high and n & (n - 1) == 0 and 1 <= r <= 16 and 1 <= p <= 4
                and len(salt) >= SALT_BYTES and token):
            raise CredentialFileError(f"{self.path} is damaged or asks for key-derivation "
                                      "settings outside the accepted range")
        return _StoredFile(salt, (n, r, p), token)

    def _read(self) -> SecretMap:
        stored = self._load()
        if stored is None:
            return {}
        if stored.salt != self._salt:
            # Re-created by another process (new salt) since this backend derived its key.
            raise WrongMasterPasswordError(
                f"{self.path} was re-created since it was opened; open it again")
        try:
            secrets_map = json.loads(self._fernet.decrypt(stored.sealed))
        except InvalidToken:
            raise WrongMasterPasswordError(
                f"the master password does not open the credential file {self.path}"
            ) from None
        if not isinstance(secrets_map, dict):
            raise CredentialFileError(f"{self.path} holds something other than secrets")
        return secrets_map

    def _write(self, stored: SecretMap) -> None:
        n, r, p = self._cost
        document = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "kdf": {"name": "scrypt", "salt": base64.b64encode(self._salt).decode("ascii"),
                    "n": n, "r": r, "p": p},
            "secrets": self._fernet.encrypt(json.dumps(stored).encode("utf-8")).decode("ascii"),
        }
        write_private_file_atomically(self.path, json.dumps(document, indent=1) + "\n")


def _derive_key(master_password: str, salt: bytes, cost: tuple[int, int, int]) -> bytes:
    n, r, p = cost
    raw = hashlib.scrypt(master_password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                         maxmem=SCRYPT_MAXMEM, dklen=32)
    return base64.urlsafe_b64encode(raw)


def write_private_file_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``, readable by its owner only (mode 0600 on POSIX).

    mkstemp creates the file with mode 0600 before anything is written into it, so the
    content is never readable by others, not even for a moment.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if os.name == "posix":  # make the rename itself survive a power cut
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
