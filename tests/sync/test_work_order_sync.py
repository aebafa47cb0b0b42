"""A field technician's work order, end to end over HTTP: printed and validated offline
with three photos of the signed paper, then synced; the server holds both files and the
team lead's desktop sees the work order validated, by whom and when."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
import requests
from PIL import Image
from sqlalchemy import select

from desktopdesk import cli
from desktopdesk.documents.scans import inspect_scan, pages_of
from desktopdesk.documents.work_order_queries import ticket_work_orders
from desktopdesk.documents.work_orders import generate_work_order, validate_work_order
from desktopdesk.domain.acl import load_permissions
from desktopdesk.models import Ticket, User, WorkOrder
from desktopdesk.store.workspace import Workspace

pytestmark = pytest.mark.usefixtures("demo_vault")


def photo(colour: str) -> bytes:
    """A phone photo of a page, portrait, with EXIF saying it was held sideways."""
    image = Image.new("RGB", (2000, 1500), colour)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show upright
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def test_a_work_order_signed_offline_reaches_the_server_and_the_team_lead(
        server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tomas_folder, ramon_folder = tmp_path / "tomas-laptop", tmp_path / "ramon-desk"
    for folder, username in ((tomas_folder, "tomas"), (ramon_folder, "ramon")):
        assert cli.main(["--data-dir", str(folder), "login", server_url, username]) == 0
        assert cli.main(["--data-dir", str(folder), "sync"]) == 0

    # At the customer's, with no network: print, get it signed, photograph three pages.
    with Workspace.open(tomas_folder) as laptop:
        with laptop.read() as session:
            tomas = session.scalar(select(User.id).where(User.username == "tomas"))
            ticket_id, number = session.execute(
                select(Ticket.id, Ticket.number).order_by(Ticket.number).limit(1)).one()
        assert tomas is not None
        printed = generate_work_order(laptop, tomas, ticket_id)
        scans = [inspect_scan(f"IMG_{n}.jpg", photo(colour))
                 for n, colour in enumerate(("white", "ivory", "lightgrey"), start=1)]
        validated = validate_work_order(laptop, tomas, printed.work_order_id,
                                        [page for scan in scans for page in pages_of(scan)])
    assert validated.page_count == 3

    capsys.readouterr()
    assert cli.main(["--data-dir", str(tomas_folder), "sync"]) == 0
    assert "2 applied" in capsys.readouterr().out

    # The server has both files, and the signed one is the three upright pages.
    token = requests.post(f"{server_url}/api/v1/auth/token",
                          json={"username": "ramon", "password": "demo"}, timeout=10)
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    listed = {a["file_name"]: a for a in requests.get(
        f"{server_url}/api/v1/tickets/{number}/attachments", headers=headers,
        timeout=10).json()}
    assert printed.document.file_name in listed
    signed = requests.get(f"{server_url}{listed[validated.file_name]['url']}",
                          headers=headers, timeout=10).content
    pages = pypdf.PdfReader(io.BytesIO(signed)).pages
    assert len(pages) == 3
    assert all(page.mediabox.height > page.mediabox.width for page in pages)

    # The team lead's desktop: the work order, validated by Tomás when he did it.
    assert cli.main(["--data-dir", str(ramon_folder), "sync"]) == 0
    with Workspace.open(ramon_folder) as desk, desk.read() as session:
        ramon = session.scalar(select(User.id).where(User.username == "ramon"))
        assert ramon is not None
        [row] = ticket_work_orders(session, load_permissions(session, ramon), ticket_id)
        stored = session.get(WorkOrder, printed.work_order_id)
        assert stored is not None
        assert row.validated
        assert row.validated_by is not None
        assert row.validated_by.startswith("Tom")
        assert row.signed_sha256 is not None
        assert desk.blobs.read_bytes(row.signed_sha256) == signed
        assert stored.validated_at is not None
        assert stored.validated_at >= stored.generated_at
