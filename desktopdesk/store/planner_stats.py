"""SQLite's query planner statistics (``ANALYZE``), refreshed when the store has grown.

Without them SQLite guesses every index picks out ten rows, and on a big store it
guesses wrong: measured on a million tickets, the ticket list's first page took 0.4 s
instead of 15 ms (it joined and sorted every ticket a technician may see instead of
walking the sort index), and a list of closed tickets 2.9 s instead of 9 ms. A full
``ANALYZE`` of that store takes under two seconds (``PRAGMA analysis_limit`` sampling
is faster still but its estimates led the planner astray), so it is run when the
statistics are missing or the tickets have doubled or halved since they were made.
Checking is cheap (two index lookups). PostgreSQL keeps its own (autovacuum).
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Connection, Engine, text

log = logging.getLogger("desktopdesk.store")

#: Below this many tickets any plan is fast; stats are only refreshed beyond it.
SMALL_STORE = 5_000


def has_statistics(connection: Connection) -> bool:
    """Whether ``ANALYZE`` ever ran on this database (PostgreSQL always has some)."""
    if connection.dialect.name != "sqlite":
        return True
    return bool(connection.scalar(text(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")))


def analyse(connection: Connection) -> None:
    """A full ``ANALYZE`` (see the module docstring for why not a sampled one)."""
    connection.exec_driver_sql("ANALYZE")


def _analysed_rows(connection: Connection) -> int | None:
    """How many tickets there were at the last ANALYZE (None: never analysed)."""
    if not has_statistics(connection):
        return None
    stat = connection.scalar(text(
        "SELECT stat FROM sqlite_stat1 WHERE tbl = 'tickets' AND stat IS NOT NULL LIMIT 1"))
    return int(str(stat).split()[0]) if stat else None


def statistics_are_stale(connection: Connection) -> bool:
    # max(rowid) is an index lookup, not a count: a good enough size for "has it doubled".
    rows = connection.scalar(text("SELECT max(rowid) FROM tickets")) or 0
    if rows < SMALL_STORE:
        return False
    analysed = _analysed_rows(connection)
    return analysed is None or not analysed / 2 <= rows <= analysed * 2


def refresh_if_stale(engine: Engine) -> bool:
    """Run ``ANALYZE`` if the store is big and its statistics are missing or old."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as connection:
        if not statistics_are_stale(connection):
            return False
    started = time.monotonic()
    with engine.begin() as connection:
        analyse(connection)
    log.info("refreshed the query planner's statistics in %.1f s",
             time.monotonic() - started)
    return True
