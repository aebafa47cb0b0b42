"""What the ticket type designer reads and writes, as plain functions the runner calls.

No Qt here: each call opens its own session on the worker's thread and hands back
frozen data (``admin_queries``' types and designs). Every change is one command in one
transaction; the commands themselves refuse whoever may not design types, so a client
that skipped the window's check still changes nothing.

``FieldDraft`` is a field's definition as the person left it in the editor (texts, not
yet parsed): it becomes the command to save and, leniently, the ``CustomFieldSpec`` the
live preview shows, unsaved edits included.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from desktopdesk.domain import admin_queries
from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.admin_queries import FieldDefinition, TypeDesign, TypeSummary
from desktopdesk.domain.commands import (
    AddCustomField,
    CreateTicketType,
    DeleteTicketType,
    RemoveCustomField,
    ReorderCustomFields,
    UpdateCustomField,
    UpdateTicketType,
)
from desktopdesk.domain.errors import FORBIDDEN, VALIDATION, DomainError
from desktopdesk.domain.fields import (
    normalise_options,
    parse_combo_options,
    parse_linked_values,
)
from desktopdesk.domain.ticket_form import CustomFieldSpec
from desktopdesk.models import CustomField, FieldKind
from desktopdesk.store.workspace import Workspace

# --- Reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupOption:
    id: uuid.UUID
    name: str
    #: Depth in the group tree (0 for a top group), for indenting.
    depth: int


@dataclass(frozen=True)
class TypeCatalogue:
    """The designer's list: every type, the global fields' count and the groups a type
    may be offered to."""

    types: tuple[TypeSummary, ...]
    global_field_count: int
    groups: tuple[GroupOption, ...]


def _require_designer(workspace: Workspace, user_id: uuid.UUID) -> None:
    """Reading the designs is for designers too (the commands check their own writes)."""
    with workspace.read() as session:
        if not admin_queries.may_design_types(load_permissions(session, user_id)):
            raise DomainError(FORBIDDEN, "You need MANAGE on a group to design ticket types.")


def load_catalogue(workspace: Workspace, user_id: uuid.UUID) -> TypeCatalogue:
    _require_designer(workspace, user_id)
    with workspace.read() as session:
        global_count = session.scalar(select(func.count()).select_from(CustomField).where(
            CustomField.ticket_type_id.is_(None))) or 0
        return TypeCatalogue(
            admin_queries.ticket_types(session), global_count,
            tuple(GroupOption(g.id, g.name, g.depth) for g in admin_queries.groups(session)))


def load_design(workspace: Workspace, user_id: uuid.UUID,
                ticket_type_id: uuid.UUID | None) -> TypeDesign:
    """One type's fields (None: the global fields), with the tickets holding values."""
    _require_designer(workspace, user_id)
    with workspace.read() as session:
        return admin_queries.type_design(session, ticket_type_id)


# --- Writing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeDraft:
    """A type's name, description and groups as typed; ``id`` None for a new type."""

    id: uuid.UUID | None
    name: str
    description: str
    group_ids: tuple[uuid.UUID, ...]


def save_type(workspace: Workspace, actor_id: uuid.UUID, draft: TypeDraft) -> uuid.UUID:
    """Create or change a type; its id."""
    if draft.id is None:
        created = CreateTicketType(name=draft.name, description=draft.description,
                                   group_ids=draft.group_ids)
        workspace.execute(created, actor_id)
        return created.ticket_type_id
    workspace.execute(UpdateTicketType(ticket_type_id=draft.id, name=draft.name,
                                       description=draft.description,
                                       group_ids=draft.group_ids), actor_id)
    return draft.id


def delete_type(workspace: Workspace, actor_id: uuid.UUID, ticket_type_id: uuid.UUID) -> None:
    workspace.execute(DeleteTicketType(ticket_type_id=ticket_type_id), actor_id)


FieldCommand = AddCustomField | UpdateCustomField


def save_field(workspace: Workspace, actor_id: uuid.UUID, command: FieldCommand) -> uuid.UUID:
    """Add or change a field (``FieldDraft.command``); its id."""
    workspace.execute(command, actor_id)
    return command.field_id


def remove_field(workspace: Workspace, actor_id: uuid.UUID, field_id: uuid.UUID) -> None:
    """Each value tickets hold goes into their history first (RemoveCustomField)."""
    workspace.execute(RemoveCustomField(field_id=field_id), actor_id)


def reorder_fields(workspace: Workspace, actor_id: uuid.UUID, ticket_type_id: uuid.UUID | None,
                   field_ids: Sequence[uuid.UUID]) -> None:
    workspace.execute(ReorderCustomFields(ticket_type_id=ticket_type_id,
                                          field_ids=tuple(field_ids)), actor_id)


# --- A field as the editor holds it -------------------------------------------------------


