"""Attachments over REST: streamed uploads, size limits, hostile names, guarded downloads."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import random
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from desktopdesk.domain.commands import AddWorkunit, ChangeSetting
from desktopdesk.models import Attachment
from desktopdesk.server.app import create_app
from desktopdesk.server.config import ServerConfig
from desktopdesk.server.deps import ServerState
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import API, FakeClock, login, run_as, ticket_id

MIB = 1024 * 1024
BOUNDARY = "----desktopdesk-test-boundary"
SHA_PATH = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}")


def payload(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def form(file_name: str | None, data: bytes, *, content_type: str = "application/octet-stream",
         fields: dict[str, str] | None = None, close: bool = True) -> bytes:
    """A multipart body written by hand, so a test controls every byte of the header."""
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in (fields or {}).items()]
    if file_name is not None:
        quoted = file_name.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                     f'filename="{quoted}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                     + data + b"\r\n")
    return b"".join(parts) + (f"--{BOUNDARY}--\r\n".encode() if close else b"")


def upload(client: TestClient, headers: dict[str, str], number: int, body: bytes | Any,
           **extra: str) -> Any:
    return client.post(f"{API}/tickets/{number}/attachments", content=body, headers={
        **headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **extra})


def stored_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def attachment_count(store: Workspace) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(Attachment)) or 0


def test_an_upload_downloads_byte_for_byte_with_its_checksum(
    client: TestClient, server_store: Workspace
) -> None:
    headers = login(client, "tomas")
    data = payload(300_000)
    name = "Übersicht «Q1» 2026.pdf"
    response = client.post(f"{API}/tickets/20/attachments", headers=headers,
                           files={"file": (name, data, "application/pdf")},
                           data={"description": "The quarter's figures"})
    assert response.status_code == 201, response.text
    meta = response.json()
    sha256 = hashlib.sha256(data).hexdigest()
    assert meta["sha256"] == sha256
    assert (meta["file_name"], meta["size"], meta["mime_type"]) == (name, len(data),
                                                                    "application/pdf")
    assert (meta["uploader"], meta["description"], meta["workunit"]) == (
        "tomas", "The quarter's figures", None)
    assert response.headers["location"] == meta["url"]
    assert meta in client.get(f"{API}/tickets/20/attachments", headers=headers).json()
    assert (server_store.blobs.root / sha256[:2] / sha256[2:4] / sha256).read_bytes() == data

    download = client.get(meta["url"], headers=headers)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == sha256
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-length"] == str(len(data))
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["repr-digest"] == (
        f"sha-256=:{base64.b64encode(bytes.fromhex(sha256)).decode()}:")
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert encoded is not None
    assert unquote(encoded.group(1)) == name
    assert 'filename="_bersicht _Q1_ 2026.pdf"' in disposition  # the ASCII fallback


def test_the_type_is_guessed_from_the_name_when_the_client_does_not_say(
    client: TestClient
) -> None:
    response = upload(client, login(client, "tomas"), 20, form("notes.txt", b"hello"))
    assert response.json()["mime_type"] == "text/plain"


@pytest.mark.parametrize(("raw_name", "shown"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\win.ini", "win.ini"),
    ("/etc/shadow", "shadow"),
    ("C:\\Users\\me\\report.txt", "report.txt"),
    ('say "hi"\tnow.txt', 'say "hi"now.txt'),
])
def test_hostile_file_names_are_display_names_only(
    client: TestClient, server_store: Workspace, server_dir: Path, raw_name: str, shown: str
) -> None:
    headers = login(client, "tomas")
    response = upload(client, headers, 20, form(raw_name, b"root:x:0:0"))
    assert response.status_code == 201, response.text
    assert response.json()["file_name"] == shown
    for path in stored_files(server_store.blobs.root):
        assert SHA_PATH.fullmatch(path), path
    assert not (server_dir.parent / "etc").exists()
    assert not (server_dir / "etc").exists()

    disposition = client.get(response.json()["url"], headers=headers).headers[
        "content-disposition"]
    fallback = re.search(r'filename="([^"]*)"', disposition)
    assert fallback is not None
    assert "/" not in fallback.group(1)
    assert "\\" not in fallback.group(1)
    encoded = re.search(r"filename\*=UTF-8''(\S+)$", disposition)
    assert encoded is not None
    assert unquote(encoded.group(1)) == shown


@pytest.mark.parametrize("raw_name", ["..", "", "../"])
def test_a_file_without_a_usable_name_is_refused(
    client: TestClient, server_store: Workspace, raw_name: str
) -> None:
    response = upload(client, login(client, "tomas"), 20, form(raw_name, b"data"))
    assert (response.status_code, response.json()["field"]) == (422, "file")
    assert attachment_count(server_store) == 11


@pytest.fixture
def small_server(server_config: ServerConfig, clock: FakeClock
                 ) -> Iterator[tuple[TestClient, Workspace]]:
    """The demo server with ``[attachments] max_mb = 1``."""
    app = create_app(dataclasses.replace(server_config, max_attachment_mb=1), clock=clock)
    with TestClient(app) as test_client:
        state = app.state.server
        assert isinstance(state, ServerState)
        yield test_client, state.workspace


def test_a_file_at_the_limit_is_accepted(small_server: tuple[TestClient, Workspace]) -> None:
    client, _ = small_server
    response = upload(client, login(client, "tomas"), 20, form("a.bin", payload(MIB)))
    assert response.status_code == 201, response.text
    assert response.json()["size"] == MIB


def chunked(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]


@pytest.mark.parametrize("how", ["just over", "far over", "chunked, no length"])
def test_an_oversize_upload_is_refused_and_nothing_is_kept(
    small_server: tuple[TestClient, Workspace], how: str
) -> None:
    """Just over: caught while streaming; far over: by its Content-Length, unread;
    chunked: no length declared, caught while streaming."""
    client, store = small_server
    headers = login(client, "tomas")
    before = stored_files(store.blobs.root)
    size = 2 * MIB if how == "far over" else MIB + 1
    body: bytes | Iterator[bytes] = form("big.bin", payload(size))
    if how.startswith("chunked"):
        body = chunked(body)  # type: ignore[arg-type]
    response = upload(client, headers, 20, body)
    assert response.status_code == 413, response.text
    assert response.json() == {"code": "too_large", "field": "file",
                               "message": "The file is larger than the 1 MB limit."}
    assert stored_files(store.blobs.root) == before  # not even a temporary file
    assert attachment_count(store) == 11


def test_the_workspace_setting_can_lower_the_limit(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    run_as(server_store, "admin", ChangeSetting(key="max_attachment_mb", value=1), clock)
    response = upload(client, login(client, "tomas"), 20, form("big.bin", payload(MIB + 1)))
    assert (response.status_code, response.json()["code"]) == (413, "too_large")


@pytest.fixture
def internal_file(client: TestClient, server_store: Workspace, clock: FakeClock
                  ) -> dict[str, Any]:
    """A file on an internal note of #22, which Ana (its creator) may not see."""
    note = run_as(server_store, "tomas", AddWorkunit(
        ticket_id=ticket_id(server_store, 22), text_html="<p>Driver dump</p>",
        is_internal=True), clock).created_id
    response = upload(client, login(client, "tomas"), 22,
                      form("dump.txt", b"secret", fields={"workunit": str(note)}))
    assert response.status_code == 201, response.text
    assert response.json()["workunit"] == str(note)
    return dict(response.json())


