"""The ticket's Files tab: every file, opened, saved elsewhere, added by button or drop.

Bytes never move on the GUI thread: opening exports the file to a temporary folder on the
runner and then hands it to the desktop's program for its type; Save as exports to the
chosen place (atomically, in ``ticket_view_source``); adding stores the files and their
AttachFile commands on the runner too. The dialogs and the opener are module functions
so tests can answer them. A file whose bytes have not come down yet is listed, greyed,
with Open and Save as disabled and a tooltip saying why.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, Qt, QUrl, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.ticket_details import AttachmentEntry, TicketDetails
from desktopdesk.store.blobs import BlobNotFoundError
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, open_copies, palette, ticket_view_source
from desktopdesk.ui.files_to_attach import dropped_files
from desktopdesk.ui.form_messages import refusal
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_tab_models import NOT_DOWNLOADED_WHY, AttachmentTableModel
from desktopdesk.ui.ticket_tab_views import EntryTable

log = logging.getLogger("desktopdesk.ui.files")

_DROP_HINT = "Drop files here to add them to the ticket."
_COLUMN_SAMPLES = {
    AttachmentTableModel.SIZE: "1023.9 KB",
    AttachmentTableModel.ADDED_BY: "Javier Delgado",
    AttachmentTableModel.ADDED: "2026/12/31 23:59:59",
    AttachmentTableModel.WORKUNIT: "In a workunit",
    AttachmentTableModel.LOCAL_COPY: "Not yet downloaded",
}


def open_file(path: Path) -> bool:
    """Hand ``path`` to the desktop's program for its type; False when none took it."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def choose_save_path(parent: QWidget, suggested_name: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, "Save file as",
                                          str(Path.home() / suggested_name))
    return Path(name) if name else None


def choose_files(parent: QWidget) -> list[Path]:
    names, _ = QFileDialog.getOpenFileNames(parent, "Add files to the ticket")
    return [Path(name) for name in names]


def open_copy_path(entry: AttachmentEntry) -> Path:
    """Where Open puts its copy of ``entry`` (``open_copies``: removed a week later)."""
    return open_copies.open_copy_path(entry.file_name, entry.sha256)


@dataclass(frozen=True)
class ExportOutcome:
    """A copy of an attachment written (``error`` None) or not, with what it was for."""

    entry: AttachmentEntry
    target: Path
    opening: bool
    error: OSError | BlobNotFoundError | None = None


def export_copy(workspace: Workspace, entry: AttachmentEntry, target: Path,
                opening: bool) -> ExportOutcome:
    """On a worker: the attachment's bytes to ``target``; expected failures come back in
    the outcome, so the tab knows which file they were about."""
    try:
        ticket_view_source.export_attachment(workspace, entry.sha256, target)
    except (OSError, BlobNotFoundError) as error:
        return ExportOutcome(entry, target, opening, error)
    return ExportOutcome(entry, target, opening)


