"""Who may see and do what with tickets.

Access bits come from profiles granted per group through memberships; a grant on a group
holds in all its descendant groups. Grouped users see the tickets of groups where they
hold VIEW; independent users see only tickets they created (or own); creators and owners
keep sight of their tickets whatever group they move to; super-admins see everything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from desktopdesk.domain.errors import FORBIDDEN, NOT_FOUND, DomainError
from desktopdesk.models import Group, Membership, Profile, Ticket, User, Workunit, WorkunitShare


@dataclass(frozen=True)
class Access:
    view: bool = False
    edit: bool = False
    manage: bool = False
    escalate: bool = False
    qa: bool = False

    def __or__(self, other: Access) -> Access:
        return Access(
            self.view or other.view,
            self.edit or other.edit,
            self.manage or other.manage,
            self.escalate or other.escalate,
            self.qa or other.qa,
        )


NO_ACCESS = Access()
FULL_ACCESS = Access(True, True, True, True, True)


@dataclass(frozen=True)
class Permissions:
    """One user's effective access, computed once per action."""

    user_id: uuid.UUID
    is_superadmin: bool
    is_independent: bool
    company_id: uuid.UUID | None
    enabled: bool
    by_group: dict[uuid.UUID, Access] = field(default_factory=dict)

    def access(self, group_id: uuid.UUID) -> Access:
        if self.is_superadmin:
            return FULL_ACCESS
        return self.by_group.get(group_id, NO_ACCESS)

    def groups_with(self, bit: str) -> frozenset[uuid.UUID]:
        return frozenset(g for g, a in self.by_group.items() if getattr(a, bit))

    @property
    def manages_any_group(self) -> bool:
        return self.is_superadmin or any(a.manage for a in self.by_group.values())


def load_permissions(session: Session, user_id: uuid.UUID) -> Permissions:
    user = session.get(User, user_id)
    if user is None:
        raise DomainError(NOT_FOUND, "Unknown user.", "actor")
    direct: dict[uuid.UUID, Access] = {}
    rows = session.execute(
        select(Membership.group_id, Profile)
        .join(Profile, Profile.id == Membership.profile_id)
        .where(Membership.user_id == user_id)
    )
    for group_id, profile in rows:
        granted = Access(
            profile.can_view,
            profile.can_edit,
            profile.can_manage,
            profile.can_escalate,
            profile.can_qa,
        )
        direct[group_id] = direct.get(group_id, NO_ACCESS) | granted
    by_group = _inherit_down_the_tree(session, direct) if direct else {}
    return Permissions(
        user_id=user.id,
        is_superadmin=user.is_superadmin,
        is_independent=user.is_independent,
        company_id=user.company_id,
        enabled=user.enabled,
        by_group=by_group,
    )


def _inherit_down_the_tree(
    session: Session, direct: dict[uuid.UUID, Access]
) -> dict[uuid.UUID, Access]:
    # Unpacking rows (not ``Result.tuples()``, deprecated in SQLAlchemy 2.1) suits 2.0 and 2.1.
    parents = {gid: parent for gid, parent in session.execute(select(Group.id, Group.parent_id))}
    effective: dict[uuid.UUID, Access] = {}
    for group_id in parents:
        access = NO_ACCESS
        seen: set[uuid.UUID] = set()
        node: uuid.UUID | None = group_id
        while node is not None and node not in seen:  # `seen` guards a corrupt cycle
            seen.add(node)
            access = access | direct.get(node, NO_ACCESS)
            node = parents.get(node)
        if access != NO_ACCESS:
            effective[group_id] = access
    return effective


# --- Tickets ------------------------------------------------------------------------------


def is_party(perms: Permissions, ticket: Ticket) -> bool:
    return perms.user_id in (ticket.creator_id, ticket.owner_id)


def can_view(perms: Permissions, ticket: Ticket) -> bool:
    if perms.is_superadmin or is_party(perms, ticket):
        return True
    if perms.is_independent:
        return False
    return perms.access(ticket.group_id).view


def visible_tickets_clause(perms: Permissions) -> ColumnElement[bool]:
    """The SQL form of :func:`can_view`, for lists and counts (filtering in SQL)."""
    if perms.is_superadmin:
        return true()
    mine = or_(Ticket.creator_id == perms.user_id, Ticket.owner_id == perms.user_id)
    if perms.is_independent:
        return mine
    viewable = perms.groups_with("view")
    if not viewable:
        return mine
    return or_(mine, Ticket.group_id.in_(viewable))


