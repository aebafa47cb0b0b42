"""Sync figures: a technician's first sync and an incremental one, over real HTTP.

The server runs as its own process on loopback (SQLite file, PostgreSQL, or both), and
its data is built in another; the desktop is this process, so its peak memory is what a
desktop would use. The bulk data is
inserted with plain SQL for speed (it is the starting state, not user actions); the
incremental changes go through commands like any user's.

    python benchmarks/sync.py [--tickets 20000] [--workunits 200000] [--changes 100]
                              [--backend sqlite|postgresql|both]

Targets (issue 3): initial sync under 60 s, incremental under 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import multiprocessing
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.postgres_server (the throwaway PostgreSQL)

from desktopdesk.domain.commands import (  # noqa: E402
    AddMembership,
    AddWorkunit,
    Command,
    CreateGroup,
    CreateProfile,
    CreateUser,
    UpdateTicketFields,
)
from desktopdesk.domain.counters import CHANGE_SEQUENCE, TICKET_NUMBER  # noqa: E402
from desktopdesk.models import Counter, HistoryEvent, Ticket, Workunit, new_id  # noqa: E402
from desktopdesk.server.auth import Auth  # noqa: E402
from desktopdesk.server.config import ServerConfig, write_config_file  # noqa: E402
from desktopdesk.server.provision import initialise_server, open_store  # noqa: E402
from desktopdesk.store.workspace import Role, Workspace  # noqa: E402
from desktopdesk.sync.client import run_sync  # noqa: E402
from desktopdesk.sync.client_http import ServerClient  # noqa: E402
from desktopdesk.sync.http_transport import HttpTransport  # noqa: E402

PASSWORD = "benchmark-password"
BATCH = 5000
START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def build_server(store: Workspace, config: ServerConfig, tickets: int,
                 workunits: int) -> tuple[uuid.UUID, uuid.UUID]:
    auth = Auth(store.sessions, config.auth)
    admin = initialise_server(store, auth, PASSWORD)

    def make(command: Command) -> uuid.UUID:
        created = store.execute(command, admin, now=START).created_id
        assert created is not None
        return created

    tech_profile = make(CreateProfile(name="Technician", can_view=True, can_edit=True))
    tech = make(CreateUser(username="tech", full_name="Field Technician"))
    group = make(CreateGroup(name="Field service", default_owner_id=None))
    make(AddMembership(user_id=tech, group_id=group, profile_id=tech_profile))
    auth.set_password(tech, PASSWORD)
    _bulk_tickets(store, tech, group, tickets, workunits)
    return tech, group


def _build_in_child(config: ServerConfig, tickets: int, workunits: int) -> uuid.UUID:
    with open_store(config) as store:
        tech, _group = build_server(store, config, tickets, workunits)
    return tech


def _bulk_tickets(store: Workspace, tech: uuid.UUID, group: uuid.UUID, tickets: int,
                  workunits: int) -> None:
    rng = random.Random(20)
    with store.sessions.begin() as session:
        base = session.scalar(
            Counter.__table__.select().with_only_columns(Counter.value)  # type: ignore[attr-defined]
            .where(Counter.name == CHANGE_SEQUENCE)) or 0
        ticket_ids = [new_id() for _ in range(tickets)]
        version = base
        rows: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for number, ticket_id in enumerate(ticket_ids, start=1):
            version += 1
            at = START + dt.timedelta(minutes=number)
            rows.append(dict(
                id=ticket_id, number=number, title=f"Site visit #{number}: printer offline",
                description_html="<p>The printer on the second floor shows error 50.4.</p>",
                status=rng.choice([1, 3, 4, 5, 6, 7]), priority=rng.choice([1, 2, 3]),
                resolution=0, group_id=group, creator_id=tech, owner_id=tech, editor_id=tech,
                creator_group_id=group, emails_in_copy=[], project_task="",
                sla_disabled=False, locked=False, score=0, epilogue_html="",
                version=version, created_at=at, updated_at=at))
            events.append(dict(id=new_id(), ticket_id=ticket_id, actor_id=tech, at=at,
                               kind="created", field="", old_value="", new_value=f"#{number}",
                               version=version, created_at=at, updated_at=at))
        _insert(session, Ticket, rows)
        units: list[dict[str, Any]] = []
        for n in range(workunits):
            version += 1
            ticket_id = ticket_ids[n % tickets]
            at = START + dt.timedelta(minutes=tickets + n)
            unit_id = new_id()
            units.append(dict(
                id=unit_id, ticket_id=ticket_id, author_id=tech, hours=0.5,
                text_html="<p>Checked the fuser, replaced the pick-up roller.</p>",
                is_private=False, is_internal=False, has_cost=rng.random() < 0.3,
                version=version, created_at=at, updated_at=at))
            events.append(dict(id=new_id(), ticket_id=ticket_id, actor_id=tech, at=at,
                               kind="workunit_added", field="workunit", old_value="",
                               new_value=str(unit_id), version=version, created_at=at,
                               updated_at=at))
        _insert(session, Workunit, units)
        _insert(session, HistoryEvent, events)
        for name, value in ((CHANGE_SEQUENCE, version), (TICKET_NUMBER, tickets)):
            counter = session.get(Counter, name)
            if counter is None:
                session.add(Counter(name=name, value=value))
            else:
                counter.value = value


def _insert(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(model.__table__.insert(), rows[start:start + BATCH])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(data_dir: Path, db_url: str | None) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKTOPDESK_")}
    if db_url:
        env["DESKTOPDESK_DB_URL"] = db_url
    with (data_dir / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "desktopdesk.server", "serve", "--data-dir", str(data_dir),
             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(requests.ConnectionError):
                    if requests.get(f"{base}/api/v1/openapi.json", timeout=2).ok:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: see {data_dir / 'server.log'}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


class CountingTransport(HttpTransport):
    """Counts what crosses the wire (request and response bodies)."""

    def __init__(self, client: ServerClient) -> None:
        super().__init__(client)
        self.sent = 0
        self.received = 0
        client.http.hooks["response"].append(self._count)

    def _count(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        # On the wire: the compressed length when the server compressed the body.
        self.received += int(response.headers.get("Content-Length") or len(response.content))
        body = response.request.body
        self.sent += len(body) if body else 0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_backend(name: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, _database(name) as db_url:
        folder = Path(tmp)
        config = ServerConfig(data_dir=folder / "server", db_url=db_url)
        write_config_file(config)
        started = time.perf_counter()
        # In a child process, so this process's peak memory is the desktop's alone.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
            tech = child.submit(_build_in_child, config, args.tickets, args.workunits).result()
        print(f"[{name}] server data: {args.tickets} tickets, {args.workunits} workunits, "
              f"built in {time.perf_counter() - started:.1f} s")
        with serving(config.data_dir, db_url) as base:
            desktop = Workspace.open(folder / "desktop")
            desktop.set_info("role", Role.REPLICA)
            client = ServerClient(base)
            client.token = client.login("tech", PASSWORD, "benchmark").access_token
            transport = CountingTransport(client)
            rss_before = peak_rss_mb()
            started = time.perf_counter()
            first = run_sync(desktop, transport, tech)
            initial_s = time.perf_counter() - started
            print(f"[{name}] initial sync: {initial_s:.1f} s (target < 60 s), "
                  f"{first.pulled_rows} rows in {first.pages} pages, "
                  f"{transport.received / 1e6:.1f} MB received, "
                  f"desktop peak RSS {peak_rss_mb():.0f} MB ({rss_before:.0f} MB before the sync)")
            _change_on_server(config, tech, args.changes)
            transport.sent = transport.received = 0
            started = time.perf_counter()
            second = run_sync(desktop, transport, tech)
            print(f"[{name}] incremental sync of {args.changes} server changes: "
                  f"{time.perf_counter() - started:.2f} s (target < 1 s), "
                  f"{second.pulled_rows} rows, {transport.received / 1e3:.0f} kB received")
            for n in range(args.changes):
                desktop.execute(AddWorkunit(ticket_id=_some_ticket(desktop, n),
                                            text_html="<p>Done on site.</p>"), tech)
            started = time.perf_counter()
            third = run_sync(desktop, transport, tech)
            print(f"[{name}] pushing {args.changes} desktop changes: "
                  f"{time.perf_counter() - started:.2f} s, {third.applied} applied")
            desktop.close()


def _change_on_server(config: ServerConfig, tech: uuid.UUID, changes: int) -> None:
    with open_store(config) as store:
        with store.read() as session:
            ids = list(session.scalars(
                Ticket.__table__.select().with_only_columns(Ticket.id).limit(changes)))  # type: ignore[attr-defined]
        for n, ticket_id in enumerate(ids):
            if n % 2:
                store.execute(AddWorkunit(ticket_id=ticket_id, text_html="<p>Remote note</p>"),
                              tech)
            else:
                store.execute(UpdateTicketFields(ticket_id=ticket_id,
                                                 changes={"title": f"Updated {n}"}), tech)


def _some_ticket(desktop: Workspace, n: int) -> uuid.UUID:
    with desktop.read() as session:
        found = session.scalar(Ticket.__table__.select().with_only_columns(Ticket.id)  # type: ignore[attr-defined]
                               .order_by(Ticket.number).offset(n).limit(1))
    assert found is not None
    return found


@contextlib.contextmanager
def _database(name: str) -> Iterator[str | None]:
    if name == "sqlite":
        yield None
        return
    from tests.postgres_server import start_server

    server = start_server()
    try:
        url = server.create_database()
        yield url
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--workunits", type=int, default=200_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    for name in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        run_backend(name, args)


if __name__ == "__main__":
    main()
