"""The work-order viewer: pages shown, Save as writes the PDF whole, Print sends each page
fitted to the paper (printed here to a PDF file, then read back), one page drawn at a
time, and a PDF that cannot be drawn says so rather than blaming the printer."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QKeySequence, QPageRanges
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QWidget,
)
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from desktopdesk.documents.pdf_pages import PdfUnreadable, render_pages
from desktopdesk.store.blobs import BlobNotFoundError
from desktopdesk.ui import shortcuts, work_order_printing, work_order_viewer
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.work_order_printing import PrintJob, fitted, wanted_pages
from desktopdesk.ui.work_order_viewer import WorkOrderViewer
from tests.documents.test_pdf_pages import with_a_missing_page

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def two_pages() -> bytes:
    """A portrait page with a dark block in its top half, then a landscape one."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.setPageSize(A4)
    pdf.setFillColorRGB(0.1, 0.1, 0.4)
    pdf.rect(60, A4[1] / 2, A4[0] - 120, A4[1] / 2 - 60, stroke=0, fill=1)
    pdf.drawString(72, 72, "Work order for #812")
    pdf.showPage()
    pdf.setPageSize(landscape(A4))
    pdf.drawString(72, 72, "Materials and signatures")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


MakeViewer = Callable[..., WorkOrderViewer]


@pytest.fixture
def make_viewer(qtbot: QtBot, runner: TaskRunner) -> Iterator[MakeViewer]:
    viewers: list[WorkOrderViewer] = []

    def make(*, show: bool = True, **options: object) -> WorkOrderViewer:
        """The viewer, shown unless ``show`` is False (for a test that must listen to it
        before the event loop runs: showing spins it)."""
        viewer = WorkOrderViewer(runner, "work-order-812-20260302-1015.pdf",
                                 subtitle="Standard work order", **options)  # type: ignore[arg-type]
        qtbot.addWidget(viewer)
        viewers.append(viewer)
        if show:
            viewer.show()
            qtbot.waitExposed(viewer)
        return viewer

    yield make
    runner.wait_for_done()
    for viewer in viewers:
        viewer.close()
    runner.wait_for_done()


def shown_viewer(qtbot: QtBot, make_viewer: MakeViewer, data: bytes) -> WorkOrderViewer:
    """A viewer showing ``data``, its pages drawn. It listens for ``rendered`` before it
    is shown: waiting until it is exposed spins the event loop, and the pages may be
    drawn by then."""
    viewer = make_viewer(load=lambda: data, show=False)
    with qtbot.waitSignal(viewer.view.rendered, timeout=20_000):
        viewer.show()
    qtbot.waitExposed(viewer)
    return viewer


def test_the_viewer_shows_every_page(qtbot: QtBot, make_viewer: MakeViewer) -> None:
    viewer = make_viewer(load=two_pages, show=False)
    assert not viewer.print_button.isEnabled()  # nothing to print while it opens

    with qtbot.waitSignal(viewer.view.rendered, timeout=20_000) as rendered:
        viewer.show()

    assert rendered.args == [2]
    (first_width, first_height), (second_width, second_height) = viewer.view.page_sizes
    assert first_width < first_height
    assert second_width > second_height
    assert viewer.print_button.isEnabled()
    assert viewer.save_button.isEnabled()
    assert viewer.title.text() == "work-order-812-20260302-1015.pdf"


