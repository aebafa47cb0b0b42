"""The store and the domain on PostgreSQL: same schema, same results, safe under concurrency.

The shared server may run on PostgreSQL while every desktop runs on SQLite, and both apply
the same commands; these tests prove the PostgreSQL side does exactly what the SQLite side
does, and that the change sequence orders concurrent writers the way ``sync.md`` relies on
(the counter row is locked until commit, so commit order equals version order).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import StatementError

from desktopdesk.domain import queries
from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.apply import apply
from desktopdesk.domain.commands import (
    AddCustomField,
    ChangeSetting,
    CreateGroup,
    CreateTicket,
)
from desktopdesk.domain.counters import TICKET_NUMBER
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import (
    Base,
    CommandLogEntry,
    Counter,
    CustomField,
    Priority,
    SettingValue,
    Status,
    Ticket,
    User,
)
from desktopdesk.store.bootstrap import initialise_workspace
from desktopdesk.store.demo import seed_demo
from desktopdesk.store.engine import create_engine_for_url
from desktopdesk.store.migrate import current_revision, head_revision, upgrade_to_head
from desktopdesk.store.workspace import Workspace
from tests import postgres_server
from tests.postgres_server import PostgresUnavailableError, find_bindir
from tests.store.test_demo import TODAY, canonical_dump, seeded

NOW = dt.datetime(2026, 5, 4, 10, 30, tzinfo=dt.UTC)
#: Generous: only reached when something is wrong (a lost wake-up, a deadlock).
WAIT_S = 30


@pytest.fixture
def pg_workspace(tmp_path: Path, pg_url: str) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path / "pg", db_url=pg_url)
    yield ws
    ws.close()


def support_desk(ws: Workspace) -> tuple[uuid.UUID, uuid.UUID]:
    """The smallest workspace that files tickets: its admin and one group."""
    admin = initialise_workspace(ws)
    group = ws.execute(CreateGroup(name="Support"), admin, now=NOW).created_id
    assert group is not None
    return admin, group


def refused_create(group: uuid.UUID, title: str) -> CreateTicket:
    """A ticket refused only after its number was drawn (the linked asset does not exist)."""
    return CreateTicket(title=title, group_id=group, inventory_object_ids=(uuid.uuid4(),))


def run_refused(ws: Workspace, command: CreateTicket, actor: uuid.UUID) -> None:
    with pytest.raises(DomainError, match="inventory object"):
        ws.execute(command, actor)


# --- The harness ---------------------------------------------------------------------------


def test_without_binaries_the_harness_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixture turns this into a visible skip; it must never pass silently."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(postgres_server, "DEBIAN_GLOB", f"{tmp_path}/*/bin")
    with pytest.raises(PostgresUnavailableError, match="no initdb"):
        find_bindir()


# --- (a) Schema ----------------------------------------------------------------------------


def test_upgrading_an_empty_database_matches_the_models(pg_url: str) -> None:
    engine = create_engine_for_url(pg_url)
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.driver == "psycopg"
        assert upgrade_to_head(engine, None) is None  # nothing to back up: PG has its own
        with engine.connect() as connection:
            diff = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}),
                Base.metadata,
            )
        assert diff == []
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
        assert upgrade_to_head(engine, None) is None  # at head: a no-op
    finally:
        engine.dispose()


def test_constraint_names_survive_postgres_unshortened(pg_url: str) -> None:
    """PostgreSQL cuts names at 63 bytes without an error; migrations find them by name.

    ``compare_metadata`` does not compare foreign-key names, so they are checked here.
    """
    expected = {
        str(item.name)
        for table in Base.metadata.tables.values()
        for item in (*table.constraints, *table.indexes)
    }
    engine = create_engine_for_url(pg_url)
    try:
        assert max(map(len, expected)) <= engine.dialect.max_identifier_length
        upgrade_to_head(engine, None)
        with engine.connect() as conn:
            constraints = conn.execute(text(
                "SELECT conname FROM pg_constraint c JOIN pg_namespace n "
                "ON n.oid = c.connamespace WHERE n.nspname = 'public'")).scalars()
            indexes = conn.execute(text(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).scalars()
            found = {*constraints, *indexes} - {"alembic_version_pkc"}
    finally:
        engine.dispose()
    assert found == expected


# --- (b) The whole command surface: the demo -----------------------------------------------


def visible_rows(ws: Workspace) -> dict[str, list[dict[str, Any]]]:
    """What each demo user's ticket list shows, row ids left out (they differ per store)."""
    shown: dict[str, list[dict[str, Any]]] = {}
    with ws.read() as session:
        for user_id, username in session.execute(select(User.id, User.username)):
            perms = load_permissions(session, user_id)
            rows = queries.ticket_page(session, perms, offset=0, limit=500, order_by="number",
                                       descending=False)
            assert len(rows) == queries.count_visible_tickets(session, perms)
            shown[username] = [
                {k: v for k, v in dataclasses.asdict(row).items() if k != "id"} for row in rows
            ]
    return shown


