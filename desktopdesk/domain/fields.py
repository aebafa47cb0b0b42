"""Custom fields: which fields a ticket type has, and whether a value fits its field.

Linked fields cascade: a child's allowed values depend on the value its parent field holds
on the same ticket (``Laptop|HP`` offers HP only once "Laptop" is chosen); chains go to
any depth.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.models import CustomField, CustomFieldValue, FieldKind

MAX_TEXT = 2000
MAX_LABEL = 100
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


def normalise_options(options: Iterable[str]) -> list[str]:
    """Options as stored: trimmed, blank lines dropped except a leading empty option (the
    manual's ``,Yes,No``: "no choice yet"), so a trailing newline adds nothing."""
    cleaned = [option.strip() for option in options]
    leading_empty = bool(cleaned) and not cleaned[0]
    kept = [option for option in cleaned if option]
    return ["", *kept] if leading_empty and kept else kept


def normalise_linked_values(pairs: Iterable[Sequence[str]]) -> list[tuple[str, str]]:
    return [(parent.strip(), child.strip()) for parent, child in pairs]


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
    """Refuse a bad field definition, naming the problem.

    Used for new fields and changed ones alike (``field_id`` is then the field itself:
    its own label is no clash, and its linked children must still fit its values).
    """
    if not label.strip():
        raise DomainError(VALIDATION, "A field needs a label.", "label")
    if len(label.strip()) > MAX_LABEL:
        raise DomainError(VALIDATION, f"A label has at most {MAX_LABEL} characters.", "label")
    try:
        field_kind = FieldKind(kind)
    except ValueError:
        kinds = ", ".join(k.value for k in FieldKind)
        raise DomainError(VALIDATION, f"Unknown field kind '{kind}' (use {kinds}).",
                          "kind") from None
    siblings = fields_for_type(session, ticket_type_id)
    if ticket_type_id is None:  # a global label must not clash with any type's label
        siblings = list(session.scalars(select(CustomField)))
    if any(f.label.casefold() == label.strip().casefold() and f.id != field_id
           for f in siblings):
        raise DomainError(VALIDATION, f"There is already a field labelled '{label}'.", "label")
    if field_kind is FieldKind.COMBO and not any(o.strip() for o in options):
        raise DomainError(VALIDATION, f"Combo '{label}' needs at least one option.", "options")
    if field_kind is FieldKind.COMBO or (field_kind is FieldKind.LINKED
                                         and parent_field_id is None):
        _check_repeats(options)
    if field_kind is FieldKind.NUMERIC:
        for bound, key in ((numeric_min, "numeric_min"), (numeric_max, "numeric_max")):
            if bound is not None and not math.isfinite(bound):
                raise DomainError(VALIDATION, "A bound is a finite number.", key)
        if numeric_min is not None and numeric_max is not None and numeric_min > numeric_max:
            raise DomainError(VALIDATION, "The minimum is above the maximum.", "numeric_min")
    if field_kind is not FieldKind.LINKED:
        if parent_field_id is not None:
            raise DomainError(VALIDATION, "Only linked fields have a parent field.", "parent")
    elif parent_field_id is None:
        if not any(o.strip() for o in options):
            raise DomainError(VALIDATION, f"Linked field '{label}' needs values.", "options")
    else:
        _check_linked_child(session, field_id, ticket_type_id, label, parent_field_id,
                            linked_values)
    _check_children_fit(session, field_id, label, field_kind, options, parent_field_id,
                        linked_values)


def _check_linked_child(session: Session, field_id: uuid.UUID,
                        ticket_type_id: uuid.UUID | None, label: str,
                        parent_field_id: uuid.UUID,
                        linked_values: Sequence[tuple[str, str]]) -> None:
    if parent_field_id == field_id:
        raise DomainError(VALIDATION, "A field cannot be its own parent.", "parent")
    parent = session.get(CustomField, parent_field_id)
    if parent is None or parent.kind != FieldKind.LINKED:
        raise DomainError(VALIDATION, "The parent of a linked field must be a linked field.",
                          "parent")
    if parent.ticket_type_id != ticket_type_id:
        raise DomainError(VALIDATION, "A linked field's parent must belong to the same type.",
                          "parent")
    _check_no_cycle(session, field_id, label, parent)
    if not linked_values:
        raise DomainError(VALIDATION, f"Linked field '{label}' needs Parent|Child values.",
                          "linked")
    parent_values = set(_all_values(parent))
    seen: set[tuple[str, str]] = set()
    for parent_value, child in linked_values:
        if not parent_value or not child:
            raise DomainError(VALIDATION, f"'{parent_value}|{child}' needs a value on each "
                                          "side of '|'.", "linked")
        if (parent_value, child) in seen:
            raise DomainError(VALIDATION, f"'{parent_value}|{child}' is listed twice.",
                              "linked")
        seen.add((parent_value, child))
        if parent_value not in parent_values:
            raise DomainError(
                VALIDATION,
                f"'{parent_value}|{child}': '{parent_value}' is not a value of '{parent.label}'.",
                "linked",
            )


def _check_repeats(options: Sequence[str]) -> None:
    seen: set[str] = set()
    for option in options:
        if option in seen:
            raise DomainError(VALIDATION, f"Option '{option}' is listed twice.", "options")
        seen.add(option)


def _check_no_cycle(session: Session, field_id: uuid.UUID, label: str,
                    parent: CustomField) -> None:
    """Walk up from the new parent: meeting the field itself would close a loop."""
    parents = {fid: pid for fid, pid in session.execute(
        select(CustomField.id, CustomField.parent_field_id).where(
            CustomField.ticket_type_id.is_(None) if parent.ticket_type_id is None
            else CustomField.ticket_type_id == parent.ticket_type_id))}
    node: uuid.UUID | None = parent.id
    seen: set[uuid.UUID] = set()
    while node is not None and node not in seen:
        if node == field_id:
            raise DomainError(VALIDATION, f"'{label}' cannot depend on '{parent.label}': "
                                          f"'{parent.label}' already depends on '{label}'.",
                              "parent")
        seen.add(node)
        node = parents.get(node)


def children_of(session: Session, field_id: uuid.UUID) -> list[CustomField]:
    """Linked fields whose parent is ``field_id``, by label."""
    return list(session.scalars(select(CustomField).where(
        CustomField.parent_field_id == field_id).order_by(CustomField.label)))


def _check_children_fit(session: Session, field_id: uuid.UUID, label: str, kind: FieldKind,
                        options: Sequence[str], parent_field_id: uuid.UUID | None,
                        linked_values: Sequence[tuple[str, str]]) -> None:
    """A field other linked fields depend on must stay linked and keep every value their
    ``Parent|Child`` entries name."""
    children = children_of(session, field_id)
    if not children:
        return
    if kind is not FieldKind.LINKED:
        raise DomainError(VALIDATION, f"'{children[0].label}' depends on '{label}', so "
                                      f"'{label}' must stay a linked field.", "kind")
    offered = set(options) if parent_field_id is None else {c for _, c in linked_values}
    for child in children:
        for parent_value, child_value in child.linked_values:
            if parent_value not in offered:
                raise DomainError(
                    VALIDATION,
                    f"'{child.label}' has values under '{parent_value}' "
                    f"({parent_value}|{child_value}), which '{label}' would no longer offer.",
                    "options" if parent_field_id is None else "linked")


def _all_values(field: CustomField) -> list[str]:
    if field.parent_field_id is None:
        return list(field.options)
    return [child for _, child in field.linked_values]


@dataclass(frozen=True)
class HeldValues:
    """How the values tickets hold for a field fare under a (new) definition."""

    #: Tickets holding a value for the field.
    tickets: int = 0
    #: Of those, tickets whose value the definition would refuse.
    misfits: int = 0
    #: One refused value, and why (for the message).
    example: str = ""
    reason: str = ""
    #: Stored value -> the form the definition stores it in ("1.0" -> "1" as a number).
    rewrites: Mapping[str, str] = dataclasses.field(default_factory=dict)


def held_values_under(session: Session, candidate: CustomField) -> HeldValues:
    """Check every value tickets hold for ``candidate.id`` against ``candidate`` (a
    definition not yet stored), in one grouped query: distinct values (with the parent
    field's value on the same ticket, for a linked child) and how many tickets hold each.
    """
    value = aliased(CustomFieldValue)
    parent_value = aliased(CustomFieldValue)
    held = and_(value.field_id == candidate.id, value.value != "")
    linked_parent = (candidate.parent_field_id if candidate.kind == FieldKind.LINKED
                     else None)
    groups: list[tuple[str, str | None, int]]
    if linked_parent is not None:
        groups = [(raw, parent, count) for raw, parent, count in session.execute(
            select(value.value, parent_value.value, func.count())
            .outerjoin(parent_value, and_(parent_value.ticket_id == value.ticket_id,
                                          parent_value.field_id == linked_parent))
            .where(held).group_by(value.value, parent_value.value))]
    else:
        groups = [(raw, None, count) for raw, count in session.execute(
            select(value.value, func.count()).where(held).group_by(value.value))]
    tickets = misfits = 0
    example = reason = ""
    rewrites: dict[str, str] = {}
    for raw, held_parent, count in groups:
        tickets += count
        try:
            clean = _check_value(candidate, raw.strip(), held_parent or None)
        except DomainError as refusal:
            misfits += count
            if not example:
                example, reason = raw, refusal.message
            continue
        if clean != raw:
            rewrites[raw] = clean
    return HeldValues(tickets, misfits, example, reason, rewrites)


def value_counts(session: Session, field_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many tickets hold a value for each field (one grouped query; absent: none)."""
    if not field_ids:
        return {}
    rows = session.execute(
        select(CustomFieldValue.field_id, func.count())
        .where(CustomFieldValue.field_id.in_(list(field_ids)), CustomFieldValue.value != "")
        .group_by(CustomFieldValue.field_id))
    return {field_id: count for field_id, count in rows}
