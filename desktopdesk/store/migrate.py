"""Bring a store's schema to head with Alembic, copying the file first.

The schema changes only through migrations; before one runs on an existing database the
file is copied beside it (SQLite's online backup, so a WAL-mode file copies consistently),
so a failed or regretted upgrade can be undone by hand.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

log = logging.getLogger("desktopdesk.store")

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine, db_path: Path | None) -> Path | None:
    """Migrate to head; return the backup made first, if there was anything to back up."""
    current = current_revision(engine)
    if current == head_revision():
        return None
    backup = None
    if current is not None and db_path is not None and db_path.exists():
        backup = db_path.with_name(f"{db_path.name}.before-{head_revision()}.bak")
        _copy_database(db_path, backup)
        log.info("copied %s to %s before migrating from %s", db_path, backup, current)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    log.info("schema now at %s", head_revision())
    return backup


def _copy_database(source: Path, target: Path) -> None:
    # sqlite3's context manager only commits; closing() really closes both files.
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
