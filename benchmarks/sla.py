"""The SLA engine at scale: evaluating 100,000 tickets, and one scheduled pass over 20,000
open ones on a SQLite store.

    python benchmarks/sla.py [--tickets 100000] [--open-tickets 20000] [--seed 6]
                             [--keep DIR]

1. In memory: ``--tickets`` histories as ``TicketTimeline`` values (status changes with
   waits on a third person, closes and reopens, workunits by the creator and by the
   help desk, other edits), spread over five SLAs (office hours with weekends and
   holidays, round the clock, overnight, third party, and one wall-clock SLA in
   Integria's way), each evaluated up to now with ``sla_engine.evaluate``. Target: under
   10 s for 100,000.
2. On a store: ``--open-tickets`` open tickets with the same kind of history written as
   ``history_events`` rows (the organisation is made with commands, the bulk with plain
   SQL), then ``load_timelines`` throughput, the first pass (it writes every ticket's
   state row), and the one that matters: the next scheduled pass five minutes later.
   Target: under 2 s. ``sla_metrics`` over the whole store is timed too (what
   ``GET /sla/metrics`` costs without filters).

Run on demand only; not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.commands import (
    AddHolidays,
    ChangeSetting,
    Command,
    CreateGroup,
    CreateSla,
    CreateUser,
)
from desktopdesk.domain.sla_engine import evaluate
from desktopdesk.domain.sla_metrics import SlaMetricsQuery, sla_metrics
from desktopdesk.domain.sla_model import (
    SlaRules,
    StatusChange,
    TicketTimeline,
    WorkingTime,
    WorkunitMark,
)
from desktopdesk.domain.sla_state import refresh_sla_states
from desktopdesk.domain.sla_timeline import load_timelines
from desktopdesk.models import SlaType, Status, Ticket
from desktopdesk.store.bootstrap import create_first_admin
from desktopdesk.store.workspace import Workspace

EVALUATE_TARGET_S = 10.0
PASS_TARGET_S = 2.0
TIME_ZONE = "Europe/Madrid"
HOURS = 3600.0
CUSTOMERS = 300
TECHNICIANS = 40
BATCH = 20_000


# --- Histories ------------------------------------------------------------------------


@dataclass
class Story:
    """One ticket's history as plain events, turned into a timeline or into rows."""

    opened_at: dt.datetime
    creator: uuid.UUID
    owner: uuid.UUID
    #: (at, kind, actor, old, new) after creation, in time order; kinds as history writes
    #: them (``status_changed``, ``closed``, ``reopened``, ``workunit_added``,
    #: ``field_changed``).
    events: list[tuple[dt.datetime, str, uuid.UUID, str, str]] = field(default_factory=list)
    status: Status = Status.NEW

    def timeline(self, ticket_id: uuid.UUID) -> TicketTimeline:
        changes = tuple(StatusChange(at, Status(int(new))) for at, kind, _a, _o, new
                        in self.events if kind in ("status_changed", "closed", "reopened"))
        workunits = tuple(WorkunitMark(at, actor) for at, kind, actor, _o, _n in self.events
                          if kind == "workunit_added")
        activity = (self.opened_at, *dict.fromkeys(at for at, *_rest in self.events))
        return TicketTimeline(ticket_id=ticket_id, opened_at=self.opened_at,
                              creator_id=self.creator, initial_status=Status.NEW,
                              status_changes=changes, workunits=workunits,
                              activity=activity)


