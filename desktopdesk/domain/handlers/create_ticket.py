"""CreateTicket: filing a ticket, with its owner, creator and starting status chosen."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain import acl, fields, settings, workflow
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    CreateTicket,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.counters import PROVISIONAL_TICKET_NUMBER, TICKET_NUMBER, next_value
from desktopdesk.domain.errors import (
    FORBIDDEN,
    INVALID_TRANSITION,
    NOT_OWNER,
    VALIDATION,
    DomainError,
)
from desktopdesk.domain.handlers.common import (
    normalise_emails,
    require_active_user,
    require_new_id,
    require_row,
    require_text,
)
from desktopdesk.domain.handlers.ticket_rules import (
    MAX_TITLE,
    RuleView,
    can_own,
    check_inventory_in_scope,
    check_owner_candidate,
    check_parent,
    check_priority,
    check_status,
    check_type_for_group,
    custom_keys,
    inventory_scope,
    may_change_people,
    may_set_creator,
    owner_candidates,
)
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.html import sanitize_html
from desktopdesk.domain.limits import check_group_limits
from desktopdesk.domain.workunit_rules import add_workunit_row
from desktopdesk.models import (
    AssignmentRule,
    AssignmentTurn,
    CustomFieldValue,
    Group,
    InventoryObject,
    Membership,
    Resolution,
    Status,
    Ticket,
    TicketInventoryLink,
    User,
)


@handles(CreateTicket)
def create_ticket(action: Action, cmd: CreateTicket) -> CommandResult:
    session, perms = action.session, action.perms
    require_new_id(session, Ticket, cmd.ticket_id, "ticket", "ticket_id")
    title = require_text(cmd.title, "The title", "title", MAX_TITLE)
    group = require_row(session, Group, cmd.group_id, "group", "group_id")
    if not acl.can_create_in(perms, group.id):
        raise DomainError(FORBIDDEN, f"You may not create tickets in group '{group.name}'.",
                          "group_id")
    ticket_type = check_type_for_group(action, cmd.ticket_type_id, group, required_check=True)
    creator = _choose_creator(action, cmd.creator_id, group)
    owner = _choose_owner(action, cmd.owner_id, group)
    if cmd.owner_id is None:
        _take_turn(action, group, owner)
    status = _initial_status(action, cmd.status, owner, group)
    priority = check_priority(cmd.priority)
    parent_id = check_parent(action, cmd.ticket_id, cmd.parent_id)
    created_at = _creation_time(action, cmd)
    emails = normalise_emails(cmd.emails_in_copy, "emails_in_copy")
    type_fields = fields.fields_for_type(session, ticket_type.id if ticket_type else None)
    values = fields.validate_values(type_fields, custom_keys(cmd.custom_values))
    warning = check_group_limits(session, group, creator.id, action.now)

    ticket = Ticket(
        id=cmd.ticket_id,
        title=title,
        description_html=sanitize_html(cmd.description_html),
        status=status,
        priority=priority,
        resolution=Resolution.NONE,
        group_id=group.id,
        creator_id=creator.id,
        owner_id=owner.id,
        editor_id=action.actor_id,
        creator_group_id=group.id,
        ticket_type_id=ticket_type.id if ticket_type else None,
        parent_id=parent_id,
        emails_in_copy=emails,
        project_task=cmd.project_task.strip(),
        created_at=created_at,
        updated_at=created_at,
    )
    if action.ctx.is_authority:
        ticket.number = next_value(session, TICKET_NUMBER)
    else:
        ticket.provisional_number = (
            action.ctx.mutation_id if action.ctx.mutation_id is not None
            else next_value(session, PROVISIONAL_TICKET_NUMBER)
        )
    session.add(ticket)
    session.flush()
    for field_id, value in values.items():
        if value:
            session.add(CustomFieldValue(ticket_id=ticket.id, field_id=field_id, value=value))
    scope = inventory_scope(action, group.id, creator.id)
    for object_id in dict.fromkeys(cmd.inventory_object_ids):
        item = require_row(session, InventoryObject, object_id, "inventory object",
                           "inventory_object_ids")
        check_inventory_in_scope(scope, item, "inventory_object_ids")
        session.add(TicketInventoryLink(ticket_id=ticket.id, inventory_object_id=object_id))

    history = action.history
    history.record(ticket.id, EventKind.CREATED, new=title)
    history.record(ticket.id, EventKind.STATUS_CHANGED, "status", new=status)
    history.record(ticket.id, EventKind.PRIORITY_CHANGED, "priority", new=priority)
    history.record(ticket.id, EventKind.GROUP_CHANGED, "group", new=group.id)
    history.record(ticket.id, EventKind.OWNER_CHANGED, "owner", new=owner.id)
    if action.setting(settings.EDITOR_ADDS_WORKUNIT_ON_CREATE):
        add_workunit_row(
            action, ticket,
            text_html="<p>Workunit added by the editor when the ticket was created.</p>",
            hours=action.setting(settings.WORKUNIT_DEFAULT_HOURS),
        )
    return action.result(created_id=ticket.id, tickets=(ticket.id,),
                         warnings=(warning,) if warning else ())


def _choose_creator(action: Action, creator_id: uuid.UUID | None, group: Group) -> User:
    if creator_id is None:
        if action.setting(settings.CREATOR_BLANK_BY_DEFAULT):
            raise DomainError(VALIDATION, "Choose who the ticket is for (its creator).",
                              "creator_id")
        creator_id = action.actor_id
    if creator_id != action.actor_id and not may_set_creator(action, group.id):
        raise DomainError(FORBIDDEN, "You may not file tickets on behalf of someone else.",
                          "creator_id")
    return require_active_user(action.session, creator_id, "creator_id")


def _choose_owner(action: Action, owner_id: uuid.UUID | None, group: Group) -> User:
    """The chosen owner, else the first who can own it of: the creator when "owner is
    creator" is on, the group's default owner, the person filing it."""
    session = action.session
    if owner_id is not None:
        if owner_id != action.actor_id and not may_choose_owner(action, group.id):
            raise DomainError(FORBIDDEN, "You need MANAGE on the group to choose the owner.",
                              "owner_id")
        owner = require_active_user(session, owner_id, "owner_id")
        check_owner_candidate(action, owner, group.id)
        return owner
    require_active_user(session, action.actor_id, "owner_id")
    fallback = default_owner(action, group)
    if fallback is not None:
        return fallback
    raise DomainError(
        VALIDATION, f"Group '{group.name}' has no default owner who can take this ticket; an "
                    "administrator must set one.", "group_id",
    )


