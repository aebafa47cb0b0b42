"""One ticket as its view shows it: fields, thread, files, people, history, links. No Qt.

Read on a worker thread into frozen values; what the reader may change is worked out
here with the same rules the commands apply, each refusal with its reason, so the Details
tab can show a read-only field with a tooltip instead of inviting a refusal. The history
is put in words by ``ticket_history`` (its ``HistoryEntry`` is importable from here too).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain import acl, settings, workflow
from desktopdesk.domain.acl import Permissions
from desktopdesk.domain.contacts import ticket_contacts
from desktopdesk.domain.handlers.ticket_rules import (
    ReadView,
    RuleView,
    inventory_scope,
    may_change_people,
    may_change_type,
    may_disable_sla,
    may_edit,
    may_lock,
    may_reassign,
    may_set_creator,
    may_set_parent,
    may_unlock,
    owner_candidates,
    type_groups,
    type_offered_in,
)
from desktopdesk.domain.handlers.ticket_score import evaluation_refusal, may_see_score
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.domain.queries import UserSummary
from desktopdesk.domain.ticket_form import CustomFieldSpec, creatable_groups, field_specs
from desktopdesk.domain.ticket_history import HistoryEntry, render_history
from desktopdesk.domain.ticket_list_lookups import Choice, picker_people
from desktopdesk.models import (
    Attachment,
    CustomFieldValue,
    Group,
    HistoryEvent,
    InventoryObject,
    Priority,
    Profile,
    Resolution,
    Sla,
    Status,
    Ticket,
    TicketInventoryLink,
    TicketType,
    User,
    Workunit,
    WorkunitShare,
)

#: Names of what the Details tab edits, as ``TicketDetails.read_only`` keys them.
EDITABLE_PARTS = (
    "title", "description_html", "priority", "group_id", "ticket_type_id", "creator_id",
    "sla_disabled", "project_task", "status", "owner_id", "parent_id", "inventory",
    "emails_in_copy", "custom",
)


#: The ``status`` of a link to a ticket the reader may not see: always this, whatever the
#: ticket's real status, which is none of the reader's business. Not to be shown.
HIDDEN_LINK_STATUS = Status.NEW


@dataclass(frozen=True)
class TicketLink:
    """Another ticket named from this one (its parent, a child)."""

    id: uuid.UUID
    number_label: str
    #: "" when not ``visible``.
    title: str
    #: HIDDEN_LINK_STATUS when not ``visible``: a placeholder that says nothing, to ignore.
    status: Status
    #: False when the reader may not open it (only its number is known then).
    visible: bool = True


@dataclass(frozen=True)
class WorkunitEntry:
    id: uuid.UUID
    author: UserSummary
    created_at: dt.datetime
    completed_at: dt.datetime | None
    hours: float
    text_html: str
    is_private: bool
    is_internal: bool
    has_cost: bool
    profile_name: str | None
    shared_with: tuple[str, ...]  # full names
    #: Written by the ticket's creator (the "ball in our court" marker).
    by_creator: bool
    #: Files attached with it, by name (inline images included).
    file_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttachmentEntry:
    id: uuid.UUID
    file_name: str
    size: int
    mime_type: str
    sha256: str
    description: str
    uploader: UserSummary
    created_at: dt.datetime
    workunit_id: uuid.UUID | None
    #: The bytes are in this desktop's blob store (else they come with the next sync).
    available: bool


@dataclass(frozen=True)
class ContactEntry:
    person: UserSummary
    email: str
    #: Of "creator", "owner", "editor", "participant", in that order.
    roles: tuple[str, ...]


@dataclass(frozen=True)
class TicketDetails:
    id: uuid.UUID
    number_label: str
    #: The server has not numbered it yet (filed offline).
    provisional: bool
    title: str
    description_html: str
    status: Status
    priority: Priority
    resolution: Resolution
    group: Choice
    ticket_type: Choice | None
    creator: UserSummary
    owner: UserSummary
    editor: UserSummary
    creator_group_name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    closed_by: UserSummary | None
    epilogue_html: str
    project_task: str
    sla_disabled: bool
    sla_name: str | None
    locked: bool
    parent: TicketLink | None
    children: tuple[TicketLink, ...]
    inventory: tuple[Choice, ...]
    emails_in_copy: tuple[str, ...]
    custom_fields: tuple[CustomFieldSpec, ...]
    #: (field id as a string, value) for every custom field holding a value.
    custom_values: tuple[tuple[str, str], ...]
    #: The current status first, then those the mapping allows from it.
    allowed_statuses: tuple[Status, ...]
    #: (part of EDITABLE_PARTS, why the reader may not change it); absent: editable.
    read_only: tuple[tuple[str, str], ...]
    workunits: tuple[WorkunitEntry, ...]
    attachments: tuple[AttachmentEntry, ...]
    contacts: tuple[ContactEntry, ...]
    history: tuple[HistoryEntry, ...]
    #: Options for the editable choices: groups the ticket may move to, types, people
    #: who may own it, inventory objects the reader may link (by LinkInventory's company
    #: rule, ``ticket_rules.inventory_scope``; none when they may not change the links,
    #: and those already linked are in ``inventory`` whatever their company).
    group_choices: tuple[Choice, ...]
    type_choices: tuple[Choice, ...]
    owner_choices: tuple[UserSummary, ...]
    inventory_choices: tuple[Choice, ...]
    #: Every ticket type with the groups it is offered to (empty: every group), so a
    #: form can offer the types of a group the ticket is being moved to.
    type_offers: tuple[tuple[Choice, frozenset[uuid.UUID]], ...] = ()
    #: (type id or None, its fields) for every type and for no type: the fields to show
    #: when the type is changed on the form.
    fields_by_type: tuple[tuple[uuid.UUID | None, tuple[CustomFieldSpec, ...]], ...] = ()
    #: LockTicket's rules: lock (closed tickets only) and unlock.
    may_lock: bool = False
    may_unlock: bool = False
    #: Who the details were read for.
    reader_id: uuid.UUID | None = None
    #: People the reader may make the ticket's creator (UpdateTicketFields' creator_id):
    #: the enabled people their people pickers show, and the current creator (keeping
    #: it is no change); empty when the reader may not change the creator.
    creator_choices: tuple[UserSummary, ...] = ()
    #: The reader, its creator, may rate how the closed ticket was handled (ScoreTicket's
    #: rules, ``handlers.ticket_score``): not rated yet, and evaluation on.
    may_score: bool = False
    #: The rating given (1-10), for those who may see it (the creator, Q/A holders);
    #: 0: not rated, or not theirs to see.
    score: int = 0

    def read_only_reason(self, part: str) -> str | None:
        """Why ``part`` may not be changed by the reader; None when it may."""
        return dict(self.read_only).get(part)

    def custom_value(self, field_id: uuid.UUID) -> str:
        return dict(self.custom_values).get(str(field_id), "")

    def type_choices_for(self, group_id: uuid.UUID) -> tuple[Choice, ...]:
        """Types the ticket may have in a group: those offered there (and, in its own
        group, its current type even if no longer offered: keeping it is no change)."""
        if group_id == self.group.id or not self.type_offers:
            return self.type_choices
        return tuple(choice for choice, groups in self.type_offers
                     if type_offered_in(groups, group_id))

    def fields_for_type(self, type_id: uuid.UUID | None) -> tuple[CustomFieldSpec, ...]:
        """The custom fields of the ticket were it of ``type_id``."""
        current = self.ticket_type.id if self.ticket_type else None
        if type_id == current:
            return self.custom_fields
        return dict(self.fields_by_type).get(type_id, ())


def load_ticket_details(session: Session, perms: Permissions, ticket_id: uuid.UUID, *,
                        has_blob: Callable[[str], bool] | None = None,
                        sort_workunits_by_completion: bool = False) -> TicketDetails:
    """Raises the NOT_FOUND DomainError when the reader may not see the ticket.

    ``has_blob`` says whether a file's bytes are on this desktop (None: assume they are);
    ``sort_workunits_by_completion`` is this desktop's preference of that name.
    """
    ticket = acl.require_visible(session, perms, ticket_id)
    view = ReadView.of(session, perms)
    people = _People(session)
    group = _group(session, ticket.group_id)
    ticket_type = session.get(TicketType, ticket.ticket_type_id) if ticket.ticket_type_id else None
    workunit_rows = list(session.scalars(
        select(Workunit).where(Workunit.ticket_id == ticket.id,
                               acl.visible_workunits_clause(perms, ticket))))
    seen_workunits = {w.id for w in workunit_rows}
    attachment_rows = list(session.scalars(
        select(Attachment).where(Attachment.ticket_id == ticket.id)
        .order_by(Attachment.created_at, Attachment.file_name)))
    shown_files = [a for a in attachment_rows
                   if a.workunit_id is None or a.workunit_id in seen_workunits]
    shown_ids = {a.id for a in shown_files}
    hidden_files = [a for a in attachment_rows if a.id not in shown_ids]
    type_offers = _type_offers(session)
    custom_fields = field_specs(session, ticket.ticket_type_id)
    owner_name = people.get(ticket.owner_id).full_name
    read_only = read_only_reasons(view, ticket, group_name=group.name, owner_name=owner_name,
                                  people=people)
    history = render_history(session, ticket.id, people, hidden_workunits=_hidden_workunits(
        session, ticket.id, seen_workunits), hidden_files=hidden_files, shown_files=shown_files)
    return TicketDetails(
        id=ticket.id,
        number_label=ticket_number_label(ticket.number, ticket.provisional_number),
        provisional=ticket.number is None,
        title=ticket.title,
        description_html=ticket.description_html,
        status=Status(ticket.status),
        priority=Priority(ticket.priority),
        resolution=Resolution(ticket.resolution),
        group=Choice(group.id, group.name),
        ticket_type=Choice(ticket_type.id, ticket_type.name) if ticket_type else None,
        creator=people.get(ticket.creator_id),
        owner=people.get(ticket.owner_id),
        editor=people.get(ticket.editor_id),
        creator_group_name=_group(session, ticket.creator_group_id).name,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        closed_at=ticket.closed_at,
        closed_by=people.get(ticket.closed_by_id) if ticket.closed_by_id else None,
        epilogue_html=ticket.epilogue_html,
        project_task=ticket.project_task,
        sla_disabled=ticket.sla_disabled,
        sla_name=_sla_name(session, ticket.affected_sla_id),
        locked=ticket.locked,
        parent=_link(session, perms, ticket.parent_id) if ticket.parent_id else None,
        children=_children(session, perms, ticket.id),
        inventory=tuple(Choice(object_id, name) for object_id, name in session.execute(
            select(InventoryObject.id, InventoryObject.name)
            .join(TicketInventoryLink,
                  TicketInventoryLink.inventory_object_id == InventoryObject.id)
            .where(TicketInventoryLink.ticket_id == ticket.id)
            .order_by(InventoryObject.name))),
        emails_in_copy=tuple(ticket.emails_in_copy or ()),
        custom_fields=custom_fields,
        custom_values=_custom_values(session, ticket.id, custom_fields),
        allowed_statuses=(Status(ticket.status),
                          *workflow.allowed_next_statuses(session, Status(ticket.status))),
        read_only=read_only,
        workunits=_workunits(session, ticket, workunit_rows, shown_files, people,
                             by_completion=sort_workunits_by_completion),
        attachments=tuple(_attachment(a, people, has_blob) for a in shown_files),
        contacts=tuple(ContactEntry(person=people.get(c.user_id), email=people.email(c.user_id),
                                    roles=c.roles)
                       for c in ticket_contacts(
                           session, ticket, seen_actors=[entry.actor.id for entry in history])),
        history=history,
        group_choices=_group_choices(session, perms, group),
        type_choices=tuple(choice for choice, groups in type_offers
                           if type_offered_in(groups, group.id)
                           or (ticket_type is not None and choice.id == ticket_type.id)),
        owner_choices=_owner_choices(session, ticket, people),
        inventory_choices=(() if "inventory" in dict(read_only)
                           else _inventory_choices(view, ticket)),
        type_offers=type_offers,
        fields_by_type=((None, field_specs(session, None)),
                        *((choice.id, field_specs(session, choice.id))
                          for choice, _ in type_offers)),
        may_lock=(not ticket.locked and ticket.status == Status.CLOSED
                  and may_lock(perms, ticket)),
        may_unlock=ticket.locked and may_unlock(perms, ticket),
        reader_id=perms.user_id,
        creator_choices=(() if "creator_id" in dict(read_only)
                         else _creator_choices(session, perms, ticket, people)),
        may_score=evaluation_refusal(view, ticket) is None,
        score=ticket.score if may_see_score(view, ticket) else 0,
    )


# --- People, groups and links -------------------------------------------------------------


class _People:
    """Users read once each while one ticket is read."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._users: dict[uuid.UUID, User | None] = {}

    def _user(self, user_id: uuid.UUID) -> User | None:
        if user_id not in self._users:
            self._users[user_id] = self._session.get(User, user_id)
        return self._users[user_id]

    def get(self, user_id: uuid.UUID) -> UserSummary:
        user = self._user(user_id)
        if user is None:
            return UserSummary(user_id, "?", "(unknown person)", False)
        return UserSummary(user.id, user.username, user.full_name, user.enabled)

    def email(self, user_id: uuid.UUID) -> str:
        user = self._user(user_id)
        return user.email if user is not None else ""

    def name_of(self, raw_id: str) -> str:
        try:
            return self.get(uuid.UUID(raw_id)).full_name
        except ValueError:
            return raw_id


