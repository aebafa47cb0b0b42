"""Attachment bytes, stored by SHA-256 beside the database, written atomically.

A file is streamed to a temporary name in the same folder, hashed on the way, flushed to
disk and renamed into place: a crash leaves either the whole file or nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_SHA256 = re.compile(r"[0-9a-f]{64}")
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def size_of(self, sha256: str) -> int | None:
        try:
            return self.path_for(sha256).stat().st_size
        except (FileNotFoundError, ValueError):
            return None

    def put_bytes(self, data: bytes) -> StoredBlob:
        return self.put_chunks([data])

    def put_file(self, source: Path) -> StoredBlob:
        with source.open("rb") as handle:
            return self.put_stream(handle)

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        return self.put_chunks(iter(lambda: stream.read(CHUNK), b""))

    def put_chunks(self, chunks: Iterable[bytes]) -> StoredBlob:
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

    def read_bytes(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def verify(self, sha256: str) -> bool:
        """Re-hash a stored blob (bit rot, a partial copy restored from backup)."""
        digest = hashlib.sha256()
        with self.path_for(sha256).open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256