def test_save_as_writes_the_pdf_whole(
    qtbot: QtBot, make_viewer: MakeViewer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = two_pages()
    viewer = shown_viewer(qtbot, make_viewer, data)
    target = tmp_path / "for the customer.pdf"
    monkeypatch.setattr(work_order_viewer, "choose_pdf_path", lambda _parent, _name: target)

    with qtbot.waitSignal(viewer.saved, timeout=10_000) as saved:
        qtbot.mouseClick(viewer.save_button, Qt.MouseButton.LeftButton)

    assert saved.args == [target]
    assert target.read_bytes() == data
    assert len(PdfReader(target).pages) == 2
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left
    assert viewer.status.text() == f"Saved as {target}"


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(150)
    return printer


def test_print_sends_each_page_fitted_and_turned_to_the_paper(
    qtbot: QtBot, make_viewer: MakeViewer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewer = shown_viewer(qtbot, make_viewer, two_pages())
    out = tmp_path / "printed.pdf"

    def answer(_parent: QWidget, printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(150)
        return True

    monkeypatch.setattr(work_order_viewer, "choose_printer", answer)

    with qtbot.waitSignal(viewer.printed, timeout=20_000) as printed:
        viewer.setFocus()
        qtbot.keyClick(viewer, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)

    assert printed.args == [2]
    assert viewer.status.text() == "Sent 2 pages to the printer."
    sheets = PdfReader(out).pages
    assert len(sheets) == 2
    first, second = (sheet.mediabox for sheet in sheets)
    assert first.width < first.height  # portrait paper for the portrait page
    assert second.width > second.height  # turned for the landscape one
    picture = render_pages(out.read_bytes(), dpi=20, pages=[0])[0].to_pil()
    top = picture.getpixel((picture.width // 2, picture.height // 3))
    bottom = picture.getpixel((picture.width // 2, picture.height * 5 // 6))
    assert isinstance(top, tuple)
    assert isinstance(bottom, tuple)
    assert sum(top) < 300 < sum(bottom)  # the dark block came out where it was


def test_a_page_range_from_the_print_dialog_is_honoured(
    qtbot: QtBot, make_viewer: MakeViewer, tmp_path: Path,
) -> None:
    viewer = shown_viewer(qtbot, make_viewer, two_pages())
    printer = pdf_printer(tmp_path / "second.pdf")
    printer.setFromTo(2, 2)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)  # as the dialog sets it

    with qtbot.waitSignal(viewer.printed, timeout=20_000) as printed:
        viewer.print_document(printer)

    assert printed.args == [1]
    sheet = PdfReader(tmp_path / "second.pdf").pages[0]
    assert sheet.mediabox.width > sheet.mediabox.height


def test_a_document_not_on_this_computer_says_so(
    qtbot: QtBot, make_viewer: MakeViewer, shown: list[str],
) -> None:
    def missing() -> bytes:
        raise BlobNotFoundError("ab" * 32)

    viewer = make_viewer(load=missing)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)

    assert shown == ["work-order-812-20260302-1015.pdf could not be opened."]
    assert "not on this computer yet" in viewer.view.placeholder_text
    assert not viewer.print_button.isEnabled()
    assert not viewer.save_button.isEnabled()


def test_pictures_fit_the_paper_keeping_their_proportions() -> None:
    box = QRect(0, 0, 1000, 1400)
    assert fitted(QSize(500, 1000), box).toRect() == QRect(150, 0, 700, 1400)
    assert fitted(QSize(2000, 1000), box).toRect() == QRect(0, 450, 1000, 500)


def test_only_the_pages_asked_for_are_printed(tmp_path: Path) -> None:
    printer = pdf_printer(tmp_path / "x.pdf")
    assert wanted_pages(printer, 3) == [0, 1, 2]
    printer.setFromTo(2, 3)
    assert wanted_pages(printer, 3) == [0, 1, 2], "a range left over, All pages chosen"
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    assert wanted_pages(printer, 3) == [1, 2]
    printer.setFromTo(2, 9)
    assert wanted_pages(printer, 3) == [1, 2]
    printer.setPageRanges(page_list((1, 1), (4, 5)))
    assert wanted_pages(printer, 6) == [0, 3, 4], "1,4-5: not 1 to 5"
    assert wanted_pages(printer, 4) == [0, 3]
    printer.setPageRanges(page_list((7, 9)))
    assert wanted_pages(printer, 6) == [], "none of them: the viewer says so"

    printer.setPrintRange(QPrinter.PrintRange.CurrentPage)
    assert wanted_pages(printer, 6, current=3) == [2]
    assert wanted_pages(printer, 6) == list(range(6)), "no page shown: all of them"
    printer.setPrintRange(QPrinter.PrintRange.Selection)
    assert wanted_pages(printer, 6, current=5) == [4]


def page_list(*spans: tuple[int, int]) -> QPageRanges:
    """Pages as the print dialog's "Pages:" box gives them: ``(1, 1), (4, 4)`` is "1,4"."""
    ranges = QPageRanges()
    for first, last in spans:
        ranges.addRange(first, last)
    return ranges


def four_pages() -> bytes:
    """Two portrait pages, then two landscape ones."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for number, size in enumerate((A4, A4, landscape(A4), landscape(A4)), start=1):
        pdf.setPageSize(size)
        pdf.drawString(72, 72, f"Page {number}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def sheet_shapes(path: Path) -> list[str]:
    return ["landscape" if sheet.mediabox.width > sheet.mediabox.height else "portrait"
            for sheet in PdfReader(path).pages]


def test_a_list_of_pages_prints_those_pages_only(
    qtbot: QtBot, make_viewer: MakeViewer, tmp_path: Path,
) -> None:
    """"1,4" in the print dialog is pages 1 and 4, not 1 to 4."""
    viewer = shown_viewer(qtbot, make_viewer, four_pages())
    printer = pdf_printer(tmp_path / "list.pdf")
    printer.setPageRanges(page_list((1, 1), (4, 4)))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)

    with qtbot.waitSignal(viewer.printed, timeout=20_000) as printed:
        viewer.print_document(printer)

    assert printed.args == [2]
    assert sheet_shapes(tmp_path / "list.pdf") == ["portrait", "landscape"]
    assert viewer.status.text() == "Sent 2 pages to the printer."


def test_current_page_prints_the_page_shown(
    qtbot: QtBot, make_viewer: MakeViewer, tmp_path: Path,
) -> None:
    viewer = shown_viewer(qtbot, make_viewer, four_pages())
    viewer.view.set_zoom(1.0)  # a page taller than the window: one page in view
    viewer.view.show_page(3)
    assert viewer.view.current_page == 3
    printer = pdf_printer(tmp_path / "current.pdf")
    printer.setPrintRange(QPrinter.PrintRange.CurrentPage)

    with qtbot.waitSignal(viewer.printed, timeout=20_000) as printed:
        viewer.print_document(printer)

    assert printed.args == [1]
    assert sheet_shapes(tmp_path / "current.pdf") == ["landscape"]


def three_pages() -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for number in (1, 2, 3):
        pdf.drawString(72, 72, f"Page {number}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def record_pages(start: Callable[[PrintJob], None],
                 happened: list[tuple[str, object]]) -> Callable[[PrintJob], None]:
    """``PrintJob.start`` that also notes each page sent to the printer."""

    def started(job: PrintJob) -> None:
        job.page_printed.connect(lambda sent, _count: happened.append(("printed", sent)))
        start(job)

    return started


def test_printing_draws_only_the_pages_asked_for_one_at_a_time(
    qtbot: QtBot, make_viewer: MakeViewer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long work order at 300 dpi would hold every page's picture at once: only one
    page is drawn at a time, after the one before went to the printer."""
    happened: list[tuple[str, object]] = []
    real = work_order_printing.render_pages
    viewer = shown_viewer(qtbot, make_viewer, three_pages())

    def spy(data: bytes, *, dpi: float, pages: list[int]) -> object:
        happened.append(("drawn", list(pages)))
        return real(data, dpi=dpi, pages=pages)

    monkeypatch.setattr(work_order_printing, "render_pages", spy)
    monkeypatch.setattr(PrintJob, "start", record_pages(PrintJob.start, happened))
    printer = pdf_printer(tmp_path / "range.pdf")
    printer.setFromTo(2, 3)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)

    with qtbot.waitSignal(viewer.printed, timeout=20_000) as printed:
        viewer.print_document(printer)

    assert printed.args == [2]
    # Page 3 is drawn only once page 2 is on paper: one page picture at a time.
    assert happened == [("drawn", [1]), ("printed", 1), ("drawn", [2]), ("printed", 2)]
    assert len(PdfReader(tmp_path / "range.pdf").pages) == 2


def test_a_pdf_that_cannot_be_drawn_says_so_and_is_not_offered_to_the_printer(
    qtbot: QtBot, make_viewer: MakeViewer, shown: list[str],
) -> None:
    viewer = make_viewer(data=with_a_missing_page(two_pages()))

    qtbot.waitUntil(lambda: bool(viewer.problem), timeout=20_000)

    assert viewer.status.text().startswith("Cannot be printed: The PDF cannot be read")
    assert not viewer.print_button.isEnabled()
    assert "cannot be printed" in viewer.print_button.toolTip()
    assert viewer.save_button.isEnabled()  # another program may read it
    assert shown == []


def test_a_page_that_cannot_be_drawn_for_the_printer_is_the_document_s_problem(
    qtbot: QtBot, make_viewer: MakeViewer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    shown: list[str],
) -> None:
    """The first pages draw, a later one does not: the document is blamed, not the
    printer, and nothing half-printed is reported as printed."""
    viewer = shown_viewer(qtbot, make_viewer, two_pages())
    real = work_order_printing.render_pages

    def damaged_second_page(data: bytes, *, dpi: float, pages: list[int]) -> object:
        if pages == [1]:
            raise PdfUnreadable("The PDF cannot be read (Failed to load page).")
        return real(data, dpi=dpi, pages=pages)

    monkeypatch.setattr(work_order_printing, "render_pages", damaged_second_page)
    printed: list[int] = []
    viewer.printed.connect(printed.append)

    viewer.print_document(pdf_printer(tmp_path / "half.pdf"))
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)

    assert shown == ["work-order-812-20260302-1015.pdf cannot be printed: "
                     "The PDF cannot be read (Failed to load page)."]
    assert printed == []
    assert not viewer.print_button.isEnabled()


def test_a_print_job_on_a_damaged_pdf_fails_before_the_printer_is_used(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path,
) -> None:
    printer = pdf_printer(tmp_path / "never.pdf")
    job = PrintJob(runner, printer, with_a_missing_page(two_pages()))

    with qtbot.waitSignal(job.document_failed, timeout=20_000) as failed:
        job.start()

    assert str(failed.args[0]).startswith("The PDF cannot be read")
    assert not (tmp_path / "never.pdf").exists()


def test_the_viewer_s_keys_come_from_the_registry(
    qtbot: QtBot, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Declared once: change the registry and the viewer follows (and so does F1)."""
    moved = dataclasses.replace(shortcuts.shortcut("viewer_print"), standard=None,
                                keys=("Ctrl+Alt+P",))
    monkeypatch.setitem(shortcuts._BY_KEY, "viewer_print", moved)
    viewer = WorkOrderViewer(runner, "x.pdf")
    qtbot.addWidget(viewer)

    assert viewer.print_action.shortcut().toString() == "Ctrl+Alt+P"
    assert viewer.print_action.shortcutContext() == shortcuts.WORK_ORDER_VIEWER.context
    assert viewer.save_action.shortcut() == QKeySequence(QKeySequence.StandardKey.SaveAs)


def unnamed_controls(window: QWidget) -> list[str]:
    """The buttons, lists and status lines of ``window`` a screen reader could not name."""
    kinds = (QAbstractButton, QComboBox, QAbstractItemView, QAbstractScrollArea)
    return [widget.objectName() or repr(widget) for widget in window.findChildren(QWidget)
            if (isinstance(widget, kinds) or widget.objectName().endswith("status"))
            and not widget.accessibleName()]


def test_every_control_and_status_line_is_named(
    qtbot: QtBot, make_viewer: MakeViewer,
) -> None:
    viewer = shown_viewer(qtbot, make_viewer, two_pages())
    assert unnamed_controls(viewer) == []
    assert viewer.status.accessibleName() == "Print and save status"
    assert viewer.view.status_label.accessibleName() == "Page drawing status"
