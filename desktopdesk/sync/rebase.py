"""Put a replica's pending commands on top of newer server state (one pull page at a time).

undo: local rows (no version) go, server rows touched by pending commands come back from
their shadows, and the local command log of unconfirmed commands is cleared; apply: the
page's puts and deletes; redo: the commands the server has not processed yet, in order.
All of it in the caller's transaction. See docs/sync-implementation.md.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from desktopdesk.domain.commands import command_from_json
from desktopdesk.domain.context import ApplyContext, BlobLookup
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import Base, CommandLogEntry, OutboxEntry, OutboxState, SyncShadow
from desktopdesk.sync.outbox import apply_pending
from desktopdesk.sync.rows import replicated_models, row_from_json

log = logging.getLogger("desktopdesk.sync")


def _tables_parents_first() -> list[str]:
    models = replicated_models()
    return [table.name for table in Base.metadata.sorted_tables if table.name in models]


def undo_pending(session: Session) -> None:
    models = replicated_models()
    for table in reversed(_tables_parents_first()):
        model = models[table]
        session.execute(delete(model).where(model.version.is_(None)))
    shadows = list(session.scalars(select(SyncShadow)))
    order = {name: n for n, name in enumerate(_tables_parents_first())}
    for shadow in sorted(shadows, key=lambda s: order.get(s.entity, 0)):
        _restore(session, shadow.entity, shadow.data)
    session.execute(delete(SyncShadow))
    unconfirmed = select(OutboxEntry.command_id).where(OutboxEntry.state != OutboxState.ACKED)
    session.execute(delete(CommandLogEntry).where(CommandLogEntry.command_id.in_(unconfirmed)))
    session.flush()
    session.expire_all()


def holds_local_effects(session: Session, redone_after: int) -> bool:
    """Whether the replica may hold effects of pending commands that a page must undo.

    Right after an undo and redo, only commands above ``redone_after`` (the processed id
    the last redo used) have effects, with shadows of the server rows they touched; a
    command the user ran since is above it too. Skipping the undo when there are none
    matters on a first sync: the undo scans every replicated table (``version IS NULL``),
    hundreds of pages times hundreds of thousands of rows.
    """
    redone = select(OutboxEntry.mutation_id).where(
        OutboxEntry.state == OutboxState.PENDING, OutboxEntry.mutation_id > redone_after)
    return (session.scalar(redone.limit(1)) is not None
            or session.scalar(select(SyncShadow.entity).limit(1)) is not None)


def _restore(session: Session, entity: str, data: dict[str, Any]) -> None:
    model = replicated_models()[entity]
    values = row_from_json(model, data)
    held = session.get(model, values["id"])
    if held is None:
        session.add(model(**values))
    else:
        for key, value in values.items():
            setattr(held, key, value)
    session.flush()


def apply_operations(session: Session, operations: Iterable[dict[str, Any]]) -> int:
    """Server puts and deletes of one page, in bulk; returns how many rows changed.

    Within a page every row appears once, so deletes and then puts (per entity, parents
    first) can be batched; the desktop defers key checks to the page's commit.
    """
    models = replicated_models()
    puts: dict[str, list[dict[str, Any]]] = {}
    deletes: dict[str, list[uuid.UUID]] = {}
    for op in operations:
        entity = op["entity"]
        if entity not in models:
            raise ValueError(f"unknown entity {entity!r} in a pull page")
        if op["op"] == "put":
            puts.setdefault(entity, []).append(row_from_json(models[entity], op["row"]))
        elif op["op"] == "delete":
            deletes.setdefault(entity, []).append(uuid.UUID(op["id"]))
        else:
            raise ValueError(f"unknown pull operation {op['op']!r}")
    changed = 0
    order = _tables_parents_first()
    # Deletes first: a row removed and another made with its unique key (a membership
    # withdrawn and granted again, a holiday re-added) arrive in one page, and the new
    # row cannot go in while the old one holds the key.
    for table in reversed(order):
        model = models[table]
        for chunk in _chunks(deletes.get(table, [])):
            result = session.execute(delete(model).where(model.id.in_(chunk)))
            changed += result.rowcount  # type: ignore[attr-defined]
    for table in order:
        if table in puts:
            changed += _upsert_newer(session, models[table], puts[table])
    session.expire_all()
    return changed


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _upsert_newer(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> int:
    """Insert unknown rows, overwrite rows we hold at an older version (or a local one)."""
    held: dict[uuid.UUID, int | None] = {}
    for chunk in _chunks([row["id"] for row in rows]):
        found = session.execute(select(model.id, model.version).where(model.id.in_(chunk)))
        held.update({row_id: version for row_id, version in found})
    fresh = [row for row in rows if row["id"] not in held]
    newer = [row for row in rows if row["id"] in held and (
        held[row["id"]] is None
        or (row.get("version") is not None and row["version"] > held[row["id"]]))]
    # Updates before inserts: a held row may give up a unique key a new row takes (a
    # membership moved to another profile, and the old profile granted again).
    if newer:
        session.execute(update(model), newer)
    if fresh:  # Core, not the ORM's bulk insert: no per-row bookkeeping for plain rows
        session.execute(insert(model.__table__), fresh)
    return len(fresh) + len(newer)


def redo_pending(session: Session, actor_id: uuid.UUID, processed_up_to: int,
                 blobs: BlobLookup) -> list[int]:
    """Re-apply commands the server has not processed; returns those that no longer apply
    locally (they stay queued: the server decides)."""
    failing: list[int] = []
    entries = session.scalars(
        select(OutboxEntry)
        .where(OutboxEntry.state == OutboxState.PENDING,
               OutboxEntry.mutation_id > processed_up_to)
        .order_by(OutboxEntry.mutation_id))
    for entry in list(entries):
        ctx = ApplyContext(now=entry.created_at, is_authority=False, blobs=blobs,
                           mutation_id=entry.mutation_id)
        try:
            with session.begin_nested():
                apply_pending(session, command_from_json(entry.payload), actor_id, ctx)
        except DomainError as refusal:
            log.info("pending mutation %s no longer applies locally: %s", entry.mutation_id,
                     refusal.code)
            failing.append(entry.mutation_id)
    return failing
