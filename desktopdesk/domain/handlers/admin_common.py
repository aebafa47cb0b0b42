"""Checks the administration handlers share."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from desktopdesk.domain.apply import Action
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.models import Base


def require_unique(action: Action, model: type[Base], column: Any, value: str, what: str,
                   field: str, *, except_id: uuid.UUID | None = None) -> None:
    """No other row of ``model`` is called ``value`` (ignoring case); ``except_id`` is the
    row being renamed, which may keep its own name in another case."""
    query = select(func.count()).select_from(model).where(func.lower(column) == value.lower())
    if except_id is not None:
        query = query.where(model.id != except_id)  # type: ignore[attr-defined]
    if action.session.scalar(query):
        raise DomainError(VALIDATION, f"There is already a {what} called '{value}'.", field)


def tickets_phrase(count: int) -> str:
    """"1 ticket", "12 tickets": counts in refusals read as people say them."""
    return f"{count} ticket" if count == 1 else f"{count} tickets"
