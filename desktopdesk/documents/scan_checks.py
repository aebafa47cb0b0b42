"""Signed scans, first step: decide whether a file handed to us is a scan we can use.

A technician picks, drops or lets a scanner app write files that come back as the signed
work order. Anything can arrive: a PNG renamed ``.pdf``, a password-protected PDF, a JPEG
cut short by a phone that was still copying it, a tiny file announcing a 400-megapixel
image. Each is refused here with a sentence that names the file and what to do (the size
an image announces is checked before any pixel is decoded), so a bad file never reaches
the combined PDF, the ticket or the sync queue. The content decides what a file is; the
extension is only what it claims.
"""

from __future__ import annotations

import enum
import functools
import importlib
import io
import logging
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from PIL import Image
from pypdf import PasswordType, PdfReader

log = logging.getLogger("desktopdesk.documents")

#: Largest image accepted, in pixels per page. 50-megapixel phone modes (8160 x 6120) and
#: A4 at 600 dpi (35 MP) pass; a header claiming more is a mistake or a decompression bomb,
#: and decoding it would take gigabytes. Pillow's own guard (``Image.MAX_IMAGE_PIXELS``,
#: about 89 MP) only warns below twice that; this one refuses.
MAX_SCAN_PIXELS = 60_000_000
#: Largest file accepted. The UI should compare the file's size before reading it.
MAX_SCAN_BYTES = 100 * 1024 * 1024
#: A signed work order is a few pages; a 1000-frame TIFF is a wrong file, and every page
#: costs a decode.
MAX_SCAN_PAGES = 100


class ScanRefused(ValueError):  # noqa: N818  (a refusal the user acts on, not a bug)
    """A file that cannot be used as a scan; ``message`` names the file and what to do."""

    def __init__(self, file_name: str, message: str) -> None:
        super().__init__(message)
        self.file_name = file_name
        self.message = message


