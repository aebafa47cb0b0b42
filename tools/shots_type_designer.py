"""Render ``type-designer.png``: the ticket type designer on the demo's Hardware type.

    .venv/bin/python tools/shots_type_designer.py [--out /tmp] [--dark]

The "Model" field is open in the editor (a linked field under "Brand", its values shown
as a tree), and the preview has Laptop and Lenovo chosen, so Model offers Lenovo's
models: the chain cascading in the very form people will fill in.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from shots_common import run_shot, save_atomically, settle, wait_for

from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.type_designer import TypeDesignerSection
from desktopdesk.ui.tasks import TaskRunner

NAME = "type-designer.png"
SIZE = (1280, 760)


def render(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID, out: Path) -> Path:
    runner = TaskRunner()
    section = TypeDesignerSection(workspace, user_id, runner)
    section.resize(*SIZE)
    section.show()
    try:
        loads = 0

        def count_load() -> None:
            nonlocal loads
            loads += 1

        section.design_loaded.connect(count_load)
        section.reload()
        wait_for(app, lambda: loads > 0, "the designer")
        types = section.types.model
        summaries = [types.summary(row) for row in range(types.rowCount())]
        hardware = next(s.id for s in summaries if s and s.name == "Hardware incident")
        if section.types.model.row_of(hardware) != section.types.view.currentIndex().row():
            before = loads
            section.select_type(hardware)
            wait_for(app, lambda: loads > before, "the Hardware type")
        fields = section.field_model
        definitions = [fields.definition(row) for row in range(fields.rowCount())]
        by_label = {d.label: d.id for d in definitions if d is not None}
        section.select_field(by_label["Model"])
        section.editor.linked.setCurrentIndex(1)  # the tree
        for label, value in (("Hardware type", "Laptop"), ("Brand", "Lenovo"),
                             ("Model", "ThinkPad X1 Carbon")):
            section.preview.pick(by_label[label], value)
        settle(app)
        return save_atomically(section, out / NAME)
    finally:
        section.close()
        runner.wait_for_done()


def main(argv: list[str] | None = None) -> int:
    return run_shot(__doc__.splitlines()[0], render, "admin", argv)


if __name__ == "__main__":
    sys.exit(main())
