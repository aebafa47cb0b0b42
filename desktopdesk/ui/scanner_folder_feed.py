"""The scanner folder, for one validate dialog: the recent scans it offers and the new
ones that arrive while the dialog is open.

When the dialog opens, scans written in the last minutes are offered in a strip ("2
recent scans in the scanner folder: … [Add them]"), less those already among the
pages, already one of the ticket's files, or already used for a signed copy from this
desktop (the previous job's pages are recent too): ``new_to_ticket`` decides, on the
runner. A scan that arrives while the dialog attaches is queued (``hold``) and offered
in the same strip if the dialog stays open (``release``), rather than lost.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import palette
from desktopdesk.ui.desktop_preferences import DesktopPreferences
from desktopdesk.ui.form_messages import text_label
from desktopdesk.ui.scanner_folder_row import ScannerFolderRow
from desktopdesk.ui.scanner_folder_source import FolderListing, new_to_ticket
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.watched_folder import POLL_MS, SETTLE_MS, WatchedFolder


def _offer(generation: int, workspace: Workspace, ticket_id: uuid.UUID | None,
           candidates: Sequence[Path]) -> tuple[int, tuple[Path, ...]]:
    """On a worker: the recent scans to offer, tagged with the folder watch they are for."""
    return generation, new_to_ticket(workspace, ticket_id, candidates)


class RecentScansStrip(QFrame):
    """"2 recent scans in the scanner folder: a.jpg, b.jpg. [Add them]", hidden while
    there is nothing to offer."""

    #: The person asked for the scans offered: their paths.
    accepted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scan_recent")
        palette.set_style(self, "QFrame#scan_recent { background: $notice_background;"
                                " border: 1px solid $notice_border; border-radius: 4px; }"
                                " QLabel { background: transparent; border: none; }")
        self.message = text_label(self, "scan_recent_text")
        self.add_button = QPushButton("Add them", self)
        self.add_button.setObjectName("scan_recent_add")
        self.add_button.setAccessibleName("Add the recent scans from the scanner folder")
        self.add_button.setAutoDefault(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.message, 1)
        row.addWidget(self.add_button)
        self._offered: list[Path] = []
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.hide()

    @property
    def offered(self) -> list[Path]:
        return list(self._offered)

    def offer(self, paths: Sequence[Path]) -> None:
        """Offer ``paths`` (in place of what was offered; none: hide)."""
        self._offered = list(dict.fromkeys(paths))
        count = len(self._offered)
        if count:
            names = ", ".join(path.name for path in self._offered[:3])
            if count > 3:
                names += f" and {count - 3} more"
            noun = "scan" if count == 1 else "scans"
            self.message.setText(f"{count} recent {noun} in the scanner folder: {names}.")
            self.add_button.setText("Add it" if count == 1 else "Add them")
        self.setVisible(bool(count))

    @Slot()
    def _on_add_button_clicked(self) -> None:
        paths = self._offered
        self.offer([])
        self.accepted.emit(paths)


class ScannerFolderFeed(QObject):
    """Watches this desktop's scanner folder for one dialog; the dialog places
    ``recent`` above its pages and ``row`` below them."""

    #: A new scan finished arriving: its path, to add now.
    file_arrived = Signal(object)
    #: The person asked for the scans offered: their paths, to add now.
    files_accepted = Signal(object)

    def __init__(self, workspace: Workspace, runner: TaskRunner, parent: QWidget, *,
                 ticket_id: uuid.UUID | None, is_loaded: Callable[[Path], bool],
                 settle_ms: int = SETTLE_MS, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("scanner_folder_feed")
        self.workspace = workspace
        self.runner = runner
        self.ticket_id = ticket_id
        self._is_loaded = is_loaded
        self.preferences = DesktopPreferences(workspace.data_dir)
        self.watched = WatchedFolder(runner, self, settle_ms=settle_ms, poll_ms=poll_ms)
        self.recent = RecentScansStrip(parent)
        self.row = ScannerFolderRow(parent)
        #: Counts folders watched: an offer worked out for an earlier one is stale.
        self._generation = 0
        self._offered_once = False
        self._held = False
        self._queued: list[Path] = []
        self.watched.folder_read.connect(self._on_watched_folder_read)
        self.watched.file_arrived.connect(self._on_watched_file_arrived)
        self.recent.accepted.connect(self.files_accepted)
        self.row.folder_chosen.connect(self._on_row_folder_chosen)

    def start(self) -> None:
        """Watch the folder of this desktop's preferences."""
        self._watch(self.preferences.scanner_folder)

    def stop(self) -> None:
        self._generation += 1
        self.watched.watch(None)

    def hold(self) -> None:
        """Queue arriving scans instead of handing them on (the dialog is attaching)."""
        self._held = True

    def release(self) -> None:
        """Hand on again; scans that arrived meanwhile are offered, not added."""
        self._held = False
        queued, self._queued = self._queued, []
        fresh = [path for path in (*self.recent.offered, *queued) if not self._is_loaded(path)]
        self.recent.offer(fresh)

    def _watch(self, folder: Path | None) -> None:
        self._generation += 1
        self._offered_once = False
        self.recent.offer([])
        if folder is None:
            self.row.show_folder(None)
        else:
            self.row.show_looking(folder)
        self.watched.watch(folder)

    @Slot(object)
    def _on_row_folder_chosen(self, folder: Path) -> None:
        self.preferences.set_scanner_folder(folder)
        self._watch(folder)

    @Slot(object)
    def _on_watched_folder_read(self, listing: FolderListing) -> None:
        self.row.show_folder(listing.folder, watching=listing.readable,
                             problem=listing.problem)
        if not listing.readable or self._offered_once:
            return
        self._offered_once = True
        candidates = [path for path in listing.recent(time.time())
                      if not self._is_loaded(path)]
        if not candidates:
            return
        task = self.runner.run(partial(_offer, self._generation, self.workspace,
                                       self.ticket_id, candidates))
        task.succeeded.connect(self._on_offer_task_succeeded)

    @Slot(object)
    def _on_offer_task_succeeded(self, result: tuple[int, tuple[Path, ...]]) -> None:
        generation, paths = result
        if generation != self._generation:
            return  # another folder was chosen meanwhile, or the dialog closed
        fresh = [path for path in paths if not self._is_loaded(path)]
        self.recent.offer([*self.recent.offered, *fresh])

    @Slot(object)
    def _on_watched_file_arrived(self, path: Path) -> None:
        if self._held:
            self._queued.append(path)
        else:
            self.file_arrived.emit(path)
