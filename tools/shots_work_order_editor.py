"""Render the work-order template editor to ``work-order-editor.png``, offscreen.

The demo data's copy of the standard work order, its preview showing the first page
printed for a demo ticket.

    .venv/bin/python tools/shots_work_order_editor.py [--out /tmp] [--user admin] [--dark]

``render`` is what ``tools/shots_work_orders.py`` (and so ``render_screenshots.py``)
calls; run alone, this opens a fresh demo workspace in a temporary folder. It saves one
template ("Standard work order (copy)", for no ticket type and not the default), so what
the other pictures print is unchanged.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from shots_common import run_shot, save_atomically, settle, wait_for
from sqlalchemy import func, select

from desktopdesk.domain.acl import load_permissions, visible_tickets_clause
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.models import Status, Ticket, Workunit
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.work_order_templates import WorkOrderTemplatesSection
from desktopdesk.ui.tasks import TaskRunner

FILE_NAME = "work-order-editor.png"
SIZE = (1400, 900)
#: Printing a ticket and drawing its page takes a while on a busy machine.
PREVIEW_TIMEOUT = 60


def telling_ticket(workspace: Workspace, user_id: uuid.UUID) -> str:
    """"#N": the open ticket of a type (custom fields) with the most workunits that
    ``user_id`` may see, the one whose work order shows most."""
    with workspace.read() as session:
        perms = load_permissions(session, user_id)
        found = session.execute(
            select(Ticket.number, Ticket.provisional_number)
            .join(Workunit, Workunit.ticket_id == Ticket.id)
            .where(visible_tickets_clause(perms), Ticket.ticket_type_id.is_not(None),
                   Ticket.status != Status.CLOSED)
            .group_by(Ticket.id).order_by(func.count(Workunit.id).desc(), Ticket.id)
            .limit(1)).one_or_none()
    if found is None:
        raise LookupError("the demo has no open typed ticket with workunits")
    return ticket_number_label(*found)


def render(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID, out: Path) -> Path:
    """``work-order-editor.png``: the copy of the standard template in the editor, a
    macro chosen in the picker, and the preview of the demo's most telling ticket."""
    runner = TaskRunner()
    section = WorkOrderTemplatesSection(workspace, user_id, runner)
    loaded: list[bool] = []
    shown: list[int] = []
    section.loaded.connect(lambda: loaded.append(True))
    section.preview.pages.rendered.connect(shown.append)
    section.resize(*SIZE)
    section.show()
    section.reload()
    wait_for(app, lambda: bool(loaded), "the templates")
    existing = next((row for row in section.templates_model.entries
                     if row.name.startswith("Standard work order (copy")), None)
    if existing is None:
        section.standard_button.click()
        copy_name = section.template_form.name_edit.text()
        loaded.clear()
        section.template_form.save_button.click()
        wait_for(app, lambda: bool(loaded) and not section.is_sending, "the saved copy")
        section.select_template(copy_name)
    else:
        section.select_template(existing.name)
    wait_for(app, lambda: section.preview.ticket_combo.count() > 0, "the tickets to print")
    shown.clear()
    section.preview.choose(telling_ticket(workspace, user_id))
    wait_for(app, lambda: bool(shown) and not section.is_previewing, "the preview",
             timeout=PREVIEW_TIMEOUT)
    section.template_form.macros.select("incident_title")
    section.template_form.body.setFocus()
    settle(app)
    target = save_atomically(section, out / FILE_NAME)
    section.close()
    runner.wait_for_done()
    return target


def main(argv: list[str] | None = None) -> int:
    return run_shot(__doc__.splitlines()[0], render, "admin", argv)


if __name__ == "__main__":
    sys.exit(main())
