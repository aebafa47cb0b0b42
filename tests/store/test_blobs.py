"""Attachment bytes: content-addressed, written whole or not at all."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from desktopdesk.store.blobs import BlobStore


def test_bytes_are_stored_under_their_sha256(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = "Factura ñandú — Привет".encode() * 1000
    stored = store.put_bytes(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert store.read_bytes(stored.sha256) == data
    assert store.size_of(stored.sha256) == len(data)
    assert store.verify(stored.sha256)
    assert store.path_for(stored.sha256).parent.parent.parent == tmp_path / "blobs"


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    first = store.put_bytes(b"same")
    second = store.put_bytes(b"same")
    assert first == second
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_a_failed_write_leaves_no_file_behind(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)

    def chunks():  # type: ignore[no-untyped-def]
        yield b"half of a file"
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.put_chunks(chunks())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_file_streams_in_chunks(tmp_path: Path) -> None:
    source = tmp_path / "scan.bin"
    source.write_bytes(bytes(range(256)) * 10_000)  # 2.5 MB: several chunks
    store = BlobStore(tmp_path / "blobs")
    stored = store.put_file(source)
    assert stored.size == source.stat().st_size
    assert store.read_bytes(stored.sha256) == source.read_bytes()


def test_corruption_is_detected(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    stored = store.put_bytes(b"original")
    store.path_for(stored.sha256).write_bytes(b"bit rot")
    assert not store.verify(stored.sha256)


@pytest.mark.parametrize("bad", ["", "../../etc/passwd", "A" * 64, "0" * 63])
def test_only_hex_digests_become_paths(tmp_path: Path, bad: str) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(ValueError, match="SHA-256"):
        store.path_for(bad)
    assert store.size_of(bad) is None