class ScanKind(enum.StrEnum):
    """What a file is, by its content."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    HEIC = "heic"

    @property
    def label(self) -> str:
        """How a technician calls the kind, for messages."""
        return _LABELS[self]


_LABELS = {
    ScanKind.PDF: "PDF",
    ScanKind.JPEG: "JPEG image",
    ScanKind.PNG: "PNG image",
    ScanKind.TIFF: "TIFF image",
    ScanKind.HEIC: "HEIC photo",
}
_EXTENSIONS = {
    ".pdf": ScanKind.PDF,
    ".jpg": ScanKind.JPEG, ".jpeg": ScanKind.JPEG, ".jpe": ScanKind.JPEG,
    ".jfif": ScanKind.JPEG,
    ".png": ScanKind.PNG,
    ".tif": ScanKind.TIFF, ".tiff": ScanKind.TIFF,
    ".heic": ScanKind.HEIC, ".heif": ScanKind.HEIC, ".hif": ScanKind.HEIC,
}
#: The Pillow plugins allowed to parse each kind: nothing else gets a look at the bytes.
#: Phone JPEGs are often MPO (a second, depth or preview, picture appended).
_PILLOW_FORMATS = {
    ScanKind.JPEG: ("JPEG", "MPO"),
    ScanKind.PNG: ("PNG",),
    ScanKind.TIFF: ("TIFF",),
    ScanKind.HEIC: ("HEIF",),
}
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
                b"mif1", b"msf1"}
#: What Pillow raises on malformed image data, besides its decompression-bomb guard.
_IMAGE_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)
_CHOOSE = "choose a PDF, JPEG, PNG or TIFF file"


@dataclass(frozen=True)
class ScanFile:
    """A file that passed :func:`inspect_scan`: its kind is what its bytes say."""

    name: str
    kind: ScanKind
    data: bytes = field(repr=False)
    pages: int


@dataclass(frozen=True)
class ScanPage:
    """One page of a scan, as the technician ordered and turned it.

    ``rotation`` is clockwise degrees, applied after the photo's own EXIF orientation, so
    "rotate right" in the UI is ``page.rotated(90)``.
    """

    source: ScanFile
    index: int = 0
    rotation: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.source.pages:
            raise ValueError(f"{self.source.name} has no page {self.index + 1}")
        if self.rotation not in (0, 90, 180, 270):
            raise ValueError(f"rotation must be 0, 90, 180 or 270, not {self.rotation}")

    def rotated(self, degrees: int) -> ScanPage:
        """This page turned a further ``degrees`` clockwise (a multiple of 90)."""
        if degrees % 90:
            raise ValueError(f"pages turn in quarter turns, not {degrees} degrees")
        return replace(self, rotation=(self.rotation + degrees) % 360)


def pages_of(scan: ScanFile) -> list[ScanPage]:
    """Every page of ``scan`` upright and in file order: the starting point of the order dialog."""
    return [ScanPage(scan, index) for index in range(scan.pages)]


def inspect_scan(name: str, data: bytes) -> ScanFile:
    """Check that ``data`` is a readable scan and count its pages, or raise :class:`ScanRefused`.

    ``name`` is the file's name (a path is fine); its extension is what the file claims to
    be and must agree with the content. A name without extension is taken for what its
    content is. Images are decoded once (reduced where the format allows) so truncated
    files are refused now rather than when the pages are combined.
    """
    shown = PurePath(name).name or name
    if not data:
        raise ScanRefused(shown, f"{shown} is empty: if a scanner or phone is still saving it, "
                                 "wait until it has finished and try again.")
    if len(data) > MAX_SCAN_BYTES:
        raise ScanRefused(shown, f"{shown} is too large ({len(data) // (1024 * 1024)} MB; "
                                 f"the limit is {MAX_SCAN_BYTES // (1024 * 1024)} MB): scan "
                                 "at a lower resolution and try again.")
    actual = sniff_kind(data)
    kind = _claimed_kind(shown, actual)
    if actual is None:
        raise ScanRefused(shown, f"{shown} is not a real {kind.label}: its contents are not a "
                                 "PDF or an image this app reads (the file may be damaged or "
                                 f"misnamed); {_CHOOSE}.")
    if actual is not kind:
        raise ScanRefused(shown, f"{shown} is not a {kind.label}: its contents are a "
                                 f"{actual.label}. Choose the original file, or rename it to "
                                 f"end in {_extension_of(actual)}.")
    if kind is ScanKind.PDF:
        pages = _count_pdf_pages(shown, data)
    else:
        pages = _count_image_pages(shown, kind, data)
    return ScanFile(shown, kind, data, pages)


def sniff_kind(data: bytes) -> ScanKind | None:
    """What the first bytes say the file is (magic numbers), whatever its name claims."""
    if data.startswith(b"\xff\xd8\xff"):
        return ScanKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ScanKind.PNG
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # classic and BigTIFF
        return ScanKind.TIFF
    if data[4:8] == b"ftyp" and len(data) >= 16:
        box_size = min(max(int.from_bytes(data[:4], "big"), 16), 256)
        brands = {data[8:12]} | {data[i:i + 4] for i in range(16, box_size - 3, 4)}
        if brands & _HEIC_BRANDS:
            return ScanKind.HEIC
    # Last, as it is not anchored: PDF readers accept junk before the header, so do we,
    # but an image whose comment mentions "%PDF-" is still an image.
    if b"%PDF-" in data[:1024]:
        return ScanKind.PDF
    return None


@functools.cache
def heic_supported() -> bool:
    """Whether HEIC photos can be read: only with the optional ``pillow-heif`` installed.

    It is an extra because libheif is a large native library and iPhones can be set to
    save JPEG ("Most Compatible"); importing it registers its Pillow plugin.
    """
    try:
        plugin = importlib.import_module("pillow_heif")
    except ImportError:
        return False
    plugin.register_heif_opener()
    return True


@contextmanager
def opened_image(scan_name: str, kind: ScanKind, data: bytes) -> Iterator[Image.Image]:
    """Pillow's lazy image over ``data``, with every read failure turned into a refusal.

    Image.open reads only the header, so the pixel limit is checked before any decoding;
    failures inside the ``with`` body (decoding a frame) are refused the same way.
    """
    if kind is ScanKind.HEIC and not heic_supported():
        raise ScanRefused(scan_name, f"{scan_name} is a HEIC photo, which this installation "
                                     "cannot read without the optional HEIC support "
                                     "(pillow-heif). Set the phone to save photos as JPEG "
                                     "(iPhone: Settings > Camera > Formats > Most "
                                     "Compatible) or export it as JPEG, and try again.")
    try:
        with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[kind]) as image:
            check_pixels(scan_name, image.size)
            yield image
    except ScanRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's guard fires inside Image.open, before our own check can run (the
        # warning is an exception where warnings are errors, as in the tests).
        raise _too_many_pixels(scan_name, None) from error
    except _IMAGE_READ_ERRORS as error:
        log.debug("cannot read %s as %s", scan_name, kind, exc_info=True)
        raise ScanRefused(scan_name, f"{scan_name} is damaged or incomplete and cannot be "
                                     f"read as a {kind.label}: copy it again from the phone "
                                     "or scanner and try again.") from error


def check_pixels(scan_name: str, size: tuple[int, int]) -> None:
    """Refuse a page whose header announces more pixels than we are willing to decode."""
    if size[0] * size[1] > MAX_SCAN_PIXELS:
        raise _too_many_pixels(scan_name, size)


def read_pdf(scan_name: str, data: bytes) -> PdfReader:
    """An open, decrypted reader over ``data``, or a refusal for protected or damaged PDFs.

    PDFs with only an owner password (printing or editing restricted, opening free) open
    with an empty password and are accepted: the technician can see them, so can we.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ScanRefused(scan_name, f"{scan_name} is password-protected: save it "
                                         "without a password and try again.")
        return reader
    except ScanRefused:
        raise
    except Exception as error:  # pypdf raises many types on malformed files
        raise damaged_pdf(scan_name) from error


