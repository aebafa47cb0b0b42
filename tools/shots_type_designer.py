"""Render ``type-designer.png``: the ticket type designer on the demo's Hardware type.

    .venv/bin/python tools/shots_type_designer.py [--out /tmp] [--dark]

The "Model" field is open in the editor (a linked field under "Brand", its values shown
as a tree), and the preview has Laptop and Lenovo chosen, so Model offers Lenovo's
models: the chain cascading in the very form people will fill in.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication

from desktopdesk.store.demo import open_demo_workspace, user_id_by_username
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.type_designer import TypeDesignerSection
from desktopdesk.ui.app import create_application, follow_color_scheme
from desktopdesk.ui.tasks import TaskRunner

NAME = "type-designer.png"
SIZE = (1280, 760)


def _wait(app: QCoreApplication, ready: Callable[[], bool], what: str,
          timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not load")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(10):  # layout and paint catch up
        app.processEvents()


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
        _wait(app, lambda: loads > 0, "the designer")
        types = section.types.model
        summaries = [types.summary(row) for row in range(types.rowCount())]
        hardware = next(s.id for s in summaries if s and s.name == "Hardware incident")
        if section.types.model.row_of(hardware) != section.types.view.currentIndex().row():
            before = loads
            section.select_type(hardware)
            _wait(app, lambda: loads > before, "the Hardware type")
        fields = section.field_model
        definitions = [fields.definition(row) for row in range(fields.rowCount())]
        by_label = {d.label: d.id for d in definitions if d is not None}
        section.select_field(by_label["Model"])
        section.editor.linked.setCurrentIndex(1)  # the tree
        for label, value in (("Hardware type", "Laptop"), ("Brand", "Lenovo"),
                             ("Model", "ThinkPad X1 Carbon")):
            section.preview.pick(by_label[label], value)
        for _ in range(10):
            app.processEvents()
        out.mkdir(parents=True, exist_ok=True)
        target = out / NAME
        partial = target.with_name(f".{target.stem}.partial.png")
        if not section.grab().save(str(partial), "PNG"):
            raise OSError(f"could not write {partial}")
        partial.replace(target)
        return target
    finally:
        section.close()
        runner.wait_for_done()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--dark", action="store_true", help="render in the dark palette")
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
    sys.exit(main())
