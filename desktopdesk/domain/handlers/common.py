"""Small checks shared by the handlers."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from desktopdesk.domain.apply import Action
from desktopdesk.domain.errors import LOCKED, VALIDATION, DomainError
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.models import Base, Ticket, User

M = TypeVar("M", bound=Base)


def require_row(session: Session, model: type[M], row_id: uuid.UUID | None, what: str,
                field: str) -> M:
    row = session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise DomainError(VALIDATION, f"Unknown {what}.", field)
    return row


def require_text(value: str, label: str, field: str, max_length: int) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise DomainError(VALIDATION, f"{label} cannot be empty.", field)
    if len(cleaned) > max_length:
        raise DomainError(
            VALIDATION, f"{label} is too long ({len(cleaned)} characters, at most {max_length}).",
            field,
        )
    return cleaned


def require_unlocked(ticket: Ticket) -> None:
    if ticket.locked:
        raise DomainError(
            LOCKED, f"Ticket {ticket_label(ticket)} is locked; a manager must unlock it first."
        )


def require_active_user(session: Session, user_id: uuid.UUID | None, field: str) -> User:
    user = require_row(session, User, user_id, "user", field)
    if not user.enabled:
        raise DomainError(VALIDATION, f"User '{user.username}' is disabled.", field)
    return user


def normalise_emails(emails: tuple[str, ...], field: str) -> list[str]:
    clean: list[str] = []
    for raw in emails:
        address = raw.strip()
        if not address:
            continue
        try:
            normalised = validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise DomainError(VALIDATION, f"'{address}' is not an e-mail address: {exc}",
                              field) from None
        if normalised.casefold() not in (e.casefold() for e in clean):
            clean.append(normalised)
    return clean


def ticket_label(ticket: Ticket) -> str:
    return ticket_number_label(ticket.number, ticket.provisional_number)


def touch(action: Action, ticket: Ticket) -> None:
    ticket.updated_at = action.now


def require_new_id(session: Session, model: type[M], row_id: uuid.UUID, what: str,
                   field: str) -> None:
    """Client-made ids must be new: a clash is a bug or a replay, never an overwrite."""
    if session.get(model, row_id) is not None:
        raise DomainError(VALIDATION, f"A {what} with this id already exists.", field)


def as_text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise DomainError(VALIDATION, f"'{field}' must be text.", field)
    return value


def as_integer(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(VALIDATION, f"'{field}' must be a whole number.", field)
    return value


def as_uuid(value: Any, field: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise DomainError(VALIDATION, f"'{field}' must be an id.", field) from None
