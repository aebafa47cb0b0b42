"""Signing in and out, and "who am I": ``/auth/token``, ``/auth/logout``, ``/me``."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from desktopdesk.models import User
from desktopdesk.server.auth import PASSWORD_MAX, AuthError
from desktopdesk.server.deps import AuthDep, BearerToken, ConfigDep, CurrentUser, StoreDep
from desktopdesk.server.errors import (
    TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    ApiError,
    error_responses,
)
from desktopdesk.server.throttle import client_address

router = APIRouter(tags=["auth"])

#: A sign-in body is a few hundred bytes; anything much larger is not one.
LOGIN_BODY_MAX = 16 * 1024
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class LoginRequest(BaseModel):
    """Extra fields are ignored so the OAuth2 password form (grant_type, scope) works."""

    model_config = ConfigDict(extra="ignore")

    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX)
    client: str = Field("", max_length=100,
                        description="What the client calls itself, e.g. 'desktop on laptop-12'.")


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: dt.datetime


class Me(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    email: str
    is_superadmin: bool


async def login_request(request: Request) -> LoginRequest:
    """The credentials, from a form (the OAuth2 password flow) or a JSON body.

    FastAPI binds a body to one content type, so this reads it itself, capped in size.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in (FORM, JSON):
        raise ApiError(415, UNSUPPORTED_MEDIA_TYPE,
                       f"Send the username and password as {JSON} or {FORM}.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > LOGIN_BODY_MAX:
            raise ApiError(413, TOO_LARGE, "The sign-in request is too large.")
    data: Any
    try:
        if media_type == JSON:
            data = json.loads(body)
        else:
            data = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                  max_num_fields=20))
    except (ValueError, UnicodeDecodeError):
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",),
                                       "msg": "The request body cannot be read."}]) from None
    try:
        return LoginRequest.model_validate(data)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None


_LOGIN_SCHEMA = LoginRequest.model_json_schema()


def caller_address(request: Request, config: ConfigDep) -> str | None:
    """Where the sign-in comes from: the peer, or what a trusted proxy says it forwarded."""
    peer = request.client.host if request.client is not None else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"),
                          config.trusted_proxies)


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    summary="Sign in: a bearer token for a username and password",
    responses=error_responses(401, 403, 413, 415, 422, 429),
    openapi_extra={"requestBody": {"required": True, "content": {
        JSON: {"schema": _LOGIN_SCHEMA}, FORM: {"schema": _LOGIN_SCHEMA},
    }}},
)
def issue_token(
    credentials: Annotated[LoginRequest, Depends(login_request)], auth: AuthDep,
    address: Annotated[str | None, Depends(caller_address)], response: Response,
) -> TokenResponse:
    """After repeated failures for a username, or from one client address, this answers
    429 with ``Retry-After``."""
    try:
        issued = auth.authenticate(credentials.username, credentials.password,
                                   client_label=credentials.client, address=address)
    except AuthError as error:
        raise ApiError.from_auth(error) from None
    response.headers["Cache-Control"] = "no-store"
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


@router.post(
    "/auth/logout", status_code=204, response_class=Response,
    summary="Sign out: revoke the token this request carries",
    responses=error_responses(401),
)
def logout(token: BearerToken, _user_id: CurrentUser, auth: AuthDep) -> Response:
    auth.revoke(token)
    return Response(status_code=204)


@router.get("/me", response_model=Me, summary="Who the token speaks for",
            responses=error_responses(401))
def me(user_id: CurrentUser, store: StoreDep) -> Me:
    with store.read() as session:
        user = session.get(User, user_id)
        if user is None:  # a token outliving its user cannot happen (cascade), but be sure
            raise ApiError.unauthorized("Unknown user; sign in again.", invalid_token=True)
        return Me(id=user.id, username=user.username, full_name=user.full_name,
                  email=user.email, is_superadmin=user.is_superadmin)