class TicketFilesTab(QWidget):
    #: Files were stored and attached: the ticket view reads the ticket again.
    files_added = Signal()
    #: A file was exported and handed to its program (the copy's path).
    file_opened = Signal(object)
    #: A file was saved where the person chose (the path).
    file_saved = Signal(object)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_files_tab")
        self.setAccessibleName("Files")
        self.setAcceptDrops(True)
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self._ticket_id: uuid.UUID | None = None
        self._adding = 0
        self._build()
        self._connect()
        self._update_actions()

    def _action(self, name: str, text: str, icon: str,
                shortcuts: list[QKeySequence]) -> QAction:
        action = QAction(palette.icon(icon), text, self)
        action.setObjectName(f"action_{name}")
        action.setShortcuts(shortcuts)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def _button(self, action: QAction, name: str, accessible: str) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    def _build(self) -> None:
        self.open_action = self._action("open_file", "Open", "mdi6.open-in-new",
                                        [QKeySequence(QKeySequence.StandardKey.Open)])
        self.save_action = self._action("save_file_as", "Save as…", "mdi6.content-save-outline",
                                        [QKeySequence(QKeySequence.StandardKey.SaveAs)])
        self.add_action = self._action("add_files", "Add files…", "mdi6.paperclip-plus",
                                       [QKeySequence("Ctrl+Shift+A"), QKeySequence("Insert")])
        self.open_button = self._button(self.open_action, "button_open_file", "Open file")
        self.save_button = self._button(self.save_action, "button_save_file_as",
                                        "Save file as")
        self.add_button = self._button(self.add_action, "button_add_files", "Add files")
        self.status = QLabel(self)
        self.status.setObjectName("files_status")

        self.model = AttachmentTableModel(self)
        self.table = EntryTable(self.model, "files_table", "Files of the ticket", self,
                                stretch_column=AttachmentTableModel.NAME)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.fit_columns(_COLUMN_SAMPLES)
        self.hint = QLabel(_DROP_HINT, self)
        self.hint.setObjectName("files_drop_hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("QLabel#files_drop_hint { color: palette(placeholder-text);"
                                " border: 1px dashed palette(mid); border-radius: 4px;"
                                " padding: 8px; }")

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.status)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)

    def _connect(self) -> None:
        self.open_action.triggered.connect(self.open_selected)
        self.save_action.triggered.connect(self.save_selected)
        self.add_action.triggered.connect(self._on_add_action_triggered)
        self.table.activated.connect(self._on_table_activated)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu_requested)
        self.table.selectionModel().selectionChanged.connect(
            self._on_table_selection_changed)

    # --- What is shown --------------------------------------------------------------------

    def show_details(self, details: TicketDetails) -> None:
        selected = self.current_entry()
        keep = selected.id if selected is not None and details.id == self._ticket_id else None
        self._ticket_id = details.id
        self.model.set_entries(details.attachments)
        if keep is not None:
            self.table.select_first(lambda entry: entry.id == keep)
        count = len(details.attachments)
        self.hint.setText(_DROP_HINT if count else f"No files yet. {_DROP_HINT}")
        self._update_actions()

    def current_entry(self) -> AttachmentEntry | None:
        entry = self.table.current_entry()
        return entry if isinstance(entry, AttachmentEntry) else None

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        entry = self.current_entry()
        if entry is None:
            why = "Select a file first."
        elif not entry.available:
            why = NOT_DOWNLOADED_WHY
        else:
            why = ""
        self.open_action.setEnabled(not why)
        self.save_action.setEnabled(not why)
        self.open_action.setToolTip(why or "Open the file with its usual program (Ctrl+O)")
        self.save_action.setToolTip(why or "Save a copy of the file elsewhere (Ctrl+Shift+S)")
        self.add_action.setEnabled(self._ticket_id is not None)
        self.add_action.setToolTip("Add files to the ticket (Ctrl+Shift+A); dropping them "
                                   "here works too")

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("files_context_menu")
        menu.setAccessibleName("File actions")
        menu.addAction(self.open_action)
        menu.addAction(self.save_action)
        menu.addSeparator()
        menu.addAction(self.add_action)
        return menu

    @Slot(QPoint)
    def _on_table_context_menu_requested(self, position: QPoint) -> None:
        menu = self.context_menu()
        menu.exec(self.table.viewport().mapToGlobal(position))
        menu.deleteLater()

    # --- Open and Save as -----------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_table_activated(self, _index: QModelIndex) -> None:
        self.open_selected()

    @Slot()
    def open_selected(self) -> None:
        entry = self.current_entry()
        if entry is None or not entry.available:
            return
        self._export(entry, open_copy_path(entry), opening=True)

    @Slot()
    def save_selected(self) -> None:
        entry = self.current_entry()
        if entry is None or not entry.available:
            return
        target = choose_save_path(self, entry.file_name)
        if target is None:
            return
        self._export(entry, target, opening=False)

    def _export(self, entry: AttachmentEntry, target: Path, *, opening: bool) -> None:
        """Write the bytes on the runner. The outcome carries its own context to a real
        slot (Qt drops it if this tab is gone by then), and several may be in flight."""
        task = self.runner.run(partial(export_copy, self.workspace, entry, target, opening))
        task.succeeded.connect(self._on_export_task_succeeded)
        task.failed.connect(self._on_export_task_failed)

    @Slot(object)
    def _on_export_task_succeeded(self, outcome: ExportOutcome) -> None:
        entry, target = outcome.entry, outcome.target
        if isinstance(outcome.error, BlobNotFoundError):
            messages.error(self, f"'{entry.file_name}' is not on this computer yet: it comes "
                                 "with the next sync.")
        elif outcome.error is not None:
            messages.error(self, f"'{entry.file_name}' could not be written.",
                           details=str(outcome.error))
        elif not outcome.opening:
            self.file_saved.emit(target)
        elif not open_file(target):
            messages.error(self, f"No program on this computer could open "
                                 f"'{entry.file_name}'. Use Save as… to keep a copy.")
        else:
            self.file_opened.emit(target)

    @Slot(object)
    def _on_export_task_failed(self, error: BaseException) -> None:
        messages.error(self, "The file could not be written.", details=str(error))

    # --- Adding ---------------------------------------------------------------------------

    @Slot()
    def _on_add_action_triggered(self) -> None:
        paths = choose_files(self)
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[Path]) -> None:
        """Store and attach ``paths`` to the ticket shown; ``files_added`` when done."""
        if self._ticket_id is None or not paths:
            return
        self._adding += 1
        self._show_busy()
        task = self.runner.run(partial(ticket_view_source.attach_files, self.workspace,
                                       self.user_id, self._ticket_id, list(paths)))
        task.succeeded.connect(self._on_attach_task_succeeded)
        task.failed.connect(self._on_attach_task_failed)

    def _show_busy(self) -> None:
        self.status.setText("Adding files…" if self._adding else "")

    @Slot(object)
    def _on_attach_task_succeeded(self, _ids: object) -> None:
        self._adding -= 1
        self._show_busy()
        self.files_added.emit()

    @Slot(object)
    def _on_attach_task_failed(self, error: BaseException) -> None:
        self._adding -= 1
        self._show_busy()
        refused = refusal(error)
        if refused is not None:
            messages.error(self, refused[1])
        else:
            messages.error(self, "The files could not be added.", details=str(error))

    # --- Drag and drop --------------------------------------------------------------------

    def _accepts(self, mime: QMimeData) -> bool:
        return self._ticket_id is not None and bool(dropped_files(mime))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accepts(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accepts(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData()) if self._ticket_id is not None else []
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths)
