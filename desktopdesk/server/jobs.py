"""Scheduled server jobs: each runs once per period, whichever instance gets to it first.

Several instances may serve one PostgreSQL database, each ticking its own ``JobRunner``.
A job runs in one transaction that first tries a PostgreSQL advisory lock keyed on the
job's name (``pg_try_advisory_xact_lock``): an instance that cannot get it skips, since
another one is running that job right now. Holding the lock, it reads when the job last
ran (``WorkspaceInfo`` rows ``job:<name>:...``, which never travel to desktops), skips
if it is not due, else runs it and records the time and outcome in the same transaction.
The commit releases the lock, so the next instance to take it already sees the new time:
however many instances tick, each job runs once per period.

SQLite serves one instance only. There the transaction opens by taking the database's
write lock (what ``BEGIN IMMEDIATE`` does), so the same code stays correct even if two
runners share a file.

A failing job is logged and recorded, and the others still run. Plain Python: the
FastAPI app only starts and stops the runner's thread; tests drive ``run_due_jobs``.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import text, update
from sqlalchemy.orm import Session

from desktopdesk.domain.auto_close import (
    AutoCloseOutcome,
    IdleTicket,
    auto_close_days,
    close_idle_tickets,
    idle_since,
    idle_tickets,
)
from desktopdesk.domain.commands import Command
from desktopdesk.domain.sla_state import refresh_sla_states
from desktopdesk.models import WorkspaceInfo
from desktopdesk.server.auth import Clock, purge_old_tokens
from desktopdesk.server.config import ServerConfig
from desktopdesk.server.partial_uploads import PARTIAL_DIR, clean_stale_uploads
from desktopdesk.server.throttle import forget_failures_before
from desktopdesk.store.planner_stats import analyse
from desktopdesk.store.workspace import Workspace

log = logging.getLogger("desktopdesk.server.jobs")

#: A failed job is tried again after this long (its period, if shorter), not every tick.
RETRY_AFTER_FAILURE = dt.timedelta(minutes=15)
#: Short enough that ``job:<name>:last_outcome`` fits ``WorkspaceInfo.key`` (60).
_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
_VALUE_MAX = 500  # WorkspaceInfo.value
LAST_RUN = "last_run"
LAST_OUTCOME = "last_outcome"
OK = "ok"
FAILED = "failed"


@dataclass(frozen=True)
class JobContext:
    """What a job works with: the transaction that holds its lock, and the moment it runs."""

    session: Session
    now: dt.datetime
    workspace: Workspace
    config: ServerConfig


#: A job does its work and returns a short summary for the log and ``last_outcome``.
JobFunction = Callable[[JobContext], str]


@dataclass(frozen=True)
class Job:
    name: str
    period: dt.timedelta
    run: JobFunction

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"job name {self.name!r}: lower-case letters, digits and '-', "
                             "at most 40")
        if self.period <= dt.timedelta(0):
            raise ValueError(f"job {self.name!r} needs a positive period")


class Outcome(enum.StrEnum):
    RAN = "ran"
    FAILED = "failed"
    NOT_DUE = "not_due"
    #: Another instance holds the job's lock: it is running it right now.
    BUSY = "busy"


@dataclass(frozen=True)
class JobReport:
    name: str
    outcome: Outcome
    detail: str = ""


def info_key(job_name: str, fact: str) -> str:
    """The ``WorkspaceInfo`` key of one fact about a job (``LAST_RUN``, ``LAST_OUTCOME``)."""
    return f"job:{job_name}:{fact}"


def lock_key(job_name: str) -> int:
    """The job's advisory lock: a signed 64-bit number, the same in every instance and
    every release (Python's ``hash`` is salted per process, so it will not do)."""
    digest = hashlib.sha256(f"desktopdesk.job:{job_name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# --- Running ------------------------------------------------------------------------------


def run_due_jobs(workspace: Workspace, config: ServerConfig, now: dt.datetime,
                 jobs: Sequence[Job]) -> list[JobReport]:
    """Run each of ``jobs`` that is due, each in its own transaction; never raises.

    One failing job (even one that breaks its transaction) is logged and reported, and
    the rest still run.
    """
    reports = []
    for job in jobs:
        try:
            reports.append(run_job(workspace, config, now, job))
        except Exception as error:
            log.exception("job %s could not run or record its outcome", job.name)
            reports.append(JobReport(job.name, Outcome.FAILED, _describe(error)))
    return reports


def run_job(workspace: Workspace, config: ServerConfig, now: dt.datetime,
            job: Job) -> JobReport:
    """Run ``job`` if this instance holds its lock and it is due; record what happened.

    The job's own changes are inside a savepoint: when it fails they are undone, while
    the failure and its time are still recorded (so it is not retried at every tick).
    """
    with workspace.sessions.begin() as session:
        if not _lock(session, job.name):
            log.debug("job %s: running in another instance", job.name)
            return JobReport(job.name, Outcome.BUSY)
        if not _is_due(session, job, now):
            return JobReport(job.name, Outcome.NOT_DUE)
        started = time.monotonic()
        try:
            with session.begin_nested():
                summary = job.run(JobContext(session, now, workspace, config))
        except Exception as error:
            log.exception("job %s failed", job.name)
            detail = _describe(error)
            _record(session, job.name, now, f"{FAILED}: {detail}")
            return JobReport(job.name, Outcome.FAILED, detail)
        seconds = time.monotonic() - started
        _record(session, job.name, now, f"{OK} in {seconds:.2f} s: {summary}")
    log.info("job %s: %s (%.2f s)", job.name, summary, seconds)
    return JobReport(job.name, Outcome.RAN, summary)


def _lock(session: Session, job_name: str) -> bool:
    """Take the job's lock for this transaction; False if another instance holds it."""
    if session.get_bind().dialect.name == "postgresql":
        return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(CAST(:key AS bigint))"),
                                   {"key": lock_key(job_name)}))
    # SQLite: a write as the transaction's first statement takes the write lock now
    # (waiting up to the busy timeout), as BEGIN IMMEDIATE would; it changes nothing.
    session.execute(update(WorkspaceInfo)
                    .where(WorkspaceInfo.key == info_key(job_name, LAST_RUN))
                    .values(value=WorkspaceInfo.value))
    return True


