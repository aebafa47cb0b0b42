"""The custom-field form, driven through its real widgets: cascades, values, refusals."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
)
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import AddCustomField, CreateTicketType
from desktopdesk.domain.ticket_form import CustomFieldSpec, field_specs
from desktopdesk.models import FieldKind
from desktopdesk.ui.custom_field_form import NOT_OFFERED, CustomFieldForm, OptionalDateEdit
from tests.conftest import Org
from tests.ui.conftest import Embed, choose, offered, popup_warnings

HARDWARE, BRAND, MODEL = (uuid.UUID(int=n) for n in (1, 2, 3))
TEXT, NOTES, BOUGHT, UNITS, URGENT, SITE = (uuid.UUID(int=n) for n in range(10, 16))

CHAIN = (
    CustomFieldSpec(HARDWARE, "Hardware type", FieldKind.LINKED, required=True,
                    options=("Laptop", "Printer")),
    CustomFieldSpec(BRAND, "Brand", FieldKind.LINKED, parent_field_id=HARDWARE,
                    linked_values=(("Laptop", "HP"), ("Laptop", "Lenovo"),
                                   ("Printer", "Brother"))),
    CustomFieldSpec(MODEL, "Model", FieldKind.LINKED, parent_field_id=BRAND,
                    linked_values=(("HP", "EliteBook 840"), ("Lenovo", "ThinkPad X1"),
                                   ("Lenovo", "ThinkPad T14"), ("Brother", "HL-L2350"))),
)
EVERY_KIND = (
    CustomFieldSpec(TEXT, "Asset tag", FieldKind.TEXT, help_text="The sticker on the device"),
    CustomFieldSpec(NOTES, "Notes", FieldKind.TEXTAREA),
    CustomFieldSpec(BOUGHT, "Purchased", FieldKind.DATE),
    CustomFieldSpec(UNITS, "Units", FieldKind.NUMERIC, numeric_min=1, numeric_max=50),
    CustomFieldSpec(URGENT, "Urgent", FieldKind.CHECKBOX),
    CustomFieldSpec(SITE, "Site", FieldKind.COMBO, options=("", "HQ", "Branch")),
)

MakeForm = Callable[..., CustomFieldForm]


@pytest.fixture
def make_form(embed: Embed) -> MakeForm:
    """A form inside a plain shown window (``embed``)."""

    def make(specs: tuple[CustomFieldSpec, ...],
             values: dict[str, str] | None = None) -> CustomFieldForm:
        form = CustomFieldForm()
        form.set_fields(specs, values or {})
        embed(form, 480, 480)
        return form

    return make


def combo(form: CustomFieldForm, field_id: uuid.UUID) -> QComboBox:
    editor = form.editor(field_id)
    assert isinstance(editor, QComboBox)
    return editor


def error_under(form: CustomFieldForm, field_id: uuid.UUID) -> str:
    label = form.findChild(QLabel, f"error_custom:{field_id}")
    assert label is not None
    return label.text() if label.isVisible() else ""


# --- Linked fields ------------------------------------------------------------------------


def test_a_three_level_linked_chain_cascades(qtbot: QtBot, make_form: MakeForm) -> None:
    form = make_form(CHAIN)
    hardware, brand, model = (combo(form, f) for f in (HARDWARE, BRAND, MODEL))
    assert offered(hardware) == ["", "Laptop", "Printer"]
    assert not brand.isEnabled()  # waits for a hardware type
    assert brand.toolTip() == "Choose Hardware type first."

    with qtbot.waitSignal(form.values_changed):
        choose(qtbot, hardware, "Laptop")
    assert offered(brand) == ["", "HP", "Lenovo"]
    assert brand.isEnabled()
    assert not model.isEnabled()
    choose(qtbot, brand, "Lenovo")
    assert offered(model) == ["", "ThinkPad X1", "ThinkPad T14"]
    choose(qtbot, model, "ThinkPad T14")
    assert form.values() == {str(HARDWARE): "Laptop", str(BRAND): "Lenovo",
                             str(MODEL): "ThinkPad T14"}

    choose(qtbot, hardware, "Printer")
    assert offered(brand) == ["", "Brother"]
    assert offered(model) == [""]
    assert not model.isEnabled()
    assert form.values() == {str(HARDWARE): "Printer", str(BRAND): "", str(MODEL): ""}


def test_a_child_keeps_its_value_when_the_parent_still_offers_it(
    qtbot: QtBot, make_form: MakeForm,
) -> None:
    shared = (
        CHAIN[0],
        CustomFieldSpec(BRAND, "Brand", FieldKind.LINKED, parent_field_id=HARDWARE,
                        linked_values=(("Laptop", "HP"), ("Printer", "HP"),
                                       ("Printer", "Brother"))),
    )
    form = make_form(shared, {str(HARDWARE): "Laptop", str(BRAND): "HP"})
    choose(qtbot, combo(form, HARDWARE), "Printer")
    assert form.values() == {str(HARDWARE): "Printer", str(BRAND): "HP"}


def test_a_stored_value_no_longer_offered_is_shown_and_kept(
    qtbot: QtBot, make_form: MakeForm,
) -> None:
    form = make_form(CHAIN + EVERY_KIND, {
        str(HARDWARE): "Laptop", str(BRAND): "Lenovo", str(MODEL): "ThinkPad X1 Carbon",
        str(SITE): "Basement"})
    model, site = combo(form, MODEL), combo(form, SITE)
    assert model.currentText() == f"ThinkPad X1 Carbon {NOT_OFFERED}"
    assert site.currentText() == f"Basement {NOT_OFFERED}"
    assert form.values()[str(MODEL)] == "ThinkPad X1 Carbon"
    assert form.values()[str(SITE)] == "Basement"
    choose(qtbot, combo(form, BRAND), "HP")  # the parent moved on: the old model goes
    assert NOT_OFFERED not in " ".join(offered(model))
    assert form.values()[str(MODEL)] == ""


# --- Values -------------------------------------------------------------------------------


def test_stored_values_of_every_kind_come_back_unchanged(make_form: MakeForm) -> None:
    stored = {str(TEXT): "PC-0042", str(NOTES): "Second line\nthird line",
              str(BOUGHT): "2025-11-03", str(UNITS): "12.5", str(URGENT): "1",
              str(SITE): "Branch", str(HARDWARE): "Printer", str(BRAND): "Brother",
              str(MODEL): "HL-L2350"}
    form = make_form(EVERY_KIND + CHAIN, stored)
    assert form.values() == stored


def test_empty_fields_read_as_empty_and_an_unticked_box_as_zero(make_form: MakeForm) -> None:
    form = make_form(EVERY_KIND)
    assert form.values() == {str(TEXT): "", str(NOTES): "", str(BOUGHT): "", str(UNITS): "",
                             str(URGENT): "0", str(SITE): ""}
    date = form.editor(BOUGHT)
    assert isinstance(date, OptionalDateEdit)
    assert date.line_edit.placeholderText() == "YYYY-MM-DD"


def test_typed_values_of_every_kind(qtbot: QtBot, make_form: MakeForm) -> None:
    form = make_form(EVERY_KIND)
    changes: list[None] = []
    form.values_changed.connect(lambda: changes.append(None))
    text, notes, units = form.editor(TEXT), form.editor(NOTES), form.editor(UNITS)
    urgent, date = form.editor(URGENT), form.editor(BOUGHT)
    assert isinstance(text, QLineEdit)
    assert isinstance(notes, QPlainTextEdit)
    assert isinstance(units, QLineEdit)
    assert isinstance(urgent, QCheckBox)
    assert isinstance(date, OptionalDateEdit)
    qtbot.keyClicks(text, "PC-0042")
    qtbot.keyClicks(notes, "Fan is loud")
    qtbot.keyClicks(units, "1x2.5")  # the letter is refused as it is typed
    urgent.setFocus()
    qtbot.keyClick(urgent, Qt.Key.Key_Space)
    qtbot.keyClicks(date.line_edit, "2026-02-27x")
    choose(qtbot, combo(form, SITE), "HQ")
    assert form.values() == {str(TEXT): "PC-0042", str(NOTES): "Fan is loud",
                             str(BOUGHT): "2026-02-27", str(UNITS): "12.5",
                             str(URGENT): "1", str(SITE): "HQ"}
    assert changes

    date.line_edit.selectAll()
    qtbot.keyClick(date.line_edit, Qt.Key.Key_Delete)
    assert form.values()[str(BOUGHT)] == ""


@popup_warnings  # the calendar is a popup
def test_a_date_can_be_picked_from_the_calendar(qtbot: QtBot, make_form: MakeForm) -> None:
    form = make_form(EVERY_KIND, {str(BOUGHT): "2025-11-03"})
    date = form.editor(BOUGHT)
    assert isinstance(date, OptionalDateEdit)
    qtbot.mouseClick(date.calendar_button, Qt.MouseButton.LeftButton)
    assert date.calendar.isVisible()
    assert date.calendar.selectedDate() == QDate(2025, 11, 3)  # opens on the date shown
    days = date.calendar.findChild(QAbstractItemView)
    assert days is not None
    qtbot.keyClick(days, Qt.Key.Key_Right)
    qtbot.keyClick(days, Qt.Key.Key_Return)
    assert not date.calendar.isVisible()
    assert form.values()[str(BOUGHT)] == "2025-11-04"


def test_numeric_bounds_and_help_are_shown_and_required_fields_marked(
    make_form: MakeForm,
) -> None:
    form = make_form(EVERY_KIND + CHAIN)
    units = form.editor(UNITS)
    assert isinstance(units, QLineEdit)
    assert units.placeholderText() == "A number from 1 to 50"
    assert form.editor(TEXT).toolTip() == "The sticker on the device"
    assert form.editor(TEXT).whatsThis() == "The sticker on the device"
    captions = {label.buddy(): label.text() for label in form.findChildren(QLabel)
                if label.buddy() is not None}
    assert captions[form.editor(HARDWARE)] == "Hardware type *"
    assert captions[form.editor(BRAND)] == "Brand"


# --- Refusals and read-only ---------------------------------------------------------------


def test_a_refusal_is_shown_under_the_field_it_names(qtbot: QtBot, make_form: MakeForm) -> None:
    form = make_form(EVERY_KIND)
    assert form.show_error(f"custom:{UNITS}", "'Units' must be at most 50.")
    assert error_under(form, UNITS) == "'Units' must be at most 50."
    assert error_under(form, TEXT) == ""
    label = form.findChild(QLabel, f"error_custom:{UNITS}")
    assert label is not None
    units = form.editor(UNITS)
    below = units.mapTo(form, units.rect().bottomLeft())
    assert label.geometry().top() >= below.y()
    assert label.geometry().top() < form.editor(URGENT).mapTo(form, units.rect().topLeft()).y()
    assert not form.show_error("title", "A ticket needs a title.")
    assert not form.show_error(f"custom:{uuid.uuid4()}", "Elsewhere")

    qtbot.keyClicks(units, "5")  # answering the field takes its message away
    assert error_under(form, UNITS) == ""
    form.show_error(f"custom:{TEXT}", "Too long")
    form.clear_errors()
    assert error_under(form, TEXT) == ""


def test_read_only_shows_the_reason_on_every_editor(make_form: MakeForm) -> None:
    form = make_form(EVERY_KIND + CHAIN, {str(HARDWARE): "Laptop"})
    form.set_read_only("The ticket is closed.")
    for field_id in (TEXT, NOTES, BOUGHT, UNITS, URGENT, SITE, HARDWARE, BRAND, MODEL):
        editor = form.editor(field_id)
        assert editor.toolTip() == "The ticket is closed."
        read_only = getattr(editor, "isReadOnly", lambda: False)()
        assert read_only or not editor.isEnabled(), field_id
    units = form.editor(UNITS)
    assert isinstance(units, QLineEdit)
    assert units.placeholderText() == ""  # no hint to type where nothing can be typed

    form.set_read_only(None)
    assert units.placeholderText() == "A number from 1 to 50"
    assert form.editor(SITE).isEnabled()
    assert not form.editor(TEXT).isReadOnly()  # type: ignore[attr-defined]
    assert form.editor(TEXT).toolTip() == "The sticker on the device"
    assert form.editor(BRAND).isEnabled()  # Laptop offers brands
    assert not form.editor(MODEL).isEnabled()  # no brand yet: nothing to offer


def test_rebuilding_replaces_the_fields(make_form: MakeForm) -> None:
    form = make_form(EVERY_KIND, {str(TEXT): "PC-0042"})
    form.set_fields(CHAIN, {str(HARDWARE): "Printer"})
    assert set(form.values()) == {str(HARDWARE), str(BRAND), str(MODEL)}
    assert offered(combo(form, BRAND)) == ["", "Brother"]
    with pytest.raises(KeyError):
        form.editor(TEXT)


# --- Over the real store ------------------------------------------------------------------


def test_fields_defined_in_the_store_cascade_in_the_form(
    qtbot: QtBot, org: Org, make_form: MakeForm,
) -> None:
    hardware_type = org.do(CreateTicketType(name="Hardware"), org.admin).created_id
    assert hardware_type is not None
    kind = org.do(AddCustomField(ticket_type_id=hardware_type, label="Hardware type",
                                 kind=FieldKind.LINKED, options=("Laptop", "Printer")),
                  org.admin).created_id
    brand = org.do(AddCustomField(ticket_type_id=hardware_type, label="Brand",
                                  kind=FieldKind.LINKED, parent_field_id=kind,
                                  linked_values=(("Laptop", "HP"), ("Laptop", "Lenovo"),
                                                 ("Printer", "Brother"))),
                   org.admin).created_id
    model = org.do(AddCustomField(ticket_type_id=hardware_type, label="Model",
                                  kind=FieldKind.LINKED, parent_field_id=brand,
                                  linked_values=(("HP", "EliteBook 840"),
                                                 ("Lenovo", "ThinkPad X1"))),
                   org.admin).created_id
    assert kind is not None
    assert brand is not None
    assert model is not None
    with org.ws.read() as session:
        specs = field_specs(session, hardware_type)
    form = make_form(specs)
    choose(qtbot, combo(form, kind), "Laptop")
    assert offered(combo(form, brand)) == ["", "HP", "Lenovo"]
    choose(qtbot, combo(form, brand), "HP")
    assert offered(combo(form, model)) == ["", "EliteBook 840"]
    choose(qtbot, combo(form, model), "EliteBook 840")
    choose(qtbot, combo(form, kind), "Printer")
    assert form.values() == {str(kind): "Printer", str(brand): "", str(model): ""}
