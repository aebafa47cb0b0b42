"""A workspace: one data folder holding the SQLite store and its blob folder.

Opening one migrates the schema to head (copying the file first). ``execute`` is the one
way user actions reach the store: one session and one transaction per action.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from desktopdesk.domain.apply import apply
from desktopdesk.domain.commands import Command
from desktopdesk.domain.context import ApplyContext, CommandResult
from desktopdesk.domain.sla_state import mark_due, refresh_sla_states
from desktopdesk.models import WorkspaceInfo, utc_now
from desktopdesk.store.blobs import BlobStore, FolderBlobStore
from desktopdesk.store.engine import create_engine_for_url, create_sqlite_engine, session_factory
from desktopdesk.store.migrate import upgrade_to_head
from desktopdesk.store.pause_gate import PauseGate, gate_connections
from desktopdesk.sync.outbox import apply_and_queue

log = logging.getLogger("desktopdesk.store")

DB_FILE = "desktopdesk.sqlite3"
BLOB_DIR = "blobs"


class Role(StrEnum):
    """A standalone store is its own authority; a replica defers to a server."""

    STANDALONE = "standalone"
    REPLICA = "replica"


class Workspace:
    def __init__(self, data_dir: Path, engine: Engine) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self.sessions: sessionmaker[Session] = session_factory(engine)
        self.blobs: BlobStore = FolderBlobStore(data_dir / BLOB_DIR)
        self._role: Role | None = None
        #: Held while a replica is rebuilt: user actions wait, then go to the new file.
        self.action_gate = PauseGate()
        #: Held for the moment the rebuilt file replaces the live one.
        self.connection_gate = PauseGate()
        gate_connections(engine, self.connection_gate)

    @classmethod
    def open(cls, data_dir: Path, db_url: str | None = None) -> Workspace:
        """The store in ``data_dir`` (its SQLite file), or the database at ``db_url``.

        Either way blobs live in ``data_dir`` and the schema is migrated to head; only a
        SQLite file is copied before migrating (PostgreSQL has its own backups).
        """
        data_dir.mkdir(parents=True, exist_ok=True)
        if db_url is None:
            db_path: Path | None = data_dir / DB_FILE
            engine = create_sqlite_engine(data_dir / DB_FILE)
        else:
            engine = create_engine_for_url(db_url)
            database = engine.url.database
            is_sqlite = engine.url.get_backend_name() == "sqlite"
            db_path = Path(database) if is_sqlite and database else None
        try:
            upgrade_to_head(engine, db_path)
        except BaseException:
            engine.dispose()
            raise
        return cls(data_dir, engine)

    @property
    def db_path(self) -> Path:
        """The SQLite file (for a PostgreSQL store: where a local file would be)."""
        database = self.engine.url.database
        if self.engine.url.get_backend_name() == "sqlite" and database:
            return Path(database)
        return self.data_dir / DB_FILE

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- Facts about this store -----------------------------------------------------------

    def info(self, key: str) -> str | None:
        with self.sessions() as session:
            return session.scalar(select(WorkspaceInfo.value).where(WorkspaceInfo.key == key))

    def set_info(self, key: str, value: str) -> None:
        with self.sessions.begin() as session:
            session.merge(WorkspaceInfo(key=key, value=value))
        if key == "role":
            self._role = None

    @property
    def role(self) -> Role:
        """Read once and cached: it changes only through ``set_info``."""
        if self._role is None:
            self._role = Role(self.info("role") or Role.STANDALONE)
        return self._role

    # --- Changing things ------------------------------------------------------------------

    def context(
        self, now: dt.datetime | None = None, *, remote_actor: bool = False
    ) -> ApplyContext:
        """``remote_actor``: the server applying a command that came over the network."""
        return ApplyContext(
            now=now or utc_now(), is_authority=self.role is Role.STANDALONE, blobs=self.blobs,
            remote_actor=remote_actor,
        )

    def execute(
        self, command: Command, actor_id: uuid.UUID, *, now: dt.datetime | None = None,
        remote_actor: bool = False,
    ) -> CommandResult:
        """Apply one user action in its own transaction: all of it is written, or nothing."""
        (result,) = self.execute_all([command], actor_id, now=now, remote_actor=remote_actor)
        return result

    def execute_all(
        self, commands: Sequence[Command], actor_id: uuid.UUID, *,
        now: dt.datetime | None = None, remote_actor: bool = False,
    ) -> list[CommandResult]:
        """Apply the commands of one user action (a workunit and the images in its text)
        in one transaction, in order: all are written, or none. On a replica each is
        queued in the outbox like any other; the server applies them one by one."""
        ctx = self.context(now, remote_actor=remote_actor)
        with self.user_action() as session:
            results = [self.apply_in(session, command, actor_id, ctx) for command in commands]
        for command in commands:
            log.debug("applied %s %s", command.command_name, command.command_id)
        return results

    @contextmanager
    def user_action(self) -> Iterator[Session]:
        """The session of one user action, committed at the end of the block: waits while
        the replica is being rebuilt, so nothing is written into the file being replaced."""
        with self.action_gate.passage(), self.sessions.begin() as session:
            yield session

    def apply_in(self, session: Session, command: Command, actor_id: uuid.UUID,
                 ctx: ApplyContext) -> CommandResult:
        """Apply ``command`` in the caller's transaction, as this store's role wants: the
        authority applies it, a replica applies it and queues it for the server.

        The one switch between the two, for actions that write bookkeeping of their own
        in the same transaction (resolving a sync conflict with the command it sends).
        Every command the authority applies (user actions here, the server's REST and push
        routes, its jobs) comes through here, so the tickets it touched get their SLA
        standing worked out again in the same transaction.
        """
        if self.role is Role.REPLICA:
            return apply_and_queue(session, command, actor_id, ctx)
        result = apply(session, command, actor_id, ctx)
        if result.changed_ticket_ids:
            _refresh_slas(session, ctx.now, result.changed_ticket_ids)
        return result

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session for queries (rolled back, never committed)."""
        with self.sessions() as session:
            yield session


def _refresh_slas(session: Session, now: dt.datetime, ticket_ids: Sequence[uuid.UUID]) -> None:
    """The SLA pass for the tickets a command touched. It must never cost the user their
    change: a failure is logged and undone alone (its savepoint), and the scheduled pass
    tries again within minutes."""
    try:
        with session.begin_nested():
            refresh_sla_states(session, now, ticket_ids)
    except Exception:
        log.exception("SLA evaluation after a command failed; the scheduled pass will redo it")
        try:
            with session.begin_nested():
                mark_due(session, ticket_ids, now)
        except Exception:
            log.exception("could not schedule the SLA evaluation of %d ticket(s)",
                          len(ticket_ids))
