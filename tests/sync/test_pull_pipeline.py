"""The client's pull loop: the next page fetched while one is applied, and the undo of
pending work done only when there is some (including work done between two pages)."""

from __future__ import annotations

import contextlib
import functools
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain.commands import AddWorkunit, UpdateTicketFields
from desktopdesk.models import OutboxEntry, OutboxState, Workunit
from desktopdesk.sync import client as client_module
from desktopdesk.sync import pull as pull_module
from desktopdesk.sync.client import run_sync
from desktopdesk.sync.rebase import undo_pending
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.sync.desktop import Desktop
from tests.sync.inprocess import InProcessTransport
from tests.sync.test_client_sync import same_as_server


class ObservedTransport(InProcessTransport):
    """The in-process transport, noting which thread asked for each page, and able to run
    something (a user's command, a failure) when a given page is asked for."""

    def __init__(self, org: Org, user: uuid.UUID, *, prefetch: bool) -> None:
        super().__init__(org.ws, user, lambda: org.now)
        self.prefetch_pages = prefetch
        self.threads: list[str] = []
        self.on_page: dict[int, Callable[[], None]] = {}

    def pull(self, client_id: uuid.UUID, cookie: str, token: str | None) -> dict[str, Any]:
        self.threads.append(threading.current_thread().name)
        hook = self.on_page.get(len(self.threads))
        if hook is not None:
            hook()
        return super().pull(client_id, cookie, token)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pull_module, "PAGE_ROWS", 3)


@pytest.fixture
def tickets(org: Org) -> list[uuid.UUID]:
    made = [new_ticket(org, org.tomas, org.support, title=f"Printer {n}") for n in range(6)]
    for ticket_id in made:
        org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Checked</p>"), org.tomas)
    return made


@contextlib.contextmanager
def desktop_with(org: Org, folder: Path, transport: ObservedTransport) -> Iterator[Desktop]:
    desktop = Desktop(org, org.tomas, folder, transport)
    yield desktop
    desktop.ws.close()


@pytest.mark.usefixtures("small_pages", "tickets")
@pytest.mark.parametrize("prefetch", [False, True])
def test_a_paged_pull_gives_the_same_replica_with_or_without_prefetch(
        org: Org, tmp_path: Path, prefetch: bool) -> None:
    transport = ObservedTransport(org, org.tomas, prefetch=prefetch)
    with desktop_with(org, tmp_path / "d", transport) as desktop:
        summary = desktop.sync()
        assert summary.pages > 5
        same_as_server(org, desktop)
        fetched_aside = [name for name in transport.threads if name.startswith("sync-pull")]
        # Every page after the first was asked for while the one before it was applied.
        assert len(fetched_aside) == (summary.pages - 1 if prefetch else 0)


@pytest.mark.usefixtures("small_pages")
def test_work_done_between_two_pages_stays_on_top(
        org: Org, tickets: list[uuid.UUID], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    transport = ObservedTransport(org, org.tomas, prefetch=False)
    undo_calls: list[int] = []  # which pull request each undo followed (1: the first)

    def counting_undo(session: Session) -> None:
        undo_calls.append(len(transport.threads))
        undo_pending(session)

    monkeypatch.setattr(client_module, "undo_pending", counting_undo)
    with desktop_with(org, tmp_path / "d", transport) as desktop:
        desktop.sync()
        # Nothing pending: a first pull undoes once, before its first page only.
        assert undo_calls == [1]
        undo_calls.clear()
        target = tickets[-1]
        # The server renames every ticket; the desktop's next pull takes several pages.
        for ticket_id in tickets:
            org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "Renamed"}),
                   org.tomas)
        transport.threads.clear()
        local_note = AddWorkunit(ticket_id=target, text_html="<p>Typed mid-sync</p>")
        # The technician types while the pull is between its first and second page.
        transport.on_page[2] = functools.partial(desktop.do, local_note)

        desktop.sync()

        # Page 1 undoes (always); the note typed before page 2 is undone before page 2
        # is applied and redone after it, and so on while it is pending.
        assert undo_calls[:2] == [1, 2]
        with desktop.ws.read() as session:
            note = session.get(Workunit, local_note.workunit_id)
            assert note is not None  # not lost
            assert note.version is None  # and still local
            entry = session.scalars(select(OutboxEntry)).one()
            assert entry.state == OutboxState.PENDING
        assert all(desktop.ticket(t).title == "Renamed" for t in tickets)
        desktop.sync()  # and it reaches the server
        same_as_server(org, desktop)


@pytest.mark.usefixtures("small_pages", "tickets")
def test_a_page_lost_while_the_one_before_is_applied_fails_the_sync_and_the_next_resumes(
        org: Org, tmp_path: Path) -> None:
    transport = ObservedTransport(org, org.tomas, prefetch=True)

    def lose_the_connection() -> None:
        raise ConnectionError("the Wi-Fi dropped")

    transport.on_page[3] = lose_the_connection
    with desktop_with(org, tmp_path / "d", transport) as desktop:
        with pytest.raises(ConnectionError, match="Wi-Fi"):
            desktop.sync()
        assert not [t for t in threading.enumerate() if t.name.startswith("sync-pull")]
        transport.on_page.clear()
        run_sync(desktop.ws, transport, desktop.user, lambda: org.now)
        same_as_server(org, desktop)
