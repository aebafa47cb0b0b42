"""What the create form offers: types and groups per person, fields and their cascades."""

from __future__ import annotations

import uuid

import pytest

from desktopdesk.domain import acl
from desktopdesk.domain.commands import (
    AddCustomField,
    ChangeSetting,
    CreateTicket,
    CreateTicketType,
    CreateUser,
    SetStatusMapping,
)
from desktopdesk.domain.ticket_form import (
    CreateFormOptions,
    CustomFieldSpec,
    field_specs,
    load_create_form,
)
from desktopdesk.models import AT_CREATION, FieldKind, Status
from tests.conftest import Org
from tests.domain.support import reading


def options(org: Org, person: uuid.UUID) -> CreateFormOptions:
    with reading(org) as session:
        return load_create_form(session, acl.load_permissions(session, person))


def created(org: Org, command: object, actor: uuid.UUID) -> uuid.UUID:
    result = org.do(command, actor)  # type: ignore[arg-type]
    assert result.created_id is not None
    return result.created_id


# --- Custom fields ------------------------------------------------------------------------


def test_combo_choices_are_its_options_with_the_empty_first_one() -> None:
    combo = CustomFieldSpec(uuid.uuid4(), "Urgent", FieldKind.COMBO, options=("", "Yes", "No"))

    assert combo.choices_for(None) == ("", "Yes", "No")
    assert CustomFieldSpec(uuid.uuid4(), "Notes", FieldKind.TEXT).choices_for("x") == ()


def test_linked_fields_cascade_from_their_parents_value(org: Org) -> None:
    hardware = created(org, CreateTicketType(name="Hardware"), org.ramon)
    kind = created(org, AddCustomField(ticket_type_id=hardware, label="Hardware type",
                                       kind="linked", options=("Laptop", "Printer")), org.ramon)
    brand = created(org, AddCustomField(
        ticket_type_id=hardware, label="Brand", kind="linked", parent_field_id=kind,
        linked_values=(("Laptop", "HP"), ("Laptop", "Lenovo"), ("Printer", "Epson"))),
        org.ramon)
    created(org, AddCustomField(ticket_type_id=hardware, label="Model", kind="linked",
                                parent_field_id=brand,
                                linked_values=(("HP", "EliteBook"), ("Epson", "EcoTank"))),
            org.ramon)

    with reading(org) as session:
        kind_spec, brand_spec, model_spec = field_specs(session, hardware)

    assert kind_spec.choices_for(None) == ("Laptop", "Printer")
    assert brand_spec.parent_field_id == kind_spec.id
    assert brand_spec.choices_for("Laptop") == ("HP", "Lenovo")
    assert brand_spec.choices_for("Printer") == ("Epson",)
    assert brand_spec.choices_for("") == ()
    assert model_spec.choices_for("HP") == ("EliteBook",)
    assert model_spec.choices_for(None) == ()


def test_global_fields_come_first_then_the_types_own(org: Org) -> None:
    hardware = created(org, CreateTicketType(name="Hardware"), org.ramon)
    created(org, AddCustomField(ticket_type_id=hardware, label="Serial", required=True,
                                help_text="On the sticker"), org.ramon)
    created(org, AddCustomField(ticket_type_id=None, label="Cost centre", kind="combo",
                                options=("", "IT", "Sales")), org.ramon)

    form = options(org, org.tomas)

    assert [f.label for f in form.fields_for(hardware)] == ["Cost centre", "Serial"]
    assert [f.label for f in form.fields_for(None)] == ["Cost centre"]
    serial = form.fields_for(hardware)[1]
    assert (serial.required, serial.help_text, serial.kind) == (
        True, "On the sticker", FieldKind.TEXT)


# --- Types and groups ---------------------------------------------------------------------


def test_types_and_groups_are_offered_per_group(org: Org) -> None:
    general = created(org, CreateTicketType(name="General"), org.ramon)
    support_only = created(org, CreateTicketType(name="Server", group_ids=(org.support,)),
                           org.ramon)
    acme_only = created(org, CreateTicketType(name="Laptop", group_ids=(org.acme_group,)),
                        org.ramon)

    tomas = options(org, org.tomas)  # files in Support and Acme
    ana = options(org, org.ana)  # files in Acme only
    carla = options(org, org.carla)  # files in Independent customers only

    assert [g.name for g in tomas.groups] == ["Acme", "Support"]
    assert [t.name for t in tomas.types] == ["General", "Laptop", "Server"]
    assert [g.name for g in tomas.groups_for(support_only)] == ["Support"]
    assert [g.name for g in tomas.groups_for(general)] == ["Acme", "Support"]
    assert [t.name for t in tomas.types_for(org.acme_group)] == ["General", "Laptop"]
    assert [g.name for g in ana.groups] == ["Acme"]
    assert [t.name for t in ana.types] == ["General", "Laptop"]
    assert [g.name for g in ana.groups_for(acme_only)] == ["Acme"]
    assert [t.name for t in carla.types] == ["General"]
    assert carla.groups_for(support_only) == ()


