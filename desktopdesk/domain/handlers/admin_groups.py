"""Setup of groups (a tree of queues) and of who works in them with which profile.

Super-admins only. A group's values come as JSON on ``UpdateGroup``, so each is checked
for its type before use; a round-robin group needs the profile whose members take turns.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    GROUP_FIELDS,
    AddMembership,
    ChangeMembershipProfile,
    CreateGroup,
    RemoveMembership,
    UpdateGroup,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.domain.handlers.admin_common import require_unique
from desktopdesk.domain.handlers.common import (
    as_uuid,
    normalise_emails,
    require_active_user,
    require_new_id,
    require_row,
    require_text,
)
from desktopdesk.domain.handlers.ticket_rules import type_offered_in
from desktopdesk.models import (
    AssignmentRule,
    Group,
    LimitMode,
    Membership,
    Profile,
    Sla,
    TicketType,
    TicketTypeGroup,
    User,
)


def _check_group_values(action: Action, group_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Check (and convert) the given values in place; absent keys are left alone."""
    session = action.session
    for key in ("name", "email_from", "assignment_rule"):
        if key in values and not isinstance(values[key], str):
            raise DomainError(VALIDATION, f"'{key}' must be text.", key)
    if "qa_evaluation" in values and not isinstance(values["qa_evaluation"], bool):
        raise DomainError(VALIDATION, "'QA evaluation' is yes or no.", "qa_evaluation")
    if "name" in values:
        values["name"] = require_text(values["name"], "The group name", "name", 100)
    if values.get("parent_id") is not None:
        values["parent_id"] = _check_parent(action, group_id,
                                            as_uuid(values["parent_id"], "parent_id"))
    if values.get("default_owner_id") is not None:
        values["default_owner_id"] = require_active_user(
            session, as_uuid(values["default_owner_id"], "default_owner_id"), "default_owner_id"
        ).id
    for key in ("open_ticket_limit", "total_ticket_limit"):
        if key in values:
            limit = values[key]
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                raise DomainError(VALIDATION, "A ticket limit is a whole number, 0 for none.",
                                  key)
    if "limit_mode" in values:
        try:
            values["limit_mode"] = LimitMode(values["limit_mode"])
        except ValueError:
            raise DomainError(VALIDATION, "The limit mode is 'forced' or 'notify'.",
                              "limit_mode") from None
    if values.get("email_from"):
        values["email_from"] = normalise_emails((values["email_from"],), "email_from")[0]
    if values.get("sla_id") is not None:
        values["sla_id"] = require_row(session, Sla, as_uuid(values["sla_id"], "sla_id"),
                                       "SLA", "sla_id").id
    if values.get("default_ticket_type_id") is not None:
        type_id = as_uuid(values["default_ticket_type_id"], "default_ticket_type_id")
        ticket_type = require_row(session, TicketType, type_id, "ticket type",
                                  "default_ticket_type_id")
        offered_to = set(session.scalars(select(TicketTypeGroup.group_id).where(
            TicketTypeGroup.ticket_type_id == type_id)))
        if not type_offered_in(offered_to, group_id):
            raise DomainError(VALIDATION, f"Type '{ticket_type.name}' is not offered in this "
                                          "group, so it cannot be its default.",
                              "default_ticket_type_id")
        values["default_ticket_type_id"] = type_id
    if "assignment_rule" in values:
        try:
            values["assignment_rule"] = AssignmentRule(values["assignment_rule"])
        except ValueError:
            raise DomainError(VALIDATION, "The assignment rule is 'default_owner' or "
                                          "'round_robin'.", "assignment_rule") from None
    if values.get("round_robin_profile_id") is not None:
        values["round_robin_profile_id"] = require_row(
            session, Profile, as_uuid(values["round_robin_profile_id"], "round_robin_profile_id"),
            "profile", "round_robin_profile_id").id


def _check_parent(action: Action, group_id: uuid.UUID, parent_id: uuid.UUID) -> uuid.UUID:
    """The parent exists and is not the group or below it (the tree would loop)."""
    parents = {gid: parent
               for gid, parent in action.session.execute(select(Group.id, Group.parent_id))}
    if parent_id not in parents:
        raise DomainError(VALIDATION, "Unknown parent group.", "parent_id")
    node: uuid.UUID | None = parent_id
    seen: set[uuid.UUID] = set()
    while node is not None and node not in seen:
        if node == group_id:
            raise DomainError(VALIDATION, "A group cannot sit under itself or under one of "
                                          "its own subgroups.", "parent_id")
        seen.add(node)
        node = parents.get(node)
    return parent_id


