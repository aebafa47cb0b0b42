"""What the ticket list's filters and quick edit offer: groups, types, people, statuses.

Read once when a list opens (a handful of small tables), on a worker thread, and handed
over as plain tuples. Who appears in a people picker is a rule, so it lives here and not
in a widget: everyone for super-admins or when "creators can see all users" is on,
otherwise the people sharing a group with the reader; an independent user sees only
themself (other customers are none of their business).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktopdesk.domain import settings, workflow
from desktopdesk.domain.acl import Permissions
from desktopdesk.domain.queries import UserSummary
from desktopdesk.domain.settings import read_setting, stored_settings
from desktopdesk.models import Group, Membership, Status, Ticket, TicketType, User


@dataclass(frozen=True)
class Choice:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class ListSettings:
    """The shared (server-scope) settings that shape the list."""

    quick_edit: bool = False
    show_owner: bool = True
    show_creator: bool = True


@dataclass(frozen=True)
class ListLookups:
    groups: tuple[Choice, ...] = ()
    types: tuple[Choice, ...] = ()
    people: tuple[UserSummary, ...] = ()
    #: For each status, where quick edit may move it: the status mapping's answer less
    #: Closed, since closing asks for a resolution and an epilogue a cell cannot hold.
    status_moves: tuple[tuple[Status, tuple[Status, ...]], ...] = ()
    settings: ListSettings = ListSettings()

    def moves_from(self, status: Status) -> tuple[Status, ...]:
        return dict(self.status_moves).get(status, ())


def list_settings(session: Session) -> ListSettings:
    stored = stored_settings(session)
    return ListSettings(
        quick_edit=read_setting(stored, settings.QUICK_EDIT),
        show_owner=read_setting(stored, settings.SHOW_OWNER_IN_LIST),
        show_creator=read_setting(stored, settings.SHOW_CREATOR_IN_LIST),
    )


def filter_groups(session: Session, perms: Permissions) -> tuple[Choice, ...]:
    """Groups whose tickets the reader may see, plus those of tickets they filed or own."""
    query = select(Group.id, Group.name).order_by(Group.name)
    if not perms.is_superadmin:
        own = select(Ticket.group_id).where(or_(Ticket.creator_id == perms.user_id,
                                                Ticket.owner_id == perms.user_id))
        viewable = [] if perms.is_independent else sorted(perms.groups_with("view"))
        query = query.where(or_(Group.id.in_(viewable), Group.id.in_(own)))
    return tuple(Choice(group_id, name) for group_id, name in session.execute(query))


def picker_people(session: Session, perms: Permissions) -> tuple[UserSummary, ...]:
    query = select(User.id, User.username, User.full_name, User.enabled).order_by(User.username)
    sees_all = read_setting(stored_settings(session), settings.CREATOR_SEES_ALL_USERS)
    if perms.is_independent:
        query = query.where(User.id == perms.user_id)
    elif not (perms.is_superadmin or sees_all):
        shared = select(Membership.user_id).where(Membership.group_id.in_(sorted(perms.by_group)))
        query = query.where(or_(User.id == perms.user_id, User.id.in_(shared)))
    return tuple(UserSummary(user_id, username, full_name, enabled)
                 for user_id, username, full_name, enabled in session.execute(query))


def ticket_types(session: Session) -> tuple[Choice, ...]:
    return tuple(Choice(type_id, name) for type_id, name in session.execute(
        select(TicketType.id, TicketType.name).order_by(TicketType.name)))


def list_lookups(session: Session, perms: Permissions) -> ListLookups:
    moves = tuple((status, tuple(s for s in workflow.allowed_next_statuses(session, status)
                                 if s is not Status.CLOSED))
                  for status in Status)
    return ListLookups(
        groups=filter_groups(session, perms), types=ticket_types(session),
        people=picker_people(session, perms), status_moves=moves,
        settings=list_settings(session),
    )
