"""Resumable blob uploads: partial files kept apart from the blob store until verified.

A desktop on a flaky link sends a file in chunks (``append``), each at the offset the
server says it holds; when a chunk is cut the bytes that arrived are kept, so the next
try continues there. Only when the last byte is in is the whole file hashed: a file
whose SHA-256 is not the one announced is deleted and never reaches the blob store, so
the store only ever holds content under its true hash (``AttachFile`` trusts that).

Proof of possession: a blob the server already holds counts as complete only for a user
with a receipt for it (they sent its bytes before, ``Receipts``). Anyone else, knowing
only the hash, uploads like for a new blob: their bytes are verified, dropped (the store
keeps one copy), and earn them a receipt. So "complete" never tells a user that someone
else has a file, and a hash alone never lets them attach it.

Layout, under ``root`` (a folder of the server's data dir): one folder per user (the
hex of the user id) so two people's uploads never meet, holding ``<sha256>.part`` (the
bytes so far) and ``<sha256>.length`` (the announced total). File names come only from
a validated hex digest and a UUID, never from anything else a client sent.

Plain Python and files: the HTTP routes (``desktopdesk.server.api.blobs``) and the tests'
in-process transport both drive it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from desktopdesk.store.blobs import CHUNK, BlobHashMismatchError, BlobStore

log = logging.getLogger("desktopdesk.server")

PARTIAL_DIR = "partial-uploads"
#: A partial untouched this long is abandoned: removed when a new upload starts.
MAX_AGE_S = 24 * 3600
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PART = ".part"
_LENGTH = ".length"


class UploadError(Exception):
    """An upload refused; the subclass says why (each maps to one HTTP status)."""


class InvalidDigestError(UploadError, ValueError):
    """The name is not 64 lowercase hex digits."""


class OffsetMismatchError(UploadError):
    """The chunk does not start where the server's partial file ends."""

    def __init__(self, current: int) -> None:
        super().__init__(f"The server holds {current} bytes of this upload; continue from "
                         f"offset {current}.")
        self.current = current


class UploadBusyError(OffsetMismatchError):
    """Another request is writing the same upload right now (two desktops, one user)."""


class LengthMismatchError(UploadError):
    """The announced length differs from the upload in progress, or the bytes overran it."""


