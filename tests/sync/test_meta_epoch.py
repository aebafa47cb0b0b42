"""The sync's first step: protocol check, the server's epoch, and restored servers.

A desktop must notice a server that is no longer the one it copied (a backup restored,
with or without a new epoch), rebuild its replica from it, and send again whatever the
server lost of its work: nothing typed by the user may be lost.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    AttachFile,
    CloseTicket,
    CreateTicket,
    UpdateTicketFields,
)
from desktopdesk.models import (
    Attachment,
    OutboxEntry,
    OutboxState,
    Resolution,
    Status,
    SyncClient,
    SyncConflict,
    SyncState,
    Ticket,
    Tombstone,
    Workunit,
)
from desktopdesk.server.api import sync as sync_api
from desktopdesk.server.errors import ApiError
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync import client as sync_client
from desktopdesk.sync import meta as sync_meta
from desktopdesk.sync.client import open_conflicts
from desktopdesk.sync.meta import NEEDS_NEWER_APP, ProtocolRefusedError, check_server
from desktopdesk.sync.outbox import forget_old_acked
from desktopdesk.sync.pull import decode_cookie
from desktopdesk.sync.rebuild import BUILDING_SUFFIX, RebuildError, rebuild_replica
from tests.conftest import T0, Org
from tests.domain.support import new_ticket
from tests.sync.desktop import Desktop
from tests.sync.inprocess import InProcessTransport
from tests.sync.test_client_sync import same_as_server


@pytest.fixture
def desktops(org: Org, tmp_path: Path) -> Iterator[dict[str, Desktop]]:
    made = {name: Desktop(org, getattr(org, name), tmp_path / name)
            for name in ("tomas", "ana")}
    yield made
    for desktop in made.values():
        desktop.ws.close()


# --- Helpers ------------------------------------------------------------------------------


def copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even of a file in use (WAL)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def restore_server(org: Org, backup: Path) -> None:
    """Put an older copy of the server's database back, as an administrator would."""
    org.ws.close()
    copy_database(backup, org.ws.db_path)


def state_of(desktop: Desktop) -> SyncState:
    with desktop.ws.read() as session:
        state = session.get(SyncState, 1)
        assert state is not None
        return state


def outbox(desktop: Desktop) -> list[tuple[int, str, str]]:
    with desktop.ws.read() as session:
        return [(e.mutation_id, e.command_name, e.state)
                for e in session.scalars(select(OutboxEntry).order_by(OutboxEntry.mutation_id))]


def backups_of(desktop: Desktop) -> list[Path]:
    return sorted(desktop.ws.data_dir.glob("*.before-rebuild-*.bak"))


def server_workunit_texts(org: Org, ticket_id: uuid.UUID) -> list[str]:
    with org.ws.read() as session:
        return sorted(session.scalars(select(Workunit.text_html)
                                      .where(Workunit.ticket_id == ticket_id)))


def attach(desktop: Desktop, ticket_id: uuid.UUID, data: bytes) -> str:
    stored = desktop.ws.blobs.put_bytes(data)
    desktop.do(AttachFile(ticket_id=ticket_id, file_name="photo.jpg", size=stored.size,
                          sha256=stored.sha256, mime_type="image/jpeg"))
    return stored.sha256


def owned_by_javi_now(org: Org, tomas: Desktop) -> uuid.UUID:
    """A ticket Tomás holds, handed to Javi on the server: Tomás's close will be refused."""
    ticket_id = new_ticket(org, org.tomas, org.support, title="Disk failing")
    tomas.sync()
    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.javi), org.tomas)
    return ticket_id


# --- Protocol -----------------------------------------------------------------------------


def test_a_server_needing_a_newer_desktop_stops_the_sync_and_keeps_the_work(
        org: Org, desktops: dict[str, Desktop], monkeypatch: pytest.MonkeyPatch) -> None:
    ana = desktops["ana"]
    ana.sync()
    create = CreateTicket(title="Written offline", group_id=org.acme_group)
    ana.do(create)
    monkeypatch.setattr(sync_api, "PROTOCOL_MIN", sync_meta.CLIENT_PROTOCOL + 1)
    monkeypatch.setattr(sync_api, "PROTOCOL_MAX", sync_meta.CLIENT_PROTOCOL + 1)

    with pytest.raises(ProtocolRefusedError) as refused:
        ana.sync()

    assert refused.value.message == NEEDS_NEWER_APP
    assert state_of(ana).last_error == NEEDS_NEWER_APP
    assert outbox(ana) == [(1, "CreateTicket", OutboxState.PENDING)]
    assert ana.ticket(create.ticket_id).provisional_number == 1  # still there, locally
    with org.ws.read() as session:
        assert session.get(Ticket, create.ticket_id) is None  # nothing was sent

    monkeypatch.undo()  # the server is updated to speak ours again
    assert ana.sync().applied == 1
    assert state_of(ana).last_error == ""
    same_as_server(org, ana)


