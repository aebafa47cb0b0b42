"""Custom fields: which fields a ticket type has, and whether a value fits its field.

Linked fields cascade: a child's allowed values depend on the value its parent field holds
on the same ticket (``Laptop|HP`` offers HP only once "Laptop" is chosen); chains go to
any depth.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.models import CustomField, FieldKind

MAX_TEXT = 2000
MAX_TEXTAREA = 65535
CHECKBOX_VALUES = ("0", "1")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def fields_for_type(session: Session, ticket_type_id: uuid.UUID | None) -> list[CustomField]:
    """Global fields first, then the type's own, each in their display order."""
    condition: ColumnElement[bool] = CustomField.ticket_type_id.is_(None)
    if ticket_type_id is not None:
        condition = or_(condition, CustomField.ticket_type_id == ticket_type_id)
    rows = session.scalars(select(CustomField).where(condition)).all()
    return sorted(rows, key=lambda f: (f.ticket_type_id is not None, f.position, f.label))


def parse_combo_options(text: str) -> list[str]:
    """The manual's comma list (``,Yes,No`` starts with an empty option) or one per line."""
    separator = "\n" if "\n" in text else ","
    return [part.strip() for part in text.split(separator)]


def parse_linked_values(text: str) -> list[tuple[str, str]]:
    """The manual's ``Laptop|HP,Laptop|Lenovo,...`` form into (parent, child) pairs."""
    pairs = []
    for entry in text.replace("\n", ",").split(","):
        if not entry.strip():
            continue
        parent, sep, child = entry.partition("|")
        if not sep:
            raise DomainError(
                VALIDATION, f"Linked value '{entry.strip()}' needs the form Parent|Child.", "linked"
            )
        pairs.append((parent.strip(), child.strip()))
    return pairs


def linked_choices(field: CustomField, parent_value: str | None) -> list[str]:
    """Values a linked field offers given its parent's current value."""
    if field.parent_field_id is None:
        return [o for o in field.options if o]
    if not parent_value:
        return []
    return [child for parent, child in field.linked_values if parent == parent_value]


def validate_values(
    fields: Sequence[CustomField],
    values: Mapping[uuid.UUID, str],
    enforce_required: Collection[uuid.UUID] | None = None,
) -> dict[uuid.UUID, str]:
    """Check a ticket's complete set of values against its fields.

    ``values`` is the state after the change (old values merged with new ones). Returns
    the normalised values to store; raises naming the first field at fault.
    ``enforce_required`` limits the "required" check to those fields (None: all), so a
    required field added later does not block every edit of older tickets; it still
    cannot be emptied once touched.
    """
    by_id = {f.id: f for f in fields}
    for field_id in values:
        if field_id not in by_id:
            raise DomainError(
                VALIDATION, "A custom field value was given for a field this type lacks.",
                f"custom:{field_id}",
            )
    clean: dict[uuid.UUID, str] = {}
    for field in _parents_first(fields):
        raw = (values.get(field.id) or "").strip()
        if not raw:
            if field.required and (enforce_required is None or field.id in enforce_required):
                raise DomainError(VALIDATION, f"'{field.label}' is required.", _key(field))
            clean[field.id] = ""
            continue
        parent_value = clean.get(field.parent_field_id) if field.parent_field_id else None
        clean[field.id] = _check_value(field, raw, parent_value)
    return clean


def _parents_first(fields: Iterable[CustomField]) -> list[CustomField]:
    ordered: list[CustomField] = []
    pending = list(fields)
    placed: set[uuid.UUID] = set()
    known = {f.id for f in pending}
    while pending:
        progressed = False
        for field in list(pending):
            parent = field.parent_field_id
            if parent is None or parent in placed or parent not in known:
                ordered.append(field)
                placed.add(field.id)
                pending.remove(field)
                progressed = True
        if not progressed:  # a cycle cannot be stored, but never loop forever
            ordered.extend(pending)
            break
    return ordered


def _key(field: CustomField) -> str:
    return f"custom:{field.id}"


