"""Small helpers the domain tests share: run a command, expect a refusal, read rows back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktopdesk.domain.commands import Command, CreateTicket
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import (
    CommandLogEntry,
    Counter,
    CustomFieldValue,
    HistoryEvent,
    Ticket,
    Workunit,
)
from tests.conftest import Org


def new_ticket(org: Org, actor: uuid.UUID, group: uuid.UUID | None = None, *,
               at: dt.datetime | None = None, **kwargs: Any) -> uuid.UUID:
    """File a ticket and return its id (the Acme group unless told otherwise)."""
    kwargs.setdefault("title", "Printer on fire")
    result = org.do(CreateTicket(group_id=group or org.acme_group, **kwargs), actor, at=at)
    assert result.created_id is not None
    return result.created_id


def refused(org: Org, command: Command, actor: uuid.UUID, code: str) -> DomainError:
    """Apply ``command`` expecting a refusal with ``code``; the error, for more checks."""
    with pytest.raises(DomainError) as info:
        org.do(command, actor)
    assert info.value.code == code, info.value
    return info.value


@contextmanager
def reading(org: Org) -> Iterator[Session]:
    with org.ws.read() as session:
        yield session


def ticket(org: Org, ticket_id: uuid.UUID) -> Ticket:
    with reading(org) as session:
        row = session.get(Ticket, ticket_id)
        assert row is not None
        return row


def history(org: Org, ticket_id: uuid.UUID, kind: str | None = None) -> list[HistoryEvent]:
    """A ticket's events in the order their commands were applied (times may tie)."""
    with reading(org) as session:
        query = (
            select(HistoryEvent)
            .outerjoin(CommandLogEntry, CommandLogEntry.command_id == HistoryEvent.command_id)
            .where(HistoryEvent.ticket_id == ticket_id)
        )
        if kind is not None:
            query = query.where(HistoryEvent.kind == kind)
        return list(session.scalars(query.order_by(CommandLogEntry.seq, HistoryEvent.id)))


def custom_values(org: Org, ticket_id: uuid.UUID) -> dict[uuid.UUID, str]:
    with reading(org) as session:
        rows = session.scalars(
            select(CustomFieldValue).where(CustomFieldValue.ticket_id == ticket_id)
        )
        return {row.field_id: row.value for row in rows}


def workunits(org: Org, ticket_id: uuid.UUID) -> list[Workunit]:
    with reading(org) as session:
        return list(session.scalars(select(Workunit).where(Workunit.ticket_id == ticket_id)))


def snapshot(org: Org) -> dict[str, Any]:
    """Row counts and counters: what a refused command must leave untouched."""
    with reading(org) as session:
        def count(model: type) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        return {
            "tickets": count(Ticket),
            "history": count(HistoryEvent),
            "workunits": count(Workunit),
            "custom_values": count(CustomFieldValue),
            "command_log": count(CommandLogEntry),
            "counters": {c.name: c.value for c in session.scalars(select(Counter))},
        }
