"""Groups: default type, assignment rule (round-robin), the tree, and memberships."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.admin_queries import groups
from desktopdesk.domain.commands import (
    AddMembership,
    ChangeMembershipProfile,
    ChangeSetting,
    CreateGroup,
    CreateProfile,
    CreateTicket,
    CreateTicketType,
    CreateUser,
    RemoveMembership,
    UpdateGroup,
    UpdateUser,
)
from desktopdesk.domain.errors import GROUP_LIMIT, VALIDATION
from desktopdesk.domain.handlers.create_ticket import round_robin_pick
from desktopdesk.models import AssignmentRule, Group, Membership, User
from tests.conftest import Org
from tests.domain.support import new_ticket, reading, refused, ticket


def created(org: Org, command: Any) -> uuid.UUID:
    result = org.do(command, org.admin)
    assert result.created_id is not None
    return result.created_id


def group_row(org: Org, group_id: uuid.UUID) -> Group:
    with reading(org) as session:
        row = session.get(Group, group_id)
        assert row is not None
        return row


# --- Group settings -----------------------------------------------------------------------


def test_a_default_type_must_be_offered_in_the_group(org: Org) -> None:
    support_only = created(org, CreateTicketType(name="Server", group_ids=(org.support,)))
    everywhere = created(org, CreateTicketType(name="Question"))

    error = refused(org, UpdateGroup(group_id=org.acme_group,
                                     changes={"default_ticket_type_id": str(support_only)}),
                    org.admin, VALIDATION)
    assert error.field == "default_ticket_type_id"
    assert "'Server' is not offered" in error.message

    org.do(UpdateGroup(group_id=org.acme_group,
                       changes={"default_ticket_type_id": str(everywhere)}), org.admin)
    assert group_row(org, org.acme_group).default_ticket_type_id == everywhere
    made = created(org, CreateGroup(name="Servers", default_ticket_type_id=everywhere))
    assert group_row(org, made).default_ticket_type_id == everywhere


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"assignment_rule": "lottery"}, "assignment_rule", "'default_owner' or 'round_robin'"),
    ({"assignment_rule": "round_robin"}, "round_robin_profile_id", "needs the profile"),
    ({"round_robin_profile_id": str(uuid.UUID(int=5))}, "round_robin_profile_id", "Unknown"),
    ({"default_ticket_type_id": "nope"}, "default_ticket_type_id", "must be an id"),
    ({"assignment_rule": 3}, "assignment_rule", "must be text"),
])
def test_bad_group_settings_are_refused(org: Org, changes: dict[str, Any], field: str,
                                        words: str) -> None:
    error = refused(org, UpdateGroup(group_id=org.support, changes=changes), org.admin,
                    VALIDATION)

    assert error.field == field
    assert words in error.message
    assert group_row(org, org.support).assignment_rule is AssignmentRule.DEFAULT_OWNER


def test_a_group_cannot_sit_under_its_own_subgroup(org: Org) -> None:
    child = created(org, CreateGroup(name="Support L2", parent_id=org.support))
    grandchild = created(org, CreateGroup(name="Support L3", parent_id=child))

    for parent in (grandchild, org.support):
        error = refused(org, UpdateGroup(group_id=org.support,
                                         changes={"parent_id": str(parent)}), org.admin,
                        VALIDATION)
        assert error.field == "parent_id"
        assert "under itself" in error.message
    assert group_row(org, org.support).parent_id is None


def test_a_lower_limit_refuses_the_next_ticket(org: Org) -> None:
    new_ticket(org, org.ana)
    org.do(UpdateGroup(group_id=org.acme_group, changes={"open_ticket_limit": 1}), org.admin)

    error = refused(org, CreateTicket(title="Second", group_id=org.acme_group), org.ana,
                    GROUP_LIMIT)

    assert "Acme" in error.message


# --- Round-robin --------------------------------------------------------------------------


@pytest.fixture
def rota(org: Org) -> uuid.UUID:
    """Support as a round-robin group among its "Standard user" members: javi, tomas."""
    org.do(UpdateGroup(group_id=org.support, changes={
        "assignment_rule": "round_robin", "round_robin_profile_id": str(org.standard)}),
        org.admin)
    return org.support


def owners(org: Org, count: int, actor: uuid.UUID | None = None) -> list[uuid.UUID]:
    return [ticket(org, new_ticket(org, actor or org.ramon, org.support)).owner_id
            for _ in range(count)]


def test_members_with_the_profile_take_turns_by_username(org: Org, rota: uuid.UUID) -> None:
    assert owners(org, 5) == [org.javi, org.tomas, org.javi, org.tomas, org.javi]


def test_a_new_member_joins_the_rota_in_username_order(org: Org, rota: uuid.UUID) -> None:
    kim = created(org, CreateUser(username="kim", full_name="Kim"))
    org.do(AddMembership(user_id=kim, group_id=org.support, profile_id=org.standard), org.admin)

    assert owners(org, 4) == [org.javi, kim, org.tomas, org.javi]


def test_disabled_members_and_other_profiles_are_skipped(org: Org, rota: uuid.UUID) -> None:
    # Ramón holds "Incident manager" in Support: not a member of the rota.
    assert owners(org, 1) == [org.javi]
    org.do(UpdateUser(user_id=org.tomas, full_name="Tomas", email="", company_id=None,
                      kind="grouped", is_superadmin=False, enabled=False), org.admin)

    assert owners(org, 2) == [org.javi, org.javi]


def test_the_rota_resumes_after_the_last_one_assigned(org: Org, rota: uuid.UUID) -> None:
    assert owners(org, 1) == [org.javi]
    # An owner given explicitly is not a turn.
    explicit = org.do(CreateTicket(title="t", group_id=org.support, owner_id=org.javi),
                      org.ramon)
    assert explicit.created_id is not None

    assert owners(org, 2) == [org.tomas, org.javi]
    with reading(org) as session:
        design = next(g for g in groups(session) if g.id == org.support)
    assert design.last_assigned_id == org.javi


def test_without_anyone_to_take_a_turn_the_default_owner_takes_it(org: Org,
                                                                  rota: uuid.UUID) -> None:
    nobody = created(org, CreateProfile(name="Nobody", can_view=True))
    org.do(UpdateGroup(group_id=org.support, changes={
        "round_robin_profile_id": str(nobody), "default_owner_id": str(org.ramon)}), org.admin)

    assert owners(org, 2, actor=org.tomas) == [org.ramon, org.ramon]


def test_owner_is_creator_puts_the_filer_first(org: Org, rota: uuid.UUID) -> None:
    org.do(ChangeSetting(key="owner_is_creator", value=True), org.admin)

    assert owners(org, 2, actor=org.ramon) == [org.ramon, org.ramon]
    assert owners(org, 1, actor=org.tomas) == [org.tomas]


def test_the_form_shows_whose_turn_it_is_without_taking_it(org: Org, rota: uuid.UUID) -> None:
    with reading(org) as session:
        group = session.get(Group, org.support)
        assert group is not None
        pick = round_robin_pick(session, group)
        assert pick is not None
        assert pick.id == org.javi
        assert round_robin_pick(session, group) is not None

    assert owners(org, 1) == [org.javi]  # asking did not pass the turn


# --- Memberships --------------------------------------------------------------------------


def membership(org: Org, user: uuid.UUID, group: uuid.UUID) -> Membership:
    with reading(org) as session:
        found = session.scalar(select(Membership).where(Membership.user_id == user,
                                                        Membership.group_id == group))
        assert found is not None
        return found


def access(org: Org, user: uuid.UUID, group: uuid.UUID) -> acl.Access:
    with reading(org) as session:
        return acl.load_permissions(session, user).access(group)


def test_removing_a_membership_withdraws_its_access(org: Org) -> None:
    assert access(org, org.javi, org.support).view

    org.do(RemoveMembership(membership_id=membership(org, org.javi, org.support).id), org.admin)

    assert not access(org, org.javi, org.support).view
    refused(org, RemoveMembership(membership_id=uuid.uuid4()), org.admin, VALIDATION)


def test_changing_a_membership_profile_changes_the_access(org: Org) -> None:
    held = membership(org, org.tomas, org.support)

    org.do(ChangeMembershipProfile(membership_id=held.id, profile_id=org.manager), org.admin)

    assert access(org, org.tomas, org.support).manage
    assert membership(org, org.tomas, org.support).id == held.id


def test_a_profile_change_may_not_duplicate_a_grant(org: Org) -> None:
    org.do(AddMembership(user_id=org.tomas, group_id=org.support, profile_id=org.escalate),
           org.admin)

    error = refused(org, ChangeMembershipProfile(
        membership_id=membership_with(org, org.tomas, org.support, org.standard).id,
        profile_id=org.escalate), org.admin, VALIDATION)

    assert "already holds this profile" in error.message


def membership_with(org: Org, user: uuid.UUID, group: uuid.UUID,
                    profile: uuid.UUID) -> Membership:
    with reading(org) as session:
        found = session.scalar(select(Membership).where(
            Membership.user_id == user, Membership.group_id == group,
            Membership.profile_id == profile))
        assert found is not None
        return found


def test_the_groups_overview_is_a_tree_with_members(org: Org) -> None:
    child = created(org, CreateGroup(name="Acme printers", parent_id=org.acme_group))

    with reading(org) as session:
        tree = groups(session)
        names = {u.id: u.username for u in session.scalars(select(User))}

    assert [(g.name, g.depth) for g in tree] == [
        ("Acme", 0), ("Acme printers", 1), ("Independent customers", 0), ("Support", 0)]
    support = next(g for g in tree if g.id == org.support)
    assert [(names[m.user_id], m.profile_name) for m in support.members] == [
        ("javi", "Standard user"), ("ramon", "Incident manager"), ("tomas", "Standard user")]
    assert next(g for g in tree if g.id == child).parent_id == org.acme_group
