"""The folder blob store's own details; the behaviour every store shares is in
``test_blob_store_contract.py``."""

from __future__ import annotations

import gc
import hashlib
from pathlib import Path

import pytest

from desktopdesk.store.blobs import CHUNK, BlobNotFoundError, FolderBlobStore


def test_blobs_live_under_two_levels_of_their_hash(tmp_path: Path) -> None:
    store = FolderBlobStore(tmp_path / "blobs")
    data = "Factura ñandú — Привет".encode() * 1000
    stored = store.put_bytes(data)
    sha256 = hashlib.sha256(data).hexdigest()
    assert store.path_for(stored.sha256) == tmp_path / "blobs" / sha256[:2] / sha256[2:4] / sha256
    assert store.path_for(stored.sha256).read_bytes() == data


@pytest.mark.parametrize("bad", ["", "../../etc/passwd", "A" * 64, "0" * 63])
def test_only_hex_digests_become_paths(tmp_path: Path, bad: str) -> None:
    store = FolderBlobStore(tmp_path)
    with pytest.raises(ValueError, match="SHA-256"):
        store.path_for(bad)


def test_a_range_holds_the_file_only_while_it_is_read(tmp_path: Path) -> None:
    """Streamed responses may be dropped unread (a client gone): no handle may leak
    (pytest turns the ResourceWarning of an unclosed file into a failure)."""
    store = FolderBlobStore(tmp_path)
    stored = store.put_bytes(b"x" * (2 * CHUNK))
    unread = store.open_range(stored.sha256)
    del unread
    half_read = store.open_range(stored.sha256)
    assert len(next(half_read)) == CHUNK
    half_read.close()  # what a server does with an abandoned response body
    gc.collect()


def test_a_blob_deleted_behind_the_stores_back_reads_as_missing(tmp_path: Path) -> None:
    store = FolderBlobStore(tmp_path)
    stored = store.put_bytes(b"soon gone")
    chunks = store.open_range(stored.sha256)
    store.path_for(stored.sha256).unlink()
    with pytest.raises(BlobNotFoundError):
        list(chunks)
