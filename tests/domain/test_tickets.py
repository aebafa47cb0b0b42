"""Tickets: create, update, parent, inventory, e-mails in copy, delete."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain.commands import (
    AddMembership,
    AddWorkunit,
    AttachFile,
    CreateInventoryObject,
    CreateProfile,
    CreateTicket,
    DeleteTicket,
    LinkInventory,
    SetEmailsInCopy,
    SetParent,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import FORBIDDEN, NOT_FOUND, VALIDATION
from desktopdesk.models import (
    Attachment,
    CommandLogEntry,
    HistoryEvent,
    Priority,
    Status,
    Ticket,
    TicketInventoryLink,
    Workunit,
)
from tests.conftest import Org
from tests.domain.support import history, new_ticket, reading, refused, ticket


def inventory(org: Org, name: str) -> uuid.UUID:
    result = org.do(CreateInventoryObject(name=name), org.ramon)
    assert result.created_id is not None
    return result.created_id


def linked_objects(org: Org, ticket_id: uuid.UUID) -> set[uuid.UUID]:
    with reading(org) as session:
        return set(session.scalars(select(TicketInventoryLink.inventory_object_id).where(
            TicketInventoryLink.ticket_id == ticket_id)))


# --- Create -------------------------------------------------------------------------------


def test_a_new_ticket_stores_what_was_typed_and_who_typed_it(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, title="  VPN down  ", priority=Priority.SERIOUS,
                           description_html="<p>Since <b>9am</b></p><script>x()</script>",
                           project_task=" NET-7 ")

    stored = ticket(org, ticket_id)
    assert stored.title == "VPN down"
    assert stored.description_html == "<p>Since <b>9am</b></p>"
    assert stored.priority is Priority.SERIOUS
    assert stored.status is Status.NEW
    assert (stored.creator_id, stored.editor_id) == (org.ana, org.ana)
    assert stored.group_id == stored.creator_group_id == org.acme_group
    assert stored.project_task == "NET-7"
    assert stored.created_at == org.now


def test_the_authority_numbers_tickets_in_order(org: Org) -> None:
    numbers = [ticket(org, new_ticket(org, org.ana)).number for _ in range(3)]

    assert numbers == [1, 2, 3]


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "   "}, "title"),
    ({"title": "x" * 501}, "title"),
    ({"group_id": uuid.UUID(int=7)}, "group_id"),
    ({"priority": 7}, "priority"),
    ({"status": 12}, "status"),
    ({"ticket_type_id": uuid.UUID(int=7)}, "ticket_type_id"),
    ({"emails_in_copy": ("not an address",)}, "emails_in_copy"),
    ({"owner_id": uuid.UUID(int=7)}, "owner_id"),
])
def test_bad_input_at_creation_is_refused_naming_the_field(org: Org, changes: dict[str, Any],
                                                           field: str) -> None:
    values: dict[str, Any] = {"title": "t", "group_id": org.acme_group, **changes}

    error = refused(org, CreateTicket(**values), org.ramon, VALIDATION)

    assert error.field == field


def test_a_ticket_id_cannot_be_reused(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    refused(org, CreateTicket(ticket_id=ticket_id, title="t", group_id=org.acme_group),
            org.ana, VALIDATION)


# --- Update -------------------------------------------------------------------------------


def test_fields_outside_the_list_cannot_be_updated(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    for key in ("status", "owner_id", "editor_id", "locked"):
        error = refused(org, UpdateTicketFields(ticket_id=ticket_id, changes={key: "x"}),
                        org.ramon, VALIDATION)
        assert error.field == key


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": 5}, "title"),
    ({"priority": "high"}, "priority"),
    ({"priority": True}, "priority"),
    ({"group_id": "nope"}, "group_id"),
    ({"sla_disabled": "yes"}, "sla_disabled"),
])
def test_badly_typed_updates_are_refused(org: Org, changes: dict[str, Any], field: str) -> None:
    ticket_id = new_ticket(org, org.ana)

    error = refused(org, UpdateTicketFields(ticket_id=ticket_id, changes=changes), org.ramon,
                    VALIDATION)
    assert error.field == field


def test_editing_needs_edit_on_the_group_or_a_part_in_the_ticket(org: Org) -> None:
    viewer_ticket = new_ticket(org, org.tomas, org.support)
    viewer = org.do(CreateProfile(name="Viewer", can_view=True), org.admin).created_id
    assert viewer is not None
    org.do(AddMembership(user_id=org.ana, group_id=org.support, profile_id=viewer), org.admin)

    refused(org, UpdateTicketFields(ticket_id=viewer_ticket, changes={"title": "x"}), org.ana,
            FORBIDDEN)
    org.do(UpdateTicketFields(ticket_id=viewer_ticket, changes={"title": "y"}), org.javi)
    assert ticket(org, viewer_ticket).title == "y"


def test_moving_a_ticket_needs_edit_in_the_target_group(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    error = refused(org, UpdateTicketFields(ticket_id=ticket_id,
                                            changes={"group_id": str(org.support)}),
                    org.ana, FORBIDDEN)
    assert "Support" in error.message
    assert ticket(org, ticket_id).group_id == org.acme_group


def test_disabling_the_sla_needs_manage_or_escalate(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    refused(org, UpdateTicketFields(ticket_id=ticket_id, changes={"sla_disabled": True}),
            org.tomas, FORBIDDEN)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"sla_disabled": True}), org.ramon)
    assert ticket(org, ticket_id).sla_disabled


# --- Parent -------------------------------------------------------------------------------


def test_a_manager_sets_and_clears_a_parent(org: Org) -> None:
    parent = new_ticket(org, org.ana)
    child = new_ticket(org, org.bob)

    org.do(SetParent(ticket_id=child, parent_id=parent), org.ramon)
    assert ticket(org, child).parent_id == parent
    org.do(SetParent(ticket_id=child, parent_id=None), org.ramon)

    assert ticket(org, child).parent_id is None
    assert [(e.old_value, e.new_value) for e in history(org, child, "parent_changed")] == [
        ("", str(parent)), (str(parent), "")]


def test_setting_a_parent_needs_manage_or_escalate(org: Org) -> None:
    parent = new_ticket(org, org.ana)
    child = new_ticket(org, org.bob)

    refused(org, SetParent(ticket_id=child, parent_id=parent), org.tomas, FORBIDDEN)


def test_parents_cannot_loop(org: Org) -> None:
    a = new_ticket(org, org.ana)
    b = new_ticket(org, org.ana, parent_id=a)
    c = new_ticket(org, org.ana, parent_id=b)

    for ticket_id, parent_id in ((a, c), (a, b), (a, a)):
        error = refused(org, SetParent(ticket_id=ticket_id, parent_id=parent_id), org.ramon,
                        VALIDATION)
        assert error.field == "parent_id"
    assert ticket(org, a).parent_id is None


def test_a_hidden_parent_is_not_revealed(org: Org) -> None:
    hidden = new_ticket(org, org.ana)  # Javi cannot see Acme
    missing_error = refused(org, CreateTicket(title="t", group_id=org.support,
                                              parent_id=uuid.uuid4()), org.javi, VALIDATION)

    hidden_error = refused(org, CreateTicket(title="t", group_id=org.support, parent_id=hidden),
                           org.javi, VALIDATION)

    assert hidden_error.message == missing_error.message


# --- Inventory and e-mails ----------------------------------------------------------------


def test_inventory_links_at_creation_and_later_with_history(org: Org) -> None:
    laptop = inventory(org, "Laptop 17")
    printer = inventory(org, "Printer 2F")
    ticket_id = new_ticket(org, org.ana, inventory_object_ids=(laptop, laptop))
    assert linked_objects(org, ticket_id) == {laptop}

    org.do(LinkInventory(ticket_id=ticket_id, inventory_object_id=printer), org.ana)
    org.do(LinkInventory(ticket_id=ticket_id, inventory_object_id=laptop, linked=False), org.ana)

    assert linked_objects(org, ticket_id) == {printer}
    assert [e.new_value for e in history(org, ticket_id, "inventory_linked")] == ["Printer 2F"]
    assert [e.old_value for e in history(org, ticket_id, "inventory_unlinked")] == ["Laptop 17"]
    refused(org, LinkInventory(ticket_id=ticket_id, inventory_object_id=uuid.uuid4()), org.ana,
            VALIDATION)


def test_emails_in_copy_are_normalised_deduplicated_and_checked(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, emails_in_copy=("Boss@Example.com", " "))

    org.do(SetEmailsInCopy(ticket_id=ticket_id,
                           emails=("boss@example.com", "BOSS@example.com", "it@acme.example")),
           org.ana)

    assert ticket(org, ticket_id).emails_in_copy == ["boss@example.com", "it@acme.example"]
    [event] = history(org, ticket_id, "emails_in_copy_changed")
    assert event.new_value == "boss@example.com, it@acme.example"
    error = refused(org, SetEmailsInCopy(ticket_id=ticket_id, emails=("bob@@acme",)), org.ana,
                    VALIDATION)
    assert "bob@@acme" in error.message


# --- Delete -------------------------------------------------------------------------------


def test_deleting_removes_the_ticket_and_what_hangs_off_it(org: Org) -> None:
    parent = new_ticket(org, org.ana)
    child = new_ticket(org, org.bob, parent_id=parent)
    org.do(AddWorkunit(ticket_id=parent, text_html="x"), org.tomas)
    blob = org.ws.blobs.put_bytes(b"log")
    org.do(AttachFile(ticket_id=parent, file_name="log.txt", size=blob.size, sha256=blob.sha256),
           org.ana)
    org.do(LinkInventory(ticket_id=parent, inventory_object_id=inventory(org, "Laptop")), org.ana)
    delete = DeleteTicket(ticket_id=parent)

    org.do(delete, org.ramon)

    with reading(org) as session:
        assert session.get(Ticket, parent) is None
        for model in (Workunit, Attachment, HistoryEvent, TicketInventoryLink):
            assert session.scalars(select(model).where(model.ticket_id == parent)).all() == []
        assert session.get(CommandLogEntry, delete.command_id) is not None
    assert ticket(org, child).parent_id is None  # children survive, now top-level
    refused(org, UpdateTicketFields(ticket_id=parent, changes={"title": "x"}), org.ramon,
            NOT_FOUND)


def test_deleting_a_parent_records_the_change_on_each_child(org: Org) -> None:
    from desktopdesk.domain.commands import DeleteTicket, SetParent

    parent = new_ticket(org, org.ana, title="Outage")
    child = new_ticket(org, org.ana, title="Cannot print")
    org.do(SetParent(ticket_id=child, parent_id=parent), org.ramon)

    org.do(DeleteTicket(ticket_id=parent), org.ramon)

    assert ticket(org, child).parent_id is None
    events = [(e.old_value, e.new_value) for e in history(org, child, "parent_changed")]
    assert events == [("", str(parent)), (str(parent), "")]