def can_edit(perms: Permissions, ticket: Ticket, independent_may_modify: bool) -> bool:
    """Edit fields and comment: EDIT on the group, or being its creator or owner."""
    if perms.is_superadmin:
        return True
    if perms.is_independent:
        return independent_may_modify and is_party(perms, ticket)
    return is_party(perms, ticket) or perms.access(ticket.group_id).edit


def can_create_in(perms: Permissions, group_id: uuid.UUID) -> bool:
    """EDIT (or escalate) on the group; independents need it too, to pick their queues."""
    access = perms.access(group_id)
    return access.edit or access.escalate


def can_manage(perms: Permissions, ticket: Ticket) -> bool:
    return perms.access(ticket.group_id).manage


def is_owner_or_admin(perms: Permissions, ticket: Ticket) -> bool:
    return perms.is_superadmin or ticket.owner_id == perms.user_id


def require_visible(session: Session, perms: Permissions, ticket_id: uuid.UUID) -> Ticket:
    """The ticket, or "not found" whether it is missing or merely hidden (never leak)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not can_view(perms, ticket):
        raise DomainError(NOT_FOUND, "Ticket not found.", "ticket_id")
    return ticket


def require_superadmin(perms: Permissions, what: str) -> None:
    if not perms.is_superadmin:
        raise DomainError(FORBIDDEN, f"Only a super-admin may {what}.")


def require_manager(perms: Permissions, what: str) -> None:
    if not perms.manages_any_group:
        raise DomainError(FORBIDDEN, f"You need MANAGE on a group to {what}.")


# --- Workunits ----------------------------------------------------------------------------


def can_see_workunit(
    perms: Permissions,
    ticket: Ticket,
    workunit: Workunit,
    shared_with: frozenset[uuid.UUID] = frozenset(),
) -> bool:
    """Private: author, people it is shared with, managers, super-admins.

    Internal: never the ticket's creator (unless the creator wrote it or it was shared
    with them). Everyone else who sees the ticket sees the rest.
    """
    if perms.is_superadmin or workunit.author_id == perms.user_id:
        return True
    if perms.user_id in shared_with:
        return True
    if workunit.is_private and not can_manage(perms, ticket):
        return False
    return not (workunit.is_internal and ticket.creator_id == perms.user_id)


def visible_workunits_clause(perms: Permissions, ticket: Ticket) -> ColumnElement[bool]:
    """SQL form of :func:`can_see_workunit` for one ticket's thread."""
    if perms.is_superadmin:
        return true()
    shared = Workunit.id.in_(
        select(WorkunitShare.workunit_id).where(WorkunitShare.user_id == perms.user_id)
    )
    mine = or_(Workunit.author_id == perms.user_id, shared)
    private_ok = true() if can_manage(perms, ticket) else Workunit.is_private.is_(False)
    internal_ok = (
        Workunit.is_internal.is_(False) if ticket.creator_id == perms.user_id else true()
    )
    return or_(mine, private_ok & internal_ok)


def visible_workunits_of_ticket_row_clause(perms: Permissions) -> ColumnElement[bool]:
    """SQL form of :func:`can_see_workunit` for workunits of the ``tickets`` row of an
    enclosing query (correlated on it): the ticket list's text search, per listed row."""
    if perms.is_superadmin:
        return true()
    shared = Workunit.id.in_(
        select(WorkunitShare.workunit_id).where(WorkunitShare.user_id == perms.user_id)
    )
    private_ok = or_(Workunit.is_private.is_(False),
                     Ticket.group_id.in_(sorted(perms.groups_with("manage"))))
    internal_ok = or_(Workunit.is_internal.is_(False), Ticket.creator_id != perms.user_id)
    return or_(Workunit.author_id == perms.user_id, shared, and_(private_ok, internal_ok))


def visible_workunits_anywhere_clause(perms: Permissions) -> ColumnElement[bool]:
    """SQL form of :func:`can_see_workunit` over workunits of any tickets (sync pulls)."""
    if perms.is_superadmin:
        return true()
    shared = Workunit.id.in_(
        select(WorkunitShare.workunit_id).where(WorkunitShare.user_id == perms.user_id)
    )
    managed = select(Ticket.id).where(Ticket.group_id.in_(perms.groups_with("manage")))
    not_my_ticket = select(Ticket.id).where(Ticket.creator_id != perms.user_id)
    private_ok = or_(Workunit.is_private.is_(False), Workunit.ticket_id.in_(managed))
    internal_ok = or_(Workunit.is_internal.is_(False), Workunit.ticket_id.in_(not_my_ticket))
    return or_(Workunit.author_id == perms.user_id, shared, and_(private_ok, internal_ok))
