"""The schema comes only from migrations, and those match the models exactly."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from desktopdesk.domain.ticket_search import is_search_index_table
from desktopdesk.models import Base
from desktopdesk.store import migrate
from desktopdesk.store.engine import create_sqlite_engine
from desktopdesk.store.migrate import current_revision, head_revision, upgrade_to_head
from desktopdesk.store.workspace import DB_FILE, Workspace


def test_upgrading_an_empty_database_matches_the_models(tmp_path: Path) -> None:
    engine = create_sqlite_engine(tmp_path / "empty.sqlite3")
    assert upgrade_to_head(engine, tmp_path / "empty.sqlite3") is None  # nothing to back up
    with engine.connect() as connection:
        # The FTS5 tables of migration 0006 are SQLite's, described by no model.
        opts = {"compare_type": True, "include_name": lambda name, kind, _parents: not (
            kind == "table" and is_search_index_table(name))}
        diff = compare_metadata(MigrationContext.configure(connection, opts=opts),
                                Base.metadata)
    assert diff == []
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    engine.dispose()


NEXT_REVISION = """
from alembic import op
import sqlalchemy as sa

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("added_later", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("added_later")
"""


def test_existing_database_is_copied_before_it_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / DB_FILE
    engine = create_sqlite_engine(db)
    upgrade_to_head(engine, db)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO counters (name, value) VALUES ('kept', 41)")

    # A newer release: the same migrations plus one more revision.
    newer = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, newer, ignore=shutil.ignore_patterns("__pycache__"))
    (newer / "versions" / "9999_added_later.py").write_text(
        NEXT_REVISION.format(head=head_revision())
    )
    monkeypatch.setattr(migrate, "MIGRATIONS", newer)

    backup = upgrade_to_head(engine, db)

    assert backup is not None
    assert backup.exists()
    assert current_revision(engine) == "9999"
    assert "added_later" in inspect(engine).get_table_names()
    copy = sqlite3.connect(backup)
    try:
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        assert "added_later" not in tables  # the copy is the state before migrating
        assert copy.execute("SELECT value FROM counters WHERE name='kept'").fetchone() == (41,)
    finally:
        copy.close()
    engine.dispose()


def test_every_connection_has_wal_and_foreign_keys(workspace: Workspace) -> None:
    with workspace.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    raw = sqlite3.connect(workspace.db_path)
    try:
        # The WAL mode is persistent in the file itself.
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
