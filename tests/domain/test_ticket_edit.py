"""From the Details tab's values to commands: only what changed, in an order that works."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest

from desktopdesk.domain import acl
from desktopdesk.domain.commands import (
    AddCustomField,
    AssignOwner,
    ChangeStatus,
    CloseTicket,
    CreateInventoryObject,
    CreateTicketType,
    LinkInventory,
    ReopenTicket,
    SetEmailsInCopy,
    SetParent,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import NOT_OWNER, DomainError
from desktopdesk.domain.ticket_details import TicketDetails, load_ticket_details
from desktopdesk.domain.ticket_edit import TicketEdit, commands_for_edit
from desktopdesk.models import Priority, Resolution, Status
from tests.conftest import Org
from tests.domain.support import custom_values, new_ticket, reading, snapshot, ticket


def details(org: Org, reader: uuid.UUID, ticket_id: uuid.UUID) -> TicketDetails:
    with reading(org) as session:
        return load_ticket_details(session, acl.load_permissions(session, reader), ticket_id)


def edited(seen: TicketDetails, **changes: Any) -> TicketEdit:
    return dataclasses.replace(TicketEdit.of(seen), **changes)


def created(org: Org, command: Any, actor: uuid.UUID) -> uuid.UUID:
    result = org.do(command, actor)
    assert result.created_id is not None
    return result.created_id


def test_an_unchanged_form_gives_no_commands(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, emails_in_copy=("it@acme.example",))
    seen = details(org, org.ramon, ticket_id)

    assert commands_for_edit(seen, TicketEdit.of(seen)) == []
    # Spaces around what was there are not a change either.
    assert commands_for_edit(seen, edited(seen, title=f" {seen.title} ",
                                          emails_in_copy=("IT@acme.example ",))) == []


def test_field_changes_are_one_update_with_what_the_user_saw(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, title="Printer on fire")
    seen = details(org, org.ramon, ticket_id)

    [command] = commands_for_edit(seen, edited(
        seen, title="Printer smoking", priority=Priority.SERIOUS, group_id=org.support,
        creator_id=org.bob, sla_disabled=True, project_task="T-12",
        description_html="<p>Smoke</p>"))

    assert isinstance(command, UpdateTicketFields)
    assert command.changes == {
        "title": "Printer smoking", "description_html": "<p>Smoke</p>",
        "priority": int(Priority.SERIOUS), "group_id": str(org.support),
        "creator_id": str(org.bob), "sla_disabled": True, "project_task": "T-12"}
    assert command.base == {
        "title": "Printer on fire", "description_html": "", "priority": int(Priority.MEDIUM),
        "group_id": str(org.acme_group), "creator_id": str(org.ana), "sla_disabled": False,
        "project_task": ""}
    org.ws.execute_all([command], org.ramon)
    stored = ticket(org, ticket_id)
    assert (stored.title, stored.priority, stored.group_id, stored.creator_id,
            stored.sla_disabled, stored.project_task) == (
        "Printer smoking", Priority.SERIOUS, org.support, org.bob, True, "T-12")


def test_custom_values_are_keyed_by_field_id_and_follow_a_type_change(org: Org) -> None:
    hardware = created(org, CreateTicketType(name="Hardware"), org.ramon)
    software = created(org, CreateTicketType(name="Software"), org.ramon)
    serial = created(org, AddCustomField(ticket_type_id=hardware, label="Serial"), org.ramon)
    version = created(org, AddCustomField(ticket_type_id=software, label="Version",
                                          required=True), org.ramon)
    ticket_id = new_ticket(org, org.ana, ticket_type_id=hardware,
                           custom_values={str(serial): "SN-1"})
    seen = details(org, org.ramon, ticket_id)

    [same_type] = commands_for_edit(seen, edited(seen, custom_values=((str(serial), "SN-2"),)))
    assert isinstance(same_type, UpdateTicketFields)
    assert (same_type.changes, same_type.base) == ({f"custom:{serial}": "SN-2"},
                                                   {f"custom:{serial}": "SN-1"})

    # The form shows Software's fields once the type is changed; Serial is left behind.
    [new_type] = commands_for_edit(seen, edited(
        seen, ticket_type_id=software,
        custom_values=((str(serial), "SN-1"), (str(version), "2.4"))))
    assert isinstance(new_type, UpdateTicketFields)
    assert new_type.changes == {"ticket_type_id": str(software), f"custom:{version}": "2.4"}
    org.ws.execute_all([new_type], org.ramon)
    assert custom_values(org, ticket_id) == {version: "2.4"}


def test_the_status_change_closes_with_resolution_and_epilogue(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    seen = details(org, org.ramon, ticket_id)

    [command] = commands_for_edit(seen, edited(seen, status=Status.CLOSED,
                                               resolution=Resolution.FIXED,
                                               epilogue_html="<p>New toner</p>"))

    assert isinstance(command, ChangeStatus)
    assert (command.status, command.resolution, command.epilogue_html) == (
        Status.CLOSED, Resolution.FIXED, "<p>New toner</p>")
    org.ws.execute_all([command], org.ramon)
    assert (ticket(org, ticket_id).status, ticket(org, ticket_id).resolution) == (
        Status.CLOSED, Resolution.FIXED)


def test_a_closed_ticket_is_reopened(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)
    seen = details(org, org.ramon, ticket_id)
    assert seen.allowed_statuses == (Status.CLOSED, Status.REOPENED)

    commands = commands_for_edit(seen, edited(seen, status=Status.REOPENED))

    assert [type(c) for c in commands] == [ReopenTicket]
    org.ws.execute_all(commands, org.ramon)
    assert ticket(org, ticket_id).status == Status.REOPENED


def test_parent_inventory_and_emails_each_have_their_command(org: Org) -> None:
    parent = new_ticket(org, org.ramon, title="Office move")
    ticket_id = new_ticket(org, org.ana)
    kept = created(org, CreateInventoryObject(name="Laptop 7"), org.ramon)
    dropped = created(org, CreateInventoryObject(name="Old printer"), org.ramon)
    added = created(org, CreateInventoryObject(name="New printer"), org.ramon)
    for object_id in (kept, dropped):
        org.do(LinkInventory(ticket_id=ticket_id, inventory_object_id=object_id), org.ramon)
    seen = details(org, org.ramon, ticket_id)

    commands = commands_for_edit(seen, edited(
        seen, parent_id=parent, inventory_ids=frozenset({kept, added}),
        emails_in_copy=("boss@acme.example",)))

    assert [type(c) for c in commands] == [SetParent, LinkInventory, LinkInventory,
                                           SetEmailsInCopy]
    links = [(c.inventory_object_id, c.linked) for c in commands
             if isinstance(c, LinkInventory)]
    assert links == [(added, True), (dropped, False)]
    org.ws.execute_all(commands, org.ramon)
    after = details(org, org.ramon, ticket_id)
    assert after.parent is not None
    assert after.parent.id == parent
    assert {c.name for c in after.inventory} == {"Laptop 7", "New printer"}
    assert after.emails_in_copy == ("boss@acme.example",)


def test_the_owner_may_set_the_status_and_hand_the_ticket_over_in_one_save(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)  # owned by Ramon
    seen = details(org, org.ramon, ticket_id)

    commands = commands_for_edit(seen, edited(seen, status=Status.ASSIGNED, owner_id=org.tomas,
                                              priority=Priority.SERIOUS))

    assert [type(c) for c in commands] == [UpdateTicketFields, ChangeStatus, AssignOwner]
    org.ws.execute_all(commands, org.ramon)
    stored = ticket(org, ticket_id)
    assert (stored.status, stored.owner_id, stored.priority) == (
        Status.ASSIGNED, org.tomas, Priority.SERIOUS)


def test_the_other_order_would_be_refused(org: Org) -> None:
    """Why status goes first: once handed over, Ramon is no longer the owner."""
    ticket_id = new_ticket(org, org.ana)

    with pytest.raises(DomainError) as info:
        org.ws.execute_all([AssignOwner(ticket_id=ticket_id, owner_id=org.tomas),
                            ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED)],
                           org.ramon)

    assert info.value.code == NOT_OWNER


def test_moving_to_a_group_the_owner_cannot_see_hands_it_over_first(org: Org) -> None:
    ticket_id = new_ticket(org, org.ramon, org.support)  # Ramon owns it; Tomas is in both
    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.javi), org.ramon)  # Support only
    seen = details(org, org.ramon, ticket_id)

    commands = commands_for_edit(seen, edited(seen, group_id=org.acme_group,
                                              owner_id=org.tomas))

    assert [type(c) for c in commands] == [AssignOwner, UpdateTicketFields]
    org.ws.execute_all(commands, org.ramon)
    assert (ticket(org, ticket_id).group_id, ticket(org, ticket_id).owner_id) == (
        org.acme_group, org.tomas)


def test_a_refused_save_writes_nothing(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    seen = details(org, org.tomas, ticket_id)  # Tomas may edit but not reassign
    commands = commands_for_edit(seen, edited(seen, title="Changed", owner_id=org.tomas))
    assert [type(c) for c in commands] == [UpdateTicketFields, AssignOwner]
    before = snapshot(org)

    with pytest.raises(DomainError):
        org.ws.execute_all(commands, org.tomas)

    assert snapshot(org) == before
    assert ticket(org, ticket_id).title == "Printer on fire"
