"""End to end over HTTP: a real server process, a desktop signing in, working offline,
syncing through the command line, and the server showing the result."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from desktopdesk import cli
from desktopdesk.domain.commands import AddWorkunit, AttachFile, CreateTicket
from desktopdesk.models import Attachment, BlobTransfer, Group, Ticket, User
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.blob_transfer import (
    CHUNK_SIZE,
    BlobUnavailableError,
    RemoteBlob,
    UploadOffsetError,
)
from desktopdesk.sync.client_http import ServerClient
from desktopdesk.sync.http_transport import HttpTransport

pytestmark = pytest.mark.usefixtures("demo_vault")


def api_token(url: str, username: str) -> dict[str, str]:
    answer = requests.post(f"{url}/api/v1/auth/token",
                           json={"username": username, "password": "demo"}, timeout=10)
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_desktop_syncs_offline_work_through_a_real_server(
        server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ana-laptop"
    assert cli.main(["--data-dir", str(folder), "login", server_url, "acme.ana"]) == 0
    assert cli.main(["--data-dir", str(folder), "sync"]) == 0
    headers = api_token(server_url, "acme.ana")
    visible = requests.get(f"{server_url}/api/v1/tickets", params={"status": "all",
                           "limit": 500}, headers=headers, timeout=10).json()["items"]
    with Workspace.open(folder) as desktop, desktop.read() as session:
        assert {t.number for t in session.scalars(select(Ticket))} == {
            t["number"] for t in visible}
        ana = session.scalar(select(User.id).where(User.username == "acme.ana"))
        acme = session.scalar(select(Group.id).where(Group.name == "Acme"))
    assert ana is not None
    assert acme is not None

    # Offline: a new ticket with a note, then sync.
    create = CreateTicket(title="Written with no network", group_id=acme)
    with Workspace.open(folder) as desktop:
        desktop.execute(create, ana)
        desktop.execute(AddWorkunit(ticket_id=create.ticket_id, text_html="<p>Photo to follow</p>"),
                        ana)
    capsys.readouterr()
    assert cli.main(["--data-dir", str(folder), "sync"]) == 0
    assert "2 applied" in capsys.readouterr().out

    with Workspace.open(folder) as desktop, desktop.read() as session:
        number = session.scalar(select(Ticket.number).where(Ticket.id == create.ticket_id))
    assert number is not None  # the server numbered it, and the desktop knows
    on_server = requests.get(f"{server_url}/api/v1/tickets/{number}", headers=headers,
                             timeout=10)
    assert on_server.status_code == 200
    assert on_server.json()["title"] == "Written with no network"
    notes = requests.get(f"{server_url}/api/v1/tickets/{number}/workunits", headers=headers,
                         timeout=10).json()
    assert any("Photo to follow" in w["text_html"] for w in notes)


def test_an_attachment_made_offline_travels_to_the_server_and_another_desktop(
        server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ana_folder, tomas_folder = tmp_path / "ana-laptop", tmp_path / "tomas-laptop"
    for folder, username in ((ana_folder, "acme.ana"), (tomas_folder, "tomas")):
        assert cli.main(["--data-dir", str(folder), "login", server_url, username]) == 0
        assert cli.main(["--data-dir", str(folder), "sync"]) == 0
    with Workspace.open(ana_folder) as desktop, desktop.read() as session:
        # The first sync brought the demo's files too, and their bytes check out.
        held = {a.sha256 for a in session.scalars(select(Attachment))}
        assert held
        assert all(desktop.blobs.verify(sha256) for sha256 in held)
        ana = session.scalar(select(User.id).where(User.username == "acme.ana"))
        acme = session.scalar(select(Group.id).where(Group.name == "Acme"))
    assert ana is not None
    assert acme is not None

    # Offline: a new ticket with a screenshot bigger than one upload chunk.
    data = random.Random(42).randbytes(CHUNK_SIZE + 12_345)
    create = CreateTicket(title="Screen goes blue", group_id=acme)
    with Workspace.open(ana_folder) as desktop:
        desktop.execute(create, ana)
        stored = desktop.blobs.put_bytes(data)
        desktop.execute(AttachFile(ticket_id=create.ticket_id, file_name="blue.png",
                                   size=stored.size, sha256=stored.sha256,
                                   mime_type="image/png"), ana)
    capsys.readouterr()
    assert cli.main(["--data-dir", str(ana_folder), "sync"]) == 0
    assert "2 applied" in capsys.readouterr().out

    with Workspace.open(ana_folder) as desktop, desktop.read() as session:
        number = session.scalar(select(Ticket.number).where(Ticket.id == create.ticket_id))
    headers = api_token(server_url, "acme.ana")
    (listed,) = requests.get(f"{server_url}/api/v1/tickets/{number}/attachments",
                             headers=headers, timeout=10).json()
    assert listed["sha256"] == stored.sha256
    downloaded = requests.get(f"{server_url}{listed['url']}", headers=headers, timeout=10)
    assert downloaded.content == data

    assert cli.main(["--data-dir", str(tomas_folder), "sync"]) == 0
    with Workspace.open(tomas_folder) as desktop:
        assert desktop.blobs.read_bytes(stored.sha256) == data
        with desktop.read() as session:
            transfer = session.get(BlobTransfer, stored.sha256)
        assert transfer is not None
        assert transfer.state == "present"


def test_the_http_transport_speaks_the_blob_endpoints(server_url: str) -> None:
    """Partial state, a refused offset and ranged reads through uvicorn, as the desktop
    sees them (headers on HEAD, errors mapped to the transfer's own)."""
    data = random.Random(7).randbytes(50_000)
    sha256 = hashlib.sha256(data).hexdigest()
    with ServerClient(server_url) as client:
        client.login("tomas", "demo")
        transport = HttpTransport(client)
        assert transport.blob_offset(sha256) == RemoteBlob(0, complete=False)
        assert transport.upload_chunk(sha256, 0, len(data), data[:20_000]) == RemoteBlob(
            20_000, complete=False)
        assert transport.blob_offset(sha256) == RemoteBlob(20_000, complete=False)
        with pytest.raises(UploadOffsetError):
            transport.upload_chunk(sha256, 0, len(data), data[:20_000])
        assert transport.upload_chunk(sha256, 20_000, len(data), data[20_000:]) == RemoteBlob(
            len(data), complete=True)
        assert transport.blob_offset(sha256) == RemoteBlob(len(data), complete=True)
        with pytest.raises(BlobUnavailableError):  # stored, but attached nowhere
            b"".join(transport.download(sha256, 0, len(data)))

        demo_file = next(a for t in client.get_json("/tickets", {"status": "all",
                                                                "limit": 500})["items"]
                         for a in client.get_json(f"/tickets/{t['number']}/attachments"))
        whole = client.request("GET", demo_file["url"].removeprefix("/api/v1")).content
        assert b"".join(transport.download(demo_file["sha256"], 0, len(whole))) == whole
        assert b"".join(transport.download(demo_file["sha256"], 10, 25)) == whole[10:35]