def _group(session: Session, group_id: uuid.UUID) -> Group:
    group = session.get(Group, group_id)
    assert group is not None, "tickets reference their groups (foreign key)"
    return group


def _sla_name(session: Session, sla_id: uuid.UUID | None) -> str | None:
    if sla_id is None:
        return None
    sla = session.get(Sla, sla_id)
    return sla.name if sla is not None else None


def _link_of(perms: Permissions, ticket: Ticket) -> TicketLink:
    label = ticket_number_label(ticket.number, ticket.provisional_number)
    if not acl.can_view(perms, ticket):
        return TicketLink(ticket.id, label, "", HIDDEN_LINK_STATUS, visible=False)
    return TicketLink(ticket.id, label, ticket.title, Status(ticket.status))


def _link(session: Session, perms: Permissions, ticket_id: uuid.UUID) -> TicketLink | None:
    linked = session.get(Ticket, ticket_id)
    return _link_of(perms, linked) if linked is not None else None


def _children(session: Session, perms: Permissions,
              ticket_id: uuid.UUID) -> tuple[TicketLink, ...]:
    rows = session.scalars(select(Ticket).where(Ticket.parent_id == ticket_id))
    ordered = sorted(rows, key=lambda t: (t.number is None, t.number or 0,
                                          t.provisional_number or 0, t.created_at))
    return tuple(_link_of(perms, child) for child in ordered)


