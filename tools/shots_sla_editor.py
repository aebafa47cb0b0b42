"""Render the SLA editor to ``sla-editor.png``, offscreen, from the demo data.

    .venv/bin/python tools/shots_sla_editor.py [--out /tmp] [--user admin] [--dark]

``render`` is what ``tools/render_screenshots.py`` calls; run alone, this opens a fresh
demo workspace in a temporary folder (``--dark`` under the dark palette).
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from shots_common import run_shot, save_atomically, wait_for

from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.sla_editor import SlaEditorSection
from desktopdesk.ui.admin.sla_source import (
    SlaDraft,
    load_slas,
    load_ticket_options,
    preview_sla,
)
from desktopdesk.ui.tasks import TaskRunner

SIZE = (1280, 860)
FILE_NAME = "sla-editor.png"
#: The demo's customer SLA: tighter limits, so its preview has breaches to show.
SLA_NAME = "Acme Gold"


def telling_ticket(workspace: Workspace, user_id: uuid.UUID, sla_name: str) -> str:
    """The number of the ticket, among those the SLA applies to, whose preview says most:
    the most breaches with a compliance still above zero (a ticket in breach all its
    life shows one red bar)."""
    page = load_slas(workspace)
    row = next(row for row in page.slas if row.name == sla_name)
    draft = SlaDraft.of(row)
    best: tuple[int, str] | None = None
    for option in load_ticket_options(workspace, user_id, row.id):
        preview = preview_sla(workspace, user_id, draft, row.id, option.label)
        pct = preview.evaluation.compliance_pct
        if pct is None or pct <= 0:
            continue
        score = len(preview.evaluation.violations) * 100 + int(pct)
        if best is None or score > best[0]:
            best = (score, option.label)
    assert best is not None, f"no ticket of the demo shows {sla_name!r} at work"
    return best[1]


def render(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID, out: Path) -> Path:
    """``sla-editor.png``: the demo's customer SLA in the editor, every field with its
    help, and the preview of its busiest ticket with a limit tightened but not saved."""
    runner = TaskRunner()
    section = SlaEditorSection(workspace, user_id, runner)
    loaded: list[bool] = []
    shown: list[object] = []
    section.loaded.connect(lambda: loaded.append(True))
    section.preview_shown.connect(shown.append)
    section.resize(*SIZE)
    section.show()
    section.reload()
    wait_for(app, lambda: bool(loaded), "the SLAs")
    section.select_sla(SLA_NAME)
    wait_for(app, lambda: section.preview.ticket_combo.count() > 0, "the tickets to preview")
    section.preview.choose(telling_ticket(workspace, user_id, SLA_NAME))
    wait_for(app, lambda: bool(shown), "the preview")
    shown.clear()
    section.sla_form.hour_spins["max_response_hours"].setValue(2.0)  # typed, not saved
    wait_for(app, lambda: bool(shown) and not section.is_previewing, "the new preview")
    target = save_atomically(section, out / FILE_NAME)
    section.close()
    runner.wait_for_done()
    return target


def main(argv: list[str] | None = None) -> int:
    return run_shot(__doc__.splitlines()[0], render, "admin", argv)


if __name__ == "__main__":
    sys.exit(main())
