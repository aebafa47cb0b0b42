"""Planner statistics are made when a store has grown big, and only then."""

from __future__ import annotations

from sqlalchemy import text

from desktopdesk.domain.commands import CreateTicket
from desktopdesk.store.planner_stats import SMALL_STORE, refresh_if_stale
from tests.conftest import Org


def _copies(org: Org, count: int) -> None:
    """``count`` more tickets like the first one (plain SQL: the volume is the point)."""
    with org.ws.engine.connect() as connection:
        columns = [row[1] for row in connection.exec_driver_sql("PRAGMA table_info(tickets)")]
    rest = ", ".join(c for c in columns if c not in ("id", "number"))
    with org.ws.engine.begin() as connection:
        connection.execute(text(
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
            f"INSERT INTO tickets (id, number, {rest}) "
            f"SELECT lower(hex(randomblob(16))), NULL, {rest} FROM n, "
            f"(SELECT * FROM tickets LIMIT 1)"), {"count": count})


def analysed(org: Org) -> bool:
    with org.ws.engine.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")) and
            connection.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tickets'")))


def test_statistics_follow_the_store_as_it_grows(org: Org) -> None:
    org.do(CreateTicket(title="Seed", group_id=org.support), org.javi)
    assert not refresh_if_stale(org.ws.engine)  # small: any plan is fast
    _copies(org, SMALL_STORE)
    assert refresh_if_stale(org.ws.engine)
    assert analysed(org)
    assert not refresh_if_stale(org.ws.engine)  # fresh: nothing to do
    _copies(org, 2 * SMALL_STORE)
    assert refresh_if_stale(org.ws.engine)  # tripled since: made again
