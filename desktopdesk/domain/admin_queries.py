"""What the designers and setup screens read, as plain frozen data. No Qt.

Each function takes an open session (a ``*_source.py`` in the UI opens it on a worker)
and returns immutable values safe to hand to the GUI thread. Alongside: what a change
would do, worded for the confirmation the UI shows before sending the command, and the
parsing of pasted input (holiday lists) shared with the handlers.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktopdesk.domain import workflow
from desktopdesk.domain.acl import Permissions
from desktopdesk.domain.commands import UpdateCustomField
from desktopdesk.domain.errors import NOT_FOUND, VALIDATION, DomainError
from desktopdesk.domain.fields import fields_for_type, value_counts
from desktopdesk.models import (
    AssignmentRule,
    AssignmentTurn,
    Company,
    CustomField,
    FieldKind,
    Group,
    Holiday,
    LimitMode,
    Membership,
    Profile,
    Status,
    Ticket,
    TicketType,
    TicketTypeGroup,
    User,
    UserKind,
)

# --- Who sees which screen ----------------------------------------------------------------


def may_design_types(perms: Permissions) -> bool:
    """Ticket types, custom fields and SLAs: MANAGE on some group, or a super-admin."""
    return perms.manages_any_group


def may_set_up(perms: Permissions) -> bool:
    """Users, companies, profiles, groups, the status mapping, settings and holidays."""
    return perms.is_superadmin


# --- Ticket types and fields --------------------------------------------------------------


@dataclass(frozen=True)
class FieldDefinition:
    """A custom field as the designer edits it, with how many tickets hold a value."""

    id: uuid.UUID
    #: None: a global field (present in every type).
    ticket_type_id: uuid.UUID | None
    label: str
    kind: FieldKind
    required: bool
    show_in_list: bool
    help_text: str
    position: int
    options: tuple[str, ...]
    parent_field_id: uuid.UUID | None
    linked_values: tuple[tuple[str, str], ...]
    numeric_min: float | None
    numeric_max: float | None
    tickets_with_value: int

    @property
    def is_global(self) -> bool:
        return self.ticket_type_id is None

    def update(self, **changes: Any) -> UpdateCustomField:
        """The command saving this definition with ``changes`` (any of the command's
        fields: label, kind, required, options...)."""
        values: dict[str, Any] = {
            "field_id": self.id, "label": self.label, "kind": self.kind.value,
            "required": self.required, "show_in_list": self.show_in_list,
            "help_text": self.help_text, "options": self.options,
            "parent_field_id": self.parent_field_id, "linked_values": self.linked_values,
            "numeric_min": self.numeric_min, "numeric_max": self.numeric_max}
        return UpdateCustomField(**{**values, **changes})


@dataclass(frozen=True)
class TypeSummary:
    id: uuid.UUID
    name: str
    description: str
    #: Empty: offered to every group.
    group_ids: tuple[uuid.UUID, ...]
    field_count: int
    ticket_count: int


@dataclass(frozen=True)
class TypeDesign:
    """A type as its designer shows it: global fields first, then its own, in order."""

    #: None: the global fields alone (the designer's "Global fields" page).
    id: uuid.UUID | None
    name: str
    description: str
    group_ids: tuple[uuid.UUID, ...]
    ticket_count: int
    fields: tuple[FieldDefinition, ...]

    @property
    def own_fields(self) -> tuple[FieldDefinition, ...]:
        """The fields this type orders (``ReorderCustomFields``); globals for id None."""
        return tuple(f for f in self.fields if f.ticket_type_id == self.id)


def ticket_types(session: Session) -> tuple[TypeSummary, ...]:
    """Every type by name, with its groups, its own field count and its ticket count."""
    groups = _type_groups(session)
    field_counts = _counts(session, CustomField.ticket_type_id)
    ticket_counts = _counts(session, Ticket.ticket_type_id)
    return tuple(
        TypeSummary(t.id, t.name, t.description, groups.get(t.id, ()),
                    field_counts.get(t.id, 0), ticket_counts.get(t.id, 0))
        for t in session.scalars(select(TicketType).order_by(TicketType.name)))


def type_design(session: Session, ticket_type_id: uuid.UUID | None) -> TypeDesign:
    """One type's design (None: the global fields), value counts in one grouped query."""
    rows = fields_for_type(session, ticket_type_id)
    counts = value_counts(session, [f.id for f in rows])
    definitions = tuple(_definition(f, counts.get(f.id, 0)) for f in rows)
    if ticket_type_id is None:
        return TypeDesign(None, "Global fields", "", (), 0, definitions)
    ticket_type = session.get(TicketType, ticket_type_id)
    if ticket_type is None:
        raise DomainError(NOT_FOUND, "That ticket type no longer exists.", "ticket_type_id")
    tickets = session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.ticket_type_id == ticket_type_id)) or 0
    return TypeDesign(ticket_type.id, ticket_type.name, ticket_type.description,
                      _type_groups(session).get(ticket_type.id, ()), tickets, definitions)


