"""Signed scans: photos and scanned PDFs become one PDF to attach; bad files are refused.

Every file is made here (Pillow, reportlab, pypdf) so each test shows what it feeds in.
Pages are told apart by a marker colour or a page size, as a technician would.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from PIL import ExifTags, Image, ImageOps, ImageStat
from pypdf import PageObject, PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4, A5
from reportlab.pdfgen import canvas

from desktopdesk.documents import scan_checks
from desktopdesk.documents.scans import (
    MAX_SCAN_PAGES,
    CombinedScan,
    ScanFile,
    ScanKind,
    ScanPage,
    ScanRefused,
    combine_scans,
    inspect_scan,
    pages_of,
)

A4_PT = (595.28, 841.89)
MARKERS = {"red": (220, 30, 30), "green": (30, 180, 30), "blue": (30, 30, 220),
           "white": (245, 245, 245)}


# --- files made for the tests -----------------------------------------------------------

def _photo(size: tuple[int, int], colour: str, *, fmt: str = "JPEG", **save: Any) -> bytes:
    """A marker-coloured picture with sensor-like noise, so JPEG sizes are realistic."""
    noise = Image.effect_noise(size, 50).convert("RGB")
    image = Image.blend(Image.new("RGB", size, MARKERS[colour]), noise, 0.2)
    return _encoded(image, fmt, **save)


def _encoded(image: Image.Image, fmt: str, **save: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def _upright_test_card(size: tuple[int, int]) -> Image.Image:
    """Red top half, blue bottom half: upside down or sideways shows at once."""
    card = Image.new("RGB", size, MARKERS["blue"])
    card.paste(MARKERS["red"], (0, 0, size[0], size[1] // 2))
    return card


def _exif_rotated_jpeg(orientation: int) -> bytes:
    """A portrait test card stored sideways, as a phone held upright saves it."""
    stored = _upright_test_card((300, 400)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return _encoded(stored, "JPEG", exif=exif, quality=90)


def _reportlab_pdf(*page_sizes: tuple[float, float], text: str = "Signed by the customer") -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for size in page_sizes:
        pdf.setPageSize(size)
        pdf.drawString(72, size[1] - 72, text)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_reportlab_pdf(A4))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A valid PNG header announcing ``width`` x ``height`` over a few bytes of pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def _multi_page_tiff(*colours: str) -> bytes:
    frames = [Image.new("RGB", (200, 280), MARKERS[colour]) for colour in colours]
    return _encoded(frames[0], "TIFF", save_all=True, append_images=frames[1:])


# --- reading the result as a user would see it ------------------------------------------

def _read(combined: CombinedScan) -> list[PageObject]:
    reader = PdfReader(io.BytesIO(combined.data))
    assert len(reader.pages) == combined.pages
    return list(reader.pages)


def _shown_size(page: PageObject) -> tuple[float, float]:
    """Width and height as a viewer shows the page, its /Rotate applied."""
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    return (height, width) if page.rotation % 180 else (width, height)


def _picture(page: PageObject) -> Image.Image:
    [picture] = page.images
    assert picture.image is not None
    return picture.image


def _colour_at(image: Image.Image, where: str = "middle") -> str:
    """The marker colour nearest to the mean of a band across the image."""
    height = image.height
    band = {"top": (0, height // 8), "middle": (height * 3 // 8, height * 5 // 8),
            "bottom": (height * 7 // 8, height)}[where]
    mean = ImageStat.Stat(image.convert("RGB").crop((0, band[0], image.width, band[1]))).mean
    return min(MARKERS, key=lambda name: sum((a - b) ** 2 for a, b in zip(
        MARKERS[name], mean, strict=True)))


def _image_stream(page: PageObject) -> Any:
    resources: Any = page["/Resources"]
    [stream] = resources["/XObject"].values()
    return stream.get_object()


def _refusal(name: str, data: bytes) -> str:
    with pytest.raises(ScanRefused) as refused:
        inspect_scan(name, data)
    assert refused.value.file_name == name
    return str(refused.value)


# --- photos become one PDF ----------------------------------------------------------------

def test_three_photos_become_one_pdf_in_the_order_given() -> None:
    scans = [inspect_scan(f"IMG_{n}.jpg", _photo((640, 480), colour))
             for n, colour in enumerate(("red", "green", "blue"))]
    pages = [page for scan in scans for page in pages_of(scan)]

    combined = combine_scans(pages)
    reordered = combine_scans([pages[2], pages[0], pages[1]])

    assert combined.pages == 3
    assert [_colour_at(_picture(page)) for page in _read(combined)] == ["red", "green", "blue"]
    assert [_colour_at(_picture(page)) for page in _read(reordered)] == ["blue", "red", "green"]


def test_a_large_phone_photo_is_reduced_for_sync_and_fits_an_a4_sheet() -> None:
    original = _photo((4032, 3024), "green", quality=95, dpi=(72, 72))
    scan = inspect_scan("IMG_0042.JPG", original)

    combined = combine_scans(pages_of(scan))

    [page] = _read(combined)
    assert len(combined.data) < len(original) / 3
    assert _picture(page).size == (2200, 1650)
    assert _image_stream(page)["/Filter"] == "/DCTDecode"
    width, height = _shown_size(page)
    assert width > height  # a landscape photo on a landscape page
    assert width <= A4_PT[1] + 0.5
    assert height <= A4_PT[0] + 0.5


def test_smaller_limits_give_a_smaller_file() -> None:
    scan = inspect_scan("photo.jpg", _photo((2000, 1500), "red", quality=95))

    default = combine_scans(pages_of(scan))
    reduced = combine_scans(pages_of(scan), max_side_px=1000, jpeg_quality=50)

    assert _picture(_read(reduced)[0]).size == (1000, 750)
    assert len(reduced.data) < len(default.data) / 2


def test_exif_orientation_is_respected() -> None:
    for orientation in (6, 8):  # the two ways a phone is held upright
        scan = inspect_scan("upright.jpg", _exif_rotated_jpeg(orientation))

        [page] = _read(combine_scans(pages_of(scan)))

        picture = _picture(page)
        width, height = _shown_size(page)
        assert height > width  # portrait, as the photo was taken
        expected = ("red", "blue") if orientation == 6 else ("blue", "red")
        assert (_colour_at(picture, "top"), _colour_at(picture, "bottom")) == expected


def _quadrants(image: Image.Image) -> list[str]:
    """Marker colours of the four quarters, reading order: any flip or turn changes them."""
    half_w, half_h = image.width // 2, image.height // 2
    return [_colour_at(image.crop((x, y, x + half_w, y + half_h)))
            for y in (0, half_h) for x in (0, half_w)]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_ends_as_pillow_shows_it(orientation: int) -> None:
    stored = Image.new("RGB", (300, 200), MARKERS["red"])
    for colour, corner in (("green", (150, 0)), ("blue", (0, 100)), ("white", (150, 100))):
        stored.paste(MARKERS[colour], (*corner, corner[0] + 150, corner[1] + 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    data = _encoded(stored, "JPEG", exif=exif, quality=95)
    shown = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))

    [page] = _read(combine_scans(pages_of(inspect_scan("photo.jpg", data))))

    assert _picture(page).size == shown.size
    assert _quadrants(_picture(page)) == _quadrants(shown)


def test_exif_orientation_of_a_tiff_page_that_needs_converting_is_respected() -> None:
    stored = _upright_test_card((300, 400)).convert("RGBA").transpose(Image.Transpose.ROTATE_90)
    scan = inspect_scan("scan.tif", _encoded(stored, "TIFF", tiffinfo={274: 6}))

    [page] = _read(combine_scans(pages_of(scan)))

    picture = _picture(page)
    assert picture.height > picture.width
    assert (_colour_at(picture, "top"), _colour_at(picture, "bottom")) == ("red", "blue")


def test_rotation_turns_image_pages_clockwise_after_exif() -> None:
    scan = inspect_scan("upright.jpg", _exif_rotated_jpeg(6))
    [upright] = pages_of(scan)

    turned = _read(combine_scans([upright.rotated(90), upright.rotated(180),
                                  upright.rotated(270)]))

    right, upside_down, left = (_picture(page) for page in turned)
    assert right.width > right.height
    assert left.width > left.height
    # Turned clockwise, the red top of the card ends on the right; anticlockwise, left.
    assert _colour_at(right.crop((0, 0, right.width // 2, right.height))) == "blue"
    assert _colour_at(left.crop((0, 0, left.width // 2, left.height))) == "red"
    assert (_colour_at(upside_down, "top"), _colour_at(upside_down, "bottom")) == ("blue", "red")


def test_scanned_pdf_pages_are_kept_as_they_are_and_can_be_rotated() -> None:
    scanned = inspect_scan("scanner.pdf", _reportlab_pdf(A4, A5))
    photo = inspect_scan("photo.png", _photo((400, 300), "red", fmt="PNG"))
    first, second = pages_of(scanned)
    assert scanned.kind is ScanKind.PDF
    assert scanned.pages == 2

    pages = _read(combine_scans([second.rotated(90), *pages_of(photo), first]))

    assert len(pages) == 3
    assert _shown_size(pages[0]) == pytest.approx((A5[1], A5[0]), abs=0.5)  # A5, turned
    assert _colour_at(_picture(pages[1])) == "red"
    assert _shown_size(pages[2]) == pytest.approx(A4, abs=0.5)
    assert "Signed by the customer" in pages[2].extract_text()
    assert not pages[2].images  # vector text stays text, nothing re-rendered


def test_a_page_can_be_used_twice() -> None:
    scanned = inspect_scan("scanner.pdf", _reportlab_pdf(A4))
    [page] = pages_of(scanned)

    pages = _read(combine_scans([page, page.rotated(90)]))

    assert [_shown_size(p)[0] > _shown_size(p)[1] for p in pages] == [False, True]


def test_multi_page_tiff_pages_are_separate_pages() -> None:
    scan = inspect_scan("scan.tiff", _multi_page_tiff("red", "green", "blue"))

    pages = pages_of(scan)
    combined = combine_scans([pages[2], pages[1], pages[0]])

    assert scan.pages == 3
    assert [_colour_at(_picture(page)) for page in _read(combined)] == ["blue", "green", "red"]


def test_sixteen_bit_grey_png_keeps_its_tones() -> None:
    grey = Image.new("I;16", (300, 200), 0x8000)  # mid-grey in 16 bits
    scan = inspect_scan("scan16.png", _encoded(grey, "PNG"))

    [page] = _read(combine_scans(pages_of(scan)))

    picture = _picture(page)
    assert picture.mode == "L"  # grey stays grey
    assert 120 <= ImageStat.Stat(picture).mean[0] <= 136  # not clipped to white


def test_cmyk_jpeg_keeps_its_colour() -> None:
    cmyk = Image.new("CMYK", (300, 200), (0, 220, 220, 30))  # a red in print colours
    scan = inspect_scan("print.jpg", _encoded(cmyk, "JPEG", quality=95))

    [page] = _read(combine_scans(pages_of(scan)))

    assert _picture(page).mode == "RGB"
    assert _colour_at(_picture(page)) == "red"


def test_transparent_png_lands_on_white_paper() -> None:
    signature = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    signature.paste((*MARKERS["blue"], 255), (20, 40, 280, 60))  # one stroke of blue ink
    scan = inspect_scan("signature.png", _encoded(signature, "PNG"))

    [page] = _read(combine_scans(pages_of(scan)))

    picture = _picture(page)
    paper = ImageStat.Stat(picture.crop((0, 0, 300, 20))).mean
    assert min(paper) > 240  # paper, not black
    assert _colour_at(picture.crop((40, 45, 260, 55))) == "blue"  # the ink keeps its colour


def test_black_and_white_scans_stay_sharp_and_small() -> None:
    sheet = Image.new("1", (2480, 3508), 1)  # A4 at 300 dpi, as a B/W office scan
    sheet.paste(0, (300, 3000, 1500, 3010))  # the signature line
    scan = inspect_scan("bw.tif", _encoded(sheet, "TIFF", compression="group4",
                                            dpi=(300, 300)))

    combined = combine_scans(pages_of(scan))

    [page] = _read(combined)
    stream = _image_stream(page)
    assert stream["/BitsPerComponent"] == 1
    assert stream["/Width"] == 2480  # not blurred down to the photo size
    picture = _picture(page).convert("L")
    assert ImageStat.Stat(picture).mean[0] > 240  # white paper, black ink (not inverted)
    assert ImageStat.Stat(picture.crop((300, 3000, 1500, 3010))).mean[0] < 10
    assert len(combined.data) < 30_000
    assert _shown_size(page) == pytest.approx(A4_PT, abs=1)  # 300 dpi A4 prints as A4


def test_physical_size_follows_a_scanner_dpi() -> None:
    receipt = Image.new("L", (900, 1500), 255)  # 3 x 5 inches at 300 dpi
    scan = inspect_scan("receipt.png", _encoded(receipt, "PNG", dpi=(300, 300)))

    [page] = _read(combine_scans(pages_of(scan)))

    assert _shown_size(page) == pytest.approx((216, 360), abs=1)


def test_phone_mpo_photo_is_one_page() -> None:
    frames = [Image.new("RGB", (320, 240), MARKERS[colour]) for colour in ("green", "red")]
    data = _encoded(frames[0], "MPO", save_all=True, append_images=frames[1:])

    scan = inspect_scan("IMG_0001.JPG", data)

    assert scan.pages == 1
    assert scan.kind is ScanKind.JPEG
    [page] = _read(combine_scans(pages_of(scan)))
    assert _colour_at(_picture(page)) == "green"


def test_a_name_without_extension_is_taken_for_what_it_contains() -> None:
    assert inspect_scan("scan_0001", _multi_page_tiff("red")).kind is ScanKind.TIFF


def test_an_image_whose_comment_mentions_pdf_is_still_an_image() -> None:
    data = _encoded(Image.new("RGB", (64, 48), MARKERS["red"]), "JPEG", comment=b"%PDF-1.7")

    assert inspect_scan("photo.jpg", data).kind is ScanKind.JPEG


def test_a_pdf_restricted_only_by_an_owner_password_is_accepted() -> None:
    scan = inspect_scan("restricted.pdf", _encrypted_pdf(user_password=""))

    [page] = _read(combine_scans(pages_of(scan)))

    assert "Signed by the customer" in page.extract_text()


# --- refusals -----------------------------------------------------------------------------

def test_a_password_protected_pdf_is_refused() -> None:
    assert _refusal("signed.pdf", _encrypted_pdf(user_password="1234")) == (
        "signed.pdf is password-protected: save it without a password and try again.")


@pytest.mark.parametrize("damage", ["truncated", "garbage", "broken page tree"])
def test_a_damaged_pdf_is_refused(damage: str) -> None:
    whole = _reportlab_pdf(A4, A4)
    data = {
        "truncated": whole[: len(whole) // 2],
        "garbage": b"%PDF-1.7\n" + b"x" * 500,
        "broken page tree": whole.replace(b"/Kids [ 3 0 R 4 0 R ]", b"/Kids 5 0 R         "),
    }[damage]

    message = _refusal("signed.pdf", data)

    assert message.startswith("signed.pdf is damaged and cannot be read as a PDF")


def test_a_pdf_without_pages_is_refused() -> None:
    out = io.BytesIO()
    PdfWriter().write(out)

    assert _refusal("blank.pdf", out.getvalue()) == "blank.pdf has no pages."


def test_a_truncated_jpeg_is_refused() -> None:
    whole = _photo((800, 600), "red")

    message = _refusal("IMG_0007.jpg", whole[: len(whole) * 6 // 10])

    assert message.startswith("IMG_0007.jpg is damaged or incomplete and cannot be read as a "
                              "JPEG image")


def test_a_png_renamed_pdf_is_refused() -> None:
    message = _refusal("signed.pdf", _photo((100, 100), "red", fmt="PNG"))

    assert message == ("signed.pdf is not a PDF: its contents are a PNG image. Choose the "
                       "original file, or rename it to end in .png.")


def test_a_file_that_is_nothing_we_read_is_refused() -> None:
    message = _refusal("photo.jpg", b"PK\x03\x04 this is a zip archive")

    assert message.startswith("photo.jpg is not a real JPEG image: its contents are not a PDF "
                              "or an image this app reads")


@pytest.mark.parametrize(("width", "height"), [
    (10_000, 7_000),  # over our limit, under Pillow's warning
    (10_000, 10_000),  # Pillow's DecompressionBombWarning (an error under pytest)
    (20_000, 20_000),  # Pillow's DecompressionBombError
])
def test_a_decompression_bomb_is_refused_before_decoding(width: int, height: int) -> None:
    message = _refusal("scan.png", _png_header_only(width, height))

    assert message.startswith("scan.png is too large to open safely")
    assert "60-megapixel limit" in message


def test_the_pixel_refusal_names_the_size_when_it_is_known() -> None:
    assert "(10000 x 7000 pixels, over the 60-megapixel limit)" in _refusal(
        "scan.png", _png_header_only(10_000, 7_000))


def test_an_empty_file_is_refused() -> None:
    assert _refusal("scan.pdf", b"").startswith(
        "scan.pdf is empty: if a scanner or phone is still saving it")


def test_a_file_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_checks, "MAX_SCAN_BYTES", 1024 * 1024)

    assert _refusal("scan.pdf", b"%PDF-1.7\n" + b" " * (3 * 1024 * 1024)) == (
        "scan.pdf is too large (3 MB; the limit is 1 MB): scan at a lower resolution and try "
        "again.")


def test_an_unsupported_file_type_is_refused() -> None:
    assert _refusal("work order.docx", b"PK\x03\x04").startswith(
        "work order.docx is not a file a scan can be attached from: choose a PDF, JPEG, PNG "
        "or TIFF file")


def test_a_tiff_with_too_many_pages_is_refused() -> None:
    frames = [Image.new("L", (8, 8), 255)] * (MAX_SCAN_PAGES + 1)
    data = _encoded(frames[0], "TIFF", save_all=True, append_images=frames[1:])

    assert _refusal("batch.tif", data) == (
        f"batch.tif has {MAX_SCAN_PAGES + 1} pages; a signed scan may have at most "
        f"{MAX_SCAN_PAGES}. Attach only the signed pages.")


HEIC_START = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def test_heic_without_the_optional_support_is_refused_with_a_way_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scan_checks, "heic_supported", lambda: False)

    message = _refusal("IMG_0100.HEIC", HEIC_START)

    assert message.startswith("IMG_0100.HEIC is a HEIC photo, which this installation cannot "
                              "read without the optional HEIC support (pillow-heif).")
    assert "Most Compatible" in message


def test_a_heic_photo_renamed_jpg_is_refused() -> None:
    assert _refusal("IMG_0100.jpg", HEIC_START).startswith(
        "IMG_0100.jpg is not a JPEG image: its contents are a HEIC photo.")


def test_a_file_damaged_after_inspection_is_refused_when_combined() -> None:
    """The file on disk may change between picking and combining (a watched folder)."""
    good = _photo((800, 600), "red")
    inspected = inspect_scan("IMG_0008.jpg", good)
    damaged = ScanFile(inspected.name, inspected.kind, good[: len(good) // 2], inspected.pages)

    with pytest.raises(ScanRefused, match=r"IMG_0008\.jpg is damaged or incomplete"):
        combine_scans(pages_of(damaged))


# --- pages --------------------------------------------------------------------------------

def test_pages_turn_in_quarter_turns_and_come_back_upright() -> None:
    [page] = pages_of(inspect_scan("a.png", _photo((50, 50), "red", fmt="PNG")))

    assert page.rotated(90).rotated(90).rotated(90).rotated(90) == page
    assert page.rotated(-90).rotation == 270
    with pytest.raises(ValueError, match="quarter turns"):
        page.rotated(45)
    with pytest.raises(ValueError, match="has no page 2"):
        ScanPage(page.source, 1)


def test_nothing_to_combine_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="no pages"):
        combine_scans([])
