"""The HTTP client against a scripted loopback server: errors, retries, offline, URLs.

The real server's answers (sign-in, /me, logout) are covered in test_login_cli.py; this
module checks what the real server rarely does: proxies' HTML errors, 503s, redirects,
silence.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desktopdesk.sync.client_http import (
    BadServerUrlError,
    ServerClient,
    ServerError,
    ServerUnreachable,
    normalise_server_url,
    sends_secrets_in_clear,
)
from tests.sync.live_server import closed_loopback_url


def fast_client(url: str, token: str | None = None, *, retries: int = 2) -> ServerClient:
    """Short timeouts and no back-off between retries, so the suite stays quick."""
    return ServerClient(url, token, timeout=(1.0, 0.3), retries=retries, backoff_s=0.0)


class ScriptedServer(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.hits: Counter[tuple[str, str]] = Counter()
        self.authorization: list[str | None] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ScriptedHandler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        path = self.path.removeprefix("/api/v1")
        self.server.hits[(self.command, path)] += 1
        self.server.authorization.append(self.headers.get("Authorization"))
        if path == "/busy":
            self._send(503, "text/html", b"<html><h1>503 Service Unavailable</h1></html>")
        elif path == "/conflict":
            self._send(409, "application/json", json.dumps({
                "code": "invalid_transition", "message": "Closed tickets cannot move.",
                "field": "status"}).encode())
        elif path == "/moved":
            self.send_response(302)
            self.send_header("Location", "http://elsewhere.example/api/v1/moved")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/html":
            self._send(200, "text/html", b"<html>a captive portal</html>")
        else:
            self._send(200, "application/json", b'{"ok": true}')

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_json_errors_keep_code_message_field_and_status(scripted: ScriptedServer) -> None:
    with fast_client(scripted.url, "tok") as client, \
            pytest.raises(ServerError) as info:
        client.get_json("/conflict")
    error = info.value
    assert (error.code, error.message, error.field, error.status) == (
        "invalid_transition", "Closed tickets cannot move.", "status", 409)
    assert scripted.authorization == ["Bearer tok"]


def test_idempotent_requests_are_retried_and_posts_are_not(scripted: ScriptedServer) -> None:
    with fast_client(scripted.url, retries=2) as client:
        with pytest.raises(ServerError) as get_error:
            client.get_json("/busy")
        with pytest.raises(ServerError) as post_error:
            client.post_json("/busy", {"command": "close"})
    assert scripted.hits[("GET", "/busy")] == 3
    assert scripted.hits[("POST", "/busy")] == 1
    # A proxy's HTML page still becomes the one error shape, with its status.
    assert (post_error.value.code, post_error.value.status) == ("http_error", 503)
    assert "503" in get_error.value.message


def test_a_redirect_is_not_followed_with_the_token(scripted: ScriptedServer) -> None:
    with fast_client(scripted.url, "tok") as client, \
            pytest.raises(ServerError, match=r"redirects to http://elsewhere\.example"):
        client.get_json("/moved")


def test_a_non_json_success_is_not_taken_for_an_answer(scripted: ScriptedServer) -> None:
    with fast_client(scripted.url) as client, \
            pytest.raises(ServerError, match="does not look like a DesktopDesk server"):
        client.get_json("/html")


def test_a_refused_connection_is_unreachable_not_a_crash() -> None:
    url = closed_loopback_url()
    with fast_client(url) as client, pytest.raises(ServerUnreachable) as info:
        client.me()
    assert info.value.url == url
    assert "refused" in info.value.reason


def test_a_server_that_never_answers_is_unreachable_after_the_read_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel accepts the connection; nobody ever answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with fast_client(url, retries=0) as client, \
                pytest.raises(ServerUnreachable, match="did not answer in time"):
            client.get_json("/me")


@pytest.mark.parametrize(("given", "expected"), [
    ("https://Desk.Example.org/", "https://desk.example.org"),
    ("  http://127.0.0.1:8470  ", "http://127.0.0.1:8470"),
    ("https://example.org/helpdesk/api/v1/", "https://example.org/helpdesk"),
    ("HTTP://[::1]:8470", "http://[::1]:8470"),
])
def test_server_urls_are_normalised(given: str, expected: str) -> None:
    assert normalise_server_url(given) == expected


@pytest.mark.parametrize(("given", "complaint"), [
    ("ftp://desk.example.org", "http:// or https://"),
    ("desk.example.org", "http:// or https://"),
    ("https://", "no host name"),
    ("https://ramon:secret@desk.example.org", "leave the username and password out"),
    ("https://desk.example.org:99999", "not a valid URL"),
    ("https://desk.example.org/?next=1", "query"),
])
def test_bad_server_urls_say_what_is_wrong(given: str, complaint: str) -> None:
    with pytest.raises(BadServerUrlError, match=complaint):
        normalise_server_url(given)


def test_plain_http_is_flagged_except_on_loopback() -> None:
    assert sends_secrets_in_clear("http://desk.example.org")
    assert not sends_secrets_in_clear("https://desk.example.org")
    assert not sends_secrets_in_clear("http://127.0.0.1:8470")
    assert not sends_secrets_in_clear("http://localhost:8470")