def _custom_values(session: Session, ticket_id: uuid.UUID,
                   specs: tuple[CustomFieldSpec, ...]) -> tuple[tuple[str, str], ...]:
    stored = {field_id: value for field_id, value in session.execute(
        select(CustomFieldValue.field_id, CustomFieldValue.value)
        .where(CustomFieldValue.ticket_id == ticket_id)) if value}
    order = {spec.id: n for n, spec in enumerate(specs)}
    return tuple((str(field_id), stored[field_id])
                 for field_id in sorted(stored, key=lambda f: (order.get(f, len(order)), str(f))))


def _type_offers(session: Session) -> tuple[tuple[Choice, frozenset[uuid.UUID]], ...]:
    restricted = type_groups(session)
    return tuple((Choice(type_id, name), restricted.get(type_id, frozenset()))
                 for type_id, name in session.execute(
                     select(TicketType.id, TicketType.name).order_by(TicketType.name)))


def _group_choices(session: Session, perms: Permissions, current: Group) -> tuple[Choice, ...]:
    """Where UpdateTicketFields may move the ticket (filing rights), and where it is."""
    choices = {choice.id: choice for choice in creatable_groups(session, perms)}
    choices.setdefault(current.id, Choice(current.id, current.name))
    return tuple(sorted(choices.values(), key=lambda c: (c.name.casefold(), str(c.id))))


