"""SQLite engines configured the way every connection must be: WAL, foreign keys on.

pysqlite's own transaction handling begins transactions lazily and not before reads, so
we switch it off and emit BEGIN ourselves (the recipe from SQLAlchemy's SQLite notes):
a read followed by a write in one user action then sees one consistent snapshot.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 5000


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


def create_sqlite_engine(path: Path) -> Engine:
    engine = create_engine(sqlite_url(path), connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see module doc
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def create_engine_for_url(url: str) -> Engine:
    """An engine for a database URL: a SQLite file (our pragmas) or PostgreSQL (psycopg 3).

    ``postgresql://`` URLs are pinned to the psycopg 3 driver so they never fall back to
    psycopg2, whichever SQLAlchemy version is installed.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("a SQLite store needs a file path, not an in-memory database")
        return create_sqlite_engine(Path(parsed.database))
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or "
                     "postgresql")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: results handed to views stay readable after the commit.
    return sessionmaker(engine, expire_on_commit=False)