def order_free(dump: dict[str, Any]) -> dict[str, Any]:
    """The dump with rows that share a timestamp in a fixed order.

    Within one instant the dump orders by row id, and row ids are new in every store, so
    only the sets of such rows can be compared between two stores.
    """
    tickets = [
        {**ticket, "history": sorted(ticket["history"], key=repr),
         "workunits": sorted(ticket["workunits"], key=repr)}
        for ticket in dump["tickets"]
    ]
    return {**dump, "tickets": tickets}


def test_the_demo_seeds_on_postgres_exactly_as_on_sqlite(
    pg_workspace: Workspace, tmp_path: Path
) -> None:
    seed_demo(pg_workspace, seed=2026, today=TODAY)
    with seeded(tmp_path / "sqlite") as lite:
        expected, expected_rows = order_free(canonical_dump(lite)), visible_rows(lite)
    got = order_free(canonical_dump(pg_workspace))
    # Spot checks first, so a difference reads as a story before the full comparison.
    assert [t["ticket"][:4] for t in got["tickets"]] == [
        t["ticket"][:4] for t in expected["tickets"]]
    assert len(got["log"]) == len(expected["log"])
    assert got == expected
    assert visible_rows(pg_workspace) == expected_rows


# --- (c) Concurrency -----------------------------------------------------------------------


def in_threads(*jobs: Callable[[], None]) -> None:
    """Run the jobs at the same moment, one thread each; re-raise the first failure."""
    barrier = threading.Barrier(len(jobs))

    def start_together(job: Callable[[], None]) -> None:
        barrier.wait(WAIT_S)
        job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(start_together, job) for job in jobs]
        for future in futures:
            future.result(WAIT_S * 4)


def test_concurrent_writers_get_distinct_numbers_and_versions_in_commit_order(
    pg_workspace: Workspace,
) -> None:
    admin, group = support_desk(pg_workspace)
    per_thread = 12

    def writer(name: str) -> Callable[[], None]:
        def job() -> None:
            for i in range(per_thread):
                pg_workspace.execute(CreateTicket(title=f"{name} {i}", group_id=group), admin)
                # Every other attempt is refused after drawing a number: none may be lost.
                if i % 2:
                    run_refused(pg_workspace, refused_create(group, f"{name} refused {i}"), admin)
        return job

    in_threads(writer("left"), writer("right"))

    with pg_workspace.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT number, version, pg_xact_commit_timestamp(xmin) AS committed_at "
            "FROM tickets ORDER BY version"
        )).all()
        counter = conn.execute(text("SELECT value FROM counters WHERE name = :n"),
                               {"n": TICKET_NUMBER}).scalar_one()
    created = 2 * per_thread
    assert sorted(r.number for r in rows) == list(range(1, created + 1))  # no gaps, no repeats
    assert counter == created  # refusals rolled their numbers back
    assert len({r.version for r in rows}) == created
    # Version order is number order is commit order: the counter rows serialise writers.
    assert [r.number for r in rows] == list(range(1, created + 1))
    commits = [r.committed_at for r in rows]
    assert all(c is not None for c in commits)
    assert commits == sorted(commits)
    assert len(set(commits)) == created


def wait_for_lock_waiters(engine: Engine, count: int) -> None:
    """Until ``count`` sessions of this database are blocked on a lock (the counter row)."""
    deadline = time.monotonic() + WAIT_S
    with engine.connect() as conn:
        while True:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )).scalar_one()
            conn.rollback()  # a fresh snapshot of pg_stat_activity on the next read
            if waiting >= count:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"only {waiting} of {count} sessions ever waited")
            time.sleep(0.02)


def test_a_writer_waits_for_the_one_ahead_to_commit(pg_workspace: Workspace) -> None:
    admin, group = support_desk(pg_workspace)
    holding, release = threading.Event(), threading.Event()

    def first() -> uuid.UUID | None:
        """Applies and then holds its transaction open until told to commit."""
        with pg_workspace.sessions.begin() as session:
            result = apply(session, CreateTicket(title="First", group_id=group), admin,
                           pg_workspace.context())
            holding.set()
            assert release.wait(WAIT_S)
        return result.created_id

    with ThreadPoolExecutor(3) as pool:
        first_done = pool.submit(first)
        assert holding.wait(WAIT_S)
        second_done = pool.submit(
            pg_workspace.execute, CreateTicket(title="Second", group_id=group), admin)
        refused_done = pool.submit(
            run_refused, pg_workspace, refused_create(group, "Refused"), admin)
        wait_for_lock_waiters(pg_workspace.engine, 2)
        assert not second_done.done()
        assert not refused_done.done()
        release.set()
        first_id = first_done.result(WAIT_S)
        second_id = second_done.result(WAIT_S).created_id
        refused_done.result(WAIT_S)

    last = pg_workspace.execute(CreateTicket(title="Last", group_id=group), admin).created_id
    with pg_workspace.read() as session:
        one, two, three = (session.get(Ticket, i) for i in (first_id, second_id, last))
        assert one is not None
        assert two is not None
        assert three is not None
        assert one.version is not None
        assert two.version is not None
        assert three.version is not None
        assert (one.number, two.number, three.number) == (1, 2, 3)
        assert one.version < two.version < three.version
        assert session.scalar(select(Counter.value).where(Counter.name == TICKET_NUMBER)) == 3