def _owner_choices(session: Session, ticket: Ticket,
                   people: _People) -> tuple[UserSummary, ...]:
    """Everyone who can own the ticket in its group (AssignOwner's candidates)."""
    choices = [people.get(user.id) for user in owner_candidates(session, ticket.group_id)]
    if all(choice.id != ticket.owner_id for choice in choices):
        choices.append(people.get(ticket.owner_id))
    return tuple(choices)


def _inventory_choices(view: ReadView, ticket: Ticket) -> tuple[Choice, ...]:
    """What LinkInventory would link for the reader (its company rule), by name."""
    scope = inventory_scope(view, ticket.group_id, ticket.creator_id)
    return tuple(Choice(object_id, name) for object_id, name in view.session.execute(
        select(InventoryObject.id, InventoryObject.name).where(scope.clause())
        .order_by(InventoryObject.name, InventoryObject.id)))


def _creator_choices(session: Session, perms: Permissions, ticket: Ticket,
                     people: _People) -> tuple[UserSummary, ...]:
    """Whom the reader may name as the creator, by full name.

    UpdateTicketFields takes any enabled person; the offer is narrowed to those the
    reader's people pickers show (everyone only with "creators can see all users"), as
    the new-ticket form's creator picker is, so the Details tab lists no one else.
    """
    offered = {person.id: person for person in picker_people(session, perms) if person.enabled}
    offered.setdefault(ticket.creator_id, people.get(ticket.creator_id))
    return tuple(sorted(offered.values(),
                        key=lambda p: (p.full_name.casefold(), p.username, str(p.id))))