def may_choose_owner(action: RuleView, group_id: uuid.UUID) -> bool:
    """Name someone else as the owner of a new ticket in the group."""
    return may_change_people(action) and action.perms.access(group_id).manage


def default_owner(action: RuleView, group: Group) -> User | None:
    """Who owns a new ticket filed without an owner: the first who can own it of the
    member whose turn it is (a round-robin group, unless "auto-assign by the group's
    rule" is off), the group's default owner and the person filing it (the other way
    round when "owner is creator" is on); None when none can. Reads only: the turn passes
    when the ticket is filed (``_take_turn``)."""
    session = action.session
    actor = session.get(User, action.perms.user_id)
    group_default = session.get(User, group.default_owner_id) if group.default_owner_id else None
    by_turn = round_robin_pick(session, group) if assigns_by_rule(action) else None
    candidates = [by_turn, group_default, actor]
    if action.setting(settings.OWNER_IS_CREATOR):
        candidates.reverse()
    for candidate in candidates:
        if candidate is not None and can_own(session, candidate, group.id):
            return candidate
    return None


def assigns_by_rule(action: RuleView) -> bool:
    """Whether new tickets follow their group's assignment rule (round-robin); when the
    setting is off, every group hands them to its default owner."""
    return action.setting(settings.AUTO_ASSIGN_BY_GROUP_RULES)


def round_robin_pick(session: Session, group: Group) -> User | None:
    """Whose turn it is in a round-robin group: among the members holding the group's
    round-robin profile who can own its tickets, by username, the first after the one
    who had the last ticket (the first of all after the last of all, or at the start).

    Decided from stored state only, so the server replaying a desktop's ticket picks by
    its own state; the desktop's offline guess may differ, and the server's pick is the
    one that comes back. None: not a round-robin group, or nobody can take a turn.
    """
    if group.assignment_rule != AssignmentRule.ROUND_ROBIN or group.round_robin_profile_id is None:
        return None
    holders = set(session.scalars(select(Membership.user_id).where(
        Membership.group_id == group.id,
        Membership.profile_id == group.round_robin_profile_id)))
    if not holders:
        return None
    members = sorted((u for u in owner_candidates(session, group.id) if u.id in holders),
                     key=lambda u: u.username)
    if not members:
        return None
    turn = session.scalar(select(AssignmentTurn).where(AssignmentTurn.group_id == group.id))
    last = session.get(User, turn.last_user_id) if turn and turn.last_user_id else None
    if last is not None:
        for member in members:
            if member.username > last.username:
                return member
    return members[0]


def _take_turn(action: Action, group: Group, owner: User) -> None:
    """The owner chosen by turn had this one: the next goes to the member after them."""
    if not assigns_by_rule(action):
        return
    pick = round_robin_pick(action.session, group)
    if pick is None or pick.id != owner.id:
        return
    turn = action.session.scalar(select(AssignmentTurn).where(
        AssignmentTurn.group_id == group.id))
    if turn is None:
        action.session.add(AssignmentTurn(group_id=group.id, last_user_id=owner.id))
    else:
        turn.last_user_id = owner.id


def may_file_as_any_status(perms: acl.Permissions, owner_id: uuid.UUID | None,
                           group_id: uuid.UUID) -> bool:
    """A starting status other than the default is a status change: the owner's (or a
    manager's) to make. ``owner_id`` None: whoever will own it, unknown yet."""
    return perms.is_superadmin or owner_id == perms.user_id or perms.access(group_id).manage


def _initial_status(action: Action, requested: int | None, owner: User, group: Group) -> Status:
    """New by default; another starting status is a status change, so it is the owner's
    (or a manager's) to make, not a customer's."""
    allowed = workflow.creation_statuses(action.session)
    if requested is None:
        return allowed[0]
    status = check_status(requested)
    if status is Status.CLOSED:
        raise DomainError(INVALID_TRANSITION, "A ticket cannot be created closed.", "status")
    workflow.check_creation_status(action.session, status)
    if status is not allowed[0] and not may_file_as_any_status(action.perms, owner.id, group.id):
        raise DomainError(NOT_OWNER, f"Only the owner ({owner.full_name}) or a manager can file "
                                     f"a ticket as {status.label}.", "status")
    return status


def _creation_time(action: Action, cmd: CreateTicket) -> Any:
    if cmd.created_at is None:
        return action.now
    if not action.setting(settings.ALLOW_CREATION_DATE):
        raise DomainError(VALIDATION, "Setting the creation date is not enabled.", "created_at")
    if cmd.created_at > action.now:
        raise DomainError(VALIDATION, "The creation date cannot be in the future.", "created_at")
    return cmd.created_at