def test_a_server_older_than_the_desktop_says_so(
        org: Org, desktops: dict[str, Desktop], monkeypatch: pytest.MonkeyPatch) -> None:
    ana = desktops["ana"]
    ours = sync_meta.CLIENT_PROTOCOL
    monkeypatch.setattr(sync_meta, "CLIENT_PROTOCOL", ours + 1)

    with pytest.raises(ProtocolRefusedError) as refused:
        ana.sync()

    assert "older than this DesktopDesk" in refused.value.message
    assert f"protocol {ours}-{ours}" in refused.value.message
    assert state_of(ana).last_error == refused.value.message


def test_meta_does_not_register_an_unknown_client(org: Org) -> None:
    transport = InProcessTransport(org.ws, org.ana, lambda: org.now)
    stranger = uuid.uuid4()

    answer = transport.meta(stranger, sync_meta.CLIENT_PROTOCOL)

    assert answer["last_mutation_id"] is None
    assert answer["protocol_min"] <= sync_meta.CLIENT_PROTOCOL <= answer["protocol_max"]
    with org.ws.read() as session:
        assert session.get(SyncClient, stranger) is None
    again = transport.meta(stranger, sync_meta.CLIENT_PROTOCOL)
    assert again["epoch"] == answer["epoch"]  # stable once made