# --- What the reader may change -----------------------------------------------------------


def read_only_reasons(view: RuleView, ticket: Ticket, *, group_name: str, owner_name: str,
                      people: _People | None = None) -> tuple[tuple[str, str], ...]:
    """(part, reason) for each part of EDITABLE_PARTS the reader may not change.

    Each decision is the predicate its handler applies, in the handler's order (a lock
    first); only the wording is the form's, naming the rule.
    """
    perms = view.perms
    if ticket.locked:
        locker = _locked_by(view.session, ticket.id, people or _People(view.session))
        by = f" by {locker}" if locker else ""
        reason = f"The ticket is locked{by}; a manager of {group_name} must unlock it first."
        return tuple((part, reason) for part in EDITABLE_PARTS)
    reasons: dict[str, str] = {}
    if not may_edit(view, ticket):
        if perms.is_independent and not view.setting(settings.EXTERNAL_USERS_MAY_MODIFY):
            no_edit = "Independent users may not modify tickets (setting)."
        else:
            no_edit = (f"You may read this ticket but not change it: that takes EDIT on "
                       f"{group_name}, or being its creator or owner.")
        for part in ("title", "description_html", "priority", "group_id", "ticket_type_id",
                     "creator_id", "sla_disabled", "project_task", "status", "inventory",
                     "emails_in_copy", "custom"):
            reasons[part] = no_edit
    if "group_id" not in reasons and all(
            choice.id == ticket.group_id for choice in creatable_groups(view.session, perms)):
        reasons["group_id"] = ("You may not move tickets to another group: that takes EDIT "
                               "or escalate in the group it goes to.")
    if "ticket_type_id" not in reasons and not may_change_type(view):
        reasons["ticket_type_id"] = "Changing a ticket's type is not allowed (setting)."
    if "creator_id" not in reasons and not may_set_creator(view, ticket.group_id):
        reasons["creator_id"] = _creator_reason(view, group_name)
    if "sla_disabled" not in reasons and not may_disable_sla(perms, ticket.group_id):
        reasons["sla_disabled"] = (f"Only a manager of {group_name}, or someone who may "
                                   f"escalate there, can switch the SLA off.")
    if "status" not in reasons and not acl.is_owner_or_admin(perms, ticket):
        reasons["status"] = f"Only the owner ({owner_name}) can change the status."
    if not may_reassign(view, ticket):
        reasons["owner_id"] = (
            "Changing the owner is switched off in the settings." if not may_change_people(view)
            else f"Only the owner ({owner_name}) or a manager of {group_name} can hand the "
                 f"ticket to someone else.")
    if not may_set_parent(perms, ticket.group_id):
        reasons["parent_id"] = (f"Only a manager of {group_name}, or someone who may escalate "
                                f"there, can set the parent ticket.")
    return tuple((part, reasons[part]) for part in EDITABLE_PARTS if part in reasons)


