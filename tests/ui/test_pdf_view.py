"""The PDF page view, driven as a person uses it: pages shown one under the other, page
i of n following the scroll, zoom by buttons, keys and Ctrl+wheel, and what it says when
there is nothing (or nothing readable) to show; and what it costs: only the pages in
view are drawn, within a budget, never sharper than the cap."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A0, A4
from reportlab.pdfgen.canvas import Canvas

from desktopdesk.documents import pdf_pages
from desktopdesk.ui.pdf_page_cache import (
    MAX_DPI,
    MAX_PICTURE_PIXELS,
    PIXEL_BUDGET,
    PageCache,
    PagePicture,
    picture_dpi,
)
from desktopdesk.ui.pdf_view import (
    SCREEN_DPI,
    PdfPagesView,
    draw_pages,
    zoom_in_step,
    zoom_out_step,
)
from desktopdesk.ui.shortcuts import PDF_VIEW, in_scope, shortcut
from desktopdesk.ui.tasks import TaskRunner
from tests.ui.conftest import Embed


def make_pdf(pages: int, label: str = "Page") -> bytes:
    """A4 pages, each with its number in large letters and a black bar to find."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica-Bold", 40)
        canvas.drawString(72, 720, f"{label} {number}")
        canvas.rect(72, 300, 300, 120, fill=1)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def dark_share(image: QImage) -> float:
    """How much of the picture is dark ink (a blank page: 0)."""
    small = image.scaled(60, 85)
    dark = sum(1 for x in range(small.width()) for y in range(small.height())
               if QColor(small.pixel(x, y)).lightness() < 100)
    return dark / (small.width() * small.height())


OpenView = Callable[..., PdfPagesView]


@pytest.fixture
def open_view(embed: Embed, runner: TaskRunner) -> OpenView:
    def make(width: int = 600, height: int = 500) -> PdfPagesView:
        view = PdfPagesView(runner)
        embed(view, width, height)
        return view

    return make


def show(qtbot: QtBot, view: PdfPagesView, data: bytes) -> int:
    with qtbot.waitSignal(view.rendered, timeout=20_000) as shown:
        view.set_pdf(data)
    count: int = shown.args[0]
    return count


def test_pages_show_one_under_the_other_with_page_i_of_n(qtbot: QtBot,
                                                        open_view: OpenView) -> None:
    view = open_view()
    assert view.placeholder_text == "No document to show"
    assert view.page_label.text() == ""

    assert show(qtbot, view, make_pdf(3)) == 3
    assert view.page_count == 3
    assert view.page_label.text() == "Page 1 of 3"
    first = view.drawn_pages()[0]
    assert 0.02 < dark_share(first) < 0.5  # drawn, not blank
    assert view.fits_width
    # Fit width: the page fills the width there is, less the grey around it.
    assert first.width() / view.devicePixelRatioF() > 0.8 * view.width() - 60

    bar = view.scroll_area.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert view.page_label.text() == "Page 3 of 3"
    qtbot.waitUntil(lambda: 2 in view.drawn_pages(), timeout=20_000)
    assert 0.02 < dark_share(view.drawn_pages()[2]) < 0.5
    view.show_page(2)
    assert view.page_label.text() == "Page 2 of 3"
    assert view.current_page == 2


