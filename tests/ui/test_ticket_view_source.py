"""The ticket view's worker calls, tested without a QApplication."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktopdesk.domain.errors import NOT_FOUND, DomainError
from desktopdesk.domain.settings import SORT_WORKUNITS_BY_COMPLETION
from desktopdesk.domain.ticket_details import EDITABLE_PARTS
from desktopdesk.domain.ticket_edit import TicketEdit
from desktopdesk.models import CommandLogEntry, Status
from desktopdesk.store.blobs import BlobNotFoundError
from desktopdesk.ui import ticket_view_source as source
from desktopdesk.ui.attachment_files import UnreadableFileError
from desktopdesk.ui.desktop_preferences import DesktopPreferences
from tests.conftest import Org
from tests.ui.conftest import Tickets, qt_modules_loaded_by


def command_count(org: Org) -> int:
    with org.ws.read() as session:
        return session.scalar(select(func.count()).select_from(CommandLogEntry)) or 0


def test_details_and_sync_state_load_on_a_standalone_store(org: Org, tickets: Tickets) -> None:
    data = source.load_details(org.ws, org.ramon, tickets.ramon_new)

    assert data.details.title == "Printer on the second floor jams"
    assert data.details.read_only_reason("status") is None
    assert (data.sync.pending, data.sync.conflicts) == (0, 0)
    with pytest.raises(DomainError) as info:
        source.load_details(org.ws, org.ramon, tickets.finance_hidden)
    assert info.value.code == NOT_FOUND


def test_the_desktop_preference_orders_the_workunits(org: Org, tickets: Tickets) -> None:
    from desktopdesk.domain.commands import AddWorkunit

    early = org.do(AddWorkunit(ticket_id=tickets.ramon_new, text_html="<p>done last</p>",
                               completed_at=org.now.replace(hour=20)),
                   org.ramon, org.now.replace(hour=10)).created_id
    late = org.do(AddWorkunit(ticket_id=tickets.ramon_new, text_html="<p>done first</p>",
                              completed_at=org.now.replace(hour=9, minute=30)),
                  org.ramon, org.now.replace(hour=11)).created_id

    newest_first = source.load_details(org.ws, org.ramon, tickets.ramon_new).details
    DesktopPreferences(org.ws.data_dir).set_setting(SORT_WORKUNITS_BY_COMPLETION, True)
    by_completion = source.load_details(org.ws, org.ramon, tickets.ramon_new).details

    assert [w.id for w in newest_first.workunits] == [late, early]
    assert [w.id for w in by_completion.workunits] == [early, late]


def test_saving_an_unchanged_form_does_nothing(org: Org, tickets: Tickets) -> None:
    details = source.load_details(org.ws, org.ramon, tickets.ramon_new).details
    before = command_count(org)

    saved = source.save_edit(org.ws, org.ramon, details, TicketEdit.of(details))

    assert saved == source.SavedEdit()
    assert command_count(org) == before


def test_a_save_applies_every_change_and_reports_the_ticket(org: Org, tickets: Tickets) -> None:
    details = source.load_details(org.ws, org.ramon, tickets.ramon_new).details
    edit = dataclasses.replace(TicketEdit.of(details), title="Printer jams on A4 only",
                               status=Status.ASSIGNED, owner_id=org.tomas)

    saved = source.save_edit(org.ws, org.ramon, details, edit)

    assert saved.changed_ticket_ids == (tickets.ramon_new,)
    assert saved.commands == 3
    after = source.load_details(org.ws, org.tomas, tickets.ramon_new).details
    assert (after.title, after.status, after.owner.full_name) == (
        "Printer jams on A4 only", Status.ASSIGNED, "Tomas")


def test_a_refused_save_comes_back_as_an_answer(org: Org, tickets: Tickets) -> None:
    details = source.load_details(org.ws, org.ramon, tickets.ramon_new).details
    edit = dataclasses.replace(TicketEdit.of(details), parent_id=tickets.ramon_new)

    answer = source.attempt_save(org.ws, org.ramon, details, edit)

    assert isinstance(answer, DomainError)
    assert answer.field == "parent_id"
    assert answer.message == "A ticket cannot be its own parent."


def test_a_closed_ticket_is_locked_then_unlocked(org: Org, tickets: Tickets) -> None:
    assert source.set_locked(org.ws, org.ramon, tickets.bob_closed, True) == (
        tickets.bob_closed,)
    locked = source.load_details(org.ws, org.ramon, tickets.bob_closed).details
    assert locked.locked
    assert (locked.may_lock, locked.may_unlock) == (False, True)
    assert all("locked" in (locked.read_only_reason(part) or "") for part in EDITABLE_PARTS)

    source.set_locked(org.ws, org.ramon, tickets.bob_closed, False)
    assert not source.load_details(org.ws, org.ramon, tickets.bob_closed).details.locked


def test_a_refused_lock_writes_nothing(org: Org, tickets: Tickets) -> None:
    before = command_count(org)
    with pytest.raises(DomainError) as refused:
        source.set_locked(org.ws, org.ramon, tickets.ramon_new, True)
    assert refused.value.message == "Only a closed ticket can be locked."
    assert command_count(org) == before


def test_the_ticket_being_edited_is_not_offered_as_its_own_parent(
        org: Org, tickets: Tickets) -> None:
    words = "printer jams"
    assert [c.id for c in source.find_parent_tickets(org.ws, org.ramon, words)] == [
        tickets.ramon_new]
    assert source.find_parent_tickets(org.ws, org.ramon, words,
                                      excluding=tickets.ramon_new) == ()


def test_files_are_attached_in_one_action_and_exported_whole(org: Org, tickets: Tickets,
                                                             tmp_path: Path) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.7 report")
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n...")

    ids = source.attach_files(org.ws, org.ramon, tickets.ramon_new, [report, photo])

    files = {a.id: a for a in source.load_details(org.ws, org.ramon, tickets.ramon_new)
             .details.attachments}
    assert set(files) == set(ids)
    by_name = {a.file_name: a for a in files.values()}
    assert by_name["report.pdf"].mime_type == "application/pdf"
    assert all(a.available for a in files.values())
    target = tmp_path / "out" / "copy.pdf"
    source.export_attachment(org.ws, by_name["report.pdf"].sha256, target)
    assert target.read_bytes() == b"%PDF-1.7 report"
    assert [p.name for p in target.parent.iterdir()] == ["copy.pdf"]


def test_an_unreadable_file_attaches_nothing(org: Org, tickets: Tickets, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("fine")
    before = command_count(org)

    with pytest.raises(UnreadableFileError):
        source.attach_files(org.ws, org.ramon, tickets.ramon_new, [good, tmp_path / "gone"])

    assert command_count(org) == before


def test_a_refused_attachment_leaves_no_attachment(org: Org, tickets: Tickets,
                                                   tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("hello")

    with pytest.raises(DomainError):  # the outsider cannot see the ticket
        source.attach_files(org.ws, org.outsider, tickets.ramon_new, [note])

    assert source.load_details(org.ws, org.ramon, tickets.ramon_new).details.attachments == ()


def test_exporting_bytes_not_here_yet_writes_nothing(org: Org, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()

    with pytest.raises(BlobNotFoundError):
        source.export_attachment(org.ws, "0" * 64, exports / "missing.bin")

    assert list(exports.iterdir()) == []


def test_an_export_replaces_an_older_file_only_when_complete(
        org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    target = exports / "file.txt"
    target.write_bytes(b"old")
    blob = org.ws.blobs.put_bytes(b"new contents")

    def broken_read(sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        yield b"new con"
        raise OSError("disk went away")

    with monkeypatch.context() as patched:
        patched.setattr(org.ws.blobs, "open_range", broken_read)
        with pytest.raises(OSError, match="disk went away"):
            source.export_attachment(org.ws, blob.sha256, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in exports.iterdir()] == ["file.txt"]

    source.export_attachment(org.ws, blob.sha256, target)

    assert target.read_bytes() == b"new contents"
    assert [p.name for p in exports.iterdir()] == ["file.txt"]


def test_create_options_are_read_for_the_person(org: Org) -> None:
    options = source.load_create_options(org.ws, org.ana)

    assert [g.name for g in options.groups] == ["Acme"]
    assert options.creation_statuses[0] is Status.NEW


def test_the_source_runs_without_qt() -> None:
    """The runner calls it on a worker; a test must not need a QApplication for it."""
    assert qt_modules_loaded_by("desktopdesk.ui.ticket_view_source") == []
