"""Administration made on one desktop reaches the others through the server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.documents.work_orders import default_template
from desktopdesk.domain.commands import (
    AddCustomField,
    AddHolidays,
    AddMembership,
    CreateTicket,
    CreateTicketType,
    CreateWorkOrderTemplate,
    DeleteWorkOrderTemplate,
    RemoveCustomField,
    RemoveHoliday,
    RemoveMembership,
    SetStatusMapping,
    UpdateGroup,
)
from desktopdesk.domain.errors import GROUP_LIMIT, DomainError
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.workflow import manual_example, open_workflow
from desktopdesk.models import (
    AssignmentTurn,
    CustomField,
    CustomFieldValue,
    Group,
    HistoryEvent,
    Holiday,
    Membership,
    StatusTransition,
    TicketType,
    WorkOrderTemplate,
)
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.client import open_conflicts
from desktopdesk.sync.rows import row_to_json
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.sync.desktop import Desktop


@pytest.fixture
def desktops(org: Org, tmp_path: Path) -> Iterator[dict[str, Desktop]]:
    made = {name: Desktop(org, getattr(org, name), tmp_path / name)
            for name in ("admin", "tomas", "javi")}
    for desktop in made.values():
        desktop.sync()
    yield made
    for desktop in made.values():
        desktop.ws.close()


def rows(ws: Workspace, model: type[Any]) -> dict[uuid.UUID, dict[str, Any]]:
    with ws.read() as session:
        return {row.id: row_to_json(row) for row in session.scalars(select(model))}


def test_a_field_and_a_limit_set_offline_reach_another_desktop(
        org: Org, desktops: dict[str, Desktop]) -> None:
    admin, tomas = desktops["admin"], desktops["tomas"]
    hardware = CreateTicketType(name="Hardware", group_ids=(org.support,))
    serial = AddCustomField(ticket_type_id=hardware.ticket_type_id, label="Serial",
                            required=True, help_text="On the sticker")
    limit = UpdateGroup(group_id=org.support, changes={"open_ticket_limit": 1})
    for command in (hardware, serial, limit):  # offline, on the admin's laptop
        admin.do(command)

    summary = admin.sync()
    tomas.sync()

    assert summary.applied == 3
    assert summary.conflicts == []
    with tomas.ws.read() as session:
        field = session.get(CustomField, serial.field_id)
        assert field is not None
        assert (field.label, field.required, field.help_text) == (
            "Serial", True, "On the sticker")
        group = session.get(Group, org.support)
        assert group is not None
        assert group.open_ticket_limit == 1
    assert rows(tomas.ws, CustomField) == rows(org.ws, CustomField)
    # Tomás's desktop now pre-validates with it, offline: the type asks for a serial, and
    # his second open ticket in Support is over the limit.
    tomas.do(CreateTicket(title="Disk", group_id=org.support,
                          ticket_type_id=hardware.ticket_type_id,
                          custom_values={str(serial.field_id): "SN-1"}))
    with pytest.raises(DomainError) as refused:
        tomas.do(CreateTicket(title="Another", group_id=org.support))
    assert refused.value.code == GROUP_LIMIT


def test_a_removed_field_leaves_desktops_with_the_value_in_history(
        org: Org, desktops: dict[str, Desktop]) -> None:
    admin, tomas = desktops["admin"], desktops["tomas"]
    hardware = CreateTicketType(name="Hardware")
    serial = AddCustomField(ticket_type_id=hardware.ticket_type_id, label="Serial")
    org.do(hardware, org.ramon)
    org.do(serial, org.ramon)
    ticket_id = new_ticket(org, org.tomas, org.support, ticket_type_id=hardware.ticket_type_id,
                           custom_values={str(serial.field_id): "SN-42"})
    tomas.sync()
    admin.sync()

    admin.do(RemoveCustomField(field_id=serial.field_id))
    admin.sync()
    tomas.sync()

    with tomas.ws.read() as session:
        assert session.get(CustomField, serial.field_id) is None
        assert session.scalars(select(CustomFieldValue)).all() == []
        kept = session.scalars(select(HistoryEvent).where(
            HistoryEvent.ticket_id == ticket_id,
            HistoryEvent.kind == EventKind.FIELD_REMOVED)).all()
        assert [(e.field, e.old_value) for e in kept] == [("custom:Serial", "SN-42")]


def test_a_replaced_status_mapping_arrives_exactly(org: Org,
                                                   desktops: dict[str, Desktop]) -> None:
    admin, tomas = desktops["admin"], desktops["tomas"]
    admin.do(SetStatusMapping(transitions=open_workflow()))
    admin.sync()
    tomas.sync()

    admin.do(SetStatusMapping(transitions=manual_example()))
    admin.sync()
    tomas.sync()

    with tomas.ws.read() as session:
        held = {(r.from_status, r.to_status) for r in session.scalars(select(StatusTransition))}
    assert held == set(manual_example())  # the rows dropped are gone from the desktop too
    assert rows(tomas.ws, StatusTransition) == rows(org.ws, StatusTransition)


def test_holidays_and_memberships_come_and_go(org: Org, desktops: dict[str, Desktop]) -> None:
    admin, tomas = desktops["admin"], desktops["tomas"]
    admin.do(AddHolidays(holidays=(("2026-12-25", "Christmas"), ("2026-12-26", ""))))
    with tomas.ws.read() as session:
        javi_support = session.scalar(select(Membership.id).where(
            Membership.user_id == org.javi, Membership.group_id == org.support))
    assert javi_support is not None
    admin.do(RemoveMembership(membership_id=javi_support))
    admin.sync()
    tomas.sync()
    assert {h["day"] for h in rows(tomas.ws, Holiday).values()} == {"2026-12-25", "2026-12-26"}
    assert javi_support not in rows(tomas.ws, Membership)

    admin.do(RemoveHoliday(day="2026-12-26"))
    admin.sync()
    tomas.sync()

    assert rows(tomas.ws, Holiday) == rows(org.ws, Holiday)
    assert rows(tomas.ws, Membership) == rows(org.ws, Membership)


def test_round_robin_is_decided_by_the_server_for_offline_tickets(
        org: Org, desktops: dict[str, Desktop]) -> None:
    """Two technicians file tickets offline in a round-robin group: each desktop guesses
    the owner from what it knows; the server's turns decide, and both converge."""
    org.do(UpdateGroup(group_id=org.support, changes={
        "assignment_rule": "round_robin", "round_robin_profile_id": str(org.standard)}),
        org.admin)
    tomas, javi = desktops["tomas"], desktops["javi"]
    tomas.sync()
    javi.sync()
    first = CreateTicket(title="Printer", group_id=org.support)
    second = CreateTicket(title="Scanner", group_id=org.support)
    tomas.do(first)
    javi.do(second)
    assert tomas.ticket(first.ticket_id).owner_id == org.javi  # both guess the same turn
    assert javi.ticket(second.ticket_id).owner_id == org.javi

    for desktop in (tomas, javi, tomas):
        summary = desktop.sync()
        assert summary.conflicts == []

    owners = [tomas.ticket(first.ticket_id).owner_id, javi.ticket(second.ticket_id).owner_id]
    assert owners == [org.javi, org.tomas]  # the server's turns, in arrival order
    assert open_conflicts(tomas.ws) == []
    assert open_conflicts(javi.ws) == []
    assert rows(tomas.ws, AssignmentTurn) == rows(org.ws, AssignmentTurn)


