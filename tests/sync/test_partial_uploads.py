"""Resumable uploads without HTTP: offsets, cuts, verification, limits and clean-up."""

from __future__ import annotations

import hashlib
import os
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktopdesk.server.partial_uploads import (
    _LOCKS,
    MAX_AGE_S,
    HashMismatchError,
    InvalidDigestError,
    LengthMismatchError,
    OffsetMismatchError,
    PartialUploads,
    TooLargeError,
    UploadBusyError,
)
from desktopdesk.store.blobs import FolderBlobStore

LIMIT = 1024 * 1024


class MemoryReceipts:
    """Receipts in a set, shared by every user's ``PartialUploads`` of a test."""

    def __init__(self) -> None:
        self.held: set[tuple[uuid.UUID, str]] = set()

    def of(self, owner: uuid.UUID) -> _OwnerReceipts:
        return _OwnerReceipts(self, owner)


class _OwnerReceipts:
    def __init__(self, shared: MemoryReceipts, owner: uuid.UUID) -> None:
        self.shared, self.owner = shared, owner

    def holds(self, sha256: str) -> bool:
        return (self.owner, sha256) in self.shared.held

    def record(self, sha256: str) -> None:
        self.shared.held.add((self.owner, sha256))


def data_of(size: int, seed: int = 3) -> bytes:
    return random.Random(seed).randbytes(size)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def blobs(tmp_path: Path) -> FolderBlobStore:
    return FolderBlobStore(tmp_path / "blobs")


#: Each test's receipts (the server's database, in a real server), by its tmp_path.
_RECEIPTS: dict[Path, MemoryReceipts] = {}


def uploads(tmp_path: Path, blobs: FolderBlobStore, owner: uuid.UUID | None = None
            ) -> PartialUploads:
    receipts = _RECEIPTS.setdefault(tmp_path, MemoryReceipts())
    user = owner or uuid.UUID(int=1)
    return PartialUploads(tmp_path / "partial", blobs, user, receipts.of(user))


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_chunks_resume_at_the_servers_offset_and_the_last_one_stores_the_blob(
        tmp_path: Path, blobs: FolderBlobStore) -> None:
    data = data_of(10_000)
    up = uploads(tmp_path, blobs)
    assert up.state(sha(data)) is None
    first = up.append(sha(data), 0, len(data), [data[:4000]], LIMIT)
    assert (first.offset, first.complete) == (4000, False)
    assert up.state(sha(data)) == first
    assert blobs.size_of(sha(data)) is None  # never in the store before it is verified
    done = up.append(sha(data), 4000, len(data), [data[4000:7000], data[7000:]], LIMIT)
    assert done.complete
    assert blobs.read_bytes(sha(data)) == data
    assert files_under(tmp_path / "partial") == []


def test_a_cut_chunk_keeps_what_arrived(tmp_path: Path, blobs: FolderBlobStore) -> None:
    data = data_of(9000)
    up = uploads(tmp_path, blobs)

    def cut() -> Iterator[bytes]:
        yield data[:3000]
        raise ConnectionResetError("link dropped")

    with pytest.raises(ConnectionResetError):
        up.append(sha(data), 0, len(data), cut(), LIMIT)
    state = up.state(sha(data))
    assert state is not None
    assert state.offset == 3000
    assert up.append(sha(data), 3000, len(data), [data[3000:]], LIMIT).complete
    assert blobs.read_bytes(sha(data)) == data


def test_a_chunk_at_the_wrong_offset_is_refused_with_the_current_one(
        tmp_path: Path, blobs: FolderBlobStore) -> None:
    data = data_of(5000)
    up = uploads(tmp_path, blobs)
    with pytest.raises(OffsetMismatchError) as fresh:
        up.append(sha(data), 100, len(data), [data[100:]], LIMIT)
    assert fresh.value.current == 0
    up.append(sha(data), 0, len(data), [data[:2000]], LIMIT)
    for wrong in (0, 1999, 2001):
        with pytest.raises(OffsetMismatchError) as info:
            up.append(sha(data), wrong, len(data), [data[wrong:]], LIMIT)
        assert info.value.current == 2000
    with pytest.raises(LengthMismatchError):
        up.append(sha(data), 2000, len(data) + 1, [data[2000:]], LIMIT)
    state = up.state(sha(data))
    assert state is not None
    assert state.offset == 2000  # nothing written by the refused requests


def test_bytes_past_the_announced_length_undo_their_chunk(tmp_path: Path,
                                                          blobs: FolderBlobStore) -> None:
    data = data_of(3000)
    up = uploads(tmp_path, blobs)
    up.append(sha(data), 0, len(data), [data[:1000]], LIMIT)
    with pytest.raises(LengthMismatchError):
        up.append(sha(data), 1000, len(data), [data[1000:], b"extra"], LIMIT)
    state = up.state(sha(data))
    assert state is not None
    assert state.offset == 1000


def test_the_wrong_bytes_are_discarded_and_never_stored(tmp_path: Path,
                                                        blobs: FolderBlobStore) -> None:
    claimed, sent = data_of(4000, seed=1), data_of(4000, seed=2)
    up = uploads(tmp_path, blobs)
    up.append(sha(claimed), 0, 4000, [sent[:2000]], LIMIT)
    with pytest.raises(HashMismatchError, match="nothing was stored"):
        up.append(sha(claimed), 2000, 4000, [sent[2000:]], LIMIT)
    assert up.state(sha(claimed)) is None
    assert blobs.size_of(sha(claimed)) is None
    assert blobs.size_of(sha(sent)) is None
    assert files_under(tmp_path / "partial") == []
    assert files_under(blobs.root) == []
    with pytest.raises(HashMismatchError):
        up.put(sha(claimed), [sent], LIMIT)
    assert files_under(tmp_path / "partial") == []
    assert files_under(blobs.root) == []


