"""Workunit drafts: what someone was typing on a ticket, kept on this desktop until added.

Drafts are small JSON files, ``<data_dir>/drafts/<user id>/<ticket id>.json``, not rows in
the store, because they are nothing the store is about: they belong to one person on one
desktop, are never synced or logged as commands, must not change the schema or the
command log, and must outlive the SQLite file itself (a sync rebuild replaces it whole,
a migration may fail halfway; a draft is most precious exactly then). One file per ticket
also means a damaged file loses one draft, not all of them.

Each save writes a temporary file in the same folder, fsyncs it and renames it over the
old one, so a crash leaves the previous draft or the new one, never half of either.

The editor writes from worker threads, so two writes of one draft may overlap or finish
out of order. Every change is therefore a ``DraftSnapshot`` numbered when it was taken,
and ``DraftStore.apply`` writes one file at a time and refuses a snapshot older than the
one already written: whatever order the workers finish in, the newest text stays on disk
(and a discarded draft is not brought back by a save that was still on its way).
No Qt here: the editor calls this, tests run it headless.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import logging
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("desktopdesk.store")

DRAFTS_DIR = "drafts"
#: Bumped when the JSON shape changes incompatibly; other versions are ignored, not guessed.
DRAFT_FORMAT = 1


@dataclass(frozen=True)
class InlineImage:
    """An image shown inside the text, its bytes in the blob store under ``sha256``."""

    sha256: str
    file_name: str
    mime_type: str
    size: int


@dataclass(frozen=True)
class DraftShare:
    """Someone the workunit is to be shared with, with the name shown for them."""

    user_id: uuid.UUID
    label: str


@dataclass(frozen=True)
class WorkunitDraft:
    ticket_id: uuid.UUID
    text_html: str
    saved_at: dt.datetime
    hours: float | None = None
    is_private: bool = False
    is_internal: bool = False
    has_cost: bool = False
    profile_id: uuid.UUID | None = None
    shared_with: tuple[DraftShare, ...] = ()
    completed_at: dt.datetime | None = None
    #: Files chosen to attach, by their path on this desktop (they are copied in on Add).
    attachment_paths: tuple[str, ...] = ()
    images: tuple[InlineImage, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "format": DRAFT_FORMAT,
            "ticket_id": str(self.ticket_id),
            "saved_at": self.saved_at.isoformat(),
            "text_html": self.text_html,
            "hours": self.hours,
            "is_private": self.is_private,
            "is_internal": self.is_internal,
            "has_cost": self.has_cost,
            "profile_id": None if self.profile_id is None else str(self.profile_id),
            "shared_with": [{"user_id": str(s.user_id), "label": s.label}
                            for s in self.shared_with],
            "completed_at": None if self.completed_at is None else self.completed_at.isoformat(),
            "attachment_paths": list(self.attachment_paths),
            "images": [{"sha256": i.sha256, "file_name": i.file_name, "mime_type": i.mime_type,
                        "size": i.size} for i in self.images],
        }

    @classmethod
    def from_json(cls, payload: Any) -> WorkunitDraft:
        """Raises ValueError, KeyError or TypeError when ``payload`` is not a draft."""
        if not isinstance(payload, dict) or payload.get("format") != DRAFT_FORMAT:
            raise ValueError("not a workunit draft of a known format")
        hours = payload.get("hours")
        completed = payload.get("completed_at")
        profile = payload.get("profile_id")
        return cls(
            ticket_id=uuid.UUID(payload["ticket_id"]),
            saved_at=_aware(dt.datetime.fromisoformat(payload["saved_at"])),
            text_html=str(payload["text_html"]),
            hours=None if hours is None else float(hours),
            is_private=bool(payload.get("is_private", False)),
            is_internal=bool(payload.get("is_internal", False)),
            has_cost=bool(payload.get("has_cost", False)),
            profile_id=None if profile is None else uuid.UUID(profile),
            shared_with=tuple(DraftShare(uuid.UUID(s["user_id"]), str(s["label"]))
                              for s in payload.get("shared_with", [])),
            completed_at=None if completed is None else _aware(
                dt.datetime.fromisoformat(completed)),
            attachment_paths=tuple(str(p) for p in payload.get("attachment_paths", [])),
            images=tuple(InlineImage(str(i["sha256"]), str(i["file_name"]),
                                     str(i["mime_type"]), int(i["size"]))
                         for i in payload.get("images", [])),
        )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


#: Numbers snapshots in the order they are taken, across every store in this process.
_generations = itertools.count(1)
_next_generation_lock = threading.Lock()


def _next_generation() -> int:
    with _next_generation_lock:
        return next(_generations)


@dataclass(frozen=True)
class DraftSnapshot:
    """What one ticket's draft should be as of the moment it was taken: a draft to keep,
    or ``None`` for no draft. Take it on the thread where the typing happens; write it
    anywhere."""

    ticket_id: uuid.UUID
    draft: WorkunitDraft | None
    generation: int = field(default_factory=_next_generation)

    def __post_init__(self) -> None:
        if self.draft is not None and self.draft.ticket_id != self.ticket_id:
            raise ValueError("a snapshot holds a draft of its own ticket only")


class _WriteOrder:
    """One lock per draft file, and the generation last written to it.

    Per process, not per ``DraftStore``: an editor and a test (or two editors) may each
    make their own store for the same folder.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._written: dict[str, int] = {}

    def lock_for(self, path: Path) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(_key(path), threading.Lock())

    def is_stale(self, path: Path, generation: int) -> bool:
        with self._guard:
            return generation < self._written.get(_key(path), 0)

    def written(self, path: Path, generation: int) -> None:
        with self._guard:
            key = _key(path)
            self._written[key] = max(generation, self._written.get(key, 0))