def _creator_reason(view: RuleView, group_name: str) -> str:
    perms = view.perms
    if not may_change_people(view):
        return "Changing the creator and owner is switched off in the settings."
    if perms.is_independent:
        return "Independent users cannot change who a ticket is for."
    if view.setting(settings.EDIT_CAN_CHANGE_CREATOR):
        return f"Only people with EDIT or MANAGE on {group_name} can change the creator."
    return f"Only a manager of {group_name} can change the creator."


def _locked_by(session: Session, ticket_id: uuid.UUID, people: _People) -> str:
    actor = session.scalar(
        select(HistoryEvent.actor_id)
        .where(HistoryEvent.ticket_id == ticket_id, HistoryEvent.kind == EventKind.LOCKED.value)
        .order_by(HistoryEvent.at.desc()).limit(1))
    return people.get(actor).full_name if actor is not None else ""


# --- Workunits and files ------------------------------------------------------------------


def _workunits(session: Session, ticket: Ticket, rows: list[Workunit],
               files: list[Attachment], people: _People, *,
               by_completion: bool) -> tuple[WorkunitEntry, ...]:
    """Newest first: by when written, or by when the work was done when so preferred."""
    ids = [w.id for w in rows]
    shared: dict[uuid.UUID, list[str]] = {}
    for workunit_id, user_id in session.execute(
            select(WorkunitShare.workunit_id, WorkunitShare.user_id)
            .where(WorkunitShare.workunit_id.in_(ids))):
        shared.setdefault(workunit_id, []).append(people.get(user_id).full_name)
    profiles = {pid: name for pid, name in session.execute(select(Profile.id, Profile.name))}
    names: dict[uuid.UUID, list[str]] = {}
    for attachment in files:
        if attachment.workunit_id is not None:
            names.setdefault(attachment.workunit_id, []).append(attachment.file_name)

    def when(workunit: Workunit) -> tuple[dt.datetime, dt.datetime, str]:
        done = workunit.completed_at or workunit.created_at
        first = done if by_completion else workunit.created_at
        return (first, workunit.created_at, str(workunit.id))

    return tuple(
        WorkunitEntry(
            id=w.id, author=people.get(w.author_id), created_at=w.created_at,
            completed_at=w.completed_at, hours=w.hours, text_html=w.text_html,
            is_private=w.is_private, is_internal=w.is_internal, has_cost=w.has_cost,
            profile_name=profiles.get(w.profile_id) if w.profile_id else None,
            shared_with=tuple(sorted(shared.get(w.id, ()))),
            by_creator=w.author_id == ticket.creator_id,
            file_names=tuple(names.get(w.id, ())),
        )
        for w in sorted(rows, key=when, reverse=True))


def _attachment(row: Attachment, people: _People,
                has_blob: Callable[[str], bool] | None) -> AttachmentEntry:
    return AttachmentEntry(
        id=row.id, file_name=row.file_name, size=row.size, mime_type=row.mime_type,
        sha256=row.sha256, description=row.description, uploader=people.get(row.uploader_id),
        created_at=row.created_at, workunit_id=row.workunit_id,
        available=True if has_blob is None else has_blob(row.sha256))


def _hidden_workunits(session: Session, ticket_id: uuid.UUID,
                      seen: set[uuid.UUID]) -> frozenset[str]:
    every = session.scalars(select(Workunit.id).where(Workunit.ticket_id == ticket_id))
    return frozenset(str(w) for w in every if w not in seen)
