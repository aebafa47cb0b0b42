"""Validate a work order: the signed paper's photos or scans become its signed copy.

Files come from the file dialog, from a drop, or from the scanner folder as a scanner
app writes them (``ScannerFolderFeed``). Each is read and checked on a worker
(``ScanLoader``: ``scan_source.load_scans``, which applies ``inspect_scan``); a file
that cannot be used is not added and its message, which names it, shows above the
pages, while the other files of the same batch are added. The pages can then be put in order
(buttons, keyboard or dragging), turned and removed, with a running estimate of the
size sync will carry. "Attach as signed work order" hands the pages, in order, to the
``validate`` callable on a worker (the work-orders tab passes ``validate_work_order``
for its work order) and the dialog closes once it is attached. Cancel, Esc or closing
the window with pages added asks first: the pages would be lost without a word.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QPoint, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.documents.scans import ScanPage, ScanRefused, heic_supported
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette
from desktopdesk.ui.files_to_attach import dropped_files
from desktopdesk.ui.form_messages import (
    ERROR_STYLE,
    heading_label,
    message_label,
    refusal,
    text_label,
)
from desktopdesk.ui.messages import confirm
from desktopdesk.ui.scan_loader import ScanLoader
from desktopdesk.ui.scan_page_actions import ScanPageActions
from desktopdesk.ui.scan_pages_model import ScanPagesModel
from desktopdesk.ui.scan_pages_view import THUMBNAIL_SIDE, ScanPagesView
from desktopdesk.ui.scan_source import LoadOutcome
from desktopdesk.ui.scanner_folder_feed import ScannerFolderFeed
from desktopdesk.ui.scanner_folder_source import remember_attached
from desktopdesk.ui.tasks import Task, TaskRunner

log = logging.getLogger("desktopdesk.ui.scans")


def scan_file_filter() -> str:
    """The file dialog's filter: the kinds ``inspect_scan`` reads (HEIC only when it can)."""
    patterns = "*.pdf *.jpg *.jpeg *.png *.tif *.tiff"
    if heic_supported():
        patterns += " *.heic *.heif"
    return f"Scans and photos ({patterns});;All files (*)"


def choose_scan_files(parent: QWidget, start: Path | None) -> list[Path]:
    """A module function for the file dialog, so tests can answer it."""
    names, _ = QFileDialog.getOpenFileNames(parent, "Add scans of the signed work order",
                                            str(start or Path.home()), scan_file_filter())
    return [Path(name) for name in names]


def attach_pages(validate: Callable[[Sequence[ScanPage]], Any], pages: Sequence[ScanPage],
                 source_hashes: Iterable[str], data_dir: Path) -> Any:
    """On a worker: attach the pages, then remember their files so the scanner folder
    does not offer them for the next work order."""
    result = validate(pages)
    try:
        remember_attached(data_dir, source_hashes)
    except OSError:
        log.warning("cannot remember the scans just attached", exc_info=True)
    return result