def _key(path: Path) -> str:
    return os.path.abspath(path)  # no disk access: "data/x" and "/home/me/data/x" are one


_write_order = _WriteOrder()


class DraftStore:
    """One person's drafts on this desktop: at most one per ticket."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def for_user(cls, data_dir: Path, user_id: uuid.UUID) -> DraftStore:
        """Per user: several people may open the same data folder (the demo does)."""
        return cls(data_dir / DRAFTS_DIR / str(user_id))

    def path_for(self, ticket_id: uuid.UUID) -> Path:
        return self.folder / f"{ticket_id}.json"

    def save(self, draft: WorkunitDraft) -> None:
        """Write ``draft`` now; it counts as newer than any snapshot taken before."""
        self.apply(DraftSnapshot(draft.ticket_id, draft))

    def discard(self, ticket_id: uuid.UUID) -> None:
        """Remove the ticket's draft now; a save still on its way will not bring it back."""
        self.apply(DraftSnapshot(ticket_id, None))

    def apply(self, snapshot: DraftSnapshot) -> bool:
        """Make the file say what ``snapshot`` says, unless a newer snapshot has been
        written already: True if written, False if skipped as stale. Safe from any
        thread; writes of the same file wait for each other. OSError if the disk fails
        (the previous file, if any, is left as it was)."""
        path = self.path_for(snapshot.ticket_id)
        with _write_order.lock_for(path):
            if _write_order.is_stale(path, snapshot.generation):
                log.debug("skipped draft %s older than the one on disk", path.name)
                return False
            if snapshot.draft is None:
                path.unlink(missing_ok=True)
            else:
                self._write(snapshot.draft)
            _write_order.written(path, snapshot.generation)
            return True

    def _write(self, draft: WorkunitDraft) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = json.dumps(draft.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
        fd, temporary = tempfile.mkstemp(prefix=".draft-", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path_for(draft.ticket_id))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def load(self, ticket_id: uuid.UUID) -> WorkunitDraft | None:
        """The ticket's draft, or None; a damaged file is set aside (``.bad``) and logged,
        since offering nothing beats failing to open the editor."""
        path = self.path_for(ticket_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            draft = WorkunitDraft.from_json(json.loads(raw))
            if draft.ticket_id != ticket_id:
                raise ValueError(f"the draft in {path.name} is for ticket {draft.ticket_id}")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("unreadable workunit draft %s set aside: %s", path, exc)
            with contextlib.suppress(OSError):
                os.replace(path, path.with_suffix(".bad"))
            return None
        return draft
