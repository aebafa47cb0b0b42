"""Render the app's windows to PNGs in docs/screenshots, offscreen, from the demo data.

    .venv/bin/python tools/render_screenshots.py [--out docs/screenshots] [--user ramon]

The demo workspace is generated afresh in a temporary folder, so the pictures show what
a new user of ``desktopdesk --demo`` sees.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication

from desktopdesk.domain.queries import user_summary
from desktopdesk.store.demo import open_demo_workspace, user_id_by_username
from desktopdesk.ui.app import create_application
from desktopdesk.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[1]
SIZE = (1200, 700)


def wait_until_settled(app: QCoreApplication, window: MainWindow, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while window.model.is_fetching or window.count_label.text() in ("", "Counting…"):
        if time.monotonic() > deadline:
            raise TimeoutError("the ticket list did not load")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):  # let layout and paint catch up with the last rows
        app.processEvents()


def save_atomically(window: MainWindow, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial.png")
    if not window.grab().save(str(partial), "PNG"):
        raise OSError(f"could not write {partial}")
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--user", default="ramon")
    args = parser.parse_args(argv)
    app = create_application(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="desktopdesk-shots-") as tmp:
        workspace = open_demo_workspace(Path(tmp))
        try:
            with workspace.read() as session:
                user = user_summary(session, user_id_by_username(workspace, args.user))
            assert user is not None
            window = MainWindow(workspace, user)
            window.resize(*SIZE)
            window.show()
            wait_until_settled(app, window)
            target = args.out / "main-window.png"
            save_atomically(window, target)
            print(f"wrote {target.relative_to(REPO) if target.is_relative_to(REPO) else target}")
            window.close()
            window.runner.wait_for_done()
        finally:
            workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
