"""AttachFile: metadata of bytes already in the blob store, checked against that store."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain.commands import AddWorkunit, AttachFile
from desktopdesk.domain.errors import VALIDATION
from desktopdesk.models import Attachment
from tests.conftest import Org
from tests.domain.support import history, new_ticket, reading, refused, ticket


def attachments(org: Org, ticket_id: uuid.UUID) -> list[Attachment]:
    with reading(org) as session:
        return list(session.scalars(select(Attachment).where(Attachment.ticket_id == ticket_id)))


def test_a_stored_file_is_attached_with_history(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    blob = org.ws.blobs.put_bytes(b"%PDF-1.7 invoice")
    later = org.now.replace(hour=12)

    org.do(AttachFile(ticket_id=ticket_id, file_name="invoice.pdf", size=blob.size,
                      sha256=blob.sha256, mime_type="Application/PDF",
                      description=" March "), org.ana, at=later)

    [stored] = attachments(org, ticket_id)
    assert (stored.file_name, stored.size, stored.sha256, stored.mime_type, stored.description,
            stored.uploader_id) == ("invoice.pdf", blob.size, blob.sha256, "application/pdf",
                                    "March", org.ana)
    [event] = history(org, ticket_id, "file_added")
    assert (event.actor_id, event.new_value) == (org.ana, "invoice.pdf")
    assert ticket(org, ticket_id).updated_at == later


@pytest.mark.parametrize(("typed", "kept"), [
    ("../../etc/passwd", "passwd"),
    ("/home/ana/report.txt", "report.txt"),
    ("C:\\Users\\ana\\Desktop\\evil.exe", "evil.exe"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("bad\x00name\n.txt", "badname.txt"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),  # no right-to-left trickery
])
def test_file_names_are_reduced_to_their_last_part(org: Org, typed: str, kept: str) -> None:
    ticket_id = new_ticket(org, org.ana)
    blob = org.ws.blobs.put_bytes(b"x")

    org.do(AttachFile(ticket_id=ticket_id, file_name=typed, size=blob.size, sha256=blob.sha256),
           org.ana)

    assert [a.file_name for a in attachments(org, ticket_id)] == [kept]


@pytest.mark.parametrize("typed", ["", "  ", "..", "dir/", "a/.."])
def test_a_file_needs_a_name(org: Org, typed: str) -> None:
    ticket_id = new_ticket(org, org.ana)
    blob = org.ws.blobs.put_bytes(b"x")

    error = refused(org, AttachFile(ticket_id=ticket_id, file_name=typed, size=blob.size,
                                    sha256=blob.sha256), org.ana, VALIDATION)
    assert error.field == "file_name"


def bad_attach(org: Org, ticket_id: uuid.UUID, case: str) -> AttachFile:
    blob = org.ws.blobs.put_bytes(b"twelve bytes")
    values: dict[str, Any] = {"ticket_id": ticket_id, "file_name": "notes.txt",
                              "size": blob.size, "sha256": blob.sha256}
    overrides: dict[str, dict[str, Any]] = {
        "size mismatch": {"size": blob.size + 1},
        "missing blob": {"sha256": "ab" * 32},
        "uppercase sha": {"sha256": blob.sha256.upper()},
        "short sha": {"sha256": blob.sha256[:40]},
        "path in sha": {"sha256": "../" + blob.sha256[3:]},
        "bad mime": {"mime_type": "text plain"},
        "foreign workunit": {"workunit_id": uuid.uuid4()},
    }
    values.update(overrides[case])
    return AttachFile(**values)


@pytest.mark.parametrize(("case", "field"), [
    ("size mismatch", "size"),
    ("missing blob", "sha256"),
    ("uppercase sha", "sha256"),
    ("short sha", "sha256"),
    ("path in sha", "sha256"),
    ("bad mime", "mime_type"),
    ("foreign workunit", "workunit_id"),
])
def test_attachments_that_do_not_match_the_store_are_refused(org: Org, case: str,
                                                             field: str) -> None:
    ticket_id = new_ticket(org, org.ana)

    error = refused(org, bad_attach(org, ticket_id, case), org.ana, VALIDATION)

    assert error.field == field
    assert attachments(org, ticket_id) == []
    assert history(org, ticket_id, "file_added") == []


def test_a_file_may_hang_off_a_workunit_of_the_same_ticket(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    other = new_ticket(org, org.ana)
    workunit_id = org.do(AddWorkunit(ticket_id=other, text_html="x"), org.ana).created_id
    blob = org.ws.blobs.put_bytes(b"x")

    refused(org, AttachFile(ticket_id=ticket_id, file_name="a", size=1, sha256=blob.sha256,
                            workunit_id=workunit_id), org.ana, VALIDATION)
    org.do(AttachFile(ticket_id=other, file_name="a", size=1, sha256=blob.sha256,
                      workunit_id=workunit_id), org.ana)
    assert [a.workunit_id for a in attachments(org, other)] == [workunit_id]


def test_a_file_cannot_hang_off_a_workunit_the_uploader_cannot_see(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    internal = org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>between us</p>",
                                  is_internal=True), org.ramon).created_id
    blob = org.ws.blobs.put_bytes(b"photo")

    error = refused(org, AttachFile(ticket_id=ticket_id, file_name="p.jpg", size=blob.size,
                                    sha256=blob.sha256, workunit_id=internal), org.ana,
                    VALIDATION)
    assert error.message == "That workunit is not on this ticket."
