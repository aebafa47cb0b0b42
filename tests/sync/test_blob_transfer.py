"""Attachment bytes through a sync (in-process server): up before push, down after pull,
resumable both ways, verified, never sent twice."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from desktopdesk.domain.commands import AttachFile
from desktopdesk.models import (
    Attachment,
    BlobReceipt,
    BlobTransfer,
    OutboxEntry,
    OutboxState,
)
from desktopdesk.sync.blob_transfer import (
    CHUNK_SIZE,
    DOWNLOAD_DIR,
    BlobRefusedError,
    BlobState,
    UploadOffsetError,
    blobs_to_download,
    download_blobs,
)
from desktopdesk.sync.client import open_conflicts, run_sync
from desktopdesk.sync.client_http import ServerError, ServerUnreachable
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.sync.desktop import Desktop as BaseDesktop
from tests.sync.inprocess import InProcessTransport


class RecordingTransport(InProcessTransport):
    """Logs every call; can cut the link on the n-th chunk, or corrupt downloads."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.calls: list[tuple[str, Any]] = []
        self.cut_on_chunk: int | None = None
        self.corrupt = False

    def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(("push", [m["command"]["command"] for m in mutations]))
        return super().push(client_id, mutations)

    def blob_offset(self, sha256: str) -> Any:
        self.calls.append(("head", sha256))
        return super().blob_offset(sha256)

    def upload_chunk(self, sha256: str, offset: int, length: int, data: bytes) -> Any:
        index = len(self.chunks)
        self.calls.append(("patch", offset))
        if index == self.cut_on_chunk:
            raise ServerUnreachable("in-process", "the link dropped")
        return super().upload_chunk(sha256, offset, length, data)

    def download(self, sha256: str, offset: int, limit: int) -> Iterator[bytes]:
        self.calls.append(("get", (sha256, offset, limit)))
        for chunk in super().download(sha256, offset, limit):
            yield bytes(reversed(chunk)) if self.corrupt else chunk

    @property
    def chunks(self) -> list[int]:
        return [offset for name, offset in self.calls if name == "patch"]


class Desktop(BaseDesktop):
    """A desktop whose transport records (and can cut or corrupt) blob transfers."""

    transport: RecordingTransport

    def __init__(self, org: Org, user: uuid.UUID, folder: Path) -> None:
        super().__init__(org, user, folder, RecordingTransport(org.ws, user, lambda: org.now))

    def attach(self, ticket_id: uuid.UUID, data: bytes, name: str = "photo.jpg") -> str:
        """What the app does: bytes into the local store, then the command (offline)."""
        stored = self.ws.blobs.put_bytes(data)
        self.ws.execute(AttachFile(ticket_id=ticket_id, file_name=name, size=stored.size,
                                   sha256=stored.sha256, mime_type="image/jpeg"),
                        self.user, now=self.org.now)
        return stored.sha256

    def transfer(self, sha256: str) -> BlobTransfer | None:
        with self.ws.read() as session:
            return session.get(BlobTransfer, sha256)


@pytest.fixture
def desktops(org: Org, tmp_path: Path) -> Iterator[dict[str, Desktop]]:
    made = {name: Desktop(org, getattr(org, name), tmp_path / name)
            for name in ("ana", "tomas")}
    yield made
    for desktop in made.values():
        desktop.ws.close()


def data_of(size: int, seed: int = 11) -> bytes:
    return random.Random(seed).randbytes(size)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def server_attachments(org: Org) -> list[Attachment]:
    with org.ws.read() as session:
        return list(session.scalars(select(Attachment)))


def test_the_bytes_reach_the_server_before_the_attachment_is_pushed(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.ana)
    ana = desktops["ana"]
    ana.sync()
    data = data_of(CHUNK_SIZE + 1000)
    sha256 = ana.attach(ticket_id, data)
    ana.transport.calls.clear()

    summary = ana.sync()

    assert (summary.applied, summary.rejected) == (1, 0)
    assert org.ws.blobs.read_bytes(sha256) == data
    names = [name for name, _ in ana.transport.calls]
    assert names[:4] == ["head", "patch", "patch", "push"]
    assert ana.transport.chunks == [0, CHUNK_SIZE]
    (attachment,) = server_attachments(org)
    assert (attachment.sha256, attachment.size) == (sha256, len(data))
    transfer = ana.transfer(sha256)
    assert transfer is not None
    assert (transfer.state, transfer.upload_offset) == (BlobState.UPLOADED, len(data))
    assert "get" not in names  # the desktop had the bytes all along