def _check_value(field: CustomField, raw: str, parent_value: str | None) -> str:
    kind = FieldKind(field.kind)
    if kind is FieldKind.TEXT:
        if len(raw) > MAX_TEXT or "\n" in raw:
            raise DomainError(
                VALIDATION, f"'{field.label}' takes one line of at most {MAX_TEXT} characters.",
                _key(field),
            )
        return raw
    if kind is FieldKind.TEXTAREA:
        if len(raw) > MAX_TEXTAREA:
            raise DomainError(VALIDATION, f"'{field.label}' is too long.", _key(field))
        return raw
    if kind is FieldKind.NUMERIC:
        return _check_number(field, raw)
    if kind is FieldKind.DATE:
        try:
            # fromisoformat alone (3.11+) also takes "20260228" and week dates "2026-W09-6".
            if not _DATE.fullmatch(raw):
                raise ValueError(raw)
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise DomainError(
                VALIDATION, f"'{field.label}' needs a date as YYYY-MM-DD, not '{raw}'.",
                _key(field),
            ) from None
    if kind is FieldKind.CHECKBOX:
        if raw not in CHECKBOX_VALUES:
            raise DomainError(
                VALIDATION, f"'{field.label}' is a checkbox: 1 (checked) or 0.", _key(field)
            )
        return raw
    if kind is FieldKind.COMBO:
        if raw not in field.options:
            raise DomainError(
                VALIDATION, f"'{raw}' is not one of the options of '{field.label}'.", _key(field)
            )
        return raw
    # Linked.
    choices = linked_choices(field, parent_value)
    if raw not in choices:
        if field.parent_field_id is not None and not parent_value:
            message = f"'{field.label}' cannot be set before the field it depends on."
        elif field.parent_field_id is not None:
            message = f"'{raw}' is not a valid '{field.label}' for '{parent_value}'."
        else:
            message = f"'{raw}' is not one of the values of '{field.label}'."
        raise DomainError(VALIDATION, message, _key(field))
    return raw


def _check_number(field: CustomField, raw: str) -> str:
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise DomainError(VALIDATION, f"'{field.label}' needs a number, not '{raw}'.", _key(field))
    if field.numeric_min is not None and number < field.numeric_min:
        raise DomainError(
            VALIDATION, f"'{field.label}' must be at least {field.numeric_min:g}.", _key(field)
        )
    if field.numeric_max is not None and number > field.numeric_max:
        raise DomainError(
            VALIDATION, f"'{field.label}' must be at most {field.numeric_max:g}.", _key(field)
        )
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def check_definition(
    session: Session,
    *,
    field_id: uuid.UUID,
    ticket_type_id: uuid.UUID | None,
    label: str,
    kind: str,
    options: Sequence[str],
    parent_field_id: uuid.UUID | None,
    linked_values: Sequence[tuple[str, str]],
    numeric_min: float | None,
    numeric_max: float | None,
) -> None:
    """Refuse a bad field definition, naming the problem."""
    if not label.strip():
        raise DomainError(VALIDATION, "A field needs a label.", "label")
    try:
        field_kind = FieldKind(kind)
    except ValueError:
        kinds = ", ".join(k.value for k in FieldKind)
        raise DomainError(VALIDATION, f"Unknown field kind '{kind}' (use {kinds}).",
                          "kind") from None
    siblings = fields_for_type(session, ticket_type_id)
    if ticket_type_id is None:  # a global label must not clash with any type's label
        siblings = list(session.scalars(select(CustomField)))
    if any(f.label.casefold() == label.strip().casefold() for f in siblings):
        raise DomainError(VALIDATION, f"There is already a field labelled '{label}'.", "label")
    if field_kind is FieldKind.COMBO and not any(o.strip() for o in options):
        raise DomainError(VALIDATION, f"Combo '{label}' needs at least one option.", "options")
    if (
        field_kind is FieldKind.NUMERIC
        and numeric_min is not None
        and numeric_max is not None
        and numeric_min > numeric_max
    ):
        raise DomainError(VALIDATION, "The minimum is above the maximum.", "numeric_min")
    if field_kind is not FieldKind.LINKED:
        if parent_field_id is not None:
            raise DomainError(VALIDATION, "Only linked fields have a parent field.", "parent")
        return
    if parent_field_id is None:
        if not any(o.strip() for o in options):
            raise DomainError(VALIDATION, f"Linked field '{label}' needs values.", "options")
        return
    parent = session.get(CustomField, parent_field_id)
    if parent is None or parent.kind != FieldKind.LINKED:
        raise DomainError(VALIDATION, "The parent of a linked field must be a linked field.",
                          "parent")
    if parent.ticket_type_id != ticket_type_id:
        raise DomainError(VALIDATION, "A linked field's parent must belong to the same type.",
                          "parent")
    if parent_field_id == field_id:
        raise DomainError(VALIDATION, "A field cannot be its own parent.", "parent")
    if not linked_values:
        raise DomainError(VALIDATION, f"Linked field '{label}' needs Parent|Child values.",
                          "linked")
    parent_values = set(_all_values(parent))
    for parent_value, child in linked_values:
        if parent_value not in parent_values:
            raise DomainError(
                VALIDATION,
                f"'{parent_value}|{child}': '{parent_value}' is not a value of '{parent.label}'.",
                "linked",
            )


def _all_values(field: CustomField) -> list[str]:
    if field.parent_field_id is None:
        return list(field.options)
    return [child for _, child in field.linked_values]