def _is_due(session: Session, job: Job, now: dt.datetime) -> bool:
    last_run = session.get(WorkspaceInfo, info_key(job.name, LAST_RUN))
    if last_run is None:
        return True
    try:
        ran_at = dt.datetime.fromisoformat(last_run.value)
    except ValueError:
        log.warning("job %s: unreadable last run %r; running it now", job.name, last_run.value)
        return True
    if ran_at.tzinfo is None:
        ran_at = ran_at.replace(tzinfo=dt.UTC)
    outcome = session.get(WorkspaceInfo, info_key(job.name, LAST_OUTCOME))
    failed = outcome is not None and outcome.value.startswith(FAILED)
    wait = min(job.period, RETRY_AFTER_FAILURE) if failed else job.period
    return now >= ran_at + wait


def _record(session: Session, job_name: str, now: dt.datetime, outcome: str) -> None:
    session.merge(WorkspaceInfo(key=info_key(job_name, LAST_RUN), value=now.isoformat()))
    session.merge(WorkspaceInfo(key=info_key(job_name, LAST_OUTCOME),
                                value=outcome[:_VALUE_MAX]))


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


# --- The jobs -----------------------------------------------------------------------------


def purge_tokens(context: JobContext) -> str:
    """Tokens that stopped working a while ago (``auth.EXPIRED_TOKEN_RETENTION``)."""
    return f"{purge_old_tokens(context.session, context.now)} old token(s) deleted"


def prune_login_failures(context: JobContext) -> str:
    """Failures no throttling window looks at any more (after a burst, none may follow
    to prune them on the way)."""
    auth = context.config.auth
    cutoff = context.now - max(auth.login_window, auth.address_window)
    return f"{forget_failures_before(context.session, cutoff)} old login failure(s) deleted"


def refresh_planner_statistics(context: JobContext) -> str:
    """``ANALYZE``, so the query planner knows how rows are spread.

    Without statistics SQLite guesses every index is selective and, for a pull's "tickets
    I may see, in id order", unions the creator/owner/group indexes and sorts them all
    for each page instead of walking the key: a first sync of 20,000 tickets took twice
    as long. A full ANALYZE, not a sampled one (``analysis_limit``): the desktop's list
    found sampled estimates led the planner astray (``store.planner_stats``).
    PostgreSQL's autovacuum analyses too; running it here costs little.
    """
    analyse(context.session.connection())
    return "planner statistics refreshed"


