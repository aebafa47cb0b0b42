"""Signed scans of work orders: the one module the UI imports for them.

The work is split in two: :mod:`scan_checks` decides whether a file is a usable scan
(refusing misnamed, protected, damaged and oversized files in words a technician can act
on), :mod:`scan_pdf` turns the pages the technician ordered into one PDF small enough to
sync. Both are pure (no Qt, no database) so the UI runs them on a worker thread::

    scans = [inspect_scan(path.name, path.read_bytes()) for path in chosen]  # ScanRefused
    pages = [page for scan in scans for page in pages_of(scan)]  # then reorder / rotate
    combined = combine_scans(pages)  # combined.data is the PDF to attach
"""

from __future__ import annotations

from desktopdesk.documents.scan_checks import (
    MAX_SCAN_BYTES,
    MAX_SCAN_PAGES,
    MAX_SCAN_PIXELS,
    ScanFile,
    ScanKind,
    ScanPage,
    ScanRefused,
    heic_supported,
    inspect_scan,
    pages_of,
    sniff_kind,
)
from desktopdesk.documents.scan_pdf import (
    ASSUMED_DPI,
    SYNC_JPEG_QUALITY,
    SYNC_MAX_SIDE_PX,
    CombinedScan,
    combine_scans,
)

__all__ = [
    "ASSUMED_DPI",
    "MAX_SCAN_BYTES",
    "MAX_SCAN_PAGES",
    "MAX_SCAN_PIXELS",
    "SYNC_JPEG_QUALITY",
    "SYNC_MAX_SIDE_PX",
    "CombinedScan",
    "ScanFile",
    "ScanKind",
    "ScanPage",
    "ScanRefused",
    "combine_scans",
    "heic_supported",
    "inspect_scan",
    "pages_of",
    "sniff_kind",
]