def _check_round_robin(group: Group) -> None:
    if group.assignment_rule is AssignmentRule.ROUND_ROBIN and group.round_robin_profile_id is None:
        raise DomainError(VALIDATION, "Round-robin needs the profile whose members take turns.",
                          "round_robin_profile_id")


@handles(CreateGroup)
def create_group(action: Action, cmd: CreateGroup) -> CommandResult:
    acl.require_superadmin(action.perms, "create groups")
    require_new_id(action.session, Group, cmd.group_id, "group", "group_id")
    values = {name: getattr(cmd, name) for name in GROUP_FIELDS}
    _check_group_values(action, cmd.group_id, values)
    require_unique(action, Group, Group.name, values["name"], "group", "name")
    group = Group(id=cmd.group_id, **values)
    _check_round_robin(group)
    action.session.add(group)
    return action.result(created_id=cmd.group_id, config_changed=True)


@handles(UpdateGroup)
def update_group(action: Action, cmd: UpdateGroup) -> CommandResult:
    acl.require_superadmin(action.perms, "change groups")
    group = require_row(action.session, Group, cmd.group_id, "group", "group_id")
    unknown = set(cmd.changes) - set(GROUP_FIELDS)
    if unknown:
        raise DomainError(VALIDATION, f"'{sorted(unknown)[0]}' is not a group setting.",
                          sorted(unknown)[0])
    values = dict(cmd.changes)
    _check_group_values(action, group.id, values)
    if "name" in values:
        require_unique(action, Group, Group.name, values["name"], "group", "name",
                       except_id=group.id)
    for key, value in values.items():
        setattr(group, key, value)
    _check_round_robin(group)
    return action.result(config_changed=True)


# --- Memberships --------------------------------------------------------------------------


def _require_no_duplicate(action: Action, user_id: uuid.UUID, group_id: uuid.UUID,
                          profile_id: uuid.UUID) -> None:
    exists = action.session.scalar(select(Membership.id).where(
        Membership.user_id == user_id, Membership.group_id == group_id,
        Membership.profile_id == profile_id,
    ))
    if exists is not None:
        raise DomainError(VALIDATION, "That user already holds this profile in this group.",
                          "profile_id")


@handles(AddMembership)
def add_membership(action: Action, cmd: AddMembership) -> CommandResult:
    acl.require_superadmin(action.perms, "grant profiles")
    session = action.session
    require_new_id(session, Membership, cmd.membership_id, "membership", "membership_id")
    require_row(session, User, cmd.user_id, "user", "user_id")
    require_row(session, Group, cmd.group_id, "group", "group_id")
    require_row(session, Profile, cmd.profile_id, "profile", "profile_id")
    _require_no_duplicate(action, cmd.user_id, cmd.group_id, cmd.profile_id)
    session.add(Membership(id=cmd.membership_id, user_id=cmd.user_id, group_id=cmd.group_id,
                           profile_id=cmd.profile_id))
    return action.result(created_id=cmd.membership_id, config_changed=True)


@handles(RemoveMembership)
def remove_membership(action: Action, cmd: RemoveMembership) -> CommandResult:
    acl.require_superadmin(action.perms, "withdraw profiles")
    membership = require_row(action.session, Membership, cmd.membership_id, "membership",
                             "membership_id")
    action.session.delete(membership)  # one by one: the server leaves a tombstone
    return action.result(config_changed=True)


@handles(ChangeMembershipProfile)
def change_membership_profile(action: Action, cmd: ChangeMembershipProfile) -> CommandResult:
    acl.require_superadmin(action.perms, "grant profiles")
    session = action.session
    membership = require_row(session, Membership, cmd.membership_id, "membership",
                             "membership_id")
    require_row(session, Profile, cmd.profile_id, "profile", "profile_id")
    if membership.profile_id == cmd.profile_id:
        return action.result(config_changed=True)
    _require_no_duplicate(action, membership.user_id, membership.group_id, cmd.profile_id)
    membership.profile_id = cmd.profile_id
    return action.result(config_changed=True)
