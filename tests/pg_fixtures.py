"""Pytest fixtures for PostgreSQL: one throwaway server per test process, a database per test.

Registered from ``tests/conftest.py`` as a plugin. Under pytest-xdist every worker is its
own process, so each starts its own server in its own temporary folder on its own port:
no shared state, no collisions. Where PostgreSQL is not installed the tests that need it
are skipped with the reason shown in the summary (``-ra``), never passed silently.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.postgres_server import PostgresServer, PostgresUnavailableError, start_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """The running server, stopped (and its files removed) at session end, pass or fail."""
    try:
        server = start_server()
    except PostgresUnavailableError as exc:
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database for this test (``postgresql+psycopg://`` URL), dropped after.

    The server is session-wide; the database is per test so tests stay isolated. Dropped
    with FORCE, so a connection a failing test left open cannot keep it alive.
    """
    url = pg_server.create_database()
    try:
        yield url
    finally:
        pg_server.drop_database(url)