def clean_partial_uploads(context: JobContext) -> str:
    """Resumable uploads abandoned for a day (``partial_uploads.MAX_AGE_S``, judged by
    the files' own times). Otherwise they go only when that user starts another."""
    removed = clean_stale_uploads(context.workspace.data_dir / PARTIAL_DIR)
    return f"{removed} abandoned upload file(s) deleted"


def auto_close_idle_tickets(context: JobContext) -> str:
    """Tickets nobody updated for ``auto_close_days`` days, closed as Expired by their
    owners' commands (``desktopdesk.domain.auto_close``); a refused one stays open.

    Each ticket is applied in a savepoint of the job's transaction, not in a transaction
    of its own: on SQLite this transaction holds the write lock, so a second one would
    only wait for it. A refusal undoes that ticket alone; the run and its closes are
    committed together, so a run that dies is done again whole by the next tick.
    """
    session, workspace = context.session, context.workspace
    days = auto_close_days(session)
    if days <= 0:
        return AutoCloseOutcome(days).summary
    cutoff = idle_since(context.now, days)
    ctx = workspace.context(context.now)

    def read(after: uuid.UUID | None) -> list[IdleTicket]:
        return idle_tickets(session, cutoff, after=after)

    def apply_as_owner(commands: Sequence[Command], owner_id: uuid.UUID) -> None:
        with session.begin_nested():
            for command in commands:
                workspace.apply_in(session, command, owner_id, ctx)

    return close_idle_tickets(read, days, apply_as_owner).summary


def evaluate_slas(context: JobContext) -> str:
    """The SLA of each ticket whose standing time alone has changed since it was last
    evaluated (``desktopdesk.domain.sla_state``, ``sla_forecast``): breaches reached, the
    fired flags and compliance desktops show, notices for owners, and each group's
    open-ticket cap; every ticket under an SLA after a change of SLAs or calendar.
    Commands re-evaluate the tickets they touch as they are applied; this catches up
    with the clock."""
    return refresh_sla_states(context.session, context.now).summary


#: Every scheduled job of the server; adding one is one more line.
JOBS: tuple[Job, ...] = (
    Job("purge-tokens", dt.timedelta(hours=6), purge_tokens),
    Job("prune-login-failures", dt.timedelta(hours=1), prune_login_failures),
    Job("clean-partial-uploads", dt.timedelta(hours=1), clean_partial_uploads),
    Job("refresh-planner-statistics", dt.timedelta(days=1), refresh_planner_statistics),
    Job("auto-close-idle-tickets", dt.timedelta(days=1), auto_close_idle_tickets),
    Job("evaluate-slas", dt.timedelta(minutes=5), evaluate_slas),
)


# --- The runner ---------------------------------------------------------------------------


class JobRunner:
    """Looks for due jobs every ``interval_s`` seconds, in a daemon thread.

    The first look comes one interval after ``start``, so starting a server does no
    extra work. ``stop`` waits for a job in progress to finish.
    """

    THREAD_NAME = "desktopdesk-jobs"

    def __init__(self, workspace: Workspace, config: ServerConfig, clock: Clock, *,
                 interval_s: float, jobs: Sequence[Job] = JOBS) -> None:
        if interval_s <= 0:
            raise ValueError("the jobs interval must be positive (0 means: no runner)")
        self.workspace = workspace
        self.config = config
        self.clock = clock
        self.interval_s = interval_s
        self.jobs = tuple(jobs)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the job runner is already started")
        self._thread = threading.Thread(target=self._loop, name=self.THREAD_NAME, daemon=True)
        self._thread.start()
        log.info("scheduled jobs: %s, looked at every %g s",
                 ", ".join(job.name for job in self.jobs), self.interval_s)

    def stop(self, timeout_s: float = 60) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        thread.join(timeout_s)
        if thread.is_alive():
            log.warning("a scheduled job is still running after %g s; leaving it", timeout_s)

    def _loop(self) -> None:
        while not self._stopping.wait(self.interval_s):
            try:
                run_due_jobs(self.workspace, self.config, self.clock(), self.jobs)
            except Exception:  # the clock, say: keep ticking, the next look may work
                log.exception("scheduled jobs could not run")