def damaged_pdf(scan_name: str) -> ScanRefused:
    """The refusal for a PDF that claims to be one but cannot be read."""
    log.debug("cannot read PDF %s", scan_name, exc_info=True)
    return ScanRefused(scan_name, f"{scan_name} is damaged and cannot be read as a PDF: save "
                                  "or export it again from the scanner app and try again.")


def _count_pdf_pages(scan_name: str, data: bytes) -> int:
    """Pages of a PDF whose structure reads (pypdf is lenient within a page: damage there
    shows as a blank or partial page in the preview, not as an error)."""
    reader = read_pdf(scan_name, data)
    try:
        pages = len(reader.pages)  # walks the whole page tree
    except Exception as error:  # as in read_pdf
        raise damaged_pdf(scan_name) from error
    _check_page_count(scan_name, pages)
    return pages


def _count_image_pages(scan_name: str, kind: ScanKind, data: bytes) -> int:
    with opened_image(scan_name, kind, data) as image:
        # Only TIFF pages are pages: an MPO's second picture or a PNG's animation is not.
        pages = getattr(image, "n_frames", 1) if kind is ScanKind.TIFF else 1
        _check_page_count(scan_name, pages)
        for frame in range(pages):
            image.seek(frame)
            check_pixels(scan_name, image.size)
            image.draft(None, (256, 256))  # JPEG decodes at 1/8 scale: still sees truncation
            image.load()
    return pages


def _check_page_count(scan_name: str, pages: int) -> None:
    if pages == 0:
        raise ScanRefused(scan_name, f"{scan_name} has no pages.")
    if pages > MAX_SCAN_PAGES:
        raise ScanRefused(scan_name, f"{scan_name} has {pages} pages; a signed scan may have "
                                     f"at most {MAX_SCAN_PAGES}. Attach only the signed pages.")


def _claimed_kind(scan_name: str, actual: ScanKind | None) -> ScanKind:
    suffix = PurePath(scan_name).suffix.lower()
    if not suffix and actual is not None:
        return actual
    kind = _EXTENSIONS.get(suffix)
    if kind is None:
        raise ScanRefused(scan_name, f"{scan_name} is not a file a scan can be attached from: "
                                     f"{_CHOOSE} (or a HEIC photo with the optional HEIC "
                                     "support).")
    return kind


def _extension_of(kind: ScanKind) -> str:
    return {ScanKind.JPEG: ".jpg", ScanKind.TIFF: ".tif"}.get(kind, f".{kind.value}")


def _too_many_pixels(scan_name: str, size: tuple[int, int] | None) -> ScanRefused:
    limit = MAX_SCAN_PIXELS // 1_000_000
    measured = f"{size[0]} x {size[1]} pixels, " if size else ""
    return ScanRefused(scan_name, f"{scan_name} is too large to open safely ({measured}over "
                                  f"the {limit}-megapixel limit): scan at 300 dpi or take the "
                                  "photo at the camera's normal resolution, and try again.")
