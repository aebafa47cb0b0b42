"""The scanner folder: scans a scanner or phone app saves there are offered or added,
the folder is read on the runner (a network share may be slow or gone), looked at again
every few seconds (no change events come for files another machine writes into a
share), and recent scans already used are not offered again."""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from pytestqt.qtbot import QtBot

from desktopdesk.documents.scans import ScanPage
from desktopdesk.documents.work_orders import generate_work_order
from desktopdesk.domain.errors import DomainError
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import scanner_folder_row, watched_folder
from desktopdesk.ui.desktop_preferences import DesktopPreferences
from desktopdesk.ui.preferences_dialog import PreferencesDialog
from desktopdesk.ui.scan_dialog import ScanDialog
from desktopdesk.ui.scanner_folder_source import FolderListing
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.watched_folder import WatchedFolder
from tests.conftest import Org
from tests.ui.conftest import Tickets, qt_modules_loaded_by
from tests.ui.test_scan_dialog import (
    BLUE,
    GREEN,
    RED,
    MakeScanDialog,
    Recorder,
    add_and_wait,
    card,
    page_colours,
    questions,  # noqa: F401  (autouse: dialogs left with pages are closed without asking)
    scan_dialogs,
    write_photo,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def make_scan_dialog(qtbot: QtBot, workspace: Workspace,
                     runner: TaskRunner) -> Iterator[MakeScanDialog]:
    yield from scan_dialogs(qtbot, workspace, runner)



def test_a_scan_saved_into_the_scanner_folder_is_added_once_written(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, workspace: Workspace, tmp_path: Path,
) -> None:
    folder = tmp_path / "Scans"
    folder.mkdir()
    DesktopPreferences(workspace.data_dir).set_scanner_folder(folder)
    dialog = make_scan_dialog(settle_ms=50)
    qtbot.waitUntil(lambda: dialog.scanner.row.label.text()
                    == f"Watching {folder} for new scans")
    assert not dialog.scanner.recent.isVisible()

    with qtbot.waitSignal(dialog.files_loaded, timeout=20_000) as loaded:
        (folder / "notes.txt").write_text("not a scan")  # ignored by name
        write_photo(folder / "scan_0001.jpg", GREEN)

    assert loaded.args == [1, 0]
    assert [page.source.name for page in dialog.model.pages()] == ["scan_0001.jpg"]


def test_choosing_the_scanner_folder_saves_it_for_this_desktop(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, workspace: Workspace, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = make_scan_dialog()
    row = dialog.scanner.row
    assert row.label.text().startswith("No scanner folder")
    folder = tmp_path / "Phone uploads"
    folder.mkdir()
    monkeypatch.setattr(scanner_folder_row, "choose_folder", lambda _parent, _start: folder)

    qtbot.mouseClick(row.choose_button, Qt.MouseButton.LeftButton)

    assert DesktopPreferences(workspace.data_dir).scanner_folder == folder
    assert dialog.scanner.watched.folder == folder
    qtbot.waitUntil(lambda: row.label.text() == f"Watching {folder} for new scans")


def test_scans_saved_just_before_opening_are_offered(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, workspace: Workspace, tmp_path: Path,
) -> None:
    folder = tmp_path / "Scans"
    folder.mkdir()
    old = write_photo(folder / "last-week.jpg", BLUE)
    week_ago = time.time() - 7 * 86400
    os.utime(old, (week_ago, week_ago))
    write_photo(folder / "scan_0007.jpg", RED)
    DesktopPreferences(workspace.data_dir).set_scanner_folder(folder)
    dialog = make_scan_dialog()
    recent = dialog.scanner.recent

    qtbot.waitUntil(recent.isVisible)
    assert recent.message.text() == "1 recent scan in the scanner folder: scan_0007.jpg."
    with qtbot.waitSignal(dialog.files_loaded, timeout=20_000):
        qtbot.mouseClick(recent.add_button, Qt.MouseButton.LeftButton)

    assert [page.source.name for page in dialog.model.pages()] == ["scan_0007.jpg"]
    assert not recent.isVisible()


def watch_and_wait(qtbot: QtBot, watched: WatchedFolder, folder: Path) -> FolderListing:
    with qtbot.waitSignal(watched.folder_read, timeout=10_000) as read:
        watched.watch(folder)
    listing = read.args[0]
    assert isinstance(listing, FolderListing)
    return listing


def test_the_watched_folder_waits_until_a_file_stops_growing(
    qtbot: QtBot, tmp_path: Path, runner: TaskRunner,
) -> None:
    watched = WatchedFolder(runner, settle_ms=200)
    assert watch_and_wait(qtbot, watched, tmp_path).readable
    arrived: list[Path] = []
    watched.file_arrived.connect(arrived.append)
    growing = tmp_path / "scan.tif"
    buffer = io.BytesIO()
    card(RED).save(buffer, "TIFF")
    data = buffer.getvalue()

    with open(growing, "wb") as out:
        out.write(data[:100])
        out.flush()
        qtbot.waitUntil(lambda: watched.waiting == 1)
        assert arrived == []
        out.write(data[100:])
    with qtbot.waitSignal(watched.file_arrived, timeout=10_000):
        pass

    assert arrived == [growing]
    assert watched.waiting == 0
    gone = watch_and_wait(qtbot, watched, tmp_path / "gone")  # a folder that is not there
    assert not gone.readable
    assert watched.readable is False
    watched.watch(None)


def test_the_workers_functions_do_not_load_qt() -> None:
    assert qt_modules_loaded_by("desktopdesk.ui.scan_source") == []
    assert qt_modules_loaded_by("desktopdesk.ui.scanner_folder_source") == []
    assert qt_modules_loaded_by("desktopdesk.documents.scan_thumbnails") == []


def test_the_scanner_folder_is_chosen_in_preferences_too(
    qtbot: QtBot, org: Org, runner: TaskRunner, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = PreferencesDialog(org.ws, org.ramon, runner)
    qtbot.addWidget(dialog)
    row = dialog.scanner_folder
    assert row.label.text().startswith("No scanner folder")
    folder = tmp_path / "Scans"
    folder.mkdir()
    monkeypatch.setattr(scanner_folder_row, "choose_folder", lambda _parent, _start: folder)

    qtbot.mouseClick(row.choose_button, Qt.MouseButton.LeftButton)

    assert row.label.text() == f"Scanner folder: {folder}"
    assert DesktopPreferences(org.ws.data_dir).scanner_folder == folder
    runner.wait_for_done()



def test_the_scanner_folder_is_read_on_the_runner_while_the_dialog_opens(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, workspace: Workspace, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A share that takes its time to answer does not hold up the dialog."""
    folder = tmp_path / "Scans"
    folder.mkdir()
    write_photo(folder / "scan_0001.jpg", GREEN)
    DesktopPreferences(workspace.data_dir).set_scanner_folder(folder)
    answer = threading.Event()
    listed_on: list[threading.Thread] = []
    real = watched_folder.list_scans

    def slow_share(where: Path) -> FolderListing:
        listed_on.append(threading.current_thread())
        answer.wait(timeout=10)
        return real(where)

    monkeypatch.setattr(watched_folder, "list_scans", slow_share)
    dialog = make_scan_dialog()

    assert dialog.isVisible()
    assert dialog.scanner.row.label.text() == f"Looking at {folder}…"
    answer.set()
    qtbot.waitUntil(dialog.scanner.recent.isVisible)
    assert threading.main_thread() not in listed_on
    assert dialog.scanner.row.label.text() == f"Watching {folder} for new scans"


def test_a_listing_of_a_folder_no_longer_watched_is_dropped(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The person chose another folder while a slow share was being listed: its answer
    must neither show nor make the chosen folder's files look new."""
    slow, chosen = tmp_path / "slow", tmp_path / "chosen"
    for folder in (slow, chosen):
        folder.mkdir()
    write_photo(slow / "old.jpg", RED)
    write_photo(chosen / "scan.jpg", GREEN)  # there before: not new
    answer = threading.Event()
    looks: list[Path] = []
    real = watched_folder.list_scans

    def listing(where: Path) -> FolderListing:
        if where == slow:
            answer.wait(timeout=10)
        looks.append(where)
        return real(where)

    monkeypatch.setattr(watched_folder, "list_scans", listing)
    watched = WatchedFolder(runner, settle_ms=20, poll_ms=20)
    read: list[FolderListing] = []
    arrived: list[Path] = []
    watched.folder_read.connect(read.append)
    watched.file_arrived.connect(arrived.append)
    watched.watch(slow)
    watched.watch(chosen)
    qtbot.waitUntil(lambda: bool(read))
    answer.set()
    qtbot.waitUntil(lambda: slow in looks)
    after_the_slow_answer = len(looks)
    # Looks are one after another: by the fourth, what the stale answer stirred up is out.
    qtbot.waitUntil(lambda: len(looks) >= after_the_slow_answer + 4)

    assert [listing.folder for listing in read] == [chosen]
    assert arrived == []
    assert watched.folder == chosen
    watched.watch(None)


class DeafWatcher(QObject):
    """QFileSystemWatcher on a share another machine writes into: no events, ever."""

    directoryChanged = Signal(str)  # noqa: N815  (Qt's name)

    def addPath(self, _path: str) -> bool:
        return True


def test_a_scan_on_a_share_without_change_events_is_found_by_looking_again(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(watched_folder, "QFileSystemWatcher", DeafWatcher)
    watched = WatchedFolder(runner, settle_ms=30, poll_ms=60)
    watch_and_wait(qtbot, watched, tmp_path)

    with qtbot.waitSignal(watched.file_arrived, timeout=10_000) as arrived:
        write_photo(tmp_path / "scan_0042.jpg", BLUE)

    assert arrived.args == [tmp_path / "scan_0042.jpg"]
    watched.watch(None)


def test_a_scan_removed_and_saved_again_is_new_again(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The scanner app saves scan.jpg, the person deletes it and scans again."""
    looks: list[FolderListing] = []
    real = watched_folder.list_scans

    def counted(where: Path) -> FolderListing:
        looks.append(real(where))
        return looks[-1]

    monkeypatch.setattr(watched_folder, "list_scans", counted)
    scan = write_photo(tmp_path / "scan.jpg", RED)
    watched = WatchedFolder(runner, settle_ms=20, poll_ms=20)
    watch_and_wait(qtbot, watched, tmp_path)
    scan.unlink()
    qtbot.waitUntil(lambda: not looks[-1].entries)  # a look saw it gone

    with qtbot.waitSignal(watched.file_arrived, timeout=10_000) as arrived:
        write_photo(scan, BLUE)

    assert arrived.args == [scan]
    watched.watch(None)


def test_a_share_that_drops_out_is_looked_at_until_it_is_back(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scan the scanner saved while this computer lost the share is still new once the
    share answers again."""
    down = threading.Event()
    real = watched_folder.list_scans

    def share(where: Path) -> FolderListing:
        return FolderListing(where, problem="Host is down") if down.is_set() else real(where)

    monkeypatch.setattr(watched_folder, "list_scans", share)
    watched = WatchedFolder(runner, settle_ms=20, poll_ms=20)
    assert watch_and_wait(qtbot, watched, tmp_path).readable

    down.set()
    with qtbot.waitSignal(watched.folder_read, timeout=10_000) as lost:
        pass
    assert lost.args[0].problem == "Host is down"
    write_photo(tmp_path / "scan_0009.jpg", GREEN)
    down.clear()
    with qtbot.waitSignal(watched.file_arrived, timeout=10_000) as arrived:
        pass

    assert arrived.args == [tmp_path / "scan_0009.jpg"]
    assert watched.readable is True
    watched.watch(None)


def test_a_scan_arriving_while_attaching_is_offered_if_the_dialog_stays(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, workspace: Workspace, tmp_path: Path,
) -> None:
    folder = tmp_path / "Scans"
    folder.mkdir()
    DesktopPreferences(workspace.data_dir).set_scanner_folder(folder)
    release = threading.Event()

    def refused_after_a_while(_pages: Sequence[ScanPage]) -> object:
        release.wait(timeout=10)
        raise DomainError("not_allowed", "You may not add files to #812.")

    dialog = make_scan_dialog(refused_after_a_while, settle_ms=30, poll_ms=60)
    qtbot.waitUntil(lambda: dialog.scanner.watched.readable is True)
    add_and_wait(qtbot, dialog, [write_photo(tmp_path / "IMG_0001.jpg", RED)])
    dialog.attach()
    with qtbot.waitSignal(dialog.scanner.watched.file_arrived, timeout=10_000):
        write_photo(folder / "scan_0002.jpg", GREEN)
    assert dialog.model.rowCount() == 1  # not added while attaching
    release.set()

    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=10_000)
    recent = dialog.scanner.recent
    assert dialog.refusals.text() == "You may not add files to #812."
    assert recent.isVisible()
    assert recent.message.text() == "1 recent scan in the scanner folder: scan_0002.jpg."
    with qtbot.waitSignal(dialog.files_loaded, timeout=20_000):
        qtbot.mouseClick(recent.add_button, Qt.MouseButton.LeftButton)
    assert page_colours(dialog.model.pages()) == ["red", "scan_0002.jpg"]


def test_recent_scans_leave_out_the_ticket_s_files_and_the_last_job_s_pages(
    qtbot: QtBot, org: Org, tickets: Tickets, runner: TaskRunner, tmp_path: Path,
) -> None:
    """The work order's own PDF saved into the folder, and the photos just attached as
    the signed copy of the previous work order, are not offered for the next one."""
    folder = tmp_path / "Scans"
    folder.mkdir()
    DesktopPreferences(org.ws.data_dir).set_scanner_folder(folder)
    printed = generate_work_order(org.ws, org.ramon, tickets.ramon_new)
    (folder / printed.document.file_name).write_bytes(printed.document.rendered.pdf)
    write_photo(folder / "IMG_0001.jpg", RED)

    def open_dialog() -> ScanDialog:
        dialog = ScanDialog(org.ws, runner, Recorder(), work_order_name="next.pdf",
                            ticket_id=tickets.ramon_new, thumbnail_side=96)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(dialog.scanner.recent.isVisible)
        return dialog

    first = open_dialog()
    recent = first.scanner.recent
    assert recent.offered == [folder / "IMG_0001.jpg"]  # not the work order itself
    with qtbot.waitSignal(first.files_loaded, timeout=20_000):
        qtbot.mouseClick(recent.add_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(first.validated, timeout=20_000):
        first.attach()

    write_photo(folder / "IMG_0002.jpg", GREEN)  # the next job's signed page
    second = open_dialog()
    assert second.scanner.recent.offered == [folder / "IMG_0002.jpg"]
    second.close()
    runner.wait_for_done()


def test_a_share_that_hangs_is_listed_once_and_keeps_the_window_s_runner_free(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The validate dialog closed and opened again, and another one opened, while the
    scanner's share does not answer: one listing waits on the share, not three, and
    the window still reads tickets meanwhile."""
    share = tmp_path / "Scanner share"
    share.mkdir()
    write_photo(share / "scan_0001.jpg", GREEN)
    answer = threading.Event()
    listings: list[Path] = []
    real = watched_folder.list_scans

    def hung_share(where: Path) -> FolderListing:
        listings.append(where)
        answer.wait(timeout=30)
        return real(where)

    monkeypatch.setattr(watched_folder, "list_scans", hung_share)
    first = WatchedFolder(runner, poll_ms=60_000)
    second = WatchedFolder(runner, poll_ms=60_000)
    try:
        first.watch(share)
        qtbot.waitUntil(lambda: listings == [share])
        first.watch(None)  # the dialog closed
        first.watch(share)  # and opened again
        second.watch(share)  # another work order's dialog
        ticket_read = runner.run(lambda: "the ticket")
        with qtbot.waitSignal(ticket_read.succeeded, timeout=10_000) as read:
            pass
        assert read.args == ["the ticket"]
        assert listings == [share]
        assert first.readable is None  # still waiting
        assert second.readable is None
    finally:
        answer.set()

    qtbot.waitUntil(lambda: first.readable is True and second.readable is True)
    assert listings == [share]  # the one listing answered both
    first.watch(None)
    second.watch(None)


def test_the_recent_scans_cannot_be_taken_while_attaching_and_stay_offered(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, workspace: Workspace, tmp_path: Path,
) -> None:
    """"Add them" clicked while attaching would clear the offer for nothing (nothing is
    added then): if attaching fails, the recent scan must still be offered."""
    folder = tmp_path / "Scans"
    folder.mkdir()
    write_photo(folder / "scan_0007.jpg", GREEN)
    DesktopPreferences(workspace.data_dir).set_scanner_folder(folder)
    release = threading.Event()

    def refused_after_a_while(_pages: Sequence[ScanPage]) -> object:
        release.wait(timeout=10)
        raise DomainError("not_allowed", "You may not add files to #812.")

    dialog = make_scan_dialog(refused_after_a_while)
    recent = dialog.scanner.recent
    qtbot.waitUntil(recent.isVisible)
    add_and_wait(qtbot, dialog, [write_photo(tmp_path / "IMG_0001.jpg", RED)])
    try:
        dialog.attach()
        assert not recent.add_button.isEnabled()
        qtbot.mouseClick(recent.add_button, Qt.MouseButton.LeftButton)
        assert recent.offered == [folder / "scan_0007.jpg"]
    finally:
        release.set()

    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=10_000)
    assert dialog.refusals.text() == "You may not add files to #812."
    assert recent.isVisible()
    assert recent.add_button.isEnabled()
    assert recent.message.text() == "1 recent scan in the scanner folder: scan_0007.jpg."
    with qtbot.waitSignal(dialog.files_loaded, timeout=20_000):
        qtbot.mouseClick(recent.add_button, Qt.MouseButton.LeftButton)
    assert page_colours(dialog.model.pages()) == ["red", "scan_0007.jpg"]
