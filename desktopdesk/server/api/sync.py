"""The sync endpoints of sync.md: ``/sync/meta``, ``/sync/push``, ``/sync/pull``.

Thin: the rules live in ``desktopdesk.sync.push`` and ``desktopdesk.sync.pull``, which the
tests also drive directly. Plain ``def`` routes: the work is database work.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError

from desktopdesk.models import Counter, WorkspaceInfo
from desktopdesk.server.deps import ClockDep, CurrentUser, StoreDep
from desktopdesk.server.errors import ApiError, error_responses
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
PROTOCOL_MIN = 1
PROTOCOL_MAX = 1
EPOCH_KEY = "sync_epoch"


class Meta(BaseModel):
    epoch: str
    protocol_min: int
    protocol_max: int
    server_time: dt.datetime
    change_sequence: int


class Mutation(BaseModel):
    mutation_id: int = Field(ge=1)
    command: dict[str, Any]


class PushRequest(BaseModel):
    client_id: uuid.UUID
    protocol: int = PROTOCOL_MAX
    mutations: list[Mutation] = Field(max_length=MAX_BATCH)


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


@router.get("/meta", response_model=Meta, responses=error_responses(401))
def meta(store: StoreDep, clock: ClockDep, _user: CurrentUser) -> Meta:
    with store.sessions.begin() as session:
        epoch = session.get(WorkspaceInfo, EPOCH_KEY)
        if epoch is None:  # first sync ever against this database
            epoch = WorkspaceInfo(key=EPOCH_KEY, value=uuid.uuid4().hex)
            session.add(epoch)
        sequence = session.get(Counter, "change_sequence")
        return Meta(epoch=epoch.value, protocol_min=PROTOCOL_MIN, protocol_max=PROTOCOL_MAX,
                    server_time=clock(), change_sequence=sequence.value if sequence else 0)


@router.post("/push", response_model=PushResponse,
             responses=error_responses(401, 403, 422, 426, 503))
def push(body: PushRequest, store: StoreDep, clock: ClockDep, user: CurrentUser) -> PushResponse:
    _check_protocol(body.protocol)
    batch = [PushedMutation(m.mutation_id, m.command) for m in body.mutations]
    try:
        result = process_push(store, user, body.client_id, batch, clock)
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