def test_a_grant_withdrawn_and_given_again_between_syncs(
        org: Org, desktops: dict[str, Desktop]) -> None:
    """The same (user, group, profile) removed and added again: two rows, one unique key.
    The desktop must drop the old row before it stores the new one."""
    admin, tomas = desktops["admin"], desktops["tomas"]
    with admin.ws.read() as session:
        javi_support = session.scalar(select(Membership).where(
            Membership.user_id == org.javi, Membership.group_id == org.support))
    assert javi_support is not None
    admin.do(RemoveMembership(membership_id=javi_support.id))
    admin.do(AddMembership(user_id=org.javi, group_id=org.support,
                           profile_id=javi_support.profile_id))
    admin.sync()

    tomas.sync()

    assert rows(tomas.ws, Membership) == rows(org.ws, Membership)


def test_a_work_order_template_made_offline_reaches_every_desktop(
        org: Org, desktops: dict[str, Desktop]) -> None:
    """Templates are configuration: the one an administrator writes on a laptop (for a
    type, as the default) is what every technician prints with after a sync, and its
    removal sends the type back to the standard template everywhere."""
    admin, tomas = desktops["admin"], desktops["tomas"]
    hardware = CreateTicketType(name="Hardware", group_ids=(org.support,))
    template = CreateWorkOrderTemplate(
        name="Hardware visit", body_html="<p>_incident_title_</p><p>_signatures_</p>",
        ticket_type_ids=(hardware.ticket_type_id,))
    house = CreateWorkOrderTemplate(name="House style", body_html="<p>_header_</p>",
                                    is_default=True)
    for command in (hardware, template, house):
        admin.do(command)

    assert admin.sync().applied == 3
    tomas.sync()

    with tomas.ws.read() as session:
        ticket_type = session.get(TicketType, hardware.ticket_type_id)
        assert ticket_type is not None
        assert ticket_type.work_order_template_id == template.template_id
        assert default_template(session).name == "House style"
    assert rows(tomas.ws, WorkOrderTemplate) == rows(org.ws, WorkOrderTemplate)

    admin.do(DeleteWorkOrderTemplate(template_id=template.template_id))
    admin.sync()
    tomas.sync()
    with tomas.ws.read() as session:
        ticket_type = session.get(TicketType, hardware.ticket_type_id)
        assert ticket_type is not None
        assert ticket_type.work_order_template_id is None
        assert session.get(WorkOrderTemplate, template.template_id) is None
