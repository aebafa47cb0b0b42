"""Talking to the DesktopDesk server over HTTP: sign in, sign out, and JSON requests.

Three outcomes, kept apart because callers act differently on each:

- an answer: the decoded JSON;
- ``ServerError``: the server answered and refused (it says why in ``code``/``message``,
  the JSON error shape of ``desktopdesk.server.errors``); retrying will not help;
- ``ServerUnreachable``: no answer at all (offline, refused, DNS, timeout, TLS). For an
  offline-first app that is a normal state, not a crash: try again later.

Every request has a connect and a read timeout. Only idempotent methods are retried on a
dropped connection or a 502/503/504; a POST (sign-in, push) is never sent twice by this
layer. A connection that could not even be opened is retried for any method, since
nothing reached the server.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError
from urllib3.util.retry import Retry

from desktopdesk import __version__

log = logging.getLogger("desktopdesk.sync")

API_PREFIX = "/api/v1"
#: (connect, read) seconds. Connect slightly above a multiple of 3 s, TCP's retransmit.
DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 30.0)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({502, 503, 504})
SCHEMES = ("http", "https")


class ServerClientError(Exception):
    """Anything that stopped a request to the server from succeeding."""


class BadServerUrlError(ServerClientError, ValueError):
    """The address given for the server is not an http(s) URL we can use."""


class ServerUnreachable(ServerClientError):  # noqa: N818 (a state, not a bug)
    """No answer from the server: offline, refused, unknown host, timeout or TLS failure."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"could not reach the server at {url}: {reason}")
        self.url = url
        self.reason = reason