class ScanDialog(QDialog):
    """Collect, order and attach the signed scan of one work order."""

    #: The signed copy was attached: what ``validate`` returned.
    validated = Signal(object)
    #: A batch of files was read: (pages added, files refused).
    files_loaded = Signal(int, int)

    def __init__(self, workspace: Workspace, runner: TaskRunner,
                 validate: Callable[[Sequence[ScanPage]], Any], *, work_order_name: str,
                 ticket_id: uuid.UUID | None = None, replaces: str | None = None,
                 parent: QWidget | None = None, thumbnail_side: int = THUMBNAIL_SIDE,
                 **folder_options: int) -> None:
        """``folder_options``: the scanner folder's ``settle_ms`` and ``poll_ms``."""
        super().__init__(parent)
        self.setObjectName("scan_dialog")
        self.setAccessibleName("Validate work order with a signed scan")
        self.setWindowTitle("Validate work order — DesktopDesk")
        self.setAcceptDrops(True)
        self.workspace = workspace
        self.runner = runner
        self._validate = validate
        self._thumbnail_side = thumbnail_side
        self.loader = ScanLoader(runner, thumbnail_side, self)
        self._attach_task: Task | None = None
        self.scanner = ScannerFolderFeed(workspace, runner, self, ticket_id=ticket_id,
                                         is_loaded=self.loader.is_loaded, **folder_options)
        self._build(work_order_name, replaces)
        self._connect()
        self.scanner.start()
        self._update_state()
        self.resize(860, 620)

    # --- Building -------------------------------------------------------------------------

    def _build(self, work_order_name: str, replaces: str | None) -> None:
        self.heading = heading_label(self, "scan_heading")
        self.heading.setText("Signed scan of the work order")
        self.subject = text_label(self, "scan_subject")
        self.subject.setText(work_order_name)
        font = self.subject.font()
        font.setBold(True)
        self.subject.setFont(font)
        intro = ("Add the photos or scans of the signed paper in page order. They become "
                 "one PDF, reduced for sync, attached to the ticket as the signed copy.")
        if replaces:
            intro += f" It replaces the signed copy {replaces}."
        self.intro = text_label(self, "scan_intro", "color: $muted_text;")
        self.intro.setText(intro)

        self.model = ScanPagesModel(self, icon_side=self._thumbnail_side)
        self.pages = ScanPagesView(self.model, self)
        self.page_actions = ScanPageActions(self, self.pages)
        tools, self.tool_buttons = self.page_actions.tool_row(self)
        tools.addStretch(1)
        self.status = QLabel(self)
        self.status.setObjectName("scan_status")
        self.status.setAccessibleName("Scan status")
        palette.set_style(self.status, "QLabel#scan_status { color: $muted_text; }")
        tools.addWidget(self.status)

        self.refusals = message_label(self, "scan_refusals", ERROR_STYLE)
        self.refusals.setAccessibleName("Files not added")

        self.summary = QLabel(self)
        self.summary.setObjectName("scan_summary")
        self.summary.setAccessibleName("Pages and size")
        self.buttons = QDialogButtonBox(self)
        self.buttons.setObjectName("scan_buttons")
        self.attach_button = self.buttons.addButton("Attach as signed work order",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.attach_button.setObjectName("scan_attach")
        self.attach_button.setAccessibleName("Attach as signed work order")
        self.attach_button.setIcon(palette.icon("mdi6.file-sign"))
        self.attach_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("scan_cancel")
        self.cancel_button.setAccessibleName("Cancel")
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.subject)
        layout.addWidget(self.intro)
        layout.addSpacing(4)
        layout.addLayout(tools)
        layout.addWidget(self.scanner.recent)
        layout.addWidget(self.refusals)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.scanner.row)
        layout.addLayout(bottom)

    def _connect(self) -> None:
        self.page_actions.add.triggered.connect(self._on_add_action_triggered)
        self.page_actions.rotate_left.triggered.connect(partial(self.rotate_selected, -90))
        self.page_actions.rotate_right.triggered.connect(partial(self.rotate_selected, 90))
        self.page_actions.move_up.triggered.connect(self.move_selected_up)
        self.page_actions.move_down.triggered.connect(self.move_selected_down)
        self.page_actions.remove.triggered.connect(self.remove_selected)
        self.pages.files_dropped.connect(self._on_pages_files_dropped)
        self.pages.customContextMenuRequested.connect(self._on_pages_context_menu_requested)
        self.pages.selectionModel().selectionChanged.connect(self._on_selection_changed)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.rowsMoved,
                       self.model.modelReset):
            signal.connect(self._on_model_changed)
        self.loader.batch_loaded.connect(self._on_loader_batch_loaded)
        self.loader.batch_failed.connect(self._on_loader_batch_failed)
        self.scanner.file_arrived.connect(self._on_scanner_file_arrived)
        self.scanner.files_accepted.connect(self._on_scanner_files_accepted)
        self.buttons.accepted.connect(self.attach)
        self.buttons.rejected.connect(self.reject)

    # --- State ----------------------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        return self.loader.busy or self._attach_task is not None

    def selected_rows(self) -> list[int]:
        return sorted(index.row() for index in self.pages.selectionModel().selectedIndexes())

    def _update_state(self) -> None:
        attaching = self._attach_task is not None
        has_pages = self.model.rowCount() > 0
        self.page_actions.update(self.selected_rows(), self.model.rowCount(),
                                 attaching=attaching)
        self.pages.setEnabled(not attaching)
        # "Add them" while attaching would take the offer away for nothing: the pages
        # are not added then, and the offer is wanted back if attaching fails.
        self.scanner.recent.setEnabled(not attaching)
        self.attach_button.setEnabled(has_pages and not self.is_busy)
        self.cancel_button.setEnabled(not attaching)
        if attaching:
            why = "Attaching the signed scan…"
        elif self.loader.busy:
            why = "Reading the files…"
        else:
            why = ""
        self.status.setText(why)
        self.attach_button.setToolTip(
            "Add the pages of the signed paper first." if not has_pages else
            why or "Combine the pages into one PDF and attach it to the ticket as the "
                   "signed work order")
        self.summary.setText(self.model.summary())

    @Slot()
    def _on_selection_changed(self) -> None:
        self._update_state()

    @Slot()
    def _on_model_changed(self) -> None:
        self._update_state()

    # --- Adding files ---------------------------------------------------------------------

    def add_files(self, paths: Sequence[Path]) -> None:
        """Read and check ``paths`` on a worker; their pages are added in this order.
        What is said about earlier files stays (a scan arriving must not hide it)."""
        if not paths or self._attach_task is not None:
            return
        self._add_refusals(self.loader.add(paths))
        self._update_state()

    def _show_refusals(self, texts: Sequence[str]) -> None:
        self.refusals.setText("\n".join(texts))
        self.refusals.setVisible(bool(texts))

    def _add_refusals(self, texts: Sequence[str]) -> None:
        shown = self.refusals.text() if self.refusals.isVisible() else ""
        self._show_refusals([*filter(None, shown.split("\n")), *texts])

    @Slot(object)
    def _on_loader_batch_loaded(self, outcome: LoadOutcome) -> None:
        self._add_refusals([refused.message for refused in outcome.refused])
        pages = [page for scan in outcome.loaded for page in scan.pages]
        first_new = self.model.rowCount()
        self.model.add_pages(pages)
        if pages:
            self._select_rows(range(first_new, first_new + len(pages)))
        self._update_state()
        self.files_loaded.emit(len(pages), len(outcome.refused))

    @Slot(object, object)
    def _on_loader_batch_failed(self, names: list[str], error: BaseException) -> None:
        self._update_state()
        messages.error(self, f"These files could not be read: {', '.join(names)}.",
                       details=str(error))

    @Slot()
    def _on_add_action_triggered(self) -> None:
        paths = choose_scan_files(self, self.scanner.watched.folder)
        if paths:
            self._show_refusals([])
            self.add_files(paths)

    @Slot(object)
    def _on_pages_files_dropped(self, paths: list[Path]) -> None:
        self._show_refusals([])
        self.add_files(paths)

    @Slot(object)
    def _on_scanner_files_accepted(self, paths: list[Path]) -> None:
        self._show_refusals([])
        self.add_files(paths)

    @Slot(object)
    def _on_scanner_file_arrived(self, path: Path) -> None:
        log.info("new scan in the scanner folder: %s", path)
        self.add_files([path])

    # --- Drag and drop onto the dialog ----------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._attach_task is None and dropped_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._attach_task is None and dropped_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData()) if self._attach_task is None else []
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self._show_refusals([])
        self.add_files(paths)

    # --- Order, turn, remove --------------------------------------------------------------

    def _select_rows(self, rows: range | list[int]) -> None:
        selection = self.pages.selectionModel()
        selection.clearSelection()
        for row in rows:
            selection.select(self.model.index(row),
                             QItemSelectionModel.SelectionFlag.Select)
        if rows:
            selection.setCurrentIndex(self.model.index(list(rows)[-1]),
                                      QItemSelectionModel.SelectionFlag.NoUpdate)
            self.pages.scrollTo(self.model.index(list(rows)[-1]))

    @Slot()
    def rotate_selected(self, degrees: int) -> None:
        self.model.rotate(self.selected_rows(), degrees)

    @Slot()
    def move_selected_up(self) -> None:
        if self.model.move_up(self.selected_rows()):
            self._update_state()

    @Slot()
    def move_selected_down(self) -> None:
        if self.model.move_down(self.selected_rows()):
            self._update_state()

    @Slot()
    def remove_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        gone = {self.model.path(row) for row in rows}
        self.model.remove(rows)
        self.loader.forget(gone - self.model.paths())  # none of their pages is left
        if self.model.rowCount():
            self._select_rows([min(rows[0], self.model.rowCount() - 1)])

    @Slot(QPoint)
    def _on_pages_context_menu_requested(self, position: QPoint) -> None:
        menu = self.page_actions.context_menu(self)
        menu.exec(self.pages.viewport().mapToGlobal(position))
        menu.deleteLater()

    # --- Attaching ------------------------------------------------------------------------

    @Slot()
    def attach(self) -> None:
        """Combine and attach the pages on a worker; the dialog closes when they are in."""
        if not self.model.rowCount() or self.is_busy:
            return
        self._show_refusals([])
        self.scanner.hold()  # a scan arriving now is offered if the dialog stays open
        self._attach_task = self.runner.run(partial(
            attach_pages, self._validate, self.model.pages(), self.model.source_hashes(),
            self.workspace.data_dir))
        self._attach_task.succeeded.connect(self._on_attach_task_succeeded)
        self._attach_task.failed.connect(self._on_attach_task_failed)
        self._update_state()

    @Slot(object)
    def _on_attach_task_succeeded(self, result: object) -> None:
        self._attach_task = None
        self._update_state()
        self.validated.emit(result)
        self.accept()

    @Slot(object)
    def _on_attach_task_failed(self, error: BaseException) -> None:
        self._attach_task = None
        self.scanner.release()
        self._update_state()
        refused = refusal(error)
        if refused is not None:
            self._show_refusals([refused[1]])
        elif isinstance(error, ScanRefused):  # a file changed on disk since it was read
            self._show_refusals([error.message])
        else:
            messages.error(self, "The signed scan could not be attached.", details=str(error))

    def reject(self) -> None:
        """Cancel, Esc and closing the window (``QDialog.closeEvent`` rejects): with pages
        added, only once the person said to discard them."""
        if self._attach_task is not None:
            return  # attaching: the ticket will have it in a moment
        if self.model.rowCount() and not self._may_discard():
            return
        super().reject()

    def _may_discard(self) -> bool:
        count = self.model.rowCount()
        pages, them, action = (("1 page", "it", "Discard page") if count == 1
                               else (f"{count} pages", "them", "Discard pages"))
        return confirm(self, "Discard the signed scan",
                       f"The {pages} added will not be attached to {self.subject.text()}. "
                       f"Discard {them}?", action)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._attach_task is not None:
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.scanner.stop()
        super().done(result)
