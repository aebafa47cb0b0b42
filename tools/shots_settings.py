"""Render the Settings page to ``settings.png``, offscreen, from the demo data.

    .venv/bin/python tools/shots_settings.py [--out /tmp] [--user admin] [--dark]

``render`` is what ``tools/render_screenshots.py`` calls; run alone, this opens a fresh
demo workspace in a temporary folder (``--user tomas`` shows a non-admin's read-only
view, ``--dark`` the dark palette).
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from shots_common import run_shot, save_atomically, settle, wait_for

from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.settings_section import SettingsSection
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
    wait_for(app, lambda: bool(loaded), "the settings")
    content = section.scroll_area.widget()
    assert content is not None
    chrome = section.height() - section.scroll_area.height()
    width = section.scroll_area.viewport().width()
    needed = (content.heightForWidth(width) if content.hasHeightForWidth()
              else content.sizeHint().height())
    section.resize(WIDTH, chrome + needed + 4)
    settle(app)
    target = save_atomically(section, out / FILE_NAME)
    section.close()
    runner.wait_for_done()
    return target


def main(argv: list[str] | None = None) -> int:
    return run_shot(__doc__.splitlines()[0], render, "admin", argv)


if __name__ == "__main__":
    sys.exit(main())
