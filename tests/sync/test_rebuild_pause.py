"""A rebuild while the window is open: other threads' actions wait, reads do not break it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktopdesk.domain.commands import AddWorkunit
from desktopdesk.models import OutboxEntry, OutboxState, SyncState, Workunit
from desktopdesk.server.api import sync as sync_api
from desktopdesk.store.pause_gate import PauseGate
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync import client as sync_client
from desktopdesk.sync.meta import check_server
from desktopdesk.sync.rebuild import rebuild_replica
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.sync.desktop import Desktop

WAIT_S = 30


@pytest.fixture
def ana(org: Org, tmp_path: Path) -> Iterator[Desktop]:
    desktop = Desktop(org, org.ana, tmp_path / "ana")
    yield desktop
    desktop.ws.close()


def _state(desktop: Desktop) -> SyncState:
    with desktop.ws.read() as session:
        state = session.get(SyncState, 1)
        assert state is not None
        return state


def test_an_action_from_another_thread_waits_for_the_rebuild_and_lands_in_the_new_file(
        org: Org, ana: Desktop) -> None:
    ticket_id = new_ticket(org, org.ana)
    ana.sync()
    sync_api.rotate_epoch(org.ws)
    check = check_server(ana.ws, ana.transport, _state(ana), lambda: org.now)
    typed = AddWorkunit(ticket_id=ticket_id, text_html="<p>Typed during the rebuild</p>")
    started, done = threading.Event(), threading.Event()

    def type_on_a_worker() -> None:
        started.set()
        ana.do(typed)
        done.set()

    def pull_while_someone_types(fresh: Workspace, fresh_state: SyncState) -> None:
        worker.start()
        assert started.wait(WAIT_S)
        # The action is held at the gate: it has not written into the file being replaced.
        assert not done.wait(0.3)
        sync_client._pull(fresh, ana.transport, fresh_state, ana.user,
                          sync_client.SyncSummary(), lambda: org.now)

    worker = threading.Thread(target=type_on_a_worker)
    report = rebuild_replica(ana.ws, check, push_first=lambda: None,
                             pull_into=pull_while_someone_types, clock=lambda: org.now)
    worker.join(WAIT_S)

    assert done.is_set()
    assert report.backup.exists()
    with ana.ws.read() as session:  # the new file holds it, queued for the server
        entries = session.execute(select(OutboxEntry.command_name, OutboxEntry.state)).all()
    assert entries == [("AddWorkunit", OutboxState.PENDING)]
    ana.sync()
    with org.ws.read() as session:
        texts = session.scalars(select(Workunit.text_html)
                                .where(Workunit.ticket_id == ticket_id)).all()
    assert "<p>Typed during the rebuild</p>" in texts


def test_a_read_in_progress_on_another_thread_does_not_make_the_rebuild_fail(
        org: Org, ana: Desktop) -> None:
    ana.sync()
    sync_api.rotate_epoch(org.ws)
    reading, release = threading.Event(), threading.Event()

    def long_read() -> None:
        with ana.ws.read() as session:
            session.scalar(select(func.count()).select_from(OutboxEntry))
            reading.set()
            release.wait(WAIT_S)

    reader = threading.Thread(target=long_read)
    reader.start()
    assert reading.wait(WAIT_S)
    # The read ends a moment after the rebuild began: the rebuild waits for it rather
    # than taking this program's own connection for another program's.
    threading.Timer(0.3, release.set).start()
    summary = ana.sync()
    reader.join(WAIT_S)

    assert summary.rebuilt is not None


def test_the_gate_holder_passes_and_others_wait_until_it_is_released() -> None:
    gate = PauseGate()
    passed = threading.Event()

    def other() -> None:
        with gate.passage():
            passed.set()

    with gate.held():
        with gate.passage():  # the holder itself is never held back
            pass
        thread = threading.Thread(target=other)
        thread.start()
        assert not passed.wait(0.2)
    assert passed.wait(WAIT_S)
    thread.join(WAIT_S)
