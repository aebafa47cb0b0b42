"""PDF pages as pictures for the screen and the printer, and the few a view keeps.

A page picture is large: an A4 page at 400 % is some 15 million pixels, 45 MB. So a
view never draws a whole document: it draws the pages it shows (and one either side)
one at a time on a worker, keeps them in a ``PageCache`` that holds at most
``PIXEL_BUDGET`` pixels (pages far from the one shown go first), and draws no page
sharper than ``MAX_DPI`` or bigger than ``MAX_PICTURE_PIXELS``: past 400 % on a
standard screen more pixels only cost memory. Printing draws its pages one by one too
(``draw_pages(data, dpi, pages=[n])``), never from the view's pictures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from PySide6.QtGui import QImage

from desktopdesk.documents.pdf_pages import (
    POINTS_PER_INCH,
    PageImage,
    PdfUnreadable,
    page_sizes,
    render_pages,
)

#: At 100 % a page shows at its printed size on a screen of this many pixels an inch.
SCREEN_DPI = 96.0
#: A view draws no page sharper than this (400 % on a standard screen).
MAX_DPI = 400.0
#: Nor any page bigger than this (an A4 page at ``MAX_DPI`` fits; a poster is drawn coarser).
MAX_PICTURE_PIXELS = 16_000_000
#: What a view keeps at most, all pages together (some 145 MB): three A4 pages at
#: ``MAX_DPI``, or a whole document at the sizes people read at.
PIXEL_BUDGET = 48_000_000
#: A picture is drawn again when the zoom asks for more detail than it has (scaled up it
#: blurs the text), or for this much less (scaled down it only costs memory).
SHARPER_RATIO = 1.02
COARSER_RATIO = 0.75

#: A page's size in points (1/72 inch), as it shows.
PageSize = tuple[float, float]


@dataclass(frozen=True)
class RenderedPages:
    """A worker's answer: the pages asked for, drawn at ``dpi`` (QImage, unlike QPixmap,
    may cross threads), and every page's size."""

    dpi: float
    #: Every page of the document, in points, as it shows.
    sizes: tuple[PageSize, ...]
    #: The pages drawn, in the order asked, and their 0-based numbers.
    images: tuple[QImage, ...]
    indexes: tuple[int, ...] = ()
    #: Why there are no pages (PDFium could not read the bytes); "" when there are.
    problem: str = ""

    @property
    def page_count(self) -> int:
        return len(self.sizes)


def draw_pages(data: bytes, dpi: float, pages: Sequence[int] | None = None) -> RenderedPages:
    """On a worker: the ``pages`` of ``data`` (0-based; None: all; (): none, only the
    sizes) at ``dpi``. One page is drawn at a time, so one page's raw bytes live beside
    the pictures, not every page's. Page numbers beyond the document are skipped. Bytes
    PDFium cannot read are an answer (``problem``), not a fault to log."""
    try:
        sizes = tuple((size.width, size.height) for size in page_sizes(data))
        wanted = tuple(range(len(sizes)) if pages is None
                       else (index for index in pages if 0 <= index < len(sizes)))
        images = []
        for index in wanted:
            [page] = render_pages(data, dpi=dpi, pages=[index])
            images.append(to_qimage(page))
            del page
    except PdfUnreadable as unreadable:
        return RenderedPages(dpi, (), (), (), str(unreadable))
    return RenderedPages(dpi, sizes, tuple(images), wanted)


def to_qimage(page: PageImage) -> QImage:
    """The page as a QImage that owns its pixels (the bytes may go right after)."""
    return QImage(page.rgb, page.width, page.height, page.width * 3,
                  QImage.Format.Format_RGB888).copy()


def picture_dpi(size: PageSize, wanted_dpi: float) -> float:
    """The resolution to draw a page of ``size`` for a screen asking ``wanted_dpi``:
    at most ``MAX_DPI`` and ``MAX_PICTURE_PIXELS``."""
    width, height = size
    area = max(1.0, width * height) / (POINTS_PER_INCH * POINTS_PER_INCH)
    # A hair under the cap: PDFium rounds the edges of the picture up.
    return min(wanted_dpi, MAX_DPI, 0.995 * (MAX_PICTURE_PIXELS / area) ** 0.5)


def picture_pixels(size: PageSize, dpi: float) -> int:
    """How many pixels a page of ``size`` drawn at ``dpi`` has."""
    width, height = size
    return math.ceil(width * dpi / POINTS_PER_INCH) * math.ceil(height * dpi / POINTS_PER_INCH)


def fits(have_dpi: float, want_dpi: float) -> bool:
    """Whether a picture drawn at ``have_dpi`` serves a screen asking ``want_dpi``."""
    ratio = want_dpi / have_dpi
    return COARSER_RATIO <= ratio <= SHARPER_RATIO


@dataclass(frozen=True)
class PagePicture:
    """One page as drawn: for which document (the view's generation) and how sharp."""

    generation: int
    dpi: float
    image: QImage

    @property
    def pixels(self) -> int:
        return self.image.width() * self.image.height()


class PageCache:
    """The page pictures a view holds, at most ``budget`` pixels in all beyond those it
    must keep (the pages shown). A picture of the document shown before, or of another
    zoom, stays as the page's placeholder (scaled) until the page is drawn again."""

    def __init__(self, budget: int = PIXEL_BUDGET) -> None:
        self.budget = budget
        self._pictures: dict[int, PagePicture] = {}

    def picture(self, index: int) -> PagePicture | None:
        """What page ``index`` shows now, of this document or the one before."""
        return self._pictures.get(index)

    def drawn(self, generation: int) -> dict[int, QImage]:
        """The pictures of document ``generation``, by page."""
        return {index: picture.image for index, picture in sorted(self._pictures.items())
                if picture.generation == generation}

    @property
    def pixels(self) -> int:
        return sum(picture.pixels for picture in self._pictures.values())

    def needs_drawing(self, index: int, generation: int, dpi: float) -> bool:
        picture = self._pictures.get(index)
        return (picture is None or picture.generation != generation
                or not fits(picture.dpi, dpi))

    def room_for(self, pixels: int, keep: Collection[int], replacing: int) -> bool:
        """Whether a picture of ``pixels`` fits the budget beside the ``keep`` pages'
        (the picture of page ``replacing`` gives way to it)."""
        kept = sum(picture.pixels for index, picture in self._pictures.items()
                   if index in keep and index != replacing)
        return kept + pixels <= self.budget

    def put(self, index: int, picture: PagePicture) -> None:
        self._pictures[index] = picture

    def trim(self, keep: Collection[int], around: int, generation: int,
             dpi_for: Callable[[int], float]) -> None:
        """Forget what no page near the view needs: pictures of another document or
        sharper than the zoom asks, then, over the budget, the pages farthest from
        ``around`` (of two as far, the one behind: people read on). The ``keep`` pages'
        pictures stay whatever they cost."""
        for index, picture in list(self._pictures.items()):
            if index in keep:
                continue
            if picture.generation != generation or dpi_for(index) / picture.dpi < COARSER_RATIO:
                del self._pictures[index]
        total = self.pixels
        far_first = sorted((index for index in self._pictures if index not in keep),
                           key=lambda index: -abs(index - around))
        for index in far_first:
            if total <= self.budget:
                break
            total -= self._pictures.pop(index).pixels

    def forget_from(self, count: int) -> None:
        """Forget pages ``count`` and after (the document now shown has fewer)."""
        for index in [index for index in self._pictures if index >= count]:
            del self._pictures[index]

    def clear(self) -> None:
        self._pictures.clear()
