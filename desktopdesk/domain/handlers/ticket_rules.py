"""Checks shared by the ticket commands: who may set what, and value coercion."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from desktopdesk.domain import acl, settings
from desktopdesk.domain.acl import Permissions
from desktopdesk.domain.apply import Action
from desktopdesk.domain.errors import (
    FORBIDDEN,
    VALIDATION,
    DomainError,
)
from desktopdesk.domain.handlers.common import (
    require_row,
    require_unlocked,
    ticket_label,
)
from desktopdesk.domain.html import plain_text
from desktopdesk.domain.settings import Setting, read_setting, stored_settings
from desktopdesk.models import (
    Group,
    InventoryObject,
    Membership,
    Priority,
    Profile,
    Status,
    Ticket,
    TicketType,
    TicketTypeGroup,
    User,
    UserKind,
)

MAX_TITLE = 500

T = TypeVar("T", bool, int, float, str)


class RuleView(Protocol):
    """What the shared predicates read: a handler's ``Action`` is one, and so is a
    ``ReadView`` built for the ticket form, so a form and a command decide alike."""

    @property
    def session(self) -> Session: ...

    @property
    def perms(self) -> Permissions: ...

    def setting(self, setting: Setting[T]) -> T: ...


@dataclass(frozen=True)
class ReadView:
    """The predicates' inputs outside a command: for forms deciding what to offer."""

    session: Session
    perms: Permissions
    stored: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, session: Session, perms: Permissions) -> ReadView:
        return cls(session, perms, stored_settings(session))

    def setting(self, setting: Setting[T]) -> T:
        return read_setting(dict(self.stored), setting)


def custom_keys(raw: dict[str, Any]) -> dict[uuid.UUID, str]:
    values: dict[uuid.UUID, str] = {}
    for key, value in raw.items():
        try:
            field_id = uuid.UUID(key.removeprefix("custom:"))
        except ValueError:
            raise DomainError(VALIDATION, f"'{key}' is not a custom field id.", key) from None
        if not isinstance(value, str):
            raise DomainError(VALIDATION, "Custom field values are text.", f"custom:{field_id}")
        values[field_id] = value
    return values


def check_type_for_group(
    action: Action, type_id: uuid.UUID | None, group: Group, *, required_check: bool
) -> TicketType | None:
    if type_id is None:
        if required_check and action.setting(settings.REQUIRED_TICKET_TYPE):
            raise DomainError(VALIDATION, "Choose a ticket type.", "ticket_type_id")
        return None
    ticket_type = require_row(action.session, TicketType, type_id, "ticket type", "ticket_type_id")
    offered_to = set(action.session.scalars(
        select(TicketTypeGroup.group_id).where(TicketTypeGroup.ticket_type_id == type_id)
    ))
    if not type_offered_in(offered_to, group.id):
        raise DomainError(
            VALIDATION, f"Type '{ticket_type.name}' is not available in group '{group.name}'.",
            "ticket_type_id",
        )
    return ticket_type


def may_change_people(action: RuleView) -> bool:
    return action.perms.is_superadmin or action.setting(settings.ALLOW_CREATOR_OWNER_CHANGE)


def may_set_creator(action: RuleView, group_id: uuid.UUID) -> bool:
    perms = action.perms
    if perms.is_superadmin:
        return True
    if perms.is_independent or not may_change_people(action):
        return False
    access = perms.access(group_id)
    return access.manage or (access.edit and action.setting(settings.EDIT_CAN_CHANGE_CREATOR))


@dataclass(frozen=True)
class InventoryScope:
    """The inventory objects one person may link to one ticket, by the objects' company.

    Linked objects are shown to everyone who sees the ticket, and offered objects to
    whoever edits it: so neither may name another company's assets to a customer.
    """

    every: bool = False
    companies: frozenset[uuid.UUID] = frozenset()
    without_company: bool = False

    def allows(self, company_id: uuid.UUID | None) -> bool:
        if self.every:
            return True
        return self.without_company if company_id is None else company_id in self.companies

    def clause(self) -> ColumnElement[bool]:
        """The SQL form of :meth:`allows`, on ``InventoryObject`` rows."""
        if self.every:
            return true()
        return or_(InventoryObject.company_id.in_(sorted(self.companies)),
                   InventoryObject.company_id.is_(None) if self.without_company else false())


