"""Who took part in a ticket and in which role, derived from the ticket and its history."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.models import HistoryEvent, Ticket

ROLE_ORDER = ("creator", "owner", "editor", "participant")


@dataclass(frozen=True)
class Contact:
    user_id: uuid.UUID
    roles: tuple[str, ...]


def ticket_contacts(session: Session, ticket: Ticket, *,
                    seen_actors: Iterable[uuid.UUID] | None = None) -> list[Contact]:
    """Creator, owner, editor, then everyone who changed or commented on the ticket.

    Anyone already holding a named role is not listed again as a participant. People
    are in the order they first appeared.

    ``seen_actors`` are the people behind the history a reader is shown, oldest first:
    given, they are the only participants, so that someone whose only part was work the
    reader may not see (a private or internal workunit, a file on one) stays unnamed.
    None: everyone in the ticket's history, for callers who may see all of it.
    """
    roles: dict[uuid.UUID, list[str]] = {}

    def add(user_id: uuid.UUID, role: str) -> None:
        held = roles.setdefault(user_id, [])
        if role not in held:
            held.append(role)

    add(ticket.creator_id, "creator")
    add(ticket.owner_id, "owner")
    add(ticket.editor_id, "editor")
    # Every workunit writes a history event by its author, so history alone suffices.
    actors = seen_actors if seen_actors is not None else session.scalars(
        select(HistoryEvent.actor_id)
        .where(HistoryEvent.ticket_id == ticket.id)
        .order_by(HistoryEvent.at)
    )
    for actor_id in actors:
        if actor_id not in roles:
            add(actor_id, "participant")
    return [
        Contact(user_id, tuple(sorted(held, key=ROLE_ORDER.index)))
        for user_id, held in roles.items()
    ]
