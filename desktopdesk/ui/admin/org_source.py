"""What the Groups, People, Companies and Profiles sections read and write. No Qt.

Plain functions the task runner calls on a worker: each opens its own session and hands
back frozen data. Saving sends the commands of one user action in one transaction, so a
refusal leaves nothing half done. The comparison of a group's form with the stored group
lives here too, so what a Save sends is tested without a window.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from keyring.errors import KeyringError
from sqlalchemy import select

from desktopdesk.domain import admin_queries, settings
from desktopdesk.domain.admin_queries import (
    CompanyRow,
    GroupDesign,
    PersonRow,
    ProfileRow,
    TypeSummary,
)
from desktopdesk.domain.commands import GROUP_FIELDS, Command, CreateGroup, UpdateGroup
from desktopdesk.domain.handlers.create_ticket import round_robin_pick
from desktopdesk.domain.settings import get_setting
from desktopdesk.domain.ticket_list_lookups import Choice
from desktopdesk.models import AssignmentRule, Group, LimitMode, Sla
from desktopdesk.store.workspace import Role, Workspace
from desktopdesk.sync.account import AccountError, server_link
from desktopdesk.sync.client_http import ServerClient, ServerError, ServerUnreachable
from desktopdesk.sync.credential_access import CredentialAccess, shared_credentials
from desktopdesk.sync.credentials import CredentialError

# --- Groups -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupsPage:
    """Everything the Groups section offers in one read: the tree and its choices."""

    groups: tuple[GroupDesign, ...]
    people: tuple[PersonRow, ...]
    profiles: tuple[ProfileRow, ...]
    slas: tuple[Choice, ...]
    ticket_types: tuple[TypeSummary, ...]
    #: Round-robin groups: who the next ticket goes to as things stand (absent: nobody
    #: holding the profile can own tickets there, so the default owner takes it).
    next_turns: Mapping[uuid.UUID, uuid.UUID]
    #: The setting "Auto-assign tickets by the group's assignment rule": when off, new
    #: tickets go to the default owner whatever the rule says.
    auto_assign: bool = True

    def group(self, group_id: uuid.UUID | None) -> GroupDesign | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def person(self, user_id: uuid.UUID | None) -> PersonRow | None:
        return next((p for p in self.people if p.id == user_id), None)

    def types_offered_in(self, group_id: uuid.UUID | None) -> tuple[TypeSummary, ...]:
        """The types a group may default to: those offered everywhere or in it (a group
        not created yet: those offered everywhere)."""
        return tuple(t for t in self.ticket_types
                     if not t.group_ids or (group_id is not None and group_id in t.group_ids))


def load_groups(workspace: Workspace) -> GroupsPage:
    with workspace.read() as session:
        designs = admin_queries.groups(session)
        turns: dict[uuid.UUID, uuid.UUID] = {}
        for design in designs:
            if design.assignment_rule is AssignmentRule.ROUND_ROBIN:
                group = session.get(Group, design.id)
                pick = round_robin_pick(session, group) if group is not None else None
                if pick is not None:
                    turns[design.id] = pick.id
        slas = tuple(Choice(sla_id, name) for sla_id, name in
                     session.execute(select(Sla.id, Sla.name).order_by(Sla.name)))
        return GroupsPage(designs, admin_queries.people(session),
                          admin_queries.profiles(session), slas,
                          admin_queries.ticket_types(session), turns,
                          get_setting(session, settings.AUTO_ASSIGN_BY_GROUP_RULES))


@dataclass(frozen=True)
class GroupValues:
    """A group's settings as its form holds them (the fields of ``GROUP_FIELDS``)."""

    name: str
    parent_id: uuid.UUID | None = None
    default_owner_id: uuid.UUID | None = None
    open_ticket_limit: int = 0
    total_ticket_limit: int = 0
    limit_mode: LimitMode = LimitMode.FORCED
    qa_evaluation: bool = True
    email_from: str = ""
    sla_id: uuid.UUID | None = None
    default_ticket_type_id: uuid.UUID | None = None
    assignment_rule: AssignmentRule = AssignmentRule.DEFAULT_OWNER
    round_robin_profile_id: uuid.UUID | None = None

    @classmethod
    def of(cls, design: GroupDesign) -> GroupValues:
        return cls(**{name: getattr(design, name) for name in GROUP_FIELDS})


assert tuple(f.name for f in fields(GroupValues)) == GROUP_FIELDS, "keep in step"


def _as_json(value: Any) -> Any:
    """A value as ``UpdateGroup`` carries it over the wire (ids as text), so the local
    apply sees exactly what the server will."""
    return str(value) if isinstance(value, uuid.UUID) else value


def group_changes(before: GroupValues, after: GroupValues) -> dict[str, Any]:
    """The settings ``after`` changes, as ``UpdateGroup.changes`` (empty: none).

    Only changed keys are sent: a Save then never overwrites a setting someone else
    changed meanwhile on another desktop that this form merely showed.
    """
    return {name: _as_json(getattr(after, name)) for name in GROUP_FIELDS
            if getattr(after, name) != getattr(before, name)}


