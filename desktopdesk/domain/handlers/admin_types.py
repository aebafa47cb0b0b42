"""The ticket type and custom field designer: types, their fields, the fields' order.

Anyone holding MANAGE on a group (or a super-admin) designs types, as in Integria. Values
tickets hold are never silently lost: a change they would not fit is refused (saying how
many tickets hold such values), and removing a field first writes each ticket's value
into that ticket's history.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from desktopdesk.domain import acl, fields
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    AddCustomField,
    CreateTicketType,
    DeleteTicketType,
    RemoveCustomField,
    ReorderCustomFields,
    UpdateCustomField,
    UpdateTicketType,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.domain.handlers.admin_common import require_unique, tickets_phrase
from desktopdesk.domain.handlers.common import require_new_id, require_row, require_text
from desktopdesk.domain.history import EventKind
from desktopdesk.models import (
    CustomField,
    CustomFieldValue,
    FieldKind,
    Group,
    Ticket,
    TicketType,
    TicketTypeGroup,
)

# --- Types --------------------------------------------------------------------------------


@handles(CreateTicketType)
def create_ticket_type(action: Action, cmd: CreateTicketType) -> CommandResult:
    acl.require_manager(action.perms, "define ticket types")
    require_new_id(action.session, TicketType, cmd.ticket_type_id, "ticket type",
                   "ticket_type_id")
    name = require_text(cmd.name, "The type name", "name", 100)
    require_unique(action, TicketType, TicketType.name, name, "ticket type", "name")
    action.session.add(TicketType(id=cmd.ticket_type_id, name=name,
                                  description=cmd.description.strip()))
    for group_id in dict.fromkeys(cmd.group_ids):
        require_row(action.session, Group, group_id, "group", "group_ids")
        action.session.add(TicketTypeGroup(ticket_type_id=cmd.ticket_type_id, group_id=group_id))
    return action.result(created_id=cmd.ticket_type_id, config_changed=True)


@handles(UpdateTicketType)
def update_ticket_type(action: Action, cmd: UpdateTicketType) -> CommandResult:
    acl.require_manager(action.perms, "change ticket types")
    session = action.session
    ticket_type = require_row(session, TicketType, cmd.ticket_type_id, "ticket type",
                              "ticket_type_id")
    name = require_text(cmd.name, "The type name", "name", 100)
    require_unique(action, TicketType, TicketType.name, name, "ticket type", "name",
                   except_id=ticket_type.id)
    wanted = list(dict.fromkeys(cmd.group_ids))
    for group_id in wanted:
        require_row(session, Group, group_id, "group", "group_ids")
    if wanted:
        for group in session.scalars(select(Group).where(
                Group.default_ticket_type_id == ticket_type.id).order_by(Group.name)):
            if group.id not in wanted:
                raise DomainError(VALIDATION, f"Group '{group.name}' proposes "
                                              f"'{ticket_type.name}' for new tickets; give it "
                                              "another default type first, or keep the group.",
                                  "group_ids")
    held = {row.group_id: row for row in session.scalars(
        select(TicketTypeGroup).where(TicketTypeGroup.ticket_type_id == ticket_type.id))}
    for group_id, row in held.items():
        if group_id not in wanted:
            session.delete(row)
    for group_id in wanted:
        if group_id not in held:
            session.add(TicketTypeGroup(ticket_type_id=ticket_type.id, group_id=group_id))
    ticket_type.name = name
    ticket_type.description = cmd.description.strip()
    return action.result(config_changed=True)


@handles(DeleteTicketType)
def delete_ticket_type(action: Action, cmd: DeleteTicketType) -> CommandResult:
    acl.require_manager(action.perms, "delete ticket types")
    session = action.session
    ticket_type = require_row(session, TicketType, cmd.ticket_type_id, "ticket type",
                              "ticket_type_id")
    in_use = session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.ticket_type_id == ticket_type.id)) or 0
    if in_use:
        raise DomainError(VALIDATION, f"{tickets_phrase(in_use)} of type '{ticket_type.name}' "
                                      f"{'exists' if in_use == 1 else 'exist'}; give "
                                      f"{'it' if in_use == 1 else 'them'} another type "
                                      "first.", "ticket_type_id")
    for group in session.scalars(select(Group).where(
            Group.default_ticket_type_id == ticket_type.id)):
        group.default_ticket_type_id = None
    own = list(session.scalars(select(CustomField).where(
        CustomField.ticket_type_id == ticket_type.id)))
    touched: set[uuid.UUID] = set()
    for field in _children_first(own):
        touched |= _remove_field(action, field)
    for row in session.scalars(select(TicketTypeGroup).where(
            TicketTypeGroup.ticket_type_id == ticket_type.id)):
        session.delete(row)
    session.flush()
    session.delete(ticket_type)
    return action.result(tickets=tuple(sorted(touched)), config_changed=True)


def _children_first(type_fields: Sequence[CustomField]) -> list[CustomField]:
    """Deepest linked fields first, so no field is deleted while another names it."""
    parents = {f.id: f.parent_field_id for f in type_fields}

    def depth(field: CustomField) -> int:
        steps, node, seen = 0, field.parent_field_id, set()
        while node is not None and node not in seen:
            seen.add(node)
            steps += 1
            node = parents.get(node)
        return steps

    return sorted(type_fields, key=lambda f: (-depth(f), f.position, f.label))


# --- Fields -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Definition:
    """A checked field definition, holding only what its kind uses."""

    label: str
    kind: FieldKind
    options: list[str]
    parent_field_id: uuid.UUID | None
    linked_values: list[tuple[str, str]]
    numeric_min: float | None
    numeric_max: float | None


def _definition(action: Action, *, field_id: uuid.UUID, ticket_type_id: uuid.UUID | None,
                label: str, kind: str, options: Iterable[str],
                parent_field_id: uuid.UUID | None, linked_values: Iterable[Sequence[str]],
                numeric_min: float | None, numeric_max: float | None) -> _Definition:
    clean_options = fields.normalise_options(options)
    linked = fields.normalise_linked_values(linked_values)
    fields.check_definition(
        action.session, field_id=field_id, ticket_type_id=ticket_type_id, label=label,
        kind=kind, options=clean_options, parent_field_id=parent_field_id,
        linked_values=linked, numeric_min=numeric_min, numeric_max=numeric_max,
    )
    field_kind = FieldKind(kind)
    child = field_kind is FieldKind.LINKED and parent_field_id is not None
    has_options = field_kind is FieldKind.COMBO or (field_kind is FieldKind.LINKED
                                                    and not child)
    numeric = field_kind is FieldKind.NUMERIC
    return _Definition(
        label=label.strip(), kind=field_kind, options=clean_options if has_options else [],
        parent_field_id=parent_field_id if child else None,
        linked_values=linked if child else [],
        numeric_min=numeric_min if numeric else None,
        numeric_max=numeric_max if numeric else None,
    )


@handles(AddCustomField)
def add_custom_field(action: Action, cmd: AddCustomField) -> CommandResult:
    acl.require_manager(action.perms, "define custom fields")
    session = action.session
    require_new_id(session, CustomField, cmd.field_id, "custom field", "field_id")
    if cmd.ticket_type_id is not None:
        require_row(session, TicketType, cmd.ticket_type_id, "ticket type", "ticket_type_id")
    definition = _definition(
        action, field_id=cmd.field_id, ticket_type_id=cmd.ticket_type_id, label=cmd.label,
        kind=cmd.kind, options=cmd.options, parent_field_id=cmd.parent_field_id,
        linked_values=cmd.linked_values, numeric_min=cmd.numeric_min,
        numeric_max=cmd.numeric_max)
    last = session.scalar(select(func.max(CustomField.position)).where(
        _same_list(cmd.ticket_type_id)))
    session.add(CustomField(
        id=cmd.field_id, ticket_type_id=cmd.ticket_type_id, required=cmd.required,
        show_in_list=cmd.show_in_list, help_text=cmd.help_text.strip(),
        position=(last or 0) + 1, **_columns(definition),
    ))
    return action.result(created_id=cmd.field_id, config_changed=True)


def _same_list(ticket_type_id: uuid.UUID | None) -> ColumnElement[bool]:
    """The fields ordered together: a type's own, or the global ones."""
    if ticket_type_id is None:
        return CustomField.ticket_type_id.is_(None)
    return CustomField.ticket_type_id == ticket_type_id


