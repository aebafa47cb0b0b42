"""Which page of a PDF to draw next, drawn on the task runner one at a time.

A new document's page sizes are read first (the view lays out its frames with them),
then the pages in view are drawn, then one either side if the cache's budget allows;
pages far away are forgotten as the view moves (``PageCache.trim``). One drawing is in
flight at a time, so a fast scroll through a long scan never queues up pages already
left behind: when one comes back, the next is chosen for where the view is then. An
answer for another document, or for a zoom left since, is dropped.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from desktopdesk.ui.pdf_page_cache import (
    SCREEN_DPI,
    PageCache,
    PagePicture,
    PageSize,
    RenderedPages,
    draw_pages,
    fits,
    picture_pixels,
)
from desktopdesk.ui.tasks import Task, TaskRunner

UNREADABLE_TEXT = "The document could not be shown."


class PagesOnScreen(Protocol):
    """What the drawer asks the view: where the pages are now, and how sharp to draw."""

    @property
    def page_sizes(self) -> tuple[PageSize, ...]: ...

    @property
    def current_page(self) -> int: ...

    def pages_in_view(self) -> range: ...

    def wanted_dpi(self, index: int) -> float: ...

    def is_settling(self) -> bool:
        """The zoom is changing (drawing waits for it to rest)."""
        ...


@dataclass(frozen=True)
class _Drawing:
    """What the worker in flight was asked: the sizes (``page`` None) or one page."""

    generation: int
    page: int | None
    dpi: float
    #: The page is in view (the status says the pages are being drawn).
    shown: bool


class PageDrawer(QObject):
    """Draws the pages ``screen`` needs into ``cache``, on ``runner``."""

    #: The document handed in last has these pages (sizes in points): lay them out.
    laid_out = Signal(object)
    #: Page n (0-based) of the document shown was drawn at the zoom shown.
    page_drawn = Signal(int)
    #: Page n cannot be drawn (the rest of the document can).
    page_unreadable = Signal(int)
    #: The document cannot be read at all: the message to show in its place.
    failed = Signal(str)
    #: The pages in view of a new document are drawn (its page count), once a document.
    rendered = Signal(int)
    #: A drawing started or ended (the view's status follows).
    activity_changed = Signal()

    def __init__(self, runner: TaskRunner, cache: PageCache, screen: PagesOnScreen,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.cache = cache
        # Weakly: the view holds the drawer, and a cycle of Qt objects would be left to
        # the garbage collector, which may run (and delete them) on a worker thread.
        self._screen_ref = weakref.ref(screen)
        self._data: bytes | None = None
        #: The document handed in last, the one laid out, and the one announced.
        self._generation = 0
        self._laid_out = 0
        self._announced = 0
        self._task: Task | None = None
        self._drawing: _Drawing | None = None
        self._error = ""
        #: Pages PDFium could not draw, of the document laid out.
        self.unreadable: set[int] = set()

    @property
    def _screen(self) -> PagesOnScreen:
        screen = self._screen_ref()
        assert screen is not None, "the view went before its drawer"
        return screen

    def set_document(self, data: bytes | None) -> None:
        """Draw ``data`` from now on (None: nothing); answers for the one before drop."""
        self._generation += 1
        self._data = data
        self._error = ""
        if data is None:
            self._laid_out = self._generation
            self.unreadable.clear()
            self.cache.clear()
        self.schedule()

    @property
    def data(self) -> bytes | None:
        return self._data

    @property
    def is_drawing(self) -> bool:
        return self._task is not None

    @property
    def is_drawing_shown(self) -> bool:
        """Drawing the sizes or a page in view: what the person waits for."""
        return self._drawing is not None and self._drawing.shown

    @property
    def error(self) -> str:
        return self._error

    def drawn(self) -> dict[int, QImage]:
        """The pictures held of the document laid out, by page."""
        return self.cache.drawn(self._generation) if self._laid_out == self._generation else {}

    def schedule(self) -> None:
        """Start what the view needs next, if nothing is in flight."""
        if self._task is not None or self._data is None or self._error:
            return
        if self._laid_out != self._generation:
            self._start(_Drawing(self._generation, None, SCREEN_DPI, True))
            return
        self._announce_if_drawn()
        if self._screen.is_settling():
            return
        shown = self._screen.pages_in_view()
        sizes = self._screen.page_sizes
        near = [index for index in (shown.start - 1, shown.stop) if 0 <= index < len(sizes)]
        keep = {*shown, *near}
        self.cache.forget_from(len(sizes))
        self.cache.trim(keep, self._screen.current_page - 1, self._generation,
                        self._screen.wanted_dpi)
        for index in [*shown, *near]:
            dpi = self._screen.wanted_dpi(index)
            if index in self.unreadable or not self.cache.needs_drawing(
                    index, self._generation, dpi):
                continue
            if index in shown or self.cache.room_for(picture_pixels(sizes[index], dpi),
                                                     keep, index):
                self._start(_Drawing(self._generation, index, dpi, index in shown))
                return

    def _start(self, drawing: _Drawing) -> None:
        assert self._data is not None
        pages = () if drawing.page is None else (drawing.page,)
        self._drawing = drawing
        self._task = self.runner.run(partial(draw_pages, self._data, drawing.dpi, pages))
        self._task.succeeded.connect(self._on_draw_task_succeeded)
        self._task.failed.connect(self._on_draw_task_failed)
        self.activity_changed.emit()

    def _finished(self) -> _Drawing:
        drawing = self._drawing
        assert drawing is not None
        self._task = None
        self._drawing = None
        self.activity_changed.emit()
        return drawing

    @Slot(object)
    def _on_draw_task_succeeded(self, pages: RenderedPages) -> None:
        drawing = self._finished()
        if drawing.generation != self._generation:
            pass  # another document was handed in meanwhile
        elif drawing.page is None and pages.problem:
            self._fail(pages.problem)
            return
        elif drawing.page is None:
            self._laid_out = self._generation
            self.unreadable.clear()
            self.cache.forget_from(pages.page_count)
            self.laid_out.emit(pages.sizes)
        elif pages.problem or not pages.images:
            self._unreadable(drawing.page)
        elif fits(drawing.dpi, self._screen.wanted_dpi(drawing.page)):
            self.cache.put(drawing.page, PagePicture(drawing.generation, drawing.dpi,
                                                     pages.images[0]))
            self.page_drawn.emit(drawing.page)
        # else: drawn for a zoom left since; dropped, and drawn again
        self.schedule()

    @Slot(object)
    def _on_draw_task_failed(self, _error: BaseException) -> None:
        drawing = self._finished()
        if drawing.generation != self._generation:
            pass  # a newer document is on its way
        elif drawing.page is None:
            self._fail(UNREADABLE_TEXT)  # the runner logged why
            return
        else:
            self._unreadable(drawing.page)
        self.schedule()

    def _unreadable(self, page: int) -> None:
        self.unreadable.add(page)  # the rest of the document shows
        self.page_unreadable.emit(page)

    def _announce_if_drawn(self) -> None:
        if self._announced == self._generation:
            return
        drawn = self.cache.drawn(self._generation)
        if all(index in drawn or index in self.unreadable
               for index in self._screen.pages_in_view()):
            self._announced = self._generation
            self.rendered.emit(len(self._screen.page_sizes))

    def _fail(self, message: str) -> None:
        self._error = message
        self._laid_out = self._generation
        self.unreadable.clear()
        self.cache.clear()
        self.failed.emit(message)
