"""PDF pages as pictures (PDFium): sizes, drawing, and damaged files refused in words."""

from __future__ import annotations

import io
import re

import pytest
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from desktopdesk.documents.pdf_pages import (
    MAX_PAGE_PIXELS,
    PdfUnreadable,
    page_sizes,
    render_pages,
)


def two_pages() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.rect(0, A4[1] - 100, 100, 100, fill=1)  # a black square at the top left
    canvas.showPage()
    canvas.setPageSize(landscape(A4))
    canvas.drawString(100, 100, "two")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def with_a_missing_page(data: bytes) -> bytes:
    """The page tree names an object that is not there: pypdf still counts one page."""
    kids = re.search(rb"/Kids \[ (\d+) 0 R (\d+) 0 R \]", data)
    assert kids is not None
    return data.replace(kids.group(0), kids.group(0).replace(
        b" " + kids.group(2) + b" 0 R", b" 99 0 R"))


def test_pages_are_drawn_in_order_at_the_resolution_asked() -> None:
    first, second = render_pages(two_pages(), dpi=36)

    assert (first.index, first.width, first.height) == (0, round(A4[0] / 2), round(A4[1] / 2))
    assert (second.width, second.height) == (round(A4[1] / 2), round(A4[0] / 2))
    picture = first.to_pil()
    assert picture.getpixel((5, 5)) == (0, 0, 0)
    assert picture.getpixel((first.width - 5, first.height - 5)) == (255, 255, 255)
    assert first.to_png().startswith(b"\x89PNG")


def test_only_the_pages_asked_for_and_none_beyond_the_end() -> None:
    assert [page.index for page in render_pages(two_pages(), dpi=10, pages=[1, 5, -1])] == [1]


def test_sizes_without_drawing() -> None:
    sizes = page_sizes(two_pages())

    assert [(round(s.width), round(s.height)) for s in sizes] == [(595, 842), (842, 595)]


def test_a_huge_resolution_is_held_to_the_pixel_budget() -> None:
    [page] = render_pages(two_pages(), dpi=5000, pages=[0])

    assert page.width * page.height <= MAX_PAGE_PIXELS * 1.01


@pytest.mark.parametrize("data", [b"", b"not a pdf at all", b"%PDF-1.7\n%%EOF"])
def test_what_is_not_a_pdf_is_refused_in_words(data: bytes) -> None:
    with pytest.raises(PdfUnreadable, match="The PDF cannot be read"):
        render_pages(data)


def test_a_damaged_page_after_good_ones_is_refused_not_a_crash() -> None:
    damaged = with_a_missing_page(two_pages())

    with pytest.raises(PdfUnreadable):
        page_sizes(damaged)
    with pytest.raises(PdfUnreadable):
        render_pages(damaged, dpi=10)


def test_a_bad_resolution_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="dpi"):
        render_pages(two_pages(), dpi=0)
