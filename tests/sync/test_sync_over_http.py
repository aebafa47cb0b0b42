"""End to end over HTTP: a real server process, a desktop signing in, working offline,
syncing through the command line, and the server showing the result."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from desktopdesk import cli
from desktopdesk.cli_account import MASTER_PASSWORD_ENV, PASSWORD_ENV
from desktopdesk.domain.commands import AddWorkunit, CreateTicket
from desktopdesk.models import Group, Ticket, User
from desktopdesk.store.workspace import Workspace
from tests.sync.live_server import running_demo_server
from tests.sync.memory_keyring import MemoryKeyring, installed


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo_server(tmp_path_factory.mktemp("live")) as url:
        yield url


@pytest.fixture(autouse=True)
def vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(PASSWORD_ENV, "demo")
    monkeypatch.delenv(MASTER_PASSWORD_ENV, raising=False)
    with installed(MemoryKeyring()):
        yield


def api_token(url: str, username: str) -> dict[str, str]:
    answer = requests.post(f"{url}/api/v1/auth/token",
                           json={"username": username, "password": "demo"}, timeout=10)
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_desktop_syncs_offline_work_through_a_real_server(
        server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ana-laptop"
    assert cli.main(["--data-dir", str(folder), "login", server_url, "acme.ana"]) == 0
    assert cli.main(["--data-dir", str(folder), "sync"]) == 0
    headers = api_token(server_url, "acme.ana")
    visible = requests.get(f"{server_url}/api/v1/tickets", params={"status": "all",
                           "limit": 500}, headers=headers, timeout=10).json()["items"]
    with Workspace.open(folder) as desktop, desktop.read() as session:
        assert {t.number for t in session.scalars(select(Ticket))} == {
            t["number"] for t in visible}
        ana = session.scalar(select(User.id).where(User.username == "acme.ana"))
        acme = session.scalar(select(Group.id).where(Group.name == "Acme"))
    assert ana is not None
    assert acme is not None

    # Offline: a new ticket with a note, then sync.
    create = CreateTicket(title="Written with no network", group_id=acme)
    with Workspace.open(folder) as desktop:
        desktop.execute(create, ana)
        desktop.execute(AddWorkunit(ticket_id=create.ticket_id, text_html="<p>Photo to follow</p>"),
                        ana)
    capsys.readouterr()
    assert cli.main(["--data-dir", str(folder), "sync"]) == 0
    assert "2 applied" in capsys.readouterr().out

    with Workspace.open(folder) as desktop, desktop.read() as session:
        number = session.scalar(select(Ticket.number).where(Ticket.id == create.ticket_id))
    assert number is not None  # the server numbered it, and the desktop knows
    on_server = requests.get(f"{server_url}/api/v1/tickets/{number}", headers=headers,
                             timeout=10)
    assert on_server.status_code == 200
    assert on_server.json()["title"] == "Written with no network"
    notes = requests.get(f"{server_url}/api/v1/tickets/{number}/workunits", headers=headers,
                         timeout=10).json()
    assert any("Photo to follow" in w["text_html"] for w in notes)