class StoryTeller:
    """Histories like a help desk's: an assignment within hours, a conversation of
    workunits (the creator's follow-ups restart the response clock), some waits on a
    third person, most tickets closed and a few reopened."""

    def __init__(self, rng: random.Random, customers: list[uuid.UUID],
                 technicians: list[uuid.UUID], now: dt.datetime) -> None:
        self.rng = rng
        self.customers = customers
        self.technicians = technicians
        self.now = now

    def story(self, *, days: float, stay_open: bool) -> Story:
        rng = self.rng
        opened = self.now - dt.timedelta(seconds=rng.random() * days * 86_400)
        creator = (rng.choice(self.customers) if rng.random() < 0.7
                   else rng.choice(self.technicians))
        owner = rng.choice(self.technicians)
        story = Story(opened, creator, owner)
        moment: dt.datetime | None = opened
        rounds = 1 + (rng.random() < 0.15)  # a reopened ticket lives twice
        for round_ in range(rounds):
            assert moment is not None
            moment = self._after(moment, 2)
            if moment is None:
                return story
            self._status(story, moment, owner, Status.ASSIGNED if round_ == 0
                         else Status.REOPENED, "status_changed" if round_ == 0 else "reopened")
            for _ in range(rng.randint(1, 8)):
                moment = self._after(moment, 8)
                if moment is None:
                    return story
                roll = rng.random()
                if roll < 0.45:
                    story.events.append((moment, "workunit_added", owner if rng.random() < 0.8
                                         else rng.choice(self.technicians), "", "wu"))
                elif roll < 0.75:
                    story.events.append((moment, "workunit_added", creator, "", "wu"))
                elif roll < 0.85 and story.status is not Status.PENDING_THIRD_PERSON:
                    self._status(story, moment, owner, Status.PENDING_THIRD_PERSON)
                elif story.status is Status.PENDING_THIRD_PERSON:
                    self._status(story, moment, owner, Status.ASSIGNED)
                else:
                    story.events.append((moment, "field_changed", owner, "2", "3"))
            closing_now = not stay_open or round_ < rounds - 1
            if closing_now and rng.random() < (1.0 if round_ < rounds - 1 else 0.75):
                moment = self._after(moment, 12)
                if moment is None:
                    return story
                self._status(story, moment, owner, Status.CLOSED, "closed")
        return story

    def _after(self, moment: dt.datetime, mean_hours: float) -> dt.datetime | None:
        later = moment + dt.timedelta(seconds=self.rng.expovariate(1 / (mean_hours * HOURS)))
        return later if later < self.now else None

    @staticmethod
    def _status(story: Story, at: dt.datetime, actor: uuid.UUID, status: Status,
                kind: str = "status_changed") -> None:
        story.events.append((at, kind, actor, str(int(story.status)), str(int(status))))
        story.status = status


def busy_moment() -> dt.datetime:
    """The last Wednesday, 11:00 UTC, before today: inside every SLA's working hours, so
    clocks run and the scheduled passes meet the most tickets due (a run at night or on a
    weekend would find almost none)."""
    today = dt.datetime.now(dt.UTC).replace(hour=11, minute=0, second=0, microsecond=0)
    days_back = (today.weekday() - 2) % 7 or 7
    return today - dt.timedelta(days=days_back)


def holidays(now: dt.datetime) -> frozenset[dt.date]:
    """A year's worth of public holidays on either side of now."""
    days = set()
    for year in (now.year - 1, now.year, now.year + 1):
        for month, day in ((1, 1), (1, 6), (4, 18), (5, 1), (8, 15), (10, 12), (11, 1),
                           (12, 6), (12, 8), (12, 25)):
            days.add(dt.date(year, month, day))
    return frozenset(days)


def sla_rules(now: dt.datetime) -> list[SlaRules]:
    days_off = holidays(now)

    def rules(name: str, start: int, end: int, *, weekends: bool = True,
              wall_clock: bool = False, sla_type: SlaType = SlaType.NORMAL,
              response: float = 4, resolution: float = 40, inactivity: float = 24) -> SlaRules:
        return SlaRules(
            sla_id=uuid.uuid4(), name=name, sla_type=sla_type, response_hours=response,
            resolution_hours=resolution, inactivity_hours=inactivity,
            working_time=WorkingTime(day_start_hour=start, day_end_hour=end,
                                     skip_weekends=weekends, holidays=days_off,
                                     time_zone=TIME_ZONE, wall_clock=wall_clock))

    return [
        rules("Office hours", 8, 18),
        rules("Round the clock", 0, 0, weekends=False, response=2, resolution=24),
        rules("Night shift", 22, 6),
        rules("Third party", 9, 17, sla_type=SlaType.THIRD_PARTY, response=8),
        rules("Integria-style", 8, 18, wall_clock=True, response=48, resolution=480,
              inactivity=96),
    ]


# --- 1. In memory ---------------------------------------------------------------------


def bench_in_memory(count: int, seed: int) -> bool:
    rng = random.Random(seed)
    now = busy_moment()
    customers = [uuid.uuid4() for _ in range(CUSTOMERS)]
    technicians = [uuid.uuid4() for _ in range(TECHNICIANS)]
    teller = StoryTeller(rng, customers, technicians, now)
    all_rules = sla_rules(now)
    start = time.perf_counter()
    work = [(story.timeline(uuid.uuid4()), all_rules[n % len(all_rules)])
            for n, story in enumerate(teller.story(days=180, stay_open=rng.random() < 0.2)
                                      for _ in range(count))]
    built = time.perf_counter() - start
    changes = sum(len(t.status_changes) + len(t.workunits) for t, _ in work)
    print(f"1. In memory: {count:,} timelines ({changes / count:.1f} status changes and "
          f"workunits each, {len(all_rules)} SLAs) built in {built:.1f} s")

    gc.collect()
    gc.disable()  # the figure is the engine's, not the collector's
    try:
        start = time.perf_counter()
        evaluations = [evaluate(timeline, rules, now) for timeline, rules in work]
        took = time.perf_counter() - start
    finally:
        gc.enable()
    fired = sum(1 for e in evaluations if e.fired_limits)
    violations = sum(len(e.violations) for e in evaluations)
    ok = took < EVALUATE_TARGET_S * count / 100_000
    print(f"   evaluate(): {took:.2f} s, {count / took:,.0f} tickets/s; {fired:,} in breach "
          f"now, {violations:,} violations")
    print(f"   target for {count:,}: under {EVALUATE_TARGET_S * count / 100_000:.1f} s: "
          f"{'met' if ok else 'NOT MET'}")
    del evaluations
    gc.collect()
    gc.disable()
    try:
        for rules in all_rules:  # per SLA: where the time goes
            mine = [(t, r) for t, r in work[:20_000] if r is rules]
            start = time.perf_counter()
            for timeline, r in mine:
                evaluate(timeline, r, now)
            each = (time.perf_counter() - start) / max(len(mine), 1)
            print(f"     {rules.name:<16} {1 / each if each else 0:>10,.0f} tickets/s")
    finally:
        gc.enable()
    return ok


