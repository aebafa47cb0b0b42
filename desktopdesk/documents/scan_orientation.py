"""Which way up a scanned page goes: its EXIF orientation, then the quarter turns the
person asked for. One table for the combined PDF and the thumbnails, so the picture in
the dialog is the page on paper."""

from __future__ import annotations

from PIL import Image

#: EXIF orientation -> the transposition that makes the picture upright: the table of
#: ``ImageOps.exif_transpose``, applied to a reduced or converted picture (which no
#: longer carries the tag) rather than the full one.
_EXIF_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
#: Clockwise quarter turns as Pillow's (counter-clockwise) transpositions.
_CLOCKWISE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def upright(picture: Image.Image, exif_orientation: int) -> Image.Image:
    """``picture`` as its EXIF orientation says it is seen (1 or unknown: as it is)."""
    turn = _EXIF_TURNS.get(exif_orientation)
    return picture.transpose(turn) if turn is not None else picture


def turned_clockwise(picture: Image.Image, degrees: int) -> Image.Image:
    """``picture`` turned 0, 90, 180 or 270 degrees clockwise (the page's rotation)."""
    turn = _CLOCKWISE.get(degrees)
    return picture.transpose(turn) if turn is not None else picture