def test_an_upload_cut_mid_way_resumes_from_the_recorded_offset(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.ana)
    ana = desktops["ana"]
    ana.sync()
    data = data_of(2 * CHUNK_SIZE + 500)
    sha256 = ana.attach(ticket_id, data)
    ana.transport.calls.clear()
    ana.transport.cut_on_chunk = 1  # the second chunk never arrives

    with pytest.raises(ServerUnreachable):
        ana.sync()

    transfer = ana.transfer(sha256)
    assert transfer is not None
    assert (transfer.state, transfer.upload_offset) == (BlobState.UPLOADING, CHUNK_SIZE)
    assert "push" not in [name for name, _ in ana.transport.calls]  # not without its bytes
    with ana.ws.read() as session:
        assert [e.state for e in session.scalars(select(OutboxEntry))] == [
            OutboxState.PENDING]
    assert org.ws.blobs.size_of(sha256) is None

    ana.transport.cut_on_chunk = None
    ana.transport.calls.clear()
    summary = ana.sync()

    assert ana.transport.chunks == [CHUNK_SIZE, 2 * CHUNK_SIZE]  # not from 0 again
    assert summary.applied == 1
    assert org.ws.blobs.read_bytes(sha256) == data


def test_another_desktop_pulling_the_ticket_downloads_bytes_that_verify(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.ana)
    ana, tomas = desktops["ana"], desktops["tomas"]
    ana.sync()
    data = data_of(300_000)
    sha256 = ana.attach(ticket_id, data)
    ana.sync()

    tomas.sync()

    assert tomas.ws.blobs.read_bytes(sha256) == data
    assert tomas.ws.blobs.verify(sha256)
    transfer = tomas.transfer(sha256)
    assert transfer is not None
    assert transfer.state == BlobState.PRESENT
    assert not any((tomas.ws.data_dir / DOWNLOAD_DIR).iterdir())
    tomas.transport.calls.clear()
    tomas.sync()
    assert "get" not in [name for name, _ in tomas.transport.calls]  # once is enough


def test_a_blob_the_user_sent_before_is_not_sent_again(
        org: Org, desktops: dict[str, Desktop], tmp_path: Path) -> None:
    first, second = new_ticket(org, org.ana), new_ticket(org, org.ana, title="Again")
    data = data_of(50_000)
    ana = desktops["ana"]
    ana.sync()
    ana.attach(first, data)
    ana.attach(second, data, name="same-photo.jpg")
    ana.transport.calls.clear()

    summary = ana.sync()

    assert summary.applied == 2
    assert ana.transport.chunks == [0]  # one blob, sent once for both attachments
    assert [name for name, _ in ana.transport.calls].count("head") == 1
    assert len(server_attachments(org)) == 2

    # Ana's second computer has the same file: her receipt spares sending it again.
    laptop = Desktop(org, org.ana, tmp_path / "ana-laptop")
    try:
        laptop.sync()
        laptop.attach(first, data, name="from-the-laptop.jpg")
        laptop.transport.calls.clear()
        assert laptop.sync().applied == 1
        assert laptop.transport.chunks == []
    finally:
        laptop.ws.close()


def test_a_blob_only_someone_else_sent_is_sent_again_as_proof(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.ana)
    data = data_of(50_000)
    org.ws.blobs.put_bytes(data)  # someone else's upload of the same file
    ana = desktops["ana"]
    ana.sync()
    ana.attach(ticket_id, data)
    ana.transport.calls.clear()

    summary = ana.sync()

    assert summary.applied == 1
    assert ana.transport.chunks == [0]  # the server holds it, but not from Ana
    assert org.ws.blobs.read_bytes(sha(data)) == data