def inventory_scope(view: RuleView, group_id: uuid.UUID,
                    creator_id: uuid.UUID) -> InventoryScope:
    """What LinkInventory and CreateTicket let the reader link to a ticket of the group
    filed for ``creator_id`` (the ticket's company is its creator's, as in Integria):

    * super-admins, and whoever may set the creator here: any object (they may make it
      anyone's ticket, so any company's, and then link that company's assets anyway);
    * anyone else: the objects of the creator's company and of their own company;
    * and objects of no company to grouped users with VIEW on the group, the people
      working that queue; never to independent users, for whom those would be
      everybody else's company-less things.
    """
    perms = view.perms
    if perms.is_superadmin or may_set_creator(view, group_id):
        return InventoryScope(every=True)
    creator = view.session.get(User, creator_id)
    companies = {perms.company_id, creator.company_id if creator is not None else None}
    return InventoryScope(
        companies=frozenset(company for company in companies if company is not None),
        without_company=not perms.is_independent and perms.access(group_id).view,
    )


def check_inventory_in_scope(scope: InventoryScope, item: InventoryObject, field: str) -> None:
    """Refuse an object outside the scope without naming it: its name is what is kept
    from the reader."""
    if scope.allows(item.company_id):
        return
    if item.company_id is None:
        why = ("belongs to no company; only people working this ticket's group may link "
               "such objects")
    else:
        why = ("belongs to another company; you may link those of the ticket's creator's "
               "company or of your own")
    raise DomainError(FORBIDDEN, f"You may not link that inventory object: it {why}.", field)


def may_reassign(action: RuleView, ticket: Ticket) -> bool:
    """AssignOwner's rule (locks aside): people changes allowed, and the reader owns the
    ticket or manages its group."""
    perms = action.perms
    if perms.is_superadmin:
        return True
    return may_change_people(action) and (
        acl.can_manage(perms, ticket) or ticket.owner_id == perms.user_id)


def may_lock(perms: Permissions, ticket: Ticket) -> bool:
    """LockTicket's rule for locking (a closed ticket): its owner or a manager."""
    return acl.is_owner_or_admin(perms, ticket) or acl.can_manage(perms, ticket)


def may_unlock(perms: Permissions, ticket: Ticket) -> bool:
    return acl.can_manage(perms, ticket)


def may_change_type(action: RuleView) -> bool:
    return action.perms.is_superadmin or action.setting(settings.ALLOW_TYPE_CHANGE)


def may_disable_sla(perms: Permissions, group_id: uuid.UUID) -> bool:
    access = perms.access(group_id)
    return not perms.is_independent and (access.manage or access.escalate)


def may_set_parent(perms: Permissions, group_id: uuid.UUID) -> bool:
    access = perms.access(group_id)
    return access.manage or access.escalate


def may_edit(action: RuleView, ticket: Ticket) -> bool:
    """Edit fields and comment (``acl.can_edit`` with the independent-users setting)."""
    return acl.can_edit(action.perms, ticket, action.setting(settings.EXTERNAL_USERS_MAY_MODIFY))


def type_groups(session: Session) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
    """The groups each restricted type is offered to (a type absent: every group)."""
    offered: dict[uuid.UUID, set[uuid.UUID]] = {}
    for type_id, group_id in session.execute(
            select(TicketTypeGroup.ticket_type_id, TicketTypeGroup.group_id)):
        offered.setdefault(type_id, set()).add(group_id)
    return {type_id: frozenset(groups) for type_id, groups in offered.items()}


def type_offered_in(offered_to: Collection[uuid.UUID], group_id: uuid.UUID) -> bool:
    """A type with no group rows is offered everywhere, else only in its groups."""
    return not offered_to or group_id in offered_to