# --- 2. On a store --------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    admin: uuid.UUID
    customers: list[uuid.UUID]
    technicians: list[uuid.UUID]
    groups: list[uuid.UUID]


def make_org(ws: Workspace, now: dt.datetime) -> Org:
    admin = create_first_admin(ws)

    def make(command: Command) -> uuid.UUID:
        created = ws.execute(command, admin).created_id
        assert created is not None
        return created

    ws.execute(ChangeSetting(key="sla_time_zone", value=TIME_ZONE), admin)
    ws.execute(AddHolidays(holidays=tuple((day.isoformat(), "Holiday")
                                          for day in sorted(holidays(now)))), admin)
    specs = [
        CreateSla(name="Office hours", max_response_hours=4, max_resolution_hours=40,
                  max_inactivity_hours=24),
        CreateSla(name="Round the clock", day_start_hour=0, day_end_hour=0,
                  no_sla_on_weekends=False, max_response_hours=2, max_resolution_hours=24,
                  max_inactivity_hours=24),
        CreateSla(name="Night shift", day_start_hour=22, day_end_hour=6),
        CreateSla(name="Third party", sla_type=SlaType.THIRD_PARTY, day_start_hour=9,
                  day_end_hour=17, max_response_hours=8),
        CreateSla(name="Integria-style", wall_clock=True),
    ]
    slas = [make(spec) for spec in specs]
    # Ten groups per SLA, plus a few with none (their tickets are not evaluated).
    groups = [make(CreateGroup(name=f"Queue {n:02d}", sla_id=slas[n % len(slas)]
                               if n < 50 else None, open_ticket_limit=0))
              for n in range(54)]
    technicians = [make(CreateUser(username=f"tech{n:03d}", full_name=f"Technician {n}"))
                   for n in range(TECHNICIANS)]
    customers = [make(CreateUser(username=f"cust{n:04d}", full_name=f"Customer {n}"))
                 for n in range(CUSTOMERS)]
    return Org(admin, customers, technicians, groups)


def _hex(value: uuid.UUID) -> str:
    return value.hex  # SQLAlchemy's Uuid in SQLite


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


_TICKET_INSERT = (
    "INSERT INTO tickets (id, version, number, title, description_html, status, priority,"
    " resolution, group_id, creator_id, owner_id, editor_id, creator_group_id,"
    " emails_in_copy, project_task, sla_disabled, epilogue_html, locked, score, created_at,"
    " updated_at) VALUES (?, 1, ?, ?, '', ?, 2, 0, ?, ?, ?, ?, ?, '[]', '', 0, '', 0, 0, ?, ?)"
)
_EVENT_INSERT = (
    "INSERT INTO history_events (id, version, ticket_id, actor_id, at, kind, field, old_value,"
    " new_value, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_FIELDS = {"status_changed": "status", "closed": "status", "reopened": "status",
           "workunit_added": "workunit", "field_changed": "priority", "created": ""}


def _rows(org: Org, teller: StoryTeller, count: int,
          ) -> Iterator[tuple[tuple[object, ...], list[tuple[object, ...]]]]:
    rng = teller.rng
    for number in range(1, count + 1):
        story = teller.story(days=60, stay_open=True)
        while story.status is Status.CLOSED:  # the store holds open tickets only
            story = teller.story(days=60, stay_open=True)
        ticket_id = _hex(uuid.UUID(int=rng.getrandbits(128), version=4))
        group = _hex(rng.choice(org.groups))
        opened = _stamp(story.opened_at)
        last = story.events[-1][0] if story.events else story.opened_at
        ticket: tuple[object, ...] = (
            ticket_id, number, f"Ticket {number}", int(story.status), group,
            _hex(story.creator), _hex(story.owner), _hex(story.owner), group, opened,
            _stamp(last))
        created = [(story.opened_at, "created", story.creator, "", f"Ticket {number}"),
                   (story.opened_at, "status_changed", story.creator, "", "1")]
        events: list[tuple[object, ...]] = [
            (_hex(uuid.UUID(int=rng.getrandbits(128), version=4)), ticket_id, _hex(actor),
             _stamp(at), kind, _FIELDS[kind], old, new, _stamp(at), _stamp(at))
            for at, kind, actor, old, new in (*created, *story.events)]
        yield ticket, events


