"""Signed scans, second step: the pages the technician ordered become one PDF.

The result is attached to the ticket and travels through sync, often over a phone
connection from a customer site, so photos are reduced to what keeps handwriting and a
signature legible, and re-encoded (which also drops their metadata: GPS position, camera).
Pages of scanned PDFs are kept exactly as they are: they are usually already compact and
may carry vector text or annotations (a signature drawn in a phone's PDF viewer).

Pages are processed one at a time, so memory stays at about one decoded photo however many
pages there are.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import ExifTags, Image
from pypdf import PdfReader, PdfWriter

from desktopdesk.documents.scan_checks import (
    ScanKind,
    ScanPage,
    check_pixels,
    damaged_pdf,
    opened_image,
    read_pdf,
)
from desktopdesk.documents.scan_orientation import turned_clockwise, upright

#: Long side of an image page after reduction for sync: an A4 sheet at about 190 dpi, so
#: handwriting and signatures stay legible while a 12-megapixel phone photo (3-5 MB)
#: becomes a few hundred KB. Smaller images are never enlarged.
SYNC_MAX_SIDE_PX = 2200
#: JPEG quality of image pages: at 80 pen strokes show no visible artefacts; more mostly
#: adds bytes.
SYNC_JPEG_QUALITY = 80
#: Physical resolution assumed for images whose own (below 100 dpi: phones write 72,
#: which only means "unknown") cannot be trusted.
ASSUMED_DPI = 150
_A4_PORTRAIT_PT = (595.28, 841.89)
@dataclass(frozen=True)
class CombinedScan:
    """The combined PDF, ready to attach; ``pages`` is how many the technician will see."""

    data: bytes = field(repr=False)
    pages: int


def combine_scans(
    pages: Sequence[ScanPage],
    *,
    max_side_px: int = SYNC_MAX_SIDE_PX,
    jpeg_quality: int = SYNC_JPEG_QUALITY,
) -> CombinedScan:
    """One PDF of ``pages`` in the order given, each image upright as its EXIF says and
    then turned as the page asks.

    Image pages are reduced so their long side is at most ``max_side_px`` and stored as
    JPEG (grey stays grey) at ``jpeg_quality``; black-and-white scans stay 1-bit at full
    resolution (CCITT G4 is smaller and sharper than any JPEG of them). Each image page
    gets a physical size from the image's resolution (or :data:`ASSUMED_DPI`), shrunk to
    fit an A4 sheet, so it prints sensibly. PDF pages are copied as they are, rotation
    added. Raises :class:`ScanRefused` if a file cannot be read after all.
    """
    if not pages:
        raise ValueError("there are no pages to combine")
    if max_side_px < 500:
        raise ValueError(f"max_side_px {max_side_px} would make handwriting unreadable")
    if not 1 <= jpeg_quality <= 95:
        raise ValueError(f"jpeg_quality must be between 1 and 95, not {jpeg_quality}")
    writer = PdfWriter()
    readers: dict[int, PdfReader] = {}
    for page in pages:
        source = page.source
        if source.kind is ScanKind.PDF:
            if id(source) not in readers:
                readers[id(source)] = read_pdf(source.name, source.data)
            _add_pdf_page(writer, readers[id(source)], page)
        else:
            image_pdf = PdfReader(io.BytesIO(_image_page_pdf(page, max_side_px, jpeg_quality)))
            writer.add_page(image_pdf.pages[0])
    writer.compress_identical_objects()  # one copy of a page added twice, no leftovers
    out = io.BytesIO()
    writer.write(out)
    return CombinedScan(out.getvalue(), len(writer.pages))


def _add_pdf_page(writer: PdfWriter, reader: PdfReader, page: ScanPage) -> None:
    try:
        added = writer.add_page(reader.pages[page.index])
        if page.rotation:
            added.rotate(page.rotation)
    except Exception as error:  # pypdf raises many types on malformed files
        raise damaged_pdf(page.source.name) from error


def _image_page_pdf(page: ScanPage, max_side_px: int, jpeg_quality: int) -> bytes:
    """A one-page PDF holding the page's image, reduced, upright and turned."""
    reduced, orientation, original_long_side, dpi = _decoded_reduced(page, max_side_px)
    reduced = turned_clockwise(upright(reduced, orientation), page.rotation)
    width_pt, height_pt = _page_size_pt(reduced.size, original_long_side, dpi)
    # JPEG settings only for JPEG pages: Pillow hands them on to its CCITT (TIFF) encoder.
    jpeg = {"quality": jpeg_quality, "optimize": True} if reduced.mode != "1" else {}
    out = io.BytesIO()
    reduced.save(out, "PDF", dpi=(reduced.width * 72 / width_pt,
                                  reduced.height * 72 / height_pt), **jpeg)
    return out.getvalue()


