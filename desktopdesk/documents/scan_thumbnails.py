"""Signed scans, on screen: each page as a small picture for the page-order dialog.

The technician reorders, turns and removes pages looking at these, so a thumbnail shows
the page the way the combined PDF will: a photo upright as its EXIF orientation says,
then turned as the page asks (``ScanPage.rotation``), on white paper where it was
transparent. PDF pages are drawn by PDFium (``pdf_pages``) at a resolution that fits.

Pure (no Qt, no database): the dialog runs it on a worker, where a 12-megapixel photo
costs one reduced decode (JPEG decodes at 1/8 scale), not a full one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import ExifTags, Image

from desktopdesk.documents.pdf_pages import (
    POINTS_PER_INCH,
    PdfUnreadable,
    page_sizes,
    render_pages,
)
from desktopdesk.documents.scan_checks import (
    ScanKind,
    ScanPage,
    check_pixels,
    damaged_pdf,
    opened_image,
)
from desktopdesk.documents.scan_orientation import turned_clockwise, upright

#: Long side of a thumbnail, in pixels: big enough to recognise a signed sheet and its
#: orientation in a list of a dozen, small enough to make in a blink.
THUMBNAIL_SIDE_PX = 160

@dataclass(frozen=True)
class Thumbnail:
    """A page's small picture in RGB, rows top to bottom, three bytes a pixel."""

    width: int
    height: int
    rgb: bytes = field(repr=False)

    def to_pil(self) -> Image.Image:
        return Image.frombytes("RGB", (self.width, self.height), self.rgb)

    def to_png(self) -> bytes:
        out = io.BytesIO()
        self.to_pil().save(out, "PNG")
        return out.getvalue()


def scan_thumbnail(page: ScanPage, side: int = THUMBNAIL_SIDE_PX) -> Thumbnail:
    """``page`` as the combined PDF will show it, its long side at most ``side`` pixels.

    Raises :class:`ScanRefused` (naming the file) if the page cannot be read after all.
    """
    if side < 8:
        raise ValueError(f"a thumbnail of {side} pixels shows nothing")
    source = page.source
    if source.kind is ScanKind.PDF:
        picture = _pdf_page_picture(page, side)
    else:
        picture = _image_page_picture(page, side)
    picture = turned_clockwise(picture, page.rotation)
    return Thumbnail(picture.width, picture.height, picture.tobytes())


def _image_page_picture(page: ScanPage, side: int) -> Image.Image:
    source = page.source
    with opened_image(source.name, source.kind, source.data) as image:
        image.seek(page.index)
        check_pixels(source.name, image.size)
        image.draft(None, (side, side))
        image.load()
        # Read once loaded: Pillow's TIFF loader turns the frame itself and drops the tag.
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        picture = _on_white(image)
        picture.thumbnail((side, side), Image.Resampling.LANCZOS)
    return upright(picture, orientation)


def _on_white(image: Image.Image) -> Image.Image:
    """The picture in RGB, transparent areas white (ink on paper) and 16-bit grey scaled
    down rather than clipped; always a copy, so it outlives the file it came from."""
    mode = image.mode
    if mode.startswith("I;16") or mode == "I":
        return image.convert("I").point(lambda value: value / 256).convert("L").convert("RGB")
    if mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in image.info:
        paper = Image.new("RGBA", image.size, "white")
        paper.alpha_composite(image.convert("RGBA"))
        return paper.convert("RGB")
    return image.convert("RGB")


def _pdf_page_picture(page: ScanPage, side: int) -> Image.Image:
    source = page.source
    try:
        sizes = page_sizes(source.data)
        if not 0 <= page.index < len(sizes):
            raise damaged_pdf(source.name)
        size = sizes[page.index]
        longest_pt = max(size.width, size.height, 1.0)
        dpi = side / longest_pt * POINTS_PER_INCH
        rendered = render_pages(source.data, dpi=dpi, pages=[page.index])
    except PdfUnreadable as error:
        raise damaged_pdf(source.name) from error
    if not rendered:
        raise damaged_pdf(source.name)
    picture = rendered[0].to_pil()
    if max(picture.size) > side:  # rounding in PDFium's scale
        picture.thumbnail((side, side), Image.Resampling.LANCZOS)
    return picture
