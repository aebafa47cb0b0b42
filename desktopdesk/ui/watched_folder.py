"""The scanner folder: a folder a scanner or phone app writes into, watched for new scans.

A scanner app writes a file over a second or two (a phone syncing over Wi-Fi, longer),
so a file is handed on only once it has stopped growing: its size and time are the same
on two looks ``settle_ms`` apart, and its size is not zero. Names of half-written
downloads and hidden files are skipped, as are files that are not scans by their
extension (the folder may hold anything; the checks of ``documents.scans`` still judge
what is handed on).

The folder is often a network share (a scanner on the LAN saving into SMB or NFS), so:

- it is listed off the GUI thread (a slow or disconnected share would freeze the window),
  on a runner of its own (``FolderListings``): a share that hangs holds one of its
  threads, never one the window reads tickets on;
- a folder is listed once at a time, however often it is watched again: a dialog closed
  and opened while a hung share is being listed waits for that listing instead of
  starting another that would hang too (and a listing that comes back after another
  folder was chosen is dropped);
- it is looked at every ``poll_ms`` as well as on QFileSystemWatcher's events, which
  do not come on Linux for files another machine writes into a share.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, Slot

from desktopdesk.ui.scanner_folder_source import FolderEntry, FolderListing, list_scans
from desktopdesk.ui.tasks import Task, TaskRunner

log = logging.getLogger("desktopdesk.ui.scans")

SETTLE_MS = 700
#: How often the folder is looked at without an event: a scan on a share shows within this.
POLL_MS = 3000


#: Threads for listing folders: one per folder at most (``FolderListings``), so a hung
#: share holds one and another folder chosen meanwhile is still listed.
LISTING_THREADS = 2


def _listing(folder: Path) -> FolderListing:
    """On a worker: the folder's scans. Never raises: a look that fails is a folder that
    cannot be read this time."""
    try:
        return list_scans(folder)
    except Exception as error:
        log.warning("cannot list the scanner folder %s", folder, exc_info=True)
        return FolderListing(folder, problem=str(error) or type(error).__name__)


class FolderListings(QObject):
    """The folder listings of the whole app, each folder listed once at a time.

    Listing a share that hangs does not return: its thread is lost until the share
    answers. So the listings have a runner of their own, and a folder asked for again
    while its listing is out waits for that one (``listed`` says it to every watcher)
    instead of losing one more thread to it, however many dialogs open and close
    meanwhile.
    """

    #: A folder was listed: its ``FolderListing`` (for whoever watches that folder).
    listed = Signal(object)

    def __init__(self, parent: QObject | None = None, *,
                 max_threads: int = LISTING_THREADS) -> None:
        super().__init__(parent)
        self.setObjectName("folder_listings")
        self.runner = TaskRunner(self, max_threads=max_threads)
        self._in_flight: dict[Path, Task] = {}

    def request(self, folder: Path) -> None:
        """List ``folder``, unless its listing is out already; ``listed`` answers."""
        if folder in self._in_flight:
            return
        task = self.runner.run(partial(_listing, folder))
        task.succeeded.connect(self._on_listing_task_succeeded)
        self._in_flight[folder] = task

    @Slot(object)
    def _on_listing_task_succeeded(self, listing: FolderListing) -> None:
        # Out of the way first: a watcher hearing this may ask for the next look now.
        self._in_flight.pop(listing.folder, None)
        self.listed.emit(listing)


_listings: FolderListings | None = None


def folder_listings() -> FolderListings:
    """The app's ``FolderListings``, made on first use (on the GUI thread, where the
    watchers live) and kept for the app's life: it outlives every dialog."""
    global _listings
    if _listings is None:
        _listings = FolderListings()
    return _listings


class WatchedFolder(QObject):
    """Watches one folder; says when a new scan in it has finished writing."""

    #: A new file in the folder stopped growing: its path.
    file_arrived = Signal(object)
    #: The folder was read for the first time since ``watch``, or could be read again
    #: after it could not (or the reverse): its ``FolderListing``.
    folder_read = Signal(object)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None, *,
                 settle_ms: int = SETTLE_MS, poll_ms: int = POLL_MS,
                 listings: FolderListings | None = None) -> None:
        """``runner`` is the window's (kept for the owner's other work); the folder is
        listed by ``listings`` (the app's, unless one is given)."""
        super().__init__(parent)
        self.setObjectName("watched_folder")
        self.runner = runner
        self.listings = listings if listings is not None else folder_listings()
        self.listings.listed.connect(self._on_listings_listed)
        self._settle_ms = settle_ms
        self._poll_ms = poll_ms
        self._folder: Path | None = None
        #: Whether a listing of the folder is awaited (it may have been asked for before
        #: this watch: a folder is listed once at a time).
        self._awaiting = False
        self._watcher: QFileSystemWatcher | None = None
        #: None until a first listing came back; then whether the folder could be read.
        self._readable: bool | None = None
        #: The files that are not new: those of the first listing that could be read,
        #: then each one handed on. None until that first listing.
        self._known: set[str] | None = None
        #: New files still being written: what the last look saw of each.
        self._pending: dict[str, FolderEntry] = {}
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
        if self._awaiting:
            self._look_again = True
            return
        self._next_look.stop()
        self._look_again = False
        self._awaiting = True
        # The folder's listing out already (this watcher's before ``watch`` again, or
        # another dialog's) is waited for rather than doubled.
        self.listings.request(self._folder)

    def _stop(self) -> None:
        self._awaiting = False
        self._next_look.stop()
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
    def _on_listings_listed(self, listing: FolderListing) -> None:
        if not self._awaiting or listing.folder != self._folder:
            return  # another folder, or one no longer watched
        self._awaiting = False
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
