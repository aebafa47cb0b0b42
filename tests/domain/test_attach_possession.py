"""AttachFile from a remote actor (the server's push and REST): knowing a hash is not
enough, the actor must have sent the bytes or already see them."""

from __future__ import annotations

import uuid

import pytest

from desktopdesk.domain.commands import AddWorkunit, AttachFile
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.models import Attachment
from desktopdesk.server.blob_receipts import UserReceipts
from tests.conftest import Org
from tests.domain.support import new_ticket, reading

SECRET = b"salaries 2026.xlsx, but pretend"


def attach_remotely(org: Org, actor: uuid.UUID, ticket_id: uuid.UUID, sha256: str,
                    size: int, workunit_id: uuid.UUID | None = None) -> AttachFile:
    """What the server does with an AttachFile that came over the network."""
    command = AttachFile(ticket_id=ticket_id, file_name="copy.xlsx", size=size,
                         sha256=sha256, workunit_id=workunit_id)
    org.ws.execute(command, actor, now=org.now, remote_actor=True)
    return command


def refusal(org: Org, actor: uuid.UUID, ticket_id: uuid.UUID, sha256: str,
            size: int) -> DomainError:
    with pytest.raises(DomainError) as info:
        attach_remotely(org, actor, ticket_id, sha256, size)
    return info.value


def test_a_hash_alone_is_refused_and_the_refusal_tells_nothing(org: Org) -> None:
    stored = org.ws.blobs.put_bytes(SECRET)  # Ana's upload, say
    javis_ticket = new_ticket(org, org.javi, org.support)
    never_stored = "0" * 64

    error = refusal(org, org.javi, javis_ticket, stored.sha256, stored.size)
    assert (error.code, error.field) == (VALIDATION, "sha256")
    assert "has not received the contents of 'copy.xlsx' from you" in error.message
    # Same answer for bytes the server does not have, and whatever size is claimed: a
    # size check before the proof would confirm the file exists.
    for sha256, size in ((never_stored, stored.size), (stored.sha256, stored.size + 1)):
        other = refusal(org, org.javi, javis_ticket, sha256, size)
        assert (other.code, other.message, other.field) == (
            error.code, error.message, error.field)
    with reading(org) as session:
        assert session.query(Attachment).count() == 0


def test_a_receipt_is_proof(org: Org) -> None:
    stored = org.ws.blobs.put_bytes(SECRET)
    javis_ticket = new_ticket(org, org.javi, org.support)
    UserReceipts(org.ws.sessions, org.javi).record(stored.sha256)

    with pytest.raises(DomainError, match=f"stored file has {stored.size}"):
        attach_remotely(org, org.javi, javis_ticket, stored.sha256, stored.size + 1)
    command = attach_remotely(org, org.javi, javis_ticket, stored.sha256, stored.size)

    with reading(org) as session:
        assert session.get(Attachment, command.attachment_id) is not None


def test_seeing_an_attachment_with_the_bytes_is_proof(org: Org) -> None:
    """Copying a file one can already download to another ticket needs no upload."""
    stored = org.ws.blobs.put_bytes(SECRET)
    anas_ticket = new_ticket(org, org.ana)
    org.do(AttachFile(ticket_id=anas_ticket, file_name="s.xlsx", size=stored.size,
                      sha256=stored.sha256), org.ana)
    support_ticket = new_ticket(org, org.tomas, org.support)
    javis_ticket = new_ticket(org, org.javi, org.support)

    refusal(org, org.javi, javis_ticket, stored.sha256, stored.size)  # Support only
    attach_remotely(org, org.tomas, support_ticket, stored.sha256, stored.size)  # sees it
    # Tomás put a copy where Support looks: now Javi sees the file, and may copy it on.
    attach_remotely(org, org.javi, javis_ticket, stored.sha256, stored.size)


def test_a_file_on_a_hidden_workunit_is_not_seen(org: Org) -> None:
    stored = org.ws.blobs.put_bytes(SECRET)
    ticket_id = new_ticket(org, org.ana)
    note = AddWorkunit(ticket_id=ticket_id, text_html="<p>log</p>", is_private=True)
    org.do(note, org.tomas)
    org.do(AttachFile(ticket_id=ticket_id, file_name="s.xlsx", size=stored.size,
                      sha256=stored.sha256, workunit_id=note.workunit_id), org.tomas)

    # Ana sees the ticket but not Tomás's private note, nor therefore its file.
    refusal(org, org.ana, ticket_id, stored.sha256, stored.size)
    attach_remotely(org, org.tomas, ticket_id, stored.sha256, stored.size)


def test_on_a_local_store_the_blob_folder_is_proof_enough(org: Org) -> None:
    """A desktop (or the server's own seeding) attaches what its store holds."""
    stored = org.ws.blobs.put_bytes(SECRET)
    ticket_id = new_ticket(org, org.javi, org.support)
    result = org.do(AttachFile(ticket_id=ticket_id, file_name="s.xlsx", size=stored.size,
                               sha256=stored.sha256), org.javi)
    assert result.created_id is not None
