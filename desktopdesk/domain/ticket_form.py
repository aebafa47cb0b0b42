"""What the ticket forms offer: types, groups, custom fields and their cascades, no Qt.

The create dialog and the ticket view's Details tab both build their custom-field
widgets from ``CustomFieldSpec`` values read here on a worker thread; which types and
groups a person is offered is a rule, so it is decided here and not in a widget.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain import acl, fields, settings, workflow
from desktopdesk.domain.acl import Permissions
from desktopdesk.domain.handlers.create_ticket import (
    default_owner,
    may_choose_owner,
    may_file_as_any_status,
)
from desktopdesk.domain.handlers.ticket_rules import (
    ReadView,
    may_set_creator,
    type_groups,
    type_offered_in,
)
from desktopdesk.domain.queries import UserSummary
from desktopdesk.domain.ticket_list_lookups import Choice, picker_people
from desktopdesk.models import CustomField, FieldKind, Group, Priority, Status, TicketType

#: Priorities as forms list them: Maintenance sorts below Informative (as in Integria).
PRIORITY_ORDER = (
    Priority.MAINTENANCE, Priority.INFORMATIVE, Priority.LOW, Priority.MEDIUM,
    Priority.SERIOUS, Priority.VERY_SERIOUS,
)


@dataclass(frozen=True)
class CustomFieldSpec:
    """One custom field as a form shows it (global fields included, in display order)."""

    id: uuid.UUID
    label: str
    kind: FieldKind
    required: bool = False
    help_text: str = ""
    show_in_list: bool = False
    #: A combo's choices (an empty first one allowed) or a root linked field's values.
    options: tuple[str, ...] = ()
    #: Set on a linked field whose values depend on another field's value.
    parent_field_id: uuid.UUID | None = None
    #: (parent value, child value) pairs of a child linked field.
    linked_values: tuple[tuple[str, str], ...] = ()
    numeric_min: float | None = None
    numeric_max: float | None = None

    def choices_for(self, parent_value: str | None) -> tuple[str, ...]:
        """What a combo or linked field offers, given its parent's current value.

        The same answer as ``fields.linked_choices``, which validates the value: a combo
        offers its options as they are (a leading empty one means "none"); a root linked
        field its non-empty values; a child the values paired with its parent's value,
        none while the parent is empty. Other kinds offer nothing to choose from.
        """
        if self.kind is FieldKind.COMBO:
            return self.options
        if self.kind is not FieldKind.LINKED:
            return ()
        if self.parent_field_id is None:
            return tuple(o for o in self.options if o)
        if not parent_value:
            return ()
        return tuple(child for parent, child in self.linked_values if parent == parent_value)

    @property
    def key(self) -> str:
        """The field's key in ``UpdateTicketFields.changes`` and in refusals' ``field``."""
        return f"custom:{self.id}"


@dataclass(frozen=True)
class TypeOption:
    """A ticket type the person may file, with the groups it is offered in."""

    id: uuid.UUID
    name: str
    description: str
    #: Groups the type is offered to; empty: every group.
    group_ids: frozenset[uuid.UUID]
    #: Global fields first, then the type's own, in display order.
    fields: tuple[CustomFieldSpec, ...]


@dataclass(frozen=True)
class CreateFormOptions:
    """Everything the create dialog offers, read in one go for one person."""

    types: tuple[TypeOption, ...]
    #: Fields of a ticket filed without a type (the global ones).
    untyped_fields: tuple[CustomFieldSpec, ...]
    #: Groups the person may create tickets in, by name.
    groups: tuple[Choice, ...]
    #: The "a ticket type is required" setting.
    type_required: bool
    priorities: tuple[Priority, ...]
    #: Statuses the mapping allows at creation (the first is the default).
    creation_statuses: tuple[Status, ...]
    #: Groups in which the person may file on behalf of someone else.
    may_set_creator_in: frozenset[uuid.UUID]
    #: People a creator may be chosen from (same rule as the list's people picker).
    people: tuple[UserSummary, ...]
    creator_blank_by_default: bool
    allow_creation_date: bool
    #: Who is filing (the reader these options were read for).
    user_id: uuid.UUID | None = None
    #: (group id, who owns a ticket filed there without a chosen owner); a group absent
    #: here has nobody who can take it, and filing there is refused.
    default_owners: tuple[tuple[uuid.UUID, uuid.UUID], ...] = ()
    #: Groups in which the person may name someone else as the owner.
    may_choose_owner_in: frozenset[uuid.UUID] = frozenset()
    #: Groups in which the person may pick any creation status, whoever owns the ticket
    #: (elsewhere only when they will own it themselves).
    any_status_in: frozenset[uuid.UUID] = frozenset()

    def groups_for(self, type_id: uuid.UUID | None) -> tuple[Choice, ...]:
        """Groups offered for a type: the person's, intersected with the type's."""
        if type_id is None:
            return self.groups
        offered = next((t for t in self.types if t.id == type_id), None)
        if offered is None:
            return ()
        return tuple(g for g in self.groups if type_offered_in(offered.group_ids, g.id))

    def types_for(self, group_id: uuid.UUID | None) -> tuple[TypeOption, ...]:
        """Types that may be filed in a group (all the person's types while none is chosen)."""
        if group_id is None:
            return self.types
        return tuple(t for t in self.types if type_offered_in(t.group_ids, group_id))

    def fields_for(self, type_id: uuid.UUID | None) -> tuple[CustomFieldSpec, ...]:
        """The fields to fill for a type (the global ones without a type)."""
        if type_id is None:
            return self.untyped_fields
        offered = next((t for t in self.types if t.id == type_id), None)
        return offered.fields if offered is not None else self.untyped_fields

    def default_owner_for(self, group_id: uuid.UUID) -> uuid.UUID | None:
        return dict(self.default_owners).get(group_id)

    def statuses_for(self, group_id: uuid.UUID,
                     owner_id: uuid.UUID | None = None) -> tuple[Status, ...]:
        """Starting statuses the person may pick; ``owner_id`` None: the default owner.

        Another than the default is the owner's or a manager's choice (CreateTicket).
        """
        owner = owner_id if owner_id is not None else self.default_owner_for(group_id)
        if group_id in self.any_status_in or (owner is not None and owner == self.user_id):
            return self.creation_statuses
        return self.creation_statuses[:1]


def spec_of(field: CustomField) -> CustomFieldSpec:
    return CustomFieldSpec(
        id=field.id,
        label=field.label,
        kind=FieldKind(field.kind),
        required=field.required,
        help_text=field.help_text,
        show_in_list=field.show_in_list,
        options=tuple(field.options or ()),
        parent_field_id=field.parent_field_id,
        linked_values=tuple((str(parent), str(child))
                            for parent, child in (field.linked_values or ())),
        numeric_min=field.numeric_min,
        numeric_max=field.numeric_max,
    )


def field_specs(session: Session, ticket_type_id: uuid.UUID | None) -> tuple[CustomFieldSpec, ...]:
    """A type's fields as forms show them: global fields first (``fields_for_type``)."""
    return tuple(spec_of(f) for f in fields.fields_for_type(session, ticket_type_id))


def creatable_groups(session: Session, perms: Permissions) -> tuple[Choice, ...]:
    """Groups the person may file tickets in (and move tickets to), by name."""
    rows = session.execute(select(Group.id, Group.name).order_by(Group.name))
    return tuple(Choice(group_id, name) for group_id, name in rows
                 if acl.can_create_in(perms, group_id))


def _offered_types(session: Session, group_ids: Iterable[uuid.UUID]) -> tuple[TypeOption, ...]:
    groups = frozenset(group_ids)
    restricted = type_groups(session)
    offered = []
    for ticket_type in session.scalars(select(TicketType).order_by(TicketType.name)):
        offered_to = restricted.get(ticket_type.id, frozenset())
        if offered_to and not offered_to & groups:
            continue
        offered.append(TypeOption(
            id=ticket_type.id, name=ticket_type.name, description=ticket_type.description,
            group_ids=offered_to, fields=field_specs(session, ticket_type.id)))
    return tuple(offered)


def load_create_form(session: Session, perms: Permissions) -> CreateFormOptions:
    """What the create dialog offers ``perms``' person, decided by CreateTicket's rules."""
    view = ReadView.of(session, perms)
    groups = creatable_groups(session, perms)
    group_rows = {g.id: g for g in session.scalars(select(Group))}
    default_owners = []
    for choice in groups:
        owner = default_owner(view, group_rows[choice.id])
        if owner is not None:
            default_owners.append((choice.id, owner.id))
    return CreateFormOptions(
        types=_offered_types(session, (g.id for g in groups)),
        untyped_fields=field_specs(session, None),
        groups=groups,
        type_required=view.setting(settings.REQUIRED_TICKET_TYPE),
        priorities=PRIORITY_ORDER,
        creation_statuses=tuple(workflow.creation_statuses(session)),
        may_set_creator_in=frozenset(g.id for g in groups if may_set_creator(view, g.id)),
        people=tuple(p for p in picker_people(session, perms) if p.enabled),
        creator_blank_by_default=view.setting(settings.CREATOR_BLANK_BY_DEFAULT),
        allow_creation_date=view.setting(settings.ALLOW_CREATION_DATE),
        user_id=perms.user_id,
        default_owners=tuple(default_owners),
        may_choose_owner_in=frozenset(g.id for g in groups if may_choose_owner(view, g.id)),
        any_status_in=frozenset(
            g.id for g in groups if may_file_as_any_status(perms, None, g.id)),
    )
