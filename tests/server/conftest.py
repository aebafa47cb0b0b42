"""Server fixtures: the demo on a server store, an app with a movable clock, and sign-in.

Seeding the demo takes a few seconds, so it is built once per test session (per xdist
worker) and each test gets its own copy of the data folder. Password hashing uses cheap
argon2 parameters, written into the copy's ``server.toml``, so signing in costs
microseconds; production defaults are untouched.

Typical use::

    def test_something(client: TestClient) -> None:
        headers = login(client, "ramon")
        assert client.get("/api/v1/me", headers=headers).json()["username"] == "ramon"
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from desktopdesk.domain.acl import can_view, load_permissions
from desktopdesk.domain.commands import Command
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.queries import find_user
from desktopdesk.models import Ticket
from desktopdesk.server.app import create_app
from desktopdesk.server.auth import Auth
from desktopdesk.server.config import (
    Argon2Params,
    AuthSettings,
    ServerConfig,
    load_config,
    write_config_file,
)
from desktopdesk.server.deps import ServerState
from desktopdesk.server.provision import open_store, seed_demo_server
from desktopdesk.store.demo import DEMO_PASSWORD
from desktopdesk.store.workspace import Workspace

#: The demo's "today": its history ends just before, and the test clock starts here.
DEMO_TODAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
#: argon2's minimum cost: fast enough for dozens of sign-ins per test. Tests only.
FAST_ARGON2 = Argon2Params(time_cost=1, memory_kib=8, parallelism=1)
API = "/api/v1"


class FakeClock:
    """The server's clock in tests: stands still until a test moves it."""

    def __init__(self, now: dt.datetime = DEMO_TODAY) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


def fast_config(data_dir: Path) -> ServerConfig:
    """Default settings except the cheap argon2 cost and no scheduled jobs (tests that
    want them run them, on their own clock)."""
    return ServerConfig(data_dir=data_dir, auth=AuthSettings(argon2=FAST_ARGON2),
                        jobs_interval_s=0)


def write_fast_config(data_dir: Path) -> Path:
    """A prepared ``server.toml`` with the cheap cost, for CLI tests to run against."""
    return write_config_file(fast_config(data_dir))


@pytest.fixture(scope="session")
def seeded_server_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo server's data folder, built once; never use it directly (copy it)."""
    data_dir = tmp_path_factory.mktemp("seeded") / "server"
    config = fast_config(data_dir)
    write_config_file(config)
    with open_store(config) as workspace:
        seed_demo_server(workspace, Auth(workspace.sessions, config.auth), today=DEMO_TODAY)
    return data_dir


@pytest.fixture
def server_dir(seeded_server_dir: Path, tmp_path: Path) -> Path:
    """This test's own copy of the seeded demo server's data folder."""
    target = tmp_path / "server"
    shutil.copytree(seeded_server_dir, target)
    return target


@pytest.fixture
def server_config(server_dir: Path) -> ServerConfig:
    """The copy's settings as the server reads them (its server.toml, no environment)."""
    return load_config(server_dir, environ={})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(server_config: ServerConfig, clock: FakeClock) -> FastAPI:
    return create_app(server_config, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client on the started app (its lifespan runs: the store is open)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def state(app: FastAPI, client: TestClient) -> ServerState:
    """What the running app holds (store, auth, clock): to arrange or check data behind
    the API's back."""
    server = app.state.server
    assert isinstance(server, ServerState)
    return server


@pytest.fixture
def server_store(state: ServerState) -> Workspace:
    return state.workspace


@pytest.fixture
def auth(state: ServerState) -> Auth:
    """The running app's sign-in service (same clock, same store)."""
    return state.auth


def user_id(store: Workspace, username: str) -> uuid.UUID:
    with store.read() as session:
        user = find_user(session, username)
    assert user is not None, username
    return user.id


def login(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Sign in over the API; returns the headers that authenticate later requests."""
    response = client.post(f"{API}/auth/token", data={"username": username,
                                                      "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# --- REST API helpers ---------------------------------------------------------------------


def ticket_id(store: Workspace, number: int) -> uuid.UUID:
    with store.read() as session:
        found = session.scalar(select(Ticket.id).where(Ticket.number == number))
    assert found is not None, number
    return found


def visible_numbers(store: Workspace, username: str) -> set[int]:
    """The tickets the shared ACL lets ``username`` see, decided in Python (``can_view``),
    to check the API's SQL filtering against."""
    with store.read() as session:
        perms = load_permissions(session, user_id(store, username))
        return {ticket.number for ticket in session.scalars(select(Ticket))
                if ticket.number is not None and can_view(perms, ticket)}


def run_as(store: Workspace, username: str, command: Command, clock: FakeClock) -> CommandResult:
    """Arrange data behind the API's back, through the same commands (a minute later)."""
    clock.advance(dt.timedelta(minutes=1))
    return store.execute(command, user_id(store, username), now=clock())


def walk_pages(client: TestClient, headers: dict[str, str],
               **params: Any) -> list[dict[str, Any]]:
    """Every item of a ticket list, following ``next_cursor`` to the end."""
    items: list[dict[str, Any]] = []
    query = dict(params)
    while True:
        response = client.get(f"{API}/tickets", headers=headers, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        query["cursor"] = page["next_cursor"]
