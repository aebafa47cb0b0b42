"""What the screenshot tools share: waiting for a widget to load, saving its picture
atomically, and (run alone) a fresh demo workspace under the palette asked for.

Imported by ``render_screenshots.py`` and each ``shots_*`` module beside it, so no half
PNG is ever left and every tool waits the same way.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QPixmap

from desktopdesk.store.demo import open_demo_workspace, user_id_by_username
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.app import create_application, follow_color_scheme


class Grabbable(Protocol):
    """A widget, as far as saving its picture goes (widgets stay in desktopdesk.ui)."""

    def grab(self) -> QPixmap: ...


def settle(app: QCoreApplication) -> None:
    """Let layout and paint catch up with the last change."""
    for _ in range(10):
        app.processEvents()


def wait_for(app: QCoreApplication, ready: Callable[[], bool], what: str,
             timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not load")
        app.processEvents()
        time.sleep(0.01)
    settle(app)


def save_atomically(widget: Grabbable, path: Path) -> Path:
    """``path`` holds the whole picture or is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial.png")
    if not widget.grab().save(str(partial), "PNG"):
        raise OSError(f"could not write {partial}")
    partial.replace(path)
    return path


def shots_parser(description: str, default_out: Path) -> argparse.ArgumentParser:
    """``--out`` and ``--dark``, which every tool run alone takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=default_out)
    parser.add_argument("--dark", action="store_true", help="under the dark palette")
    return parser


@contextmanager
def demo_application(dark: bool) -> Iterator[tuple[QCoreApplication, Workspace]]:
    """The application, in the palette asked for, over a fresh demo workspace in a
    temporary folder (closed and removed afterwards)."""
    app = create_application(sys.argv[:1])
    follow_color_scheme(app, "dark" if dark else "light")
    with tempfile.TemporaryDirectory(prefix="desktopdesk-shots-") as tmp:
        workspace = open_demo_workspace(Path(tmp))
        try:
            yield app, workspace
        finally:
            workspace.close()


#: Renders one screen: (application, workspace, the user's id, folder) -> file(s) written.
Render = Callable[[QCoreApplication, Workspace, uuid.UUID, Path], Path | Sequence[Path]]


def run_shot(description: str, render: Render, default_user: str,
             argv: list[str] | None = None) -> int:
    """A ``shots_*`` tool run alone: ``--out``, ``--dark`` and ``--user`` over a fresh
    demo workspace."""
    parser = shots_parser(description, Path(tempfile.gettempdir()))
    parser.add_argument("--user", default=default_user)
    args = parser.parse_args(argv)
    with demo_application(args.dark) as (app, workspace):
        written = render(app, workspace, user_id_by_username(workspace, args.user), args.out)
    for target in [written] if isinstance(written, Path) else written:
        print(f"wrote {target}")
    return 0
