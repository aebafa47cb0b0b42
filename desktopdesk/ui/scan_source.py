"""The signed-scan dialog's work off the GUI thread: read and check a file, draw its
pages small, and say how big each page will be once reduced for sync.

Plain functions (no Qt) the dialog hands to the task runner. A refused file raises
``ScanRefused`` whose message names the file; reading problems (a file gone, no
permission) are said the same way, so the dialog has one kind of answer to show.
``load_scans`` goes further: whatever goes wrong with one file (a PDF page PDFium
cannot draw, a picture Pillow chokes on) refuses that file, in words naming it, and
the others of the batch are still added.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktopdesk.documents.pdf_pages import PdfUnreadable
from desktopdesk.documents.scan_checks import damaged_pdf
from desktopdesk.documents.scan_thumbnails import THUMBNAIL_SIDE_PX, Thumbnail, scan_thumbnail
from desktopdesk.documents.scans import (
    MAX_SCAN_BYTES,
    ScanFile,
    ScanKind,
    ScanPage,
    ScanRefused,
    combine_scans,
    inspect_scan,
    pages_of,
)

log = logging.getLogger("desktopdesk.ui.scans")


@dataclass(frozen=True)
class LoadedPage:
    """One page ready for the list: upright thumbnail and its expected share of the PDF."""

    page: ScanPage
    thumbnail: Thumbnail
    #: Bytes this page should add to the combined PDF (photos reduced and re-encoded,
    #: PDF pages kept as they are): an estimate for the summary line.
    reduced_size: int
    #: The file it came from (two files may share a name) and the SHA-256 of its bytes.
    path: Path
    sha256: str


@dataclass(frozen=True)
class LoadedScan:
    path: Path
    scan: ScanFile = field(repr=False)
    pages: tuple[LoadedPage, ...]


def read_scan_file(path: Path) -> bytes:
    """The file's bytes, or a refusal that names it (too large, gone, unreadable)."""
    try:
        size = path.stat().st_size
        if size > MAX_SCAN_BYTES:
            raise ScanRefused(path.name, f"{path.name} is too large ({size // (1024 * 1024)} "
                                         f"MB; the limit is {MAX_SCAN_BYTES // (1024 * 1024)} "
                                         "MB): scan at a lower resolution and try again.")
        return path.read_bytes()
    except FileNotFoundError as error:
        raise ScanRefused(path.name, f"{path.name} is no longer there: it was moved or "
                                     "deleted before it could be read.") from error
    except IsADirectoryError as error:
        raise ScanRefused(path.name, f"{path.name} is a folder: choose the files in it.") \
            from error
    except OSError as error:
        raise ScanRefused(path.name, f"{path.name} could not be read "
                                     f"({error.strerror or error}).") from error


def reduced_page_size(page: ScanPage) -> int:
    """About how many bytes ``page`` adds to the combined PDF.

    Photos are reduced and re-encoded exactly as ``combine_scans`` will (so the figure is
    what sync will carry); a PDF page is kept as it is, so it costs its share of its file.
    """
    source = page.source
    if source.kind is ScanKind.PDF:
        return max(1, len(source.data) // max(1, source.pages))
    return len(combine_scans([page]).data)


def load_scan(path: Path, side: int = THUMBNAIL_SIDE_PX) -> LoadedScan:
    """On a worker: ``path`` checked (``ScanRefused`` if it is no usable scan) with every
    page's thumbnail and reduced size."""
    data = read_scan_file(path)
    scan = inspect_scan(path.name, data)
    digest = hashlib.sha256(data).hexdigest()
    pages = tuple(LoadedPage(page, scan_thumbnail(page, side), reduced_page_size(page), path,
                             digest)
                  for page in pages_of(scan))
    return LoadedScan(path, scan, pages)


@dataclass(frozen=True)
class Refusal:
    """A file that was not added, and why, in words that name it."""

    path: Path
    message: str


@dataclass(frozen=True)
class LoadOutcome:
    """The files of one add, in the order given: those loaded and those refused."""

    loaded: tuple[LoadedScan, ...]
    refused: tuple[Refusal, ...]


def load_scans(paths: Sequence[Path], side: int = THUMBNAIL_SIDE_PX) -> LoadOutcome:
    """On a worker: ``load_scan`` for each path in turn (one task per add keeps the
    pages in the order the files were chosen or dropped). One file's failure, of any
    kind, is that file's refusal: it never costs the others."""
    loaded: list[LoadedScan] = []
    refused: list[Refusal] = []
    for path in paths:
        try:
            loaded.append(load_scan(path, side))
        except ScanRefused as error:
            refused.append(Refusal(path, error.message))
        except PdfUnreadable:
            refused.append(Refusal(path, damaged_pdf(path.name).message))
        except OSError as error:
            refused.append(Refusal(path, f"{path.name} could not be read "
                                         f"({error.strerror or error})."))
        except Exception as error:  # a bug or a file no check foresaw: still only this one
            log.warning("could not add %s as a scan", path, exc_info=True)
            refused.append(Refusal(path, f"{path.name} could not be added "
                                         f"({error or type(error).__name__})."))
    return LoadOutcome(tuple(loaded), tuple(refused))