def test_limits_and_digests(tmp_path: Path, blobs: FolderBlobStore) -> None:
    data = data_of(2000)
    up = uploads(tmp_path, blobs)
    with pytest.raises(TooLargeError):
        up.append(sha(data), 0, LIMIT + 1, [data], LIMIT)
    with pytest.raises(TooLargeError):
        up.put(sha(data), [data, data], 3000)
    assert files_under(tmp_path / "partial") == []
    for bad in ("../" + "0" * 61, "A" * 64, "0" * 63, ""):
        with pytest.raises(InvalidDigestError):
            up.state(bad)
        with pytest.raises(InvalidDigestError):
            up.append(bad, 0, 1, [b"x"], LIMIT)


def never() -> Iterator[bytes]:
    raise AssertionError("a known blob's body must not be read")
    yield b""  # pragma: no cover


def test_a_blob_the_user_sent_before_is_a_no_op(tmp_path: Path, blobs: FolderBlobStore) -> None:
    data = data_of(100)
    up = uploads(tmp_path, blobs)
    assert up.put(sha(data), [data], LIMIT) is True
    state = up.append(sha(data), 0, len(data), never(), LIMIT)
    assert (state.offset, state.complete) == (100, True)
    assert up.put(sha(data), never(), LIMIT) is False
    assert files_under(tmp_path / "partial") == []


def test_a_blob_only_someone_else_sent_must_be_sent_again(tmp_path: Path,
                                                          blobs: FolderBlobStore) -> None:
    data = data_of(1000)
    blobs.put_bytes(data)  # another user's upload
    up = uploads(tmp_path, blobs)
    assert up.state(sha(data)) is None  # not "complete": that would say someone has it
    with pytest.raises(OffsetMismatchError):
        up.append(sha(data), 1000, 1000, [], LIMIT)  # no skipping to the end
    with pytest.raises(HashMismatchError):
        up.put(sha(data), [b"a guess"], LIMIT)
    assert up.state(sha(data)) is None
    up.append(sha(data), 0, 1000, [data[:400]], LIMIT)
    progress = up.state(sha(data))
    assert progress is not None
    assert (progress.offset, progress.complete) == (400, False)
    assert up.append(sha(data), 400, 1000, [data[400:]], LIMIT).complete
    assert up.state(sha(data)) == up.append(sha(data), 0, 1000, never(), LIMIT)
    assert blobs.read_bytes(sha(data)) == data
    assert files_under(tmp_path / "partial") == []
    assert len(files_under(blobs.root)) == 1  # the copy was checked, then dropped


def test_users_have_partials_of_their_own(tmp_path: Path, blobs: FolderBlobStore) -> None:
    data = data_of(1000)
    alice = uploads(tmp_path, blobs, uuid.UUID(int=1))
    bob = uploads(tmp_path, blobs, uuid.UUID(int=2))
    alice.append(sha(data), 0, 1000, [data[:500]], LIMIT)
    assert bob.state(sha(data)) is None
    assert bob.append(sha(data), 0, 1000, [data], LIMIT).complete
    # Bob's finished copy is his; Alice still has to show she has the rest.
    state = alice.state(sha(data))
    assert state is not None
    assert (state.offset, state.complete) == (500, False)
    assert alice.append(sha(data), 500, 1000, [data[500:]], LIMIT).complete


def test_a_second_writer_of_the_same_upload_is_told_to_come_back(
        tmp_path: Path, blobs: FolderBlobStore) -> None:
    data = data_of(1000)
    up = uploads(tmp_path, blobs)
    part, _ = up._paths(sha(data))
    with _LOCKS.hold(part) as mine:
        assert mine
        with pytest.raises(UploadBusyError):
            up.append(sha(data), 0, 1000, [data], LIMIT)
    assert up.append(sha(data), 0, 1000, [data], LIMIT).complete


def test_partials_untouched_for_a_day_go_when_a_new_upload_starts(
        tmp_path: Path, blobs: FolderBlobStore) -> None:
    old, recent, new = data_of(900, 1), data_of(900, 2), data_of(900, 3)
    up = uploads(tmp_path, blobs)
    up.append(sha(old), 0, 900, [old[:100]], LIMIT)
    up.append(sha(recent), 0, 900, [recent[:100]], LIMIT)
    other_user = uploads(tmp_path, blobs, uuid.UUID(int=9))
    other_user.append(sha(old), 0, 900, [old[:10]], LIMIT)
    stale = time.time() - MAX_AGE_S - 60
    for path in files_under(tmp_path / "partial"):
        if sha(old) in path.name:
            os.utime(path, (stale, stale))
    up.append(sha(new), 0, 900, [new[:100]], LIMIT)  # a new upload starts: clean-up
    left = {p.name for p in files_under(tmp_path / "partial")}
    assert not any(sha(old) in name for name in left)
    assert f"{sha(recent)}.part" in left
    assert f"{sha(new)}.part" in left
    assert up.state(sha(old)) is None


def test_an_empty_file_completes_with_one_empty_chunk(tmp_path: Path,
                                                      blobs: FolderBlobStore) -> None:
    up = uploads(tmp_path, blobs)
    state = up.append(sha(b""), 0, 0, [], LIMIT)
    assert (state.offset, state.complete) == (0, True)
    assert blobs.read_bytes(sha(b"")) == b""
