"""Attachment bytes between a desktop and the server, around push and pull (sync.md).

Before push (``upload_blobs``): the server's ``AttachFile`` refuses a blob the user has
not sent it, so every blob a pending ``AttachFile`` names goes up first. HEAD tells
whether the server already has it from this user (then nothing is sent: blobs are
deduplicated by hash) or how much of an earlier, interrupted upload it kept; a blob only
someone else sent counts as not there (the bytes are the proof of possession; the server
drops the copy). The rest goes in chunks, and the offset reached is written to
``sync_blobs`` after each one, so neither a cut link nor a crash makes a large file start
over.

After pull (``download_blobs``): attachments the replica now lists but whose bytes are
not here are fetched, small ones on the user's own tickets first, up to a byte budget per
sync so one sync never stalls on a huge file: a file cut by the budget or by the network
continues next time from a partial file (Range requests). Bytes are verified against
their hash before they reach the blob store.

Transports without blob methods (older test doubles) are simply skipped.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from sqlalchemy import select

from desktopdesk.domain.commands import commands_naming_blobs
from desktopdesk.models import Attachment, BlobTransfer, Ticket
from desktopdesk.store.blobs import CHUNK
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.client_http import ServerError, ServerUnreachable
from desktopdesk.sync.outbox import pending

log = logging.getLogger("desktopdesk.sync")

CHUNK_SIZE = 1024 * 1024
#: Bytes downloaded per sync at most; the rest waits for the next sync.
DOWNLOAD_BUDGET = 64 * 1024 * 1024
DOWNLOAD_DIR = "blob-downloads"
#: Offset disagreements tolerated per blob before giving up until the next sync.
MAX_STALLS = 3
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobState(StrEnum):
    LOCAL_ONLY = "local_only"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    REMOTE_ONLY = "remote_only"
    PRESENT = "present"


@dataclass(frozen=True)
class RemoteBlob:
    """What the server holds of a blob (for the caller): ``offset`` bytes, or all of it."""

    offset: int
    complete: bool


class BlobTransferError(Exception):
    """The server answered about a blob, and the answer stops this blob (not the sync)."""


class UploadOffsetError(BlobTransferError):
    """The chunk did not start at the server's offset: ask again where to continue."""


class BlobRefusedError(BlobTransferError):
    """The server will not take these bytes (too large, not the announced hash)."""


class BlobUnavailableError(BlobTransferError):
    """No such blob for this user (missing, or no attachment with it in sight)."""


@runtime_checkable
class BlobTransport(Protocol):
    def blob_offset(self, sha256: str) -> RemoteBlob:
        """HEAD: complete, or how many bytes of this user's upload the server kept."""

    def upload_chunk(self, sha256: str, offset: int, length: int, data: bytes) -> RemoteBlob:
        """PATCH ``data`` at ``offset`` of a ``length``-byte blob; the new state."""

    def download(self, sha256: str, offset: int, limit: int) -> Iterator[bytes]:
        """GET at most ``limit`` bytes from ``offset`` (a Range request)."""


@dataclass
class UploadReport:
    uploaded: int = 0
    #: Already on the server: nothing sent.
    deduplicated: int = 0
    bytes_sent: int = 0
    #: Blobs the server refused, or whose bytes are missing here (the push will say).
    failed: list[str] = field(default_factory=list)


@dataclass
class DownloadReport:
    downloaded: int = 0
    bytes_received: int = 0
    #: Still missing after this sync (budget, network, refusal, corruption).
    waiting: int = 0
    failed: list[str] = field(default_factory=list)


# --- Bookkeeping --------------------------------------------------------------------------


def _record(ws: Workspace, sha256: str, size: int, state: BlobState,
            offset: int | None = None) -> None:
    with ws.sessions.begin() as session:
        row = session.get(BlobTransfer, sha256)
        if row is None:
            row = BlobTransfer(sha256=sha256, size=size, upload_offset=0)
            session.add(row)
        row.state = state
        row.size = size
        if offset is not None:
            row.upload_offset = offset


