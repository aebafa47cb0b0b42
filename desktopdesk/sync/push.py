"""The server side of push: replay a desktop's commands, in order, exactly once.

For each mutation (sync.md, "Push"): a duplicate (id at or below the client's last
processed id) gets its stored outcome back; a gap stops the batch; otherwise the command
is applied in one transaction together with its outcome row and the client's new last
id. A business refusal rolls that back and a second transaction records the rejection
and advances the id, so one refused command never jams the queue. Infrastructure errors
(database locked, disk full) propagate: the caller answers 503 and the desktop retries.

Each mutation may say when it was made (``made_at``, the desktop's clock) and the push
when it was sent (``sent_at``, the same clock): the command's history then carries the
time the work was done, not the time it reached the server, so the SLA counts a
workunit written offline at 10:00 and synced at 16:00 at 10:00. The desktop's clock is
only trusted as far as :func:`plausible_made_at` allows. Both fields are optional: an
older desktop's commands count when they arrive, as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from desktopdesk.domain.commands import command_from_json
from desktopdesk.domain.context import LATE_CHANGE_WINDOW
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import SyncClient, SyncMutation
from desktopdesk.store.workspace import Workspace

log = logging.getLogger("desktopdesk.sync")

APPLIED = "applied"
REJECTED = "rejected"
#: How many mutations one push may carry (sync.md: up to 100 commands or 1 MB).
MAX_BATCH = 100
#: Furthest back a pushed command may date itself: older work is dated this far back.
MAX_MADE_AGE = LATE_CHANGE_WINDOW


@dataclass(frozen=True)
class PushedMutation:
    mutation_id: int
    payload: dict[str, Any]
    #: When the desktop made it, by the desktop's clock; None (older desktops): now.
    made_at: dt.datetime | None = None


@dataclass(frozen=True)
class MutationOutcome:
    mutation_id: int
    outcome: str
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class PushResult:
    outcomes: tuple[MutationOutcome, ...]
    last_mutation_id: int
    #: Set when the batch stopped early (a gap in the ids): the desktop resends from there.
    stopped: str = ""


class ClientMismatchError(Exception):
    """The client id is registered to another user: never replay under the wrong name."""


def process_push(
    store: Workspace,
    user_id: uuid.UUID,
    client_id: uuid.UUID,
    mutations: Sequence[PushedMutation],
    clock: Callable[[], dt.datetime],
    sent_at: dt.datetime | None = None,
) -> PushResult:
    """Replay ``mutations`` in id order; ``sent_at`` is the desktop's clock when it sent
    them, to correct their ``made_at`` for how far that clock is off."""
    received = clock()
    last = register_client(store, user_id, client_id, received)
    skew = received - _utc(sent_at) if sent_at is not None else dt.timedelta(0)
    outcomes: list[MutationOutcome] = []
    for mutation in sorted(mutations, key=lambda m: m.mutation_id):
        if mutation.mutation_id <= last:
            outcomes.append(_stored_outcome(store, client_id, mutation.mutation_id))
            continue
        if mutation.mutation_id != last + 1:
            return PushResult(tuple(outcomes), last,
                              stopped=f"expected mutation {last + 1}, got {mutation.mutation_id}")
        try:
            outcomes.append(_replay(store, user_id, client_id, mutation, clock(), skew))
        except ConcurrentPushError as clash:
            return PushResult(tuple(outcomes), last, stopped=str(clash))
        last = mutation.mutation_id
    return PushResult(tuple(outcomes), last)


def register_client(store: Workspace, user_id: uuid.UUID, client_id: uuid.UUID,
                    now: dt.datetime) -> int:
    """Know this desktop (first contact) and return its last processed mutation id."""
    with store.sessions.begin() as session:
        client = session.get(SyncClient, client_id)
        if client is None:
            client = SyncClient(client_id=client_id, user_id=user_id, last_mutation_id=0,
                                created_at=now, last_seen_at=now)
            session.add(client)
        elif client.user_id != user_id:
            raise ClientMismatchError(f"client {client_id} belongs to another user")
        client.last_seen_at = now
        return client.last_mutation_id


def _stored_outcome(store: Workspace, client_id: uuid.UUID, mutation_id: int) -> MutationOutcome:
    with store.read() as session:
        stored = session.get(SyncMutation, (client_id, mutation_id))
    if stored is None:  # processed before outcomes were kept: it was applied or rejected
        return MutationOutcome(mutation_id, APPLIED)
    return MutationOutcome(mutation_id, stored.outcome, stored.code, stored.message)


class ConcurrentPushError(Exception):
    """Another push of the same desktop advanced its queue first: stop, the desktop retries."""


def plausible_made_at(made_at: dt.datetime | None, skew: dt.timedelta,
                      now: dt.datetime) -> dt.datetime | None:
    """When a pushed command was made, as this server will record it; None means now.

    ``skew`` is how far the server's clock is ahead of the desktop's (received minus
    sent): a desktop clock an hour fast says 11:00 for work done at 10:00 server time.
    The result lies in [now - ``MAX_MADE_AGE``, now]: no command dates itself in the
    future, nor so far back that it rewrites old history.
    """
    if made_at is None:
        return None
    corrected = _utc(made_at) + skew
    if corrected >= now:
        return None
    return max(corrected, now - MAX_MADE_AGE)


def _utc(moment: dt.datetime) -> dt.datetime:
    """A desktop's time, aware UTC (one without a zone is read as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _replay(store: Workspace, user_id: uuid.UUID, client_id: uuid.UUID,
            mutation: PushedMutation, now: dt.datetime, skew: dt.timedelta) -> MutationOutcome:
    """One transaction: claim the mutation id, apply in a savepoint, record the outcome.

    The client row is locked first (PostgreSQL: FOR UPDATE), so two pushes of one desktop
    cannot both apply the same mutation; a refusal rolls back only the savepoint.
    """
    with store.sessions.begin() as session:
        client = session.get(SyncClient, client_id, with_for_update=True)
        if client is None or client.last_mutation_id != mutation.mutation_id - 1:
            raise ConcurrentPushError(f"mutation {mutation.mutation_id} was claimed meanwhile")
        command_id, name = _identity(mutation.payload)
        refusal: DomainError | None = None
        try:
            with session.begin_nested():
                command = command_from_json(mutation.payload)
                ctx = dataclasses.replace(store.context(now, remote_actor=True),
                                          made_at=plausible_made_at(mutation.made_at, skew, now))
                store.apply_in(session, command, user_id, ctx)
        except DomainError as error:
            refusal = error
            log.info("mutation %s of client %s refused: %s", mutation.mutation_id, client_id,
                     error.code)
        client.last_mutation_id = mutation.mutation_id
        session.add(SyncMutation(
            client_id=client_id, mutation_id=mutation.mutation_id, command_id=command_id,
            command_name=name[:60], outcome=REJECTED if refusal else APPLIED,
            code=refusal.code if refusal else "", message=refusal.message if refusal else "",
            processed_at=now,
        ))
    if refusal is None:
        return MutationOutcome(mutation.mutation_id, APPLIED)
    return MutationOutcome(mutation.mutation_id, REJECTED, refusal.code, refusal.message)


def _identity(payload: dict[str, Any]) -> tuple[uuid.UUID, str]:
    """Command id and name of a payload that may not even parse (kept for the record)."""
    raw_args = payload.get("args")
    args = raw_args if isinstance(raw_args, dict) else {}
    try:
        command_id = uuid.UUID(str(args.get("command_id")))
    except ValueError:
        command_id = uuid.UUID(int=0)
    name = payload.get("command")
    return command_id, name if isinstance(name, str) else "?"
