"""Render work orders to PNGs, offscreen, from the demo data: ``work-order-page1.png`` (the
first page of the system template on a demo ticket), ``work-order-editor.png``,
``work-orders-tab.png`` (a ticket's work orders, one validated) and ``scan-dialog.png``
(three photos of the signed paper, one turned).

    .venv/bin/python tools/shots_work_orders.py [--out /tmp] [--user ramon] [--dark]

``render`` is what ``tools/render_screenshots.py`` calls; run alone, this opens a fresh
demo workspace in a temporary folder.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

from PIL import Image, ImageDraw
from PySide6.QtCore import QCoreApplication
from shots_common import run_shot, save_atomically, settle, wait_for
from shots_work_order_editor import render as render_editor
from sqlalchemy import select

from desktopdesk.documents.pdf_pages import render_pages
from desktopdesk.documents.scans import inspect_scan, pages_of
from desktopdesk.documents.work_orders import (
    generate_work_order,
    make_work_order,
    validate_work_order,
)
from desktopdesk.domain.acl import load_permissions
from desktopdesk.models import Ticket
from desktopdesk.store.demo import user_id_by_username
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.scan_dialog import ScanDialog
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_view import TicketView

PAGE_FILE = "work-order-page1.png"
TAB_FILE = "work-orders-tab.png"
DIALOG_FILE = "scan-dialog.png"
TAB_SIZE = (1150, 560)
DIALOG_SIZE = (860, 620)
#: A hardware incident with custom fields, accents ("ñ, ç, tildes") and work by two people.
TICKET_NUMBER = 8
#: Sharp enough to read the small print of the footer on a screen.
PAGE_DPI = 110


def render_first_page(workspace: Workspace, user_id: uuid.UUID, out: Path) -> Path:
    """The system template printed for the demo ticket, its first page as a picture."""
    with workspace.read() as session:
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.number == TICKET_NUMBER))
        assert ticket_id is not None, f"the demo has no ticket #{TICKET_NUMBER}"
        document = make_work_order(session, load_permissions(session, user_id), ticket_id)
    [page] = render_pages(document.rendered.pdf, dpi=PAGE_DPI, pages=[0])
    out.mkdir(parents=True, exist_ok=True)
    target = out / PAGE_FILE
    partial = target.with_name(f".{target.stem}.partial.png")
    partial.write_bytes(page.to_png())
    partial.replace(target)
    return target


def paper_photo(path: Path, page: int, *, sideways: bool = False) -> Path:
    """A phone photo of a signed page: header band, ruled lines, a signature."""
    width, height = 1240, 1754
    image = Image.new("RGB", (width, height), (250, 249, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, width - 80, 220), fill=(40, 70, 120))
    for y in range(300, height - 300, 60):
        draw.line((100, y, width - 100, y), fill=(120, 120, 120), width=3)
    draw.line((150, height - 250, 600, height - 300 + page * 10), fill=(20, 20, 90), width=8)
    if sideways:
        image = image.transpose(Image.Transpose.ROTATE_90)
    image.save(path, "JPEG", quality=88)
    return path


def render_tab_and_dialog(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID,
                          out: Path) -> list[Path]:
    """The ticket's Work orders tab with one work order validated and one awaiting its
    signature, then the Validate dialog over three photos, the second turned upright."""
    with workspace.read() as session:
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.number == TICKET_NUMBER))
    assert ticket_id is not None
    photos = [paper_photo(workspace.data_dir / f"IMG_20261127_10{n}5.jpg", n,
                          sideways=n == 2) for n in (1, 2, 3)]
    first = generate_work_order(workspace, user_id, ticket_id)
    pages = [page for path in photos for page in pages_of(inspect_scan(path.name,
                                                                       path.read_bytes()))]
    validate_work_order(workspace, user_id, first.work_order_id, pages)
    time.sleep(1)  # file names go to the second: the two should read apart
    second = generate_work_order(workspace, user_id, ticket_id)
    runner = TaskRunner()
    view = TicketView(workspace, user_id, runner, ticket_id)
    view.resize(*TAB_SIZE)
    view.show()
    wait_for(app, lambda: not view.is_loading and view.details is not None, "the ticket")
    view.set_current_tab("work_orders")
    tab = view.work_orders_tab
    wait_for(app, lambda: tab.model.rowCount() == 2, "the work orders")
    tab.table.selectRow(0)
    targets = [save_atomically(view, out / TAB_FILE)]
    dialog = ScanDialog(workspace, runner, lambda _pages: None,
                        work_order_name=second.document.file_name)
    dialog.resize(*DIALOG_SIZE)
    dialog.show()
    dialog.add_files(photos)
    wait_for(app, lambda: dialog.model.rowCount() == 3 and not dialog.is_busy, "the pages")
    dialog.pages.setCurrentIndex(dialog.model.index(1))
    dialog.rotate_selected(90)  # the photo was taken turned a quarter to the left
    settle(app)
    targets.append(save_atomically(dialog, out / DIALOG_FILE))
    dialog.done(0)  # close() would ask whether to discard the pages
    view.close()
    runner.wait_for_done()
    return targets


def render(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID,
           out: Path) -> list[Path]:
    """Every picture: the page as the technician prints it, the editor as an
    administrator sees it (the demo's super-admin), the tab and the Validate dialog."""
    admin = user_id_by_username(workspace, "admin")
    return [render_first_page(workspace, user_id, out),
            render_editor(app, workspace, admin, out),
            *render_tab_and_dialog(app, workspace, user_id, out)]


def main(argv: list[str] | None = None) -> int:
    return run_shot(__doc__.splitlines()[0], render, "ramon", argv)


if __name__ == "__main__":
    sys.exit(main())
