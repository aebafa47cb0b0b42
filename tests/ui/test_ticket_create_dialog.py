"""The Create Ticket dialog, driven through its real widgets against a real workspace."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDateTime, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage
from PySide6.QtWidgets import QComboBox, QDialog, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktopdesk.domain.commands import (
    AddCustomField,
    ChangeSetting,
    CreateTicket,
    CreateTicketType,
    UpdateGroup,
)
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import Attachment, FieldKind, Ticket
from desktopdesk.ui import files_to_attach
from desktopdesk.ui.attachment_files import image_hashes
from desktopdesk.ui.inline_images import png_bytes
from desktopdesk.ui.ticket_create_dialog import TicketCreateDialog
from desktopdesk.ui.ticket_create_source import TicketSubmission, submit_ticket
from desktopdesk.ui.ticket_view_source import find_parent_tickets
from tests.conftest import Org
from tests.domain.support import custom_values, ticket
from tests.ui.conftest import (
    MakeDialog,
    Tickets,
    choose,
    offered,
    pick_parent,
    popup_warnings,
    qt_modules_loaded_by,
)


@dataclass
class Hardware:
    """A "Hardware" type offered to Support only, with a required linked chain."""

    type_id: uuid.UUID
    kind: uuid.UUID  # Hardware type (required): Laptop, Printer
    brand: uuid.UUID  # Laptop -> HP, Lenovo; Printer -> Brother
    model: uuid.UUID  # Lenovo -> ThinkPad X1, ThinkPad T14
    serial: uuid.UUID  # text
    reference: uuid.UUID  # a global text field


@pytest.fixture
def hardware(org: Org) -> Hardware:
    def make(command: Any) -> uuid.UUID:
        created = org.do(command, org.admin).created_id
        assert created is not None
        return created

    type_id = make(CreateTicketType(name="Hardware", description="A broken device",
                                    group_ids=(org.support,)))
    reference = make(AddCustomField(ticket_type_id=None, label="Customer reference"))
    kind = make(AddCustomField(ticket_type_id=type_id, label="Hardware type", required=True,
                               kind=FieldKind.LINKED, options=("Laptop", "Printer")))
    brand = make(AddCustomField(ticket_type_id=type_id, label="Brand", kind=FieldKind.LINKED,
                                parent_field_id=kind,
                                linked_values=(("Laptop", "HP"), ("Laptop", "Lenovo"),
                                               ("Printer", "Brother"))))
    model = make(AddCustomField(ticket_type_id=type_id, label="Model", kind=FieldKind.LINKED,
                                parent_field_id=brand,
                                linked_values=(("Lenovo", "ThinkPad X1"),
                                               ("Lenovo", "ThinkPad T14"))))
    serial = make(AddCustomField(ticket_type_id=type_id, label="Serial number"))
    return Hardware(type_id, kind, brand, model, serial, reference)


def field_combo(dialog: TicketCreateDialog, field_id: uuid.UUID) -> QComboBox:
    editor = dialog.custom_fields.editor(field_id)
    assert isinstance(editor, QComboBox)
    return editor


def create(qtbot: QtBot, dialog: TicketCreateDialog) -> uuid.UUID:
    with qtbot.waitSignal(dialog.ticket_created, timeout=10_000) as created:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    ticket_id = created.args[0]  # type: ignore[index]
    assert isinstance(ticket_id, uuid.UUID)
    return ticket_id


def refused_with(qtbot: QtBot, dialog: TicketCreateDialog) -> str:
    with qtbot.waitSignal(dialog.create_failed, timeout=10_000) as failed:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    message = failed.args[0]  # type: ignore[index]
    assert isinstance(message, str)
    return message


def ticket_count(org: Org) -> int:
    with org.ws.read() as session:
        return session.scalar(select(func.count()).select_from(Ticket)) or 0


def fill_hardware_ticket(qtbot: QtBot, dialog: TicketCreateDialog, hw: Hardware) -> None:
    choose(qtbot, dialog.type_combo, "Hardware")
    qtbot.keyClicks(dialog.title_edit, "Laptop screen flickers")
    choose(qtbot, field_combo(dialog, hw.kind), "Laptop")
    choose(qtbot, field_combo(dialog, hw.brand), "Lenovo")
    choose(qtbot, field_combo(dialog, hw.model), "ThinkPad T14")


def limit(org: Org, **changes: Any) -> None:
    org.do(UpdateGroup(group_id=org.acme_group, changes=changes), org.admin)


# --- Filing -------------------------------------------------------------------------------


def test_a_ticket_is_filed_with_its_custom_values_and_file(
    qtbot: QtBot, org: Org, hardware: Hardware, make_dialog: MakeDialog, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    photo_log = tmp_path / "dmesg.txt"
    photo_log.write_text("i915: flip_done timed out\n")
    monkeypatch.setattr(files_to_attach, "choose_files", lambda _parent: [photo_log])
    dialog = make_dialog(org.ramon)
    choose(qtbot, dialog.type_combo, "Hardware")
    assert offered(dialog.group_combo) == ["Support"]  # the type's groups only
    assert dialog.group_combo.currentText() == "Support"
    qtbot.keyClicks(dialog.title_edit, "Laptop screen flickers")
    dialog.description.setFocus()
    qtbot.keyClicks(dialog.description, "Only when ")
    qtbot.keyClick(dialog.description, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.description, "docked")
    choose(qtbot, dialog.priority_combo, "Serious")
    choose(qtbot, field_combo(dialog, hardware.kind), "Laptop")
    assert offered(field_combo(dialog, hardware.brand)) == ["", "HP", "Lenovo"]
    choose(qtbot, field_combo(dialog, hardware.brand), "Lenovo")
    choose(qtbot, field_combo(dialog, hardware.model), "ThinkPad T14")
    qtbot.keyClicks(dialog.custom_fields.editor(hardware.serial), "PF-3X9K2")
    qtbot.mouseClick(dialog.add_files_button, Qt.MouseButton.LeftButton)
    assert dialog.files.count() == 1

    ticket_id = create(qtbot, dialog)

    filed = ticket(org, ticket_id)
    assert (filed.title, filed.group_id, filed.ticket_type_id, filed.priority,
            filed.creator_id) == ("Laptop screen flickers", org.support, hardware.type_id, 3,
                                   org.ramon)
    assert "docked" in filed.description_html
    assert "font-weight" in filed.description_html or "<b>" in filed.description_html
    assert custom_values(org, ticket_id) == {
        hardware.kind: "Laptop", hardware.brand: "Lenovo", hardware.model: "ThinkPad T14",
        hardware.serial: "PF-3X9K2"}
    with org.ws.read() as session:
        files = session.execute(select(Attachment.file_name, Attachment.sha256).where(
            Attachment.ticket_id == ticket_id)).all()
    assert [name for name, _ in files] == ["dmesg.txt"]
    assert org.ws.blobs.read_bytes(files[0][1]) == photo_log.read_bytes()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_ctrl_enter_files_the_ticket(
    qtbot: QtBot, org: Org, make_dialog: MakeDialog,
) -> None:
    dialog = make_dialog(org.ana)  # one group of hers: chosen already
    assert dialog.group_combo.currentText() == "Acme"
    qtbot.keyClicks(dialog.title_edit, "Mouse wheel sticks")
    with qtbot.waitSignal(dialog.ticket_created, timeout=10_000) as created:
        qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    filed = ticket(org, created.args[0])  # type: ignore[index]
    assert (filed.title, filed.group_id, filed.creator_id) == (
        "Mouse wheel sticks", org.acme_group, org.ana)


def test_the_create_button_is_disabled_while_the_ticket_is_filed(
    qtbot: QtBot, org: Org, make_dialog: MakeDialog,
) -> None:
    dialog = make_dialog(org.ana)
    qtbot.keyClicks(dialog.title_edit, "Keyboard missing keys")
    with qtbot.waitSignal(dialog.ticket_created, timeout=10_000):
        dialog.create_action.trigger()  # the answer arrives through the event loop
        assert not dialog.create_button.isEnabled()
        assert dialog.create_button.text() == "Creating…"
        dialog.create_action.trigger()  # a second press files nothing more
    dialog.runner.wait_for_done()
    with org.ws.read() as session:
        assert session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.title == "Keyboard missing keys")) == 1


def test_a_picture_in_the_description_is_attached_to_the_ticket(
    qtbot: QtBot, org: Org, make_dialog: MakeDialog,
) -> None:
    picture = QImage(48, 32, QImage.Format.Format_RGB32)
    picture.fill(QColor("#1a73e8"))
    dialog = make_dialog(org.ana)
    qtbot.keyClicks(dialog.title_edit, "Error on screen")
    dialog.description.setFocus()
    qtbot.keyClicks(dialog.description, "It says: ")
    pasted = QMimeData()
    pasted.setImageData(picture)
    dialog.description.insertFromMimeData(pasted)
    sha = hashlib.sha256(png_bytes(picture)).hexdigest()

    ticket_id = create(qtbot, dialog)

    assert image_hashes(ticket(org, ticket_id).description_html) == [sha]
    with org.ws.read() as session:
        attached = session.execute(select(Attachment.sha256, Attachment.mime_type).where(
            Attachment.ticket_id == ticket_id)).all()
    assert [tuple(row) for row in attached] == [(sha, "image/png")]


def test_files_dropped_on_the_dialog_are_listed_and_can_be_removed(
    qtbot: QtBot, org: Org, make_dialog: MakeDialog, tmp_path: Path,
) -> None:
    first, second = tmp_path / "a.log", tmp_path / "b.csv"
    first.write_text("a")
    second.write_text("b")
    dialog = make_dialog(org.ana)
    dropped = QMimeData()
    dropped.setUrls([QUrl.fromLocalFile(str(first)), QUrl.fromLocalFile(str(second))])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, dropped,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    dialog.dropEvent(drop)
    assert drop.isAccepted()
    assert dialog.file_paths() == [first, second]
    dialog.files.item(0).setSelected(True)
    qtbot.mouseClick(dialog.remove_files_button, Qt.MouseButton.LeftButton)
    assert dialog.file_paths() == [second]


# --- What is offered ----------------------------------------------------------------------


def test_types_and_groups_follow_the_persons_groups(
    qtbot: QtBot, org: Org, hardware: Hardware, make_dialog: MakeDialog,
) -> None:
    assert hardware.type_id  # offered to Support only
    ana = make_dialog(org.ana)
    assert offered(ana.type_combo) == ["No type"]
    ramon = make_dialog(org.ramon)
    assert offered(ramon.type_combo) == ["No type", "Hardware"]
    assert offered(ramon.group_combo) == ["Acme", "Independent customers", "Support"]
    assert ramon.custom_fields.values() == {str(hardware.reference): ""}
    qtbot.keyClicks(ramon.custom_fields.editor(hardware.reference), "PO-4471")
    choose(qtbot, ramon.type_combo, "Hardware")
    assert ramon.type_help.text() == "A broken device"
    assert offered(ramon.group_combo) == ["Support"]
    values = ramon.custom_fields.values()
    assert set(values) == {str(f) for f in (hardware.reference, hardware.kind, hardware.brand,
                                            hardware.model, hardware.serial)}
    assert values[str(hardware.reference)] == "PO-4471"  # the global field kept its value
    choose(qtbot, ramon.type_combo, "No type")
    assert ramon.custom_fields.values() == {str(hardware.reference): "PO-4471"}
    assert offered(ramon.group_combo) == ["Acme", "Independent customers", "Support"]
    assert ramon.group_combo.currentText() == "Support"  # still offered: still chosen


def test_a_required_type_must_be_chosen(
    qtbot: QtBot, org: Org, hardware: Hardware, make_dialog: MakeDialog,
) -> None:
    org.do(ChangeSetting(key="required_ticket_type", value=True), org.admin)
    dialog = make_dialog(org.ramon)
    assert offered(dialog.type_combo) == ["Hardware"]
    assert dialog.type_combo.currentText() == "Hardware"  # the only one: chosen
    org.do(CreateTicketType(name="Software"), org.admin)
    dialog = make_dialog(org.ramon)
    assert dialog.type_combo.currentIndex() == -1
    assert dialog.type_combo.placeholderText() == "Choose a type"
    choose(qtbot, dialog.group_combo, "Support")
    qtbot.keyClicks(dialog.title_edit, "Which type?")
    message = refused_with(qtbot, dialog)
    assert dialog.error_text("ticket_type_id") == message
    assert hardware.type_id


def test_the_creator_is_offered_to_managers_only(
    qtbot: QtBot, org: Org, make_dialog: MakeDialog,
) -> None:
    ana = make_dialog(org.ana)
    assert ana.creator_combo.isHidden()
    ramon = make_dialog(org.ramon)
    choose(qtbot, ramon.group_combo, "Support")
    assert not ramon.creator_combo.isHidden()
    assert ramon.creator_combo.currentText() == "Ramon (ramon)"
    choose(qtbot, ramon.creator_combo, "Tomas (tomas)")
    qtbot.keyClicks(ramon.title_edit, "Filed for Tomas")
    assert ticket(org, create(qtbot, ramon)).creator_id == org.tomas


def test_the_creation_date_is_offered_when_the_setting_allows(
    qtbot: QtBot, org: Org, make_dialog: MakeDialog,
) -> None:
    assert make_dialog(org.ana).created_at_check.isHidden()
    org.do(ChangeSetting(key="allow_creation_date", value=True), org.admin)
    dialog = make_dialog(org.ana)
    assert not dialog.created_at_check.isHidden()
    qtbot.mouseClick(dialog.created_at_check, Qt.MouseButton.LeftButton)
    when = QDateTime.currentDateTime().addDays(-3)
    dialog.created_at_edit.setDateTime(when)
    qtbot.keyClicks(dialog.title_edit, "Reported by phone on Monday")
    created = ticket(org, create(qtbot, dialog)).created_at
    assert int(created.timestamp()) == when.toSecsSinceEpoch()


# --- Refusals -----------------------------------------------------------------------------


def test_a_required_custom_field_left_empty_is_named_beside_it(
    qtbot: QtBot, org: Org, hardware: Hardware, make_dialog: MakeDialog, shown: list[str],
) -> None:
    before = ticket_count(org)
    dialog = make_dialog(org.ramon)
    choose(qtbot, dialog.type_combo, "Hardware")
    qtbot.keyClicks(dialog.title_edit, "Something is broken")
    qtbot.keyClicks(dialog.custom_fields.editor(hardware.serial), "PF-3X9K2")

    message = refused_with(qtbot, dialog)

    assert message == "'Hardware type' is required."
    label = dialog.custom_fields.findChild(QLabel, f"error_custom:{hardware.kind}")
    assert label is not None
    assert label.isVisible()
    assert label.text() == message
    assert dialog.custom_fields.editor(hardware.kind).hasFocus()
    assert ticket_count(org) == before
    assert dialog.isVisible()
    assert dialog.title_edit.text() == "Something is broken"  # nothing typed is lost
    assert dialog.custom_fields.values()[str(hardware.serial)] == "PF-3X9K2"
    assert dialog.create_button.isEnabled()
    assert shown == []

    choose(qtbot, field_combo(dialog, hardware.kind), "Printer")
    assert not label.isVisible()
    ticket_id = create(qtbot, dialog)
    assert custom_values(org, ticket_id)[hardware.kind] == "Printer"


def test_a_missing_title_is_named_beside_the_title(
    qtbot: QtBot, org: Org, make_dialog: MakeDialog,
) -> None:
    dialog = make_dialog(org.ana)
    message = refused_with(qtbot, dialog)
    assert dialog.error_text("title") == message
    assert "title" in message.lower()
    assert dialog.title_edit.hasFocus()
    qtbot.keyClicks(dialog.title_edit, "x")
    assert dialog.error_text("title") == ""


def test_a_group_at_its_forced_limit_refuses_with_the_message(
    qtbot: QtBot, org: Org, make_dialog: MakeDialog, shown: list[str],
) -> None:
    org.do(CreateTicket(title="The first one", group_id=org.acme_group), org.ana)
    limit(org, total_ticket_limit=1)
    before = ticket_count(org)
    dialog = make_dialog(org.ana)
    qtbot.keyClicks(dialog.title_edit, "One too many")

    message = refused_with(qtbot, dialog)

    assert "Group 'Acme' allows 1 tickets per person a year" in message
    assert "cannot create" in message
    assert dialog.error_text("group_id") == message
    assert ticket_count(org) == before
    assert dialog.isVisible()
    assert dialog.title_edit.text() == "One too many"


def test_a_group_at_its_notify_limit_warns_and_files(
    qtbot: QtBot, org: Org, make_dialog: MakeDialog, shown: list[str],
) -> None:
    org.do(CreateTicket(title="The first one", group_id=org.acme_group), org.ana)
    limit(org, total_ticket_limit=1, limit_mode="notify")
    dialog = make_dialog(org.ana)
    qtbot.keyClicks(dialog.title_edit, "One more, with a warning")

    ticket_id = create(qtbot, dialog)

    assert len(shown) == 1
    assert "Group 'Acme' allows 1 tickets per person a year" in shown[0]
    assert ticket(org, ticket_id).title == "One more, with a warning"


def test_an_unreadable_file_files_nothing_and_is_named_beside_the_files(
    qtbot: QtBot, org: Org, make_dialog: MakeDialog, tmp_path: Path,
) -> None:
    gone = tmp_path / "moved-away.pdf"
    gone.write_bytes(b"%PDF")
    before = ticket_count(org)
    dialog = make_dialog(org.ana)
    dialog.add_file(gone)
    gone.unlink()
    qtbot.keyClicks(dialog.title_edit, "Invoice attached")
    message = refused_with(qtbot, dialog)
    assert message.startswith("'moved-away.pdf' could not be read")
    assert dialog.error_text("files") == message
    assert ticket_count(org) == before


# --- The parent -------------------------------------------------------------------------


@popup_warnings
def test_the_parent_is_found_by_title_words_and_filed_with_the_ticket(
    qtbot: QtBot, org: Org, tickets: Tickets, make_dialog: MakeDialog,
) -> None:
    dialog = make_dialog(org.ramon)
    picker = dialog.parent_picker
    choose(qtbot, dialog.group_combo, "Support")
    assert pick_parent(qtbot, picker, "printer jams") == 1
    assert picker.chosen_text().endswith("Printer on the second floor jams")
    assert picker.parent_id() == tickets.ramon_new
    assert picker.chip.isVisibleTo(dialog)
    qtbot.keyClicks(dialog.title_edit, "Order a new fuser")
    assert ticket(org, create(qtbot, dialog)).parent_id == tickets.ramon_new


@popup_warnings
def test_a_chosen_parent_can_be_removed_before_filing(
    qtbot: QtBot, org: Org, tickets: Tickets, make_dialog: MakeDialog,
) -> None:
    dialog = make_dialog(org.ramon)
    picker = dialog.parent_picker
    choose(qtbot, dialog.group_combo, "Support")
    pick_parent(qtbot, picker, "printer jams")
    assert "<a " not in picker.chosen_label.text(), "nothing to open from a new ticket"

    qtbot.mouseClick(picker.clear_button, Qt.MouseButton.LeftButton)

    assert picker.parent_id() is None
    assert picker.search_edit.isVisibleTo(dialog)
    qtbot.keyClicks(dialog.title_edit, "Order a new fuser")
    assert ticket(org, create(qtbot, dialog)).parent_id is None


def test_parents_are_found_by_number_among_visible_tickets_only(
    org: Org, tickets: Tickets,
) -> None:
    with org.ws.read() as session:
        numbers = {ticket_id: number for ticket_id, number
                   in session.execute(select(Ticket.id, Ticket.number))}
    ramon_new = numbers[tickets.ramon_new]
    found = find_parent_tickets(org.ws, org.ramon, f"#{ramon_new}")
    assert [choice.id for choice in found][:1] == [tickets.ramon_new]
    assert found[0].label == f"#{ramon_new} Printer on the second floor jams"
    hidden = numbers[tickets.finance_hidden]
    assert tickets.finance_hidden not in {c.id for c in
                                          find_parent_tickets(org.ws, org.ramon, f"{hidden}")}
    assert find_parent_tickets(org.ws, org.ramon, "payroll") == ()
    assert find_parent_tickets(org.ws, org.ramon, "  ") == ()


# --- Without the dialog -------------------------------------------------------------------


def test_filing_without_a_group_is_refused_naming_the_group(org: Org) -> None:
    with pytest.raises(DomainError) as refused:
        submit_ticket(org.ws, org.ana, TicketSubmission(title="No group", group_id=None))
    assert refused.value.field == "group_id"


def test_what_the_dialog_reads_and_writes_runs_without_qt() -> None:
    assert qt_modules_loaded_by("desktopdesk.ui.ticket_create_source") == []