def test_a_blob_sent_once_is_sent_again_when_the_server_no_longer_holds_the_receipt(
        org: Org, desktops: dict[str, Desktop]) -> None:
    first, second = new_ticket(org, org.ana), new_ticket(org, org.ana, title="Later")
    data = data_of(50_000)
    ana = desktops["ana"]
    ana.sync()
    ana.attach(first, data)
    ana.sync()
    transfer = ana.transfer(sha(data))
    assert transfer is not None
    assert transfer.state == BlobState.UPLOADED
    # The server loses the receipt (restored from a backup, or upgraded from before
    # receipts); the desktop still thinks the file is there.
    with org.ws.sessions.begin() as session:
        session.execute(delete(BlobReceipt))
    ana.attach(second, data, name="again.jpg")
    ana.transport.calls.clear()

    summary = ana.sync()

    assert (summary.applied, summary.rejected) == (1, 0)
    assert ana.transport.chunks == [0]  # asked, and sent again as proof
    assert len(server_attachments(org)) == 2


def test_a_transport_without_blobs_still_syncs_but_the_server_refuses_the_file(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.ana)
    ana = desktops["ana"]
    plain = InProcessTransport(org.ws, org.ana, lambda: org.now)
    run_sync(ana.ws, _PushPullOnly(plain), org.ana)
    ana.attach(ticket_id, data_of(1000))

    summary = run_sync(ana.ws, _PushPullOnly(plain), org.ana)

    assert summary.rejected == 1
    (conflict,) = open_conflicts(ana.ws)
    assert "has not received the contents of 'photo.jpg' from you" in conflict.message


def test_a_desktop_that_skips_sending_a_blob_someone_else_sent_gets_a_conflict(
        org: Org, desktops: dict[str, Desktop], tmp_path: Path) -> None:
    """The server holding Ana's file is no reason to take Javi's word that he has it."""
    anas_ticket = new_ticket(org, org.ana)
    ana = desktops["ana"]
    ana.sync()
    data = data_of(3000)
    ana.attach(anas_ticket, data)
    assert ana.sync().applied == 1  # on the server now, from Ana
    javis_ticket = new_ticket(org, org.javi, org.support)
    javi = Desktop(org, org.javi, tmp_path / "javi")
    try:
        skips_blobs = _PushPullOnly(javi.transport)
        run_sync(javi.ws, skips_blobs, org.javi)
        javi.attach(javis_ticket, data)

        assert run_sync(javi.ws, skips_blobs, org.javi).rejected == 1
        (conflict,) = open_conflicts(javi.ws)
        assert conflict.client_payload["command"] == "AttachFile"
        assert "has not received the contents of 'photo.jpg' from you" in conflict.message

        javi.attach(javis_ticket, data, name="again.jpg")  # the normal way: bytes first
        javi.transport.calls.clear()
        assert javi.sync().applied == 1
        assert javi.transport.chunks == [0]
    finally:
        javi.ws.close()


class _PushPullOnly:
    """A transport from before blobs: push and pull only."""

    def __init__(self, inner: InProcessTransport) -> None:
        self.inner = inner

    def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        return self.inner.push(client_id, mutations)

    def pull(self, client_id: uuid.UUID, cookie: str, token: str | None) -> dict[str, Any]:
        return self.inner.pull(client_id, cookie, token)


# --- Downloads: order, budget, resume, verification ---------------------------------------


def attach_on_server(org: Org, ticket_id: uuid.UUID, data: bytes) -> str:
    stored = org.ws.blobs.put_bytes(data)
    org.do(AttachFile(ticket_id=ticket_id, file_name="f.bin", size=stored.size,
                      sha256=stored.sha256), org.ramon)
    return stored.sha256


def pull_only(desktop: Desktop) -> None:
    """Sync with downloads left out, to drive ``download_blobs`` by hand."""
    run_sync(desktop.ws, _PushPullOnly(desktop.transport), desktop.user)


def test_small_files_on_my_tickets_come_first_within_the_budget(
        org: Org, desktops: dict[str, Desktop]) -> None:
    mine = new_ticket(org, org.ana, title="Mine")
    theirs = new_ticket(org, org.bob, title="Bob's")
    big_mine = attach_on_server(org, mine, data_of(40_000, 1))
    small_mine = attach_on_server(org, mine, data_of(10_000, 2))
    tiny_theirs = attach_on_server(org, theirs, data_of(1_000, 3))
    big_theirs = attach_on_server(org, theirs, data_of(30_000, 4))
    ana = desktops["ana"]
    pull_only(ana)

    assert [sha for sha, _ in blobs_to_download(ana.ws, org.ana)] == [
        small_mine, big_mine, tiny_theirs, big_theirs]
    report = download_blobs(ana.ws, ana.transport, org.ana, budget=50_000)

    assert report.downloaded == 2
    assert report.bytes_received == 50_000
    assert {sha for sha in (small_mine, big_mine, tiny_theirs, big_theirs)
            if ana.ws.blobs.size_of(sha) is not None} == {small_mine, big_mine}
    waiting = ana.transfer(tiny_theirs)
    assert waiting is not None
    assert waiting.state == BlobState.REMOTE_ONLY


