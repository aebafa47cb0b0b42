"""Thumbnails of scan pages: what the page-order dialog shows is what the PDF will hold.

Pictures are made here with Pillow and reportlab; a page's orientation is read from a test
card (red top half, blue bottom half) the way a person would see it.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import ExifTags, Image
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.pdfgen import canvas

from desktopdesk.documents.scan_thumbnails import THUMBNAIL_SIDE_PX, scan_thumbnail
from desktopdesk.documents.scans import (
    ScanFile,
    ScanKind,
    ScanPage,
    ScanRefused,
    inspect_scan,
    pages_of,
)

RED = (220, 30, 30)
BLUE = (30, 30, 220)
GREEN = (30, 180, 30)


def _encoded(image: Image.Image, fmt: str, **save: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def _card(size: tuple[int, int]) -> Image.Image:
    """Red top half, blue bottom half."""
    card = Image.new("RGB", size, BLUE)
    card.paste(RED, (0, 0, size[0], size[1] // 2))
    return card


def _near(pixel: object, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def _where_red(thumbnail: Image.Image) -> str:
    """Which side of the picture is red: "top", "bottom", "left" or "right"."""
    w, h = thumbnail.size
    near, far = w // 4, 3 * w // 4
    high, low = h // 4, 3 * h // 4
    probes = {"top": [(near, h // 8), (far, h // 8)],
              "bottom": [(near, h - 1 - h // 8), (far, h - 1 - h // 8)],
              "left": [(w // 8, high), (w // 8, low)],
              "right": [(w - 1 - w // 8, high), (w - 1 - w // 8, low)]}
    reds = [side for side, points in probes.items()
            if all(_near(thumbnail.getpixel(xy), RED) for xy in points)]
    assert len(reds) == 1, f"expected one red side, found {reds}"
    return reds[0]


def _scan(name: str, data: bytes) -> ScanFile:
    return inspect_scan(name, data)


def test_a_phone_photo_shows_upright_as_its_exif_orientation_says() -> None:
    # The phone held upright stored the portrait card sideways and said so in EXIF (6).
    stored = _card((600, 800)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    photo = _scan("IMG_0001.jpg", _encoded(stored, "JPEG", exif=exif, quality=90))

    thumbnail = scan_thumbnail(pages_of(photo)[0]).to_pil()

    assert thumbnail.width < thumbnail.height  # portrait again
    assert max(thumbnail.size) <= THUMBNAIL_SIDE_PX
    assert _where_red(thumbnail) == "top"


def test_turning_a_page_right_turns_its_thumbnail_clockwise() -> None:
    photo = _scan("signed.png", _encoded(_card((300, 400)), "PNG"))
    page = pages_of(photo)[0]

    assert _where_red(scan_thumbnail(page).to_pil()) == "top"
    assert _where_red(scan_thumbnail(page.rotated(90)).to_pil()) == "right"
    assert _where_red(scan_thumbnail(page.rotated(180)).to_pil()) == "bottom"
    assert _where_red(scan_thumbnail(page.rotated(-90)).to_pil()) == "left"


def test_the_thumbnail_keeps_the_page_proportions_within_the_size_asked() -> None:
    photo = _scan("wide.jpg", _encoded(Image.new("RGB", (4000, 1000), GREEN), "JPEG"))

    thumbnail = scan_thumbnail(pages_of(photo)[0], side=100)

    assert (thumbnail.width, thumbnail.height) == (100, 25)
    assert len(thumbnail.rgb) == 100 * 25 * 3
    assert _near(thumbnail.to_pil().getpixel((50, 12)), GREEN)


def test_transparent_parts_of_a_signature_png_show_as_white_paper() -> None:
    ink = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ink.paste((20, 20, 20, 255), (0, 40, 200, 60))  # a stroke across the middle
    signature = _scan("signature.png", _encoded(ink, "PNG"))

    thumbnail = scan_thumbnail(pages_of(signature)[0]).to_pil()

    assert _near(thumbnail.getpixel((5, 5)), (255, 255, 255), 5)
    assert _near(thumbnail.getpixel((thumbnail.width // 2, thumbnail.height // 2)),
                 (20, 20, 20), 30)


def test_sixteen_bit_grey_scans_are_scaled_not_clipped_to_white() -> None:
    grey = Image.new("I;16", (120, 80), 0x8000)  # mid grey in 16 bits
    scan = _scan("scan.png", _encoded(grey, "PNG"))

    pixel = scan_thumbnail(pages_of(scan)[0]).to_pil().getpixel((60, 40))

    assert isinstance(pixel, tuple)
    assert all(110 <= channel <= 145 for channel in pixel)


def test_each_page_of_a_multipage_tiff_has_its_own_thumbnail() -> None:
    frames = [Image.new("RGB", (200, 280), colour) for colour in (RED, GREEN, BLUE)]
    tiff = _scan("scanner.tif", _encoded(frames[0], "TIFF", save_all=True,
                                         append_images=frames[1:]))

    centres = [scan_thumbnail(page).to_pil().getpixel((40, 60)) for page in pages_of(tiff)]

    assert [_near(pixel, colour) for pixel, colour in zip(centres, (RED, GREEN, BLUE),
                                                          strict=True)] == [True] * 3


def _pdf(*sizes: tuple[float, float]) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for width, height in sizes:
        pdf.setPageSize((width, height))
        pdf.setFillColorRGB(*(c / 255 for c in RED))
        pdf.rect(0, height / 2, width, height / 2, stroke=0, fill=1)  # the top half
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def test_pdf_pages_are_drawn_at_their_own_proportions_and_turned_as_asked() -> None:
    scanned = _scan("scanned.pdf", _pdf(A4, landscape(A5)))
    first, second = pages_of(scanned)

    portrait = scan_thumbnail(first).to_pil()
    wide = scan_thumbnail(second).to_pil()
    turned = scan_thumbnail(first.rotated(90)).to_pil()

    assert max(portrait.size) <= THUMBNAIL_SIDE_PX
    assert portrait.height > portrait.width
    assert portrait.height >= THUMBNAIL_SIDE_PX - 2  # drawn to fit, not tiny
    assert wide.width > wide.height
    assert _where_red(portrait) == "top"
    assert turned.width > turned.height
    assert _where_red(turned) == "right"


def test_a_pdf_that_cannot_be_drawn_after_all_is_refused_with_its_name() -> None:
    broken = ScanFile("job-17.pdf", ScanKind.PDF, b"%PDF-1.7\nnot really a pdf", 1)

    with pytest.raises(ScanRefused) as refused:
        scan_thumbnail(ScanPage(broken))

    assert refused.value.file_name == "job-17.pdf"
    assert "job-17.pdf is damaged" in refused.value.message


def test_a_tiny_size_is_a_mistake() -> None:
    photo = _scan("a.png", _encoded(_card((30, 40)), "PNG"))
    with pytest.raises(ValueError, match="shows nothing"):
        scan_thumbnail(pages_of(photo)[0], side=2)
