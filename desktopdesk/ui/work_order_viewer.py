"""A work order (or its signed scan) on screen, to print or save elsewhere.

The pages are drawn by ``PdfPagesView`` on the runner. Printing is a ``PrintJob``: page
by page on the runner at the printer's resolution, only the pages asked for. Save as
writes the PDF whole or not at all (``write_pdf_atomically``) on the runner. A PDF that
cannot be drawn says why, in the view and beside the buttons, and is not offered to the
printer (it can still be saved, to try another program). The printer and file dialogs
are module functions so tests answer them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.documents.work_order_pdf import write_pdf_atomically
from desktopdesk.ui import messages, palette
from desktopdesk.ui.form_messages import text_label
from desktopdesk.ui.pdf_view import PdfPagesView
from desktopdesk.ui.shortcuts import make_action
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.work_order_printing import PrintJob, choose_printer

log = logging.getLogger("desktopdesk.ui.pdf")


def choose_pdf_path(parent: QWidget, suggested_name: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, "Save work order as",
                                          str(Path.home() / suggested_name),
                                          "PDF documents (*.pdf)")
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


class WorkOrderViewer(QDialog):
    """One PDF: its pages, Print…, Save as… and Close."""

    #: The PDF was saved where the person chose (the path).
    saved = Signal(object)
    #: The pages went to the printer (their number).
    printed = Signal(int)
    #: The PDF's bytes are in and its pages being drawn.
    loaded = Signal()

    def __init__(self, runner: TaskRunner, file_name: str, *, data: bytes | None = None,
                 load: Callable[[], bytes] | None = None, subtitle: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("work_order_viewer")
        self.setAccessibleName(f"Work order {file_name}")
        self.setWindowTitle(f"{file_name} — DesktopDesk")
        self.runner = runner
        self.file_name = file_name
        self.data: bytes | None = None
        self._print_job: PrintJob | None = None
        #: Why the document cannot be drawn ("" while it can, or is not known yet).
        self.problem = ""
        self._busy = 0
        self._build(subtitle)
        self._connect()
        self.resize(820, 900)
        if data is not None:
            self.show_pdf(data)
        elif load is not None:
            self.view.set_busy(True, "Opening the document…")
            task = runner.run(load)
            task.succeeded.connect(self._on_load_task_succeeded)
            task.failed.connect(self._on_load_task_failed)
        self._update_actions()

    def _build(self, subtitle: str) -> None:
        icon = QLabel(self)
        icon.setObjectName("viewer_icon")
        palette.set_icon(icon, palette.icon("mdi6.file-pdf-box", color=palette.danger),
                         QSize(32, 32))
        self.title = QLabel(self.file_name, self)
        self.title.setObjectName("viewer_title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.subtitle = text_label(self, "viewer_subtitle", "color: $muted_text;")
        self.subtitle.setText(subtitle)
        self.subtitle.setVisible(bool(subtitle))
        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        top = QHBoxLayout()
        top.setContentsMargins(12, 10, 12, 8)
        top.addWidget(icon)
        top.addLayout(heading, 1)

        self.view = PdfPagesView(self.runner, self)

        self.print_action = make_action("viewer_print", self)
        self.print_action.setText("Print…")
        self.save_action = make_action("viewer_save_as", self)
        self.save_action.setText("Save as…")
        self.print_button = self._button(self.print_action, "viewer_print", "Print")
        self.save_button = self._button(self.save_action, "viewer_save_as", "Save as")
        self.status = QLabel(self)
        self.status.setObjectName("viewer_status")
        self.status.setAccessibleName("Print and save status")
        self.status.setWordWrap(True)  # a document's problem may be long: never the buttons'
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        palette.set_style(self.status, "QLabel#viewer_status { color: $muted_text; }")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.setObjectName("viewer_buttons")
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("viewer_close")
        close.setAccessibleName("Close")
        bottom = QHBoxLayout()
        bottom.setContentsMargins(12, 8, 12, 10)
        bottom.setSpacing(6)  # the window's own layout has none
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.save_button)
        bottom.addSpacing(12)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

    def _button(self, action: QAction, name: str, accessible: str) -> QPushButton:
        button = QPushButton(action.icon(), action.text(), self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolTip(action.toolTip())
        button.setAutoDefault(False)
        button.clicked.connect(action.trigger)
        action.enabledChanged.connect(button.setEnabled)
        return button

    def _connect(self) -> None:
        self.print_action.triggered.connect(self._on_print_action_triggered)
        self.save_action.triggered.connect(self._on_save_action_triggered)
        self.buttons.rejected.connect(self.reject)
        self.view.failed.connect(self._on_view_failed)

    @Slot()
    def _on_print_action_triggered(self) -> None:
        self.print_document()

    @Slot()
    def _on_save_action_triggered(self) -> None:
        self.save_as()

    # --- The document ---------------------------------------------------------------------

    def show_pdf(self, data: bytes) -> None:
        self.data = data
        self.view.set_busy(False)
        self.view.set_pdf(data)
        self._update_actions()
        self.loaded.emit()

    @Slot(object)
    def _on_load_task_succeeded(self, data: bytes) -> None:
        self.show_pdf(data)

    @Slot(object)
    def _on_load_task_failed(self, error: BaseException) -> None:
        self.view.set_busy(False)
        self.view.set_placeholder(f"{self.file_name} could not be opened: it is not on this "
                                  "computer yet, or it could not be read.")
        self._update_actions()
        messages.error(self, f"{self.file_name} could not be opened.", details=str(error))

    @Slot(str)
    def _on_view_failed(self, problem: str) -> None:
        self.show_problem(problem)

    def show_problem(self, problem: str) -> None:
        """The document cannot be drawn: say why beside the buttons; no printing."""
        self.problem = problem
        self.status.setText(f"Cannot be printed: {problem}")
        self.status.setToolTip(f"{self.file_name} cannot be drawn, so it cannot be printed "
                               f"from here; Save as… keeps a copy to open elsewhere. {problem}")
        self._update_actions()

    def _update_actions(self) -> None:
        ready = self.data is not None and not self._busy
        printable = ready and not self.problem
        self.print_action.setEnabled(printable)
        self.print_button.setEnabled(printable)
        self.print_button.setToolTip(
            self.print_action.toolTip() if printable or not self.problem
            else "This PDF cannot be drawn, so it cannot be printed from here.")
        self.save_action.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def _set_busy(self, delta: int, text: str = "") -> None:
        self._busy += delta
        if text:
            self.status.setText(text)
        self._update_actions()

    # --- Print ----------------------------------------------------------------------------

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.file_name)
        printer.setFromTo(0, 0)
        return printer

    def print_document(self, printer: QPrinter | None = None) -> None:
        """Print the pages: on ``printer`` as it is set (tests: a PDF file), else on the
        one the print dialog sets up."""
        if self.data is None or self._busy or self.problem:
            return
        if printer is None:
            printer = self.make_printer()
            if not choose_printer(self, printer):
                return
        job = PrintJob(self.runner, printer, self.data, self,
                       current_page=self.view.current_page)
        job.page_printed.connect(self._on_print_job_page_printed)
        job.finished.connect(self._on_print_job_finished)
        job.document_failed.connect(self._on_print_job_document_failed)
        job.printer_failed.connect(self._on_print_job_printer_failed)
        job.nothing_to_print.connect(self._on_print_job_nothing_to_print)
        job.crashed.connect(self._on_print_job_crashed)
        self._print_job = job
        self._set_busy(1, "Sending the pages to the printer…")
        job.start()

    def _print_job_done(self) -> None:
        if self._print_job is not None:
            self._print_job.deleteLater()
            self._print_job = None
        self._set_busy(-1, " ")

    @Slot(int, int)
    def _on_print_job_page_printed(self, sent: int, count: int) -> None:
        if sent < count:
            self.status.setText(f"Sending the pages to the printer ({sent} of {count})…")

    @Slot(int)
    def _on_print_job_finished(self, count: int) -> None:
        self._print_job_done()
        self.status.setText(f"Sent {count} page{'s' if count != 1 else ''} to the printer.")
        self.printed.emit(count)

    @Slot(str)
    def _on_print_job_document_failed(self, problem: str) -> None:
        self._print_job_done()
        self.show_problem(problem)
        messages.warning(self, f"{self.file_name} cannot be printed: {problem}",
                         title="Not printed")

    @Slot()
    def _on_print_job_printer_failed(self) -> None:
        self._print_job_done()
        messages.error(self, "The printer could not be used. Check that it is "
                             "connected and try again.")

    @Slot(int)
    def _on_print_job_nothing_to_print(self, count: int) -> None:
        self._print_job_done()
        messages.warning(self, f"The pages asked for are not in {self.file_name}: it has "
                               f"{count} page{'s' if count != 1 else ''}.",
                         title="Not printed")

    @Slot(object)
    def _on_print_job_crashed(self, error: BaseException) -> None:
        self._print_job_done()
        messages.error(self, "The work order could not be printed.", details=str(error))

    # --- Save as --------------------------------------------------------------------------

    def save_as(self, target: Path | None = None) -> None:
        if self.data is None or self._busy:
            return
        if target is None:
            target = choose_pdf_path(self, self.file_name)
            if target is None:
                return
        self._set_busy(1, "Saving…")
        task = self.runner.run(partial(write_pdf_atomically, target, self.data))
        task.succeeded.connect(self._on_save_task_succeeded)
        task.failed.connect(self._on_save_task_failed)

    @Slot(object)
    def _on_save_task_succeeded(self, path: Path) -> None:
        self._set_busy(-1, f"Saved as {path}")
        self.saved.emit(path)

    @Slot(object)
    def _on_save_task_failed(self, error: BaseException) -> None:
        self._set_busy(-1, " ")
        messages.error(self, f"{self.file_name} could not be saved there.",
                       details=str(error))

    def done(self, result: int) -> None:
        if self._print_job is not None:
            self._print_job.cancel()  # half a job is not sent on
            self._print_job_done()
        self.view.set_pdf(None)
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.view.set_pdf(None)
        super().closeEvent(event)
