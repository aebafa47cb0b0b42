"""The scanner folder's work off the GUI thread: list it, and tell which of its recent
scans are new to this ticket.

Plain functions (no Qt) the task runner calls. The folder may be a network share: a
scanner on the LAN writing into SMB or NFS, which can be slow or gone, so it is never
listed or read on the GUI thread.

"Recent scans" (written in the last ``RECENT_SECONDS``) are offered when the validate
dialog opens, but the scans of the previous job are recent too. So a recent file is left
out when its bytes are already one of the ticket's files (the work order's own PDF saved
into the folder), or were among the pages of a signed copy this desktop attached
(``remember_attached``: the signed copy is a new PDF, so its own hash says nothing about
the photos it was made of). That memory is a small JSON file in the data folder, kept a
day: enough to outlast the recent window and a restart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from desktopdesk.documents.scans import heic_supported
from desktopdesk.models import Attachment
from desktopdesk.store.workspace import Workspace

log = logging.getLogger("desktopdesk.ui.scans")

#: What a scan may be called; anything else in the folder is not ours to offer.
SCAN_SUFFIXES = frozenset({".pdf", ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".tif",
                           ".tiff"})
HEIC_SUFFIXES = frozenset({".heic", ".heif", ".hif"})
#: Files still being written by browsers, sync tools and scanner apps.
_PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", ".filepart")
#: A file this recent when the folder is opened is probably the scan just made.
RECENT_SECONDS = 15 * 60
#: The pages of signed copies attached from this desktop, by hash, in the data folder.
ATTACHED_SCANS_FILE = "attached-scans.json"
#: How long an attached scan is remembered: far longer than it stays "recent".
ATTACHED_MEMORY_SECONDS = 24 * 3600
_ATTACHED_LOCK = threading.Lock()


def is_scan_name(path: Path) -> bool:
    """Whether a file of this name may be a scan (not hidden, not half-downloaded)."""
    name = path.name
    if name.startswith((".", "~")) or name.lower().endswith(_PARTIAL_SUFFIXES):
        return False
    suffix = path.suffix.lower()
    return suffix in SCAN_SUFFIXES or (suffix in HEIC_SUFFIXES and heic_supported())


@dataclass(frozen=True)
class FolderEntry:
    """A file in the folder that may be a scan, as it was when listed."""

    name: str
    size: int
    modified: float


@dataclass(frozen=True)
class FolderListing:
    """The scans in a folder at one moment; ``problem`` says why it could not be read."""

    folder: Path
    entries: tuple[FolderEntry, ...] = ()
    problem: str = ""

    @property
    def readable(self) -> bool:
        return not self.problem

    def recent(self, now: float, seconds: float = RECENT_SECONDS) -> list[Path]:
        """Scans written in the ``seconds`` before ``now``, oldest first."""
        fresh = sorted((entry.modified, entry.name) for entry in self.entries
                       if now - entry.modified <= seconds)
        return [self.folder / name for _, name in fresh]


def list_scans(folder: Path) -> FolderListing:
    """On a worker: the files of ``folder`` that may be scans, with size and time."""
    entries: list[FolderEntry] = []
    try:
        with os.scandir(folder) as found:
            for entry in found:
                if not is_scan_name(Path(entry.name)):
                    continue
                try:
                    if not entry.is_file():
                        continue
                    status = entry.stat()
                except OSError:
                    continue  # gone between listing and looking
                entries.append(FolderEntry(entry.name, status.st_size, status.st_mtime))
    except OSError as error:
        return FolderListing(folder, problem=error.strerror or str(error))
    return FolderListing(folder, tuple(sorted(entries, key=lambda e: e.name)))


def file_sha256(path: Path) -> str | None:
    """The file's SHA-256, or None if it cannot be read (gone, no permission)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as source:
            while chunk := source.read(1024 * 1024):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _attached_file(data_dir: Path) -> Path:
    return data_dir / ATTACHED_SCANS_FILE


def _read_attached(data_dir: Path, now: float) -> dict[str, float]:
    try:
        raw = json.loads(_attached_file(data_dir).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("ignoring unreadable %s: %s", _attached_file(data_dir), error)
        return {}
    if not isinstance(raw, dict):
        return {}
    return {digest: float(when) for digest, when in raw.items()
            if isinstance(digest, str) and isinstance(when, int | float)
            and now - when <= ATTACHED_MEMORY_SECONDS}


def remember_attached(data_dir: Path, hashes: Iterable[str], now: float | None = None) -> None:
    """On a worker: these files (by hash) went into a signed copy; do not offer them again."""
    moment = time.time() if now is None else now
    with _ATTACHED_LOCK:
        known = _read_attached(data_dir, moment)
        known.update(dict.fromkeys(hashes, moment))
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".attached-scans-", dir=data_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(known, out, indent=1, sort_keys=True)
            os.replace(temporary, _attached_file(data_dir))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def attached_before(data_dir: Path, now: float | None = None) -> frozenset[str]:
    """The hashes ``remember_attached`` was told in the last day."""
    with _ATTACHED_LOCK:
        return frozenset(_read_attached(data_dir, time.time() if now is None else now))


def new_to_ticket(workspace: Workspace, ticket_id: uuid.UUID | None,
                  paths: Sequence[Path]) -> tuple[Path, ...]:
    """On a worker: ``paths`` less those whose bytes are already the ticket's files or went
    into a signed copy from this desktop (and those that cannot be read any more)."""
    if not paths:
        return ()
    known = set(attached_before(workspace.data_dir))
    if ticket_id is not None:
        with workspace.read() as session:
            known.update(session.scalars(select(Attachment.sha256)
                                         .where(Attachment.ticket_id == ticket_id)))
    fresh: list[Path] = []
    for path in paths:
        digest = file_sha256(path)
        if digest is not None and digest not in known:
            fresh.append(path)
    return tuple(fresh)
