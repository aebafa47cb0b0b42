"""Scheduled jobs: once per period across instances, failures recorded, real housekeeping.

The race tests run two runners in two threads, each with its own engine (as two server
instances would), against one database: PostgreSQL through its advisory lock, SQLite
through its write lock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from desktopdesk.domain import workflow
from desktopdesk.domain.auto_close import CLOSABLE_STATUSES
from desktopdesk.domain.commands import AddWorkunit, ChangeSetting, SetStatusMapping
from desktopdesk.models import ApiToken, LoginFailure, Resolution, Status, Ticket, Workunit
from desktopdesk.server.app import create_app, open_server
from desktopdesk.server.config import AuthSettings, ServerConfig
from desktopdesk.server.jobs import (
    JOBS,
    Job,
    JobContext,
    JobReport,
    JobRunner,
    Outcome,
    info_key,
    lock_key,
    run_due_jobs,
    run_job,
)
from desktopdesk.server.partial_uploads import PARTIAL_DIR
from desktopdesk.store.engine import create_engine_for_url
from desktopdesk.store.planner_stats import has_statistics
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import DEMO_TODAY, FakeClock, user_id

HOUR = dt.timedelta(hours=1)
JOB_BY_NAME = {job.name: job for job in JOBS}


@pytest.fixture
def workspace(server_config: ServerConfig) -> Iterator[Workspace]:
    """The copied demo server's store, opened as the server opens it (no app running)."""
    with Workspace.open(server_config.data_dir, server_config.database_url) as store:
        yield store


def counting_job(calls: list[dt.datetime], *, name: str = "count", pause_s: float = 0.0,
                 period: dt.timedelta = HOUR) -> Job:
    """A job that notes each run (and can take a while, to let a rival arrive meanwhile)."""

    def run(context: JobContext) -> str:
        calls.append(context.now)
        time.sleep(pause_s)
        return f"run {len(calls)}"

    return Job(name, period, run)


def info(store: Workspace, job_name: str, fact: str) -> str | None:
    return store.info(info_key(job_name, fact))


def race(runners: list[Workspace], config: ServerConfig, job: Job, now: dt.datetime,
         attempts: int, on_report: Callable[[JobReport], None] = lambda _: None
         ) -> list[JobReport]:
    """Every runner tries ``job`` ``attempts`` times at once, each in its own thread."""
    reports: list[JobReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(runners))

    def tick(store: Workspace) -> None:
        try:
            start.wait()
            for _ in range(attempts):
                report = run_job(store, config, now, job)
                reports.append(report)
                on_report(report)
        except BaseException as error:  # surfaced in the test thread below
            errors.append(error)

    threads = [threading.Thread(target=tick, args=(store,)) for store in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return reports


# --- Once per period, across instances --------------------------------------------------


def test_two_instances_on_postgresql_run_a_job_once_per_period(
    pg_url: str, tmp_path: Path
) -> None:
    config = ServerConfig(data_dir=tmp_path / "server", db_url=pg_url)
    Workspace.open(config.data_dir, pg_url).close()  # the schema, as the first start makes it
    instances = [Workspace(config.data_dir, create_engine_for_url(pg_url)) for _ in range(2)]
    calls: list[dt.datetime] = []
    rival_turned_away = threading.Event()

    def hold_until_a_rival_is_turned_away(context: JobContext) -> str:
        calls.append(context.now)
        rival_turned_away.wait(10)  # without the lock the rival would run it meanwhile
        return "held"

    def note(report: JobReport) -> None:
        if report.outcome is Outcome.BUSY:
            rival_turned_away.set()

    job = Job("count", HOUR, hold_until_a_rival_is_turned_away)
    try:
        first = race(instances, config, job, DEMO_TODAY, attempts=25, on_report=note)
        assert calls == [DEMO_TODAY]
        outcomes = [report.outcome for report in first]
        assert outcomes.count(Outcome.RAN) == 1
        assert Outcome.BUSY in outcomes
        assert set(outcomes) <= {Outcome.RAN, Outcome.BUSY, Outcome.NOT_DUE}

        # Next period, once more exactly once (a quick job: mostly "not due" for the rival).
        later = DEMO_TODAY + HOUR
        race(instances, config, counting_job(calls), later, attempts=25)
        assert calls == [DEMO_TODAY, later]
        assert info(instances[0], "count", "last_run") == later.isoformat()
    finally:
        for store in instances:
            store.close()


def test_a_job_locked_by_another_instance_is_skipped_even_when_due(
    pg_url: str, tmp_path: Path
) -> None:
    config = ServerConfig(data_dir=tmp_path / "server", db_url=pg_url)
    calls: list[dt.datetime] = []
    with Workspace.open(config.data_dir, pg_url) as store, store.engine.connect() as rival:
        rival.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key("count")})
        report = run_job(store, config, DEMO_TODAY, counting_job(calls))
        assert report.outcome is Outcome.BUSY
        assert calls == []
        rival.rollback()  # the rival's transaction ends: its lock goes with it
        assert run_job(store, config, DEMO_TODAY, counting_job(calls)).outcome is Outcome.RAN
        assert calls == [DEMO_TODAY]