# --- (d) Types -----------------------------------------------------------------------------


def test_values_round_trip_and_codes_are_stored_as_integers(pg_workspace: Workspace) -> None:
    admin, group = support_desk(pg_workspace)
    madrid = dt.timezone(dt.timedelta(hours=2))
    at = dt.datetime(2026, 7, 1, 14, 30, 15, 123456, tzinfo=madrid)
    create = CreateTicket(title="Types", group_id=group, priority=Priority.SERIOUS,
                          emails_in_copy=("ana@example.com", "Bob@Example.com"))
    ticket_id = pg_workspace.execute(create, admin, now=at).created_id
    field_id = pg_workspace.execute(AddCustomField(
        ticket_type_id=None, label="Impact", kind="combo", options=("", "Low", "High «ñ»")),
        admin, now=at).created_id
    pg_workspace.execute(ChangeSetting(key="max_search_results", value=250), admin, now=at)

    with pg_workspace.read() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert isinstance(ticket.id, uuid.UUID)
        assert ticket.id == ticket_id
        assert ticket.created_at == at
        assert ticket.created_at.tzinfo is dt.UTC
        assert ticket.created_at.hour == 12
        assert ticket.status is Status.NEW
        assert ticket.priority is Priority.SERIOUS
        assert ticket.emails_in_copy == ["ana@example.com", "Bob@example.com"]
        field = session.get(CustomField, field_id)
        assert field is not None
        assert field.options == ["", "Low", "High «ñ»"]
        setting = session.scalar(select(SettingValue).where(
            SettingValue.key == "max_search_results"))
        assert setting is not None
        assert setting.value == 250
        logged = session.get(CommandLogEntry, create.command_id)
        assert logged is not None
        assert logged.payload == create.to_json()
        assert logged.applied_at == at

    with pg_workspace.engine.connect() as conn:
        raw = conn.execute(text(
            "SELECT id, created_at, status, priority, resolution, emails_in_copy, "
            "pg_typeof(id)::text AS id_type, pg_typeof(created_at)::text AS at_type, "
            "pg_typeof(status)::text AS status_type, "
            "json_typeof(emails_in_copy) AS emails_type FROM tickets WHERE id = :id"
        ), {"id": ticket_id}).one()
    assert (raw.id_type, raw.at_type, raw.status_type, raw.emails_type) == (
        "uuid", "timestamp without time zone", "integer", "array")
    assert raw.id == ticket_id
    assert raw.created_at == dt.datetime(2026, 7, 1, 12, 30, 15, 123456)  # naive UTC
    assert (raw.status, raw.priority, raw.resolution) == (1, 3, 0)
    assert all(type(code) is int for code in (raw.status, raw.priority, raw.resolution))
    assert raw.emails_in_copy == ["ana@example.com", "Bob@example.com"]


def test_naive_datetimes_are_refused_before_reaching_postgres(pg_workspace: Workspace) -> None:
    """Without the zone, PostgreSQL would silently read a local time as UTC."""
    admin, _ = support_desk(pg_workspace)
    with pg_workspace.sessions() as session:
        user = session.get(User, admin)
        assert user is not None
        user.updated_at = dt.datetime(2026, 7, 1, 12, 0)
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()
        session.rollback()


def test_two_first_uses_of_a_counter_at_once_both_succeed(pg_url: str, tmp_path: Path) -> None:
    """The very first value of a counter is an INSERT: racing writers must not collide."""
    from desktopdesk.domain.counters import next_value

    with Workspace.open(tmp_path, db_url=pg_url) as ws:
        barrier = threading.Barrier(2)

        def first_value() -> int:
            with ws.sessions.begin() as session:
                session.execute(text("SELECT 1"))
                barrier.wait(timeout=10)
                return next_value(session, "brand_new")

        with ThreadPoolExecutor(2) as pool:
            values = sorted(pool.map(lambda _: first_value(), range(2)))

    assert values == [1, 2]