def test_zoom_buttons_and_ctrl_wheel_draw_the_pages_again(qtbot: QtBot,
                                                          open_view: OpenView) -> None:
    view = open_view()
    show(qtbot, view, make_pdf(2))
    fitted = view.zoom
    width = view.drawn_pages()[0].width()

    qtbot.mouseClick(view.zoom_in_button, Qt.MouseButton.LeftButton)
    assert view.zoom == pytest.approx(zoom_in_step(fitted))
    assert not view.fits_width
    assert not view.fit_button.isChecked()
    assert view.zoom_label.text() == f"{round(view.zoom * 100)} %"
    qtbot.waitUntil(lambda: not view.is_busy and view.drawn_pages()[0].width() > width,
                    timeout=20_000)

    qtbot.mouseClick(view.actual_button, Qt.MouseButton.LeftButton)
    assert view.zoom == 1.0
    printed_width = A4[0] / 72 * SCREEN_DPI * view.devicePixelRatioF()
    qtbot.waitUntil(lambda: not view.is_busy
                    and abs(view.drawn_pages()[0].width() - printed_width) < 3,
                    timeout=20_000)

    viewport = view.scroll_area.viewport()
    wheel = QWheelEvent(QPointF(50, 50), QPointF(viewport.mapToGlobal(QPoint(50, 50))),
                        QPoint(), QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(viewport, wheel)
    assert view.zoom == pytest.approx(zoom_out_step(1.0))

    qtbot.mouseClick(view.fit_button, Qt.MouseButton.LeftButton)
    assert view.fits_width
    assert view.zoom == pytest.approx(fitted)


def test_nothing_to_show_and_unreadable_bytes_are_said(qtbot: QtBot,
                                                       open_view: OpenView) -> None:
    view = open_view()
    show(qtbot, view, make_pdf(1))
    view.set_pdf(None)
    assert view.page_count == 0
    assert view.placeholder_text == "No document to show"
    assert not view.zoom_in_button.isEnabled()
    view.set_placeholder("Choose a ticket")
    assert view.placeholder_text == "Choose a ticket"

    with qtbot.waitSignal(view.failed, timeout=20_000) as failed:
        view.set_pdf(b"%PDF-1.4 this is not really a PDF")
    assert "cannot be read" in failed.args[0]
    assert view.placeholder_text == failed.args[0]
    assert view.drawn_pages() == {}


def test_a_newer_document_wins_over_one_still_being_drawn(qtbot: QtBot,
                                                          open_view: OpenView,
                                                          runner: TaskRunner) -> None:
    view = open_view()
    counts: list[int] = []
    view.rendered.connect(counts.append)
    view.set_pdf(make_pdf(5, "Old"))
    view.set_pdf(make_pdf(1, "New"))
    qtbot.waitUntil(lambda: bool(counts) and not view.is_busy, timeout=20_000)
    runner.wait_for_done()
    qtbot.waitUntil(lambda: not runner.busy)
    assert counts == [1]
    assert view.page_count == 1
    assert view.page_label.text() == "Page 1 of 1"


def test_busy_is_said_while_a_document_is_made(open_view: OpenView) -> None:
    view = open_view()
    view.set_busy(True, "Printing…")
    assert view.is_busy
    assert view.status_label.text() == "Printing…"
    assert view.placeholder_text == "Printing…"
    view.set_busy(False)
    assert not view.is_busy
    assert view.placeholder_text == "No document to show"


# --- Memory: only the pages in view are drawn, within a budget --------------------------------


class DrawSpy:
    """Every page PDFium draws (its number and width in pixels), with a gate that holds
    the worker until the test opens it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.drawn: list[tuple[int, int]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()
        original = pdf_pages._render

        def spy(document: object, index: int, dpi: float) -> pdf_pages.PageImage:
            self.waiting.set()
            self.gate.wait(20)
            page = original(document, index, dpi)  # type: ignore[arg-type]
            self.drawn.append((index, page.width))
            return page

        monkeypatch.setattr(pdf_pages, "_render", spy)

    @property
    def pages(self) -> set[int]:
        return {index for index, _ in self.drawn}


@pytest.fixture
def draw_spy(monkeypatch: pytest.MonkeyPatch, runner: TaskRunner) -> Iterator[DrawSpy]:
    spy = DrawSpy(monkeypatch)
    yield spy
    spy.gate.set()  # never leave a worker waiting
    runner.wait_for_done()


def held_pixels(view: PdfPagesView) -> int:
    return sum(image.width() * image.height() for image in view.drawn_pages().values())


def test_a_long_document_draws_only_the_pages_in_view_at_400_percent_too(
    qtbot: QtBot, open_view: OpenView, draw_spy: DrawSpy,
) -> None:
    view = open_view(600, 500)
    assert show(qtbot, view, make_pdf(30)) == 30
    qtbot.waitUntil(lambda: not view.is_busy, timeout=20_000)
    assert draw_spy.pages <= {0, 1}, "the first page and the one after it, not 30"
    assert view.page_label.text() == "Page 1 of 30"

    view.set_zoom(4.0)
    qtbot.waitUntil(lambda: not view.is_busy and 0 in view.drawn_pages()
                    and view.drawn_pages()[0].width() > 3000, timeout=30_000)
    sharp = A4[0] / 72 * 4 * SCREEN_DPI * view.devicePixelRatioF()
    assert abs(view.drawn_pages()[0].width() - min(sharp, A4[0] / 72 * MAX_DPI)) < 3
    assert set(view.drawn_pages()) <= {0, 1}
    assert held_pixels(view) <= PIXEL_BUDGET

    draw_spy.drawn.clear()
    view.show_page(20)
    assert view.page_label.text() == "Page 20 of 30"
    qtbot.waitUntil(lambda: not view.is_busy and 19 in view.drawn_pages(), timeout=30_000)
    assert draw_spy.pages <= {18, 19, 20}, "the pages scrolled past are not drawn"
    assert 0 not in view.drawn_pages(), "a page far away gave its memory back"
    assert held_pixels(view) <= PIXEL_BUDGET

    view.zoom_out()
    assert view.page_label.text() == "Page 20 of 30", "zooming keeps the place"


def test_the_pages_are_laid_out_before_any_is_drawn(
    qtbot: QtBot, open_view: OpenView, draw_spy: DrawSpy,
) -> None:
    view = open_view()
    draw_spy.gate.clear()
    view.set_pdf(make_pdf(12))
    qtbot.waitUntil(lambda: view.page_count == 12, timeout=20_000)
    assert view.page_label.text() == "Page 1 of 12"
    assert view.zoom_label.text() == f"{round(view.zoom * 100)} %"
    assert view.drawn_pages() == {}
    assert view.status_label.text() == "Drawing the pages…"
    bar = view.scroll_area.verticalScrollBar()
    assert bar.maximum() > 10 * view.scroll_area.viewport().height(), "room for 12 pages"
    with qtbot.waitSignal(view.rendered, timeout=20_000) as rendered:
        draw_spy.gate.set()
    assert rendered.args == [12]
    assert 0 in view.drawn_pages()


def test_a_page_drawn_for_a_zoom_left_since_is_dropped(
    qtbot: QtBot, open_view: OpenView, draw_spy: DrawSpy,
) -> None:
    view = open_view()
    widths: list[int] = []
    view.page_drawn.connect(lambda index: widths.append(view.drawn_pages()[index].width()))
    draw_spy.gate.clear()
    view.set_pdf(make_pdf(1))
    qtbot.waitUntil(draw_spy.waiting.is_set, timeout=20_000)  # drawn for the fitted zoom
    fitted_width = view.canvas.page_rects()[0].width() * view.devicePixelRatioF()
    view.set_zoom(2.0)
    with qtbot.waitSignal(view.rendered, timeout=20_000):
        draw_spy.gate.set()
    doubled = A4[0] / 72 * 2 * SCREEN_DPI * view.devicePixelRatioF()
    assert next(width for _, width in draw_spy.drawn) == pytest.approx(fitted_width, abs=3)
    assert widths == [pytest.approx(doubled, abs=3)], "only the picture for 200 % is kept"


def test_a_huge_page_is_drawn_no_bigger_than_the_cap(
    qtbot: QtBot, open_view: OpenView,
) -> None:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A0)
    canvas.setFont("Helvetica-Bold", 200)
    canvas.drawString(200, 2000, "Poster")
    canvas.showPage()
    canvas.save()
    view = open_view()
    show(qtbot, view, out.getvalue())
    view.set_zoom(4.0)
    qtbot.waitUntil(lambda: not view.is_busy and view.drawn_pages()[0].width() > 2000,
                    timeout=30_000)
    image = view.drawn_pages()[0]
    assert image.width() * image.height() <= MAX_PICTURE_PIXELS
    assert image.width() / image.height() == pytest.approx(A0[0] / A0[1], rel=0.01)


def test_the_cache_keeps_the_pages_in_view_and_drops_far_ones_first() -> None:
    def picture(generation: int, dpi: float, side: int) -> PagePicture:
        return PagePicture(generation, dpi, QImage(side, side, QImage.Format.Format_RGB888))

    cache = PageCache(budget=250)
    for index in range(5):
        cache.put(index, picture(1, 100.0, 10))  # 100 pixels each
    cache.trim(keep={2}, around=2, generation=1, dpi_for=lambda _index: 100.0)
    assert sorted(cache.drawn(1)) == [2, 3], "the farthest first; of two as far, the one behind"
    cache.put(3, picture(2, 100.0, 20))  # 400 pixels: over the budget, but in view
    cache.trim(keep={3}, around=3, generation=2, dpi_for=lambda _index: 100.0)
    assert sorted(cache.drawn(2)) == [3]
    assert cache.drawn(1) == {}, "pictures of the document before are not kept"
    assert not cache.room_for(100, keep={3}, replacing=4)
    assert cache.room_for(100, keep=set(), replacing=4)
    cache.put(4, picture(2, 400.0, 10))
    cache.trim(keep={3}, around=3, generation=2, dpi_for=lambda _index: 100.0)
    assert 4 not in cache.drawn(2), "too sharp for the zoom now: only memory"
    assert cache.needs_drawing(3, 2, 150.0)
    assert not cache.needs_drawing(3, 2, 100.0)
    assert picture_dpi((A4[0], A4[1]), 1000.0) == MAX_DPI
    assert picture_dpi((A4[0], A4[1]), 96.0) == 96.0


def test_draw_pages_draws_the_pages_asked_for(qapp: QApplication) -> None:
    data = make_pdf(3)
    one = draw_pages(data, 72.0, pages=[1, 7])
    assert one.indexes == (1,)
    assert one.page_count == 3
    assert [image.width() for image in one.images] == [pytest.approx(A4[0], abs=1)]
    assert draw_pages(data, 72.0, pages=()).images == ()
    assert len(draw_pages(data, 36.0).images) == 3
    assert "cannot be read" in draw_pages(b"not a pdf", 72.0).problem


def test_the_zoom_keys_are_the_registry_s(qtbot: QtBot, open_view: OpenView) -> None:
    view = open_view()
    actions = {action.objectName(): action for action in view.findChildren(QAction)
               if action.shortcuts()}
    assert set(actions) == {f"action_{entry.key}" for entry in in_scope(PDF_VIEW)}
    for name, action in actions.items():
        entry = shortcut(name.removeprefix("action_"))
        assert [k.toString() for k in action.shortcuts()] == [
            k.toString() for k in entry.sequences()]
        assert action.shortcutContext() == PDF_VIEW.context
    show(qtbot, view, make_pdf(1))
    view.set_zoom(1.0)
    view.scroll_area.setFocus()
    qtbot.keyClick(view.scroll_area, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(zoom_in_step(1.0))
    qtbot.keyClick(view.scroll_area, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 1.0
    qtbot.keyClick(view.scroll_area, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert view.fits_width
