"""Render the Administration window's Groups section to ``groups.png``, offscreen.

    .venv/bin/python tools/shots_groups.py [--out /tmp] [--dark]

``render`` is what ``render_screenshots.py`` calls, on the demo workspace as "admin".
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
from desktopdesk.ui.app import create_application, follow_color_scheme

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
    _wait(app, lambda: not section.is_loading and section.model.rowCount() > 0)
    section.select_group(SHOWN_GROUP)
    _wait(app, lambda: True)
    target = out / NAME
    out.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.stem}.partial.png")
    if not section.grab().save(str(partial), "PNG"):
        raise OSError(f"could not write {partial}")
    partial.replace(target)
    section.close()
    runner.wait_for_done()
    return target


def _wait(app: QCoreApplication, ready: object, timeout: float = 30) -> None:
    assert callable(ready)
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError("the Groups section did not load")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(10):  # layout and paint catch up
        app.processEvents()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--dark", action="store_true", help="under the dark palette")
    args = parser.parse_args(argv)
    app = create_application(sys.argv[:1])
    follow_color_scheme(app, "dark" if args.dark else "light")
    with tempfile.TemporaryDirectory(prefix="desktopdesk-shots-") as tmp:
        workspace = open_demo_workspace(Path(tmp))
        try:
            target = render(app, workspace, user_id_by_username(workspace, "admin"), args.out)
        finally:
            workspace.close()
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
