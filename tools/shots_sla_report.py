"""Render the SLA report window to ``sla-report.png``, offscreen, from the demo data.

    .venv/bin/python tools/shots_sla_report.py [--out /tmp] [--user ramon] [--dark]

``render`` is what ``render_screenshots.py`` calls: the report of the last 30 days, every
group and owner the user may see, as a team lead opens it from Tools > SLA report….
"""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from shots_common import run_shot, save_atomically, wait_for

from desktopdesk.store.workspace import Workspace

NAME = "sla-report.png"
SIZE = (1100, 680)


def render(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID,
           out: Path) -> Path:
    from desktopdesk.ui.sla_report_window import SlaReportWindow
    from desktopdesk.ui.tasks import TaskRunner

    runner = TaskRunner()
    window = SlaReportWindow(workspace, user_id, runner)
    window.resize(*SIZE)
    window.show()
    wait_for(app, lambda: window.report is not None and not window.is_loading,
             "the SLA report")
    target = save_atomically(window, out / NAME)
    window.close()
    runner.wait_for_done()
    return target


def main(argv: list[str] | None = None) -> int:
    return run_shot(__doc__.splitlines()[0], render, "ramon", argv)


if __name__ == "__main__":
    raise SystemExit(main())
