"""Where a PDF's pages lie at a zoom, and the canvas that paints them.

The layout comes from the pages' sizes alone (read before anything is drawn), so the
scroll bar, "Page i of n" and the page frames are right at once; each frame shows its
picture when one is there (scaled while a sharper one is on its way), else white.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property

from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QScrollArea, QWidget

from desktopdesk.documents.pdf_pages import POINTS_PER_INCH
from desktopdesk.ui import palette
from desktopdesk.ui.pdf_page_cache import SCREEN_DPI, PageCache, PageSize

#: Grey around the pages, and between them.
MARGIN = 16
PAGE_GAP = 12
UNREADABLE_PAGE = "This page cannot be shown."


def page_background() -> QColor:
    """The grey the pages lie on: a neutral of its own, in light and dark alike."""
    return QColor("#3c3f42") if palette.is_dark() else QColor("#d6d8db")


@dataclass(frozen=True)
class PageLayout:
    """The pages one under the other at ``zoom``, centred in ``width`` logical pixels."""

    sizes: tuple[PageSize, ...]
    zoom: float
    width: int

    def page_size(self, index: int) -> QSize:
        """Page ``index`` on screen, in logical pixels."""
        width, height = self.sizes[index]
        scale = self.zoom * SCREEN_DPI / POINTS_PER_INCH
        return QSize(max(1, round(width * scale)), max(1, round(height * scale)))

    @cached_property
    def rects(self) -> tuple[QRect, ...]:
        rects = []
        top = MARGIN
        for index in range(len(self.sizes)):
            size = self.page_size(index)
            left = max(MARGIN, (self.width - size.width()) // 2)
            rects.append(QRect(left, top, size.width(), size.height()))
            top += size.height() + PAGE_GAP
        return tuple(rects)

    @cached_property
    def content_size(self) -> QSize:
        if not self.sizes:
            return QSize(0, 0)
        width = max(rect.width() for rect in self.rects) + 2 * MARGIN
        return QSize(width, self.rects[-1].bottom() + 1 + MARGIN)

    @cached_property
    def _tops(self) -> list[int]:
        return [rect.top() for rect in self.rects]

    @cached_property
    def _bottoms(self) -> list[int]:
        return [rect.bottom() for rect in self.rects]

    def pages_between(self, top: int, bottom: int) -> range:
        """The pages any part of which lies between ``top`` and ``bottom`` (excluded)."""
        first = bisect_right(self._bottoms, top - 1)
        last = bisect_left(self._tops, bottom)
        return range(first, max(first, last))

    def most_shown(self, top: int, bottom: int) -> int:
        """The page that fills most of ``top`` to ``bottom``, the first of equals; between
        pages, the next one (0-based; -1 with no pages)."""
        shown = [(min(bottom, self.rects[i].bottom() + 1) - max(top, self.rects[i].top()), -i)
                 for i in self.pages_between(top, bottom)]
        if shown:
            return -max(shown)[1]
        return min(len(self.sizes) - 1, bisect_right(self._bottoms, top - 1))


class PageCanvas(QWidget):
    """The pages laid out at the zoom, painted from the cache's pictures (scaled while
    sharper ones are on their way), or the placeholder when there are none."""

    def __init__(self, cache: PageCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdf_pages_canvas")
        self.setAccessibleName("Pages")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.cache = cache
        self.sizes: tuple[PageSize, ...] = ()
        self.zoom = 1.0
        #: Pages PDFium could not draw (the rest of the document shows).
        self.unreadable: set[int] = set()
        self.placeholder = ""
        self.placeholder_is_error = False
        self._layout = PageLayout((), 1.0, 0)

    @property
    def layout_now(self) -> PageLayout:
        """The layout for the pages, zoom and width now (made again when one changed)."""
        layout = self._layout
        if (layout.sizes, layout.zoom, layout.width) != (self.sizes, self.zoom, self.width()):
            layout = self._layout = PageLayout(self.sizes, self.zoom, self.width())
        return layout

    def page_rects(self) -> tuple[QRect, ...]:
        return self.layout_now.rects

    def relayout(self) -> None:
        self.setMinimumSize(self.layout_now.content_size)
        self.update()

    def update_page(self, index: int) -> None:
        rects = self.page_rects()
        if 0 <= index < len(rects):
            self.update(rects[index])

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(event.rect(), page_background())
            if not self.sizes:
                self._paint_placeholder(painter)
                return
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            border = QPen(QColor(0, 0, 0, 60), 1)
            top, bottom = event.rect().top(), event.rect().bottom() + 1
            rects = self.page_rects()
            for index in self.layout_now.pages_between(top, bottom):
                rect = rects[index]
                painter.fillRect(rect, Qt.GlobalColor.white)
                picture = self.cache.picture(index)
                if picture is not None:
                    image = picture.image
                    painter.drawImage(QRectF(rect), image, QRectF(image.rect()))
                elif index in self.unreadable:
                    painter.setPen(QColor("#b3261e"))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, UNREADABLE_PAGE)
                painter.setPen(border)
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
        finally:
            painter.end()

    def _paint_placeholder(self, painter: QPainter) -> None:
        if self.placeholder_is_error:
            colour = QColor("#ffb4ab") if palette.is_dark() else QColor("#b3261e")
        else:
            colour = QColor("#e3e3e3") if palette.is_dark() else QColor("#4a4d51")
        painter.setPen(colour)
        area = self.rect().adjusted(24, 24, -24, -24)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                         self.placeholder)


class WheelZoomScrollArea(QScrollArea):
    """Ctrl+wheel zooms instead of scrolling; a resize is said, for fit width."""

    zoom_requested = Signal(int)
    viewport_resized = Signal()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y()
            steps = int(delta / 120) or (delta > 0) - (delta < 0)
            if steps:
                self.zoom_requested.emit(steps)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.viewport_resized.emit()
