"""The outbox: every command a replica applies locally, queued in the same transaction.

A command and its outbox row commit together or not at all, so nothing the user did
can be applied locally yet never reach the server. Mutation ids come from a counter in
the same transaction: strictly increasing, with no gap left by a refused command.
"""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain.apply import apply
from desktopdesk.domain.commands import Command
from desktopdesk.domain.context import ApplyContext, CommandResult
from desktopdesk.domain.counters import next_value
from desktopdesk.models import OutboxEntry, OutboxState
from desktopdesk.sync.flush_hooks import CAPTURE_SHADOWS

MUTATION_COUNTER = "outbox_mutation"


def apply_and_queue(
    session: Session, command: Command, actor_id: uuid.UUID, ctx: ApplyContext
) -> CommandResult:
    """Apply ``command`` on this replica and append it to the outbox (caller's transaction)."""
    mutation_id = next_value(session, MUTATION_COUNTER)
    result = apply_pending(session, command, actor_id, dataclasses.replace(
        ctx, is_authority=False, mutation_id=mutation_id))
    session.add(OutboxEntry(
        mutation_id=mutation_id,
        command_id=command.command_id,
        command_name=command.command_name,
        ticket_id=result.changed_ticket_ids[0] if result.changed_ticket_ids else None,
        payload=command.to_json(),
        created_at=ctx.now,
        state=OutboxState.PENDING,
    ))
    return result


def apply_pending(
    session: Session, command: Command, actor_id: uuid.UUID, ctx: ApplyContext
) -> CommandResult:
    """Apply a not-yet-accepted command, keeping undo shadows of the server rows it touches."""
    session.info[CAPTURE_SHADOWS] = True
    try:
        return apply(session, command, actor_id, ctx)
    finally:
        session.info.pop(CAPTURE_SHADOWS, None)


def pending(session: Session) -> list[OutboxEntry]:
    """Commands not yet answered by the server, in the order it must apply them."""
    return list(session.scalars(
        select(OutboxEntry).where(OutboxEntry.state == OutboxState.PENDING)
        .order_by(OutboxEntry.mutation_id)
    ))
