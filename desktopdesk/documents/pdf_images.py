"""Images for generated PDFs: checked with Pillow before reportlab sees them.

reportlab fails in the middle of a build on a bad image, losing the whole document; so
each image is decoded here first, a bad one becomes a message naming it, and the
document is made without it. Large photos are scaled down (a logo or a picture in a
template does not need camera resolution, and work orders travel by sync).
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, UnidentifiedImageError

#: Longest side kept, in pixels: sharp at print size for a logo or a figure.
MAX_SIDE_PX = 1600
#: More pixels than this is refused before decoding (a "decompression bomb").
MAX_PIXELS = 40_000_000


class ImageError(Exception):
    """Why an image cannot be printed, in words for the person who chose it."""


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    width_px: int
    height_px: int


def image_from_data_uri(uri: str) -> bytes:
    """The bytes of a ``data:image/...;base64,`` URI."""
    header, _, payload = uri.partition(",")
    if not header.startswith("data:image/") or not header.endswith(";base64"):
        raise ImageError("only base64 images (data:image/...;base64,...) can be embedded")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ImageError("its base64 data is damaged") from None


@lru_cache(maxsize=32)
def prepare_image(data: bytes) -> PreparedImage:
    """Decoded, checked and, when large, scaled down; JPEG and PNG kept as they are.

    Cached by content: a batch of work orders decodes its logo once.
    """
    if not data:
        raise ImageError("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ImageError(f"it is too large ({image.width} by {image.height} "
                                       f"pixels; at most {MAX_PIXELS // 1_000_000} million)")
                image.load()
                return _prepared(image, data)
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ImageError("it is not a picture this program can read "
                           "(PNG, JPEG or GIF are)") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageError(f"the picture is damaged ({error})") from None


def _prepared(image: Image.Image, data: bytes) -> PreparedImage:
    fits = max(image.size) <= MAX_SIDE_PX
    if fits and image.format in ("JPEG", "PNG") and image.mode in ("RGB", "RGBA", "L", "LA",
                                                                      "P", "1"):
        return PreparedImage(data, image.width, image.height)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    converted = image.convert("RGBA" if has_alpha else "RGB")
    if not fits:
        converted.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if has_alpha:
        converted.save(out, "PNG", optimize=False)
    else:
        converted.save(out, "JPEG", quality=88)
    return PreparedImage(out.getvalue(), converted.width, converted.height)