def test_meta_about_another_users_desktop_is_refused(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ana = desktops["ana"]
    ana.sync()
    as_tomas = InProcessTransport(org.ws, org.tomas, lambda: org.now)

    with pytest.raises(ApiError) as refused:
        as_tomas.meta(state_of(ana).client_id, sync_meta.CLIENT_PROTOCOL)

    assert refused.value.status == 403


# --- Epoch --------------------------------------------------------------------------------


def test_the_first_meta_records_the_epoch_and_a_steady_server_is_left_alone(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ana = desktops["ana"]
    ana.sync()
    epoch = state_of(ana).server_epoch
    assert epoch == ana.transport.meta(uuid.uuid4(), sync_meta.CLIENT_PROTOCOL)["epoch"]
    ana.do(CreateTicket(title="Another", group_id=org.acme_group))

    summary = ana.sync()

    assert summary.rebuilt is None
    assert state_of(ana).server_epoch == epoch
    assert backups_of(ana) == []


class ServerBeforeLastMutationInMeta(InProcessTransport):
    """A server of the release before meta reported the client's last mutation."""

    def meta(self, client_id: uuid.UUID, protocol: int) -> dict[str, Any]:
        answer = super().meta(client_id, protocol)
        del answer["last_mutation_id"]
        return answer


def test_a_server_whose_meta_says_nothing_of_this_desktop_is_not_taken_as_restored(
        org: Org, tmp_path: Path) -> None:
    ticket_id = new_ticket(org, org.tomas, org.support, title="Disk")
    tomas = Desktop(org, org.tomas, tmp_path / "tomas",
                    ServerBeforeLastMutationInMeta(org.ws, org.tomas, lambda: org.now))
    try:
        tomas.sync()
        tomas.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>note</p>"))
        assert tomas.sync().applied == 1

        again = tomas.sync()

        assert again.rebuilt is None
        assert again.rejected == 0
        assert backups_of(tomas) == []
    finally:
        tomas.ws.close()


def test_a_new_epoch_rebuilds_the_replica_keeping_pending_work_conflicts_and_blobs(
        org: Org, desktops: dict[str, Desktop]) -> None:
    tomas = desktops["tomas"]
    disk = owned_by_javi_now(org, tomas)
    tomas.do(CloseTicket(ticket_id=disk, resolution=Resolution.FIXED))  # to be refused
    photo = attach(tomas, disk, b"\x89PNG a photo of the disk")
    tomas.sync()
    (conflict,) = open_conflicts(tomas.ws)
    client_id = state_of(tomas).client_id
    # Offline: more work, then the administrator restores the server and rotates the epoch.
    tomas.do(AddWorkunit(ticket_id=disk, text_html="<p>Ordered a new disk</p>", hours=0.5))
    old, new = sync_api.rotate_epoch(org.ws)
    assert old == state_of(tomas).server_epoch

    summary = tomas.sync()

    assert summary.rebuilt is not None
    assert (summary.rebuilt.new_client, summary.rebuilt.resent) == (False, 0)
    assert "epoch" in summary.rebuilt.reason
    state = state_of(tomas)
    assert (state.server_epoch, state.client_id) == (new, client_id)
    assert summary.applied == 1  # pushed first, under the same client id
    assert "<p>Ordered a new disk</p>" in server_workunit_texts(org, disk)
    assert [c.mutation_id for c in open_conflicts(tomas.ws)] == [conflict.mutation_id]
    assert tomas.ws.blobs.read_bytes(photo) == b"\x89PNG a photo of the disk"
    with tomas.ws.read() as session:
        assert session.scalar(select(Attachment.sha256)) == photo
    assert [state for _, _, state in outbox(tomas)] == [
        OutboxState.REJECTED, OutboxState.ACKED, OutboxState.ACKED]
    same_as_server(org, tomas)
    (backup,) = backups_of(tomas)
    with closing(sqlite3.connect(backup)) as old_copy:
        assert old_copy.execute("SELECT server_epoch FROM sync_state").fetchone() == (old,)
    assert not tomas.ws.db_path.with_name(tomas.ws.db_path.name + BUILDING_SUFFIX).exists()

    assert tomas.sync().rebuilt is None  # settled


# --- Restored servers ---------------------------------------------------------------------


def test_a_server_restored_from_an_older_copy_gets_the_lost_work_again(
        org: Org, desktops: dict[str, Desktop], tmp_path: Path) -> None:
    tomas = desktops["tomas"]
    printer = new_ticket(org, org.tomas, org.support, title="Printer jam")
    disk = owned_by_javi_now(org, tomas)
    nightly = tmp_path / "nightly.sqlite3"
    copy_database(org.ws.db_path, nightly)
    old_client = state_of(tomas).client_id
    # After the backup: accepted work, a refused close, an attachment, a new ticket.
    tomas.do(AddWorkunit(ticket_id=printer, text_html="<p>Cleared the jam</p>"))
    tomas.do(CloseTicket(ticket_id=disk, resolution=Resolution.FIXED))
    photo = attach(tomas, printer, b"jammed paper, photographed")
    laptop = CreateTicket(title="Laptop will not boot", group_id=org.support)
    tomas.do(laptop)
    first = tomas.sync()
    assert (first.applied, first.rejected) == (3, 1)
    # The server's disk dies; last night's copy goes back. Tomás keeps working offline.
    restore_server(org, nightly)
    with org.ws.read() as session:
        assert session.get(Ticket, laptop.ticket_id) is None
    tomas.do(AddWorkunit(ticket_id=laptop.ticket_id, text_html="<p>Reinstalled</p>"))

    summary = tomas.sync()

    assert summary.rebuilt is not None
    assert "back at change" in summary.rebuilt.reason
    assert (summary.rebuilt.new_client, summary.rebuilt.resent) == (True, 3)
    assert state_of(tomas).client_id != old_client
    assert (summary.applied, summary.rejected) == (4, 0)
    assert server_workunit_texts(org, printer) == ["<p>Cleared the jam</p>"]
    assert server_workunit_texts(org, laptop.ticket_id) == ["<p>Reinstalled</p>"]
    with org.ws.read() as session:
        assert session.scalar(select(Attachment.sha256)
                              .where(Attachment.ticket_id == printer)) == photo
        assert session.scalar(select(Ticket.status).where(Ticket.id == disk)) \
            is not Status.CLOSED
    assert org.ws.blobs.read_bytes(photo) == b"jammed paper, photographed"
    # The refused close stays refused, once, with what was typed; no push sends it again.
    (conflict,) = open_conflicts(tomas.ws)
    assert conflict.code == "not_owner"
    assert conflict.mutation_id < 0
    assert [state for _, _, state in outbox(tomas)] == [
        OutboxState.REJECTED, OutboxState.ACKED, OutboxState.ACKED, OutboxState.ACKED,
        OutboxState.ACKED]
    same_as_server(org, tomas)
    assert len(backups_of(tomas)) == 1
    assert tomas.sync().rebuilt is None


def test_a_restored_server_that_moved_on_is_caught_by_the_mutations_it_lost(
        org: Org, desktops: dict[str, Desktop], tmp_path: Path) -> None:
    """No new epoch, and the change sequence has passed our cookie again: only the
    server's count of our mutations gives the restore away."""
    ana = desktops["ana"]
    ticket_id = new_ticket(org, org.ana, title="Scanner")
    ana.sync()
    nightly = tmp_path / "nightly.sqlite3"
    copy_database(org.ws.db_path, nightly)
    ana.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Driver reinstalled</p>"))
    ana.sync()
    restore_server(org, nightly)
    for priority in (2, 3, 4, 2, 3, 4):  # the others keep working on the restored server
        org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"priority": priority}),
               org.ramon)
    check = check_server(ana.ws, ana.transport, state_of(ana), lambda: org.now)
    assert check.meta.change_sequence >= decode_cookie(state_of(ana).pull_cookie)
    assert check.lost_mutations
    assert "had confirmed 1" in check.rebuild_reason

    summary = ana.sync()

    assert summary.rebuilt is not None
    assert summary.rebuilt.resent == 1
    assert server_workunit_texts(org, ticket_id) == ["<p>Driver reinstalled</p>"]
    same_as_server(org, ana)