class TooLargeError(UploadError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The file is larger than the {limit / (1024 * 1024):g} MB limit.")
        self.limit = limit


class HashMismatchError(UploadError):
    def __init__(self, sha256: str) -> None:
        super().__init__(f"The bytes received do not have SHA-256 {sha256}; nothing was "
                         "stored. Send the file again from the start.")


@dataclass(frozen=True)
class UploadState:
    """How much of a blob the server holds for this user."""

    sha256: str
    offset: int
    length: int
    #: In the blob store, verified, and received from this user (a receipt). A partial
    #: holding every byte is not complete until a request (even an empty chunk at the
    #: end) has verified it.
    complete: bool = False


class Receipts(Protocol):
    """The uploading user's receipts (``desktopdesk.server.blob_receipts``)."""

    def holds(self, sha256: str) -> bool:
        """Whether the server has verified this blob's bytes from this user."""

    def record(self, sha256: str) -> None:
        """Note that it just has (idempotent)."""


def check_digest(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise InvalidDigestError(f"{sha256!r} is not a SHA-256 digest (64 lowercase hex "
                                 "digits).")
    return sha256


class _Locks:
    """One lock per partial file, shared by every request of this process.

    Non-blocking: a second writer is told to come back (``UploadBusyError``) rather than
    wait for a chunk that may take minutes on a slow link.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held: set[Path] = set()

    @contextmanager
    def hold(self, path: Path) -> Iterator[bool]:
        with self._guard:
            acquired = path not in self._held
            if acquired:
                self._held.add(path)
        try:
            yield acquired
        finally:
            if acquired:
                with self._guard:
                    self._held.discard(path)


_LOCKS = _Locks()


class PartialUploads:
    """The partial uploads of one user, and the hand-over of finished ones to ``blobs``.

    ``receipts`` are that user's: a finished upload records one, and only a blob with one
    is "complete" for this user. (Housekeeping, which has no user, calls
    :func:`clean_stale_uploads`.)
    """

    def __init__(self, root: Path, blobs: BlobStore, owner: uuid.UUID, receipts: Receipts,
                 *, clock: Callable[[], float] = time.time,
                 max_age_s: float = MAX_AGE_S) -> None:
        self.root = root
        self.blobs = blobs
        self.folder = root / owner.hex
        self.receipts = receipts
        self.clock = clock
        self.max_age_s = max_age_s

    # --- Asking ---------------------------------------------------------------------------

    def state(self, sha256: str) -> UploadState | None:
        """Complete (stored, with this user's receipt), in progress (this user's partial),
        or None."""
        known = self._known(sha256)
        return known if known is not None else self._partial(sha256)

    def _known(self, sha256: str) -> UploadState | None:
        """The complete state, if the blob is stored and this user has sent it before."""
        check_digest(sha256)
        stored = self.blobs.size_of(sha256)
        if stored is None or not self.receipts.holds(sha256):
            return None
        return UploadState(sha256, stored, stored, complete=True)

    def _partial(self, sha256: str) -> UploadState | None:
        part, length_file = self._paths(sha256)
        try:
            length = int(length_file.read_text("ascii"))
            offset = part.stat().st_size
        except (FileNotFoundError, ValueError):
            return None
        return UploadState(sha256, offset, length)

    def _paths(self, sha256: str) -> tuple[Path, Path]:
        check_digest(sha256)
        return self.folder / f"{sha256}{_PART}", self.folder / f"{sha256}{_LENGTH}"

    # --- Resumable upload -----------------------------------------------------------------

    def append(self, sha256: str, offset: int, length: int, chunks: Iterable[bytes],
               max_bytes: int) -> UploadState:
        """Add ``chunks`` at ``offset`` to the upload of ``length`` bytes.

        A blob this user sent before is a no-op (``chunks`` is not read). Bytes that
        arrived before the connection broke are kept (the exception propagates): the
        next try resumes after them. The last byte triggers verification, the hand-over
        to the blob store and the user's receipt.
        """
        check_digest(sha256)
        if offset < 0 or length < 0:
            raise LengthMismatchError("Upload-Offset and Upload-Length cannot be negative.")
        known = self._known(sha256)
        if known is not None:
            return known
        if length > max_bytes:
            raise TooLargeError(max_bytes)
        part, _ = self._paths(sha256)
        with _LOCKS.hold(part) as mine:
            current = self._partial(sha256)
            if not mine:
                raise UploadBusyError(current.offset if current else 0)
            if current is None:
                if offset != 0:
                    raise OffsetMismatchError(0)
                current = self._start(sha256, length)
            if current.length != length:
                raise LengthMismatchError(
                    f"This upload was started with Upload-Length {current.length}, not "
                    f"{length}.")
            if current.offset != offset:
                raise OffsetMismatchError(current.offset)
            written = self._write(part, offset, length, chunks)
            if written < length:
                return UploadState(sha256, written, length)
            return self._finish(sha256, length)

    def _start(self, sha256: str, length: int) -> UploadState:
        self.clean_stale()
        part, length_file = self._paths(sha256)
        self.folder.mkdir(parents=True, exist_ok=True)
        # The length first: a .part without its .length counts as no upload at all.
        _write_atomically(length_file, str(length).encode("ascii"))
        part.write_bytes(b"")
        return UploadState(sha256, 0, length)

    def _write(self, part: Path, offset: int, length: int, chunks: Iterable[bytes]) -> int:
        """Append, keeping what arrived; bytes past ``length`` undo this request's chunk."""
        position = offset
        with part.open("r+b") as out:
            out.seek(offset)
            try:
                for chunk in chunks:
                    if position + len(chunk) > length:
                        out.truncate(offset)
                        raise LengthMismatchError(
                            f"The chunk runs past Upload-Length ({length} bytes); it was "
                            "not kept.")
                    out.write(chunk)
                    position += len(chunk)
            finally:
                out.flush()
                os.fsync(out.fileno())
        return position

    def _finish(self, sha256: str, length: int) -> UploadState:
        """Verify while copying into the store (a blob it holds already is only checked),
        then the receipt, then drop the partial: a crash in between leaves a full partial
        that the next request (an empty chunk at the end) finishes again."""
        part, _ = self._paths(sha256)
        try:
            self.blobs.put_chunks(_read_chunks(part), expected_sha256=sha256)
        except BlobHashMismatchError:
            self.discard(sha256)
            log.info("upload of %s discarded: the bytes have another hash", sha256)
            raise HashMismatchError(sha256) from None
        self.receipts.record(sha256)
        self.discard(sha256)
        return UploadState(sha256, length, length, complete=True)

    def discard(self, sha256: str) -> None:
        for path in self._paths(sha256):
            path.unlink(missing_ok=True)

    # --- Whole upload ---------------------------------------------------------------------

    def put(self, sha256: str, chunks: Iterable[bytes], max_bytes: int) -> bool:
        """Receive a whole blob sent in one request; False if this user sent it before
        (``chunks`` is then not read).

        Streamed straight to the store, which writes it atomically and keeps nothing
        unless the bytes have the announced hash (never through the resumable partial,
        which another request may be extending).
        """
        if self._known(sha256) is not None:
            return False
        self.clean_stale()
        try:
            self.blobs.put_chunks(_at_most(chunks, max_bytes), expected_sha256=sha256)
        except BlobHashMismatchError:
            raise HashMismatchError(sha256) from None
        self.receipts.record(sha256)
        return True

    # --- Housekeeping ---------------------------------------------------------------------

    def clean_stale(self) -> int:
        """Delete every user's uploads untouched for ``max_age_s``; returns files removed."""
        return clean_stale_uploads(self.root, clock=self.clock, max_age_s=self.max_age_s)


def clean_stale_uploads(root: Path, *, clock: Callable[[], float] = time.time,
                        max_age_s: float = MAX_AGE_S) -> int:
    """Delete every user's uploads under ``root`` untouched for ``max_age_s``; returns
    files removed (for a scheduled job: no user, no receipts needed).

    A partial's age is its ``.part`` file's (written at every chunk), and its ``.length``
    goes with it; leftovers of crashed requests go by their own age.
    """
    if not root.is_dir():
        return 0
    cutoff = clock() - max_age_s
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.suffix == _LENGTH and path.with_suffix(_PART).exists():
                continue  # judged with its .part
            if _older_than(path, cutoff):
                removed += _unlink(path)
                if path.suffix == _PART:
                    removed += _unlink(path.with_suffix(_LENGTH))
    if removed:
        log.info("removed %d abandoned partial upload file(s)", removed)
    return removed


def _older_than(path: Path, cutoff: float) -> bool:
    try:
        return path.is_file() and path.stat().st_mtime < cutoff
    except FileNotFoundError:  # a concurrent cleaner, or an upload finishing
        return False


def _unlink(path: Path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return 1


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(CHUNK), b"")


def _at_most(chunks: Iterable[bytes], max_bytes: int) -> Iterator[bytes]:
    """``chunks``, failing as soon as they pass ``max_bytes`` (the store keeps nothing)."""
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise TooLargeError(max_bytes)
        yield chunk


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
