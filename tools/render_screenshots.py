"""Render the app's windows to PNGs in docs/screenshots, offscreen, from the demo data.

    .venv/bin/python tools/render_screenshots.py [--out docs/screenshots] [--user ramon]

The demo workspace is generated afresh in a temporary folder, so the pictures show what
a new user of ``desktopdesk --demo`` sees.
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

from desktopdesk.domain.queries import user_summary
from desktopdesk.store.demo import open_demo_workspace, user_id_by_username
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.app import create_application
from desktopdesk.ui.main_window import MainWindow

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shots_* modules beside this one
import shots_groups
import shots_settings
import shots_sla
import shots_sla_editor
import shots_sla_report
import shots_status_mapping
import shots_type_designer
import shots_work_orders
from shots_common import save_atomically, wait_for

REPO = Path(__file__).resolve().parents[1]
#: Each renders one Administration section: type-designer, status-mapping, groups, settings,
#: sla-editor.
ADMIN_SECTIONS = (shots_type_designer, shots_status_mapping, shots_groups, shots_settings,
                  shots_sla_editor)
SIZE = (1200, 700)


def wait_until_settled(app: QCoreApplication, window: MainWindow, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while window.model.is_fetching or window.count_label.text() in ("", "Counting…"):
        if time.monotonic() > deadline:
            raise TimeoutError("the ticket list did not load")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):  # let layout and paint catch up with the last rows
        app.processEvents()


def render_ticket_list(app: QCoreApplication, window: MainWindow, out: Path) -> Path:
    """``ticket-list.png``: the quick filters at work (a word, every status), people by
    full name and dates approximate, as the header's menu sets them."""
    bar = window.list_panel.filter_bar
    bar.text.setText("print")  # a prefix: printer, prints, printing
    bar.status.set_chosen(())  # any status: closed ones too
    window.table.full_names_action.setChecked(True)
    window.table.approximate_dates_action.setChecked(True)
    bar.text.returnPressed.emit()  # as pressing Enter does: filter now, not after a pause
    wait_until_settled(app, window)
    target = out / "ticket-list.png"
    save_atomically(window, target)
    return target


def richest_ticket(workspace: Workspace, user_id: uuid.UUID) -> uuid.UUID:
    """The open ticket of a type (custom fields) with the most workunits, that ``user_id``
    may see: the one that shows most of the ticket view."""
    from sqlalchemy import func, select

    from desktopdesk.domain.acl import load_permissions, visible_tickets_clause
    from desktopdesk.models import Status, Ticket, Workunit

    with workspace.read() as session:
        perms = load_permissions(session, user_id)
        found = session.scalar(
            select(Ticket.id).join(Workunit, Workunit.ticket_id == Ticket.id)
            .where(visible_tickets_clause(perms), Ticket.ticket_type_id.is_not(None),
                   Ticket.status != Status.CLOSED)
            .group_by(Ticket.id).order_by(func.count(Workunit.id).desc(), Ticket.id).limit(1))
    assert found is not None, "the demo has no open typed ticket with workunits"
    return found


def render_main_window(app: QCoreApplication, window: MainWindow, workspace: Workspace,
                       out: Path, name: str = "main-window.png") -> Path:
    """``main-window.png``: the queue, its richest ticket under the cursor and shown below
    the list on its Workunits tab, as a team lead reads through tickets."""
    ticket_id = richest_ticket(workspace, window.user.id)
    window.list_splitter.setSizes([260, SIZE[1] - 260])
    window.open_ticket(ticket_id)
    view = window.ticket_view
    assert view is not None
    wait_for(app, lambda: not view.is_loading and view.details is not None, "the ticket")
    view.set_current_tab("workunits")
    window.list_panel.select_ticket(ticket_id)  # after the layout settled: scrolled to
    wait_for(app, lambda: view.workunit_editor is not None and view.workunit_editor.is_ready,
             "the workunit editor")
    target = out / name
    save_atomically(window, target)
    return target


