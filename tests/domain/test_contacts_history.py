"""History: one event per change (who, when, what, old, new); contacts derived from it."""

from __future__ import annotations

import datetime as dt

from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    ChangeStatus,
    CreateTicket,
    UpdateTicketFields,
)
from desktopdesk.domain.contacts import Contact, ticket_contacts
from desktopdesk.models import Priority, Status, Ticket
from tests.conftest import Org
from tests.domain.support import history, new_ticket, reading

HOUR = dt.timedelta(hours=1)


def contacts(org: Org, ticket_id: object) -> list[Contact]:
    with reading(org) as session:
        row = session.get(Ticket, ticket_id)
        assert row is not None
        return ticket_contacts(session, row)


def test_creation_records_what_the_ticket_started_with(org: Org) -> None:
    command = CreateTicket(title="VPN down", group_id=org.acme_group, priority=Priority.SERIOUS)

    org.do(command, org.ana)

    events = history(org, command.ticket_id)
    assert {(e.kind, e.field, e.old_value, e.new_value) for e in events} == {
        ("created", "", "", "VPN down"),
        ("status_changed", "status", "", str(Status.NEW.value)),
        ("priority_changed", "priority", "", str(Priority.SERIOUS.value)),
        ("group_changed", "group", "", str(org.acme_group)),
        ("owner_changed", "owner", "", str(org.ramon)),
    }
    assert {(e.actor_id, e.at, e.command_id) for e in events} == {
        (org.ana, org.now, command.command_id)}


def test_each_change_is_one_event_with_who_when_old_and_new(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, title="VPN down")
    before = len(history(org, ticket_id))
    later = org.now + HOUR
    command = UpdateTicketFields(ticket_id=ticket_id, changes={
        "title": "VPN down in Madrid", "priority": int(Priority.VERY_SERIOUS),
        "project_task": "NET-7"})

    org.do(command, org.tomas, at=later)

    new = history(org, ticket_id)[before:]
    assert {(e.kind, e.field, e.old_value, e.new_value) for e in new} == {
        ("field_changed", "title", "VPN down", "VPN down in Madrid"),
        ("priority_changed", "priority", str(Priority.MEDIUM.value),
         str(Priority.VERY_SERIOUS.value)),
        ("field_changed", "project_task", "", "NET-7"),
    }
    assert len(new) == 3
    assert {(e.actor_id, e.at, e.command_id) for e in new} == {
        (org.tomas, later, command.command_id)}


def test_an_update_that_changes_nothing_records_nothing(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, title="VPN down")
    before = history(org, ticket_id)

    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={
        "title": "  VPN down ", "priority": int(Priority.MEDIUM)}), org.ana)

    assert len(history(org, ticket_id)) == len(before)


def test_contacts_list_creator_owner_editor_then_participants(org: Org) -> None:
    ticket_id = new_ticket(org, org.ramon, creator_id=org.ana)  # typed in by Ramón for Ana
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>on it</p>"), org.tomas,
           at=org.now + HOUR)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "Renamed"}), org.bob,
           at=org.now + 2 * HOUR)

    assert contacts(org, ticket_id) == [
        Contact(org.ana, ("creator",)),
        Contact(org.ramon, ("owner", "editor")),
        Contact(org.tomas, ("participant",)),
        Contact(org.bob, ("participant",)),
    ]


def test_contacts_follow_the_ticket_as_owners_change(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.tomas), org.ramon, at=org.now + HOUR)
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.tomas,
           at=org.now + 2 * HOUR)

    assert contacts(org, ticket_id) == [
        Contact(org.ana, ("creator", "editor")),
        Contact(org.tomas, ("owner",)),
        Contact(org.ramon, ("participant",)),  # reassigned it, so took part
    ]


def test_someone_who_only_reads_is_not_a_contact(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    assert org.bob not in {c.user_id for c in contacts(org, ticket_id)}
    assert [c.user_id for c in contacts(org, ticket_id)] == [org.ana, org.ramon]


def test_participants_can_be_limited_to_the_people_a_reader_sees_at_work(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>hidden</p>", is_private=True),
           org.tomas, at=org.now + HOUR)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "Renamed"}), org.bob,
           at=org.now + 2 * HOUR)

    with reading(org) as session:
        row = session.get(Ticket, ticket_id)
        assert row is not None
        seen = ticket_contacts(session, row, seen_actors=[org.ana, org.bob, org.ana])

    assert seen == [
        Contact(org.ana, ("creator", "editor")),
        Contact(org.ramon, ("owner",)),
        Contact(org.bob, ("participant",)),
    ]
    assert org.tomas in {c.user_id for c in contacts(org, ticket_id)}


def test_a_description_change_keeps_the_start_of_both_texts(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, description_html="<p>The <b>printer</b> jams.</p>")

    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={
        "description_html": "<p>" + "It now smokes. " * 40 + "</p>"}), org.ana)

    (event,) = history(org, ticket_id, "field_changed")
    assert event.field == "description"
    assert event.old_value == "The printer jams."
    assert event.new_value.startswith("It now smokes. It now smokes.")
    assert len(event.new_value) == 200
    assert event.new_value.endswith("…")
