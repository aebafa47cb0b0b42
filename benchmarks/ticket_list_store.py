"""A store of a million tickets for the ticket-list benchmark, built in about a minute.

The organisation (people, groups, types, fields, SLAs) is made with commands, like any
real one; the tickets, workunits and custom values are the bulk, written with plain SQL
(``executemany``) with the list's indexes and search triggers set aside, then rebuilt in
one pass each: that is what makes a million rows take two minutes and not an hour. The
result is the schema the migrations make, as a first sync leaves it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from desktopdesk.domain.commands import (
    AddCustomField,
    AddMembership,
    Command,
    CreateGroup,
    CreateProfile,
    CreateSla,
    CreateTicketType,
    CreateUser,
)
from desktopdesk.models import Priority, Status
from desktopdesk.store.bootstrap import create_first_admin
from desktopdesk.store.workspace import Workspace

#: Tables written in bulk; their indexes and triggers are dropped, then made again.
BULK_TABLES = ("tickets", "workunits", "custom_field_values")
BATCH = 20_000
GROUPS = 40
TECHNICIANS = 120
CUSTOMERS = 400
#: What a year of a busy help desk looks like: most tickets long closed.
STATUS_WEIGHTS = {Status.NEW: 3, Status.UNCONFIRMED: 1, Status.ASSIGNED: 4, Status.REOPENED: 1,
                  Status.PENDING_TO_BE_CLOSED: 1, Status.PENDING_THIRD_PERSON: 1,
                  Status.CLOSED: 89}
PRIORITY_WEIGHTS = {Priority.INFORMATIVE: 5, Priority.LOW: 25, Priority.MEDIUM: 45,
                    Priority.SERIOUS: 15, Priority.VERY_SERIOUS: 5, Priority.MAINTENANCE: 5}
#: Words people write in tickets; drawn with a long tail, so some are common, most rare.
_COMMON = (
    "printer", "laptop", "password", "email", "vpn", "network", "screen", "keyboard",
    "mouse", "server", "backup", "invoice", "account", "access", "error", "slow", "crash",
    "update", "install", "license", "phone", "wifi", "outlook", "excel", "teams", "meeting",
    "room", "badge", "door", "camera", "scanner", "toner", "paper", "drive", "disk",
    "folder", "share", "permission", "login", "portal", "website", "certificate",
    "firewall", "router", "switch", "cable", "monitor", "dock", "charger", "battery",
    "headset", "microphone", "speaker", "audio", "video", "calendar", "contact", "customer",
    "order", "shipment", "payment", "refund", "report", "dashboard", "database", "query",
    "timeout", "sync", "mobile", "tablet", "browser", "chrome", "firefox", "driver",
    "firmware", "bios",
)


def _pseudo_words(rng: random.Random, count: int) -> list[str]:
    syllables = ("ka", "lo", "mi", "ter", "san", "vo", "ril", "dun", "pe", "xa", "bre",
                 "tol", "gan", "fi", "mor", "quo", "zen", "hal", "dri", "pux")
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


@dataclass(frozen=True)
class BenchStore:
    """What the benchmark needs to know about the store it built."""

    data_dir: Path
    admin_id: uuid.UUID
    technician_id: uuid.UUID
    tickets: int
    workunits: int
    custom_values: int


def _hex(value: uuid.UUID) -> str:
    return value.hex  # how SQLAlchemy's Uuid type stores ids in SQLite


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime format


def _org(ws: Workspace, rng: random.Random) -> dict[str, list[uuid.UUID]]:
    admin = create_first_admin(ws)

    def make(command: Command) -> uuid.UUID:
        created = ws.execute(command, admin).created_id
        assert created is not None
        return created

    standard = make(CreateProfile(name="Standard user", can_view=True, can_edit=True))
    customer = make(CreateProfile(name="Customer", can_view=True, can_edit=True))
    slas = [make(CreateSla(name=f"SLA {n}")) for n in range(3)]
    areas = [make(CreateGroup(name=area)) for area in ("Apps", "Field", "Network", "Support")]
    groups = [make(CreateGroup(name=f"{name} {n:02d}", parent_id=area))
              for area, name in zip(areas, ("Apps", "Field", "Network", "Support"), strict=True)
              for n in range(GROUPS // len(areas))]
    techs = [make(CreateUser(username=f"tech{n:03d}", full_name=f"Technician {n:03d}"))
             for n in range(TECHNICIANS)]
    customers = [make(CreateUser(username=f"cust{n:04d}", full_name=f"Customer {n:04d}"))
                 for n in range(CUSTOMERS)]
    for n, tech in enumerate(techs):  # each sees three areas of four (a grant covers subgroups)
        for a, area in enumerate(areas):
            if a != n % len(areas):
                make(AddMembership(user_id=tech, group_id=area, profile_id=standard))
    for n, person in enumerate(customers):
        make(AddMembership(user_id=person, group_id=groups[n % GROUPS], profile_id=customer))
    types = [make(CreateTicketType(name=name)) for name in ("Hardware", "Software", "Access")]
    fields = [
        make(AddCustomField(ticket_type_id=None, label="Customer reference", kind="text",
                            show_in_list=True)),
        make(AddCustomField(ticket_type_id=types[0], label="Asset tag", kind="text",
                            show_in_list=True)),
        make(AddCustomField(ticket_type_id=types[1], label="Version", kind="text")),
    ]
    rng.shuffle(customers)
    return {"admin": [admin], "techs": techs, "customers": customers, "groups": groups,
            "types": types, "fields": fields, "slas": slas}


def _text(rng: random.Random, vocabulary: list[str], cumulative: list[float], n: int) -> str:
    return " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=n))


def _ticket_rows(org: dict[str, list[uuid.UUID]], rng: random.Random, count: int,
                 now: dt.datetime, vocabulary: list[str], weights: list[float],
                 ) -> Iterator[tuple[object, ...]]:
    statuses = list(STATUS_WEIGHTS)
    status_weights = list(itertools.accumulate(STATUS_WEIGHTS.values()))
    priorities = list(PRIORITY_WEIGHTS)
    priority_weights = list(itertools.accumulate(PRIORITY_WEIGHTS.values()))
    groups, techs, customers = org["groups"], org["techs"], org["customers"]
    types, slas, admin = org["types"], org["slas"], org["admin"][0]
    span = dt.timedelta(days=5 * 365).total_seconds()
    for number in range(1, count + 1):
        created = now - dt.timedelta(seconds=span * (1 - number / count) + rng.random() * 600)
        status = rng.choices(statuses, cum_weights=status_weights)[0]
        updated = min(now, created + dt.timedelta(hours=rng.expovariate(1 / 72)))
        creator = rng.choice(customers) if rng.random() < 0.7 else rng.choice(techs)
        group = rng.choice(groups)
        yield (
            _hex(uuid.UUID(int=rng.getrandbits(128), version=4)), 1 + number % 1000, number,
            None, _text(rng, vocabulary, weights, rng.randint(4, 9)).capitalize(),
            f"<p>{_text(rng, vocabulary, weights, rng.randint(10, 30))}</p>",
            int(status), int(rng.choices(priorities, cum_weights=priority_weights)[0]),
            1 if status is Status.CLOSED else 0, _hex(group), _hex(creator),
            _hex(rng.choice(techs)), _hex(creator), _hex(group),
            _hex(rng.choice(types)) if rng.random() < 0.6 else None,
            _hex(rng.choice(slas)) if status is not Status.CLOSED and rng.random() < 0.2
            else None,
            _hex(admin) if status is Status.CLOSED else None,
            _stamp(updated) if status is Status.CLOSED else None,
            _stamp(created), _stamp(updated),
        )


_TICKET_INSERT = (
    "INSERT INTO tickets (id, version, number, provisional_number, title, description_html,"
    " status, priority, resolution, group_id, creator_id, owner_id, editor_id,"
    " creator_group_id, ticket_type_id, affected_sla_id, closed_by_id, closed_at,"
    " created_at, updated_at, emails_in_copy, project_task, sla_disabled, epilogue_html,"
    " locked, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " '[]', '', 0, '', 0, 0)"
)
_WORKUNIT_INSERT = (
    "INSERT INTO workunits (id, version, ticket_id, author_id, hours, text_html, is_private,"
    " is_internal, has_cost, created_at, updated_at) VALUES (?, 1, ?, ?, 0.25, ?, 0, 0, 0,"
    " ?, ?)"
)
_VALUE_INSERT = (
    "INSERT INTO custom_field_values (id, version, ticket_id, field_id, value, created_at,"
    " updated_at) VALUES (?, 1, ?, ?, ?, ?, ?)"
)


def _set_aside(db: sqlite3.Connection) -> list[str]:
    """Drop the bulk tables' indexes and triggers; return the SQL that makes them again."""
    names = ", ".join(f"'{t}'" for t in BULK_TABLES)
    rows = db.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({names}) "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL").fetchall()
    for kind, name, _sql in rows:
        db.execute(f"DROP {kind.upper()} {name}")
    return [sql for _kind, _name, sql in rows]