def render_main_window_dark(username: str, tmp: Path, out: Path) -> Path:
    """``main-window-dark.png``: ``main-window.png``'s scene under the dark palette, on a
    demo of its own (the same seed, so the same tickets) untouched by the other pictures.
    Last, since the application stays dark after it."""
    from desktopdesk.ui.app import follow_color_scheme

    app = create_application(sys.argv[:1])  # the one already running
    follow_color_scheme(app, "dark")
    workspace = open_demo_workspace(tmp)
    try:
        with workspace.read() as session:
            user = user_summary(session, user_id_by_username(workspace, username))
        assert user is not None
        window = MainWindow(workspace, user)
        window.resize(*SIZE)
        window.show()
        wait_until_settled(app, window)
        target = render_main_window(app, window, workspace, out, "main-window-dark.png")
        window.close()
        window.runner.wait_for_done()
        return target
    finally:
        workspace.close()


def render_ticket_view(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID,
                       out: Path) -> Path:
    """``ticket-view.png``: one ticket's Details tab: its type's custom fields (linked
    ones included), the fields this user may not change locked with their reason."""
    from desktopdesk.ui.tasks import TaskRunner
    from desktopdesk.ui.ticket_view import TicketView

    runner = TaskRunner()
    view = TicketView(workspace, user_id, runner, richest_ticket(workspace, user_id))
    view.resize(1200, 860)
    view.show()
    wait_for(app, lambda: not view.is_loading and view.details is not None, "the ticket view")
    target = out / "ticket-view.png"
    save_atomically(view, target)
    view.close()
    runner.wait_for_done()
    return target


def report(target: Path) -> None:
    print(f"wrote {target.relative_to(REPO) if target.is_relative_to(REPO) else target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--user", default="ramon")
    args = parser.parse_args(argv)
    app = create_application(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="desktopdesk-shots-") as tmp:
        workspace = open_demo_workspace(Path(tmp))
        try:
            with workspace.read() as session:
                user = user_summary(session, user_id_by_username(workspace, args.user))
            assert user is not None
            window = MainWindow(workspace, user)
            window.resize(*SIZE)
            window.show()
            wait_until_settled(app, window)
            target = render_main_window(app, window, workspace, args.out)
            report(target)
            target = render_ticket_list(app, window, args.out)
            report(target)
            window.close()
            window.runner.wait_for_done()
            target = render_ticket_view(app, workspace, user.id, args.out)
            report(target)
            for target in shots_sla.render(app, workspace, user.id, args.out):
                report(target)  # sla-histogram.png, ticket-statistics.png
            report(shots_sla_report.render(app, workspace, user.id, args.out))
            target = render_workunit_editor(app, workspace, user.id, Path(tmp), args.out)
            report(target)
            target = render_conflict_panel(app, Path(tmp), args.out)
            report(target)
            for target in shots_work_orders.render(app, workspace, user.id, args.out):
                report(target)  # work-order-page1, -editor, work-orders-tab, scan-dialog
            # Administration (issue 5), as the demo's super-admin.
            admin = user_id_by_username(workspace, "admin")
            for section in ADMIN_SECTIONS:
                target = section.render(app, workspace, admin, args.out)
                report(target)
        finally:
            workspace.close()
        target = render_main_window_dark(args.user, Path(tmp) / "dark", args.out)
        report(target)
    return 0


