"""The /blobs endpoints over HTTP (TestClient): resumable upload, verification, limits,
ranged download, and who may download."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from desktopdesk.domain.commands import AddWorkunit, AttachFile
from desktopdesk.server.app import create_app
from desktopdesk.server.config import AuthSettings, ServerConfig
from desktopdesk.server.deps import ServerState
from desktopdesk.server.partial_uploads import PARTIAL_DIR
from desktopdesk.store.engine import sqlite_url
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.server.conftest import API, FAST_ARGON2, FakeClock, login

PASSWORD = "blob-test-password"
LIMIT_MB = 1
MIB = 1024 * 1024


@dataclass
class Server:
    client: TestClient
    state: ServerState
    org: Org

    def headers(self, username: str) -> dict[str, str]:
        return login(self.client, username, PASSWORD)

    @property
    def partial_files(self) -> list[Path]:
        folder = self.org.ws.data_dir / PARTIAL_DIR
        return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def server(org: Org) -> Iterator[Server]:
    """The small org's store served over HTTP (1 MB uploads at most), with passwords."""
    config = ServerConfig(data_dir=org.ws.data_dir, db_url=sqlite_url(org.ws.db_path),
                          auth=AuthSettings(argon2=FAST_ARGON2), max_attachment_mb=LIMIT_MB)
    app = create_app(config, clock=FakeClock(org.now))
    with TestClient(app) as client:
        state = app.state.server
        assert isinstance(state, ServerState)
        for user in (org.tomas, org.ana, org.javi, org.outsider):
            state.auth.set_password(user, PASSWORD)
        yield Server(client, state, org)


def data_of(size: int, seed: int = 5) -> bytes:
    return random.Random(seed).randbytes(size)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def url(sha256: str) -> str:
    return f"{API}/blobs/{sha256}"


def patch(server: Server, headers: dict[str, str], sha256: str, offset: int, length: int,
          chunk: bytes) -> Any:
    return server.client.patch(url(sha256), content=chunk, headers={
        **headers, "Upload-Offset": str(offset), "Upload-Length": str(length),
        "Content-Type": "application/offset+octet-stream"})


def attach(server: Server, data: bytes, *, private: bool = False) -> str:
    """Store ``data`` and attach it to a new Acme ticket of Ana's (on a private workunit
    of Tomás's when asked); returns its hash."""
    org = server.org
    stored = org.ws.blobs.put_bytes(data)
    ticket_id = new_ticket(org, org.ana)
    workunit_id = None
    if private:
        note = AddWorkunit(ticket_id=ticket_id, text_html="<p>log</p>", is_private=True)
        org.do(note, org.tomas)
        workunit_id = note.workunit_id
    org.do(AttachFile(ticket_id=ticket_id, file_name="f.bin", size=stored.size,
                      sha256=stored.sha256, workunit_id=workunit_id), org.tomas)
    return stored.sha256


def test_head_tells_unknown_in_progress_and_complete(server: Server) -> None:
    tomas, ana = server.headers("tomas"), server.headers("acme.ana")
    data = data_of(3000)
    assert server.client.head(url(sha(data)), headers=tomas).status_code == 404

    assert patch(server, tomas, sha(data), 0, 3000, data[:1000]).status_code == 200
    partial = server.client.head(url(sha(data)), headers=tomas)
    assert partial.status_code == 200
    assert partial.headers["Upload-Offset"] == "1000"
    assert partial.headers["Upload-Length"] == "3000"
    assert partial.headers["Upload-Complete"] == "?0"
    # Partial uploads are per user: Ana has none.
    assert server.client.head(url(sha(data)), headers=ana).status_code == 404

    done = patch(server, tomas, sha(data), 1000, 3000, data[1000:])
    assert done.json() == {"sha256": sha(data), "offset": 3000, "length": 3000,
                           "complete": True}
    complete = server.client.head(url(sha(data)), headers=tomas)
    assert complete.status_code == 200
    assert complete.headers["Content-Length"] == "3000"
    assert complete.headers["Upload-Complete"] == "?1"
    # Complete for Tomás only: Ana did not send it (test_blob_possession.py).
    assert server.client.head(url(sha(data)), headers=ana).status_code == 404


def test_an_upload_resumes_from_the_servers_offset(server: Server) -> None:
    tomas = server.headers("tomas")
    data = data_of(10_000)
    offset = 0
    for size in (4096, 4096, 1808):
        answer = patch(server, tomas, sha(data), offset, len(data), data[offset:offset + size])
        assert answer.status_code == 200, answer.text
        offset = int(answer.headers["Upload-Offset"])
    assert offset == len(data)
    assert server.org.ws.blobs.read_bytes(sha(data)) == data
    assert server.partial_files == []


def test_a_chunk_at_the_wrong_offset_gets_409_and_the_current_offset(server: Server) -> None:
    tomas = server.headers("tomas")
    data = data_of(5000)
    patch(server, tomas, sha(data), 0, 5000, data[:2000])
    for wrong in (0, 3000):
        answer = patch(server, tomas, sha(data), wrong, 5000, data[wrong:wrong + 1000])
        assert answer.status_code == 409
        assert answer.headers["Upload-Offset"] == "2000"
        assert answer.json()["code"] == "offset_mismatch"
    head = server.client.head(url(sha(data)), headers=tomas)
    assert head.headers["Upload-Offset"] == "2000"