def build_store(data_dir: Path, tickets: int, *, seed: int = 4,
                log: object = print) -> BenchStore:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    vocabulary = [*_COMMON, *_pseudo_words(rng, 20_000)]
    weights = list(itertools.accumulate(1 / (rank + 1) ** 0.9
                                        for rank in range(len(vocabulary))))
    with Workspace.open(data_dir) as ws:
        org = _org(ws, rng)
        db_path = ws.db_path
    technician = org["techs"][1]
    workunits = values = 0
    with closing(sqlite3.connect(db_path, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode=DELETE")  # no WAL copy of a gigabyte of new pages
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-200000")
        db.execute("BEGIN")
        remake = _set_aside(db)
        batch: list[tuple[object, ...]] = []
        wu_batch: list[tuple[object, ...]] = []
        value_batch: list[tuple[object, ...]] = []
        for row in _ticket_rows(org, rng, tickets, now, vocabulary, weights):
            batch.append(row)
            ticket_id, creator, created = row[0], row[10], row[18]
            for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 3))):
                author = creator if rng.random() < 0.4 else _hex(rng.choice(org["techs"]))
                wu_batch.append((_hex(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                 ticket_id, author,
                                 f"<p>{_text(rng, vocabulary, weights, rng.randint(8, 25))}</p>",
                                 created, created))
            if rng.random() < 0.4:
                value_batch.append((_hex(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                    ticket_id, _hex(org["fields"][0]),
                                    f"CN-{rng.randint(1000, 99999)}", created, created))
            if len(batch) >= BATCH:
                if int(row[2]) % (BATCH * 10) == 0:
                    log(f"  {row[2]:,} tickets")
                db.executemany(_TICKET_INSERT, batch)
                db.executemany(_WORKUNIT_INSERT, wu_batch)
                db.executemany(_VALUE_INSERT, value_batch)
                workunits += len(wu_batch)
                values += len(value_batch)
                batch, wu_batch, value_batch = [], [], []
        db.executemany(_TICKET_INSERT, batch)
        db.executemany(_WORKUNIT_INSERT, wu_batch)
        db.executemany(_VALUE_INSERT, value_batch)
        workunits += len(wu_batch)
        values += len(value_batch)
        db.execute("INSERT INTO counters (name, value) VALUES ('ticket_number', ?) "
                   "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (tickets,))
        db.execute("COMMIT")
        log(f"  rows written ({tickets:,} tickets, {workunits:,} workunits, "
            f"{values:,} custom values); indexing")
        db.execute("BEGIN")
        for sql in remake:
            db.execute(sql)
        for fts in ("ticket_text", "workunit_text", "custom_value_text"):
            exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (fts,)).fetchone()
            if exists:
                db.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        db.execute("COMMIT")
        # No ANALYZE here: like a store a first sync has just filled, the app makes its
        # planner statistics itself (store/planner_stats.py), and the benchmark times it.
        db.execute("PRAGMA journal_mode=WAL")
    return BenchStore(data_dir, org["admin"][0], technician, tickets, workunits, values)