def _state(ws: Workspace, sha256: str) -> str | None:
    with ws.read() as session:
        row = session.get(BlobTransfer, sha256)
        return row.state if row is not None else None


# --- Upload -------------------------------------------------------------------------------


def blobs_to_upload(ws: Workspace) -> list[tuple[str, int]]:
    """``(sha256, size)`` of blobs named by pending commands that attach files
    (``AttachFile``, work orders and their signed scans), in their mutation order, each
    once."""
    wanted: dict[str, int] = {}
    naming_blobs = commands_naming_blobs()
    with ws.read() as session:
        for entry in pending(session):
            if entry.command_name not in naming_blobs:
                continue
            args = entry.payload.get("args", {})
            sha256, size = args.get("sha256"), args.get("size")
            if isinstance(sha256, str) and _SHA256.fullmatch(sha256) and isinstance(size, int):
                wanted.setdefault(sha256, size)
    return list(wanted.items())


def upload_blobs(ws: Workspace, transport: object,
                 chunk_size: int = CHUNK_SIZE) -> UploadReport:
    """Send every blob pending commands need.

    No answer (``ServerUnreachable``) or a stalled upload (``ServerError``) stops the
    sync before push: the commands would be refused without their blobs, and next time
    they will not be. A blob the server will never take (too large, bytes that are not
    their hash) is skipped: its command's refusal tells the user why.
    """
    report = UploadReport()
    if not isinstance(transport, BlobTransport):
        return report
    for sha256, size in blobs_to_upload(ws):
        # Asked even when we sent it once: what counts is whether the server holds our
        # receipt now (restored from a backup, or upgraded from before receipts), and
        # the question is one small request per file a pending command still needs.
        if ws.blobs.size_of(sha256) != size:
            log.warning("blob %s of a pending attachment is missing or has the wrong size",
                        sha256)
            report.failed.append(sha256)
            continue
        try:
            _upload_one(ws, transport, sha256, size, chunk_size, report)
        except BlobRefusedError as refusal:  # for good: the push will say why to the user
            log.warning("upload of blob %s refused: %s", sha256, refusal)
            report.failed.append(sha256)
    return report


def _upload_one(ws: Workspace, transport: BlobTransport, sha256: str, size: int,
                chunk_size: int, report: UploadReport) -> None:
    if _state(ws, sha256) is None:
        _record(ws, sha256, size, BlobState.LOCAL_ONLY, 0)
    remote = transport.blob_offset(sha256)
    if remote.complete:
        _record(ws, sha256, size, BlobState.UPLOADED, size)
        report.deduplicated += 1
        return
    stalls = 0
    while not remote.complete:
        if remote.offset > size:
            raise BlobRefusedError(f"the server holds {remote.offset} bytes of a "
                                   f"{size}-byte file")
        _record(ws, sha256, size, BlobState.UPLOADING, remote.offset)
        data = b"".join(ws.blobs.open_range(sha256, remote.offset, remote.offset + chunk_size))
        try:
            answer = transport.upload_chunk(sha256, remote.offset, size, data)
        except UploadOffsetError:
            answer = transport.blob_offset(sha256)
        else:
            report.bytes_sent += len(data)
        if not answer.complete and answer.offset <= remote.offset:
            stalls += 1
            if stalls > MAX_STALLS:  # transient (a concurrent upload): sync later
                raise ServerError("upload_stalled", "The server did not take the file "
                                  f"{sha256[:12]}... after {MAX_STALLS} tries (another "
                                  "upload of it may be running); the next sync "
                                  "continues it.", None, 409)
        remote = answer
    _record(ws, sha256, size, BlobState.UPLOADED, size)
    report.uploaded += 1


# --- Download -----------------------------------------------------------------------------