def test_a_hash_mismatch_gets_422_and_nothing_is_stored(server: Server) -> None:
    tomas = server.headers("tomas")
    claimed, sent = data_of(4000, seed=1), data_of(4000, seed=2)
    patch(server, tomas, sha(claimed), 0, 4000, sent[:2500])
    answer = patch(server, tomas, sha(claimed), 2500, 4000, sent[2500:])
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "hash_mismatch"
    assert "nothing was stored" in body["message"]
    blobs = server.org.ws.blobs
    assert blobs.size_of(sha(claimed)) is None
    assert blobs.size_of(sha(sent)) is None
    assert server.partial_files == []
    assert server.client.head(url(sha(claimed)), headers=tomas).status_code == 404

    whole = server.client.put(url(sha(claimed)), content=sent, headers=tomas)
    assert whole.status_code == 422
    assert whole.json()["code"] == "hash_mismatch"
    assert blobs.size_of(sha(claimed)) is None
    assert server.partial_files == []


def test_oversize_uploads_get_413(server: Server) -> None:
    tomas = server.headers("tomas")
    big = data_of(LIMIT_MB * MIB + 1)
    answer = patch(server, tomas, sha(big), 0, len(big), big[:1000])
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large"
    assert server.client.put(url(sha(big)), content=big, headers=tomas).status_code == 413

    def streamed() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(big), 64 * 1024):
            yield big[start:start + 64 * 1024]

    answer = server.client.put(url(sha(big)), content=streamed(), headers=tomas)
    assert answer.status_code == 413
    assert server.org.ws.blobs.size_of(sha(big)) is None
    assert server.partial_files == []


def test_put_stores_a_small_blob_and_known_blobs_are_a_no_op(server: Server) -> None:
    tomas = server.headers("tomas")
    data = data_of(2000)
    first = server.client.put(url(sha(data)), content=data, headers=tomas)
    assert first.status_code == 201, first.text
    assert first.json()["complete"] is True
    assert server.org.ws.blobs.read_bytes(sha(data)) == data
    again = server.client.put(url(sha(data)), content=b"whatever", headers=tomas)
    assert again.status_code == 200
    assert again.json()["offset"] == 2000
    known = patch(server, tomas, sha(data), 0, 2000, b"")
    assert known.status_code == 200
    assert known.json()["complete"] is True
    assert server.partial_files == []


def test_downloads_support_a_byte_range(server: Server) -> None:
    data = data_of(5000)
    sha256 = attach(server, data)
    ana = server.headers("acme.ana")
    whole = server.client.get(url(sha256), headers=ana)
    assert whole.status_code == 200
    assert whole.content == data
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["ETag"] == f'"{sha256}"'
    for header, start, end in (("bytes=10-19", 10, 20), ("bytes=4990-", 4990, 5000),
                               ("bytes=-5", 4995, 5000), ("bytes=4000-9999", 4000, 5000)):
        part = server.client.get(url(sha256), headers={**ana, "Range": header})
        assert part.status_code == 206, header
        assert part.content == data[start:end]
        assert part.headers["Content-Range"] == f"bytes {start}-{end - 1}/5000"
        assert part.headers["Content-Length"] == str(end - start)
    for bad in ("bytes=5000-", "bytes=20-10", "bytes=-0", "bytes=x-y", "bytes=-"):
        refused = server.client.get(url(sha256), headers={**ana, "Range": bad})
        assert refused.status_code == 416, bad
        assert refused.headers["Content-Range"] == "bytes */5000"
        assert refused.json()["code"] == "range_not_satisfiable"
    ignored = server.client.get(url(sha256), headers={**ana, "Range": "items=0-1"})
    assert ignored.status_code == 200
    assert ignored.content == data


def test_only_people_who_see_an_attachment_with_the_hash_may_download(
        server: Server) -> None:
    on_ticket = attach(server, data_of(1000, seed=1))
    on_private_note = attach(server, data_of(1000, seed=2), private=True)
    uploaded_only = data_of(1000, seed=3)
    tomas, ana = server.headers("tomas"), server.headers("acme.ana")
    javi, outsider = server.headers("javi"), server.headers("outsider")
    assert server.client.put(url(sha(uploaded_only)), content=uploaded_only,
                             headers=tomas).status_code == 201
    missing = server.client.get(url(sha(b"never stored")), headers=tomas)
    assert missing.status_code == 404

    def status(headers: dict[str, str], sha256: str) -> int:
        answer = server.client.get(url(sha256), headers=headers)
        if answer.status_code == 404:  # exactly like a blob that does not exist
            assert answer.json() == missing.json()
        return answer.status_code

    assert status(ana, on_ticket) == 200
    assert status(tomas, on_ticket) == 200
    assert status(javi, on_ticket) == 404  # Support only: cannot see Acme's ticket
    assert status(outsider, on_ticket) == 404
    assert status(tomas, on_private_note) == 200  # his own private note
    assert status(ana, on_private_note) == 404  # sees the ticket, not the private note
    assert status(tomas, sha(uploaded_only)) == 404  # attached nowhere: nobody
    assert server.client.get(url(on_ticket)).status_code == 401


def test_a_digest_is_64_lowercase_hex_digits(server: Server) -> None:
    tomas = server.headers("tomas")
    for bad in ("A" * 64, "0" * 63, "0" * 65, "..%2F..%2Fserver.toml", "g" * 64):
        assert server.client.put(url(bad), content=b"x", headers=tomas).status_code in (
            404, 422), bad
        assert server.client.head(url(bad), headers=tomas).status_code in (404, 422), bad
    answer = server.client.put(url("A" * 64), content=b"x", headers=tomas)
    assert answer.status_code == 422
    assert server.partial_files == []
