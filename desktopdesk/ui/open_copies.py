"""The copies Open writes for other programs to show, and their clean-up (no Qt).

Open puts each file under the system's temporary folder, one folder per file content
(``open_copy_path``), because the program it hands the file to may read it long after.
Nothing tells us when that program is done, so the copies are removed at a later start
once they are a week old: long enough for a document still open, short enough that
attachments do not pile up in the temporary folder (where some systems never clean).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path

log = logging.getLogger("desktopdesk.ui.open_copies")

OPEN_FOLDER = "desktopdesk-open"
#: Copies older than this (by their folder's last change) are removed at start.
KEEP_FOR_S = 7 * 24 * 3600


def open_copies_root() -> Path:
    return Path(tempfile.gettempdir()) / OPEN_FOLDER


def open_copy_path(file_name: str, sha256: str) -> Path:
    """Where Open puts its copy: one folder per file content, under the file's own name
    (the program that opens it shows that name), never a path taken from the name."""
    safe_name = Path(file_name.replace("\\", "/")).name.strip() or "attachment"
    return open_copies_root() / sha256[:16] / safe_name


def remove_old_copies(root: Path | None = None, *, now: float | None = None,
                      keep_for_s: float = KEEP_FOR_S) -> int:
    """Remove the copies older than ``keep_for_s``; returns how many folders went. A copy
    another program still holds (Windows refuses to delete it) stays for the next start."""
    root = open_copies_root() if root is None else root
    moment = time.time() if now is None else now
    removed = 0
    try:
        folders = [entry for entry in root.iterdir() if entry.is_dir()]
    except FileNotFoundError:
        return 0
    except OSError:
        log.info("could not list the opened copies in %s", root, exc_info=True)
        return 0
    for folder in folders:
        try:
            newest = max((path.stat().st_mtime for path in (folder, *folder.iterdir())),
                         default=folder.stat().st_mtime)
            if moment - newest < keep_for_s:
                continue
            shutil.rmtree(folder)
            removed += 1
        except OSError:
            log.info("kept the opened copy %s (in use or not ours to remove)", folder,
                     exc_info=True)
    return removed
