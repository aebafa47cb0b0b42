"""Render the Administration window's Groups section to ``groups.png``, offscreen.

    .venv/bin/python tools/shots_groups.py [--out /tmp] [--dark]

``render`` is what ``render_screenshots.py`` calls, on the demo workspace as "admin".
"""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from shots_common import run_shot, save_atomically, wait_for

from desktopdesk.store.workspace import Workspace

NAME = "groups.png"
#: About the page's size in the Administration window (its list of sections aside).
SIZE = (920, 680)
#: The group shown: a subgroup with an SLA and both ticket limits (notify mode).
SHOWN_GROUP = "Independent customers"


def render(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID, out: Path) -> Path:
    """``groups.png``: the tree of groups, a subgroup with ticket limits chosen."""
    from desktopdesk.ui.admin.groups import GroupsSection
    from desktopdesk.ui.tasks import TaskRunner

    runner = TaskRunner()
    section = GroupsSection(workspace, user_id, runner)
    section.resize(*SIZE)
    section.show()
    section.reload()
    wait_for(app, lambda: not section.is_loading and section.model.rowCount() > 0,
             "the Groups section")
    section.select_group(SHOWN_GROUP)
    wait_for(app, lambda: True, "the group")
    target = save_atomically(section, out / NAME)
    section.close()
    runner.wait_for_done()
    return target


def main(argv: list[str] | None = None) -> int:
    return run_shot(__doc__.splitlines()[0], render, "admin", argv)


if __name__ == "__main__":
    raise SystemExit(main())