def build_store(data_dir: Path, count: int, seed: int) -> tuple[Workspace, Org, int]:
    rng = random.Random(seed)
    now = busy_moment()
    ws = Workspace.open(data_dir)
    org = make_org(ws, now)
    teller = StoryTeller(rng, org.customers, org.technicians, now)
    events = 0
    with closing(sqlite3.connect(ws.db_path, isolation_level=None)) as db:
        db.execute("PRAGMA synchronous=OFF")
        db.execute("BEGIN")
        tickets: list[tuple[object, ...]] = []
        rows: list[tuple[object, ...]] = []
        for ticket, ticket_events in _rows(org, teller, count):
            tickets.append(ticket)
            rows.extend(ticket_events)
            if len(rows) >= BATCH:
                db.executemany(_TICKET_INSERT, tickets)
                db.executemany(_EVENT_INSERT, rows)
                events += len(rows)
                tickets, rows = [], []
        db.executemany(_TICKET_INSERT, tickets)
        db.executemany(_EVENT_INSERT, rows)
        events += len(rows)
        db.execute("INSERT INTO counters (name, value) VALUES ('ticket_number', ?) "
                   "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (count,))
        db.execute("COMMIT")
        db.execute("ANALYZE")
    return ws, org, events


def bench_store(count: int, seed: int, keep: Path | None) -> bool:
    folder = Path(tempfile.mkdtemp(prefix="sla-bench-")) if keep is None else keep
    try:
        start = time.perf_counter()
        ws, org, events = build_store(folder / "ws", count, seed)
        print(f"2. Store: {count:,} open tickets, {events:,} history events, built in "
              f"{time.perf_counter() - start:.1f} s ({ws.db_path})")
        try:
            return _time_store(ws, org, count)
        finally:
            ws.close()
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _time_store(ws: Workspace, org: Org, count: int) -> bool:
    with ws.read() as session:
        ids = list(session.scalars(select(Ticket.id)))
        start = time.perf_counter()
        timelines = load_timelines(session, ids)
        took = time.perf_counter() - start
    print(f"   load_timelines: {len(timelines):,} in {took:.2f} s, "
          f"{len(timelines) / took:,.0f} tickets/s")

    now = busy_moment()
    start = time.perf_counter()
    with ws.user_action() as session:
        first = refresh_sla_states(session, now)
    took_first = time.perf_counter() - start
    print(f"   first pass, every ticket evaluated (as after a change of SLAs, groups, "
          f"holidays or time zone): {took_first:.2f} s — {first.summary}")

    # The scheduled pass evaluates only the tickets due (a deadline, or compliance
    # moving a whole percent; ``sla_forecast``): a working hour of passes.
    passes: list[tuple[float, int]] = []
    later = now
    for _ in range(12):
        later += dt.timedelta(minutes=5)
        start = time.perf_counter()
        with ws.user_action() as session:
            scheduled = refresh_sla_states(session, later)
        passes.append((time.perf_counter() - start, scheduled.evaluated))
    slowest = max(took for took, _ in passes)
    mean = sum(took for took, _ in passes) / len(passes)
    due = [evaluated for _, evaluated in passes]
    ok = slowest < PASS_TARGET_S * count / 20_000
    print(f"   scheduled passes every 5 min for an hour: slowest {slowest:.2f} s, mean "
          f"{mean:.2f} s; tickets due per pass {min(due):,}-{max(due):,} of {count:,}")
    print(f"   target for {count:,}: under {PASS_TARGET_S * count / 20_000:.1f} s: "
          f"{'met' if ok else 'NOT MET'}")

    with ws.read() as session:
        perms = load_permissions(session, org.admin)
        start = time.perf_counter()
        metrics = sla_metrics(session, perms, SlaMetricsQuery(), later)
        took = time.perf_counter() - start
    print(f"   sla_metrics over the store: {took:.2f} s for {metrics.tickets:,} tickets "
          f"(compliance {metrics.compliance_pct or 0:.1f} %, "
          f"{metrics.violations.total:,} violations)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000,
                        help="timelines evaluated in memory (default 100,000)")
    parser.add_argument("--open-tickets", type=int, default=20_000,
                        help="open tickets in the store (default 20,000)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", type=Path, help="build the store here and keep it")
    args = parser.parse_args()
    memory_ok = bench_in_memory(args.tickets, args.seed)
    store_ok = bench_store(args.open_tickets, args.seed, args.keep)
    return 0 if memory_ok and store_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
