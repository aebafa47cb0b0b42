"""The outbox: every command a replica applies locally, queued in the same transaction.

A command and its outbox row commit together or not at all, so nothing the user did
can be applied locally yet never reach the server. Mutation ids come from a counter in
the same transaction: strictly increasing, with no gap left by a refused command.

Acknowledged commands stay a while after the server took them (sync.md: 30 days), so a
server restored from a backup can be sent them again (``sync.rebuild``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from desktopdesk.domain.apply import apply
from desktopdesk.domain.commands import Command
from desktopdesk.domain.context import ApplyContext, CommandResult
from desktopdesk.domain.counters import next_value
from desktopdesk.models import OutboxEntry, OutboxState, SyncConflict, SyncState, WorkspaceInfo
from desktopdesk.sync.flush_hooks import CAPTURE_SHADOWS

MUTATION_COUNTER = "outbox_mutation"
#: How long an acknowledged command is kept: a server restored from a backup at most
#: this old gets it again.
ACKED_KEPT_FOR = dt.timedelta(days=30)
#: How often the acknowledgement watermark is noted (see ``forget_old_acked``).
ACK_MARK_EVERY = dt.timedelta(days=2)
#: workspace_info key of the notes: ``"<unix seconds>:<mutation id>"``, space separated.
ACK_MARKS_KEY = "sync_acked_marks"
#: Enough for 30 days at one note per two days; beyond it the oldest notes go, which only
#: keeps rows longer.
MAX_ACK_MARKS = 20


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


def answered_up_to(session: Session) -> int:
    """The highest mutation id the server has answered, as far as this replica knows:
    a server that now reports less has lost some of our work (restored from a backup)."""
    highest = session.scalar(select(func.max(OutboxEntry.mutation_id))
                             .where(OutboxEntry.state != OutboxState.PENDING)) or 0
    state = session.get(SyncState, 1)
    return max(highest, state.last_acked_mutation_id if state is not None else 0)


def forget_old_acked(session: Session, now: dt.datetime) -> int:
    """Delete commands acknowledged at least ``ACKED_KEPT_FOR`` ago; how many went.

    The outbox knows when a command was made, not when the server took it, and a command
    made offline 40 days ago and acknowledged today must still be kept 30 days. The server
    answers mutations in id order, so the highest acknowledged id at a moment covers every
    acknowledgement up to then: each call notes ``(now, highest acked id)`` (at most every
    ``ACK_MARK_EVERY``), and acknowledged rows at or below the newest note that is old
    enough go. Pending and rejected rows always stay, and so does a row a conflict names.
    Call it at the end of a successful sync, in its own transaction.
    """
    marks = _read_marks(session)
    due = [mark for mark in marks if mark[0] <= now - ACKED_KEPT_FOR]
    forgotten = 0
    if due:
        _, up_to = due[-1]
        named = exists().where(SyncConflict.mutation_id == OutboxEntry.mutation_id)
        result = session.execute(delete(OutboxEntry).where(
            OutboxEntry.state == OutboxState.ACKED, OutboxEntry.mutation_id <= up_to,
            ~named))
        forgotten = result.rowcount  # type: ignore[attr-defined]
        marks = marks[len(due) - 1:]  # older notes than the one used say nothing more
    highest = session.scalar(select(func.max(OutboxEntry.mutation_id))
                             .where(OutboxEntry.state == OutboxState.ACKED)) or 0
    if highest > 0 and (not marks or (now - marks[-1][0] >= ACK_MARK_EVERY
                                      and highest > marks[-1][1])):
        marks.append((now, highest))
    _write_marks(session, marks[-MAX_ACK_MARKS:])
    return forgotten


def _read_marks(session: Session) -> list[tuple[dt.datetime, int]]:
    row = session.get(WorkspaceInfo, ACK_MARKS_KEY)
    marks: list[tuple[dt.datetime, int]] = []
    for note in (row.value.split() if row is not None else []):
        seconds, _, mutation_id = note.partition(":")
        try:
            marks.append((dt.datetime.fromtimestamp(int(seconds), dt.UTC), int(mutation_id)))
        except ValueError:
            continue  # unreadable: dropping a note only keeps rows longer
    return sorted(marks)


def _write_marks(session: Session, marks: list[tuple[dt.datetime, int]]) -> None:
    value = " ".join(f"{int(moment.timestamp())}:{mutation_id}" for moment, mutation_id in marks)
    row = session.get(WorkspaceInfo, ACK_MARKS_KEY)
    if row is None and value:
        session.add(WorkspaceInfo(key=ACK_MARKS_KEY, value=value))
    elif row is not None and row.value != value:
        row.value = value
