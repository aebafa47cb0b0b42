"""Who may run each administration command, locally and through the server's push."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from desktopdesk.domain.commands import (
    COMMANDS,
    AddCustomField,
    AddHolidays,
    ChangeMembershipProfile,
    Command,
    CreateTicketType,
    DeleteTicketType,
    RemoveCustomField,
    RemoveHoliday,
    RemoveMembership,
    ReorderCustomFields,
    UpdateCompany,
    UpdateCustomField,
    UpdateGroup,
    UpdateProfile,
    UpdateTicketType,
    UpdateUser,
)
from desktopdesk.domain.errors import FORBIDDEN
from desktopdesk.models import Membership, User
from desktopdesk.sync.push import APPLIED, REJECTED, PushedMutation, process_push
from tests.conftest import Org
from tests.domain.support import reading, refused, snapshot


@dataclass
class Things:
    """What the commands below act on."""

    type_id: uuid.UUID
    field_id: uuid.UUID
    membership_id: uuid.UUID


@pytest.fixture
def things(org: Org) -> Things:
    type_id = org.do(CreateTicketType(name="Hardware"), org.ramon).created_id
    field_id = org.do(AddCustomField(ticket_type_id=type_id, label="Serial"),
                      org.ramon).created_id
    org.do(AddHolidays(holidays=(("2026-12-25", "Christmas"),)), org.admin)
    with reading(org) as session:
        membership_id = session.scalar(select(Membership.id).where(
            Membership.user_id == org.javi, Membership.group_id == org.support))
    assert type_id is not None
    assert field_id is not None
    assert membership_id is not None
    return Things(type_id, field_id, membership_id)


Make = Callable[[Org, Things], Command]

SETUP: dict[str, Make] = {
    "update company": lambda org, t: UpdateCompany(company_id=org.acme_company, name="Evil"),
    "update user": lambda org, t: UpdateUser(
        user_id=org.tomas, full_name="Tomas", email="", company_id=None, kind="grouped",
        is_superadmin=True, enabled=True),
    "update profile": lambda org, t: UpdateProfile(
        profile_id=org.standard, name="Standard user", can_view=True, can_edit=True,
        can_manage=True, can_escalate=True, can_qa=True, hourly_rate=0.0),
    "change membership": lambda org, t: ChangeMembershipProfile(
        membership_id=t.membership_id, profile_id=org.manager),
    "remove membership": lambda org, t: RemoveMembership(membership_id=t.membership_id),
    "assignment rule": lambda org, t: UpdateGroup(group_id=org.support, changes={
        "assignment_rule": "round_robin", "round_robin_profile_id": str(org.standard)}),
    "add holidays": lambda org, t: AddHolidays(holidays=(("2026-12-26", ""),)),
    "remove holiday": lambda org, t: RemoveHoliday(day="2026-12-25"),
}
DESIGN: dict[str, Make] = {
    "update type": lambda org, t: UpdateTicketType(ticket_type_id=t.type_id, name="Kit"),
    "update field": lambda org, t: UpdateCustomField(
        field_id=t.field_id, label="Serial no.", kind="text", required=True,
        show_in_list=False, help_text="", options=(), parent_field_id=None, linked_values=(),
        numeric_min=None, numeric_max=None),
    "reorder fields": lambda org, t: ReorderCustomFields(ticket_type_id=t.type_id,
                                                         field_ids=(t.field_id,)),
    "remove field": lambda org, t: RemoveCustomField(field_id=t.field_id),
    "delete type": lambda org, t: DeleteTicketType(ticket_type_id=t.type_id),
}


@pytest.mark.parametrize("make", SETUP.values(), ids=SETUP.keys())
def test_setup_is_for_super_admins(org: Org, things: Things, make: Make) -> None:
    before = snapshot(org)

    error = refused(org, make(org, things), org.ramon, FORBIDDEN)  # MANAGE is not enough

    assert "super-admin" in error.message
    assert snapshot(org) == before
    org.do(make(org, things), org.admin)


@pytest.mark.parametrize("make", DESIGN.values(), ids=DESIGN.keys())
def test_designing_types_needs_manage(org: Org, things: Things, make: Make) -> None:
    error = refused(org, make(org, things), org.tomas, FORBIDDEN)

    assert "MANAGE" in error.message
    org.do(make(org, things), org.ramon)


CLIENT = uuid.UUID("00000000-0000-4000-8000-00000000ad31")


@pytest.mark.parametrize(("actor", "commands"), [
    ("ramon", SETUP), ("tomas", DESIGN), ("tomas", SETUP),
], ids=["manager sends setup", "technician sends design", "technician sends setup"])
def test_the_server_refuses_admin_commands_whatever_the_client_sends(
        org: Org, things: Things, actor: str, commands: dict[str, Make]) -> None:
    """A desktop that skipped its own checks (or a forged push) changes nothing: the
    server replays every command with the sender's own rights."""
    before = snapshot(org)
    batch = [PushedMutation(n, make(org, things).to_json())
             for n, make in enumerate(commands.values(), start=1)]

    result = process_push(org.ws, getattr(org, actor), CLIENT, batch, lambda: org.now)

    assert [(o.outcome, o.code) for o in result.outcomes] == [(REJECTED, FORBIDDEN)] * len(batch)
    assert result.last_mutation_id == len(batch)  # refused, yet the queue moves on
    after = snapshot(org)
    assert {k: v for k, v in after.items() if k != "counters"} == {
        k: v for k, v in before.items() if k != "counters"}
    with reading(org) as session:
        tomas = session.get(User, org.tomas)
        assert tomas is not None
        assert not tomas.is_superadmin


@pytest.mark.parametrize(("actor", "commands"), [("admin", SETUP), ("ramon", DESIGN)],
                         ids=["super-admin sends setup", "manager sends design"])
def test_the_server_applies_them_for_those_allowed(org: Org, things: Things, actor: str,
                                                   commands: dict[str, Make]) -> None:
    batch = [PushedMutation(n, make(org, things).to_json())
             for n, make in enumerate(commands.values(), start=1)]

    result = process_push(org.ws, getattr(org, actor), CLIENT, batch, lambda: org.now)

    assert [(o.outcome, o.message) for o in result.outcomes] == [(APPLIED, "")] * len(batch)


def test_every_command_has_its_handler() -> None:
    """Each command, the new administration ones included, is applied by the one
    ``apply`` (a command without a handler would be refused as "No rule applies")."""
    from desktopdesk.domain import handlers  # noqa: F401  (registers them)
    from desktopdesk.domain.apply import _HANDLERS

    missing = sorted(name for name, cls in COMMANDS.items() if cls not in _HANDLERS)
    assert missing == []
    assert {"UpdateTicketType", "DeleteTicketType", "UpdateCustomField", "RemoveCustomField",
            "ReorderCustomFields", "RemoveMembership", "ChangeMembershipProfile",
            "UpdateUser", "UpdateCompany", "UpdateProfile", "AddHolidays",
            "RemoveHoliday"} <= set(COMMANDS)
