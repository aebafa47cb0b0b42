"""What sync needs to see of every flush: deletions on the authority, undo data on a replica.

- On the authority (server), every replicated row deleted while a command is applied
  leaves a tombstone stamped with the command's version, so replicas that hold the row
  delete it on their next pull.
- On a replica, the first time a pending command changes or deletes a *server* row
  (one with a version), the row as the server sent it is kept as a shadow, so a rebase
  can undo local effects exactly (docs/sync-implementation.md).

Importing this module registers the hooks; ``desktopdesk.store.workspace`` does.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from desktopdesk.domain.apply import change_version
from desktopdesk.models import Replicated, SyncShadow, Ticket, Tombstone
from desktopdesk.sync.rows import encode_value, entity_of

#: ``session.info`` key a replica sets while applying a local command.
CAPTURE_SHADOWS = "desktopdesk.sync.capture_shadows"


def _ticket_of(row: Replicated) -> uuid.UUID | None:
    if isinstance(row, Ticket):
        return row.id
    ticket_id = getattr(row, "ticket_id", None)
    return ticket_id if isinstance(ticket_id, uuid.UUID) else None


def committed_json(row: Replicated) -> dict[str, Any]:
    """The row's column values as last loaded from the database (before local edits)."""
    state = inspect(row)
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.deleted:
            value = history.deleted[0]
        elif history.unchanged:
            value = history.unchanged[0]
        else:
            value = getattr(row, attr.key)
        values[attr.key] = encode_value(value)
    return values


@event.listens_for(Session, "before_flush")
def _record_for_sync(session: Session, _flush_context: object, _instances: object) -> None:
    version = change_version(session)
    if version is not None:
        for row in session.deleted:
            if isinstance(row, Replicated):
                session.add(Tombstone(entity=entity_of(row), row_id=row.id,
                                      ticket_id=_ticket_of(row), version=version))
    if session.info.get(CAPTURE_SHADOWS):
        touched = [row for row in session.dirty if session.is_modified(row)]
        for row in [*touched, *session.deleted]:
            if isinstance(row, Replicated) and _server_version(row) is not None:
                _keep_shadow(session, row)


def _server_version(row: Replicated) -> int | None:
    history = inspect(row).attrs["version"].history
    if history.deleted:
        return history.deleted[0]
    return row.version


def _keep_shadow(session: Session, row: Replicated) -> None:
    entity = entity_of(row)
    if session.get(SyncShadow, (entity, row.id)) is None:
        session.add(SyncShadow(entity=entity, row_id=row.id, data=committed_json(row)))
