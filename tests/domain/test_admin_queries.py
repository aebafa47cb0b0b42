"""The designers' read side: a type's fields with value counts, and what a change does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from desktopdesk.domain import acl
from desktopdesk.domain.admin_queries import (
    field_change_impact,
    field_removal_impact,
    may_design_types,
    may_set_up,
    ticket_types,
    type_deletion_impact,
    type_design,
)
from desktopdesk.domain.commands import AddCustomField, CreateTicketType, RemoveCustomField
from desktopdesk.domain.history import EventKind
from desktopdesk.models import FieldKind
from tests.conftest import Org
from tests.domain.support import history, new_ticket, reading


def add_type(org: Org, name: str) -> uuid.UUID:
    made = org.do(CreateTicketType(name=name, group_ids=(org.acme_group,)), org.ramon)
    assert made.created_id is not None
    return made.created_id


def add_field(org: Org, type_id: uuid.UUID | None, label: str, **kwargs: Any) -> uuid.UUID:
    made = org.do(AddCustomField(ticket_type_id=type_id, label=label, **kwargs), org.ramon)
    assert made.created_id is not None
    return made.created_id


@contextmanager
def statements(org: Org) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(org.ws.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(org.ws.engine, "before_cursor_execute", count)


def test_a_type_design_lists_its_fields_in_order_with_value_counts(org: Org) -> None:
    type_id = add_type(org, "Hardware")
    ref = add_field(org, None, "Customer ref")
    brand = add_field(org, type_id, "Brand", kind="combo", options=("", "HP", "Dell"))
    serial = add_field(org, type_id, "Serial")
    for n in range(3):
        values = {str(brand): "HP", str(ref): f"R{n}"}
        if n == 0:
            values[str(serial)] = "S-1"
        new_ticket(org, org.ana, ticket_type_id=type_id, custom_values=values)
    new_ticket(org, org.ana, ticket_type_id=type_id)

    with reading(org) as session, statements(org) as seen:
        design = type_design(session, type_id)

    assert [(f.label, f.tickets_with_value, f.is_global) for f in design.fields] == [
        ("Customer ref", 3, True), ("Brand", 3, False), ("Serial", 1, False)]
    assert [f.label for f in design.own_fields] == ["Brand", "Serial"]
    brand_def = design.fields[1]
    assert (brand_def.kind, brand_def.options) == (FieldKind.COMBO, ("", "HP", "Dell"))
    assert (design.name, design.group_ids, design.ticket_count) == (
        "Hardware", (org.acme_group,), 4)
    counting = [s for s in seen if "custom_field_values" in s]
    assert len(counting) == 1  # every field's count from one grouped query
    assert "GROUP BY" in counting[0]


def test_the_global_fields_page(org: Org) -> None:
    add_field(org, None, "Customer ref")
    add_field(org, add_type(org, "Hardware"), "Serial")

    with reading(org) as session:
        design = type_design(session, None)

    assert design.id is None
    assert [f.label for f in design.fields] == ["Customer ref"]
    assert design.own_fields == design.fields


def test_the_type_list_counts_fields_and_tickets(org: Org) -> None:
    hardware = add_type(org, "Hardware")
    add_type(org, "Access")
    add_field(org, hardware, "Serial")
    new_ticket(org, org.ana, ticket_type_id=hardware)

    with reading(org) as session:
        summary = {t.name: (t.field_count, t.ticket_count) for t in ticket_types(session)}

    assert summary == {"Access": (0, 0), "Hardware": (1, 1)}


def test_removal_impact_says_how_many_values_are_kept(org: Org) -> None:
    type_id = add_type(org, "Hardware")
    brand = add_field(org, type_id, "Brand")
    tickets = [new_ticket(org, org.ana, ticket_type_id=type_id,
                          custom_values={str(brand): "HP"}) for _ in range(12)]

    with reading(org) as session:
        definition = type_design(session, type_id).fields[0]

    impact = field_removal_impact(definition)
    assert impact == ("12 tickets hold values for 'Brand'; removing it keeps them in each "
                      "ticket's history.")
    org.do(RemoveCustomField(field_id=brand), org.ramon)
    assert all(len(history(org, t, EventKind.FIELD_REMOVED)) == 1 for t in tickets)


def test_impact_wording_for_one_and_for_none(org: Org) -> None:
    type_id = add_type(org, "Hardware")
    brand = add_field(org, type_id, "Brand")
    add_field(org, type_id, "Unused")
    new_ticket(org, org.ana, ticket_type_id=type_id, custom_values={str(brand): "HP"})

    with reading(org) as session:
        used, unused = type_design(session, type_id).fields
        summary = ticket_types(session)[0]

    assert field_removal_impact(used) == (
        "1 ticket holds a value for 'Brand'; removing it keeps it in its ticket's history.")
    assert field_removal_impact(unused) == (
        "No ticket holds a value for 'Unused'; removing it loses nothing.")
    assert type_deletion_impact(summary) == (
        "1 ticket is of type 'Hardware': give it another type before deleting it.")


def test_change_impact_names_renames_and_rule_changes(org: Org) -> None:
    type_id = add_type(org, "Hardware")
    brand = add_field(org, type_id, "Brand")
    for _ in range(2):
        new_ticket(org, org.ana, ticket_type_id=type_id, custom_values={str(brand): "HP"})
    with reading(org) as session:
        before = type_design(session, type_id).fields[0]

    assert field_change_impact(before, before.update(help_text="Maker")) == ()
    assert field_change_impact(before, before.update(label="Make")) == (
        "2 tickets hold values for 'Brand'; renaming it to 'Make' keeps them.",)
    (sentence,) = field_change_impact(before, before.update(kind="combo", options=("HP",)))
    assert sentence.startswith("2 tickets hold values for 'Brand'; every one must fit")


def test_who_sees_the_designers(org: Org) -> None:
    with reading(org) as session:
        def perms(user: uuid.UUID) -> acl.Permissions:
            return acl.load_permissions(session, user)

        assert may_design_types(perms(org.ramon))
        assert not may_set_up(perms(org.ramon))
        assert not may_design_types(perms(org.tomas))
        assert may_design_types(perms(org.admin))
        assert may_set_up(perms(org.admin))
