"""What routes depend on: the store, the caller, the clock, and the one way to change things.

Routes stay thin (the FastAPI full-stack template's habit): they take these as
parameters, build a command, and hand it to ``execute``, which applies it through the
same ``Workspace.execute`` as the desktop and turns a refusal into the JSON error.

    @router.post("/tickets")
    def create_ticket(body: NewTicket, store: StoreDep, user_id: CurrentUser,
                      clock: ClockDep) -> ...:
        result = execute(store, CreateTicket(...), user_id, now=clock())
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from desktopdesk.domain.commands import Command
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import DomainError
from desktopdesk.server.api import API_PREFIX
from desktopdesk.server.auth import Auth, Clock
from desktopdesk.server.config import ServerConfig
from desktopdesk.server.errors import ApiError
from desktopdesk.store.workspace import Workspace


@dataclass(frozen=True)
class ServerState:
    """Everything one running server holds, opened by the app's lifespan."""

    config: ServerConfig
    workspace: Workspace
    auth: Auth
    clock: Clock


def server_state(request: Request) -> ServerState:
    state = getattr(request.app.state, "server", None)
    if not isinstance(state, ServerState):
        raise RuntimeError("the server's lifespan has not run (use TestClient as a context "
                           "manager, or uvicorn)")
    return state


def store(request: Request) -> Workspace:
    return server_state(request).workspace


def auth_service(request: Request) -> Auth:
    return server_state(request).auth


def server_clock(request: Request) -> Clock:
    """The server's clock: tests inject a fixed one to move time without sleeping."""
    return server_state(request).clock


def server_config(request: Request) -> ServerConfig:
    return server_state(request).config


#: Declares the scheme in OpenAPI (the docs page can sign in with it); we check the token.
bearer_scheme = OAuth2PasswordBearer(
    tokenUrl=f"{API_PREFIX}/auth/token", auto_error=False,
    description="A token from POST /api/v1/auth/token, sent as `Authorization: Bearer ...`.",
)


def bearer_token(token: Annotated[str | None, Depends(bearer_scheme)]) -> str:
    if not token:
        raise ApiError.unauthorized("Sign in first: send 'Authorization: Bearer <token>'.")
    return token


def current_user(
    token: Annotated[str, Depends(bearer_token)], auth: Annotated[Auth, Depends(auth_service)]
) -> uuid.UUID:
    """The caller's user id; 401 unless the token is live and its user enabled."""
    user_id = auth.resolve_token(token)
    if user_id is None:
        raise ApiError.unauthorized("The token is invalid, expired or revoked; sign in again.",
                                    invalid_token=True)
    return user_id


StoreDep = Annotated[Workspace, Depends(store)]
AuthDep = Annotated[Auth, Depends(auth_service)]
ClockDep = Annotated[Clock, Depends(server_clock)]
ConfigDep = Annotated[ServerConfig, Depends(server_config)]
BearerToken = Annotated[str, Depends(bearer_token)]
CurrentUser = Annotated[uuid.UUID, Depends(current_user)]


def execute(
    store: Workspace, command: Command, actor_id: uuid.UUID, *, now: dt.datetime | None = None
) -> CommandResult:
    """Apply one command for the caller; a refusal becomes an ``ApiError`` (403/404/409/422).

    The caller is a remote actor: ``AttachFile`` then needs proof they hold the bytes.

    Pass ``now=clock()`` (``ClockDep``) so the server's clock, not the wall clock, dates
    the change; without it the store uses the current UTC time.
    """
    try:
        return store.execute(command, actor_id, now=now, remote_actor=True)
    except DomainError as error:
        raise ApiError.from_domain(error) from error