class ServerError(ServerClientError):
    """The server answered with an error: ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str, field: str | None, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status

    def __repr__(self) -> str:
        return (f"ServerError(code={self.code!r}, message={self.message!r}, "
                f"field={self.field!r}, status={self.status})")

    @property
    def needs_sign_in(self) -> bool:
        """The token is missing, expired or revoked: only signing in again helps."""
        return self.status == 401


@dataclass(frozen=True)
class Token:
    """A bearer token the server issued; revocable, and all we ever keep (not passwords)."""

    access_token: str = field(repr=False)
    expires_at: dt.datetime
    token_type: str = "bearer"

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at <= (now or dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class ServerUser:
    """Who a token speaks for (``GET /api/v1/me``)."""

    id: uuid.UUID
    username: str
    full_name: str
    email: str
    is_superadmin: bool


def normalise_server_url(text: str) -> str:
    """The server's base URL as we store and compare it: ``scheme://host[:port][/path]``.

    Lower-case scheme and host, no trailing slash, and a trailing ``/api/v1`` dropped
    (people paste the API's address). Raises ``BadServerUrlError`` saying what is wrong.
    """
    shown = text.strip()
    try:
        parts = urlsplit(shown)
        port = parts.port
    except ValueError as error:
        raise BadServerUrlError(f"{shown!r} is not a valid URL ({error})") from None
    if parts.scheme.lower() not in SCHEMES:
        raise BadServerUrlError(f"{shown!r} is not a server address; give an http:// or "
                           "https:// URL, e.g. https://helpdesk.example.org")
    if not parts.hostname:
        raise BadServerUrlError(f"{shown!r} has no host name; e.g. https://helpdesk.example.org")
    if parts.username is not None or parts.password is not None:
        raise BadServerUrlError("leave the username and password out of the URL; the username is "
                           "its own argument and the password is asked for")
    if parts.query or parts.fragment:
        raise BadServerUrlError(f"{shown!r} has a query or fragment; give the server's address "
                           "only")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    path = parts.path.rstrip("/")
    if path.endswith(API_PREFIX):
        path = path[: -len(API_PREFIX)]
    return urlunsplit((parts.scheme.lower(), netloc, path, "", ""))


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sends_secrets_in_clear(url: str) -> bool:
    """Plain http to another machine: passwords and tokens cross the network readable."""
    return urlsplit(url).scheme == "http" and not is_loopback_url(url)


class ServerClient:
    """One server, one optional bearer token, one pooled connection.

    Not for sharing between threads at once (requests.Session is not thread-safe): give
    each background task its own client.
    """

    def __init__(self, url: str, token: str | None = None, *,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 retries: int = 2, backoff_s: float = 0.25) -> None:
        self.url = normalise_server_url(url)
        self.token = token
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["User-Agent"] = f"DesktopDesk/{__version__}"
        self.http.headers["Accept"] = "application/json"
        retry = Retry(
            total=retries, connect=retries, read=retries, status=retries, other=0,
            allowed_methods=IDEMPOTENT_METHODS, status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_s, respect_retry_after_header=True,
            raise_on_status=False, raise_on_redirect=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    # --- Account ----------------------------------------------------------------------

    def login(self, username: str, password: str, client_label: str = "") -> Token:
        """Exchange a password for a token, which this client then uses.

        The password goes into this one request and nowhere else.
        """
        body = self.post_json("/auth/token", {"username": username, "password": password,
                                              "client": client_label[:100]}, auth=False)
        try:
            token = Token(access_token=str(body["access_token"]),
                          expires_at=_utc(dt.datetime.fromisoformat(body["expires_at"])),
                          token_type=str(body.get("token_type", "bearer")))
        except (KeyError, TypeError, ValueError):
            raise _bad_response(self.url, "the sign-in answer has no usable token") from None
        self.token = token.access_token
        return token

    def logout(self) -> None:
        """Revoke this client's token on the server, and forget it here either way."""
        try:
            if self.token is not None:
                self.request("POST", "/auth/logout")
        finally:
            self.token = None

    def me(self) -> ServerUser:
        body = self.get_json("/me")
        try:
            return ServerUser(id=uuid.UUID(str(body["id"])), username=str(body["username"]),
                              full_name=str(body["full_name"]), email=str(body["email"]),
                              is_superadmin=bool(body["is_superadmin"]))
        except (KeyError, TypeError, ValueError):
            raise _bad_response(self.url, "the answer to /me is not a user") from None

    def set_password(self, user_id: uuid.UUID, password: str) -> None:
        """Give ``user_id`` a new password (a super-admin's call); the server revokes all
        their tokens. The password goes into this one request and nowhere else."""
        self.post_json(f"/users/{user_id}/password", {"password": password})

    # --- Requests ---------------------------------------------------------------------

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return _json_of(self.request("GET", path, params=params), self.url)

    def post_json(self, path: str, body: Any, *, auth: bool = True) -> Any:
        return _json_of(self.request("POST", path, json=body, auth=auth), self.url)

    def request(self, method: str, path: str, *, auth: bool = True,
                **kwargs: Any) -> requests.Response:
        """``method`` on ``/api/v1`` + ``path``; the response if it succeeded.

        ``kwargs`` go to requests (``params``, ``json``, ``data``, ``headers``, ``stream``).
        Raises ``ServerError`` for an error answer and ``ServerUnreachable`` for none.
        """
        headers = dict(kwargs.pop("headers", None) or {})
        if auth and self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = self.http.request(method, f"{self.url}{API_PREFIX}{path}",
                                         headers=headers, allow_redirects=False, **kwargs)
        except requests.exceptions.SSLError as error:
            raise ServerUnreachable(self.url, "its TLS certificate could not be verified "
                                    f"({_innermost(error)})") from error
        except requests.Timeout as error:
            raise ServerUnreachable(self.url, "it did not answer in time") from error
        except requests.ConnectionError as error:
            raise ServerUnreachable(self.url, _connection_failure(error)) from error
        except (requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as error:
            raise ServerUnreachable(self.url, "the connection broke during the answer") \
                from error
        if response.status_code >= 400:
            refusal = _error_of(response)
            log.info("%s %s: %s %s", method, path, refusal.status, refusal.code)
            raise refusal
        if response.is_redirect:
            # Following it would send the token wherever the redirect points.
            raise ServerError("redirected", f"The server redirects to "
                              f"{response.headers.get('Location', '?')}; give that address "
                              "instead.", None, response.status_code)
        return response


def _json_of(response: requests.Response, url: str) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise _bad_response(url, "the answer is not JSON") from None


def _error_of(response: requests.Response) -> ServerError:
    """The server's JSON error; for anything else (a proxy's HTML page), its status."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str) \
            and isinstance(body.get("message"), str):
        field_name = body.get("field")
        return ServerError(body["code"], body["message"],
                           field_name if isinstance(field_name, str) else None,
                           response.status_code)
    return ServerError("http_error", f"The server answered {response.status_code} "
                       f"{response.reason or ''}".rstrip() + ".", None, response.status_code)


def _bad_response(url: str, what: str) -> ServerError:
    return ServerError("bad_response", f"{url} does not look like a DesktopDesk server: "
                       f"{what}.", None, 200)


def _connection_failure(error: requests.ConnectionError) -> str:
    """A short human reason, from urllib3's wrapped exception chain.

    Order matters: in urllib3 2, NameResolutionError is a NewConnectionError, which is
    (for history's sake) a ConnectTimeoutError.
    """
    cause: object = error.args[0] if error.args else None
    if isinstance(cause, MaxRetryError):
        cause = cause.reason
    if isinstance(cause, NameResolutionError):
        return "its host name could not be resolved"
    if isinstance(cause, NewConnectionError):
        if "refused" in str(cause).lower():
            return "the connection was refused (is the server running?)"
        return "the network connection failed"
    if isinstance(cause, urllib3.exceptions.TimeoutError):  # retries used up on timeouts
        return "it did not answer in time"
    return "the network connection failed"


def _innermost(error: BaseException) -> str:
    cause: object = error.args[0] if error.args else error
    if isinstance(cause, MaxRetryError) and cause.reason is not None:
        cause = cause.reason
    return str(cause).splitlines()[0] if str(cause) else type(cause).__name__


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