def _columns(definition: _Definition) -> dict[str, object]:
    return {
        "label": definition.label, "kind": definition.kind, "options": definition.options,
        "parent_field_id": definition.parent_field_id,
        "linked_values": [list(pair) for pair in definition.linked_values],
        "numeric_min": definition.numeric_min, "numeric_max": definition.numeric_max,
    }


@handles(UpdateCustomField)
def update_custom_field(action: Action, cmd: UpdateCustomField) -> CommandResult:
    acl.require_manager(action.perms, "change custom fields")
    session = action.session
    field = require_row(session, CustomField, cmd.field_id, "custom field", "field_id")
    definition = _definition(
        action, field_id=field.id, ticket_type_id=field.ticket_type_id, label=cmd.label,
        kind=cmd.kind, options=cmd.options, parent_field_id=cmd.parent_field_id,
        linked_values=cmd.linked_values, numeric_min=cmd.numeric_min,
        numeric_max=cmd.numeric_max)
    columns = _columns(definition)
    candidate = CustomField(id=field.id, ticket_type_id=field.ticket_type_id, **columns)
    held = fields.held_values_under(session, candidate)
    if held.misfits:
        one = held.misfits == 1
        raise DomainError(
            VALIDATION,
            f"{tickets_phrase(held.misfits)} {'holds a value' if one else 'hold values'} of "
            f"'{field.label}' the new definition would refuse, such as '{held.example}' "
            f"({held.reason}). Change {'that ticket' if one else 'those tickets'} first, or "
            "keep the definition.",
            _what_changed(field, definition))
    touched = _rewrite_values(action, field, definition.label, held.rewrites)
    for key, value in columns.items():
        if getattr(field, key) != value:
            setattr(field, key, value)
    field.required = cmd.required
    field.show_in_list = cmd.show_in_list
    field.help_text = cmd.help_text.strip()
    return action.result(tickets=touched, config_changed=True)


