"""Administration commands: who may run them and the input they refuse."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain.commands import (
    AddMembership,
    Command,
    CreateCompany,
    CreateGroup,
    CreateInventoryObject,
    CreateProfile,
    CreateSla,
    CreateTicketType,
    CreateUser,
    SetStatusMapping,
    UpdateGroup,
)
from desktopdesk.domain.errors import FORBIDDEN, VALIDATION
from desktopdesk.models import Group, StatusTransition, User
from tests.conftest import Org
from tests.domain.support import reading, refused

SUPERADMIN_ONLY: dict[str, Callable[[Org], Command]] = {
    "company": lambda org: CreateCompany(name="Initech"),
    "user": lambda org: CreateUser(username="mallory", full_name="Mallory"),
    "profile": lambda org: CreateProfile(name="Everything", can_manage=True),
    "group": lambda org: CreateGroup(name="Shadow IT"),
    "update group": lambda org: UpdateGroup(group_id=org.acme_group,
                                            changes={"open_ticket_limit": 0}),
    "membership": lambda org: AddMembership(user_id=org.ramon, group_id=org.support,
                                            profile_id=org.escalate),
    "mapping": lambda org: SetStatusMapping(transitions=((1, 7),)),
}
MANAGERS: dict[str, Callable[[Org], Command]] = {
    "type": lambda org: CreateTicketType(name="Hardware"),
    "inventory": lambda org: CreateInventoryObject(name="Laptop"),
    "sla": lambda org: CreateSla(name="Gold"),
}


@pytest.mark.parametrize("make", SUPERADMIN_ONLY.values(), ids=SUPERADMIN_ONLY.keys())
def test_people_groups_and_mapping_are_for_super_admins(org: Org,
                                                        make: Callable[[Org], Command]) -> None:
    error = refused(org, make(org), org.ramon, FORBIDDEN)  # MANAGE is not enough

    assert "super-admin" in error.message
    org.do(make(org), org.admin)


@pytest.mark.parametrize("make", MANAGERS.values(), ids=MANAGERS.keys())
def test_types_inventory_and_slas_are_for_managers(org: Org,
                                                   make: Callable[[Org], Command]) -> None:
    error = refused(org, make(org), org.tomas, FORBIDDEN)

    assert "MANAGE" in error.message
    org.do(make(org), org.ramon)


@pytest.mark.parametrize(("changes", "field"), [
    ({"username": "x"}, "username"),
    ({"username": "Has Space"}, "username"),
    ({"username": "-dash"}, "username"),
    ({"username": "RAMON"}, "username"),  # taken, whatever the case
    ({"full_name": " "}, "full_name"),
    ({"email": "not-an-address"}, "email"),
    ({"company_id": uuid.UUID(int=1)}, "company_id"),
    ({"kind": "robot"}, "kind"),
])
def test_bad_users_are_refused(org: Org, changes: dict[str, Any], field: str) -> None:
    values: dict[str, Any] = {"username": "newbie", "full_name": "New Bie", **changes}

    error = refused(org, CreateUser(**values), org.admin, VALIDATION)

    assert error.field == field
    with reading(org) as session:
        assert session.scalar(select(User).where(User.full_name == values["full_name"])) is None


def test_usernames_are_stored_lower_case(org: Org) -> None:
    user_id = org.do(CreateUser(username=" NewBie ", full_name="New Bie"), org.admin).created_id

    with reading(org) as session:
        user = session.get(User, user_id)
        assert user is not None
        assert user.username == "newbie"


@pytest.mark.parametrize(("command", "field"), [
    (lambda org: CreateGroup(name="acme"), "name"),
    (lambda org: CreateGroup(name=" "), "name"),
    (lambda org: CreateGroup(name="Child", parent_id=uuid.UUID(int=1)), "parent_id"),
    (lambda org: CreateGroup(name="G", default_owner_id=uuid.UUID(int=1)), "default_owner_id"),
    (lambda org: CreateGroup(name="G", email_from="nope"), "email_from"),
    (lambda org: CreateGroup(name="G", sla_id=uuid.UUID(int=1)), "sla_id"),
    (lambda org: UpdateGroup(group_id=org.acme_group, changes={"name": "Support"}), "name"),
    (lambda org: UpdateGroup(group_id=org.acme_group, changes={"colour": "red"}), "colour"),
    (lambda org: UpdateGroup(group_id=org.acme_group,
                             changes={"parent_id": str(org.acme_group)}), "parent_id"),
    (lambda org: UpdateGroup(group_id=uuid.UUID(int=1), changes={}), "group_id"),
    # UpdateGroup's changes arrive as JSON: wrong types are refused, never crash.
    (lambda org: UpdateGroup(group_id=org.acme_group, changes={"name": 5}), "name"),
    (lambda org: UpdateGroup(group_id=org.acme_group, changes={"qa_evaluation": "yes"}),
     "qa_evaluation"),
    (lambda org: UpdateGroup(group_id=org.acme_group, changes={"email_from": 5}), "email_from"),
    (lambda org: UpdateGroup(group_id=org.acme_group, changes={"limit_mode": 5}), "limit_mode"),
    (lambda org: UpdateGroup(group_id=org.acme_group, changes={"sla_id": "x"}), "sla_id"),
])
def test_bad_groups_are_refused(org: Org, command: Callable[[Org], Command], field: str) -> None:
    error = refused(org, command(org), org.admin, VALIDATION)
    assert error.field == field


def test_a_group_cannot_sit_under_its_own_descendant(org: Org) -> None:
    child = org.do(CreateGroup(name="Acme EU", parent_id=org.acme_group), org.admin).created_id
    grandchild = org.do(CreateGroup(name="Acme Madrid", parent_id=child), org.admin).created_id

    error = refused(org, UpdateGroup(group_id=org.acme_group,
                                     changes={"parent_id": str(grandchild)}),
                    org.admin, VALIDATION)

    assert "under itself" in error.message
    with reading(org) as session:
        acme = session.get(Group, org.acme_group)
        assert acme is not None
        assert acme.parent_id is None


def test_a_membership_is_granted_once(org: Org) -> None:
    error = refused(org, AddMembership(user_id=org.tomas, group_id=org.support,
                                       profile_id=org.standard), org.admin, VALIDATION)
    assert "already" in error.message
    refused(org, AddMembership(user_id=org.tomas, group_id=org.support,
                               profile_id=uuid.UUID(int=1)), org.admin, VALIDATION)


@pytest.mark.parametrize(("pairs", "words"), [
    (((1, 8),), "unknown status"),
    (((-1, 3),), "unknown status"),
    (((3, 3),), "itself"),
    (((0, 7),), "created closed"),
])
def test_bad_status_mappings_are_refused_and_keep_the_old_one(
    org: Org, pairs: tuple[tuple[int, int], ...], words: str
) -> None:
    org.do(SetStatusMapping(transitions=((1, 3),)), org.admin)

    error = refused(org, SetStatusMapping(transitions=pairs), org.admin, VALIDATION)

    assert words in error.message
    with reading(org) as session:
        kept = {(t.from_status, t.to_status) for t in session.scalars(select(StatusTransition))}
    assert kept == {(1, 3)}


@pytest.mark.parametrize(("command", "field"), [
    (lambda org: CreateProfile(name="standard USER"), "name"),
    (lambda org: CreateProfile(name="Pricey", hourly_rate=-1.0), "hourly_rate"),
    (lambda org: CreateProfile(name="Pricey", hourly_rate=float("inf")), "hourly_rate"),
    (lambda org: CreateCompany(name="ACME"), "name"),
    (lambda org: CreateTicketType(name="T", group_ids=(uuid.UUID(int=1),)), "group_ids"),
    (lambda org: CreateInventoryObject(name="Laptop", company_id=uuid.UUID(int=1)),
     "company_id"),
    (lambda org: CreateSla(name="S", sla_type=5), "sla_type"),
    (lambda org: CreateSla(name="S", max_response_hours=-1.0), "max_response_hours"),
    (lambda org: CreateSla(name="S", day_end_hour=25), "day_end_hour"),
    (lambda org: CreateSla(name="S", max_open_tickets=-1), "max_open_tickets"),
])
def test_bad_definitions_are_refused(org: Org, command: Callable[[Org], Command],
                                     field: str) -> None:
    error = refused(org, command(org), org.admin, VALIDATION)
    assert error.field == field


def test_ids_cannot_be_reused(org: Org) -> None:
    refused(org, CreateGroup(group_id=org.support, name="Again"), org.admin, VALIDATION)
    refused(org, CreateUser(user_id=org.ana, username="again", full_name="Again"), org.admin,
            VALIDATION)
