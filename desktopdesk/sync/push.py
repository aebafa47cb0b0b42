"""The server side of push: replay a desktop's commands, in order, exactly once.

For each mutation (sync.md, "Push"): a duplicate (id at or below the client's last
processed id) gets its stored outcome back; a gap stops the batch; otherwise the command
is applied in one transaction together with its outcome row and the client's new last
id. A business refusal rolls that back and a second transaction records the rejection
and advances the id, so one refused command never jams the queue. Infrastructure errors
(database locked, disk full) propagate: the caller answers 503 and the desktop retries.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from desktopdesk.domain.apply import apply
from desktopdesk.domain.commands import command_from_json
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import SyncClient, SyncMutation
from desktopdesk.store.workspace import Workspace

log = logging.getLogger("desktopdesk.sync")

APPLIED = "applied"
REJECTED = "rejected"
#: How many mutations one push may carry (sync.md: up to 100 commands or 1 MB).
MAX_BATCH = 100


@dataclass(frozen=True)
class PushedMutation:
    mutation_id: int
    payload: dict[str, Any]


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
) -> PushResult:
    last = register_client(store, user_id, client_id, clock())
    outcomes: list[MutationOutcome] = []
    for mutation in sorted(mutations, key=lambda m: m.mutation_id):
        if mutation.mutation_id <= last:
            outcomes.append(_stored_outcome(store, client_id, mutation.mutation_id))
            continue
        if mutation.mutation_id != last + 1:
            return PushResult(tuple(outcomes), last,
                              stopped=f"expected mutation {last + 1}, got {mutation.mutation_id}")
        try:
            outcomes.append(_replay(store, user_id, client_id, mutation, clock()))
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


def _replay(store: Workspace, user_id: uuid.UUID, client_id: uuid.UUID,
            mutation: PushedMutation, now: dt.datetime) -> MutationOutcome:
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
                apply(session, command, user_id, store.context(now, remote_actor=True))
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