def test_a_rebuild_cut_by_the_network_leaves_the_replica_as_it_was(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ana = desktops["ana"]
    ticket_id = new_ticket(org, org.ana)
    ana.sync()
    ana.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Offline note</p>"))
    sync_api.rotate_epoch(org.ws)
    before = outbox(ana)

    class Cut(InProcessTransport):
        def pull(self, client_id: uuid.UUID, cookie: str, token: str | None) -> dict[str, Any]:
            raise ConnectionError("the link dropped")

    with pytest.raises(ConnectionError):
        sync_client.run_sync(ana.ws, Cut(org.ws, org.ana, lambda: org.now), org.ana,
                             lambda: org.now)

    assert backups_of(ana) == []
    assert not list(ana.ws.data_dir.glob(f"*{BUILDING_SUFFIX}*"))
    assert outbox(ana) == [(1, "AddWorkunit", OutboxState.ACKED)]  # pushed first
    assert before == [(1, "AddWorkunit", OutboxState.PENDING)]
    summary = ana.sync()  # the epoch still differs: the next sync rebuilds
    assert summary.rebuilt is not None
    same_as_server(org, ana)


def test_work_done_during_a_rebuild_cancels_the_swap_and_is_not_lost(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ana = desktops["ana"]
    ticket_id = new_ticket(org, org.ana)
    ana.sync()
    sync_api.rotate_epoch(org.ws)
    state = state_of(ana)
    check = check_server(ana.ws, ana.transport, state, lambda: org.now)
    typed = AddWorkunit(ticket_id=ticket_id, text_html="<p>Typed meanwhile</p>")

    def pull_while_typing(fresh: Workspace, fresh_state: SyncState) -> None:
        sync_client._pull(fresh, ana.transport, fresh_state, ana.user,
                          sync_client.SyncSummary(), lambda: org.now)
        ana.do(typed)

    with pytest.raises(RebuildError):
        rebuild_replica(ana.ws, check, push_first=lambda: None, pull_into=pull_while_typing,
                        clock=lambda: org.now)

    assert outbox(ana) == [(1, "AddWorkunit", OutboxState.PENDING)]
    assert backups_of(ana) == []
    assert ana.sync().rebuilt is not None
    assert server_workunit_texts(org, ticket_id) == ["<p>Typed meanwhile</p>"]


def test_rows_in_a_table_the_rebuild_does_not_carry_stop_it(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ana = desktops["ana"]
    ana.sync()
    with ana.ws.sessions.begin() as session:  # say, a local table added later and forgotten
        session.add(Tombstone(entity="tickets", row_id=uuid.uuid4(), ticket_id=None,
                              version=1))
    sync_api.rotate_epoch(org.ws)

    with pytest.raises(RebuildError, match="sync_tombstones"):
        ana.sync()

    assert backups_of(ana) == []
    with ana.ws.read() as session:
        assert session.scalar(select(func.count()).select_from(Tombstone)) == 1


# --- Acknowledged rows: 30 days -----------------------------------------------------------


def test_acknowledged_rows_go_after_thirty_days_pending_and_rejected_ones_stay(
        org: Org, desktops: dict[str, Desktop]) -> None:
    tomas = desktops["tomas"]
    disk = owned_by_javi_now(org, tomas)
    tomas.do(AddWorkunit(ticket_id=disk, text_html="<p>Day 0</p>"))
    tomas.do(CloseTicket(ticket_id=disk, resolution=Resolution.FIXED))  # refused
    start = org.now
    assert tomas.sync().forgotten_acked == 0
    org.now = start + dt.timedelta(days=29)
    tomas.do(AddWorkunit(ticket_id=disk, text_html="<p>Day 29</p>"))
    summary = tomas.sync()
    assert summary.forgotten_acked == 0
    assert [name for _, name, _ in outbox(tomas)] == ["AddWorkunit", "CloseTicket",
                                                        "AddWorkunit"]
    org.now = start + dt.timedelta(days=31)
    tomas.do(AddWorkunit(ticket_id=disk, text_html="<p>Day 31, offline</p>"))
    tomas.transport.push = lambda client_id, mutations: {  # type: ignore[method-assign]
        "results": [], "last_mutation_id": 0, "stopped": "offline"}

    summary = tomas.sync()

    assert summary.forgotten_acked == 1  # the day-0 note: acknowledged 31 days ago
    assert outbox(tomas) == [(2, "CloseTicket", OutboxState.REJECTED),
                             (3, "AddWorkunit", OutboxState.ACKED),
                             (4, "AddWorkunit", OutboxState.PENDING)]
    assert len(open_conflicts(tomas.ws)) == 1


def test_an_acknowledged_row_a_conflict_names_is_kept(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "replica")
    try:
        with ws.sessions.begin() as session:
            for mutation_id in (1, 2):
                session.add(OutboxEntry(
                    mutation_id=mutation_id, command_id=uuid.uuid4(), command_name="X",
                    payload={}, created_at=T0, state=OutboxState.ACKED))
            session.flush()
            session.add(SyncConflict(mutation_id=1, code="validation", message="m",
                                     client_payload={}, server_snapshot=None,
                                     created_at=T0))
        with ws.sessions.begin() as session:
            assert forget_old_acked(session, T0) == 0
        with ws.sessions.begin() as session:
            assert forget_old_acked(session, T0 + dt.timedelta(days=30)) == 1
            assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 1
            assert session.scalar(select(OutboxEntry.mutation_id)) == 1
    finally:
        ws.close()


def test_a_pending_row_never_goes(org: Org, desktops: dict[str, Desktop]) -> None:
    ana = desktops["ana"]
    ana.sync()
    ana.do(CreateTicket(title="Never sent", group_id=org.acme_group))
    ana.transport.push = lambda client_id, mutations: {  # type: ignore[method-assign]
        "results": [], "last_mutation_id": 0, "stopped": "offline"}
    org.now += dt.timedelta(days=400)
    ana.sync()
    assert [state for _, _, state in outbox(ana)] == [OutboxState.PENDING]


def test_a_rebuild_is_refused_before_pulling_while_another_program_has_the_file_open(
        org: Org, desktops: dict[str, Desktop], monkeypatch: pytest.MonkeyPatch) -> None:
    ana = desktops["ana"]
    ana.sync()
    other_window = Workspace.open(ana.ws.data_dir)  # a second DesktopDesk on this folder
    try:
        with other_window.read() as session:
            session.scalar(select(func.count()).select_from(OutboxEntry))
        sync_api.rotate_epoch(org.ws)
        pulls: list[str | None] = []
        monkeypatch.setattr(ana.transport, "pull",
                            lambda client_id, cookie, token: pulls.append(token) or {})
        with pytest.raises(RebuildError, match="still open"):
            ana.sync()
        assert pulls == []  # refused at once, not after downloading everything
    finally:
        other_window.close()
    monkeypatch.undo()
    assert ana.sync().rebuilt is not None  # once the other program is closed


def test_a_laptop_clock_set_years_behind_does_not_make_the_safety_net_forget_early(
        org: Org, desktops: dict[str, Desktop]) -> None:
    ana = desktops["ana"]
    ana.sync()
    ana.do(CreateTicket(title="Typed with a flat clock battery", group_id=org.acme_group))
    years_behind = dt.timedelta(days=5 * 365)
    sync_client.run_sync(ana.ws, ana.transport, ana.user, lambda: org.now - years_behind)

    summary = ana.sync()  # the clock is right again

    assert summary.forgotten_acked == 0
    assert [state for _, _, state in outbox(ana)] == [OutboxState.ACKED]
