"""The scanner folder: a folder a scanner or phone app writes into, watched for new scans.

A scanner app writes a file over a second or two (a phone syncing over Wi-Fi, longer),
so a file is handed on only once it has stopped growing: its size and time are the same
on two looks ``settle_ms`` apart, and its size is not zero. Names of half-written
downloads and hidden files are skipped, as are files that are not scans by their
extension (the folder may hold anything; the checks of ``documents.scans`` still judge
what is handed on).

The folder is often a network share (a scanner on the LAN saving into SMB or NFS), so:

- it is listed on the task runner, never on the GUI thread (a slow or disconnected share
  would freeze the window), and a listing that comes back after another folder was
  chosen is dropped;
- it is looked at every ``poll_ms`` as well as on QFileSystemWatcher's events, which
  do not come on Linux for files another machine writes into a share.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, Slot

from desktopdesk.ui.scanner_folder_source import FolderEntry, FolderListing, list_scans
from desktopdesk.ui.tasks import TaskRunner

log = logging.getLogger("desktopdesk.ui.scans")

SETTLE_MS = 700
#: How often the folder is looked at without an event: a scan on a share shows within this.
POLL_MS = 3000


def _listing(generation: int, folder: Path) -> tuple[int, FolderListing]:
    """On a worker: the folder's scans, tagged with the watch they were asked for. Never
    raises: a look that fails is a folder that cannot be read this time."""
    try:
        return generation, list_scans(folder)
    except Exception as error:
        log.warning("cannot list the scanner folder %s", folder, exc_info=True)
        return generation, FolderListing(folder, problem=str(error) or type(error).__name__)


class WatchedFolder(QObject):
    """Watches one folder; says when a new scan in it has finished writing."""

    #: A new file in the folder stopped growing: its path.
    file_arrived = Signal(object)
    #: The folder was read for the first time since ``watch``, or could be read again
    #: after it could not (or the reverse): its ``FolderListing``.
    folder_read = Signal(object)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None, *,
                 settle_ms: int = SETTLE_MS, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("watched_folder")
        self.runner = runner
        self._settle_ms = settle_ms
        self._poll_ms = poll_ms
        self._folder: Path | None = None
        #: Counts ``watch`` calls: a listing asked for an earlier one is stale.
        self._generation = 0
        self._watcher: QFileSystemWatcher | None = None
        #: None until a first listing came back; then whether the folder could be read.
        self._readable: bool | None = None
        #: The files that are not new: those of the first listing that could be read,
        #: then each one handed on. None until that first listing.
        self._known: set[str] | None = None
        #: New files still being written: what the last look saw of each.
        self._pending: dict[str, FolderEntry] = {}
        self._listing_now = False
        self._look_again = False
        self._next_look = QTimer(self)
        self._next_look.setObjectName("watched_folder_next_look")
        self._next_look.setSingleShot(True)
        self._next_look.timeout.connect(self.refresh)

    @property
    def folder(self) -> Path | None:
        """The folder being watched (None: none)."""
        return self._folder

    @property
    def readable(self) -> bool | None:
        """Whether the folder could be read the last time (None: not looked at yet)."""
        return self._readable

    @property
    def waiting(self) -> int:
        """New files seen that are still being written."""
        return len(self._pending)

    def watch(self, folder: Path | None) -> None:
        """Watch ``folder`` (None: stop). It is read on the runner: ``folder_read`` says
        when, and whether it could be. Files already there are known, not new."""
        self._stop()
        self._folder = folder
        if folder is not None:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Look at the folder now (after the look in flight, if there is one)."""
        if self._folder is None:
            return
        if self._listing_now:
            self._look_again = True
            return
        self._next_look.stop()
        self._listing_now = True
        self._look_again = False
        task = self.runner.run(partial(_listing, self._generation, self._folder))
        task.succeeded.connect(self._on_listing_task_succeeded)

    def _stop(self) -> None:
        self._generation += 1
        self._next_look.stop()
        self._listing_now = False
        self._look_again = False
        self._pending.clear()
        self._known = None
        self._readable = None
        if self._watcher is not None:
            self._watcher.directoryChanged.disconnect(self._on_watcher_directory_changed)
            self._watcher.deleteLater()
            self._watcher = None
        self._folder = None

    @Slot(object)
    def _on_listing_task_succeeded(self, result: tuple[int, FolderListing]) -> None:
        generation, listing = result
        if generation != self._generation:
            return  # asked for a folder no longer watched
        self._listing_now = False
        was_readable, self._readable = self._readable, listing.readable
        if not listing.readable:
            if was_readable is not False:
                log.warning("cannot read the scanner folder %s: %s", listing.folder,
                            listing.problem)
                self.folder_read.emit(listing)
        elif self._known is None:
            # The first look that could read it: what is there already is not new.
            self._known = {entry.name for entry in listing.entries}
            self._start_watcher(listing.folder)
            self.folder_read.emit(listing)
        else:
            if not was_readable:  # back after a while: what came meanwhile is new
                self._start_watcher(listing.folder)
                self.folder_read.emit(listing)
            self._settle(listing, self._known)
        self._schedule()

    def _schedule(self) -> None:
        if self._folder is None:
            return
        if self._look_again:
            self.refresh()
        else:
            self._next_look.start(self._settle_ms if self._pending else self._poll_ms)

    def _settle(self, listing: FolderListing, known: set[str]) -> None:
        """Hand on the new files that stopped growing since the last look."""
        entries = {entry.name: entry for entry in listing.entries}
        known.intersection_update(entries)  # a file removed and written again is new again
        for name in list(self._pending):
            if name not in entries:
                del self._pending[name]  # gone again (renamed by the app that wrote it)
        for name, entry in entries.items():
            if name in known:
                continue
            before = self._pending.get(name)
            if before is not None and before == entry and entry.size > 0:
                del self._pending[name]
                known.add(name)
                self.file_arrived.emit(listing.folder / name)
            else:
                self._pending[name] = entry

    def _start_watcher(self, folder: Path) -> None:
        """Events as well as looks: a local folder's new scan shows at once."""
        if self._watcher is not None:
            return
        watcher = QFileSystemWatcher(self)
        watcher.setObjectName("scanner_folder_watcher")
        if not watcher.addPath(str(folder)):
            log.info("no change events for %s: looking every %d ms", folder, self._poll_ms)
            watcher.deleteLater()
            return
        watcher.directoryChanged.connect(self._on_watcher_directory_changed)
        self._watcher = watcher

    @Slot(str)
    def _on_watcher_directory_changed(self, _path: str) -> None:
        self.refresh()
