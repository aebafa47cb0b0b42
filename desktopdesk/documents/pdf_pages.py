"""PDF pages as pictures: the preview, the viewer, printing, screenshots and tests.

PDFium (through pypdfium2) draws the pages. It is the engine QtPdf wraps, but QtPdf
comes only in PySide6-Addons (161 MB) for the Qt we pin, and in a wheel of its own only
from Qt 6.12, which we cannot take yet (see pyproject.toml). pypdfium2 is 4 MB, has no
system libraries to install, and works without Qt, so the server and tests use it too.

PDFium is not thread-safe: every call into it here holds one process-wide lock, so
workers rendering a preview and a thumbnail at once take turns instead of crashing.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image

_PDFIUM = threading.Lock()
#: PDF's own unit: 72 points an inch.
POINTS_PER_INCH = 72.0
#: Beyond this a page picture is a memory problem, not a sharper preview.
MAX_PAGE_PIXELS = 40_000_000


class PdfUnreadable(Exception):  # noqa: N818  (a message for the reader, not a bug)
    """The bytes are not a PDF PDFium can open; the message says so in plain words."""


@dataclass(frozen=True)
class PageImage:
    """One page drawn in RGB, rows top to bottom, three bytes a pixel (no padding)."""

    #: 0-based, in the document's order.
    index: int
    width: int
    height: int
    rgb: bytes

    def to_pil(self) -> Image.Image:
        return Image.frombytes("RGB", (self.width, self.height), self.rgb)

    def to_png(self) -> bytes:
        out = io.BytesIO()
        self.to_pil().save(out, "PNG", optimize=True)
        return out.getvalue()


@dataclass(frozen=True)
class PageSize:
    """A page's size in points (1/72 inch), as it shows (its rotation applied)."""

    width: float
    height: float


def page_sizes(data: bytes) -> list[PageSize]:
    """Every page's size, without drawing anything (for laying out a viewer)."""
    with _PDFIUM, _readable():
        document = _open(data)
        try:
            return [PageSize(*document.get_page_size(index)) for index in range(len(document))]
        finally:
            document.close()


def render_pages(data: bytes, *, dpi: float = 96.0,
                 pages: Iterable[int] | None = None) -> list[PageImage]:
    """The ``pages`` (0-based; None: all) of the PDF ``data`` drawn at ``dpi``.

    Page numbers beyond the document are skipped. A page that would exceed
    ``MAX_PAGE_PIXELS`` at this resolution is drawn smaller to fit within it.
    """
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    images: list[PageImage] = []
    with _PDFIUM, _readable():
        document = _open(data)
        try:
            count = len(document)
            wanted = range(count) if pages is None else [i for i in pages if 0 <= i < count]
            for index in wanted:
                images.append(_render(document, index, dpi))
        finally:
            document.close()
    return images


@contextmanager
def _readable() -> Iterator[None]:
    """Any failure inside PDFium is the document's, not a bug: a file whose first pages
    open may still hold a damaged one (pypdf counts it, PDFium cannot draw it)."""
    try:
        yield
    except pdfium.PdfiumError as error:
        raise PdfUnreadable(f"The PDF cannot be read ({error}).") from None


def _open(data: bytes) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(data)


def _render(document: pdfium.PdfDocument, index: int, dpi: float) -> PageImage:
    page = document[index]
    try:
        width_pt, height_pt = page.get_size()
        scale = dpi / POINTS_PER_INCH
        pixels = width_pt * height_pt * scale * scale
        if pixels > MAX_PAGE_PIXELS:
            scale *= (MAX_PAGE_PIXELS / pixels) ** 0.5
        # rev_byteorder: RGB rather than PDFium's native BGR, so no copy to swap.
        bitmap = page.render(scale=scale, rev_byteorder=True)
        try:
            image = bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
    finally:
        page.close()
    return PageImage(index, image.width, image.height, image.tobytes())
