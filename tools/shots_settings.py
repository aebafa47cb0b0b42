"""Render the Settings page to ``settings.png``, offscreen, from the demo data.

    .venv/bin/python tools/shots_settings.py [--out /tmp] [--user admin] [--dark]

``render`` is what ``tools/render_screenshots.py`` calls; run alone, this opens a fresh
demo workspace in a temporary folder (``--user tomas`` shows a non-admin's read-only
view, ``--dark`` the dark palette).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication

from desktopdesk.store.demo import open_demo_workspace, user_id_by_username
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.settings_section import SettingsSection
from desktopdesk.ui.app import create_application, follow_color_scheme
from desktopdesk.ui.tasks import TaskRunner

WIDTH = 900
FILE_NAME = "settings.png"


def render(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID, out: Path) -> Path:
    """``settings.png``: every option, grouped as the manual groups them, each with what
    it does and where it applies; tall enough to need no scrolling."""
    runner = TaskRunner()
    section = SettingsSection(workspace, user_id, runner)
    loaded: list[bool] = []
    section.loaded.connect(lambda: loaded.append(True))
    section.resize(WIDTH, 600)
    section.show()
    deadline = time.monotonic() + 30
    while not loaded:
        if time.monotonic() > deadline:
            raise TimeoutError("the settings did not load")
        app.processEvents()
        time.sleep(0.01)
    content = section.scroll_area.widget()
    assert content is not None
    chrome = section.height() - section.scroll_area.height()
    width = section.scroll_area.viewport().width()
    needed = (content.heightForWidth(width) if content.hasHeightForWidth()
              else content.sizeHint().height())
    section.resize(WIDTH, chrome + needed + 4)
    for _ in range(10):  # layout and paint catch up
        app.processEvents()
    target = out / FILE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.stem}.partial.png")
    if not section.grab().save(str(partial), "PNG"):
        raise OSError(f"could not write {partial}")
    partial.replace(target)
    section.close()
    runner.wait_for_done()
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--user", default="admin")
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args(argv)
    app = create_application(sys.argv[:1])
    follow_color_scheme(app, "dark" if args.dark else "light")
    with tempfile.TemporaryDirectory(prefix="desktopdesk-shots-") as tmp:
        workspace = open_demo_workspace(Path(tmp))
        try:
            target = render(app, workspace, user_id_by_username(workspace, args.user),
                            args.out)
        finally:
            workspace.close()
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