def _counts(session: Session, column: Any) -> dict[uuid.UUID, int]:
    """Rows per value of a nullable key column, in one grouped query."""
    # Unpacking rows (not ``Result.tuples()``, deprecated in SQLAlchemy 2.1).
    return {key: count for key, count in session.execute(
        select(column, func.count()).where(column.is_not(None)).group_by(column))}


def _definition(field: CustomField, tickets_with_value: int) -> FieldDefinition:
    return FieldDefinition(
        id=field.id, ticket_type_id=field.ticket_type_id, label=field.label,
        kind=FieldKind(field.kind), required=field.required, show_in_list=field.show_in_list,
        help_text=field.help_text, position=field.position, options=tuple(field.options),
        parent_field_id=field.parent_field_id,
        linked_values=tuple((str(p), str(c)) for p, c in field.linked_values),
        numeric_min=field.numeric_min, numeric_max=field.numeric_max,
        tickets_with_value=tickets_with_value,
    )


def _type_groups(session: Session) -> dict[uuid.UUID, tuple[uuid.UUID, ...]]:
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for type_id, group_id in session.execute(
            select(TicketTypeGroup.ticket_type_id, TicketTypeGroup.group_id)
            .join(Group, Group.id == TicketTypeGroup.group_id).order_by(Group.name)):
        found.setdefault(type_id, []).append(group_id)
    return {type_id: tuple(groups) for type_id, groups in found.items()}


# --- What a change would do (pure: the UI shows these before confirming) ------------------


def _holding(count: int, label: str) -> str:
    who = "1 ticket holds a value" if count == 1 else f"{count} tickets hold values"
    return f"{who} for '{label}'"


def field_removal_impact(field: FieldDefinition) -> str:
    """"12 tickets hold values for 'Brand'; removing it keeps them in each ticket's
    history." """
    if not field.tickets_with_value:
        return f"No ticket holds a value for '{field.label}'; removing it loses nothing."
    kept = "its ticket's history" if field.tickets_with_value == 1 else "each ticket's history"
    return (f"{_holding(field.tickets_with_value, field.label)}; removing it keeps "
            f"{'it' if field.tickets_with_value == 1 else 'them'} in {kept}.")


def field_change_impact(before: FieldDefinition, after: UpdateCustomField) -> tuple[str, ...]:
    """What saving ``after`` over ``before`` does to the values tickets hold, one sentence
    per effect; empty when no ticket holds a value or nothing touching values changed."""
    held = before.tickets_with_value
    if not held:
        return ()
    sentences = []
    if after.label.strip() != before.label:
        sentences.append(f"{_holding(held, before.label)}; renaming it to "
                         f"'{after.label.strip()}' keeps them.")
    rules_changed = (
        after.kind != before.kind.value
        or tuple(o.strip() for o in after.options) != before.options
        or after.parent_field_id != before.parent_field_id
        or tuple(after.linked_values) != before.linked_values
        or (after.numeric_min, after.numeric_max) != (before.numeric_min, before.numeric_max))
    if rules_changed:
        sentences.append(f"{_holding(held, before.label)}; every one must fit the new "
                         "definition, or the change is refused (numbers and dates are "
                         "rewritten in the form the new kind stores).")
    return tuple(sentences)