def test_what_the_form_offers_can_be_filed(org: Org) -> None:
    """Every group and type offered, with the default status and owner, is accepted."""
    created(org, CreateTicketType(name="General"), org.ramon)
    created(org, CreateTicketType(name="Server", group_ids=(org.support,)), org.ramon)
    created(org, CreateTicketType(name="Laptop", group_ids=(org.acme_group,)), org.ramon)

    for person in (org.tomas, org.ana, org.carla, org.ramon):
        form = options(org, person)
        for group in form.groups:
            for offered in form.types_for(group.id):
                for status in form.statuses_for(group.id):
                    org.do(CreateTicket(title="Offered", group_id=group.id,
                                        ticket_type_id=offered.id, status=status), person)


# --- Settings and people ------------------------------------------------------------------


def test_settings_shape_the_form(org: Org) -> None:
    before = options(org, org.tomas)
    assert (before.type_required, before.creator_blank_by_default,
            before.allow_creation_date) == (False, False, False)

    for key in ("required_ticket_type", "creator_blank_by_default", "allow_creation_date"):
        org.do(ChangeSetting(key=key, value=True), org.admin)

    after = options(org, org.tomas)
    assert (after.type_required, after.creator_blank_by_default,
            after.allow_creation_date) == (True, True, True)


def test_filing_for_someone_else_follows_the_creator_rule(org: Org) -> None:
    assert options(org, org.ramon).may_set_creator_in == {org.support, org.acme_group,
                                                          org.independents}
    assert options(org, org.tomas).may_set_creator_in == frozenset()

    org.do(ChangeSetting(key="edit_can_change_creator", value=True), org.admin)

    assert options(org, org.tomas).may_set_creator_in == {org.support, org.acme_group}
    assert options(org, org.carla).may_set_creator_in == frozenset()


def test_people_to_file_for_are_enabled_ones_the_person_may_see(org: Org) -> None:
    org.do(CreateUser(username="gone", full_name="Gone", enabled=False), org.admin)
    org.do(ChangeSetting(key="creator_sees_all_users", value=True), org.admin)

    names = {p.username for p in options(org, org.ramon).people}

    assert "ramon" in names
    assert "acme.ana" in names
    assert "gone" not in names
    assert {p.username for p in options(org, org.carla).people} == {"indie.carla"}


def test_starting_statuses_follow_the_mapping_and_the_owner_rule(org: Org) -> None:
    org.do(SetStatusMapping(transitions=(
        (AT_CREATION, Status.NEW), (AT_CREATION, Status.ASSIGNED),
        (Status.NEW, Status.ASSIGNED), (Status.ASSIGNED, Status.CLOSED),
    )), org.admin)

    ramon = options(org, org.ramon)
    ana = options(org, org.ana)
    tomas = options(org, org.tomas)

    assert ramon.creation_statuses == (Status.NEW, Status.ASSIGNED)
    assert ramon.statuses_for(org.acme_group) == (Status.NEW, Status.ASSIGNED)
    # Ana's ticket goes to Ramon (Acme's default owner): a customer cannot file it Assigned.
    assert ana.default_owner_for(org.acme_group) == org.ramon
    assert ana.statuses_for(org.acme_group) == (Status.NEW,)
    # Support has no default owner: Tomas owns what he files there, and may pick.
    assert tomas.statuses_for(org.support) == (Status.NEW, Status.ASSIGNED)
    assert tomas.statuses_for(org.acme_group) == (Status.NEW,)
    assert tomas.statuses_for(org.acme_group, owner_id=org.tomas) == (
        Status.NEW, Status.ASSIGNED)


@pytest.mark.parametrize(("person", "may_choose"), [("ramon", True), ("tomas", False)])
def test_choosing_the_owner_takes_manage(org: Org, person: str, may_choose: bool) -> None:
    form = options(org, getattr(org, person))

    assert (org.acme_group in form.may_choose_owner_in) is may_choose
