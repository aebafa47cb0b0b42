"""Print a PDF's pages, one at a time: PDFium draws a page on the runner at the printer's
resolution (at most ``PRINT_DPI``: more only costs memory), the GUI thread paints it on
the paper fitted to it, turning the paper for a landscape page, and only then is the
next page drawn. So a long work order printed at 300 dpi holds one page picture at a
time, and a page list ("1,4") draws only the pages asked for.

A PDF that PDFium cannot draw (a damaged page after good ones) stops the job and says
the document's problem, not the printer's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, QRect, QRectF, QSize, Signal, Slot
from PySide6.QtGui import QImage, QPageLayout, QPainter
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from desktopdesk.documents.pdf_pages import PdfUnreadable, page_sizes, render_pages
from desktopdesk.ui.tasks import TaskRunner

#: Resolution the pages are drawn at for the printer: sharp text, sane memory.
PRINT_DPI = 300


def choose_printer(parent: QWidget, printer: QPrinter) -> bool:
    """The print dialog on ``printer``; True if the person pressed Print."""
    dialog = QPrintDialog(printer, parent)
    dialog.setObjectName("print_dialog")
    dialog.setWindowTitle("Print work order")
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage, True)
    return dialog.exec() == QDialog.DialogCode.Accepted


def fitted(image: QSize, box: QRect) -> QRectF:
    """``image`` scaled to fit ``box`` (keeping its proportions), centred in it."""
    if image.isEmpty() or box.isEmpty():
        return QRectF(box)
    scale = min(box.width() / image.width(), box.height() / image.height())
    width, height = image.width() * scale, image.height() * scale
    return QRectF(box.x() + (box.width() - width) / 2, box.y() + (box.height() - height) / 2,
                  width, height)


def wanted_pages(printer: QPrinter, count: int, current: int = 0) -> list[int]:
    """The 0-based pages the print dialog asked for, in order, each once.

    A page list ("1,4" or "1-2,5") counts only when the dialog says so
    (``PageRange``): Qt 6's ``fromPage``/``toPage`` are only the first and last page of
    the list. "Current page" is page ``current`` (1-based, as the viewer shows it); the
    viewer has no selection of pages, so "Selection" is that page too. Without a page
    shown (0), both print every page, as does anything else.
    """
    every = list(range(count))
    match printer.printRange():
        case QPrinter.PrintRange.PageRange:
            ranges = printer.pageRanges().toRangeList()
            if not ranges:
                return every
            asked = (page for span in ranges
                     for page in range(max(span.from_, 1), min(span.to, count) + 1))
            return sorted({page - 1 for page in asked})
        case QPrinter.PrintRange.CurrentPage | QPrinter.PrintRange.Selection:
            return [current - 1] if 1 <= current <= count else every
        case _:
            return every


@dataclass(frozen=True)
class _Drawn:
    """A worker's answer: a page count or a page picture, or the document's problem."""

    count: int = 0
    image: QImage | None = None
    problem: str = ""


def _count_pages(data: bytes) -> _Drawn:
    try:
        return _Drawn(count=len(page_sizes(data)))
    except PdfUnreadable as unreadable:
        return _Drawn(problem=str(unreadable))


def _draw_page(data: bytes, dpi: float, index: int) -> _Drawn:
    """On a worker: page ``index`` at ``dpi`` (QImage, unlike QPixmap, may cross threads)."""
    try:
        pages = render_pages(data, dpi=dpi, pages=[index])
    except PdfUnreadable as unreadable:
        return _Drawn(problem=str(unreadable))
    if not pages:
        return _Drawn(problem=f"The PDF has no page {index + 1}.")
    page = pages[0]
    return _Drawn(image=QImage(page.rgb, page.width, page.height, page.width * 3,
                               QImage.Format.Format_RGB888).copy())


class PrintJob(QObject):
    """One PDF on one printer, page by page; ``start`` it, then listen."""

    #: A page went to the printer: (pages sent so far, pages asked for).
    page_printed = Signal(int, int)
    #: Every page asked for went to the printer: their number.
    finished = Signal(int)
    #: The document could not be drawn: its problem, in words (nothing more is printed).
    document_failed = Signal(str)
    #: The printer refused to start, or stopped taking pages.
    printer_failed = Signal()
    #: The pages asked for are not in the document (it has this many).
    nothing_to_print = Signal(int)
    #: A bug on a worker: the exception (the runner logged it).
    crashed = Signal(object)

    def __init__(self, runner: TaskRunner, printer: QPrinter, data: bytes,
                 parent: QObject | None = None, *, current_page: int = 0) -> None:
        """``current_page``: the page shown (1-based; 0: none), for "Current page"."""
        super().__init__(parent)
        self.runner = runner
        self.printer = printer
        self.data = data
        self.current_page = current_page
        self.dpi = float(min(PRINT_DPI, max(72, printer.resolution())))
        self._painter = QPainter()
        self._wanted: list[int] = []
        self.printed = 0
        self._cancelled = False

    def start(self) -> None:
        self._run(partial(_count_pages, self.data), self._on_count_task_succeeded)

    def cancel(self) -> None:
        """Stop now (the window closes): what was painted is dropped if the printer can."""
        self._cancelled = True
        self._wanted = []
        if self._painter.isActive():
            self.printer.abort()
            self._painter.end()

    def _run(self, work: Callable[[], _Drawn], slot: Callable[[_Drawn], None]) -> None:
        task = self.runner.run(work)
        task.succeeded.connect(slot)
        task.failed.connect(self._on_task_failed)

    @Slot(object)
    def _on_count_task_succeeded(self, answer: _Drawn) -> None:
        if self._cancelled:
            return
        if answer.problem:
            self.document_failed.emit(answer.problem)
            return
        self._wanted = wanted_pages(self.printer, answer.count, self.current_page)
        if not self._wanted:
            self.nothing_to_print.emit(answer.count)
            return
        self._draw_next()

    def _draw_next(self) -> None:
        index = self._wanted[0]
        self._run(partial(_draw_page, self.data, self.dpi, index),
                  self._on_page_task_succeeded)

    @Slot(object)
    def _on_page_task_succeeded(self, answer: _Drawn) -> None:
        if self._cancelled:
            return
        if answer.image is None:
            self.cancel()
            self.document_failed.emit(answer.problem)
            return
        if not self._paint(answer.image):
            self.cancel()
            self.printer_failed.emit()
            return
        self._wanted.pop(0)
        self.printed += 1
        self.page_printed.emit(self.printed, self.printed + len(self._wanted))
        if self._cancelled:
            return  # the window closed as it heard of the page
        if self._wanted:
            self._draw_next()
        else:
            self._painter.end()
            self.finished.emit(self.printed)

    def _paint(self, image: QImage) -> bool:
        """One sheet, the paper turned to match the page; False if the printer refused."""
        orientation = (QPageLayout.Orientation.Landscape if image.width() > image.height()
                       else QPageLayout.Orientation.Portrait)
        self.printer.setPageOrientation(orientation)  # takes effect on the sheet begun next
        if not self._painter.isActive():
            if not self._painter.begin(self.printer):
                return False
        elif not self.printer.newPage():
            return False
        area = self.printer.pageLayout().paintRectPixels(self.printer.resolution())
        box = QRect(0, 0, area.width(), area.height())
        self._painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self._painter.drawImage(fitted(image.size(), box), image, QRectF(image.rect()))
        return True

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        if self._cancelled:
            return
        self.cancel()
        self.crashed.emit(error)
