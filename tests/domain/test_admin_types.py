"""The type and field designer's commands: change, reorder, remove, never lose a value."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain.admin_queries import type_design
from desktopdesk.domain.commands import (
    AddCustomField,
    CreateTicket,
    CreateTicketType,
    DeleteTicketType,
    RemoveCustomField,
    ReorderCustomFields,
    UpdateCustomField,
    UpdateGroup,
    UpdateTicketFields,
    UpdateTicketType,
)
from desktopdesk.domain.errors import VALIDATION
from desktopdesk.domain.fields import parse_combo_options, parse_linked_values
from desktopdesk.domain.history import EventKind
from desktopdesk.models import CustomField, Group, TicketType, TicketTypeGroup
from tests.conftest import Org
from tests.domain.support import custom_values, history, new_ticket, reading, refused, snapshot

MANUAL_KINDS = "Laptop,PC,Keyboard,Mouse,Monitor,Other"
MANUAL_BRANDS = ("Laptop|HP,Laptop|Lenovo,Laptop|Mac,PC|HP,PC|Dell,Keyboard|ES,Keyboard|UK,"
                 "Keyboard|Mac,Mouse|Mac,Mouse|Logi,Mouse|HP,Mouse|Microsoft,Other| trackball")


def add_type(org: Org, name: str, *groups: uuid.UUID) -> uuid.UUID:
    result = org.do(CreateTicketType(name=name, group_ids=groups), org.ramon)
    assert result.created_id is not None
    return result.created_id


def add_field(org: Org, type_id: uuid.UUID | None, label: str, **kwargs: Any) -> uuid.UUID:
    result = org.do(AddCustomField(ticket_type_id=type_id, label=label, **kwargs), org.ramon)
    assert result.created_id is not None
    return result.created_id


def definition(org: Org, field_id: uuid.UUID) -> Any:
    with reading(org) as session:
        field = session.get(CustomField, field_id)
        assert field is not None
        design = type_design(session, field.ticket_type_id)
    return next(f for f in design.fields if f.id == field_id)


def change(org: Org, field_id: uuid.UUID, **changes: Any) -> UpdateCustomField:
    command: UpdateCustomField = definition(org, field_id).update(**changes)
    return command


def field_row(org: Org, field_id: uuid.UUID) -> CustomField:
    with reading(org) as session:
        row = session.get(CustomField, field_id)
        assert row is not None
        return row


@dataclass
class Hardware:
    type_id: uuid.UUID
    kind: uuid.UUID
    brand: uuid.UUID
    size: uuid.UUID


@pytest.fixture
def hardware(org: Org) -> Hardware:
    type_id = add_type(org, "Hardware")
    kind = add_field(org, type_id, "Hardware type", kind="linked",
                     options=tuple(parse_combo_options(MANUAL_KINDS)))
    brand = add_field(org, type_id, "Brand", kind="linked", parent_field_id=kind,
                      linked_values=tuple(parse_linked_values(MANUAL_BRANDS)))
    size = add_field(org, type_id, "Size", kind="text")
    return Hardware(type_id, kind, brand, size)


def file_ticket(org: Org, hw: Hardware, **values: str) -> uuid.UUID:
    return new_ticket(org, org.ana, ticket_type_id=hw.type_id,
                      custom_values={str(getattr(hw, k)): v for k, v in values.items()})


# --- Ticket types -------------------------------------------------------------------------


def test_a_type_is_renamed_described_and_offered_to_other_groups(org: Org) -> None:
    type_id = add_type(org, "Hardware", org.support)

    org.do(UpdateTicketType(ticket_type_id=type_id, name="Kit", description="Things that break",
                            group_ids=(org.acme_group,)), org.ramon)

    with reading(org) as session:
        row = session.get(TicketType, type_id)
        assert row is not None
        assert (row.name, row.description) == ("Kit", "Things that break")
        groups = set(session.scalars(select(TicketTypeGroup.group_id).where(
            TicketTypeGroup.ticket_type_id == type_id)))
    assert groups == {org.acme_group}
    refused(org, CreateTicket(title="t", group_id=org.support, ticket_type_id=type_id),
            org.tomas, VALIDATION)  # no longer offered in Support
    new_ticket(org, org.ana, ticket_type_id=type_id)


def test_a_type_name_stays_unique(org: Org) -> None:
    add_type(org, "Hardware")
    software = add_type(org, "Software")

    error = refused(org, UpdateTicketType(ticket_type_id=software, name="HARDWARE"), org.ramon,
                    VALIDATION)

    assert error.field == "name"
    assert "already a ticket type called 'HARDWARE'" in error.message
    org.do(UpdateTicketType(ticket_type_id=software, name="SOFTWARE"), org.ramon)  # own name


def test_a_group_default_type_keeps_being_offered_to_that_group(org: Org) -> None:
    type_id = add_type(org, "Hardware")
    org.do(UpdateGroup(group_id=org.acme_group, changes={"default_ticket_type_id": str(type_id)}),
           org.admin)

    error = refused(org, UpdateTicketType(ticket_type_id=type_id, name="Hardware",
                                          group_ids=(org.support,)), org.ramon, VALIDATION)

    assert error.field == "group_ids"
    assert "'Acme'" in error.message


def test_a_type_tickets_use_cannot_be_deleted(org: Org, hardware: Hardware) -> None:
    for _ in range(2):
        file_ticket(org, hardware)
    before = snapshot(org)

    error = refused(org, DeleteTicketType(ticket_type_id=hardware.type_id), org.ramon,
                    VALIDATION)

    assert "2 tickets of type 'Hardware' exist" in error.message
    assert snapshot(org) == before


def test_an_unused_type_goes_with_its_fields_and_default_uses(org: Org,
                                                              hardware: Hardware) -> None:
    org.do(UpdateGroup(group_id=org.acme_group,
                       changes={"default_ticket_type_id": str(hardware.type_id)}), org.admin)

    org.do(DeleteTicketType(ticket_type_id=hardware.type_id), org.ramon)

    with reading(org) as session:
        assert session.get(TicketType, hardware.type_id) is None
        assert session.scalars(select(CustomField).where(
            CustomField.ticket_type_id == hardware.type_id)).all() == []
        group = session.get(Group, org.acme_group)
        assert group is not None
        assert group.default_ticket_type_id is None


# --- Changing fields ----------------------------------------------------------------------


def test_renaming_a_field_keeps_every_value(org: Org, hardware: Hardware) -> None:
    ticket_id = file_ticket(org, hardware, kind="Laptop", brand="HP", size="15 inch")

    org.do(change(org, hardware.size, label="Screen size"), org.ramon)

    assert custom_values(org, ticket_id)[hardware.size] == "15 inch"
    assert field_row(org, hardware.size).label == "Screen size"
    org.do(UpdateTicketFields(ticket_id=ticket_id,
                              changes={f"custom:{hardware.size}": "17 inch"}), org.ana)
    assert [e.field for e in history(org, ticket_id, EventKind.FIELD_CHANGED)] == [
        "custom:Screen size"]


def test_a_renamed_label_must_stay_unique_within_the_type(org: Org, hardware: Hardware) -> None:
    add_field(org, None, "Customer ref")

    for clash in ("brand", "Customer ref"):
        error = refused(org, change(org, hardware.size, label=clash), org.ramon, VALIDATION)
        assert error.field == "label"
        assert clash in error.message
    org.do(change(org, hardware.size, label="SIZE"), org.ramon)  # its own label, recased


def test_flags_help_and_bounds_are_saved(org: Org, hardware: Hardware) -> None:
    units = add_field(org, hardware.type_id, "Units", kind="numeric")

    org.do(change(org, units, required=True, show_in_list=True, help_text=" How many ",
                  numeric_min=1.0, numeric_max=10.0), org.ramon)

    row = field_row(org, units)
    assert (row.required, row.show_in_list, row.help_text) == (True, True, "How many")
    assert (row.numeric_min, row.numeric_max) == (1.0, 10.0)
    refused(org, CreateTicket(title="t", group_id=org.acme_group, ticket_type_id=hardware.type_id,
                              custom_values={str(units): "11"}), org.ana, VALIDATION)


def test_a_kind_change_all_values_fit_is_made(org: Org, hardware: Hardware) -> None:
    one = file_ticket(org, hardware, size="12")
    other = file_ticket(org, hardware, size="3.50")

    org.do(change(org, hardware.size, kind="numeric"), org.ramon)

    assert custom_values(org, one)[hardware.size] == "12"
    assert custom_values(org, other)[hardware.size] == "3.5"  # stored as a number now
    rewrite = history(org, other, EventKind.FIELD_CHANGED)[-1]
    assert (rewrite.old_value, rewrite.new_value) == ("3.50", "3.5")
    refused(org, UpdateTicketFields(ticket_id=one, changes={f"custom:{hardware.size}": "big"}),
            org.ana, VALIDATION)


def test_a_kind_change_some_values_do_not_fit_is_refused_saying_how_many(
        org: Org, hardware: Hardware) -> None:
    file_ticket(org, hardware, size="12")
    file_ticket(org, hardware, size="big")
    file_ticket(org, hardware, size="huge")
    before = snapshot(org)

    error = refused(org, change(org, hardware.size, kind="numeric"), org.ramon, VALIDATION)

    assert error.field == "kind"
    assert error.message.startswith("2 tickets hold values of 'Size'")
    assert "needs a number" in error.message
    assert snapshot(org) == before
    assert field_row(org, hardware.size).kind == "text"


def test_options_tickets_hold_cannot_be_dropped(org: Org, hardware: Hardware) -> None:
    urgency = add_field(org, hardware.type_id, "Urgency", kind="combo",
                        options=tuple(parse_combo_options(",Low,High")))
    ticket_id = new_ticket(org, org.ana, ticket_type_id=hardware.type_id,
                           custom_values={str(urgency): "High"})

    error = refused(org, change(org, urgency, options=("", "Low", "Urgent")), org.ramon,
                    VALIDATION)
    assert error.field == "options"
    assert "1 ticket holds a value of 'Urgency'" in error.message
    assert "'High'" in error.message

    org.do(change(org, urgency, options=("", "Low", "High", "Urgent")), org.ramon)
    assert field_row(org, urgency).options == ["", "Low", "High", "Urgent"]
    assert custom_values(org, ticket_id)[urgency] == "High"


def test_a_combo_is_defined_one_option_per_line_or_as_the_manuals_comma_list(
        org: Org, hardware: Hardware) -> None:
    lines = add_field(org, hardware.type_id, "Colour", kind="combo",
                      options=tuple(parse_combo_options("Red\nGreen\n\nBlue\n")))
    commas = add_field(org, hardware.type_id, "Answer", kind="combo",
                       options=tuple(parse_combo_options(",Yes,No")))

    assert field_row(org, lines).options == ["Red", "Green", "Blue"]
    assert field_row(org, commas).options == ["", "Yes", "No"]  # the manual's empty first


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"kind": "combo", "options": ("",)}, "options", "at least one option"),
    ({"kind": "combo", "options": ("A", "B", "A")}, "options", "'A' is listed twice"),
    ({"kind": "numeric", "numeric_min": 5.0, "numeric_max": 1.0}, "numeric_min", "minimum"),
    ({"kind": "colour"}, "kind", "Unknown field kind"),
    ({"label": " "}, "label", "needs a label"),
])
def test_bad_definitions_are_refused_on_change_too(org: Org, hardware: Hardware,
                                                   changes: dict[str, Any], field: str,
                                                   words: str) -> None:
    error = refused(org, change(org, hardware.size, **changes), org.ramon, VALIDATION)

    assert error.field == field
    assert words in error.message


def test_a_parent_keeps_the_values_its_children_name(org: Org, hardware: Hardware) -> None:
    error = refused(org, change(org, hardware.kind, options=("Laptop", "PC")), org.ramon,
                    VALIDATION)

    assert error.field == "options"
    assert "'Brand' has values under 'Keyboard'" in error.message
    refused(org, change(org, hardware.kind, kind="combo"), org.ramon, VALIDATION)
    org.do(change(org, hardware.kind, options=(*parse_combo_options(MANUAL_KINDS), "Phone")),
           org.ramon)


def test_a_linked_child_value_needs_its_parent_value(org: Org, hardware: Hardware) -> None:
    error = refused(org, change(org, hardware.brand,
                                linked_values=(("Laptop", "HP"), ("Phone", "Nokia"))),
                    org.ramon, VALIDATION)

    assert error.field == "linked"
    assert "'Phone' is not a value of 'Hardware type'" in error.message


def test_a_cycle_of_parents_is_refused(org: Org, hardware: Hardware) -> None:
    model = add_field(org, hardware.type_id, "Model", kind="linked",
                      parent_field_id=hardware.brand, linked_values=(("HP", "EliteBook"),))

    error = refused(org, change(org, hardware.kind, parent_field_id=model,
                                linked_values=(("EliteBook", "Laptop"),)), org.ramon, VALIDATION)

    assert error.field == "parent"
    assert "'Hardware type' cannot depend on 'Model'" in error.message
    refused(org, change(org, model, parent_field_id=model), org.ramon, VALIDATION)


def test_chains_of_any_depth_cascade_after_a_change(org: Org, hardware: Hardware) -> None:
    model = add_field(org, hardware.type_id, "Model", kind="linked",
                      parent_field_id=hardware.brand, linked_values=(("HP", "EliteBook"),))
    engine = add_field(org, hardware.type_id, "Motor", kind="linked", parent_field_id=model,
                       linked_values=(("EliteBook", "i7"),))

    org.do(change(org, engine, linked_values=(("EliteBook", "i7"), ("EliteBook", "i9"))),
           org.ramon)

    ticket_id = file_ticket(org, hardware, kind="Laptop", brand="HP")
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={
        f"custom:{model}": "EliteBook", f"custom:{engine}": "i9"}), org.ana)
    assert custom_values(org, ticket_id)[engine] == "i9"


def test_a_child_whose_tickets_would_lose_their_pairing_is_refused(
        org: Org, hardware: Hardware) -> None:
    file_ticket(org, hardware, kind="PC", brand="Dell")

    error = refused(org, change(org, hardware.brand, linked_values=(("Laptop", "Dell"),)),
                    org.ramon, VALIDATION)

    assert "1 ticket holds a value of 'Brand'" in error.message
    assert "'Dell' is not a valid 'Brand' for 'PC'" in error.message


def test_a_global_field_is_edited_once_for_every_type(org: Org, hardware: Hardware) -> None:
    software = add_type(org, "Software")
    ref = add_field(org, None, "Customer ref")

    org.do(change(org, ref, label="Customer reference", required=True), org.ramon)

    with reading(org) as session:
        for type_id in (hardware.type_id, software, None):
            labels = {f.label: f.required for f in type_design(session, type_id).fields}
            assert labels["Customer reference"] is True


# --- Reordering ---------------------------------------------------------------------------


def test_fields_are_shown_in_the_new_order(org: Org, hardware: Hardware) -> None:
    ref = add_field(org, None, "Customer ref")
    order = (hardware.size, hardware.kind, hardware.brand)

    org.do(ReorderCustomFields(ticket_type_id=hardware.type_id, field_ids=order), org.ramon)

    with reading(org) as session:
        shown = [f.id for f in type_design(session, hardware.type_id).fields]
    assert shown == [ref, *order]  # globals first, then the type's own in its order


@pytest.mark.parametrize(("which", "words"), [
    ("missing", "leaves out 'Size'"),
    ("twice", "twice"),
    ("stranger", "not one of this type's fields"),
])
def test_a_reorder_names_every_field_once(org: Org, hardware: Hardware, which: str,
                                          words: str) -> None:
    ref = add_field(org, None, "Customer ref")
    ids = {"missing": (hardware.kind, hardware.brand),
           "twice": (hardware.kind, hardware.brand, hardware.size, hardware.kind),
           "stranger": (hardware.kind, hardware.brand, hardware.size, ref)}[which]

    error = refused(org, ReorderCustomFields(ticket_type_id=hardware.type_id, field_ids=ids),
                    org.ramon, VALIDATION)

    assert error.field == "field_ids"
    assert words in error.message


def test_global_fields_are_ordered_on_their_own(org: Org) -> None:
    first = add_field(org, None, "First")
    second = add_field(org, None, "Second")

    org.do(ReorderCustomFields(ticket_type_id=None, field_ids=(second, first)), org.ramon)

    with reading(org) as session:
        assert [f.label for f in type_design(session, None).fields] == ["Second", "First"]


# --- Removing fields ----------------------------------------------------------------------


def test_removing_a_field_keeps_each_value_in_its_tickets_history(
        org: Org, hardware: Hardware) -> None:
    with_value = file_ticket(org, hardware, kind="Laptop", brand="Mac", size="13 inch")
    without = file_ticket(org, hardware, kind="PC")

    result = org.do(RemoveCustomField(field_id=hardware.size), org.ramon)

    assert hardware.size not in custom_values(org, with_value)
    kept = history(org, with_value, EventKind.FIELD_REMOVED)
    assert [(e.field, e.old_value, e.actor_id) for e in kept] == [
        ("custom:Size", "13 inch", org.ramon)]
    assert history(org, without, EventKind.FIELD_REMOVED) == []
    assert result.changed_ticket_ids == (with_value,)
    with reading(org) as session:
        assert session.get(CustomField, hardware.size) is None
    # The ticket edits on without the field.
    org.do(UpdateTicketFields(ticket_id=with_value, changes={"title": "Mac"}), org.ana)


def test_a_field_others_depend_on_cannot_be_removed(org: Org, hardware: Hardware) -> None:
    file_ticket(org, hardware, kind="Laptop", brand="HP")
    before = snapshot(org)

    error = refused(org, RemoveCustomField(field_id=hardware.kind), org.ramon, VALIDATION)

    assert "'Brand' depends on 'Hardware type'" in error.message
    assert snapshot(org) == before
    org.do(RemoveCustomField(field_id=hardware.brand), org.ramon)
    org.do(RemoveCustomField(field_id=hardware.kind), org.ramon)
