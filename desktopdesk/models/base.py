"""Declarative base, column types and the mixin every replicated row carries."""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from sqlalchemy import DateTime, Integer, MetaData, String, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator
from uuid_utils.compat import uuid7

from desktopdesk.models.codes import Priority, Resolution, SlaType, Status

# Stable constraint names so Alembic batch migrations on SQLite can find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: While a command is applied, ids of the rows it creates come from here (see below).
_derived_ids: ContextVar[Iterator[uuid.UUID] | None] = ContextVar("derived_ids", default=None)


def new_id() -> uuid.UUID:
    """A new row id: time-ordered UUIDv7, or derived from the command being applied.

    Rows a command creates without an id of its own (history events, custom values,
    automatic workunits) get ``uuid5(command_id, n)`` in creation order, so the server
    replaying a command makes exactly the rows the desktop made.
    """
    derived = _derived_ids.get()
    return next(derived) if derived is not None else uuid7()


@contextmanager
def ids_derived_from(command_id: uuid.UUID) -> Iterator[None]:
    token = _derived_ids.set(uuid.uuid5(command_id, str(n)) for n in itertools.count())
    try:
        yield
    finally:
        _derived_ids.reset(token)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no zone, so we pin it here."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


E = TypeVar("E", bound=enum.IntEnum)


class IntCode(TypeDecorator[E], Generic[E]):
    """An IntEnum stored as its number, so the database holds Integria's codes."""

    impl = Integer
    cache_ok = True

    def __init__(self, enum_type: type[E], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enum_type = enum_type

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value)

    def process_result_value(self, value: int | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_type(value)


S = TypeVar("S", bound=enum.StrEnum)


class StrCode(TypeDecorator[S], Generic[S]):
    """A StrEnum stored as its text, loaded back as the enum (not a bare str)."""

    impl = String
    cache_ok = True

    def __init__(self, enum_type: type[S], length: int) -> None:
        super().__init__(length)
        self.enum_type = enum_type

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> S | None:
        return None if value is None else self.enum_type(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        uuid.UUID: Uuid(),
        dt.datetime: UTCDateTime(),
        Status: IntCode(Status),
        Priority: IntCode(Priority),
        Resolution: IntCode(Resolution),
        SlaType: IntCode(SlaType),
    }


class Replicated:
    """Columns of every row that travels between desktop and server.

    ``version`` is stamped by the authority (the server, or the local store when it
    works standalone) from its change sequence; it stays NULL for rows created on a
    replica and not yet accepted.
    """

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    #: Indexed: every pull asks "what changed since version n", table by table.
    version: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