def test_two_runners_on_one_sqlite_file_run_a_job_once(
    server_config: ServerConfig, workspace: Workspace
) -> None:
    rival = Workspace(workspace.data_dir, create_engine_for_url(server_config.database_url))
    calls: list[dt.datetime] = []
    try:
        race([workspace, rival], server_config, counting_job(calls, pause_s=0.05), DEMO_TODAY,
             attempts=20)
    finally:
        rival.close()
    assert calls == [DEMO_TODAY]


def test_a_job_not_yet_due_is_skipped(server_config: ServerConfig, workspace: Workspace) -> None:
    calls: list[dt.datetime] = []
    job = counting_job(calls)
    assert run_job(workspace, server_config, DEMO_TODAY, job).outcome is Outcome.RAN
    almost = DEMO_TODAY + HOUR - dt.timedelta(seconds=1)
    assert run_job(workspace, server_config, almost, job).outcome is Outcome.NOT_DUE
    assert run_job(workspace, server_config, DEMO_TODAY + HOUR, job).outcome is Outcome.RAN
    assert calls == [DEMO_TODAY, DEMO_TODAY + HOUR]
    assert (info(workspace, "count", "last_outcome") or "").startswith("ok in ")


def test_a_failing_job_is_recorded_undone_and_does_not_stop_the_next(
    server_config: ServerConfig, workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    def set_fire(context: JobContext) -> str:
        ticket = context.session.scalars(select(Ticket).where(Ticket.number == 1)).one()
        ticket.title = "half done"
        context.session.flush()
        raise RuntimeError("disk on fire")

    calls: list[dt.datetime] = []
    jobs = [Job("fire", dt.timedelta(days=1), set_fire), counting_job(calls)]
    reports = run_due_jobs(workspace, server_config, DEMO_TODAY, jobs)

    assert [(r.name, r.outcome) for r in reports] == [("fire", Outcome.FAILED),
                                                      ("count", Outcome.RAN)]
    assert reports[0].detail == "RuntimeError: disk on fire"
    assert info(workspace, "fire", "last_outcome") == "failed: RuntimeError: disk on fire"
    assert info(workspace, "fire", "last_run") == DEMO_TODAY.isoformat()
    assert "disk on fire" in caplog.text  # logged with its traceback
    with workspace.read() as session:  # the failed job's own changes were undone
        title = session.scalars(select(Ticket.title).where(Ticket.number == 1)).one()
    assert title != "half done"
    assert calls == [DEMO_TODAY]

    # Tried again after a while, not at every tick and not only tomorrow.
    soon = run_due_jobs(workspace, server_config, DEMO_TODAY + dt.timedelta(minutes=1), jobs)
    assert soon[0].outcome is Outcome.NOT_DUE
    retry = run_due_jobs(workspace, server_config, DEMO_TODAY + dt.timedelta(minutes=15), jobs)
    assert retry[0].outcome is Outcome.FAILED


def test_a_job_whose_recording_fails_does_not_stop_the_next(
    server_config: ServerConfig, workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    def break_transaction(context: JobContext) -> str:
        context.session.rollback()  # leaves nothing to record the outcome in
        return "done?"

    calls: list[dt.datetime] = []
    reports = run_due_jobs(workspace, server_config, DEMO_TODAY,
                           [Job("breaker", HOUR, break_transaction), counting_job(calls)])
    assert [r.outcome for r in reports] == [Outcome.FAILED, Outcome.RAN]
    assert calls == [DEMO_TODAY]
    assert "breaker" in caplog.text


def test_job_names_must_fit_the_bookkeeping_keys() -> None:
    def nothing(_context: JobContext) -> str:
        return ""

    with pytest.raises(ValueError, match="at most 40"):
        Job("x" * 41, HOUR, nothing)
    with pytest.raises(ValueError, match="at most 40"):
        Job("Spaces are not allowed", HOUR, nothing)
    with pytest.raises(ValueError, match="positive period"):
        Job("never", dt.timedelta(0), nothing)
    assert len(info_key("x" * 40, "last_outcome")) <= 60
    assert lock_key("purge-tokens") == lock_key("purge-tokens") != lock_key("other")
    assert -(2**63) <= lock_key("purge-tokens") < 2**63


# --- The runner in the app --------------------------------------------------------------


def job_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == JobRunner.THREAD_NAME]


def wait_for(condition: Callable[[], bool], timeout_s: float = 15) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_app_runs_the_jobs_while_it_lives_and_stops_the_thread(
    server_config: ServerConfig, clock: FakeClock
) -> None:
    config = dataclasses.replace(server_config, jobs_interval_s=1)
    assert job_threads() == []
    with TestClient(create_app(config, clock=clock)) as client:
        assert len(job_threads()) == 1
        store = client.app.state.server.workspace  # type: ignore[attr-defined]
        assert wait_for(lambda: all(info(store, job.name, "last_run") for job in JOBS))
        assert {info(store, job.name, "last_run") for job in JOBS} == {clock().isoformat()}
    assert job_threads() == []


def test_an_interval_of_zero_runs_no_jobs(server_config: ServerConfig, clock: FakeClock) -> None:
    assert server_config.jobs_interval_s == 0  # how the test configuration runs
    with TestClient(create_app(server_config, clock=clock)):
        assert job_threads() == []


def test_the_runner_keeps_ticking_when_a_tick_fails(
    server_config: ServerConfig, workspace: Workspace
) -> None:
    ticks: list[int] = []

    def flaky_clock() -> dt.datetime:
        ticks.append(1)
        if len(ticks) == 1:
            raise OSError("clock unavailable")
        return DEMO_TODAY

    calls: list[dt.datetime] = []
    runner = JobRunner(workspace, server_config, flaky_clock, interval_s=0.05,
                       jobs=[counting_job(calls)])
    runner.start()
    try:
        assert wait_for(lambda: calls == [DEMO_TODAY])
    finally:
        runner.stop()
    assert job_threads() == []


# --- The real jobs ------------------------------------------------------------------------


def run_named(workspace: Workspace, config: ServerConfig, name: str,
              now: dt.datetime = DEMO_TODAY) -> JobReport:
    report = run_job(workspace, config, now, JOB_BY_NAME[name])
    assert report.outcome is Outcome.RAN, report
    return report


def test_old_expired_and_revoked_tokens_are_purged_and_the_rest_kept(
    server_config: ServerConfig, workspace: Workspace
) -> None:
    owner = user_id(workspace, "ramon")
    now = DEMO_TODAY
    days = dt.timedelta(days=1)
    tokens = {
        "live": dict(expires_at=now + HOUR),
        "expired yesterday": dict(expires_at=now - days),
        "expired long ago": dict(expires_at=now - 31 * days),
        "revoked yesterday": dict(expires_at=now + HOUR, revoked_at=now - days),
        "revoked long ago": dict(expires_at=now + HOUR, revoked_at=now - 31 * days),
    }
    with workspace.sessions.begin() as session:
        for label, times in tokens.items():
            session.add(ApiToken(token_sha256=uuid.uuid4().hex * 2, user_id=owner,
                                 client_label=label, created_at=now - 40 * days, **times))
    report = run_named(workspace, server_config, "purge-tokens")
    assert report.detail == "2 old token(s) deleted"
    with workspace.read() as session:
        left = set(session.scalars(select(ApiToken.client_label)))
    assert left == {"live", "expired yesterday", "revoked yesterday"}


def test_login_failures_outside_every_window_are_pruned(
    server_config: ServerConfig, workspace: Workspace
) -> None:
    config = dataclasses.replace(server_config, auth=AuthSettings(
        login_window=dt.timedelta(minutes=15), address_window=dt.timedelta(minutes=60)))
    minutes = dt.timedelta(minutes=1)
    with workspace.sessions.begin() as session:
        for key, age in [("tomas", 10), ("tomas", 30), ("IP:192.0.2.7", 59),
                         ("IP:192.0.2.7", 61)]:
            session.add(LoginFailure(username=key, at=DEMO_TODAY - age * minutes))
    run_named(workspace, config, "prune-login-failures")
    with workspace.read() as session:
        left = sorted((row.username, row.at) for row in session.scalars(select(LoginFailure)))
    # The address window is the longest: anything younger may still count somewhere.
    assert left == [("IP:192.0.2.7", DEMO_TODAY - 59 * minutes),
                    ("tomas", DEMO_TODAY - 30 * minutes),
                    ("tomas", DEMO_TODAY - 10 * minutes)]


def test_abandoned_partial_uploads_are_removed_and_fresh_ones_kept(
    server_config: ServerConfig, workspace: Workspace
) -> None:
    root = workspace.data_dir / PARTIAL_DIR
    two_days_ago = time.time() - 2 * 24 * 3600
    files: dict[str, Path] = {}
    for owner, age in [("alice", "old"), ("bob", "old"), ("bob", "fresh")]:
        folder = root / uuid.uuid5(uuid.NAMESPACE_OID, owner).hex
        folder.mkdir(parents=True, exist_ok=True)
        sha = (owner + age).encode().hex().ljust(64, "0")
        for suffix in (".part", ".length"):
            path = folder / f"{sha}{suffix}"
            path.write_bytes(b"12")
            if age == "old":
                os.utime(path, (two_days_ago, two_days_ago))
            files[f"{owner} {age}{suffix}"] = path
    report = run_named(workspace, server_config, "clean-partial-uploads")
    assert report.detail == "4 abandoned upload file(s) deleted"
    assert {name for name, path in files.items() if path.exists()} == {
        "bob fresh.part", "bob fresh.length"}


def test_a_server_without_partial_uploads_cleans_nothing(
    server_config: ServerConfig, workspace: Workspace
) -> None:
    assert not (workspace.data_dir / PARTIAL_DIR).exists()
    report = run_named(workspace, server_config, "clean-partial-uploads")
    assert report.detail == "0 abandoned upload file(s) deleted"


def _statistics_rows(store: Workspace) -> int | None:
    with store.read() as session:
        if not has_statistics(session.connection()):
            return None
        return int(session.scalar(text("SELECT count(*) FROM sqlite_stat1")) or 0)


def test_planner_statistics_are_refreshed_by_their_job(
    server_config: ServerConfig, workspace: Workspace
) -> None:
    with workspace.sessions.begin() as session:
        session.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
    assert _statistics_rows(workspace) is None
    report = run_named(workspace, server_config, "refresh-planner-statistics")
    assert report.outcome is Outcome.RAN
    # One row per index of a non-empty table: the demo server has tickets.
    assert (_statistics_rows(workspace) or 0) > 0


def test_a_server_first_started_on_a_filled_database_analyses_it(
    server_config: ServerConfig
) -> None:
    with Workspace.open(server_config.data_dir, server_config.database_url) as store, \
            store.sessions.begin() as session:
        session.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
    state = open_server(server_config)
    try:
        assert (_statistics_rows(state.workspace) or 0) > 0
    finally:
        state.workspace.close()


# --- Auto-close -----------------------------------------------------------------------------

#: A month after the demo's last day: every ticket still open has been idle for weeks.
LATER = DEMO_TODAY + dt.timedelta(days=30)


def _idle_open_tickets(store: Workspace, cutoff: dt.datetime) -> dict[uuid.UUID, Status]:
    with store.read() as session:
        return {ticket_id: Status(status) for ticket_id, status in session.execute(
            select(Ticket.id, Ticket.status).where(Ticket.status.in_(CLOSABLE_STATUSES),
                                                   Ticket.updated_at < cutoff))}


def test_idle_tickets_are_closed_as_expired_once_a_day(
    server_config: ServerConfig, workspace: Workspace
) -> None:
    admin = user_id(workspace, "admin")
    workspace.execute(ChangeSetting(key="auto_close_days", value=20), admin, now=DEMO_TODAY)
    cutoff = LATER - dt.timedelta(days=20)
    recent, *_ = _idle_open_tickets(workspace, cutoff)
    with workspace.read() as session:
        owner = session.scalars(select(Ticket.owner_id).where(Ticket.id == recent)).one()
    workspace.execute(AddWorkunit(ticket_id=recent, text_html="<p>Still on it</p>"), owner,
                      now=LATER - dt.timedelta(days=5))
    idle = _idle_open_tickets(workspace, cutoff)
    assert idle
    assert recent not in idle
    with workspace.read() as session:
        untouched = {t.id: (t.status, t.updated_at) for t in session.scalars(
            select(Ticket).where(Ticket.id.not_in(list(idle))))}

    report = run_named(workspace, server_config, "auto-close-idle-tickets", LATER)

    assert report.detail == f"{len(idle)} idle ticket(s) closed"
    with workspace.read() as session:
        for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(list(idle)))):
            assert (ticket.status, ticket.resolution) == (Status.CLOSED, Resolution.EXPIRED)
            assert ticket.closed_by_id == ticket.owner_id
            note = session.scalars(select(Workunit).where(
                Workunit.ticket_id == ticket.id).order_by(Workunit.created_at.desc())).first()
            assert note is not None
            assert note.author_id == ticket.owner_id
            assert "nobody updated this ticket for 20 days" in note.text_html
        assert {t.id: (t.status, t.updated_at) for t in session.scalars(
            select(Ticket).where(Ticket.id.not_in(list(idle))))} == untouched
    assert run_job(workspace, server_config, LATER + HOUR,
                   JOB_BY_NAME["auto-close-idle-tickets"]).outcome is Outcome.NOT_DUE
    tomorrow = run_named(workspace, server_config, "auto-close-idle-tickets",
                         LATER + dt.timedelta(days=1))
    assert tomorrow.detail == "0 idle ticket(s) closed"


