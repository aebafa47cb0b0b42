"""Monotonic counters kept in the database, advanced inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktopdesk.models import Counter

CHANGE_SEQUENCE = "change_sequence"
TICKET_NUMBER = "ticket_number"
PROVISIONAL_TICKET_NUMBER = "provisional_ticket_number"
COMMAND_LOG = "command_log"


def next_value(session: Session, name: str) -> int:
    """Advance ``name`` and return its new value; rolled back with the transaction."""
    # Counters share no rows with pending ORM objects, so skip the costly autoflush.
    with session.no_autoflush:
        value = session.scalar(
            update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
            .returning(Counter.value)
        )
        if value is None:
            value = _first_value(session, name)
    return value


def _first_value(session: Session, name: str) -> int:
    """Create the counter; if a concurrent transaction just did, advance theirs instead."""
    try:
        with session.begin_nested():
            session.execute(insert(Counter).values(name=name, value=1))
        return 1
    except IntegrityError:
        value = session.scalar(
            update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
            .returning(Counter.value)
        )
        assert value is not None
        return value
