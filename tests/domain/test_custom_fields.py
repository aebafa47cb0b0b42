"""Custom fields: values checked by kind, bad definitions refused, global fields, type change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from desktopdesk.domain.commands import (
    AddCustomField,
    CreateTicket,
    CreateTicketType,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import FORBIDDEN, VALIDATION
from tests.conftest import Org
from tests.domain.support import custom_values, history, new_ticket, refused


def add_type(org: Org, name: str, *groups: uuid.UUID) -> uuid.UUID:
    result = org.do(CreateTicketType(name=name, group_ids=groups), org.ramon)
    assert result.created_id is not None
    return result.created_id


def add_field(org: Org, type_id: uuid.UUID | None, label: str, **kwargs: Any) -> uuid.UUID:
    result = org.do(AddCustomField(ticket_type_id=type_id, label=label, **kwargs), org.ramon)
    assert result.created_id is not None
    return result.created_id


@dataclass
class Hardware:
    type_id: uuid.UUID
    units: uuid.UUID
    purchased: uuid.UUID
    warranty: uuid.UUID
    urgency: uuid.UUID
    notes: uuid.UUID


@pytest.fixture
def hardware(org: Org) -> Hardware:
    type_id = add_type(org, "Hardware")
    return Hardware(
        type_id,
        add_field(org, type_id, "Units", kind="numeric", numeric_min=1, numeric_max=10),
        add_field(org, type_id, "Purchased", kind="date"),
        add_field(org, type_id, "Under warranty", kind="checkbox"),
        add_field(org, type_id, "Urgency", kind="combo", options=("", "Low", "High")),
        add_field(org, type_id, "Notes", kind="text"),
    )


def file_hardware(org: Org, hw: Hardware, **values: str) -> CreateTicket:
    return CreateTicket(title="Broken kit", group_id=org.acme_group, ticket_type_id=hw.type_id,
                        custom_values={str(getattr(hw, k)): v for k, v in values.items()})


@pytest.mark.parametrize(("field", "typed", "stored"), [
    ("units", "5", "5"),
    ("units", " 7.0 ", "7"),
    ("units", "2.5", "2.5"),
    ("purchased", "2026-02-28", "2026-02-28"),
    ("warranty", "1", "1"),
    ("warranty", "0", "0"),
    ("urgency", "High", "High"),
    ("notes", "serial 42", "serial 42"),
])
def test_good_values_are_stored_normalised(org: Org, hardware: Hardware, field: str,
                                           typed: str, stored: str) -> None:
    ticket_id = org.do(file_hardware(org, hardware, **{field: typed}), org.ana).created_id
    assert ticket_id is not None

    assert custom_values(org, ticket_id) == {getattr(hardware, field): stored}


@pytest.mark.parametrize(("field", "typed", "label", "words"), [
    ("units", "0", "Units", "at least 1"),
    ("units", "11", "Units", "at most 10"),
    ("units", "ten", "Units", "needs a number"),
    ("units", "nan", "Units", "needs a number"),
    ("units", "inf", "Units", "needs a number"),
    ("purchased", "2026-02-30", "Purchased", "YYYY-MM-DD"),
    ("purchased", "28/02/2026", "Purchased", "YYYY-MM-DD"),
    ("purchased", "20260228", "Purchased", "YYYY-MM-DD"),
    ("purchased", "2026-W09-6", "Purchased", "YYYY-MM-DD"),
    ("warranty", "yes", "Under warranty", "checkbox"),
    ("warranty", "2", "Under warranty", "checkbox"),
    ("urgency", "Medium", "Urgency", "not one of the options"),
    ("notes", "two\nlines", "Notes", "one line"),
])
def test_bad_values_are_refused_naming_the_field(org: Org, hardware: Hardware, field: str,
                                                 typed: str, label: str, words: str) -> None:
    error = refused(org, file_hardware(org, hardware, **{field: typed}), org.ana, VALIDATION)

    assert label in error.message
    assert words in error.message
    assert error.field == f"custom:{getattr(hardware, field)}"


def test_required_fields_must_be_filled_on_create_and_stay_filled(org: Org) -> None:
    type_id = add_type(org, "Incident")
    tag = add_field(org, type_id, "Asset tag", required=True)

    error = refused(org, CreateTicket(title="t", group_id=org.acme_group,
                                      ticket_type_id=type_id), org.ana, VALIDATION)
    assert "'Asset tag' is required" in error.message
    ticket_id = new_ticket(org, org.ana, ticket_type_id=type_id,
                           custom_values={str(tag): "A-17"})
    refused(org, UpdateTicketFields(ticket_id=ticket_id, changes={f"custom:{tag}": " "}),
            org.ana, VALIDATION)
    assert custom_values(org, ticket_id) == {tag: "A-17"}


def test_a_required_field_added_later_does_not_block_other_edits(org: Org) -> None:
    type_id = add_type(org, "Incident")
    ticket_id = new_ticket(org, org.ana, ticket_type_id=type_id)
    tag = add_field(org, type_id, "Asset tag", required=True)

    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "Renamed"}), org.ana)
    error = refused(org, UpdateTicketFields(ticket_id=ticket_id, changes={f"custom:{tag}": ""}),
                    org.ana, VALIDATION)
    assert "'Asset tag' is required" in error.message


def test_changing_type_enforces_every_required_field_of_the_new_type(org: Org) -> None:
    old_type = add_type(org, "Question")
    new_type = add_type(org, "Incident")
    tag = add_field(org, new_type, "Asset tag", required=True)
    ticket_id = new_ticket(org, org.ana, ticket_type_id=old_type)

    refused(org, UpdateTicketFields(ticket_id=ticket_id, changes={
        "ticket_type_id": str(new_type)}), org.ana, VALIDATION)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={
        "ticket_type_id": str(new_type), f"custom:{tag}": "A-9"}), org.ana)
    assert custom_values(org, ticket_id) == {tag: "A-9"}


def test_a_value_for_a_field_the_type_lacks_is_refused(org: Org, hardware: Hardware) -> None:
    software = add_type(org, "Software")

    error = refused(org, CreateTicket(title="t", group_id=org.acme_group,
                                      ticket_type_id=software,
                                      custom_values={str(hardware.units): "3"}),
                    org.ana, VALIDATION)
    assert error.field == f"custom:{hardware.units}"


def test_global_fields_apply_to_every_type_and_to_untyped_tickets(org: Org,
                                                                  hardware: Hardware) -> None:
    software = add_type(org, "Software")
    reference = add_field(org, None, "Customer ref")

    for type_id in (hardware.type_id, software, None):
        ticket_id = new_ticket(org, org.ana, ticket_type_id=type_id,
                               custom_values={str(reference): "PO-9"})
        assert custom_values(org, ticket_id) == {reference: "PO-9"}


def test_changing_type_drops_values_the_new_type_lacks_with_a_trace(
    org: Org, hardware: Hardware
) -> None:
    software = add_type(org, "Software")
    version = add_field(org, software, "Version")
    reference = add_field(org, None, "Customer ref")
    ticket_id = new_ticket(org, org.ana, ticket_type_id=hardware.type_id, custom_values={
        str(hardware.units): "3", str(hardware.urgency): "Low", str(reference): "PO-9"})

    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={
        "ticket_type_id": str(software), f"custom:{version}": "2.1"}), org.ana)

    assert custom_values(org, ticket_id) == {reference: "PO-9", version: "2.1"}
    dropped = {(e.field, e.old_value, e.actor_id)
               for e in history(org, ticket_id, "custom_value_dropped")}
    assert dropped == {("custom:Units", "3", org.ana), ("custom:Urgency", "Low", org.ana)}


def test_a_type_is_offered_only_to_its_groups(org: Org) -> None:
    acme_only = add_type(org, "Acme hardware", org.acme_group)

    error = refused(org, CreateTicket(title="t", group_id=org.support,
                                      ticket_type_id=acme_only), org.javi, VALIDATION)
    assert "Acme hardware" in error.message
    assert "Support" in error.message
    new_ticket(org, org.ana, ticket_type_id=acme_only)


# --- Definitions --------------------------------------------------------------------------


def test_duplicate_labels_are_refused_within_a_type_and_against_globals(
    org: Org, hardware: Hardware
) -> None:
    software = add_type(org, "Software")
    add_field(org, None, "Customer ref")

    for type_id, label in ((hardware.type_id, "units"), (software, "Customer ref"),
                           (None, "Urgency")):
        error = refused(org, AddCustomField(ticket_type_id=type_id, label=label), org.ramon,
                        VALIDATION)
        assert label in error.message
        assert error.field == "label"
    add_field(org, software, "Units")  # another type may reuse a label


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"label": "Size", "kind": "combo"}, "options", "at least one option"),
    ({"label": "Size", "kind": "combo", "options": ("", " ")}, "options", "at least one option"),
    ({"label": "Kind", "kind": "linked"}, "options", "needs values"),
    ({"label": "Size", "kind": "colour"}, "kind", "Unknown field kind"),
    ({"label": "  "}, "label", "needs a label"),
    ({"label": "Weight", "kind": "numeric", "numeric_min": 5, "numeric_max": 1},
     "numeric_min", "minimum"),
])
def test_bad_definitions_are_refused(org: Org, hardware: Hardware, kwargs: dict[str, Any],
                                     field: str, words: str) -> None:
    error = refused(org, AddCustomField(ticket_type_id=hardware.type_id, **kwargs), org.ramon,
                    VALIDATION)
    assert error.field == field
    assert words in error.message


def test_a_linked_child_must_name_existing_parent_values(org: Org, hardware: Hardware) -> None:
    kind = add_field(org, hardware.type_id, "Hardware type", kind="linked",
                     options=("Laptop", "Printer"))

    error = refused(org, AddCustomField(
        ticket_type_id=hardware.type_id, label="Brand", kind="linked", parent_field_id=kind,
        linked_values=(("Laptop", "HP"), ("Phone", "Nokia"))), org.ramon, VALIDATION)
    assert "'Phone' is not a value of 'Hardware type'" in error.message
    refused(org, AddCustomField(ticket_type_id=hardware.type_id, label="Brand", kind="linked",
                                parent_field_id=kind), org.ramon, VALIDATION)


def test_a_linked_parent_must_be_a_linked_field_of_the_same_type(
    org: Org, hardware: Hardware
) -> None:
    software = add_type(org, "Software")
    other_kind = add_field(org, software, "Hardware type", kind="linked", options=("Laptop",))

    error = refused(org, AddCustomField(
        ticket_type_id=hardware.type_id, label="Brand", kind="linked",
        parent_field_id=hardware.urgency, linked_values=(("High", "HP"),)), org.ramon,
        VALIDATION)
    assert "must be a linked field" in error.message
    error = refused(org, AddCustomField(
        ticket_type_id=hardware.type_id, label="Brand", kind="linked",
        parent_field_id=other_kind, linked_values=(("Laptop", "HP"),)), org.ramon, VALIDATION)
    assert "same type" in error.message
    error = refused(org, AddCustomField(
        ticket_type_id=hardware.type_id, label="Brand", kind="text",
        parent_field_id=other_kind), org.ramon, VALIDATION)
    assert error.field == "parent"


def test_only_managers_define_types_and_fields(org: Org) -> None:
    refused(org, CreateTicketType(name="Mine"), org.tomas, FORBIDDEN)
    refused(org, AddCustomField(ticket_type_id=None, label="Mine"), org.tomas, FORBIDDEN)