def type_deletion_impact(summary: TypeSummary) -> str:
    """Why a type cannot go, or what goes with it."""
    count = summary.ticket_count
    if count:
        what = "1 ticket is" if count == 1 else f"{count} tickets are"
        them = "it" if count == 1 else "them"
        return f"{what} of type '{summary.name}': give {them} another type before deleting it."
    fields_word = "field" if summary.field_count == 1 else "fields"
    return (f"No ticket uses '{summary.name}'; deleting it removes its {summary.field_count} "
            f"{fields_word}.")


# --- Status mapping -----------------------------------------------------------------------


@dataclass(frozen=True)
class MappingState:
    """The status mapping editor's grid: the stored rows and the warnings they raise."""

    #: (from, to) rows; ``from`` 0 marks a status allowed at creation. Empty: open workflow.
    transitions: tuple[tuple[int, int], ...]
    problems: tuple[workflow.MappingProblem, ...]
    #: Open tickets per status now (a status left with no way out strands these).
    open_tickets: Mapping[Status, int]


def mapping_state(session: Session) -> MappingState:
    rows = workflow.stored_mapping(session)
    counts = {Status(status): count for status, count in session.execute(
        select(Ticket.status, func.count()).where(Ticket.status != Status.CLOSED)
        .group_by(Ticket.status))}
    return MappingState(rows, problems_of(rows), counts)


def problems_of(transitions: tuple[tuple[int, int], ...]) -> tuple[workflow.MappingProblem, ...]:
    """``workflow.mapping_problems`` for a whole mapping as stored (creation rows in it)."""
    creation = [to for frm, to in transitions if frm == workflow.AT_CREATION]
    return workflow.mapping_problems(transitions, creation)


# --- Groups -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    membership_id: uuid.UUID
    user_id: uuid.UUID
    username: str
    full_name: str
    profile_id: uuid.UUID
    profile_name: str


@dataclass(frozen=True)
class GroupDesign:
    id: uuid.UUID
    name: str
    parent_id: uuid.UUID | None
    default_owner_id: uuid.UUID | None
    open_ticket_limit: int
    total_ticket_limit: int
    limit_mode: LimitMode
    qa_evaluation: bool
    email_from: str
    sla_id: uuid.UUID | None
    default_ticket_type_id: uuid.UUID | None
    assignment_rule: AssignmentRule
    round_robin_profile_id: uuid.UUID | None
    #: Round-robin: who had the last ticket (the next goes to the member after them).
    last_assigned_id: uuid.UUID | None
    #: By username, then profile name.
    members: tuple[MemberRow, ...]
    #: Depth in the tree (0 for a top group), for indenting.
    depth: int


def groups(session: Session) -> tuple[GroupDesign, ...]:
    """Every group as a tree, depth-first (parents before children, siblings by name)."""
    members: dict[uuid.UUID, list[MemberRow]] = {}
    for membership, user, profile in session.execute(
            select(Membership, User, Profile)
            .join(User, User.id == Membership.user_id)
            .join(Profile, Profile.id == Membership.profile_id)
            .order_by(User.username, Profile.name)):
        members.setdefault(membership.group_id, []).append(MemberRow(
            membership.id, user.id, user.username, user.full_name, profile.id, profile.name))
    turns = {group_id: last for group_id, last in session.execute(
        select(AssignmentTurn.group_id, AssignmentTurn.last_user_id))}
    rows = list(session.scalars(select(Group).order_by(Group.name)))
    children: dict[uuid.UUID | None, list[Group]] = {}
    known = {g.id for g in rows}
    for group in rows:
        parent = group.parent_id if group.parent_id in known else None
        children.setdefault(parent, []).append(group)
    ordered: list[GroupDesign] = []

    def visit(parent: uuid.UUID | None, depth: int) -> None:
        for group in children.get(parent, []):
            ordered.append(GroupDesign(
                group.id, group.name, group.parent_id, group.default_owner_id,
                group.open_ticket_limit, group.total_ticket_limit, group.limit_mode,
                group.qa_evaluation, group.email_from, group.sla_id,
                group.default_ticket_type_id, group.assignment_rule,
                group.round_robin_profile_id, turns.get(group.id),
                tuple(members.get(group.id, ())), depth))
            visit(group.id, depth + 1)

    visit(None, 0)
    return tuple(ordered)


