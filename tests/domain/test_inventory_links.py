"""Which inventory objects a person may link to a ticket: those of the ticket's company
(its creator's) and their own; objects of no company for the team working the group;
any for super-admins and whoever may set the creator. Offered exactly as enforced."""

from __future__ import annotations

import uuid

import pytest

from desktopdesk.domain.commands import (
    ChangeSetting,
    CreateCompany,
    CreateInventoryObject,
    CreateTicket,
    LinkInventory,
)
from desktopdesk.domain.errors import FORBIDDEN, DomainError
from tests.conftest import Org
from tests.domain.support import new_ticket, refused, snapshot
from tests.domain.test_ticket_details import details


class Assets:
    def __init__(self, org: Org) -> None:
        globex = org.do(CreateCompany(name="Globex"), org.admin).created_id

        def item(name: str, company: uuid.UUID | None) -> uuid.UUID:
            created = org.do(CreateInventoryObject(name=name, company_id=company),
                             org.admin).created_id
            assert created is not None
            return created

        self.acme_laptop = item("Acme laptop", org.acme_company)
        self.our_server = item("Northwind file server", org.helpdesk_company)
        self.globex_pc = item("Globex CFO's PC", globex)
        self.spare = item("Spare monitor", None)
        self.names = {self.acme_laptop: "Acme laptop", self.our_server: "Northwind file server",
                      self.globex_pc: "Globex CFO's PC", self.spare: "Spare monitor"}


@pytest.fixture
def assets(org: Org) -> Assets:
    return Assets(org)


def offered(org: Org, reader: uuid.UUID, ticket_id: uuid.UUID) -> list[str]:
    return [choice.name for choice in details(org, reader, ticket_id).inventory_choices]


def test_a_customer_is_offered_their_company_s_objects_and_no_one_else_s(
        org: Org, assets: Assets) -> None:
    ticket_id = new_ticket(org, org.ana)  # Acme

    assert offered(org, org.ana, ticket_id) == ["Acme laptop", "Spare monitor"]
    for other in (assets.globex_pc, assets.our_server):
        error = refused(org, LinkInventory(ticket_id=ticket_id, inventory_object_id=other),
                        org.ana, FORBIDDEN)
        assert error.field == "inventory_object_id"
        assert "another company" in error.message
        assert assets.names[other] not in error.message
    org.do(LinkInventory(ticket_id=ticket_id, inventory_object_id=assets.acme_laptop), org.ana)
    assert [c.name for c in details(org, org.ana, ticket_id).inventory] == ["Acme laptop"]


def test_an_independent_customer_is_offered_nothing_not_even_company_less_things(
        org: Org, assets: Assets) -> None:
    ticket_id = new_ticket(org, org.carla, org.independents)

    assert offered(org, org.carla, ticket_id) == []
    error = refused(org, LinkInventory(ticket_id=ticket_id, inventory_object_id=assets.spare),
                    org.carla, FORBIDDEN)
    assert "no company" in error.message
    # The team working the group may link it for her.
    org.do(LinkInventory(ticket_id=ticket_id, inventory_object_id=assets.spare), org.ramon)


def test_a_technician_adds_their_own_company_s_objects(org: Org, assets: Assets) -> None:
    ticket_id = new_ticket(org, org.ana)

    assert offered(org, org.tomas, ticket_id) == [
        "Acme laptop", "Northwind file server", "Spare monitor"]
    refused(org, LinkInventory(ticket_id=ticket_id, inventory_object_id=assets.globex_pc),
            org.tomas, FORBIDDEN)


@pytest.mark.parametrize("reader", ["admin", "ramon"])
def test_super_admins_and_those_who_may_set_the_creator_may_link_anything(
        org: Org, assets: Assets, reader: str) -> None:
    ticket_id = new_ticket(org, org.ana)

    assert offered(org, getattr(org, reader), ticket_id) == sorted(
        assets.names.values(), key=str)
    org.do(LinkInventory(ticket_id=ticket_id, inventory_object_id=assets.globex_pc),
           getattr(org, reader))


def test_a_reader_who_may_not_change_the_links_is_offered_nothing(
        org: Org, assets: Assets) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(ChangeSetting(key="external_users_may_modify", value=False), org.admin)
    carlas = new_ticket(org, org.ramon, org.independents, creator_id=org.carla)

    assert details(org, org.carla, carlas).read_only_reason("inventory") is not None
    assert offered(org, org.carla, carlas) == []
    assert offered(org, org.ana, ticket_id) != []


def test_what_is_offered_is_exactly_what_the_command_accepts(org: Org, assets: Assets) -> None:
    readers = {"ana": org.ana, "bob": org.bob, "tomas": org.tomas, "ramon": org.ramon}
    for name, reader in readers.items():
        ticket_id = new_ticket(org, org.ana, title=f"For {name}")
        choices = set(offered(org, reader, ticket_id))
        for object_id, object_name in assets.names.items():
            command = LinkInventory(ticket_id=ticket_id, inventory_object_id=object_id)
            if object_name in choices:
                org.do(command, reader)
            else:
                refused(org, command, reader, FORBIDDEN)


def test_an_object_linked_by_someone_else_may_be_unlinked(org: Org, assets: Assets) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(LinkInventory(ticket_id=ticket_id, inventory_object_id=assets.globex_pc), org.ramon)

    org.do(LinkInventory(ticket_id=ticket_id, inventory_object_id=assets.globex_pc,
                         linked=False), org.ana)

    assert details(org, org.ana, ticket_id).inventory == ()


def test_filing_a_ticket_links_only_the_objects_its_creator_or_filer_may(
        org: Org, assets: Assets) -> None:
    before = snapshot(org)
    with pytest.raises(DomainError) as info:
        org.do(CreateTicket(title="PC broken", group_id=org.acme_group,
                            inventory_object_ids=(assets.acme_laptop, assets.globex_pc)),
               org.ana)
    assert (info.value.code, info.value.field) == (FORBIDDEN, "inventory_object_ids")
    assert snapshot(org) == before

    # Tomas (Northwind) files for himself: Acme's objects are not his ticket's to name...
    refused(org, CreateTicket(title="Laptop", group_id=org.acme_group,
                              inventory_object_ids=(assets.acme_laptop,)), org.tomas, FORBIDDEN)
    # ...unless he may choose whose ticket it is (then any company's may be).
    org.do(ChangeSetting(key="edit_can_change_creator", value=True), org.admin)
    new_ticket(org, org.tomas, creator_id=org.ana, inventory_object_ids=(assets.acme_laptop,))
    new_ticket(org, org.ana, inventory_object_ids=(assets.acme_laptop, assets.spare))
