"""Alembic environment: always run from code (``desktopdesk.store.migrate``) with a connection."""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.types import TypeDecorator

from desktopdesk.domain.ticket_search import is_search_index_table
from desktopdesk.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through desktopdesk.store.migrate (it passes a connection)")



def _render_item(type_: str, obj: Any, _autogen: AutogenContext) -> str | bool:
    """Write our column types as their plain SQL type: migrations must not import models."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Autogenerate leaves the FTS5 tables (migration 0006) alone: no model has them."""
    return not (type_ == "table" and name is not None and is_search_index_table(name))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_name=_include_name,
    render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move tables instead
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