def _what_changed(field: CustomField, definition: _Definition) -> str:
    """The input to name when held values refuse a change."""
    if field.kind != definition.kind:
        return "kind"
    if (field.numeric_min, field.numeric_max) != (definition.numeric_min, definition.numeric_max):
        return "numeric_min" if field.numeric_min != definition.numeric_min else "numeric_max"
    if field.parent_field_id != definition.parent_field_id:
        return "parent"
    return "linked" if definition.parent_field_id is not None else "options"


def _rewrite_values(action: Action, field: CustomField, label: str,
                    rewrites: Mapping[str, str]) -> tuple[uuid.UUID, ...]:
    """Store held values in the form the new kind keeps ("1.0" as a number is "1"), each
    change in its ticket's history."""
    if not rewrites:
        return ()
    rows = action.session.scalars(select(CustomFieldValue).where(
        CustomFieldValue.field_id == field.id, CustomFieldValue.value.in_(list(rewrites)))
        .order_by(CustomFieldValue.ticket_id))
    touched = []
    for row in rows:
        new = rewrites[row.value]
        action.history.record(row.ticket_id, EventKind.FIELD_CHANGED, f"custom:{label}",
                              row.value, new)
        row.value = new
        touched.append(row.ticket_id)
    return tuple(touched)


@handles(RemoveCustomField)
def remove_custom_field(action: Action, cmd: RemoveCustomField) -> CommandResult:
    acl.require_manager(action.perms, "remove custom fields")
    session = action.session
    field = require_row(session, CustomField, cmd.field_id, "custom field", "field_id")
    children = fields.children_of(session, field.id)
    if children:
        raise DomainError(VALIDATION, f"'{children[0].label}' depends on '{field.label}'; "
                                      "remove it, or give it another parent, first.",
                          "field_id")
    touched = _remove_field(action, field)
    return action.result(tickets=tuple(sorted(touched)), config_changed=True)


def _remove_field(action: Action, field: CustomField) -> set[uuid.UUID]:
    """Each value into its ticket's history, then the values (one by one, so the server
    leaves tombstones) and the field."""
    session = action.session
    touched: set[uuid.UUID] = set()
    for row in session.scalars(select(CustomFieldValue).where(
            CustomFieldValue.field_id == field.id).order_by(CustomFieldValue.ticket_id)):
        if row.value:
            action.history.record(row.ticket_id, EventKind.FIELD_REMOVED,
                                  f"custom:{field.label}", row.value, "")
            touched.add(row.ticket_id)
        session.delete(row)
    session.flush()
    session.delete(field)
    session.flush()
    return touched


@handles(ReorderCustomFields)
def reorder_custom_fields(action: Action, cmd: ReorderCustomFields) -> CommandResult:
    acl.require_manager(action.perms, "reorder custom fields")
    session = action.session
    if cmd.ticket_type_id is not None:
        require_row(session, TicketType, cmd.ticket_type_id, "ticket type", "ticket_type_id")
    current = {f.id: f for f in session.scalars(
        select(CustomField).where(_same_list(cmd.ticket_type_id)))}
    listed = list(cmd.field_ids)
    if len(set(listed)) != len(listed):
        raise DomainError(VALIDATION, "The new order lists a field twice.", "field_ids")
    strangers = [fid for fid in listed if fid not in current]
    if strangers:
        where = "the global fields" if cmd.ticket_type_id is None else "this type's fields"
        raise DomainError(VALIDATION, f"The new order names a field that is not one of "
                                      f"{where}.", "field_ids")
    missing = sorted(f.label for fid, f in current.items() if fid not in set(listed))
    if missing:
        raise DomainError(VALIDATION, f"The new order leaves out '{missing[0]}': list every "
                                      "field, each once.", "field_ids")
    for position, field_id in enumerate(listed, start=1):
        if current[field_id].position != position:
            current[field_id].position = position
    return action.result(config_changed=True)
