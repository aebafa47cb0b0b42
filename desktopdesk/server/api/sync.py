"""The sync endpoints of sync.md: ``/sync/meta``, ``/sync/push``, ``/sync/pull``.

Thin: the rules live in ``desktopdesk.sync.push`` and ``desktopdesk.sync.pull``, which the
tests also drive directly. Plain ``def`` routes: the work is database work.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from desktopdesk.domain.counters import CHANGE_SEQUENCE
from desktopdesk.models import Counter, SyncClient, WorkspaceInfo
from desktopdesk.server.deps import ClockDep, CurrentUser, StoreDep
from desktopdesk.server.errors import ApiError, error_responses
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.pull import pull_page
from desktopdesk.sync.push import (
    MAX_BATCH,
    ClientMismatchError,
    PushedMutation,
    process_push,
    register_client,
)

router = APIRouter(prefix="/sync", tags=["sync"])

#: Protocol versions this server speaks; older desktops keep working offline (426).
#: 2: work orders (migration 0009): pull pages carry ``work_order_templates``,
#: ``work_orders`` and ``ticket_types.work_order_template_id``, which a protocol-1
#: desktop's store has no place for; it is told to update instead of failing to apply.
PROTOCOL_MIN = 2
PROTOCOL_MAX = 2
EPOCH_KEY = "sync_epoch"


class Meta(BaseModel):
    epoch: str = Field(description="Changes when the database is restored or reset: a "
                                   "desktop that sees a new epoch rebuilds its copy.")
    protocol_min: int
    protocol_max: int
    server_time: dt.datetime
    change_sequence: int = Field(description="The last change the server made; below a "
                                             "desktop's pull cookie means a restored server.")
    last_mutation_id: int | None = Field(
        None, description="The last mutation processed for the ``client_id`` asked about; "
                          "null when this server does not know that client.")


class Mutation(BaseModel):
    mutation_id: int = Field(ge=1)
    command: dict[str, Any]
    made_at: dt.datetime | None = Field(
        None, description="When the desktop made the change, by its clock (corrected with "
                          "``sent_at`` and kept within the last 30 days): its history is "
                          "dated then. Absent: when it is applied.")


class PushRequest(BaseModel):
    client_id: uuid.UUID
    protocol: int = PROTOCOL_MAX
    mutations: list[Mutation] = Field(max_length=MAX_BATCH)
    sent_at: dt.datetime | None = Field(
        None, description="The desktop's clock when it sent this push: how far it is off "
                          "the server's, to correct each ``made_at``.")


class MutationResult(BaseModel):
    mutation_id: int
    outcome: Literal["applied", "rejected"]
    code: str = ""
    message: str = ""


class PushResponse(BaseModel):
    results: list[MutationResult]
    last_mutation_id: int
    stopped: str = ""


class PullRequest(BaseModel):
    client_id: uuid.UUID
    protocol: int = PROTOCOL_MAX
    cookie: str = ""
    page_token: str | None = None


class PullResponse(BaseModel):
    operations: list[dict[str, Any]]
    next_token: str | None
    cookie: str | None
    last_mutation_id: int


def _check_protocol(version: int) -> None:
    if not PROTOCOL_MIN <= version <= PROTOCOL_MAX:
        raise ApiError(426, "protocol", f"This server speaks sync protocol {PROTOCOL_MIN}-"
                                        f"{PROTOCOL_MAX}; update DesktopDesk (you can keep "
                                        "working offline).", "protocol")


@router.get("/meta", response_model=Meta, responses=error_responses(401, 403, 422, 426))
def meta(store: StoreDep, clock: ClockDep, user: CurrentUser,
         protocol: Annotated[int | None, Query(
             description="The desktop's sync protocol; one older than this server speaks "
                         "gets 426.")] = None,
         client_id: Annotated[uuid.UUID | None, Query(
             description="Report this desktop's last processed mutation.")] = None) -> Meta:
    """Where the server stands, before a desktop pushes or pulls anything.

    Only a desktop too *old* is refused (426: it must update). A desktop newer than the
    server gets the range and decides itself, since telling it to upgrade would be wrong.
    Asking about ``client_id`` does not register it: a restored server that lost the
    desktop must be able to say so (null).
    """
    if protocol is not None and protocol < PROTOCOL_MIN:
        _check_protocol(protocol)
    try:
        return read_meta(store, user, client_id, clock())
    except ClientMismatchError:
        raise ApiError(403, "forbidden", "This desktop is registered to another user.",
                       "client_id") from None


def read_meta(store: Workspace, user_id: uuid.UUID, client_id: uuid.UUID | None,
              now: dt.datetime) -> Meta:
    """The meta answer (also what the in-process test transport returns)."""
    with store.sessions.begin() as session:
        last: int | None = None
        if client_id is not None:
            client = session.get(SyncClient, client_id)
            if client is not None and client.user_id != user_id:
                raise ClientMismatchError(f"client {client_id} belongs to another user")
            last = client.last_mutation_id if client is not None else None
        sequence = session.get(Counter, CHANGE_SEQUENCE)
        return Meta(epoch=_epoch(session), protocol_min=PROTOCOL_MIN,
                    protocol_max=PROTOCOL_MAX, server_time=now,
                    change_sequence=sequence.value if sequence else 0, last_mutation_id=last)


def _epoch(session: Session) -> str:
    row = session.get(WorkspaceInfo, EPOCH_KEY)
    if row is None:  # first sync ever against this database
        try:
            with session.begin_nested():
                row = WorkspaceInfo(key=EPOCH_KEY, value=uuid.uuid4().hex)
                session.add(row)
        except IntegrityError:  # a concurrent first meta chose it: use theirs
            row = session.get(WorkspaceInfo, EPOCH_KEY)
            assert row is not None
    return row.value


def rotate_epoch(store: Workspace) -> tuple[str | None, str]:
    """Start a new epoch (after restoring a backup): every desktop rebuilds its copy at
    its next sync and sends again what the backup lost. Returns (old, new)."""
    new = uuid.uuid4().hex
    with store.sessions.begin() as session:
        row = session.get(WorkspaceInfo, EPOCH_KEY)
        old = row.value if row is not None else None
        session.merge(WorkspaceInfo(key=EPOCH_KEY, value=new))
    return old, new


@router.post("/push", response_model=PushResponse,
             responses=error_responses(401, 403, 422, 426, 503))
def push(body: PushRequest, store: StoreDep, clock: ClockDep, user: CurrentUser) -> PushResponse:
    _check_protocol(body.protocol)
    batch = [PushedMutation(m.mutation_id, m.command, m.made_at) for m in body.mutations]
    try:
        result = process_push(store, user, body.client_id, batch, clock, body.sent_at)
    except ClientMismatchError:
        raise ApiError(403, "forbidden", "This desktop is registered to another user.",
                       "client_id") from None
    except OperationalError:
        raise ApiError(503, "unavailable", "The server is busy; your changes are kept and "
                                           "will be sent again.") from None
    return PushResponse(
        results=[MutationResult(mutation_id=o.mutation_id, outcome=o.outcome,  # type: ignore[arg-type]
                                code=o.code, message=o.message) for o in result.outcomes],
        last_mutation_id=result.last_mutation_id, stopped=result.stopped)


@router.post("/pull", response_model=PullResponse,
             responses=error_responses(401, 403, 422, 426, 503))
def pull(body: PullRequest, request: Request, store: StoreDep, clock: ClockDep,
         user: CurrentUser) -> Response:
    _check_protocol(body.protocol)
    try:
        register_client(store, user, body.client_id, clock())
        with store.sessions.begin() as session:
            page = pull_page(session, user, body.client_id, cookie=body.cookie,
                             token=body.page_token)
    except ClientMismatchError:
        raise ApiError(403, "forbidden", "This desktop is registered to another user.",
                       "client_id") from None
    except ValueError as bad:
        raise ApiError(422, "validation", f"{bad}: start the pull again.", "cookie") from None
    except OperationalError:
        raise ApiError(503, "unavailable", "The server is busy; try again.") from None
    # A page is a thousand rows the server just built: serialise it once, without
    # validating it again through the response model (which documents the shape).
    body_bytes = json.dumps({
        "operations": page.operations, "next_token": page.next_token, "cookie": page.cookie,
        "last_mutation_id": page.last_mutation_id,
    }, separators=(",", ":")).encode()
    if "gzip" in request.headers.get("accept-encoding", ""):
        # Pages are repetitive JSON: gzip cuts the bytes a field laptop downloads ~10x.
        return Response(gzip.compress(body_bytes, compresslevel=5), media_type="application/json",
                        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return Response(body_bytes, media_type="application/json")