def save_group(group: GroupDesign | None, after: GroupValues) -> Command | None:
    """The command a Save sends: a new group (``group`` None), the changes to an
    existing one, or None when nothing changed."""
    if group is None:
        return CreateGroup(**{name: getattr(after, name) for name in GROUP_FIELDS})
    changes = group_changes(GroupValues.of(group), after)
    return UpdateGroup(group_id=group.id, changes=changes) if changes else None


# --- People, companies, profiles ----------------------------------------------------------


@dataclass(frozen=True)
class PeoplePage:
    people: tuple[PersonRow, ...]
    companies: tuple[CompanyRow, ...]
    #: A replica's passwords live on its server; a standalone store has none at all.
    has_server: bool


def load_people(workspace: Workspace) -> PeoplePage:
    with workspace.read() as session:
        people = admin_queries.people(session)
        companies = admin_queries.companies(session)
    return PeoplePage(people, companies, workspace.role is Role.REPLICA)


def load_companies(workspace: Workspace) -> tuple[CompanyRow, ...]:
    with workspace.read() as session:
        return admin_queries.companies(session)


def load_profiles(workspace: Workspace) -> tuple[ProfileRow, ...]:
    with workspace.read() as session:
        return admin_queries.profiles(session)


#: The field a refused new password is told beside (the server's name for it too).
PASSWORD_FIELD, REPEAT_FIELD = "password", "repeat"
OFFLINE = ("The server cannot be reached; try again when online. Passwords are reset on "
           "the server, so this needs a connection (nothing was changed).")


@dataclass(frozen=True)
class PasswordReset:
    """How a reset went: ``done``, or refused with a message (beside ``field``, if any)."""

    done: bool
    message: str
    field: str | None = None


def new_password_problem(password: str, repeated: str) -> tuple[str, str] | None:
    """(field, message) when the two typed passwords cannot be sent; the server checks the
    rest (its length rule), so there is one rule, kept in one place."""
    if not password:
        return PASSWORD_FIELD, "Type the new password."
    if repeated != password:
        return REPEAT_FIELD, "The two passwords differ. Type the same one twice."
    return None


def reset_password(workspace: Workspace, person: PersonRow, password: str,
                   credentials: CredentialAccess | None = None) -> PasswordReset:
    """Ask the server, with this replica's own sign-in, to give ``person`` a new password.

    Online only: passwords never reach desktops, so there is nothing to queue for later.
    Expected failures (offline, signed out, not a super-admin, a weak password) come back
    as a refusal to show; only bugs raise. The password is sent once and not kept.
    """
    if workspace.role is not Role.REPLICA:
        return PasswordReset(False, "No passwords here: this desktop keeps its own store "
                                    "and nobody signs in to it.")
    try:
        link = server_link(workspace)
    except AccountError:
        return PasswordReset(False, "This desktop is not signed in to a server. Sign in "
                                    "first, then reset the password.")
    try:
        store = (credentials or shared_credentials(workspace.data_dir)).current()
        token = store.load(link.url, link.username)
    except (CredentialError, KeyringError) as error:
        return PasswordReset(False, f"The sign-in could not be read: {error}")
    if token is None:
        return PasswordReset(False, f"Not signed in to {link.url}. Sign in again, then "
                                    "reset the password.")
    with ServerClient(link.url, token.access_token) as client:
        try:
            client.set_password(person.id, password)
        except ServerUnreachable:
            return PasswordReset(False, OFFLINE)
        except ServerError as error:
            if error.needs_sign_in:
                store.forget(link.url, link.username)
                return PasswordReset(False, "The server ended this sign-in. Sign in again, "
                                            "then reset the password.")
            if error.status == 403:
                return PasswordReset(False, f"The server refused: only a super-admin may "
                                            f"reset passwords, and {link.username} is not "
                                            "one there.")
            if error.field == PASSWORD_FIELD:
                return PasswordReset(False, error.message, PASSWORD_FIELD)
            return PasswordReset(False, f"The server refused: {error.message}")
    if person.id == link.user_id:
        return PasswordReset(True, "You must sign in again with the new password.")
    return PasswordReset(True, f"{person.full_name} must sign in again with the new "
                               "password.")


# --- Saving -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """A save went through: the row it created (if any) and what the commands warned."""

    created_id: uuid.UUID | None
    warnings: tuple[str, ...]


def save(workspace: Workspace, actor_id: uuid.UUID, commands: Sequence[Command]) -> Saved:
    """Apply one user action's commands in one transaction: all of them, or none."""
    results = workspace.execute_all(list(commands), actor_id)
    created = next((r.created_id for r in results if r.created_id is not None), None)
    return Saved(created, tuple(w for r in results for w in r.warnings))
