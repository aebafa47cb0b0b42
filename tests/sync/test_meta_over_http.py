"""Meta and epochs end to end: a real server process, ``desktopdesk sync`` and
``desktopdesk-server rotate-epoch``, as an administrator and a technician would use them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select

from desktopdesk import cli
from desktopdesk.cli_account import MASTER_PASSWORD_ENV, PASSWORD_ENV
from desktopdesk.domain.commands import AddWorkunit
from desktopdesk.models import OutboxEntry, OutboxState, SyncState, Ticket, User, Workunit
from desktopdesk.server import cli as server_cli
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync import meta as sync_meta
from desktopdesk.sync.meta import NEEDS_NEWER_APP
from tests.sync.live_server import running_demo_server
from tests.sync.memory_keyring import MemoryKeyring, installed


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The server's URL and its data folder."""
    folder = tmp_path_factory.mktemp("live-meta")
    with running_demo_server(folder) as url:
        yield url, folder / "server"


@pytest.fixture(autouse=True)
def vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(PASSWORD_ENV, "demo")
    monkeypatch.delenv(MASTER_PASSWORD_ENV, raising=False)
    with installed(MemoryKeyring()):
        yield


def linked_desktop(url: str, folder: Path, username: str) -> None:
    assert cli.main(["--data-dir", str(folder), "login", url, username]) == 0
    assert cli.main(["--data-dir", str(folder), "sync"]) == 0


def note_offline(folder: Path, username: str, text: str) -> AddWorkunit:
    with Workspace.open(folder) as desktop:
        with desktop.read() as session:
            user = session.scalar(select(User.id).where(User.username == username))
            ticket = session.scalar(select(Ticket.id).order_by(Ticket.number).limit(1))
        assert user is not None
        assert ticket is not None
        note = AddWorkunit(ticket_id=ticket, text_html=f"<p>{text}</p>")
        desktop.execute(note, user)
    return note


def test_an_outdated_desktop_is_told_to_update_and_loses_nothing(
        live: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url, _ = live
    folder = tmp_path / "bob-laptop"
    linked_desktop(url, folder, "acme.bob")
    note = note_offline(folder, "acme.bob", "Toner replaced")
    current = sync_meta.CLIENT_PROTOCOL
    monkeypatch.setattr(sync_meta, "CLIENT_PROTOCOL", current - 1)  # older than the server
    capsys.readouterr()

    assert cli.main(["--data-dir", str(folder), "sync"]) == 1

    assert NEEDS_NEWER_APP in capsys.readouterr().err
    with Workspace.open(folder) as desktop, desktop.read() as session:
        state = session.get(SyncState, 1)
        assert state is not None
        assert state.last_error == NEEDS_NEWER_APP
        assert list(session.scalars(select(OutboxEntry.state))) == [OutboxState.PENDING]
        assert session.get(Workunit, note.workunit_id) is not None

    monkeypatch.setattr(sync_meta, "CLIENT_PROTOCOL", current)  # DesktopDesk updated
    assert cli.main(["--data-dir", str(folder), "sync"]) == 0
    assert "1 applied" in capsys.readouterr().out


def test_rotating_the_epoch_makes_a_desktop_rebuild_and_keep_its_offline_work(
        live: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, server_dir = live
    folder = tmp_path / "carla-laptop"
    linked_desktop(url, folder, "indie.carla")
    note = note_offline(folder, "indie.carla", "Still broken after the update")
    capsys.readouterr()

    # The administrator restored a backup (nothing lost here) and rotates the epoch.
    assert server_cli.main(["rotate-epoch", "--data-dir", str(server_dir)]) == 0
    assert "New sync epoch" in capsys.readouterr().out
    assert cli.main(["--data-dir", str(folder), "sync"]) == 0

    out = capsys.readouterr().out
    assert "1 applied" in out
    assert "this copy was rebuilt" in out
    (backup,) = folder.glob("*.before-rebuild-*.bak")
    assert str(backup) in out
    with Workspace.open(folder) as desktop, desktop.read() as session:
        kept = session.get(Workunit, note.workunit_id)
        assert kept is not None
        assert kept.version is not None  # the server's copy: it arrived
    with closing(sqlite3.connect(backup)) as old:
        assert old.execute("SELECT count(*) FROM sync_outbox").fetchone() == (1,)
    assert cli.main(["--data-dir", str(folder), "sync"]) == 0
    assert "rebuilt" not in capsys.readouterr().out
