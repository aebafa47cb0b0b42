"""The ticket type designer, driven through its real widgets against a real workspace:
build a linked chain and watch it cascade, refuse bad definitions beside their input,
reorder, remove and rename fields tickets use, and keep non-managers out."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.domain.admin_queries import type_design
from desktopdesk.domain.commands import (
    AddCustomField,
    CreateTicket,
    CreateTicketType,
    RemoveCustomField,
    ReorderCustomFields,
)
from desktopdesk.domain.errors import FORBIDDEN, DomainError
from desktopdesk.domain.history import EventKind
from desktopdesk.models import CustomField, CustomFieldValue, FieldKind, HistoryEvent
from desktopdesk.ui.admin import type_designer, types_source
from desktopdesk.ui.admin.field_editor import KIND_NAMES
from desktopdesk.ui.admin.type_designer import TypeDesignerSection
from desktopdesk.ui.admin.types_source import TypeDraft
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_create_dialog import TicketCreateDialog
from tests.conftest import Org
from tests.ui.test_dark_mode import Schemes, assert_scheme, unreadable
from tests.ui.test_dark_mode import make_appearance as make_appearance  # a fixture
from tests.ui.test_dark_mode import schemes as schemes  # a fixture: light, dark, live

#: Showing windows offscreen: the platform plugin says it cannot pass size hints on.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

MakeDesigner = Callable[[uuid.UUID], TypeDesignerSection]


@pytest.fixture
def designer(qtbot: QtBot, org: Org, runner: TaskRunner) -> MakeDesigner:
    def make(user_id: uuid.UUID) -> TypeDesignerSection:
        section = TypeDesignerSection(org.ws, user_id, runner)
        qtbot.addWidget(section)
        section.resize(1280, 800)
        section.show()
        with qtbot.waitSignal(section.design_loaded, timeout=10_000):
            section.reload()
        return section

    return make


@dataclass
class Asked:
    """What ``confirm`` was asked, answered with ``answer``."""

    answer: bool = True
    texts: list[str] | None = None

    def __call__(self, _parent: QWidget | None, _title: str, text: str, _action: str) -> bool:
        assert self.texts is not None
        self.texts.append(text)
        return self.answer


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Asked:
    answers = Asked(True, [])
    monkeypatch.setattr(type_designer, "confirm", answers)
    return answers


def make(org: Org, command: Any) -> uuid.UUID:
    created = org.do(command, org.admin).created_id
    assert created is not None
    return created


@dataclass
class Hardware:
    """A Hardware type (for Support) with a linked chain and a text field, by commands."""

    type_id: uuid.UUID
    kind: uuid.UUID
    brand: uuid.UUID
    model: uuid.UUID
    serial: uuid.UUID


@pytest.fixture
def hardware(org: Org) -> Hardware:
    type_id = make(org, CreateTicketType(name="Hardware", group_ids=(org.support,)))
    kind = make(org, AddCustomField(ticket_type_id=type_id, label="Hardware type",
                                    kind=FieldKind.LINKED, options=("Laptop", "Printer")))
    brand = make(org, AddCustomField(ticket_type_id=type_id, label="Brand",
                                     kind=FieldKind.LINKED, parent_field_id=kind,
                                     linked_values=(("Laptop", "Lenovo"),
                                                    ("Printer", "Brother"))))
    model = make(org, AddCustomField(ticket_type_id=type_id, label="Model",
                                     kind=FieldKind.LINKED, parent_field_id=brand,
                                     linked_values=(("Lenovo", "ThinkPad X1"),)))
    serial = make(org, AddCustomField(ticket_type_id=type_id, label="Serial number"))
    return Hardware(type_id, kind, brand, model, serial)


# --- Driving the widgets ------------------------------------------------------------------


def choose(qtbot: QtBot, box: QComboBox, text: str) -> None:
    """Pick ``text`` with the keyboard."""
    target = box.findText(text)
    assert target >= 0, f"{text!r} is not offered"
    box.setFocus()
    if box.currentIndex() < 0:
        qtbot.keyClick(box, Qt.Key.Key_Down)
    while box.currentIndex() != target:
        key = Qt.Key.Key_Down if box.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(box, key)


def offered(box: QWidget) -> list[str]:
    assert isinstance(box, QComboBox)
    return [box.itemText(i) for i in range(box.count())]


def type_lines(qtbot: QtBot, edit: QPlainTextEdit, *lines: str) -> None:
    edit.setFocus()
    for number, line in enumerate(lines):
        if number:
            qtbot.keyClick(edit, Qt.Key.Key_Return)
        qtbot.keyClicks(edit, line)


def contains(edit: QPlainTextEdit, text: str) -> bool:
    return text in edit.toPlainText()


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def loaded_after(qtbot: QtBot, section: TypeDesignerSection, action: Callable[[], None]) -> None:
    with qtbot.waitSignal(section.design_loaded, timeout=10_000):
        action()


def refused_after(qtbot: QtBot, section: TypeDesignerSection,
                  action: Callable[[], None]) -> str:
    with qtbot.waitSignal(section.refused, timeout=10_000) as refusal:
        action()
    message = refusal.args[0]
    assert isinstance(message, str)
    return message


def open_type(qtbot: QtBot, section: TypeDesignerSection, type_id: uuid.UUID | None) -> None:
    """Click the type in the list (unless its page is already shown)."""
    row = section.types.model.row_of(type_id)
    if [i.row() for i in section.types.view.selectionModel().selectedRows()] == [row]:
        return
    rect = section.types.view.visualRect(section.types.model.index(row, 0))
    loaded_after(qtbot, section, lambda: qtbot.mouseClick(
        section.types.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()))


def open_field(qtbot: QtBot, section: TypeDesignerSection, label: str) -> None:
    row = next(r for r in range(section.field_model.rowCount())
               if section.field_model.index(r, 0).data() == label)
    rect = section.fields_view.visualRect(section.field_model.index(row, 0))
    qtbot.mouseClick(section.fields_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    assert section.editor.label_edit.text() == label


def start_field(qtbot: QtBot, section: TypeDesignerSection, label: str, kind: FieldKind) -> None:
    """Add field, type its label and choose its kind."""
    click(qtbot, section.add_field_button)
    assert section.editor.label_edit.hasFocus()
    qtbot.keyClicks(section.editor.label_edit, label)
    choose(qtbot, section.editor.kind_combo, KIND_NAMES[kind])


def save_field(qtbot: QtBot, section: TypeDesignerSection) -> None:
    loaded_after(qtbot, section, lambda: click(qtbot, section.editor.save_button))


def field_id(section: TypeDesignerSection, label: str) -> uuid.UUID:
    model = section.field_model
    return next(d.id for d in (model.definition(r) for r in range(model.rowCount()))
                if d is not None and d.label == label)


def draft_id(section: TypeDesignerSection) -> uuid.UUID:
    draft = section.editor.draft()
    assert draft is not None
    return draft.id


def form_labels(form: QFormLayout) -> list[str]:
    labels = []
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        widget = item.widget() if item is not None else None
        if isinstance(widget, QLabel):
            labels.append(widget.text().removesuffix(" *"))
    return labels


def preview_labels(section: TypeDesignerSection) -> list[str]:
    return form_labels(section.preview.form.form)


def stored_order(org: Org, type_id: uuid.UUID | None) -> list[str]:
    with org.ws.read() as session:
        return [f.label for f in type_design(session, type_id).own_fields]


def stored_value(org: Org, ticket_id: uuid.UUID, field: uuid.UUID) -> str | None:
    with org.ws.read() as session:
        return session.scalar(select(CustomFieldValue.value).where(
            CustomFieldValue.ticket_id == ticket_id, CustomFieldValue.field_id == field))


def hardware_ticket(org: Org, hw: Hardware, **values: str) -> uuid.UUID:
    return make(org, CreateTicket(title="Laptop will not boot", group_id=org.support,
                                  ticket_type_id=hw.type_id,
                                  custom_values={str(getattr(hw, key)): value
                                                 for key, value in values.items()}))


# --- The manual's chain, built in the designer ---------------------------------------------


def test_the_hardware_chain_built_in_the_designer_cascades_in_the_preview_and_the_ticket_form(
        qtbot: QtBot, org: Org, designer: MakeDesigner, runner: TaskRunner) -> None:
    section = designer(org.ramon)
    loaded_after(qtbot, section, lambda: click(qtbot, section.types.new_button))
    qtbot.keyClicks(section.types.name_edit, "Hardware")
    support = next(row for row in range(section.types.group_model.rowCount())
                   if section.types.group_model.item(row).text().strip() == "Support")
    section.types.groups_view.setFocus()
    section.types.groups_view.setCurrentIndex(section.types.group_model.index(support, 0))
    qtbot.keyClick(section.types.groups_view, Qt.Key.Key_Space)
    loaded_after(qtbot, section, lambda: click(qtbot, section.types.save_button))
    assert section.types.box.title() == "Type"
    assert section.types.view.currentIndex().data() == "Hardware"

    # First level: the manual's plain list of values; the preview offers them at once.
    start_field(qtbot, section, "Hardware type", FieldKind.LINKED)
    type_lines(qtbot, section.editor.options_edit, "Laptop", "Printer")
    assert offered(section.preview.editor(draft_id(section))) == ["", "Laptop", "Printer"]
    save_field(qtbot, section)

    # Second level: pasted in the manual's Parent|Child comma form.
    start_field(qtbot, section, "Brand", FieldKind.LINKED)
    choose(qtbot, section.editor.parent_combo, "Hardware type")
    type_lines(qtbot, section.editor.linked.text, "Laptop|HP,Laptop|Lenovo,Printer|Brother")
    save_field(qtbot, section)

    # Third level: edited as a tree under Brand's values.
    start_field(qtbot, section, "Model", FieldKind.LINKED)
    choose(qtbot, section.editor.parent_combo, "Brand")
    linked = section.editor.linked
    linked.setCurrentIndex(1)
    assert [linked.model.item(r).text() for r in range(linked.model.rowCount())] == [
        "HP", "Lenovo", "Brother"]
    for model_name in ("ThinkPad X1", "ThinkPad T14"):
        lenovo = linked.parent_item("Lenovo")
        assert lenovo is not None
        rect = linked.tree.visualRect(lenovo.index())
        qtbot.mouseClick(linked.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        click(qtbot, linked.add_button)
        cell = QApplication.focusWidget()
        assert isinstance(cell, QLineEdit)
        qtbot.keyClicks(cell, model_name)
        qtbot.keyClick(cell, Qt.Key.Key_Return)  # commits on the next turn of the loop
        qtbot.waitUntil(partial(contains, linked.text, model_name))
    assert linked.text.toPlainText() == "Lenovo|ThinkPad X1\nLenovo|ThinkPad T14"
    save_field(qtbot, section)
    assert preview_labels(section) == ["Hardware type", "Brand", "Model"]

    # The preview cascades down the chain.
    kind, brand, model = (section.preview.editor(field_id(section, label))
                          for label in ("Hardware type", "Brand", "Model"))
    assert isinstance(kind, QComboBox)
    assert isinstance(brand, QComboBox)
    assert isinstance(model, QComboBox)
    assert not brand.isEnabled()  # waits for a hardware type
    choose(qtbot, kind, "Laptop")
    assert offered(brand) == ["", "HP", "Lenovo"]
    choose(qtbot, brand, "Lenovo")
    assert offered(model) == ["", "ThinkPad X1", "ThinkPad T14"]
    choose(qtbot, kind, "Printer")
    assert offered(brand) == ["", "Brother"]
    assert not model.isEnabled()

    # And so does the real Create Ticket dialog, which files the values.
    dialog = TicketCreateDialog(org.ws, org.ramon, runner)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.options_loaded, timeout=10_000):
        dialog.show()
    choose(qtbot, dialog.type_combo, "Hardware")
    qtbot.keyClicks(dialog.title_edit, "Laptop screen flickers")
    ids = {label: field_id(section, label) for label in ("Hardware type", "Brand", "Model")}
    form_kind, form_brand, form_model = (dialog.custom_fields.editor(ids[label])
                                         for label in ("Hardware type", "Brand", "Model"))
    assert isinstance(form_kind, QComboBox)
    assert isinstance(form_brand, QComboBox)
    assert isinstance(form_model, QComboBox)
    choose(qtbot, form_kind, "Laptop")
    assert offered(form_brand) == ["", "HP", "Lenovo"]
    choose(qtbot, form_brand, "Lenovo")
    assert offered(form_model) == ["", "ThinkPad X1", "ThinkPad T14"]
    choose(qtbot, form_model, "ThinkPad T14")
    with qtbot.waitSignal(dialog.ticket_created, timeout=10_000) as created:
        click(qtbot, dialog.create_button)
    ticket_id = created.args[0]
    assert stored_value(org, ticket_id, ids["Model"]) == "ThinkPad T14"


def test_a_combo_takes_the_manuals_comma_list_with_its_empty_first_option(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    start_field(qtbot, section, "Impact", FieldKind.COMBO)
    qtbot.keyClicks(section.editor.options_edit, ",Can work,Cannot work")
    assert offered(section.preview.editor(draft_id(section))) == ["", "Can work", "Cannot work"]
    save_field(qtbot, section)

    with org.ws.read() as session:
        stored = session.get(CustomField, field_id(section, "Impact"))
        assert stored is not None
        assert stored.options == ["", "Can work", "Cannot work"]
    # Shown again one per line, the empty option a blank first line.
    assert section.editor.options_edit.toPlainText() == "\nCan work\nCannot work"


def test_a_number_field_shows_its_bounds_in_the_preview(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    start_field(qtbot, section, "Affected users", FieldKind.NUMERIC)
    assert section.editor.min_edit.isVisible()
    assert not section.editor.options_edit.isVisible()
    qtbot.keyClicks(section.editor.min_edit, "1")
    qtbot.keyClicks(section.editor.max_edit, "500")
    number = section.preview.editor(draft_id(section))
    assert isinstance(number, QLineEdit)
    assert number.placeholderText() == "A number from 1 to 500"


# --- Bad definitions ------------------------------------------------------------------------


def test_a_duplicate_label_is_refused_beside_the_label_with_the_text_kept(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    start_field(qtbot, section, "brand", FieldKind.TEXT)
    message = refused_after(qtbot, section, lambda: click(qtbot, section.editor.save_button))

    assert message == "There is already a field labelled 'brand'."
    assert section.editor.error_text("label") == message
    assert section.editor.label_edit.text() == "brand"
    assert section.editor.label_edit.hasFocus()
    assert stored_order(org, hardware.type_id) == [
        "Hardware type", "Brand", "Model", "Serial number"]


def test_a_combo_without_options_is_refused_beside_the_options(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    start_field(qtbot, section, "Impact", FieldKind.COMBO)
    message = refused_after(qtbot, section, lambda: click(qtbot, section.editor.save_button))

    assert message == "Combo 'Impact' needs at least one option."
    assert section.editor.error_text("options") == message
    assert section.editor.error_text("label") == ""


def test_a_linked_value_whose_parent_value_does_not_exist_is_refused_beside_the_values(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    start_field(qtbot, section, "Screen size", FieldKind.LINKED)
    choose(qtbot, section.editor.parent_combo, "Model")
    type_lines(qtbot, section.editor.linked.text, "ThinkPad X1|14 inch", "Acer Swift|13 inch")
    acer = section.editor.linked.parent_item("Acer Swift")
    assert acer is not None
    assert acer.toolTip() == "'Acer Swift' is not a value of 'Model'."
    message = refused_after(qtbot, section, lambda: click(qtbot, section.editor.save_button))

    assert message == "'Acer Swift|13 inch': 'Acer Swift' is not a value of 'Model'."
    assert section.editor.error_text("linked") == message
    assert section.editor.linked.text.toPlainText() == "ThinkPad X1|14 inch\nAcer Swift|13 inch"


def test_an_entry_without_a_bar_is_refused_before_anything_is_sent(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    start_field(qtbot, section, "Screen size", FieldKind.LINKED)
    choose(qtbot, section.editor.parent_combo, "Model")
    qtbot.keyClicks(section.editor.linked.text, "ThinkPad X1 14 inch")
    click(qtbot, section.editor.save_button)

    assert section.editor.error_text("linked") == (
        "Linked value 'ThinkPad X1 14 inch' needs the form Parent|Child.")
    assert not section.is_busy


def test_a_cycle_of_parents_is_refused_beside_the_parent(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    open_field(qtbot, section, "Hardware type")
    choose(qtbot, section.editor.parent_combo, "Model")
    assert section.editor.linked.isVisible()
    assert not section.editor.options_edit.isVisible()
    qtbot.keyClicks(section.editor.linked.text, "ThinkPad X1|Laptop")
    message = refused_after(qtbot, section, lambda: click(qtbot, section.editor.save_button))

    assert message == ("'Hardware type' cannot depend on 'Model': 'Model' already depends "
                       "on 'Hardware type'.")
    assert section.editor.error_text("parent") == message
    assert section.editor.parent_combo.currentText() == "Model"
    with org.ws.read() as session:
        stored = session.get(CustomField, hardware.kind)
        assert stored is not None
        assert stored.parent_field_id is None


def test_leaving_a_field_with_unsaved_changes_asks_first(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware,
        asked: Asked) -> None:
    section = designer(org.ramon)
    open_field(qtbot, section, "Serial number")
    qtbot.keyClicks(section.editor.label_edit, " (sticker)")

    asked.answer = False
    row = section.field_model.row_of(hardware.brand)
    rect = section.fields_view.visualRect(section.field_model.index(row, 0))
    qtbot.mouseClick(section.fields_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    assert asked.texts == ["Discard the changes to 'Serial number (sticker)'?"]
    assert section.editor.label_edit.text() == "Serial number (sticker)"
    assert section.fields_view.currentIndex().row() == section.field_model.row_of(
        hardware.serial)

    asked.answer = True
    open_field(qtbot, section, "Brand")
    assert stored_order(org, hardware.type_id)[-1] == "Serial number"


# --- Order --------------------------------------------------------------------------------


def test_the_move_buttons_change_the_form_order(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware,
        runner: TaskRunner) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    open_field(qtbot, section, "Serial number")
    assert not section.down_button.isEnabled()
    loaded_after(qtbot, section, lambda: click(qtbot, section.up_button))
    assert preview_labels(section) == ["Hardware type", "Brand", "Serial number", "Model"]
    section.fields_view.setFocus()
    loaded_after(qtbot, section, lambda: qtbot.keyClick(
        section.fields_view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier))

    assert stored_order(org, hardware.type_id) == [
        "Hardware type", "Serial number", "Brand", "Model"]
    assert preview_labels(section) == ["Hardware type", "Serial number", "Brand", "Model"]
    assert section.editor.label_edit.text() == "Serial number"  # still the one chosen
    dialog = TicketCreateDialog(org.ws, org.ramon, runner)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.options_loaded, timeout=10_000):
        dialog.show()
    choose(qtbot, dialog.type_combo, "Hardware")
    assert form_labels(dialog.custom_fields.form) == [
        "Hardware type", "Serial number", "Brand", "Model"]


def test_dropping_a_dragged_field_changes_the_form_order(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    view, model = section.fields_view, section.field_model
    dragged = model.mimeData([model.index(model.row_of(hardware.serial), 0)])
    target = view.visualRect(model.index(model.row_of(hardware.kind), 0))
    at = QPoint(target.center().x(), target.top() + 2)  # the upper edge: before it
    # What a drag does once the mouse is over the list: enter, move, drop.
    events: list[QDropEvent] = [
        kind(at, Qt.DropAction.MoveAction, dragged, Qt.MouseButton.LeftButton,
             Qt.KeyboardModifier.NoModifier) for kind in (QDragEnterEvent, QDragMoveEvent)]
    events.append(QDropEvent(QPointF(at), Qt.DropAction.MoveAction, dragged,
                             Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))

    def drag() -> None:
        for event in events:
            QApplication.sendEvent(view.viewport(), event)
            assert event.isAccepted()

    loaded_after(qtbot, section, drag)

    assert stored_order(org, hardware.type_id) == [
        "Serial number", "Hardware type", "Brand", "Model"]
    assert preview_labels(section) == ["Serial number", "Hardware type", "Brand", "Model"]


def test_global_fields_are_defined_once_and_shown_first_and_fixed_in_every_type(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, None)
    assert section.types.box.isHidden()
    assert section.types.global_note.isVisible()
    start_field(qtbot, section, "Customer reference", FieldKind.TEXT)
    save_field(qtbot, section)
    assert section.types.model.index(0, 1).data() == "1"

    open_type(qtbot, section, hardware.type_id)
    assert preview_labels(section)[0] == "Customer reference"
    open_field(qtbot, section, "Customer reference")
    assert not section.up_button.isEnabled()
    assert not section.remove_field_button.isEnabled()
    assert "global field" in section.editor.note.text()


# --- Fields tickets use ---------------------------------------------------------------------


def test_removing_a_used_field_says_how_many_tickets_and_keeps_their_values_in_history(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware,
        asked: Asked) -> None:
    ticket_id = hardware_ticket(org, hardware, serial="SN-1234")
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    open_field(qtbot, section, "Serial number")
    assert section.editor.note.text() == "1 ticket holds a value for this field."

    asked.answer = False
    click(qtbot, section.remove_field_button)
    assert asked.texts == ["1 ticket holds a value for 'Serial number'; removing it keeps it "
                           "in its ticket's history.\n\nRemove 'Serial number'?"]
    assert "Serial number" in stored_order(org, hardware.type_id)

    asked.answer = True
    loaded_after(qtbot, section, lambda: click(qtbot, section.remove_field_button))
    assert "Serial number" not in stored_order(org, hardware.type_id)
    assert "Serial number" not in preview_labels(section)
    with org.ws.read() as session:
        kept = session.scalars(select(HistoryEvent).where(
            HistoryEvent.ticket_id == ticket_id,
            HistoryEvent.kind == EventKind.FIELD_REMOVED)).all()
        assert [(e.field, e.old_value) for e in kept] == [("custom:Serial number", "SN-1234")]


def test_a_field_others_depend_on_cannot_be_removed_and_says_why(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware,
        asked: Asked) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    open_field(qtbot, section, "Brand")
    message = refused_after(qtbot, section, lambda: click(qtbot, section.remove_field_button))

    assert asked.texts == ["No ticket holds a value for 'Brand'; removing it loses nothing."
                           "\n\nRemove 'Brand'?"]
    assert message == "'Model' depends on 'Brand'; remove it, or give it another parent, first."
    assert section.fields_error.text() == message
    assert section.fields_error.isVisible()


def test_renaming_a_used_field_keeps_its_values(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware,
        asked: Asked) -> None:
    ticket_id = hardware_ticket(org, hardware, serial="SN-1234")
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    open_field(qtbot, section, "Serial number")
    section.editor.label_edit.selectAll()
    qtbot.keyClicks(section.editor.label_edit, "Serial")
    assert "Serial" in preview_labels(section)  # the unsaved name, live
    save_field(qtbot, section)

    assert asked.texts == ["1 ticket holds a value for 'Serial number'; renaming it to "
                           "'Serial' keeps them.\n\nSave 'Serial'?"]
    assert stored_value(org, ticket_id, hardware.serial) == "SN-1234"
    assert section.editor.heading.text() == "The field 'Serial'"


def test_a_change_the_held_values_would_not_fit_is_refused_beside_the_kind(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware,
        asked: Asked) -> None:
    ticket_id = hardware_ticket(org, hardware, serial="SN-1234")
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    open_field(qtbot, section, "Serial number")
    choose(qtbot, section.editor.kind_combo, KIND_NAMES[FieldKind.NUMERIC])
    message = refused_after(qtbot, section, lambda: click(qtbot, section.editor.save_button))

    assert asked.texts is not None
    assert "every one must fit the new definition" in asked.texts[0]
    assert section.editor.error_text("kind") == message
    assert message.startswith("1 ticket holds a value of 'Serial number' the new definition "
                              "would refuse, such as 'SN-1234'")
    assert stored_value(org, ticket_id, hardware.serial) == "SN-1234"


# --- Types ----------------------------------------------------------------------------------


def test_a_type_tickets_use_cannot_be_deleted_and_says_how_many(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware,
        asked: Asked) -> None:
    hardware_ticket(org, hardware)
    hardware_ticket(org, hardware)
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    click(qtbot, section.types.delete_button)

    assert asked.texts == []
    assert section.types.list_error.text() == (
        "2 tickets are of type 'Hardware': give them another type before deleting it.")
    assert section.types.model.row_of(hardware.type_id) > 0


def test_an_unused_type_is_deleted_with_its_fields_after_asking(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware,
        asked: Asked) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    loaded_after(qtbot, section, lambda: click(qtbot, section.types.delete_button))

    assert asked.texts == ["No ticket uses 'Hardware'; deleting it removes its 4 fields."
                           "\n\nDelete 'Hardware'?"]
    assert section.types.model.row_of(hardware.type_id) == -1
    assert section.types.view.currentIndex().data() == "Global fields"


def test_a_type_name_already_taken_is_refused_beside_the_name(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware) -> None:
    section = designer(org.ramon)
    loaded_after(qtbot, section, lambda: click(qtbot, section.types.new_button))
    qtbot.keyClicks(section.types.name_edit, "hardware")
    message = refused_after(qtbot, section, lambda: click(qtbot, section.types.save_button))

    assert message == "There is already a ticket type called 'hardware'."
    assert section.types.errors["name"].text() == message
    assert section.types.name_edit.text() == "hardware"


# --- Models and access ----------------------------------------------------------------------


def test_the_lists_are_sound_models(
        qtbot: QtBot, qtmodeltester: ModelTester, org: Org, designer: MakeDesigner,
        hardware: Hardware) -> None:
    section = designer(org.ramon)
    open_type(qtbot, section, hardware.type_id)
    qtmodeltester.check(section.types.model)
    qtmodeltester.check(section.field_model)
    assert [section.types.model.index(r, 0).data()
            for r in range(section.types.model.rowCount())] == ["Global fields", "Hardware"]
    assert section.field_model.index(section.field_model.row_of(hardware.model), 1).data() == (
        "Linked, under Brand")


def test_the_source_loads_no_qt() -> None:
    """It runs on workers and could run headless: plain functions over the store."""
    script = ("import sys, desktopdesk.ui.admin.types_source; "
              "print(sorted(m for m in sys.modules if m.startswith('PySide6')))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_someone_without_manage_is_refused_by_every_read_and_write(
        org: Org, hardware: Hardware) -> None:
    attempts: list[Callable[[], object]] = [
        lambda: types_source.load_catalogue(org.ws, org.tomas),
        lambda: types_source.load_design(org.ws, org.tomas, hardware.type_id),
        lambda: types_source.save_type(org.ws, org.tomas, TypeDraft(None, "Network", "", ())),
        lambda: types_source.delete_type(org.ws, org.tomas, hardware.type_id),
        lambda: types_source.save_field(org.ws, org.tomas, AddCustomField(
            ticket_type_id=hardware.type_id, label="Rack")),
        lambda: types_source.remove_field(org.ws, org.tomas, hardware.serial),
        lambda: types_source.reorder_fields(org.ws, org.tomas, hardware.type_id, (
            hardware.serial, hardware.kind, hardware.brand, hardware.model)),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as refusal:
            attempt()
        assert refusal.value.code == FORBIDDEN
    assert stored_order(org, hardware.type_id) == [
        "Hardware type", "Brand", "Model", "Serial number"]
    # The same commands from a manager go through.
    org.do(ReorderCustomFields(ticket_type_id=hardware.type_id, field_ids=(
        hardware.serial, hardware.kind, hardware.brand, hardware.model)), org.ramon)
    org.do(RemoveCustomField(field_id=hardware.serial), org.ramon)


def test_the_designer_reads_in_light_and_dark_with_a_refusal_shown(
        qtbot: QtBot, org: Org, designer: MakeDesigner, hardware: Hardware,
        schemes: Schemes) -> None:
    section = designer(org.ramon)
    open_field(qtbot, section, "Model")
    section.editor.linked.text.selectAll()
    qtbot.keyClicks(section.editor.linked.text, "Acer Swift|Swift 3")
    refused_after(qtbot, section, lambda: click(qtbot, section.editor.save_button))
    schemes.settle()

    assert_scheme(section, schemes)
    assert unreadable(section) == []
