"""The ticket view's read-mostly tabs: Files, Contacts, History, Child tickets.

Driven through their real widgets; the files tab against a real workspace (its blob
store and commands), the others over hand-made ``TicketDetails`` and over the store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.domain.commands import SetEmailsInCopy, SetParent
from desktopdesk.domain.queries import UserSummary
from desktopdesk.domain.ticket_details import (
    AttachmentEntry,
    ContactEntry,
    HistoryEntry,
    TicketDetails,
    TicketLink,
)
from desktopdesk.domain.ticket_list_lookups import Choice
from desktopdesk.models import Attachment, Priority, Resolution, Status
from desktopdesk.ui import ticket_files_tab
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_children_tab import TicketChildrenTab
from desktopdesk.ui.ticket_files_tab import TicketFilesTab, open_copy_path
from desktopdesk.ui.ticket_people_tabs import TicketContactsTab, TicketHistoryTab
from desktopdesk.ui.ticket_tab_format import change_text, history_what, human_size
from desktopdesk.ui.ticket_tab_models import (
    NOT_DOWNLOADED,
    NOT_DOWNLOADED_WHY,
    AttachmentTableModel,
    ChildTicketTableModel,
    ContactTableModel,
    EntryTableModel,
    HistoryTableModel,
)
from desktopdesk.ui.ticket_view_source import load_details
from tests.conftest import T0, Org
from tests.ui.conftest import Embed, Tickets

ANA = UserSummary(uuid.uuid4(), "acme.ana", "Ana Acme", True)
RAMON = UserSummary(uuid.uuid4(), "ramon", "Ramon Ruiz", True)
GONE = UserSummary(uuid.uuid4(), "old.tech", "Old Tech", False)


def handmade_details(**changes: Any) -> TicketDetails:
    """A ticket with nothing in its tabs; ``changes`` fill what a test looks at."""
    values: dict[str, Any] = dict(
        id=uuid.uuid4(), number_label="#42", provisional=False, title="Printer jams",
        description_html="<p>It jams.</p>", status=Status.ASSIGNED, priority=Priority.MEDIUM,
        resolution=Resolution.NONE, group=Choice(uuid.uuid4(), "Support"), ticket_type=None,
        creator=ANA, owner=RAMON, editor=RAMON, creator_group_name="Acme", created_at=T0,
        updated_at=T0, closed_at=None, closed_by=None, epilogue_html="", project_task="",
        sla_disabled=False, sla_name=None, locked=False, parent=None, children=(),
        inventory=(), emails_in_copy=(), custom_fields=(), custom_values=(),
        allowed_statuses=(Status.ASSIGNED,), read_only=(), workunits=(), attachments=(),
        contacts=(), history=(), group_choices=(), type_choices=(), owner_choices=(),
        inventory_choices=())
    values.update(changes)
    return TicketDetails(**values)


def attachment(name: str = "report.pdf", *, data: bytes = b"%PDF-1.4 demo",
               available: bool = True, workunit: bool = False,
               minutes: int = 0) -> AttachmentEntry:
    return AttachmentEntry(
        id=uuid.uuid4(), file_name=name, size=len(data), mime_type="application/pdf",
        sha256=hashlib.sha256(data).hexdigest(), description="", uploader=RAMON,
        created_at=T0 + dt.timedelta(minutes=minutes),
        workunit_id=uuid.uuid4() if workunit else None, available=available)


def history(minutes: int, field: str, old: str, new: str, kind: str = "field_changed",
            actor: UserSummary = RAMON) -> HistoryEntry:
    return HistoryEntry(at=T0 + dt.timedelta(minutes=minutes), actor=actor, kind=kind,
                        field_label=field, old_text=old, new_text=new)


def link(number: int, title: str, status: Status = Status.NEW,
         visible: bool = True) -> TicketLink:
    return TicketLink(uuid.uuid4(), f"#{number}", title if visible else "", status, visible)


def cell(model: Any, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return model.index(row, column).data(role)


# --- Wording ----------------------------------------------------------------------------------


def test_sizes_hours_and_changes_read_as_people_say_them() -> None:
    assert human_size(0) == "0 bytes"
    assert human_size(1) == "1 byte"
    assert human_size(1023) == "1023 bytes"
    assert human_size(1536) == "1.5 KB"
    assert human_size(250 * 1024) == "250 KB"
    assert human_size(3 * 1024 * 1024) == "3.0 MB"
    assert human_size(12 * 1024 ** 3) == "12 GB"
    assert change_text("New", "Assigned") == "New → Assigned"
    assert change_text("", "Ramon Ruiz") == "Ramon Ruiz"
    assert change_text("#12", "") == "#12 → (none)"
    assert change_text("", "") == ""
    assert history_what(history(0, "", "", "", kind="workunit_added")) == "Workunit added"
    assert history_what(history(0, "Hardware type", "", "Laptop")) == "Hardware type"
    assert history_what(history(0, "", "", "", kind="some_future_kind")) == "Some future kind"


# --- Models -----------------------------------------------------------------------------------

MODEL_CASES: list[tuple[type[EntryTableModel[Any]], tuple[Any, ...]]] = [
    (AttachmentTableModel, (attachment(), attachment("big.iso", data=b"x" * 5000,
                                                      available=False, workunit=True))),
    (ContactTableModel, (ContactEntry(ANA, "ana@acme.example", ("creator",)),
                         ContactEntry(GONE, "old@example.com", ("participant",)))),
    (HistoryTableModel, (history(1, "Status", "New", "Assigned"),
                         history(2, "", "", "", kind="workunit_added"))),
    (ChildTicketTableModel, (link(43, "Move printers"), link(44, "", visible=False))),
]


@pytest.mark.parametrize(("model_class", "entries"), MODEL_CASES,
                         ids=[case[0].__name__ for case in MODEL_CASES])
def test_the_tab_models_pass_qts_model_checks(
    qtbot: QtBot, qtmodeltester: ModelTester, model_class: type[EntryTableModel[Any]],
    entries: tuple[Any, ...],
) -> None:
    model = model_class()
    qtmodeltester.check(model)  # empty
    model.set_entries(entries)
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    model.set_entries(())
    assert model.rowCount() == 0


def test_the_files_model_says_size_who_workunit_and_what_is_not_downloaded(
    qtbot: QtBot,
) -> None:
    model = AttachmentTableModel()
    model.set_entries((attachment("report.pdf", data=b"x" * 2048),
                       attachment("big.iso", available=False, workunit=True)))
    columns = AttachmentTableModel
    assert [cell(model, 0, c) for c in range(model.columnCount())] == [
        "report.pdf", "2.0 KB", "Ramon Ruiz", cell(model, 0, columns.ADDED), "No", "Yes"]
    assert cell(model, 1, columns.WORKUNIT) == "Yes"
    assert cell(model, 1, columns.LOCAL_COPY) == NOT_DOWNLOADED
    assert cell(model, 1, columns.NAME, Qt.ItemDataRole.ToolTipRole) == NOT_DOWNLOADED_WHY
    assert cell(model, 1, columns.NAME, Qt.ItemDataRole.ForegroundRole) is not None
    assert cell(model, 0, columns.NAME, Qt.ItemDataRole.ForegroundRole) is None


# --- History ----------------------------------------------------------------------------------


def test_history_shows_every_change_newest_first_with_old_and_new_values(
    qtbot: QtBot, embed: Embed,
) -> None:
    tab = TicketHistoryTab()
    embed(tab)
    tab.show_details(handmade_details(history=(
        history(0, "", "", "", kind="created", actor=ANA),
        history(30, "Owner", "Javi Delgado", "Ramon Ruiz"),
        history(10, "Status", "New", "Assigned"),
    )))
    rows = tab.shown_rows()
    assert [row[1:] for row in rows] == [
        ("Ramon Ruiz", "Owner", "Javi Delgado → Ramon Ruiz"),
        ("Ramon Ruiz", "Status", "New → Assigned"),
        ("Ana Acme", "Ticket created", ""),
    ]
    assert tab.count.text() == "3 changes"

    qtbot.keyClicks(tab.filter, "assigned")
    assert [row[2] for row in tab.shown_rows()] == ["Status"]
    assert tab.count.text() == "1 of 3 changes"
    tab.filter.clear()
    assert len(tab.shown_rows()) == 3


def test_history_sorts_by_a_clicked_column(qtbot: QtBot, embed: Embed) -> None:
    tab = TicketHistoryTab()
    embed(tab)
    tab.show_details(handmade_details(history=(
        history(10, "Status", "New", "Assigned"), history(30, "Owner", "Javi", "Ramon"),
        history(20, "Priority", "Low", "Serious"))))
    tab.table.sortByColumn(HistoryTableModel.WHEN, Qt.SortOrder.AscendingOrder)
    assert [row[2] for row in tab.shown_rows()] == ["Status", "Priority", "Owner"]
    tab.table.sortByColumn(HistoryTableModel.WHAT, Qt.SortOrder.AscendingOrder)
    assert [row[2] for row in tab.shown_rows()] == ["Owner", "Priority", "Status"]


# --- Contacts ---------------------------------------------------------------------------------


def test_contacts_list_every_participant_with_roles_and_the_emails_in_copy(
    embed: Embed,
) -> None:
    tab = TicketContactsTab()
    embed(tab)
    tab.show_details(handmade_details(
        contacts=(ContactEntry(ANA, "ana@acme.example", ("creator",)),
                  ContactEntry(RAMON, "ramon@example.com", ("owner", "editor")),
                  ContactEntry(GONE, "old@example.com", ("participant",))),
        emails_in_copy=("boss@acme.example", "it@acme.example")))
    model = tab.model
    assert [[cell(model, row, c) for c in range(4)] for row in range(3)] == [
        ["Ana Acme", "acme.ana", "ana@acme.example", "Creator"],
        ["Ramon Ruiz", "ramon", "ramon@example.com", "Owner, Editor"],
        ["Old Tech", "old.tech", "old@example.com", "Participant"],
    ]
    assert cell(model, 2, 0, Qt.ItemDataRole.ToolTipRole) == "This account is disabled."
    assert tab.emails_in_copy == ["boss@acme.example", "it@acme.example"]
    assert tab.copy_list.isVisible()
    assert not tab.copy_empty.isVisible()

    tab.show_details(handmade_details(contacts=()))
    assert tab.emails_in_copy == []
    assert tab.copy_empty.isVisible()


# --- Child tickets ----------------------------------------------------------------------------


def double_click_row(qtbot: QtBot, table: Any, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 1))
    # A press first: the view opens only the row a double-click started on.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_double_clicking_a_child_asks_to_open_it_and_hidden_children_cannot_be_opened(
    qtbot: QtBot, embed: Embed,
) -> None:
    tab = TicketChildrenTab()
    embed(tab)
    visible, hidden = link(43, "Move printers", Status.ASSIGNED), link(44, "", visible=False)
    tab.show_details(handmade_details(children=(visible, hidden)))
    model = tab.model
    assert [cell(model, 0, c) for c in range(3)] == ["#43", "Move printers", "Assigned"]
    assert [cell(model, 1, c) for c in range(3)] == ["#44", "", ""]
    assert not model.flags(model.index(1, 0)) & Qt.ItemFlag.ItemIsEnabled

    with qtbot.waitSignal(tab.ticket_open_requested) as opened:
        double_click_row(qtbot, tab.table, 0)
    assert opened.args == [visible.id]

    with qtbot.assertNotEmitted(tab.ticket_open_requested):
        double_click_row(qtbot, tab.table, 1)

    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.table.model().index(0, 0))
    with qtbot.waitSignal(tab.ticket_open_requested) as entered:
        qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert entered.args == [visible.id]


def test_the_parent_link_opens_the_parent_unless_the_reader_may_not_see_it(
    qtbot: QtBot, embed: Embed,
) -> None:
    tab = TicketChildrenTab()
    embed(tab)
    tab.show_details(handmade_details())
    assert tab.no_parent.isVisible()
    assert not tab.parent_button.isVisible()
    assert tab.empty.isVisible()

    parent = link(40, "Office move", Status.ASSIGNED)
    tab.show_details(handmade_details(parent=parent))
    assert tab.parent_button.text() == "#40 Office move (Assigned)"
    with qtbot.waitSignal(tab.ticket_open_requested) as opened:
        qtbot.mouseClick(tab.parent_button, Qt.MouseButton.LeftButton)
    assert opened.args == [parent.id]

    tab.show_details(handmade_details(parent=link(39, "", visible=False)))
    assert tab.parent_button.text() == "#39"
    assert not tab.parent_button.isEnabled()


# --- Files ------------------------------------------------------------------------------------


def files_tab(embed: Embed, org: Org, runner: TaskRunner, user_id: uuid.UUID,
              details: TicketDetails) -> TicketFilesTab:
    tab = TicketFilesTab(org.ws, user_id, runner)
    embed(tab)
    tab.show_details(details)
    return tab


def select_row(tab: TicketFilesTab, row: int) -> None:
    tab.table.selectRow(row)


def stored_attachment(org: Org, data: bytes, name: str) -> AttachmentEntry:
    org.ws.blobs.put_bytes(data)
    return dataclasses.replace(attachment(name, data=data), available=True)


def test_open_and_save_as_write_the_files_bytes(
    qtbot: QtBot, org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    first = stored_attachment(org, b"first file bytes", "notes.txt")
    second = stored_attachment(org, b"%PDF-1.4 the second", "../../evil.pdf")
    opened: list[bytes] = []

    def open_file(path: Path) -> bool:
        opened.append(path.read_bytes())
        return True

    monkeypatch.setattr(ticket_files_tab, "open_file", open_file)
    target = tmp_path / "saved" / "copy.pdf"
    target.parent.mkdir()
    monkeypatch.setattr(ticket_files_tab, "choose_save_path", lambda _parent, name: target)
    tab = files_tab(embed, org, runner, org.ramon,
                    handmade_details(id=tickets.ramon_new, attachments=(first, second)))

    select_row(tab, 1)
    with qtbot.waitSignal(tab.file_opened) as done:
        qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert opened == [b"%PDF-1.4 the second"]
    copy = done.args[0]
    assert copy.name == "evil.pdf"
    assert copy == open_copy_path(second)

    with qtbot.waitSignal(tab.file_saved):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes() == b"%PDF-1.4 the second"

    select_row(tab, 0)
    tab.table.setFocus()
    with qtbot.waitSignal(tab.file_opened):
        qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert opened[-1] == b"first file bytes"
    assert shown == []


def test_a_file_no_program_can_open_is_reported(
    qtbot: QtBot, org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
    monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    entry = stored_attachment(org, b"\x00\x01 odd format", "dump.xyz")
    monkeypatch.setattr(ticket_files_tab, "open_file", lambda _path: False)
    tab = files_tab(embed, org, runner, org.ramon,
                    handmade_details(id=tickets.ramon_new, attachments=(entry,)))
    select_row(tab, 0)
    tab.open_action.trigger()
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == ["No program on this computer could open 'dump.xyz'. "
                     "Use Save as… to keep a copy."]


def test_a_file_not_yet_downloaded_cannot_be_opened_or_saved(
    qtbot: QtBot, org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ticket_files_tab, "choose_save_path",
                        lambda *_args: pytest.fail("no dialog for a missing file"))
    here = stored_attachment(org, b"here", "here.txt")
    missing = attachment("later.iso", data=b"not on this desktop", available=False)
    tab = files_tab(embed, org, runner, org.ramon,
                    handmade_details(id=tickets.ramon_new, attachments=(here, missing)))
    assert not tab.open_button.isEnabled()  # nothing selected
    select_row(tab, 0)
    assert tab.open_button.isEnabled()
    assert tab.save_button.isEnabled()

    select_row(tab, 1)
    assert not tab.open_button.isEnabled()
    assert not tab.save_button.isEnabled()
    assert tab.open_button.toolTip() == NOT_DOWNLOADED_WHY
    assert tab.save_action.toolTip() == NOT_DOWNLOADED_WHY
    menu = tab.context_menu()
    assert [a.text() for a in menu.actions() if a.text()] == ["Open", "Save as…",
                                                              "Add files…"]
    assert not any(a.isEnabled() for a in menu.actions()[:2])
    with qtbot.assertNotEmitted(tab.file_opened):
        qtbot.keyClick(tab.table, Qt.Key.Key_S,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        tab.table.activated.emit(tab.table.currentIndex())
    menu.deleteLater()


def drop_files(tab: QWidget, paths: list[Path]) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    centre = tab.rect().center()
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, drop)
    return drop


def ticket_files(org: Org, ticket_id: uuid.UUID) -> dict[str, str]:
    with org.ws.read() as session:
        rows = session.execute(select(Attachment.file_name, Attachment.sha256)
                               .where(Attachment.ticket_id == ticket_id)).all()
    return {name: sha for name, sha in rows}


def test_files_dropped_on_the_tab_are_added_to_the_ticket(
    qtbot: QtBot, org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
    tmp_path: Path, shown: list[str],
) -> None:
    log = tmp_path / "server.log"
    log.write_bytes(b"kernel: fan failure\n")
    photo = tmp_path / "rack.jpg"
    photo.write_bytes(b"\xff\xd8\xff not really a jpeg")
    tab = files_tab(embed, org, runner, org.ramon, handmade_details(id=tickets.ramon_new))
    assert "No files yet" in tab.hint.text()

    with qtbot.waitSignal(tab.files_added, timeout=10_000):
        drop = drop_files(tab, [log, photo, tmp_path])  # the folder is left out
    assert drop.isAccepted()

    stored = ticket_files(org, tickets.ramon_new)
    assert stored == {"server.log": hashlib.sha256(log.read_bytes()).hexdigest(),
                      "rack.jpg": hashlib.sha256(photo.read_bytes()).hexdigest()}
    assert org.ws.blobs.read_bytes(stored["server.log"]) == b"kernel: fan failure\n"
    assert shown == []


def test_a_drag_without_files_is_refused(
    org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
) -> None:
    tab = files_tab(embed, org, runner, org.ramon, handmade_details(id=tickets.ramon_new))
    mime = QMimeData()
    mime.setText("just words")
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert not enter.isAccepted()


def test_add_files_uses_the_chosen_files_and_a_refusal_is_shown(
    qtbot: QtBot, org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4 invoice")
    monkeypatch.setattr(ticket_files_tab, "choose_files", lambda _parent: [invoice])
    tab = files_tab(embed, org, runner, org.ramon, handmade_details(id=tickets.ramon_new))
    with qtbot.waitSignal(tab.files_added, timeout=10_000):
        qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert list(ticket_files(org, tickets.ramon_new)) == ["invoice.pdf"]

    # Javi has no membership in Acme: the ticket is not his to add files to.
    refused = files_tab(embed, org, runner, org.javi, handmade_details(id=tickets.ana_new))
    with qtbot.assertNotEmitted(refused.files_added):
        refused.add_action.trigger()
        qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert len(shown) == 1
    assert shown[0]
    assert ticket_files(org, tickets.ana_new) == {}


def test_showing_the_ticket_again_keeps_the_selected_file(
    org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
) -> None:
    first, second = stored_attachment(org, b"a", "a.txt"), stored_attachment(org, b"b", "b.txt")
    details = handmade_details(id=tickets.ramon_new, attachments=(first, second))
    tab = files_tab(embed, org, runner, org.ramon, details)
    select_row(tab, 1)
    third = stored_attachment(org, b"c", "c.txt")
    tab.show_details(dataclasses.replace(details, attachments=(third, first, second)))
    entry = tab.current_entry()
    assert entry is not None
    assert entry.file_name == "b.txt"
    assert tab.table.source_model.rowCount(QModelIndex()) == 3


# --- Over the store ---------------------------------------------------------------------------


def test_a_dropped_file_shows_in_the_tab_once_the_ticket_is_read_again(
    qtbot: QtBot, org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    manual = tmp_path / "printer-manual.pdf"
    manual.write_bytes(b"%PDF-1.4 " + b"m" * 3000)
    tab = files_tab(embed, org, runner, org.ramon,
                    load_details(org.ws, org.ramon, tickets.ramon_new).details)
    assert tab.model.rowCount() == 0
    with qtbot.waitSignal(tab.files_added, timeout=10_000):
        drop_files(tab, [manual])

    tab.show_details(load_details(org.ws, org.ramon, tickets.ramon_new).details)
    model = tab.model
    assert [cell(model, 0, c) for c in (0, 1, 2, 4, 5)] == [
        "printer-manual.pdf", "2.9 KB", "Ramon", "No", "Yes"]
    target = tmp_path / "copy.pdf"
    monkeypatch.setattr(ticket_files_tab, "choose_save_path", lambda *_args: target)
    select_row(tab, 0)
    with qtbot.waitSignal(tab.file_saved):
        tab.save_action.trigger()
    assert target.read_bytes() == manual.read_bytes()
    assert shown == []


def test_the_tabs_show_a_real_tickets_people_history_and_family(
    qtbot: QtBot, org: Org, tickets: Tickets, embed: Embed,
) -> None:
    later = T0 + dt.timedelta(hours=2)
    org.do(SetEmailsInCopy(ticket_id=tickets.javi_assigned, emails=("boss@example.org",)),
           org.javi, later)
    org.do(SetParent(ticket_id=tickets.tomas_unconfirmed, parent_id=tickets.javi_assigned),
           org.admin, later)
    org.do(SetParent(ticket_id=tickets.finance_hidden, parent_id=tickets.javi_assigned),
           org.admin, later)
    for_ramon = load_details(org.ws, org.ramon, tickets.javi_assigned).details

    contacts = TicketContactsTab()
    embed(contacts)
    contacts.show_details(for_ramon)
    rows = {cell(contacts.model, row, 1): cell(contacts.model, row, 3)
            for row in range(contacts.model.rowCount())}
    assert rows["javi"] == "Creator, Owner, Editor"
    assert contacts.emails_in_copy == ["boss@example.org"]

    history_tab = TicketHistoryTab()
    embed(history_tab)
    history_tab.show_details(for_ramon)
    changes = [row[3] for row in history_tab.shown_rows()]
    assert "New → Assigned" in changes
    assert history_tab.shown_rows()[-1][2] == "Ticket created"

    family = TicketChildrenTab()
    embed(family)
    family.show_details(for_ramon)
    by_number = {cell(family.model, row, 0): (cell(family.model, row, 1),
                                              family.model.entry(row))
                 for row in range(family.model.rowCount())}
    assert len(by_number) == 2
    titles = sorted(title for title, _link in by_number.values())
    assert titles == ["", "Strange noise from the server rack"]
    hidden = next(link for title, link in by_number.values() if not title)
    assert not hidden.visible
    assert hidden.id == tickets.finance_hidden

    child = load_details(org.ws, org.ramon, tickets.tomas_unconfirmed).details
    family.show_details(child)
    with qtbot.waitSignal(family.ticket_open_requested) as opened:
        qtbot.mouseClick(family.parent_button, Qt.MouseButton.LeftButton)
    assert opened.args == [tickets.javi_assigned]


def test_a_file_whose_bytes_are_gone_is_reported_not_opened(
    qtbot: QtBot, org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
    monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    monkeypatch.setattr(ticket_files_tab, "open_file",
                        lambda _path: pytest.fail("nothing to open"))
    gone = attachment("gone.txt", data=b"never stored here")
    tab = files_tab(embed, org, runner, org.ramon,
                    handmade_details(id=tickets.ramon_new, attachments=(gone,)))
    select_row(tab, 0)
    tab.open_action.trigger()
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == ["'gone.txt' is not on this computer yet: it comes with the next sync."]
