"""A PDF's pages one under the other, with zoom: the work-order preview and viewer.

QtPdf is not available for the Qt we pin, so PDFium (``documents.pdf_pages``) draws on a
worker and this widget only shows pictures. It reads the pages' sizes first, so the
frames, the scroll bar and "Page i of n" are right before any page is drawn; then it
draws the pages in view (and one either side), one at a time, at the zoom's resolution,
keeping the few pictures ``pdf_page_cache`` allows. Zooming scales what is there at once
(blurred for a moment) and draws the pages in view again sharp after a short pause, so
zooming never waits for PDFium. An answer for another document, or for a zoom left
since, is dropped.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFrame, QSizePolicy, QStyle, QVBoxLayout, QWidget

from desktopdesk.documents.pdf_pages import POINTS_PER_INCH
from desktopdesk.ui.pdf_canvas import MARGIN, PAGE_GAP, PageCanvas, WheelZoomScrollArea
from desktopdesk.ui.pdf_page_cache import (
    SCREEN_DPI,
    PageCache,
    PageSize,
    RenderedPages,
    draw_pages,
    picture_dpi,
)
from desktopdesk.ui.pdf_page_drawer import PageDrawer
from desktopdesk.ui.pdf_toolbar import MAX_ZOOM, MIN_ZOOM, PdfToolbar, zoom_in_step, zoom_out_step
from desktopdesk.ui.shortcuts import make_action
from desktopdesk.ui.tasks import TaskRunner

__all__ = ["SCREEN_DPI", "PdfPagesView", "RenderedPages", "draw_pages", "zoom_in_step",
           "zoom_out_step"]

#: A pause after zooming or resizing (fit width) before the pages are drawn again.
REDRAW_DELAY_MS = 150
EMPTY_TEXT = "No document to show"
RENDERING_TEXT = "Drawing the pages…"


class PdfPagesView(QWidget):
    """A PDF shown as pages, with zoom (fit width, 100 %, + and -, Ctrl+wheel) and
    "Page i of n". Hand it the document with ``set_pdf``; pass the window's ``runner``
    so its workers are shared (and waited for on close)."""

    #: A document's pages in view are drawn (its page count), once a document.
    rendered = Signal(int)
    #: A document could not be drawn: the message shown in its place.
    failed = Signal(str)
    #: Page n (0-based) of the document shown was drawn at the zoom shown.
    page_drawn = Signal(int)

    def __init__(self, runner: TaskRunner | None = None, parent: QWidget | None = None, *,
                 placeholder: str = EMPTY_TEXT) -> None:
        super().__init__(parent)
        self.setObjectName("pdf_pages_view")
        self.setAccessibleName("Document pages")
        self.runner = runner if runner is not None else TaskRunner(self)
        self.cache = PageCache()
        self.drawer = PageDrawer(self.runner, self.cache, self, self)
        self._fit_width = True
        self._busy_message = ""
        self._empty_text = placeholder
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_DELAY_MS)
        self._redraw.timeout.connect(self._on_redraw_timeout)
        self._build()
        self._connect()
        self._update_controls()

    # --- Building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.toolbar = PdfToolbar(self)
        bar = self.toolbar
        self.zoom_out_button, self.zoom_label = bar.zoom_out_button, bar.zoom_label
        self.zoom_in_button, self.fit_button = bar.zoom_in_button, bar.fit_button
        self.actual_button, self.status_label = bar.actual_button, bar.status_label
        self.page_label = bar.page_label
        self.canvas = PageCanvas(self.cache, self)
        self.canvas.unreadable = self.drawer.unreadable
        self.scroll_area = WheelZoomScrollArea(self)
        self.scroll_area.setObjectName("pdf_scroll")
        self.scroll_area.setAccessibleName("Pages")
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area.setWidget(self.canvas)
        self.scroll_area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        rule = QFrame(self)
        rule.setObjectName("pdf_rule")
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(rule)
        layout.addWidget(self.scroll_area, 1)

        self.zoom_in_action = make_action("pdf_zoom_in", self, self.zoom_in)
        self.zoom_in_unshifted_action = make_action("pdf_zoom_in_unshifted", self,
                                                    self.zoom_in)
        self.zoom_out_action = make_action("pdf_zoom_out", self, self.zoom_out)
        self.actual_action = make_action("pdf_actual_size", self,
                                         self._on_actual_button_clicked)
        self.fit_action = make_action("pdf_fit_width", self, self._on_fit_button_clicked)

    def _connect(self) -> None:
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.actual_button.clicked.connect(self._on_actual_button_clicked)
        self.fit_button.clicked.connect(self._on_fit_button_clicked)
        self.scroll_area.zoom_requested.connect(self._on_scroll_zoom_requested)
        self.scroll_area.viewport_resized.connect(self._on_scroll_viewport_resized)
        self.scroll_area.verticalScrollBar().valueChanged.connect(self._on_scroll_moved)
        drawer = self.drawer
        drawer.laid_out.connect(self._on_drawer_laid_out)
        drawer.page_drawn.connect(self._on_drawer_page_drawn)
        drawer.page_unreadable.connect(self.canvas.update_page)
        drawer.failed.connect(self._on_drawer_failed)
        drawer.activity_changed.connect(self._update_controls)
        drawer.rendered.connect(self.rendered)

    # --- The document ---------------------------------------------------------------------

    def set_pdf(self, data: bytes | None) -> None:
        """Show ``data`` (None: nothing, with the placeholder). Its sizes and pages are
        read on a worker; the pages of the document shown before stay, as placeholders,
        until the new ones are drawn."""
        self.drawer.set_document(data)
        if data is None:
            self.canvas.sizes = ()
            self._relayout()
        self._update_controls()

    def pdf_data(self) -> bytes | None:
        return self.drawer.data

    def set_placeholder(self, text: str) -> None:
        """What shows when there is no document."""
        self._empty_text = text
        self._update_controls()

    def set_busy(self, busy: bool, message: str = "") -> None:
        """Say that a document is being made (before ``set_pdf`` has bytes to show)."""
        self._busy_message = (message or RENDERING_TEXT) if busy else ""
        self._update_controls()

    @property
    def is_busy(self) -> bool:
        """A document is being made, or its pages read or drawn (or about to be)."""
        return bool(self._busy_message) or self.drawer.is_drawing or self._redraw.isActive()

    @property
    def page_count(self) -> int:
        return len(self.canvas.sizes)

    @property
    def page_sizes(self) -> tuple[PageSize, ...]:
        """Every page's size in points (1/72 inch), as it shows."""
        return self.canvas.sizes

    def drawn_pages(self) -> dict[int, QImage]:
        """The pictures held now of the document shown, by page (0-based): the pages in
        view and a few near them, not the whole document. Printing draws its own."""
        return self.drawer.drawn()

    @property
    def placeholder_text(self) -> str:
        """What the view says instead of pages ("" while it shows pages)."""
        return "" if self.canvas.sizes else self.canvas.placeholder

    def _relayout(self) -> None:
        """Lay the canvas out for the pages and zoom now, and have the scroll bars follow
        at once (a canvas that shrinks would otherwise tell the scroll area later, after
        the place in the document was set against the old length)."""
        self.canvas.relayout()
        if self.canvas.isVisible():
            viewport = self.scroll_area.viewport().size()
            self.canvas.resize(self.canvas.minimumSize().expandedTo(viewport))

    # --- What the drawer asks (``PagesOnScreen``) and hears -------------------------------

    def wanted_dpi(self, index: int) -> float:
        """How sharp to draw page ``index`` for the zoom and screen now."""
        ratio = self.devicePixelRatioF() or 1.0
        return picture_dpi(self.canvas.sizes[index], SCREEN_DPI * self.zoom * ratio)

    def pages_in_view(self) -> range:
        """The pages in the viewport (the current one when it shows none: hidden)."""
        top = self.scroll_area.verticalScrollBar().value()
        pages = self.canvas.layout_now.pages_between(
            top, top + self.scroll_area.viewport().height())
        if not pages and self.canvas.sizes:
            current = self.current_page - 1
            return range(current, current + 1)
        return pages

    def is_settling(self) -> bool:
        return self._redraw.isActive()

    @Slot(object)
    def _on_drawer_laid_out(self, sizes: tuple[PageSize, ...]) -> None:
        """The new document's frames, before any of its pages is drawn."""
        self.canvas.sizes = sizes
        if self._fit_width:
            self._apply_fit_width(pause=False)
        self._relayout()
        self._update_controls()

    @Slot(int)
    def _on_drawer_page_drawn(self, index: int) -> None:
        self.canvas.update_page(index)
        self.page_drawn.emit(index)

    @Slot(str)
    def _on_drawer_failed(self, message: str) -> None:
        self.canvas.sizes = ()
        self._relayout()
        self._update_controls()
        self.failed.emit(message)

    # --- Zoom -----------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return self.canvas.zoom

    @property
    def fits_width(self) -> bool:
        return self._fit_width

    def set_zoom(self, zoom: float) -> None:
        """Show the pages at ``zoom`` (1.0: printed size), leaving fit width."""
        self._fit_width = False
        self._set_zoom(zoom)

    def fit_width(self) -> None:
        self._fit_width = True
        self._apply_fit_width()

    @Slot()
    def zoom_in(self) -> None:
        if self.page_count:
            self.set_zoom(zoom_in_step(self.zoom))

    @Slot()
    def zoom_out(self) -> None:
        if self.page_count:
            self.set_zoom(zoom_out_step(self.zoom))

    def _set_zoom(self, zoom: float, *, pause: bool = True) -> None:
        """Scale the pages to ``zoom`` now, keeping the same place in view; draw them
        again after a pause (``pause`` False: at once, for a document just laid out)."""
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        if abs(zoom - self.canvas.zoom) < 1e-4:
            self._update_controls()
            return
        if pause and self.drawer.data is not None:
            self._redraw.start()  # before the scroll bar moves: that draws otherwise
        bar = self.scroll_area.verticalScrollBar()
        place = self._place()
        self.canvas.zoom = zoom
        self._relayout()
        if place is not None:
            index, within = place
            rect = self.canvas.page_rects()[index]
            bar.setValue(round(rect.top() + within * rect.height()))
        self._update_controls()

    def _place(self) -> tuple[int, float] | None:
        """Where the view's top edge is in the document: a page, and how far down it (as
        a share of its height), so that a zoom keeps the same line at the top."""
        rects = self.canvas.page_rects()
        if not rects:
            return None
        top = self.scroll_area.verticalScrollBar().value()
        index = min(len(rects) - 1, self.canvas.layout_now.pages_between(top, top + 1).start)
        rect = rects[index]
        return index, (top - rect.top()) / max(1, rect.height())

    def _fit_room(self) -> int:
        """The width a page gets to fit the width, in logical pixels."""
        scrollbar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return max(80, self.scroll_area.width() - 2 * self.scroll_area.frameWidth() - scrollbar
                   - 2 * MARGIN)

    def _apply_fit_width(self, *, pause: bool = True) -> None:
        if not self.canvas.sizes:
            self._update_controls()
            return
        widest = max(width for width, _ in self.canvas.sizes)
        self._set_zoom(self._fit_room() / (widest * SCREEN_DPI / POINTS_PER_INCH), pause=pause)

    @Slot()
    def _on_redraw_timeout(self) -> None:
        self.drawer.schedule()
        self._update_controls()

    @Slot()
    def _on_actual_button_clicked(self) -> None:
        if self.page_count:
            self.set_zoom(1.0)

    @Slot()
    def _on_fit_button_clicked(self) -> None:
        self.fit_width()

    @Slot(int)
    def _on_scroll_zoom_requested(self, steps: int) -> None:
        if not self.page_count:
            return
        zoom = self.zoom
        for _ in range(abs(steps)):
            zoom = zoom_in_step(zoom) if steps > 0 else zoom_out_step(zoom)
        self.set_zoom(zoom)

    @Slot()
    def _on_scroll_viewport_resized(self) -> None:
        if self._fit_width:
            self._apply_fit_width()
        self.drawer.schedule()
        self._update_controls()

    # --- Page i of n ----------------------------------------------------------------------

    @property
    def current_page(self) -> int:
        """The page most of the view shows (1-based; 0 with no document)."""
        top = self.scroll_area.verticalScrollBar().value()
        bottom = top + self.scroll_area.viewport().height()
        return self.canvas.layout_now.most_shown(top, bottom) + 1

    def show_page(self, number: int) -> None:
        """Scroll to page ``number`` (1-based)."""
        rects = self.canvas.page_rects()
        if 1 <= number <= len(rects):
            # The gap above the page shows, not the bottom of the page before.
            top = 0 if number == 1 else rects[number - 1].top() - PAGE_GAP
            self.scroll_area.verticalScrollBar().setValue(top)

    @Slot()
    def _on_scroll_moved(self) -> None:
        self.drawer.schedule()
        self._update_controls()

    @Slot()
    def _update_controls(self) -> None:
        busy = self._busy_message or (RENDERING_TEXT if self.drawer.is_drawing_shown else "")
        self.toolbar.show_state(pages=self.page_count, current=self.current_page,
                                zoom=self.zoom, fits_width=self._fit_width, status=busy)
        if not self.canvas.sizes:
            error = self.drawer.error
            self.canvas.placeholder_is_error = bool(error)
            self.canvas.placeholder = error or busy or self._empty_text
            self.canvas.update()