@dataclass(frozen=True)
class FieldDraft:
    """One field's definition as typed; ``id`` is the new field's id too (client-made),
    so the preview keeps what was chosen for it across rebuilds and saving."""

    id: uuid.UUID
    ticket_type_id: uuid.UUID | None
    label: str
    kind: FieldKind
    required: bool = False
    show_in_list: bool = False
    help_text: str = ""
    #: A combo's options or a first-level linked field's values: one per line or the
    #: manual's comma list.
    options_text: str = ""
    parent_field_id: uuid.UUID | None = None
    #: A child linked field's values in the manual's ``Parent|Child`` form.
    linked_text: str = ""
    numeric_min_text: str = ""
    numeric_max_text: str = ""

    @property
    def is_child(self) -> bool:
        return self.kind is FieldKind.LINKED and self.parent_field_id is not None

    @property
    def has_options(self) -> bool:
        return self.kind is FieldKind.COMBO or (self.kind is FieldKind.LINKED
                                                and self.parent_field_id is None)

    def command(self, before: FieldDefinition | None) -> FieldCommand:
        """The command saving this draft: AddCustomField for a new field (``before``
        None), else the whole new definition. Raises a DomainError naming the input for
        what cannot even be read (a bound that is no number, an entry without ``|``)."""
        options = (tuple(normalise_options(parse_combo_options(self.options_text)))
                   if self.has_options else ())
        linked = tuple(parse_linked_values(self.linked_text)) if self.is_child else ()
        numeric = self.kind is FieldKind.NUMERIC
        low = _bound(self.numeric_min_text, "minimum", "numeric_min") if numeric else None
        high = _bound(self.numeric_max_text, "maximum", "numeric_max") if numeric else None
        values: dict[str, Any] = {
            "label": self.label, "kind": self.kind.value, "required": self.required,
            "show_in_list": self.show_in_list, "help_text": self.help_text,
            "options": options,
            "parent_field_id": self.parent_field_id if self.kind is FieldKind.LINKED else None,
            "linked_values": linked, "numeric_min": low, "numeric_max": high}
        if before is None:
            return AddCustomField(field_id=self.id, ticket_type_id=self.ticket_type_id,
                                  **values)
        return before.update(**values)

    def spec(self) -> CustomFieldSpec:
        """The field as the preview shows it now: what cannot be read yet is left out."""
        options = tuple(normalise_options(parse_combo_options(self.options_text))
                        ) if self.has_options else ()
        return CustomFieldSpec(
            id=self.id, label=self.label.strip() or "(no label yet)", kind=self.kind,
            required=self.required, help_text=self.help_text.strip(),
            show_in_list=self.show_in_list, options=options,
            parent_field_id=self.parent_field_id if self.is_child else None,
            linked_values=lenient_pairs(self.linked_text) if self.is_child else (),
            numeric_min=_lenient_bound(self.numeric_min_text),
            numeric_max=_lenient_bound(self.numeric_max_text))


def draft_of(definition: FieldDefinition) -> FieldDraft:
    """A stored field as the editor starts from it (combo options one per line)."""
    return FieldDraft(
        id=definition.id, ticket_type_id=definition.ticket_type_id, label=definition.label,
        kind=definition.kind, required=definition.required,
        show_in_list=definition.show_in_list, help_text=definition.help_text,
        options_text=options_text(definition.options),
        parent_field_id=definition.parent_field_id,
        linked_text=linked_text(definition.linked_values),
        numeric_min_text=_bound_text(definition.numeric_min),
        numeric_max_text=_bound_text(definition.numeric_max))


def spec_of_definition(definition: FieldDefinition) -> CustomFieldSpec:
    return CustomFieldSpec(
        id=definition.id, label=definition.label, kind=definition.kind,
        required=definition.required, help_text=definition.help_text,
        show_in_list=definition.show_in_list, options=definition.options,
        parent_field_id=definition.parent_field_id, linked_values=definition.linked_values,
        numeric_min=definition.numeric_min, numeric_max=definition.numeric_max)


def preview_specs(design: TypeDesign, draft: FieldDraft | None) -> tuple[CustomFieldSpec, ...]:
    """The type's form as it will look: its stored fields with ``draft`` in place of the
    one it edits (a new field after the others of its list)."""
    specs = []
    placed = False
    for definition in design.fields:
        if draft is not None and definition.id == draft.id:
            specs.append(draft.spec())
            placed = True
        else:
            specs.append(spec_of_definition(definition))
    if draft is not None and not placed:
        specs.append(draft.spec())
    return tuple(specs)


def values_of(definition: FieldDefinition) -> tuple[str, ...]:
    """What a linked field offers its children as parent values (each once)."""
    if definition.parent_field_id is None:
        return tuple(o for o in definition.options if o)
    return tuple(dict.fromkeys(child for _, child in definition.linked_values))


def options_text(options: Sequence[str]) -> str:
    """Options one per line; a leading empty option is a blank first line (and a lone
    option holding a comma ends with a newline, so it is not read as a comma list)."""
    text = "\n".join(options)
    return f"{text}\n" if len(options) == 1 and "," in text else text


def linked_text(pairs: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"{parent}|{child}" for parent, child in pairs)


def lenient_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """The ``Parent|Child`` entries that read as such (the preview, while typing)."""
    pairs = []
    for entry in text.replace("\n", ",").split(","):
        parent, sep, child = entry.partition("|")
        if sep and parent.strip() and child.strip():
            pairs.append((parent.strip(), child.strip()))
    return tuple(pairs)


def _bound(text: str, what: str, field: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise DomainError(VALIDATION, f"The {what} is a number, not '{text.strip()}'.", field)
    return value


def _lenient_bound(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _bound_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