def test_a_download_cut_by_the_budget_continues_with_a_range(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.ana)
    data = data_of(25_000)
    sha256 = attach_on_server(org, ticket_id, data)
    ana = desktops["ana"]
    pull_only(ana)

    first = download_blobs(ana.ws, ana.transport, org.ana, budget=10_000)
    assert (first.downloaded, first.bytes_received, first.waiting) == (0, 10_000, 1)
    assert ana.ws.blobs.size_of(sha256) is None  # not in the store half-done
    second = download_blobs(ana.ws, ana.transport, org.ana, budget=10_000)
    third = download_blobs(ana.ws, ana.transport, org.ana, budget=10_000)

    assert (second.downloaded, third.downloaded, third.bytes_received) == (0, 1, 5_000)
    offsets = [args[1] for name, args in ana.transport.calls if name == "get"]
    assert offsets == [0, 10_000, 20_000]
    assert ana.ws.blobs.read_bytes(sha256) == data


def test_bytes_that_do_not_verify_are_never_stored(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.ana)
    data = data_of(5_000)
    sha256 = attach_on_server(org, ticket_id, data)
    ana = desktops["ana"]
    pull_only(ana)
    ana.transport.corrupt = True

    report = download_blobs(ana.ws, ana.transport, org.ana)

    assert report.failed == [sha256]
    assert ana.ws.blobs.size_of(sha256) is None
    assert [p for p in ana.ws.blobs.root.rglob("*") if p.is_file()] == []
    assert not any((ana.ws.data_dir / DOWNLOAD_DIR).iterdir())
    ana.transport.corrupt = False
    assert download_blobs(ana.ws, ana.transport, org.ana).downloaded == 1
    assert hashlib.sha256(ana.ws.blobs.read_bytes(sha256)).hexdigest() == sha256


def test_a_blob_the_user_may_not_see_is_not_downloaded(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ticket_id = new_ticket(org, org.ana)
    sha256 = attach_on_server(org, ticket_id, data_of(2_000))
    ana = desktops["ana"]
    pull_only(ana)
    ana.transport.user_id = org.javi  # as if the rights changed between pull and download

    report = download_blobs(ana.ws, ana.transport, org.ana)

    assert report.failed == [sha256]
    assert ana.ws.blobs.size_of(sha256) is None


def test_an_upload_that_makes_no_progress_stops_the_sync_before_push(
        org: Org, desktops: dict[str, Desktop], monkeypatch: pytest.MonkeyPatch) -> None:
    ticket_id = new_ticket(org, org.ana)
    ana = desktops["ana"]
    ana.sync()
    ana.attach(ticket_id, data_of(1000))

    def busy(sha256: str, offset: int, length: int, data: bytes) -> Any:
        raise UploadOffsetError("another request is writing this upload")

    monkeypatch.setattr(ana.transport, "upload_chunk", busy)
    ana.transport.calls.clear()
    with pytest.raises(ServerError) as stalled:
        ana.sync()

    assert stalled.value.code == "upload_stalled"
    assert "push" not in [name for name, _ in ana.transport.calls]
    monkeypatch.undo()
    assert ana.sync().applied == 1  # the next sync finishes the job


def test_a_blob_the_server_refuses_lets_the_push_explain_why(
        org: Org, desktops: dict[str, Desktop], monkeypatch: pytest.MonkeyPatch) -> None:
    ticket_id = new_ticket(org, org.ana)
    ana = desktops["ana"]
    ana.sync()
    ana.attach(ticket_id, data_of(1000))

    def refused(sha256: str, offset: int, length: int, data: bytes) -> Any:
        raise BlobRefusedError("The file is larger than the 0 MB limit.")

    monkeypatch.setattr(ana.transport, "upload_chunk", refused)
    summary = ana.sync()

    assert summary.rejected == 1  # the sync went on; the user sees the refusal
    (conflict,) = open_conflicts(ana.ws)
    assert conflict.client_payload["command"] == "AttachFile"
