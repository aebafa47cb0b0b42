"""One sync of a desktop replica: push the outbox, then pull and rebase page by page.

The transport is anything with ``push`` and ``pull`` speaking the JSON of sync.md: the
HTTP client in production, the server's own functions in tests. Each pull page is applied
in one local transaction, so a crash between pages leaves a consistent replica and the
next sync resumes from the last cookie.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select, text

from desktopdesk.models import OutboxEntry, OutboxState, SyncConflict, SyncState, utc_now
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.blob_transfer import download_blobs, upload_blobs
from desktopdesk.sync.outbox import pending
from desktopdesk.sync.rebase import apply_operations, redo_pending, undo_pending

PUSH_BATCH = 100


class SyncTransport(Protocol):
    def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        """``{"results": [{mutation_id, outcome, code, message}], "last_mutation_id": n}``."""

    def pull(self, client_id: uuid.UUID, cookie: str, token: str | None) -> dict[str, Any]:
        """``{"operations": [...], "next_token", "cookie", "last_mutation_id"}``."""


@dataclass
class SyncSummary:
    pushed: int = 0
    applied: int = 0
    rejected: int = 0
    pulled_rows: int = 0
    pages: int = 0
    still_pending: int = 0
    conflicts: list[str] = field(default_factory=list)


def sync_state(ws: Workspace) -> SyncState:
    """This replica's sync row, created with a fresh client id on first use."""
    with ws.sessions.begin() as session:
        state = session.get(SyncState, 1)
        if state is None:
            state = SyncState(id=1, client_id=uuid.uuid4())
            session.add(state)
        return state


def run_sync(ws: Workspace, transport: SyncTransport, actor_id: uuid.UUID,
             clock: Callable[[], dt.datetime] = utc_now) -> SyncSummary:
    summary = SyncSummary()
    state = sync_state(ws)
    upload_blobs(ws, transport)  # before push: the server refuses AttachFile without bytes
    _push(ws, transport, state.client_id, summary, clock)
    _pull(ws, transport, state, actor_id, summary, clock)
    download_blobs(ws, transport, actor_id)  # a budget per sync; never fails the sync
    with ws.read() as session:
        summary.still_pending = len(pending(session))
    return summary


def _push(ws: Workspace, transport: SyncTransport, client_id: uuid.UUID,
          summary: SyncSummary, clock: Callable[[], dt.datetime]) -> None:
    while True:
        with ws.read() as session:
            batch = [(e.mutation_id, e.payload) for e in pending(session)][:PUSH_BATCH]
        if not batch:
            return
        answer = transport.push(client_id, [{"mutation_id": m, "command": p} for m, p in batch])
        summary.pushed += len(answer["results"])
        with ws.sessions.begin() as session:
            for result in answer["results"]:
                entry = session.get(OutboxEntry, result["mutation_id"])
                if entry is None or entry.state != OutboxState.PENDING:
                    continue
                entry.attempts += 1
                if result["outcome"] == "applied":
                    entry.state = OutboxState.ACKED
                    summary.applied += 1
                else:
                    entry.state = OutboxState.REJECTED
                    summary.rejected += 1
                    summary.conflicts.append(result["message"])
                    session.add(SyncConflict(
                        mutation_id=entry.mutation_id, code=result["code"],
                        message=result["message"], client_payload=entry.payload,
                        server_snapshot=None, created_at=clock()))
        if len(answer["results"]) < len(batch):  # the server stopped early: retry later
            return


def _pull(ws: Workspace, transport: SyncTransport, state: SyncState, actor_id: uuid.UUID,
          summary: SyncSummary, clock: Callable[[], dt.datetime]) -> None:
    token: str | None = None
    while True:
        page = transport.pull(state.client_id, state.pull_cookie, token)
        with ws.sessions.begin() as session:
            # Rows of one page may name each other in any order: check keys at commit.
            session.execute(text("PRAGMA defer_foreign_keys = ON"))
            undo_pending(session)
            summary.pulled_rows += apply_operations(session, page["operations"])
            redo_pending(session, actor_id, page["last_mutation_id"], ws.blobs)
            row = session.get(SyncState, 1)
            assert row is not None
            if page.get("cookie"):
                row.pull_cookie = state.pull_cookie = page["cookie"]
                row.last_ok_at = clock()
                row.last_error = ""
            row.last_acked_mutation_id = page["last_mutation_id"]
        summary.pages += 1
        token = page.get("next_token")
        if not token:
            return


def open_conflicts(ws: Workspace) -> list[SyncConflict]:
    with ws.read() as session:
        return list(session.scalars(
            select(SyncConflict).where(SyncConflict.resolved_at.is_(None))
            .order_by(SyncConflict.id)))
