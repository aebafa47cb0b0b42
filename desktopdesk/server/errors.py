"""Every error leaves the server as JSON ``{"code", "message", "field"}`` with its status.

Clients (the desktop's sync, integrations) branch on ``code``, which is stable; people
read ``message``; ``field`` names the input at fault, if one is. Whatever raised it (a
domain rule, sign-in, FastAPI's own request validation, an unknown route) the shape is
the same, so a client needs one error path.
"""

from __future__ import annotations

import http
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from desktopdesk.domain.errors import (
    DUPLICATE,
    FORBIDDEN,
    GROUP_LIMIT,
    INVALID_TRANSITION,
    LOCKED,
    NOT_FOUND,
    NOT_OWNER,
    NOT_VISIBLE,
    VALIDATION,
    DomainError,
)
from desktopdesk.server.auth import (
    AccountDisabledError,
    AuthError,
    InvalidCredentialsError,
    LoginThrottledError,
)

log = logging.getLogger("desktopdesk.server")

# Codes the server adds to the domain's (desktopdesk.domain.errors).
UNAUTHORIZED = "unauthorized"  # 401: no token, or not a live one
INVALID_CREDENTIALS = "invalid_credentials"  # 401: wrong username or password
THROTTLED = "throttled"  # 429: too many failed sign-ins
TOO_LARGE = "too_large"  # 413
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # 415
METHOD_NOT_ALLOWED = "method_not_allowed"  # 405
HTTP_ERROR = "http_error"  # any other HTTP status raised by the framework
OFFSET_MISMATCH = "offset_mismatch"  # 409: a blob chunk not at the server's offset
HASH_MISMATCH = "hash_mismatch"  # 422: uploaded bytes that are not the announced SHA-256
RANGE_NOT_SATISFIABLE = "range_not_satisfiable"  # 416
INTERNAL_ERROR = "internal_error"  # 500: a bug, logged with its traceback

#: HTTP status per domain error code. Unknown codes answer 400.
DOMAIN_STATUS: Mapping[str, int] = {
    NOT_FOUND: 404,
    NOT_VISIBLE: 404,
    FORBIDDEN: 403,
    NOT_OWNER: 409,
    INVALID_TRANSITION: 409,
    LOCKED: 409,
    GROUP_LIMIT: 409,
    DUPLICATE: 409,
    VALIDATION: 422,
}

_CODE_BY_STATUS: Mapping[int, str] = {
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    413: TOO_LARGE,
    415: UNSUPPORTED_MEDIA_TYPE,
    416: RANGE_NOT_SATISFIABLE,
    422: VALIDATION,
    429: THROTTLED,
}

BEARER_CHALLENGE = "Bearer"
INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'


class ErrorBody(BaseModel):
    """The body of every error response."""

    code: str
    message: str
    field: str | None = None


class ApiError(Exception):
    """An error answer: raise it from a route or dependency, the handler renders it."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        body = ErrorBody(code=self.code, message=self.message, field=self.field)
        return JSONResponse(body.model_dump(), status_code=self.status, headers=self.headers)

    @classmethod
    def from_domain(cls, error: DomainError) -> ApiError:
        """The HTTP form of a refused command.

        ``not_visible`` answers exactly like ``not_found`` (code and message), so the
        answer never tells that something exists which the caller may not see.
        """
        if error.code == NOT_VISIBLE:
            return cls(404, NOT_FOUND, "Not found.", error.field)
        return cls(DOMAIN_STATUS.get(error.code, 400), error.code, error.message, error.field)

    @classmethod
    def from_auth(cls, error: AuthError) -> ApiError:
        if isinstance(error, LoginThrottledError):
            return cls(429, THROTTLED, str(error),
                       headers={"Retry-After": str(error.retry_after_s)})
        if isinstance(error, AccountDisabledError):
            return cls(403, FORBIDDEN, str(error))
        assert isinstance(error, InvalidCredentialsError), error
        return cls(401, INVALID_CREDENTIALS, str(error),
                   headers={"WWW-Authenticate": BEARER_CHALLENGE})

    @classmethod
    def unauthorized(cls, message: str, *, invalid_token: bool = False) -> ApiError:
        challenge = INVALID_TOKEN_CHALLENGE if invalid_token else BEARER_CHALLENGE
        return cls(401, UNAUTHORIZED, message, headers={"WWW-Authenticate": challenge})


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for a route's error answers, all with the ``ErrorBody`` schema."""
    return {
        status: {"model": ErrorBody, "description": http.HTTPStatus(status).phrase}
        for status in statuses
    }


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(AuthError, _on_auth_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_exception)
    app.add_exception_handler(Exception, _on_unexpected)


async def _on_api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _on_domain_error(_request: Request, exc: Exception) -> Response:
    """A safety net: routes call ``deps.execute``, which already converts."""
    assert isinstance(exc, DomainError)
    return ApiError.from_domain(exc).response()


async def _on_auth_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthError)
    return ApiError.from_auth(exc).response()


async def _on_validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return validation_error(exc.errors()).response()


def validation_error(errors: Sequence[Any]) -> ApiError:
    """Pydantic's error list as one message; ``field`` is the first bad input's path."""
    if not errors:
        return ApiError(422, VALIDATION, "The request is not valid.")
    parts: list[str] = []
    field: str | None = None
    for index, error in enumerate(errors):
        if error.get("type") == "json_invalid":
            return ApiError(422, VALIDATION, "The request body is not valid JSON.")
        path = _field_path(error.get("loc", ()))
        if index == 0:
            field = path
        if index < 3:
            message = str(error.get("msg", "invalid"))
            parts.append(f"{path}: {message}" if path else message)
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return ApiError(422, VALIDATION, "; ".join(parts) + more, field)


def _field_path(location: Sequence[Any]) -> str | None:
    """``("body", "items", 0, "name")`` -> ``"items.0.name"``: where, not how it came."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or None


async def _on_http_exception(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (204, 304):  # these may not carry a body
        return Response(status_code=exc.status_code, headers=exc.headers)
    code = _CODE_BY_STATUS.get(exc.status_code, HTTP_ERROR)
    try:
        phrase = http.HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = "HTTP error"
    message = exc.detail if isinstance(exc.detail, str) and exc.detail else phrase
    return ApiError(exc.status_code, code, message, headers=exc.headers).response()


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected error answering %s %s", request.method, request.url.path,
              exc_info=exc)
    return ApiError(500, INTERNAL_ERROR,
                    "The server failed to answer; the error is logged.").response()