def test_a_ticket_the_mapping_keeps_open_does_not_undo_the_others(
    server_config: ServerConfig, workspace: Workspace
) -> None:
    admin = user_id(workspace, "admin")
    workspace.execute(ChangeSetting(key="auto_close_days", value=20), admin, now=DEMO_TODAY)
    workspace.execute(SetStatusMapping(transitions=workflow.manual_example()), admin,
                      now=DEMO_TODAY)
    idle = _idle_open_tickets(workspace, LATER - dt.timedelta(days=20))
    ready = {t for t, status in idle.items() if status is Status.PENDING_TO_BE_CLOSED}
    kept = set(idle) - ready
    assert ready, "the demo has idle tickets the mapping lets close"
    assert kept, "and idle tickets it keeps open"

    report = run_named(workspace, server_config, "auto-close-idle-tickets", LATER)

    assert report.detail == (f"{len(ready)} idle ticket(s) closed, {len(kept)} left open "
                             "(refused)")
    assert (info(workspace, "auto-close-idle-tickets", "last_outcome") or "").startswith("ok")
    with workspace.read() as session:
        statuses = dict(session.execute(select(Ticket.id, Ticket.status)
                                        .where(Ticket.id.in_(list(idle)))).all())
        notes = set(session.scalars(select(Workunit.ticket_id).where(
            Workunit.ticket_id.in_(list(kept)), Workunit.text_html.contains("automatically"))))
    assert {t for t, status in statuses.items() if status == Status.CLOSED} == ready
    assert notes == set(), "a refused ticket keeps none of its close"


def test_auto_close_set_to_zero_does_nothing(
    server_config: ServerConfig, workspace: Workspace
) -> None:
    admin = user_id(workspace, "admin")
    workspace.execute(ChangeSetting(key="auto_close_days", value=0), admin, now=DEMO_TODAY)
    report = run_named(workspace, server_config, "auto-close-idle-tickets",
                       DEMO_TODAY + dt.timedelta(days=3650))
    assert report.detail == "auto-close is off"