def owner_candidates(session: Session, group_id: uuid.UUID) -> list[User]:
    """Everyone :func:`can_own` accepts for the group, in one query (by full name).

    VIEW is inherited down the group tree, so a membership with VIEW in the group or
    any group above it counts, as in ``acl.load_permissions``.
    """
    parents = {gid: parent for gid, parent in session.execute(select(Group.id, Group.parent_id))}
    above: list[uuid.UUID] = []
    node: uuid.UUID | None = group_id
    while node is not None and node not in above:
        above.append(node)
        node = parents.get(node)
    viewers = (select(Membership.user_id)
               .join(Profile, Profile.id == Membership.profile_id)
               .where(Membership.group_id.in_(above), Profile.can_view.is_(True)))
    return list(session.scalars(
        select(User)
        .where(User.enabled.is_(True),
               User.is_superadmin.is_(True)
               | ((User.kind != UserKind.INDEPENDENT) & User.id.in_(viewers)))
        .order_by(User.full_name, User.username)))


def can_own(session: Session, user: User, group_id: uuid.UUID) -> bool:
    """Owners work the ticket: enabled, grouped, and able to see the group."""
    if not user.enabled:
        return False
    if user.is_superadmin:
        return True
    return not user.is_independent and acl.load_permissions(session, user.id).access(
        group_id).view


def check_owner_candidate(action: Action, owner: User, group_id: uuid.UUID,
                          field: str = "owner_id") -> None:
    if not can_own(action.session, owner, group_id):
        group = action.session.get(Group, group_id)
        name = group.name if group else "?"
        raise DomainError(
            VALIDATION, f"{owner.full_name} cannot see group '{name}', so cannot own its tickets.",
            field,
        )


def check_status(code: int) -> Status:
    try:
        return Status(code)
    except ValueError:
        raise DomainError(VALIDATION, f"{code} is not a status (1-7).", "status") from None


def check_priority(code: int) -> Priority:
    try:
        return Priority(code)
    except ValueError:
        raise DomainError(VALIDATION, f"{code} is not a priority (0-4 or 10).",
                          "priority") from None


def check_parent(
    action: Action, ticket_id: uuid.UUID, parent_id: uuid.UUID | None
) -> uuid.UUID | None:
    if parent_id is None:
        return None
    if parent_id == ticket_id:
        raise DomainError(VALIDATION, "A ticket cannot be its own parent.", "parent_id")
    parent = action.session.get(Ticket, parent_id)
    if parent is None or not acl.can_view(action.perms, parent):
        raise DomainError(VALIDATION, "The parent ticket does not exist.", "parent_id")
    seen = {ticket_id}
    node: Ticket | None = parent
    while node is not None:
        if node.id in seen:
            raise DomainError(VALIDATION, "That parent would make a loop of tickets.",
                              "parent_id")
        seen.add(node.id)
        node = action.session.get(Ticket, node.parent_id) if node.parent_id else None
    return parent_id


def editable_ticket(action: Action, ticket_id: uuid.UUID) -> Ticket:
    ticket = acl.require_visible(action.session, action.perms, ticket_id)
    require_unlocked(ticket)
    if not may_edit(action, ticket):
        raise DomainError(FORBIDDEN, f"You may not edit ticket {ticket_label(ticket)}.")
    return ticket


def excerpt(html: str, length: int = 200) -> str:
    """What history keeps of a long text: its start, as plain text."""
    text = " ".join(plain_text(html).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def claim_editor(action: Action, ticket: Ticket, creator_id: uuid.UUID) -> None:
    """With "ticket editor is the first to edit it" on, the first person other than the
    creator who changes the ticket becomes its editor.

    A ticket whose editor is still its creator (they typed it in themselves) has had no
    such edit yet; one typed in for someone else already has its editor, and keeps it.
    ``creator_id``: the creator before this edit (which may change it). Decided from the
    ticket alone, so the server replaying the edit decides the same.
    """
    if (action.setting(settings.EDITOR_IS_FIRST_TO_EDIT)
            and ticket.editor_id == creator_id and action.actor_id != creator_id):
        ticket.editor_id = action.actor_id
