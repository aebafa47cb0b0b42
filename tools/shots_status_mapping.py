"""Render ``status-mapping.png``: the status mapping editor with the manual's example
loaded (unsaved, so its warnings and the unsaved mark show), on the demo workspace.

    .venv/bin/python tools/shots_status_mapping.py [--out /tmp] [--dark]

``render`` is what ``make screenshots`` calls; the command line is for looking at it
alone, in light or dark.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from shots_common import demo_application, save_atomically, shots_parser, wait_for

from desktopdesk.domain import workflow
from desktopdesk.store.demo import user_id_by_username
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.status_mapping import StatusMappingSection
from desktopdesk.ui.tasks import TaskRunner

NAME = "status-mapping.png"
SIZE = (900, 620)


def render(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID, out: Path) -> Path:
    runner = TaskRunner()
    section = StatusMappingSection(workspace, user_id, runner)
    section.resize(*SIZE)
    section.show()
    wait_for(app, lambda: section.loaded is not None, "the status mapping")
    section.set_transitions(workflow.manual_example())
    wait_for(app, lambda: section.has_unsaved_changes(), "the preset")
    target = save_atomically(section, out / NAME)
    section.close()
    runner.wait_for_done()
    return target


def render_holidays(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID,
                    out: Path) -> Path:
    """``holidays.png`` (not one of the issue's pictures; for looking at the calendar):
    a year with a few days, one selected, and a refused import naming its line."""
    from desktopdesk.domain.commands import AddHolidays
    from desktopdesk.ui.admin.holidays import HolidaysSection

    workspace.execute(AddHolidays(holidays=(
        ("2026-01-01", "New Year's Day"), ("2026-01-06", "Epiphany"),
        ("2026-04-03", "Good Friday"), ("2026-05-01", "Labour Day"),
        ("2026-12-25", "Christmas Day"), ("2026-12-26", "Boxing Day"))), user_id)
    runner = TaskRunner()
    section = HolidaysSection(workspace, user_id, runner)
    section.resize(*SIZE)
    section.show()
    section.year.setValue(2026)
    wait_for(app, lambda: section.model.rowCount() == 6, "the holidays")
    section.table.selectRow(4)
    section.import_text.setPlainText("2027-01-01 New Year's Day\n2027-13-06 Epiphany")
    section.import_list()
    wait_for(app, lambda: not section.import_error.isHidden(), "the refusal")
    target = save_atomically(section, out / "holidays.png")
    section.close()
    runner.wait_for_done()
    return target


def main(argv: list[str] | None = None) -> int:
    parser = shots_parser(__doc__.splitlines()[0], Path("/tmp"))
    parser.add_argument("--holidays", action="store_true", help="render holidays.png too")
    args = parser.parse_args(argv)
    with demo_application(args.dark) as (app, workspace):
        admin = user_id_by_username(workspace, "admin")
        print(f"wrote {render(app, workspace, admin, args.out)}")
        if args.holidays:
            print(f"wrote {render_holidays(app, workspace, admin, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
