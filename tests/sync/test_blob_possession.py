"""Proof of possession over HTTP: knowing a blob's SHA-256 (and size) neither tells
whether the server has it nor lets anyone attach it; sending the bytes does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from desktopdesk.domain.commands import AttachFile
from desktopdesk.models import Attachment, BlobReceipt, SyncMutation, Ticket
from desktopdesk.server.app import create_app
from desktopdesk.server.config import AuthSettings, ServerConfig
from desktopdesk.server.deps import ServerState
from desktopdesk.store.engine import sqlite_url
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.server.conftest import API, FAST_ARGON2, FakeClock
from tests.sync.test_blobs_server import PASSWORD, Server, data_of, patch, sha, url

SECRET = data_of(20_000, seed=42)
NEVER_STORED = data_of(20_000, seed=43)  # same size, bytes nobody sent


@pytest.fixture
def server(org: Org) -> Iterator[Server]:
    config = ServerConfig(data_dir=org.ws.data_dir, db_url=sqlite_url(org.ws.db_path),
                          auth=AuthSettings(argon2=FAST_ARGON2))
    app = create_app(config, clock=FakeClock(org.now))
    with TestClient(app) as client:
        state = app.state.server
        assert isinstance(state, ServerState)
        for user in (org.tomas, org.ana, org.javi):
            state.auth.set_password(user, PASSWORD)
        yield Server(client, state, org)


def number_of(org: Org, ticket_id: uuid.UUID) -> int:
    with org.ws.read() as session:
        found = session.get(Ticket, ticket_id)
        assert found is not None
        assert found.number is not None
        return found.number


def rest_upload(server: Server, headers: dict[str, str], ticket_id: uuid.UUID,
                data: bytes) -> Any:
    return server.client.post(
        f"{API}/tickets/{number_of(server.org, ticket_id)}/attachments", headers=headers,
        files={"file": ("figures.xlsx", data, "application/vnd.ms-excel")})


def push_attach(server: Server, headers: dict[str, str], ticket_id: uuid.UUID,
                data: bytes) -> tuple[AttachFile, dict[str, Any]]:
    """What a hand-made client can send: an AttachFile naming a hash, no bytes."""
    command = AttachFile(ticket_id=ticket_id, file_name="copy.xlsx", size=len(data),
                         sha256=sha(data))
    answer = server.client.post(f"{API}/sync/push", headers=headers, json={
        "client_id": str(uuid.uuid4()),
        "mutations": [{"mutation_id": 1, "command": command.to_json()}]})
    assert answer.status_code == 200, answer.text
    (result,) = answer.json()["results"]
    return command, result


def attachment_exists(org: Org, attachment_id: uuid.UUID) -> bool:
    with org.ws.read() as session:
        return session.get(Attachment, attachment_id) is not None


@pytest.fixture
def anas_secret(server: Server) -> uuid.UUID:
    """Ana's ticket with the secret attached through the REST upload; Javi (Support
    only) cannot see it. Returns the ticket."""
    ticket_id = new_ticket(server.org, server.org.ana)
    assert rest_upload(server, server.headers("acme.ana"), ticket_id,
                       SECRET).status_code == 201
    return ticket_id


def answers(server: Server, headers: dict[str, str], data: bytes) -> list[Any]:
    """Everything the blob routes tell about ``data`` without its bytes being sent."""
    head = server.client.head(url(sha(data)), headers=headers)
    empty_chunk = patch(server, headers, sha(data), 0, len(data), b"")
    guess = server.client.put(url(sha(data)), content=b"a guess", headers=headers)
    download = server.client.get(url(sha(data)), headers=headers)
    return [
        (head.status_code, {k: v for k, v in head.headers.items() if k.startswith("upload")}),
        (empty_chunk.status_code, {**empty_chunk.json(), "sha256": "-"}),
        (guess.status_code, guess.json()["code"]),
        (download.status_code, download.json()),
    ]


def test_a_hash_alone_cannot_tell_whether_the_server_has_the_file(
        server: Server, anas_secret: uuid.UUID) -> None:
    javi = server.headers("javi")
    assert server.org.ws.blobs.size_of(sha(SECRET)) == len(SECRET)

    told = answers(server, javi, SECRET)

    assert told == answers(server, javi, NEVER_STORED)
    assert told[0][0] == 404  # HEAD: no upload of Javi's, not "complete"
    assert told[1] == (200, {"sha256": "-", "offset": 0, "length": len(SECRET),
                             "complete": False})
    assert told[2] == (422, "hash_mismatch")  # the guess was read and checked, not waved by
    assert told[3][0] == 404
    assert server.org.ws.blobs.read_bytes(sha(SECRET)) == SECRET  # untouched


def test_a_hash_alone_cannot_attach_the_file_over_sync(
        server: Server, anas_secret: uuid.UUID) -> None:
    org = server.org
    javis_ticket = new_ticket(org, org.javi, org.support)

    command, result = push_attach(server, server.headers("javi"), javis_ticket, SECRET)

    assert result["outcome"] == "rejected"
    assert result["code"] == "validation"
    assert "has not received the contents of 'copy.xlsx' from you" in result["message"]
    assert not attachment_exists(org, command.attachment_id)
    with org.ws.read() as session:
        (recorded,) = session.scalars(select(SyncMutation).where(
            SyncMutation.command_id == command.command_id))
    assert (recorded.outcome, recorded.code) == ("rejected", "validation")
    assert server.client.get(url(sha(SECRET)), headers=server.headers("javi")).status_code == 404


def test_sending_the_bytes_earns_the_right_to_attach_them(
        server: Server, anas_secret: uuid.UUID) -> None:
    org = server.org
    javi = server.headers("javi")
    javis_ticket = new_ticket(org, org.javi, org.support)

    first = patch(server, javi, sha(SECRET), 0, len(SECRET), SECRET[:5000])
    assert (first.json()["offset"], first.json()["complete"]) == (5000, False)
    done = patch(server, javi, sha(SECRET), 5000, len(SECRET), SECRET[5000:])
    assert done.json()["complete"] is True
    head = server.client.head(url(sha(SECRET)), headers=javi)
    assert head.headers["Upload-Complete"] == "?1"
    again = server.client.put(url(sha(SECRET)), content=b"not read", headers=javi)
    assert again.status_code == 200  # now a no-op: Javi has sent it

    command, result = push_attach(server, javi, javis_ticket, SECRET)

    assert result["outcome"] == "applied"
    assert attachment_exists(org, command.attachment_id)
    download = server.client.get(url(sha(SECRET)), headers=javi)
    assert download.content == SECRET
    with org.ws.read() as session:
        holders = set(session.scalars(select(BlobReceipt.user_id).where(
            BlobReceipt.sha256 == sha(SECRET))))
    assert holders == {org.ana, org.javi}


def test_a_rest_upload_is_a_receipt_too(server: Server, anas_secret: uuid.UUID) -> None:
    org = server.org
    javi = server.headers("javi")
    javis_ticket = new_ticket(org, org.javi, org.support)
    assert server.client.head(url(sha(SECRET)), headers=javi).status_code == 404

    assert rest_upload(server, javi, javis_ticket, SECRET).status_code == 201

    assert server.client.head(url(sha(SECRET)), headers=javi).headers[
        "Upload-Complete"] == "?1"
    _, result = push_attach(server, javi, new_ticket(org, org.javi, org.support), SECRET)
    assert result["outcome"] == "applied"


def test_who_sees_an_attachment_may_copy_it_without_sending_it(
        server: Server, anas_secret: uuid.UUID) -> None:
    org = server.org
    support_ticket = new_ticket(org, org.tomas, org.support)

    command, result = push_attach(server, server.headers("tomas"), support_ticket, SECRET)

    assert result["outcome"] == "applied"  # Tomás sees Ana's ticket, so the file
    assert attachment_exists(org, command.attachment_id)


def test_a_rest_attachment_download_honours_one_range(
        server: Server, anas_secret: uuid.UUID) -> None:
    ana = server.headers("acme.ana")
    number = number_of(server.org, anas_secret)
    (meta,) = server.client.get(f"{API}/tickets/{number}/attachments", headers=ana).json()
    whole = server.client.get(meta["url"], headers=ana)
    assert (whole.status_code, whole.content) == (200, SECRET)
    assert whole.headers["content-length"] == str(len(SECRET))
    assert whole.headers["content-type"] == "application/vnd.ms-excel"
    part = server.client.get(meta["url"], headers={**ana, "Range": "bytes=100-199"})
    assert (part.status_code, part.content) == (206, SECRET[100:200])
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(SECRET)}"
    beyond = server.client.get(meta["url"], headers={**ana, "Range": "bytes=99999-"})
    assert beyond.status_code == 416