def render_workunit_editor(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID,
                           tmp: Path, out: Path) -> Path:
    """``workunit-editor.png``: the editor on the user's first open ticket, part-way
    through a note with a pasted screenshot, a colleague to share with and a file."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QImage, QPainter
    from sqlalchemy import select

    from desktopdesk.models import Status, Ticket
    from desktopdesk.ui.inline_images import png_bytes
    from desktopdesk.ui.workunit_editor import WorkunitEditor
    from desktopdesk.ui.workunit_source import find_colleagues

    with workspace.read() as session:
        ticket_id = session.scalars(
            select(Ticket.id).where(Ticket.owner_id == user_id, Ticket.status != Status.CLOSED)
            .order_by(Ticket.created_at)).first()
    assert ticket_id is not None, "the demo user owns no open ticket"
    editor = WorkunitEditor(workspace, user_id, ticket_id)
    editor.resize(760, 600)
    editor.show()
    deadline = time.monotonic() + 30
    while not editor.is_ready:
        if time.monotonic() > deadline:
            raise TimeoutError("the workunit editor did not load")
        app.processEvents()
        time.sleep(0.01)

    picture = QImage(300, 120, QImage.Format.Format_RGB32)  # a printer's error screen
    picture.fill(QColor("#eceff1"))
    painter = QPainter(picture)
    painter.fillRect(QRect(0, 0, 300, 26), QColor("#37474f"))
    painter.setPen(QColor("white"))
    painter.drawText(QRect(10, 0, 280, 26), Qt.AlignmentFlag.AlignVCenter, "Printer status")
    painter.setPen(QColor("#c62828"))
    painter.drawText(QRect(10, 34, 280, 80), Qt.AlignmentFlag.AlignCenter,
                     "Error 13.B2.D2\nPaper jam in tray 2\nOpen door B and remove paper")
    painter.end()
    editor.text.insertHtml("<p>On site at 10:40. The jam was a torn sheet behind "
                           "<b>door B</b>; cleared it and:</p><ul><li>cleaned the pickup "
                           "rollers</li><li>printed two test pages</li></ul><p>Status "
                           "screen before the fix:</p>")
    editor.text.textCursor().insertBlock()
    editor.text.insert_image(png_bytes(picture), "printer-status.png", "image/png")
    editor.fields.hours.setValue(0.75)
    editor.fields.profile.setCurrentIndex(min(1, editor.fields.profile.count() - 1))
    editor.fields.cost.setChecked(True)
    colleagues = find_colleagues(workspace, user_id, "to")
    if colleagues:
        editor.fields.shared_with.add(colleagues[0])
    log = tmp / "printer-event-log.txt"
    log.write_text("13.B2.D2 paper jam tray 2\n", encoding="utf-8")
    editor.fields.add_attachment(log)
    editor.text.moveCursor(editor.text.textCursor().MoveOperation.Start)
    for _ in range(10):  # layout and paint catch up
        app.processEvents()

    target = out / "workunit-editor.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.stem}.partial.png")
    if not editor.grab().save(str(partial), "PNG"):
        raise OSError(f"could not write {partial}")
    partial.replace(target)
    editor.close()  # leaves a draft in the temporary demo, which goes with it
    editor.runner.wait_for_done()
    return target


def render_conflict_panel(app: QCoreApplication, tmp: Path, out: Path) -> Path:
    """``conflict-panel.png``: the sync panel on Tomás's laptop after sync.md's worked
    example (his offline close refused: the lead had given the ticket to Javi) and a work
    log on a ticket that left his view, with two changes still waiting to be sent.

    The server is a second demo store that the replica syncs with in-process (push and
    pull straight into it), so no server process is needed to draw it.
    """
    import dataclasses
    import json
    from typing import Any

    from sqlalchemy import select

    from desktopdesk.domain.commands import (
        AddMembership,
        AddWorkunit,
        AssignOwner,
        CloseTicket,
        CreateGroup,
        UpdateTicketFields,
    )
    from desktopdesk.domain.workflow import allowed_next_statuses
    from desktopdesk.models import Profile, Resolution, Status, Ticket, utc_now
    from desktopdesk.store.demo import open_demo_workspace, user_id_by_username
    from desktopdesk.store.workspace import Role, Workspace
    from desktopdesk.sync.account import SyncAttempt
    from desktopdesk.sync.client import run_sync
    from desktopdesk.sync.conflicts import sync_counts
    from desktopdesk.sync.pull import pull_page
    from desktopdesk.sync.push import PushedMutation, process_push, register_client
    from desktopdesk.ui.sync_controller import SyncController
    from desktopdesk.ui.sync_panel import SyncPanel
    from desktopdesk.ui.tasks import TaskRunner

    class DirectToStore:
        """sync.md's push and pull, answered by the server's own functions."""

        def __init__(self, server: Workspace, user_id: uuid.UUID) -> None:
            self.server, self.user_id = server, user_id

        def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
            batch = [PushedMutation(m["mutation_id"], m["command"]) for m in mutations]
            result = process_push(self.server, self.user_id, client_id, batch, utc_now)
            return {"results": [dataclasses.asdict(o) for o in result.outcomes],
                    "last_mutation_id": result.last_mutation_id}

        def pull(self, client_id: uuid.UUID, cookie: str, token: str | None) -> dict[str, Any]:
            register_client(self.server, self.user_id, client_id, utc_now())
            with self.server.sessions.begin() as session:
                page = pull_page(session, self.user_id, client_id, cookie=cookie, token=token)
            return json.loads(json.dumps(dataclasses.asdict(page)))  # as it travels

    server = open_demo_workspace(tmp / "server")
    replica = Workspace.open(tmp / "tomas-laptop")
    runner = TaskRunner()
    try:
        replica.set_info("role", Role.REPLICA.value)
        people = {name: user_id_by_username(server, name) for name in ("tomas", "ramon", "javi")}
        tomas = people["tomas"]
        transport = DirectToStore(server, tomas)
        run_sync(replica, transport, tomas)
        with replica.read() as session:
            closable = next(t for t in session.scalars(select(Ticket).where(
                Ticket.owner_id == tomas, Ticket.status != Status.CLOSED).order_by(Ticket.number))
                if Status.CLOSED in allowed_next_statuses(session, t.status))
            seen = [t for t in session.scalars(select(Ticket).where(
                Ticket.owner_id != tomas, Ticket.creator_id != tomas,
                Ticket.status != Status.CLOSED, Ticket.ticket_type_id.is_(None))
                .order_by(Ticket.number))]
        leaving = seen[0]
        # Meanwhile, on the server: the lead gives one ticket to Javi, and an administrator
        # moves another to a new queue Tomás has no access to.
        server.execute(AssignOwner(ticket_id=closable.id, owner_id=people["javi"]),
                       people["ramon"])
        admin = user_id_by_username(server, "admin")
        finance = server.execute(CreateGroup(name="Finance"), admin).created_id
        assert finance is not None
        with server.read() as session:
            viewer = session.scalars(select(Profile.id).where(Profile.can_view)
                                     .order_by(Profile.name)).first()
        assert viewer is not None  # the owner keeps the ticket, so must see its new queue
        server.execute(AddMembership(user_id=leaving.owner_id, group_id=finance,
                                     profile_id=viewer), admin)
        server.execute(UpdateTicketFields(ticket_id=leaving.id,
                                          changes={"group_id": str(finance)}), admin)
        # Offline on the laptop.
        replica.execute(AddWorkunit(ticket_id=closable.id, hours=0.75,
                                    text_html="<p>On site: found the cause, fixed it and "
                                              "tested it with the user.</p>"),
                        tomas)
        replica.execute(CloseTicket(ticket_id=closable.id, resolution=Resolution.FIXED,
                                    epilogue_html="<p>Fixed on site and tested with the user; "
                                                  "nothing left to do.</p>"),
                        tomas)
        replica.execute(AddWorkunit(ticket_id=leaving.id, hours=0.5,
                                    text_html="<p>Called the customer: the projector cable was "
                                              "loose. Reseated it; picture is stable now.</p>"),
                        tomas)
        run_sync(replica, transport, tomas)
        # Back to work, not synced yet.
        for text in ("<p>Ordered a spare part, just in case.</p>",
                     "<p>Left the user a note on what was done.</p>"):
            replica.execute(AddWorkunit(ticket_id=closable.id, text_html=text), tomas)

        controller = SyncController(lambda: SyncAttempt(None, reachable=True),
                                    lambda: sync_counts(replica),
                                    server_url="https://helpdesk.northwind.example",
                                    username="tomas")
        panel = SyncPanel(replica, tomas, controller, runner)
        panel.resize(720, 600)
        panel.show()
        controller.start()
        deadline = time.monotonic() + 30
        while (controller.is_syncing or panel.conflict_list.is_loading
               or len(panel.conflict_list.cards) < 2):
            if time.monotonic() > deadline:
                raise TimeoutError("the sync panel did not load")
            app.processEvents()
            time.sleep(0.01)
        controller.stop()
        for _ in range(10):
            app.processEvents()
        target = out / "conflict-panel.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.stem}.partial.png")
        if not panel.grab().save(str(partial), "PNG"):
            raise OSError(f"could not write {partial}")
        partial.replace(target)
        panel.close()
        controller.wait_for_done()
        return target
    finally:
        runner.wait_for_done()
        replica.close()
        server.close()


if __name__ == "__main__":
    sys.exit(main())
