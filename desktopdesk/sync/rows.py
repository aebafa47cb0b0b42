"""Replicated rows as JSON, for pull pages: what the server sends and the client stores.

Every replicated model (those with the ``Replicated`` mixin) is an *entity* named by its
table. A row travels as a flat JSON object of its columns; the receiver upserts it when
its version is newer than what it holds, so re-applying a page is harmless.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import uuid
from collections.abc import Callable, Iterable
from typing import Any, cast

from sqlalchemy import Table, inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.sql.elements import NamedColumn
from sqlalchemy.types import TypeDecorator, Uuid

from desktopdesk.models import Base, Replicated
from desktopdesk.models.base import UTCDateTime


def replicated_models() -> dict[str, type[Replicated]]:
    """Entity name (the table) -> model, for every replicated model."""
    found: dict[str, type[Replicated]] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if issubclass(cls, Replicated):
            found[_table_name(mapper)] = cls
    return found


def _table_name(mapper: Mapper[Any]) -> str:
    return cast(Table, mapper.local_table).name


def entity_of(row: Replicated) -> str:
    return _table_name(inspect(type(row)))


def _columns(model: type[Replicated]) -> list[tuple[str, NamedColumn[Any]]]:
    mapper: Mapper[Any] = inspect(model)
    return [(attr.key, attr.columns[0]) for attr in mapper.column_attrs]


def row_to_json(row: Replicated) -> dict[str, Any]:
    """All columns, JSON-ready: UUIDs and datetimes as strings, enums as their values."""
    out: dict[str, Any] = {}
    for key, _column in _columns(type(row)):
        out[key] = encode_value(getattr(row, key))
    return out


def encode_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


#: Turns one stored value into its JSON form (None stays None).
Encoder = Callable[[Any], Any]
#: Turns one JSON value back into the column's Python value (None stays None).
Decoder = Callable[[Any], Any]


def _uuid_text(value: uuid.UUID) -> str:
    return str(value)


def _utc_text(value: dt.datetime) -> str:
    # Stored values load as UTC already (UTCDateTime): convert only what is not.
    return (value if value.tzinfo is dt.UTC else value.astimezone(dt.UTC)).isoformat()


def _enum_value(value: enum.Enum) -> Any:
    return value.value


def _utc_datetime(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC)


def _encoder_for(column: NamedColumn[Any]) -> Encoder | None:
    column_type = column.type
    if isinstance(column_type, Uuid):
        return _uuid_text
    if isinstance(column_type, UTCDateTime):
        return _utc_text
    if isinstance(column_type, TypeDecorator) and hasattr(column_type, "enum_type"):
        return _enum_value
    return None


def _decoder_for(column: NamedColumn[Any]) -> Decoder | None:
    column_type = column.type
    if isinstance(column_type, Uuid):
        return uuid.UUID
    if isinstance(column_type, UTCDateTime):
        return _utc_datetime
    if isinstance(column_type, TypeDecorator) and hasattr(column_type, "enum_type"):
        return cast(Decoder, column_type.enum_type)
    return None


@functools.cache
def _encoders(entity: str) -> dict[str, Encoder | None]:
    """Per column of ``entity``, how its values become JSON: worked out once per table,
    not per value (a first pull encodes millions of values)."""
    model = replicated_models()[entity]
    return {key: _encoder_for(column) for key, column in _columns(model)}


@functools.cache
def _decoders(entity: str) -> dict[str, Decoder | None]:
    model = replicated_models()[entity]
    return {key: _decoder_for(column) for key, column in _columns(model)}


def encode_row(entity: str, values: dict[str, Any]) -> dict[str, Any]:
    """A row of ``entity`` as plain column values (from a Core select) made JSON-ready;
    the same form as :func:`row_to_json`."""
    encoders = _encoders(entity)
    out: dict[str, Any] = {}
    for key, value in values.items():
        encoder = encoders[key]
        out[key] = value if value is None or encoder is None else encoder(value)
    return out


def row_from_json(model: type[Replicated], data: dict[str, Any]) -> dict[str, Any]:
    """Column values for ``model`` from a JSON row; unknown keys are refused, not dropped."""
    decoders = _decoders(cast(Table, model.__table__).name)  # type: ignore[attr-defined]
    out: dict[str, Any] = {}
    for key, value in data.items():
        try:
            decoder = decoders[key]
        except KeyError:
            raise ValueError(f"{model.__name__} has no column {key!r}") from None
        out[key] = value if value is None or decoder is None else decoder(value)
    return out


def upsert(session: Session, entity: str, data: dict[str, Any]) -> bool:
    """Store a row unless what we hold is as new or newer; True when it was written."""
    model = replicated_models().get(entity)
    if model is None:
        raise ValueError(f"unknown entity {entity!r}")
    values = row_from_json(model, data)
    held = session.get(model, values["id"])
    if held is None:
        session.add(model(**values))
        return True
    incoming = values.get("version")
    if held.version is not None and (incoming is None or incoming <= held.version):
        return False
    for key, value in values.items():
        setattr(held, key, value)
    return True


def rows_to_json(rows: Iterable[Replicated]) -> list[dict[str, Any]]:
    return [{"entity": entity_of(row), "row": row_to_json(row)} for row in rows]
