"""Attachment bytes, stored by SHA-256: the interface every blob store meets, and the
folder store used by default.

``BlobStore`` is what the server, the sync code and the desktop hold and annotate with;
``FolderBlobStore`` keeps blobs in a folder beside the database (``aa/bb/<sha256>``). A
store is content-addressed: a blob is only ever stored under the SHA-256 of its bytes,
and it is written whole or not at all, so a reader never sees half a file.

The interface is an abstract base class rather than a ``typing.Protocol`` for two reasons:
the conveniences (``put_bytes``, ``put_file``, ``put_stream``, ``read_bytes``,
``verify``) are written once over three primitives, so an S3-compatible store implements
only ``size_of``, ``put_chunks`` and ``open_range``; and a store declares that it meets
the contract by subclassing, so one missing a primitive fails when it is constructed,
not at the first request that needs it. The domain, which only asks sizes, keeps its own
structural ``BlobLookup`` (``desktopdesk.domain.context``). ``tests/store/
test_blob_store_contract.py`` is the contract: a new store runs it by adding a fixture.

Nothing here deletes blobs: nothing needs to yet (a blob stays as long as the server), and
a delete must first know that no attachment still names the hash.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_SHA256 = re.compile(r"[0-9a-f]{64}")
#: Bytes read or yielded at a time.
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


class BlobNotFoundError(LookupError):
    """No blob is stored under this hash."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"no blob {sha256} in the store")
        self.sha256 = sha256


class BlobHashMismatchError(ValueError):
    """The bytes given are not the blob the caller said they were; nothing was stored."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"the bytes have SHA-256 {actual}, not {expected}")
        self.expected = expected
        self.actual = actual


def check_sha256(sha256: str) -> str:
    """``sha256`` if it is 64 lowercase hex digits, else ValueError: only such names ever
    reach a store (a file path, an object key)."""
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


class BlobStore(ABC):
    """A content-addressed store of attachment bytes.

    Digests are 64 lowercase hex digits; anything else raises ValueError (``size_of``
    answers None instead, as for any blob it does not hold).
    """

    @abstractmethod
    def size_of(self, sha256: str) -> int | None:
        """The stored blob's size in bytes, or None when it is not stored."""

    @abstractmethod
    def put_chunks(self, chunks: Iterable[bytes], *,
                   expected_sha256: str | None = None) -> StoredBlob:
        """Store the bytes ``chunks`` yield, hashed on the way, atomically.

        If ``chunks`` raises, the exception propagates and nothing is stored. With
        ``expected_sha256``, bytes of another hash raise ``BlobHashMismatchError`` and
        nothing is stored; when that blob is already stored the bytes are still read and
        checked (the caller may be proving it has them) but need not be written again.
        Storing content already stored is harmless: it is kept once.
        """

    @abstractmethod
    def open_range(self, sha256: str, start: int = 0, end: int | None = None
                   ) -> Iterator[bytes]:
        """The bytes ``[start:end]`` of a blob, a chunk at a time (slice semantics: ``end``
        None or past the size means to the end; ``start`` past it means nothing).

        A missing blob raises ``BlobNotFoundError`` when this is called, not when the
        iterator is first read, so a caller can still answer "not found" cleanly.
        Negative offsets raise ValueError.
        """

    # --- Built on the primitives: an implementation may override for speed --------------

    def put_bytes(self, data: bytes, *, expected_sha256: str | None = None) -> StoredBlob:
        return self.put_chunks([data], expected_sha256=expected_sha256)

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        return self.put_chunks(iter(lambda: stream.read(CHUNK), b""))

    def put_file(self, source: Path) -> StoredBlob:
        """Copy a local file in (the source stays where it is)."""
        with source.open("rb") as handle:
            return self.put_stream(handle)

    def read_bytes(self, sha256: str) -> bytes:
        """A whole blob in memory: for small ones and tests; stream big ones."""
        return b"".join(self.open_range(sha256))

    def verify(self, sha256: str) -> bool:
        """Re-hash a stored blob (bit rot, a partial copy restored from backup)."""
        digest = hashlib.sha256()
        for chunk in self.open_range(sha256):
            digest.update(chunk)
        return digest.hexdigest() == sha256


class FolderBlobStore(BlobStore):
    """Blobs as files under ``root``: ``root/aa/bb/<sha256>``.

    A blob is streamed to a temporary file in ``root``, hashed on the way, flushed to
    disk and renamed into place (same file system, so atomic): a crash leaves either the
    whole file or a stray ``.incoming-*`` temporary, never half a blob under a hash.
    ``root`` and ``path_for`` belong to this implementation: other code goes through
    ``BlobStore`` so that another store can take this one's place.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def size_of(self, sha256: str) -> int | None:
        try:
            return self.path_for(sha256).stat().st_size
        except (FileNotFoundError, ValueError):
            return None

    def put_chunks(self, chunks: Iterable[bytes], *,
                   expected_sha256: str | None = None) -> StoredBlob:
        if expected_sha256 is not None:
            check_sha256(expected_sha256)
            if self.size_of(expected_sha256) is not None:
                return _checked(chunks, expected_sha256)
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            if expected_sha256 is not None and sha != expected_sha256:
                raise BlobHashMismatchError(expected_sha256, sha)
            target = self.path_for(sha)
            if target.exists():  # same content already stored: nothing to do
                tmp.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, target)
            return StoredBlob(sha, size)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def open_range(self, sha256: str, start: int = 0, end: int | None = None
                   ) -> Iterator[bytes]:
        if start < 0 or (end is not None and end < 0):
            raise ValueError(f"a blob range cannot be negative: [{start}:{end}]")
        path = self.path_for(sha256)
        size = self.size_of(sha256)
        if size is None:
            raise BlobNotFoundError(sha256)
        stop = size if end is None else min(end, size)
        return _file_chunks(path, sha256, start, stop)


def _file_chunks(path: Path, sha256: str, start: int, stop: int) -> Iterator[bytes]:
    """Opened on the first read, closed when exhausted or closed: an iterator nobody
    reads holds no file handle."""
    if start >= stop:
        return
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise BlobNotFoundError(sha256) from None
    with handle:
        handle.seek(start)
        left = stop - start
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def _checked(chunks: Iterable[bytes], expected_sha256: str) -> StoredBlob:
    """Hash ``chunks`` without keeping them: the blob is already stored."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    if digest.hexdigest() != expected_sha256:
        raise BlobHashMismatchError(expected_sha256, digest.hexdigest())
    return StoredBlob(expected_sha256, size)
