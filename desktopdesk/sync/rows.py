"""Replicated rows as JSON, for pull pages: what the server sends and the client stores.

Every replicated model (those with the ``Replicated`` mixin) is an *entity* named by its
table. A row travels as a flat JSON object of its columns; the receiver upserts it when
its version is newer than what it holds, so re-applying a page is harmless.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable
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


def _decode(column: NamedColumn[Any], value: Any) -> Any:
    if value is None:
        return None
    column_type = column.type
    if isinstance(column_type, Uuid):
        return uuid.UUID(value)
    if isinstance(column_type, UTCDateTime):
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    if isinstance(column_type, TypeDecorator) and hasattr(column_type, "enum_type"):
        return column_type.enum_type(value)
    return value


def row_from_json(model: type[Replicated], data: dict[str, Any]) -> dict[str, Any]:
    """Column values for ``model`` from a JSON row; unknown keys are refused, not dropped."""
    columns = dict(_columns(model))
    unknown = set(data) - set(columns)
    if unknown:
        raise ValueError(f"{model.__name__} has no column {sorted(unknown)[0]!r}")
    return {key: _decode(columns[key], value) for key, value in data.items()}


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