def blobs_to_download(ws: Workspace, actor_id: uuid.UUID) -> list[tuple[str, int]]:
    """``(sha256, size)`` of attachments held without their bytes: the user's own tickets
    (created or owned) first, then smallest first."""
    best: dict[str, tuple[bool, int]] = {}
    with ws.read() as session:
        rows = session.execute(
            select(Attachment.sha256, Attachment.size, Ticket.owner_id, Ticket.creator_id)
            .join(Ticket, Ticket.id == Attachment.ticket_id))
        for sha256, size, owner_id, creator_id in rows:
            if not _SHA256.fullmatch(sha256) or ws.blobs.size_of(sha256) == size:
                continue
            mine = actor_id in (owner_id, creator_id)
            held = best.get(sha256)
            best[sha256] = (mine or (held is not None and held[0]), size)
    ordered = sorted(best.items(), key=lambda item: (not item[1][0], item[1][1], item[0]))
    return [(sha256, size) for sha256, (_, size) in ordered]


def download_blobs(ws: Workspace, transport: object, actor_id: uuid.UUID,
                   budget: int = DOWNLOAD_BUDGET) -> DownloadReport:
    """Fetch missing attachment bytes until ``budget`` bytes have arrived.

    Never fails the sync: with no answer from the server it stops, keeping what arrived.
    """
    report = DownloadReport()
    if not isinstance(transport, BlobTransport):
        return report
    wanted = blobs_to_download(ws, actor_id)
    _mark_remote_only(ws, wanted)
    spent = 0
    for sha256, size in wanted:
        if spent >= budget:
            break
        try:
            received, done = _download_one(ws, transport, sha256, size, budget - spent)
        except BlobTransferError as refusal:
            log.warning("download of blob %s failed: %s", sha256, refusal)
            report.failed.append(sha256)
            continue
        except ServerUnreachable as silence:
            log.info("downloads stopped: %s", silence)
            break
        spent += received
        report.bytes_received += received
        if done:
            _record(ws, sha256, size, BlobState.PRESENT)
            report.downloaded += 1
    report.waiting = len(wanted) - report.downloaded
    return report


def _mark_remote_only(ws: Workspace, blobs: list[tuple[str, int]]) -> None:
    """One transaction for all (a first sync may list thousands of files)."""
    with ws.sessions.begin() as session:
        for sha256, size in blobs:
            row = session.get(BlobTransfer, sha256)
            if row is None:
                session.add(BlobTransfer(sha256=sha256, size=size, upload_offset=0,
                                         state=BlobState.REMOTE_ONLY))
            elif row.state != BlobState.REMOTE_ONLY:
                row.state, row.size = BlobState.REMOTE_ONLY, size


def _download_one(ws: Workspace, transport: BlobTransport, sha256: str, size: int,
                  allowance: int) -> tuple[int, bool]:
    """Extend the partial file by at most ``allowance`` bytes; store it once complete.
    Returns the bytes received and whether the blob is now in the store."""
    folder = ws.data_dir / DOWNLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{sha256}.part"
    have = part.stat().st_size if part.exists() else 0
    if have > size:
        part.unlink()
        have = 0
    want = min(size - have, allowance)
    received = 0
    if want > 0:
        with part.open("ab") as out:
            try:
                for chunk in transport.download(sha256, have, want):
                    if received + len(chunk) > want:
                        raise BlobRefusedError("the server sent more bytes than asked for")
                    out.write(chunk)
                    received += len(chunk)
            finally:
                out.flush()
                os.fsync(out.fileno())
    if have + received < size:
        return received, False
    try:
        ws.blobs.put_chunks(_verified(_read_chunks(part), sha256, size))
    except BlobRefusedError:
        part.unlink()
        raise
    part.unlink()
    return received, True


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(CHUNK), b"")


def _verified(chunks: Iterable[bytes], sha256: str, size: int) -> Iterator[bytes]:
    """Pass ``chunks`` through, failing after the last one if they are not the blob:
    ``BlobStore.put_chunks`` then deletes its temporary file and stores nothing."""
    digest = hashlib.sha256()
    seen = 0
    for chunk in chunks:
        digest.update(chunk)
        seen += len(chunk)
        yield chunk
    if seen != size or digest.hexdigest() != sha256:
        raise BlobRefusedError(f"the downloaded bytes are not blob {sha256}; discarded")
