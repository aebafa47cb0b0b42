"""A technician's laptop with no network: file a ticket and write a workunit with a picture
through the real window, then see both reach the server at the next sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.domain.queries import user_summary
from desktopdesk.models import Attachment, OutboxEntry, OutboxState, Ticket, Workunit
from desktopdesk.ui.main_window import MainWindow
from desktopdesk.ui.ticket_create_dialog import TicketCreateDialog
from tests.conftest import Org
from tests.sync.desktop import Desktop

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


class NoNetwork:
    """The transport of a laptop on a train: nothing ever gets through."""

    def push(self, *_args: object) -> dict[str, object]:
        raise AssertionError("nothing may be sent while working offline")

    def pull(self, *_args: object) -> dict[str, object]:
        raise AssertionError("nothing may be fetched while working offline")


@pytest.fixture
def laptop(org: Org, tmp_path: Path) -> Iterator[Desktop]:
    desktop = Desktop(org, org.ramon, tmp_path / "laptop")
    desktop.sync()  # the first sync, at the office
    yield desktop
    desktop.ws.close()


@pytest.fixture
def window(qtbot: QtBot, laptop: Desktop, org: Org) -> Iterator[MainWindow]:
    with laptop.ws.read() as session:
        user = user_summary(session, org.ramon)
    assert user is not None
    shown = MainWindow(laptop.ws, user)  # a replica without a server link: never syncs
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: not shown.model.is_fetching)
    yield shown
    shown.close()
    shown.runner.wait_for_done()


def test_a_ticket_and_a_workunit_with_a_picture_made_offline_reach_the_server_later(
        qtbot: QtBot, org: Org, laptop: Desktop, window: MainWindow) -> None:
    office = laptop.transport
    laptop.transport = NoNetwork()  # type: ignore[assignment]
    window.new_ticket()
    dialog = window.findChild(TicketCreateDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.group_combo.findText("Support") >= 0)
    dialog.group_combo.setCurrentIndex(dialog.group_combo.findText("Support"))
    qtbot.keyClicks(dialog.title_edit, "Badge reader at the back door is dead")
    with qtbot.waitSignal(dialog.ticket_created, timeout=10_000) as created:
        dialog.create_button.click()
    ticket_id = created.args[0]

    # The new ticket is selected and shown, numbered provisionally.
    qtbot.waitUntil(lambda: window.ticket_view is not None
                    and window.ticket_view.details is not None
                    and window.ticket_view.details.id == ticket_id, timeout=10_000)
    view = window.ticket_view
    assert view is not None
    assert view.details is not None
    assert view.details.provisional

    view.focus_workunit_editor()
    editor = view.workunit_editor
    assert editor is not None
    qtbot.waitUntil(lambda: editor.is_ready)
    qtbot.keyClicks(editor.text, "Reader has no power; the fuse is fine. Photo:")
    picture = QImage(40, 30, QImage.Format.Format_RGB32)
    picture.fill(QColor("#1565c0"))
    mime = QMimeData()
    mime.setImageData(picture)
    editor.text.insertFromMimeData(mime)
    with qtbot.waitSignal(editor.workunit_added, timeout=10_000):
        editor.add_action.trigger()

    with laptop.ws.read() as session:
        queued = session.scalars(select(OutboxEntry.command_name)
                                 .where(OutboxEntry.state == OutboxState.PENDING)
                                 .order_by(OutboxEntry.mutation_id)).all()
    assert queued == ["CreateTicket", "AddWorkunit", "AttachFile"]

    # Back at the office.
    laptop.transport = office
    summary = laptop.sync()
    assert summary.applied == 3
    with org.ws.read() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert ticket.number is not None
        texts = session.scalars(select(Workunit.text_html)
                                .where(Workunit.ticket_id == ticket_id)).all()
        pictures = session.scalars(select(Attachment.sha256)
                                   .where(Attachment.ticket_id == ticket_id)).all()
    assert any("fuse is fine" in text for text in texts)
    assert len(pictures) == 1
    assert org.ws.blobs.size_of(pictures[0])  # the bytes went up with the sync
