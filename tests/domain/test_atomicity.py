"""A refused command leaves nothing behind: no rows, no history, no log entry, no counter."""

from __future__ import annotations

import uuid

from desktopdesk.domain.commands import (
    AddCustomField,
    AddWorkunit,
    CreateTicket,
    CreateTicketType,
    UpdateGroup,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import DUPLICATE, GROUP_LIMIT, VALIDATION
from tests.conftest import Org
from tests.domain.support import history, new_ticket, refused, snapshot, ticket


def test_create_with_a_bad_custom_value_writes_nothing(org: Org) -> None:
    type_id = org.do(CreateTicketType(name="Hardware"), org.ramon).created_id
    units = org.do(AddCustomField(ticket_type_id=type_id, label="Units", kind="numeric"),
                   org.ramon).created_id
    new_ticket(org, org.ana)
    before = snapshot(org)

    refused(org, CreateTicket(title="t", group_id=org.acme_group, ticket_type_id=type_id,
                              custom_values={str(units): "many"}), org.ana, VALIDATION)

    assert snapshot(org) == before


def test_create_over_a_forced_limit_writes_nothing(org: Org) -> None:
    new_ticket(org, org.ana)
    org.do(UpdateGroup(group_id=org.acme_group, changes={"total_ticket_limit": 1}), org.admin)
    before = snapshot(org)

    refused(org, CreateTicket(title="t", group_id=org.acme_group), org.ana, GROUP_LIMIT)

    assert snapshot(org) == before


def test_create_refused_after_the_ticket_row_was_flushed_writes_nothing(org: Org) -> None:
    """An unknown inventory object is only found once the ticket row is in the session."""
    before = snapshot(org)
    command = CreateTicket(title="t", group_id=org.acme_group,
                           inventory_object_ids=(uuid.uuid4(),))

    refused(org, command, org.ana, VALIDATION)

    assert snapshot(org) == before
    assert before["counters"].get("ticket_number") is None


def test_an_update_refused_half_way_keeps_the_earlier_changes_out(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, title="Old title")
    events = len(history(org, ticket_id))
    before = snapshot(org)

    # The title is checked (and its event recorded) before the priority is refused.
    refused(org, UpdateTicketFields(ticket_id=ticket_id,
                                    changes={"title": "New title", "priority": 99}),
            org.ana, VALIDATION)

    assert ticket(org, ticket_id).title == "Old title"
    assert len(history(org, ticket_id)) == events
    assert snapshot(org) == before


def test_a_command_applies_once(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    command = AddWorkunit(ticket_id=ticket_id, text_html="once")
    org.do(command, org.tomas)
    before = snapshot(org)

    error = refused(org, command, org.tomas, DUPLICATE)

    assert "already" in error.message
    assert snapshot(org) == before


def test_an_accepted_command_is_logged_and_advances_the_counters(org: Org) -> None:
    before = snapshot(org)

    new_ticket(org, org.ana)

    after = snapshot(org)
    assert after["tickets"] == before["tickets"] + 1
    assert after["command_log"] == before["command_log"] + 1
    assert after["counters"]["command_log"] == before["counters"]["command_log"] + 1
    assert after["counters"]["change_sequence"] > before["counters"]["change_sequence"]