def _decoded_reduced(
    page: ScanPage, max_side_px: int
) -> tuple[Image.Image, int, int, float | None]:
    """The page decoded, flattened and reduced, with its EXIF orientation (applied later,
    to the small image), original long side and trusted dpi (which give the printed size).

    JPEGs decode at the smallest scale still above ``max_side_px``, and grey or colour
    pictures (photos, most scans) are reduced in place: held once at full size, briefly,
    never copied at that size.
    """
    source = page.source
    with opened_image(source.name, source.kind, source.data) as image:
        image.seek(page.index)
        check_pixels(source.name, image.size)
        original_long_side = max(image.size)
        dpi = _trusted_dpi(image.info.get("dpi"))
        image.draft(None, _fitted(image.size, max_side_px))
        image.load()
        # Read once loaded: Pillow's TIFF loader turns the frame itself and drops the tag.
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        flat = _flattened(image)
        if flat.mode != "1":
            flat.thumbnail((max_side_px, max_side_px), Image.Resampling.LANCZOS)
        reduced = flat.copy() if flat is image else flat  # outlives the closed file
    return reduced, orientation, original_long_side, dpi


def _flattened(image: Image.Image) -> Image.Image:
    """The image in a mode a PDF page stores well: 1-bit, grey or RGB, on white paper.

    Transparent areas become white (a signature PNG with alpha is ink on paper, not on
    black); 16-bit grey (Pillow's I;16 and I) is scaled down, not clipped (Pillow's
    convert would turn anything above 255 white).
    """
    mode = image.mode
    if mode in ("1", "L", "RGB"):
        return image
    if mode.startswith("I;16") or mode == "I":
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in image.info:
        paper = Image.new("RGBA", image.size, "white")
        paper.alpha_composite(image.convert("RGBA"))
        return paper.convert("L" if mode in ("LA", "La") else "RGB")
    if mode == "F":
        return image.convert("L")
    return image.convert("RGB")  # P, CMYK, YCbCr, LAB, HSV


def _trusted_dpi(dpi: object) -> float | None:
    """The image's resolution if it looks like a scanner's, else None."""
    if not isinstance(dpi, tuple) or len(dpi) != 2:
        return None
    try:
        x_dpi, y_dpi = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError):
        return None
    if 100 <= x_dpi <= 2400 and 100 <= y_dpi <= 2400:
        return (x_dpi + y_dpi) / 2
    return None


def _fitted(size: tuple[int, int], max_side_px: int) -> tuple[int, int]:
    scale = min(1.0, max_side_px / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _page_size_pt(
    pixels: tuple[int, int], original_long_side: int, dpi: float | None
) -> tuple[float, float]:
    """Printed size in points: the original's pixels at its dpi, shrunk to fit A4 in the
    image's own orientation (a receipt stays receipt-sized, a photo fills the sheet)."""
    inches_per_pixel = original_long_side / max(pixels) / (dpi or ASSUMED_DPI)
    width, height = pixels[0] * inches_per_pixel * 72, pixels[1] * inches_per_pixel * 72
    short, long = _A4_PORTRAIT_PT
    box_width, box_height = (short, long) if height >= width else (long, short)
    fit = min(1.0, box_width / width, box_height / height)
    return width * fit, height * fit
