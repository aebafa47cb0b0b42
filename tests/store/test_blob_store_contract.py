"""The ``BlobStore`` contract, run against every implementation.

An implementation joins by adding a factory to ``IMPLEMENTATIONS``: it returns the store
plus two hooks the interface itself does not offer, because a test needs to look behind
it: everything the backend holds (temporaries included, to prove a failed write left
nothing) and a way to damage a stored blob (to prove ``verify`` notices).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktopdesk.store.blobs import (
    CHUNK,
    BlobHashMismatchError,
    BlobNotFoundError,
    BlobStore,
    FolderBlobStore,
)


@dataclass(frozen=True)
class Harness:
    store: BlobStore
    #: Every object or file the backend holds, finished or not.
    held: Callable[[], list[str]]
    #: Replace a stored blob's bytes behind the store's back.
    corrupt: Callable[[str, bytes], None]


def folder_harness(tmp_path: Path) -> Harness:
    store = FolderBlobStore(tmp_path / "blobs")

    def held() -> list[str]:
        root = store.root
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if (
            root.exists()) else []

    def corrupt(sha256: str, data: bytes) -> None:
        store.path_for(sha256).write_bytes(data)

    return Harness(store, held, corrupt)


IMPLEMENTATIONS: dict[str, Callable[[Path], Harness]] = {"folder": folder_harness}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    return IMPLEMENTATIONS[request.param](tmp_path)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Over two chunks, so reads and writes cross chunk boundaries.
BIG = bytes(range(256)) * (2 * CHUNK // 256 + 37)


def failing_after(*chunks: bytes) -> Iterator[bytes]:
    yield from chunks
    raise OSError("the connection dropped")


# --- Writing ------------------------------------------------------------------------------


def test_bytes_are_stored_under_their_hash_and_read_back(harness: Harness) -> None:
    store = harness.store
    stored = store.put_chunks([BIG[:1000], BIG[1000:]])
    assert (stored.sha256, stored.size) == (sha(BIG), len(BIG))
    assert store.size_of(sha(BIG)) == len(BIG)
    assert store.read_bytes(sha(BIG)) == BIG
    assert store.verify(sha(BIG))


def test_the_conveniences_store_the_same_blob(harness: Harness, tmp_path: Path) -> None:
    store = harness.store
    source = tmp_path / "scan.bin"
    source.write_bytes(BIG)
    assert store.put_bytes(BIG).sha256 == sha(BIG)
    assert store.put_stream(io.BytesIO(BIG)).sha256 == sha(BIG)
    assert store.put_file(source).sha256 == sha(BIG)
    assert source.read_bytes() == BIG  # a copy: the source stays
    assert len(harness.held()) == 1


def test_the_same_content_is_kept_once(harness: Harness) -> None:
    first = harness.store.put_bytes(b"same")
    second = harness.store.put_chunks([b"sa", b"me"])
    assert first == second
    assert len(harness.held()) == 1


def test_an_empty_blob_is_a_blob(harness: Harness) -> None:
    stored = harness.store.put_chunks([])
    assert (stored.sha256, stored.size) == (sha(b""), 0)
    assert harness.store.size_of(sha(b"")) == 0
    assert harness.store.read_bytes(sha(b"")) == b""


def test_a_write_that_fails_midway_leaves_nothing(harness: Harness) -> None:
    with pytest.raises(OSError, match="dropped"):
        harness.store.put_chunks(failing_after(BIG[:CHUNK], BIG[CHUNK:CHUNK + 10]))
    assert harness.held() == []
    assert harness.store.size_of(sha(BIG)) is None


def test_bytes_that_are_not_the_expected_blob_are_not_kept(harness: Harness) -> None:
    with pytest.raises(BlobHashMismatchError) as refused:
        harness.store.put_bytes(b"what arrived", expected_sha256=sha(b"what was promised"))
    assert refused.value.actual == sha(b"what arrived")
    assert harness.held() == []
    stored = harness.store.put_bytes(b"what was promised",
                                     expected_sha256=sha(b"what was promised"))
    assert stored.sha256 == sha(b"what was promised")


def test_bytes_of_a_stored_blob_are_still_checked(harness: Harness) -> None:
    """Sending a stored blob again is how a second user proves they have it: the store
    must read and check the bytes, not wave them through because the hash is known."""
    store = harness.store
    store.put_bytes(BIG)
    before = harness.held()
    with pytest.raises(BlobHashMismatchError):
        store.put_bytes(b"a guess", expected_sha256=sha(BIG))
    with pytest.raises(OSError, match="dropped"):
        store.put_chunks(failing_after(BIG[:10]), expected_sha256=sha(BIG))
    again = store.put_chunks([BIG[:5], BIG[5:]], expected_sha256=sha(BIG))
    assert (again.sha256, again.size) == (sha(BIG), len(BIG))
    assert harness.held() == before
    assert store.read_bytes(sha(BIG)) == BIG


# --- Reading ------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end"), [
    (0, None), (0, 1), (10, 20), (CHUNK - 3, CHUNK + 3), (CHUNK, 2 * CHUNK),
    (len(BIG) - 1, None), (len(BIG), None), (len(BIG) + 5, None), (100, len(BIG) + 1000),
    (50, 50), (50, 10),
])
def test_a_range_reads_like_a_slice(harness: Harness, start: int, end: int | None) -> None:
    harness.store.put_bytes(BIG)
    assert b"".join(harness.store.open_range(sha(BIG), start, end)) == BIG[start:end]


def test_ranges_come_in_bounded_chunks(harness: Harness) -> None:
    harness.store.put_bytes(BIG)
    chunks = list(harness.store.open_range(sha(BIG), 1))
    assert all(0 < len(chunk) <= CHUNK for chunk in chunks)
    assert len(chunks) >= 2


def test_a_missing_blob_is_reported_when_asked_not_when_read(harness: Harness) -> None:
    missing = sha(b"never stored")
    assert harness.store.size_of(missing) is None
    with pytest.raises(BlobNotFoundError):
        harness.store.open_range(missing)  # not iterated: the call itself raises
    with pytest.raises(BlobNotFoundError):
        harness.store.read_bytes(missing)
    with pytest.raises(BlobNotFoundError):
        harness.store.verify(missing)


def test_negative_offsets_are_refused(harness: Harness) -> None:
    harness.store.put_bytes(b"data")
    for start, end in ((-1, None), (0, -1)):
        with pytest.raises(ValueError, match="negative"):
            harness.store.open_range(sha(b"data"), start, end)


@pytest.mark.parametrize("bad", ["", "../../etc/passwd", "A" * 64, "0" * 63, "g" * 64])
def test_only_hex_digests_name_blobs(harness: Harness, bad: str) -> None:
    assert harness.store.size_of(bad) is None
    with pytest.raises(ValueError, match="SHA-256"):
        harness.store.open_range(bad)
    with pytest.raises(ValueError, match="SHA-256"):
        harness.store.put_bytes(b"x", expected_sha256=bad)
    assert harness.held() == []


def test_verify_notices_damaged_bytes(harness: Harness) -> None:
    stored = harness.store.put_bytes(b"original")
    harness.corrupt(stored.sha256, b"bit rot!")
    assert not harness.store.verify(stored.sha256)
