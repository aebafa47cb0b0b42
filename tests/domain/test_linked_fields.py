"""Linked fields cascade: a child's value must fit its parent's value on the same ticket.

The manual's chain Hardware type -> Brand -> Model through commands, and chains of any
depth and shape through ``fields.validate_values`` with Hypothesis.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from random import Random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktopdesk.domain import fields
from desktopdesk.domain.commands import AddCustomField, CreateTicket, CreateTicketType
from desktopdesk.domain.commands import UpdateTicketFields as Update
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.models import CustomField, FieldKind
from tests.conftest import Org
from tests.domain.support import custom_values, new_ticket, refused

KINDS = ("Laptop", "Printer")
BRANDS = (("Laptop", "HP"), ("Laptop", "Lenovo"), ("Printer", "HP"), ("Printer", "Epson"))
MODELS = (("HP", "EliteBook"), ("Lenovo", "ThinkPad"), ("Epson", "EcoTank"))


@dataclass
class Chain:
    type_id: uuid.UUID
    kind: uuid.UUID
    brand: uuid.UUID
    model: uuid.UUID

    def values(self, kind: str = "", brand: str = "", model: str = "") -> dict[str, str]:
        typed = {self.kind: kind, self.brand: brand, self.model: model}
        return {str(f): v for f, v in typed.items() if v}


@pytest.fixture
def chain(org: Org) -> Chain:
    def add(**kwargs: Any) -> uuid.UUID:
        result = org.do(AddCustomField(ticket_type_id=type_id, kind="linked", **kwargs),
                        org.ramon)
        assert result.created_id is not None
        return result.created_id

    type_id = org.do(CreateTicketType(name="Hardware"), org.ramon).created_id
    assert type_id is not None
    kind = add(label="Hardware type", options=KINDS)
    brand = add(label="Brand", parent_field_id=kind, linked_values=BRANDS)
    model = add(label="Model", parent_field_id=brand, linked_values=MODELS)
    return Chain(type_id, kind, brand, model)


def create(org: Org, chain: Chain, **values: str) -> CreateTicket:
    return CreateTicket(title="Kit", group_id=org.acme_group, ticket_type_id=chain.type_id,
                        custom_values=chain.values(**values))


def test_a_consistent_chain_is_stored(org: Org, chain: Chain) -> None:
    ticket_id = new_ticket(org, org.ana, ticket_type_id=chain.type_id,
                           custom_values=chain.values("Laptop", "Lenovo", "ThinkPad"))

    assert custom_values(org, ticket_id) == {
        chain.kind: "Laptop", chain.brand: "Lenovo", chain.model: "ThinkPad"}


@pytest.mark.parametrize(("kind", "brand", "model", "label", "words"), [
    ("Phone", "", "", "Hardware type", "not one of the values"),
    ("Laptop", "Epson", "", "Brand", "'Epson' is not a valid 'Brand' for 'Laptop'"),
    ("Printer", "Epson", "ThinkPad", "Model", "for 'Epson'"),
    ("", "HP", "", "Brand", "before the field it depends on"),
    ("Laptop", "", "EliteBook", "Model", "before the field it depends on"),
])
def test_an_inconsistent_chain_is_refused_naming_the_field(
    org: Org, chain: Chain, kind: str, brand: str, model: str, label: str, words: str
) -> None:
    error = refused(org, create(org, chain, kind=kind, brand=brand, model=model), org.ana,
                    VALIDATION)

    assert words in error.message
    assert label in error.message
    by_label = {"Hardware type": chain.kind, "Brand": chain.brand, "Model": chain.model}
    assert error.field == f"custom:{by_label[label]}"


def test_changing_a_parent_needs_a_fitting_child_in_the_same_change(org: Org,
                                                                    chain: Chain) -> None:
    ticket_id = new_ticket(org, org.ana, ticket_type_id=chain.type_id,
                           custom_values=chain.values("Laptop", "Lenovo", "ThinkPad"))

    error = refused(org, Update(ticket_id=ticket_id, changes={f"custom:{chain.kind}": "Printer"}),
                    org.ana, VALIDATION)
    assert "'Lenovo' is not a valid 'Brand' for 'Printer'" in error.message
    refused(org, Update(ticket_id=ticket_id, changes={f"custom:{chain.kind}": ""}), org.ana,
            VALIDATION)
    assert custom_values(org, ticket_id)[chain.kind] == "Laptop"

    org.do(Update(ticket_id=ticket_id, changes={
        f"custom:{chain.kind}": "Printer", f"custom:{chain.brand}": "Epson",
        f"custom:{chain.model}": "EcoTank"}), org.ana)
    assert custom_values(org, ticket_id) == {
        chain.kind: "Printer", chain.brand: "Epson", chain.model: "EcoTank"}


CHOICES = ("Laptop", "Printer", "Phone", "HP", "Lenovo", "Epson", "EliteBook", "ThinkPad",
           "EcoTank", "")


def chain_accepts(kind: str, brand: str, model: str) -> bool:
    levels = [(kind, None), (brand, set(BRANDS)), (model, set(MODELS))]
    parent = ""
    for value, pairs in levels:
        if value:
            if pairs is None and value not in KINDS:
                return False
            if pairs is not None and (parent, value) not in pairs:
                return False
        parent = value
    return True


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(CHOICES), brand=st.sampled_from(CHOICES),
       model=st.sampled_from(CHOICES))
def test_the_manuals_chain_accepts_exactly_the_consistent_triples(
    org: Org, chain: Chain, kind: str, brand: str, model: str
) -> None:
    command = create(org, chain, kind=kind, brand=brand, model=model)
    if chain_accepts(kind, brand, model):
        org.do(command, org.ana)
        assert custom_values(org, command.ticket_id) == {
            f: v for f, v in ((chain.kind, kind), (chain.brand, brand), (chain.model, model))
            if v}
    else:
        refused(org, command, org.ana, VALIDATION)


# --- Any depth, any values: the rule itself -----------------------------------------------

VALUE = st.sampled_from(["a", "b", "c", "d", "e"])


@st.composite
def linked_chains(draw: st.DrawFn) -> tuple[list[CustomField], list[str]]:
    """A chain of 1-5 linked fields, each child listing (parent value, child value) pairs,
    and one value per level (possibly empty, possibly not fitting)."""
    depth = draw(st.integers(1, 5))
    chain: list[CustomField] = []
    for level in range(depth):
        field = CustomField(id=uuid.uuid4(), ticket_type_id=None, label=f"Level {level}",
                            kind=FieldKind.LINKED, required=False, options=[],
                            parent_field_id=None, linked_values=[])
        if level == 0:
            field.options = sorted(draw(st.sets(VALUE, min_size=1)))
        else:
            field.parent_field_id = chain[-1].id
            pairs = draw(st.sets(st.tuples(VALUE, VALUE), min_size=1))
            field.linked_values = [list(p) for p in sorted(pairs)]
        chain.append(field)
    values = draw(st.lists(st.one_of(st.just(""), VALUE), min_size=depth, max_size=depth))
    return chain, values


def first_misfit(chain: list[CustomField], values: list[str]) -> int | None:
    """The level of the first value that does not fit its parent's value, if any."""
    parent = ""
    for level, (field, value) in enumerate(zip(chain, values, strict=True)):
        if value:
            if level == 0:
                fits = value in field.options
            else:
                fits = bool(parent) and [parent, value] in field.linked_values
            if not fits:
                return level
        parent = value
    return None


@settings(max_examples=300, deadline=None)
@given(linked_chains(), st.randoms(use_true_random=False))
def test_linked_chains_of_any_depth_accept_exactly_the_fitting_values(
    drawn: tuple[list[CustomField], list[str]], shuffler: Random
) -> None:
    chain, values = drawn
    shuffled = list(chain)
    shuffler.shuffle(shuffled)  # the order fields come in must not matter
    typed = {f.id: v for f, v in zip(chain, values, strict=True)}

    misfit = first_misfit(chain, values)
    if misfit is None:
        clean = fields.validate_values(shuffled, typed)
        assert clean == typed
    else:
        with pytest.raises(DomainError) as info:
            fields.validate_values(shuffled, typed)
        assert info.value.code == VALIDATION
        assert info.value.field == f"custom:{chain[misfit].id}"
        assert chain[misfit].label in info.value.message
