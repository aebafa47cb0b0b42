"""Rebuild a replica whose server is no longer the one it copied (sync.md, "Versions").

After a restore, a reset or an incompatible schema change the replica's rows cannot be
patched: their versions belong to a history the server lost. So a new SQLite file is
built beside the live one by pulling from scratch, this desktop's own bookkeeping is
carried into it (outbox, conflicts, blob states, counters, workspace facts, the local
command log), pending work is replayed on top, and the new file replaces the live one
in one ``os.replace``. The old file stays beside it as a dated backup; blob files live in
the data folder and do not move.

What the server lost of this desktop's work goes back to it (the design is in
docs/sync-implementation.md, "Meta, epochs and restored servers"):

- the server still has every mutation it ever answered us: the client id stays, and
  pending work is pushed before the rebuild, as sync.md says;
- it has lost some (or does not know us at all): the desktop becomes a new client.
  Acknowledged mutations the server no longer has, then pending ones, are queued again
  as mutations 1, 2, ... of the new client and pushed right after the swap. Rejected ones
  stay rejected with their conflicts (the user may have settled them already), renumbered
  below zero where no push ever sends them.

Nothing else may write to the workspace while this runs: the caller runs sync as the
only user of the store (the command line does; the window must pause its actions). As a
guard, the swap is abandoned if the live file's bookkeeping changed during the rebuild.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from desktopdesk.models import Base, BlobTransfer, OutboxState, SyncState
from desktopdesk.store.engine import sqlite_url
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.blob_transfer import BlobState
from desktopdesk.sync.meta import CLIENT_PROTOCOL, ServerCheck
from desktopdesk.sync.outbox import ACK_MARKS_KEY, MUTATION_COUNTER
from desktopdesk.sync.rows import replicated_models

log = logging.getLogger("desktopdesk.sync")

#: This desktop's own tables, parents first: carried into the new file as they are (the
#: outbox and conflicts renumbered for a new client). Replicated tables come from the pull.
CARRIED = ("workspace_info", "counters", "command_log", "sync_blobs", "sync_outbox",
           "sync_conflicts")
#: Made afresh in the new file: the sync position, and undo shadows (the replay makes them).
REMADE = ("sync_state", "sync_shadows")
BUILDING_SUFFIX = ".rebuilding"
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")

#: Rows of the carried tables, by table, in primary-key order.
LocalRows = dict[str, list[dict[str, Any]]]


class RebuildError(Exception):
    """The rebuild was abandoned; the live file is as it was and the next sync tries again."""


@dataclass(frozen=True)
class RebuildReport:
    reason: str
    #: The replica as it was before, kept beside the live file.
    backup: Path
    #: A new client id was registered (the server had lost some of our mutations).
    new_client: bool
    #: Acknowledged mutations the server had lost, queued again.
    resent: int


@dataclass(frozen=True)
class _Carried:
    rows: LocalRows
    client_id: uuid.UUID
    resent: int


def rebuild_replica(ws: Workspace, check: ServerCheck, *, push_first: Callable[[], None],
                    pull_into: Callable[[Workspace, SyncState], None],
                    clock: Callable[[], dt.datetime]) -> RebuildReport:
    """Replace ``ws``'s file by one pulled from scratch, keeping this desktop's work.

    ``push_first`` uploads blobs and pushes pending work under the current client id;
    ``pull_into`` runs a whole pull into the given workspace and sync state (the loop's
    own, so pages are applied exactly as in any sync). Either may raise: then the new file
    is deleted and the live one is untouched, apart from what ``push_first`` recorded.

    User actions from other threads wait for the whole rebuild (``Workspace.action_gate``)
    and then land in the new file; reads go on from the live file until the swap, for
    which every connection is held back (``Workspace.connection_gate``).
    """
    with ws.action_gate.held():
        return _rebuild(ws, check, push_first, pull_into, clock)


def _rebuild(ws: Workspace, check: ServerCheck, push_first: Callable[[], None],
             pull_into: Callable[[Workspace, SyncState], None],
             clock: Callable[[], dt.datetime]) -> RebuildReport:
    with ws.connection_gate.held():
        _refuse_if_open_elsewhere(ws)  # before the long pull, not only at the swap
    _forget_uploads(ws)  # the restored server may have lost blobs we once sent
    keep_client = not check.lost_mutations
    if keep_client:
        push_first()
    with ws.read() as session:
        _refuse_unknown_local_rows(session)
        before = _local_rows(session)
        state = session.get(SyncState, 1)
        assert state is not None
        client_id = state.client_id
    carried = (_Carried(before, client_id, 0) if keep_client
               else _for_new_client(before, check.meta.last_mutation_id))
    target = ws.db_path.with_name(ws.db_path.name + BUILDING_SUFFIX)
    _remove_database(target)
    try:
        _build(ws, target, carried, check.meta.epoch, pull_into)
        with ws.connection_gate.held():
            with ws.read() as session:
                if _local_rows(session) != before:  # only another program can do this now
                    raise RebuildError("this copy changed while it was being rebuilt; the "
                                       "next sync rebuilds it again")
            backup = _swap_in(ws, target, clock())
    except BaseException:
        _remove_database(target)
        raise
    log.warning("replica rebuilt (%s): %s client, %d lost change(s) queued again; the "
                "previous copy is %s", check.rebuild_reason,
                "same" if keep_client else "new", carried.resent, backup)
    return RebuildReport(check.rebuild_reason, backup, not keep_client, carried.resent)


# --- Carrying this desktop's rows -------------------------------------------------------


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _local_rows(session: Session) -> LocalRows:
    rows: LocalRows = {}
    for name in CARRIED:
        table = _table(name)
        query = select(table).order_by(*table.primary_key.columns)
        rows[name] = [dict(found._mapping) for found in session.execute(query)]
    return rows


def _refuse_unknown_local_rows(session: Session) -> None:
    """A local table the rebuild does not carry must be empty (server-only tables are, on
    a desktop): better no rebuild than rows silently left behind in the backup."""
    replicated = replicated_models()
    for table in Base.metadata.sorted_tables:
        if table.name in replicated or table.name in CARRIED or table.name in REMADE:
            continue
        if session.execute(select(1).select_from(table).limit(1)).first() is not None:
            raise RebuildError(f"this copy holds rows in {table.name}, which a rebuild does "
                               "not know how to carry; it was left as it is")


def _for_new_client(rows: LocalRows, server_last: int | None) -> _Carried:
    """Renumber the outbox for a new client id: what must reach the server becomes
    1..n in the original order, rejected rows (and any a conflict names) go below zero,
    acknowledged rows the server still has are dropped (it has them; the client they
    were sent under is not used again)."""
    kept_by_server = server_last or 0
    outbox = rows["sync_outbox"]
    named = {conflict["mutation_id"] for conflict in rows["sync_conflicts"]}
    again = [row for row in outbox if row["mutation_id"] > 0 and (
        row["state"] == OutboxState.PENDING
        or (row["state"] == OutboxState.ACKED and row["mutation_id"] > kept_by_server))]
    resend_ids = {row["mutation_id"] for row in again}
    history = [row for row in outbox if row["mutation_id"] not in resend_ids and (
        row["state"] == OutboxState.REJECTED or row["mutation_id"] in named)]
    renumbered = {row["mutation_id"]: n for n, row in enumerate(again, start=1)}
    renumbered.update({row["mutation_id"]: n - len(history)
                       for n, row in enumerate(history)})
    resent = sum(row["state"] == OutboxState.ACKED for row in again)
    dropped = len(outbox) - len(again) - len(history)
    log.info("new client: %d acknowledged change(s) the server lost and %d pending queued "
             "again, %d rejected kept, %d the server has dropped", resent,
             len(again) - resent, len(history), dropped)
    carried = dict(rows)
    carried["sync_outbox"] = [
        {**row, "mutation_id": renumbered[row["mutation_id"]],
         "state": OutboxState.PENDING if row["mutation_id"] in resend_ids else row["state"]}
        for row in again + history]
    carried["sync_conflicts"] = [{**conflict, "mutation_id": renumbered[conflict["mutation_id"]]}
                                 for conflict in rows["sync_conflicts"]]
    counters = [row for row in rows["counters"] if row["name"] != MUTATION_COUNTER]
    carried["counters"] = [*counters, {"name": MUTATION_COUNTER, "value": len(again)}]
    # The acknowledgement notes name mutation ids of the old numbering.
    carried["workspace_info"] = [row for row in rows["workspace_info"]
                                 if row["key"] != ACK_MARKS_KEY]
    return _Carried(carried, uuid.uuid4(), resent)


def _forget_uploads(ws: Workspace) -> None:
    """Blobs marked uploaded are asked about again (HEAD) before the next push."""
    with ws.sessions.begin() as session:
        session.execute(update(BlobTransfer).where(BlobTransfer.state == BlobState.UPLOADED)
                        .values(state=BlobState.LOCAL_ONLY, upload_offset=0))


# --- The new file -----------------------------------------------------------------------


def _build(ws: Workspace, target: Path, carried: _Carried, epoch: str,
           pull_into: Callable[[Workspace, SyncState], None]) -> None:
    fresh = Workspace.open(ws.data_dir, sqlite_url(target))
    try:
        with fresh.sessions.begin() as session:
            for name in reversed(CARRIED):
                session.execute(delete(_table(name)))
            for name in CARRIED:
                if carried.rows[name]:
                    session.execute(insert(_table(name)), carried.rows[name])
            session.add(SyncState(id=1, client_id=carried.client_id, server_epoch=epoch,
                                  pull_cookie="", last_acked_mutation_id=0,
                                  protocol_version=CLIENT_PROTOCOL, last_error=""))
        pull_into(fresh, SyncState(id=1, client_id=carried.client_id, pull_cookie=""))
    finally:
        fresh.close()


def _swap_in(ws: Workspace, target: Path, now: dt.datetime) -> Path:
    """Keep the live file as a dated backup and put ``target`` in its place.

    Every connection is closed first, so neither file has a write-ahead log beside it (a
    stale ``-wal`` would be replayed into the wrong file). The workspace's engine opens
    new connections, to the new file, when next used.
    """
    live = ws.db_path
    ws.close()
    for path in (live, target):
        _refuse_if_wal(path)
    backup = _free_name(live, now)
    try:
        os.link(live, backup)  # instant, and the live path never goes missing
    except OSError:
        shutil.copy2(live, backup)
    os.replace(target, live)
    _sync_folder(live.parent)
    return backup


def _refuse_if_open_elsewhere(ws: Workspace) -> None:
    """With this workspace's connections closed, a write-ahead log beside the file means
    another program (a second DesktopDesk) has it open: it would go on writing into what
    becomes the backup. (Within this program, the gates hold other threads back.)"""
    ws.close()
    _refuse_if_wal(ws.db_path)


def _refuse_if_wal(path: Path) -> None:
    if _sidecar(path, "-wal").exists():
        raise RebuildError(f"{path.name} is still open, perhaps in another DesktopDesk; "
                           "close it and sync again")


def _free_name(live: Path, now: dt.datetime) -> Path:
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = live.with_name(f"{live.name}.before-rebuild-{stamp}.bak")
    number = 1
    while candidate.exists():
        number += 1
        candidate = live.with_name(f"{live.name}.before-rebuild-{stamp}-{number}.bak")
    return candidate


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _remove_database(path: Path) -> None:
    for leftover in (path, *(_sidecar(path, suffix) for suffix in SQLITE_SIDECARS)):
        leftover.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the system allows opening a folder (not Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