def test_a_file_on_a_hidden_workunit_is_as_hidden_as_the_workunit(
    client: TestClient, internal_file: dict[str, Any]
) -> None:
    ana, bob = login(client, "acme.ana"), login(client, "acme.bob")
    listed = client.get(f"{API}/tickets/22/attachments", headers=ana).json()
    assert internal_file["id"] not in {a["id"] for a in listed}
    hidden = client.get(internal_file["url"], headers=ana)
    missing = client.get(f"{API}/tickets/22/attachments/{uuid.uuid4()}", headers=ana)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert hidden.json() == {"code": "not_found", "message": "Attachment not found.",
                             "field": "attachment_id"}
    assert client.get(internal_file["url"], headers=bob).content == b"secret"  # not creator
    elsewhere = client.get(
        f"{API}/tickets/40/attachments/{internal_file['id']}", headers=bob)
    assert elsewhere.status_code == 404  # the id only works under its own ticket


def test_a_file_cannot_be_hung_on_a_workunit_you_may_not_see(
    client: TestClient, internal_file: dict[str, Any], server_store: Workspace
) -> None:
    response = upload(client, login(client, "acme.ana"), 22,
                      form("x.txt", b"x", fields={"workunit": internal_file["workunit"]}))
    assert (response.status_code, response.json()["field"]) == (422, "workunit")
    assert response.json()["message"] == "That workunit is not on this ticket."
    assert attachment_count(server_store) == 12


@pytest.mark.parametrize(("body", "content_type", "http", "field"), [
    (b'{"file": "x"}', "application/json", 415, None),
    (form(None, b"", fields={"description": "no file"}), None, 422, "file"),
    (form("a.txt", b"x", fields={"evil": "1"}), None, 422, "evil"),
    (form("a.txt", b"x", fields={"workunit": "nope"}), None, 422, "workunit"),
    (form("a.txt", b"x", close=False), None, 422, "file"),
    (form("a.txt", b"x") .replace(f"--{BOUNDARY}--".encode(), b"")
     + form("b.txt", b"y"), None, 422, "file"),
    (b"garbage", None, 422, "file"),
])
def test_malformed_uploads_are_refused_and_nothing_is_attached(
    client: TestClient, server_store: Workspace, body: bytes, content_type: str | None,
    http: int, field: str | None
) -> None:
    headers = login(client, "tomas")
    extra = {"Content-Type": content_type} if content_type else {}
    response = upload(client, headers, 20, body, **extra)
    assert response.status_code == http, response.text
    assert response.json()["field"] == field
    assert attachment_count(server_store) == 11


def test_an_absurd_boundary_is_a_bad_request_not_a_crash(
    client: TestClient, server_store: Workspace
) -> None:
    response = upload(client, login(client, "tomas"), 20, b"x" * 10,
                      **{"Content-Type": f"multipart/form-data; boundary={'b' * 300}"})
    assert (response.status_code, response.json()["field"]) == (422, "file")
    assert attachment_count(server_store) == 11


def test_a_customer_may_not_attach_when_the_setting_forbids_it(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    run_as(server_store, "admin", ChangeSetting(key="external_users_may_modify", value=False),
           clock)
    before = stored_files(server_store.blobs.root)
    response = upload(client, login(client, "indie.carla"), 45, form("a.txt", b"unwanted"))
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert attachment_count(server_store) == 11
    assert stored_files(server_store.blobs.root) == before  # refused before reading it
