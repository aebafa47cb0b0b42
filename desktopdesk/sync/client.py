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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select, text

from desktopdesk.models import OutboxEntry, OutboxState, SyncConflict, SyncState, utc_now
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.blob_transfer import download_blobs, upload_blobs
from desktopdesk.sync.meta import MetaTransport, check_server
from desktopdesk.sync.outbox import forget_old_acked, pending
from desktopdesk.sync.rebase import (
    apply_operations,
    holds_local_effects,
    redo_pending,
    undo_pending,
)
from desktopdesk.sync.rebuild import RebuildReport, rebuild_replica
from desktopdesk.sync.rows import encode_value

PUSH_BATCH = 100


class SyncTransport(Protocol):
    def meta(self, client_id: uuid.UUID, protocol: int) -> dict[str, Any]:
        """``{epoch, protocol_min, protocol_max, server_time, change_sequence,
        last_mutation_id}`` (``sync.meta``); a 426 raises ``ProtocolRefusedError``."""

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
    #: Set when the server had been restored or reset and this replica was rebuilt.
    rebuilt: RebuildReport | None = None
    #: Acknowledged outbox rows older than the 30-day safety net, deleted at the end.
    forgotten_acked: int = 0


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
    """meta -> (rebuild) -> upload blobs -> push -> pull -> download -> forget old acks.

    Raises ``ProtocolRefusedError`` before anything is sent when the server speaks no
    protocol of ours. Test doubles from before meta (push and pull only) skip that step,
    as they skip blobs.
    """
    summary = SyncSummary()
    state = sync_state(ws)
    # How far the server's clock is ahead of ours: the 30-day safety net of acknowledged
    # commands is dated by the server's clock, so a laptop clock set wrong never makes
    # it forget too early.
    server_ahead = dt.timedelta(0)
    if isinstance(transport, MetaTransport):
        check = check_server(ws, transport, state, clock)
        server_ahead = check.meta.server_time - clock()
        if check.rebuild_reason:
            client_id = state.client_id

            def push_first() -> None:
                upload_blobs(ws, transport)
                _push(ws, transport, client_id, summary, clock)

            def pull_into(fresh: Workspace, fresh_state: SyncState) -> None:
                _pull(fresh, transport, fresh_state, actor_id, summary, clock)

            summary.rebuilt = rebuild_replica(ws, check, push_first=push_first,
                                              pull_into=pull_into, clock=clock)
            state = sync_state(ws)  # the new file's: maybe a new client id
    upload_blobs(ws, transport)  # before push: the server refuses AttachFile without bytes
    _push(ws, transport, state.client_id, summary, clock)
    _pull(ws, transport, state, actor_id, summary, clock)
    download_blobs(ws, transport, actor_id)  # a budget per sync; never fails the sync
    with ws.sessions.begin() as session:
        summary.forgotten_acked = forget_old_acked(session, clock() + server_ahead)
        summary.still_pending = len(pending(session))
    return summary


def _push(ws: Workspace, transport: SyncTransport, client_id: uuid.UUID,
          summary: SyncSummary, clock: Callable[[], dt.datetime]) -> None:
    while True:
        with ws.read() as session:
            batch = [(e.mutation_id, e.payload, e.created_at)
                     for e in pending(session)][:PUSH_BATCH]
        if not batch:
            return
        # ``made_at``: when the change was made here, so the server dates its history then
        # (the transport adds ``sent_at``, this clock at sending, to correct for skew).
        answer = transport.push(client_id, [
            {"mutation_id": m, "command": p, "made_at": encode_value(made)}
            for m, p, made in batch])
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
    """Every page of one pull, each applied in its own local transaction.

    A transport that sets ``prefetch_pages`` (HTTP) has the next page requested while this
    one is applied: the server builds page n+1 while the desktop writes page n, which
    roughly halves a first sync. The request carries only the page token, so fetching it
    early changes nothing the server sees; if applying fails, the fetched page is dropped
    and the next sync asks again (pages are idempotent, see ``sync.pull``).
    """
    ahead = bool(getattr(transport, "prefetch_pages", False))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull") as fetcher:
        page = transport.pull(state.client_id, state.pull_cookie, None)
        first = True
        while True:
            token: str | None = page.get("next_token")
            upcoming: Future[dict[str, Any]] | None = None
            if token and ahead:
                upcoming = fetcher.submit(transport.pull, state.client_id, state.pull_cookie,
                                          token)
            _apply_page(ws, page, state, actor_id, summary, clock, first=first)
            first = False
            if not token:
                return
            page = upcoming.result() if upcoming is not None else transport.pull(
                state.client_id, state.pull_cookie, token)


def _apply_page(ws: Workspace, page: dict[str, Any], state: SyncState, actor_id: uuid.UUID,
                summary: SyncSummary, clock: Callable[[], dt.datetime], *, first: bool) -> None:
    """Undo pending work, apply the server's rows, redo pending work: one transaction.

    The first page always undoes (rejected commands leave effects until then); later pages
    only when something is pending, as the user may have worked between two pages.
    """
    with ws.sessions.begin() as session:
        # Rows of one page may name each other in any order: check keys at commit.
        session.execute(text("PRAGMA defer_foreign_keys = ON"))
        row = session.get(SyncState, 1)
        assert row is not None
        if first or holds_local_effects(session, row.last_acked_mutation_id):
            undo_pending(session)
        summary.pulled_rows += apply_operations(session, page["operations"])
        redo_pending(session, actor_id, page["last_mutation_id"], ws.blobs)
        if page.get("cookie"):
            row.pull_cookie = state.pull_cookie = page["cookie"]
            row.last_ok_at = clock()
            row.last_error = ""
        row.last_acked_mutation_id = page["last_mutation_id"]
    summary.pages += 1


def open_conflicts(ws: Workspace) -> list[SyncConflict]:
    with ws.read() as session:
        return list(session.scalars(
            select(SyncConflict).where(SyncConflict.resolved_at.is_(None))
            .order_by(SyncConflict.id)))
