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
        raise DomainError(VALIDATION, f"There is already {indefinite_article(what)} {what} "
                                      f"called '{value}'.", field)


#: Letters whose names start with a vowel sound: "an SLA", "an FAQ", but "a CSV".
_VOWEL_SOUNDING_LETTERS = frozenset("AEFHILMNORSX")


def indefinite_article(noun: str) -> str:
    """"a" or "an" before ``noun``, read as a word or, in capitals, letter by letter."""
    first = noun[:1]
    if noun.isupper():
        return "an" if first in _VOWEL_SOUNDING_LETTERS else "a"
    return "an" if first.lower() in "aeiou" else "a"


def tickets_phrase(count: int) -> str:
    """"1 ticket", "12 tickets": counts in refusals read as people say them."""
    return f"{count} ticket" if count == 1 else f"{count} tickets"
