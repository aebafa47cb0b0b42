"""Sync bookkeeping: the desktop's outbox and conflicts, the server's per-client state.

None of these rows replicate. The client tables sit in the same SQLite file as the data
so a change and its outbox row commit together; the server tables record what each
desktop has pushed and holds. Both live in the one schema (each side leaves the other's
tables empty) so there is a single migration history. See docs/sync-implementation.md.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base

# --- Desktop side -------------------------------------------------------------------------


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    ACKED = "acked"
    REJECTED = "rejected"


class SyncState(Base):
    """The one row of this replica's sync progress."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column()
    #: The server's epoch: a change (restore, incompatible schema) means rebuild the replica.
    server_epoch: Mapped[str] = mapped_column(String(64), default="")
    #: Opaque pull position handed back by the server on the last page.
    pull_cookie: Mapped[str] = mapped_column(Text, default="")
    last_acked_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    protocol_version: Mapped[int] = mapped_column(default=1)
    last_ok_at: Mapped[dt.datetime | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(Text, default="")


class OutboxEntry(Base):
    """A command applied locally and waiting for (or answered by) the server.

    Never dropped by resync, reset or migration: a rejected command keeps its full
    payload until the user resolves it. Acked rows stay 30 days as a safety net.
    """

    __tablename__ = "sync_outbox"
    __table_args__ = (Index("ix_sync_outbox_state", "state", "mutation_id"),)

    #: Per client, strictly increasing: the order the server applies them in.
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    command_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    command_name: Mapped[str] = mapped_column(String(60))
    #: The ticket the command is about, to show pending state on it.
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    #: ``Command.to_json()``: name, format and args (incl. the base values for merges).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Local time it was made: display and local replay only, never ordering.
    created_at: Mapped[dt.datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(10), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)


class SyncConflict(Base):
    """A command the server refused, kept with the user's text until they decide."""

    __tablename__ = "sync_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    mutation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("sync_outbox.mutation_id"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    client_payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    server_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column()
    resolved_at: Mapped[dt.datetime | None] = mapped_column()
    resolution: Mapped[str] = mapped_column(String(40), default="")


class SyncShadow(Base):
    """A server row as it was before a pending command touched it: exact undo on rebase."""

    __tablename__ = "sync_shadows"

    entity: Mapped[str] = mapped_column(String(60), primary_key=True)
    row_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    #: The row's column values as the server last sent them (``sync.rows`` JSON form).
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class BlobTransfer(Base):
    """Where an attachment's bytes are between this desktop and the server."""

    __tablename__ = "sync_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: local_only, uploading, uploaded, remote_only, present.
    state: Mapped[str] = mapped_column(String(12))
    size: Mapped[int] = mapped_column(BigInteger)
    upload_offset: Mapped[int] = mapped_column(BigInteger, default=0)


# --- Server side --------------------------------------------------------------------------


class Tombstone(Base):
    """A deleted replicated row, so replicas that hold it delete it on their next pull."""

    __tablename__ = "sync_tombstones"

    # SQLite numbers rows only for INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    entity: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[uuid.UUID] = mapped_column()
    ticket_id: Mapped[uuid.UUID | None] = mapped_column()
    #: The change sequence value of the deleting transaction.
    version: Mapped[int] = mapped_column(BigInteger, index=True)


class SyncClient(Base):
    """One desktop replica, and how far its outbox has been processed."""

    __tablename__ = "sync_clients"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    last_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column()
    last_seen_at: Mapped[dt.datetime] = mapped_column()


class SyncMutation(Base):
    """The stored outcome of every pushed mutation: duplicates get the same answer."""

    __tablename__ = "sync_mutations"

    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sync_clients.client_id", ondelete="CASCADE"), primary_key=True
    )
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    command_id: Mapped[uuid.UUID] = mapped_column()
    command_name: Mapped[str] = mapped_column(String(60))
    #: applied or rejected.
    outcome: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(40), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    processed_at: Mapped[dt.datetime] = mapped_column()


class SyncClientTicket(Base):
    """A ticket a client holds, so one leaving its view is sent as an explicit removal."""

    __tablename__ = "sync_client_tickets"

    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sync_clients.client_id", ondelete="CASCADE"), primary_key=True
    )
    ticket_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    #: The pull generation that last confirmed it.
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