# --- People -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    id: uuid.UUID
    username: str
    full_name: str
    email: str
    company_id: uuid.UUID | None
    company_name: str
    kind: UserKind
    is_superadmin: bool
    enabled: bool


@dataclass(frozen=True)
class CompanyRow:
    id: uuid.UUID
    name: str
    people: int


@dataclass(frozen=True)
class ProfileRow:
    id: uuid.UUID
    name: str
    can_view: bool
    can_edit: bool
    can_manage: bool
    can_escalate: bool
    can_qa: bool
    hourly_rate: float


def people(session: Session) -> tuple[PersonRow, ...]:
    return tuple(
        PersonRow(u.id, u.username, u.full_name, u.email, u.company_id,
                  u.company.name if u.company else "", UserKind(u.kind), u.is_superadmin,
                  u.enabled)
        for u in session.scalars(select(User).order_by(User.username)))


def companies(session: Session) -> tuple[CompanyRow, ...]:
    counts = _counts(session, User.company_id)
    return tuple(CompanyRow(c.id, c.name, counts.get(c.id, 0))
                 for c in session.scalars(select(Company).order_by(Company.name)))


def profiles(session: Session) -> tuple[ProfileRow, ...]:
    return tuple(
        ProfileRow(p.id, p.name, p.can_view, p.can_edit, p.can_manage, p.can_escalate,
                   p.can_qa, p.hourly_rate)
        for p in session.scalars(select(Profile).order_by(Profile.name)))


# --- Holidays -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HolidayRow:
    id: uuid.UUID
    #: ISO date, ``YYYY-MM-DD``.
    day: str
    name: str

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.day)


def holidays(session: Session, year: int | None = None) -> tuple[HolidayRow, ...]:
    """The calendar in date order (one year's days when ``year`` is given)."""
    query = select(Holiday).order_by(Holiday.day)
    if year is not None:
        query = query.where(Holiday.day.like(f"{year:04d}-%"))
    return tuple(HolidayRow(h.id, h.day, h.name) for h in session.scalars(query))


_DAY = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")
_SEPARATOR = re.compile(r"\s*[,;\t]\s*|\s+")


def parse_holiday_day(text: str, line: int | None) -> str:
    """A holiday's date as stored (``YYYY-MM-DD``); ``2026/12/25`` and ``2026-1-6`` are
    accepted too. A refusal names the line of the list when there is one."""
    where = f"Line {line}: " if line is not None else ""
    match = _DAY.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        year, month, day = (int(part) for part in match.groups())
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise DomainError(VALIDATION, f"{where}'{text.strip()}' is not a date (YYYY-MM-DD).",
                          "holidays" if line is not None else "day") from None


def parse_holiday_list(text: str) -> tuple[tuple[str, str], ...]:
    """A pasted list into ``AddHolidays.holidays``: one date per line, optionally followed
    by a name (after a space, comma, semicolon or tab); blank lines are skipped. A bad
    date is refused naming its line (as counted in the text)."""
    pairs: list[tuple[str, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        day_text, *rest = _SEPARATOR.split(line, maxsplit=1)
        pairs.append((parse_holiday_day(day_text, number), rest[0].strip() if rest else ""))
    if not pairs:
        raise DomainError(VALIDATION, "The list holds no dates.", "holidays")
    return tuple(pairs)

