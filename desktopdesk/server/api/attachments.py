"""A ticket's files: list, upload (multipart, streamed) and download.

A file on a workunit the caller may not see is as invisible as the workunit: not listed,
and 404 on download. Stored names are display names only; bytes live under their SHA-256.
An upload here is verified by construction (the server hashes what it receives), so it
gives the uploader a blob receipt, like the sync upload routes (``api.blobs``).
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import (
    Permissions,
    can_edit,
    load_permissions,
    visible_workunits_clause,
)
from desktopdesk.domain.commands import AttachFile
from desktopdesk.domain.errors import FORBIDDEN, NOT_FOUND, VALIDATION
from desktopdesk.domain.settings import EXTERNAL_USERS_MAY_MODIFY, MAX_ATTACHMENT_MB, get_setting
from desktopdesk.models import Attachment, Ticket, User, Workunit
from desktopdesk.server.api import API_PREFIX
from desktopdesk.server.api.blobs import blob_response, receipts_of
from desktopdesk.server.api.changes import run
from desktopdesk.server.api.models import TicketNumber
from desktopdesk.server.api.reads import visible_ticket
from desktopdesk.server.api.uploads import FILE_FIELD, MULTIPART, receive_upload
from desktopdesk.server.deps import ClockDep, ConfigDep, CurrentUser, StoreDep
from desktopdesk.server.errors import ApiError, error_responses

router = APIRouter(tags=["attachments"])

MEGABYTE = 1024 * 1024
_ATTACH_FIELDS = {"size": FILE_FIELD, "sha256": FILE_FIELD, "file_name": FILE_FIELD,
                  "mime_type": FILE_FIELD}


class AttachmentOut(BaseModel):
    id: uuid.UUID
    file_name: str = Field(description="A display name, never a path.")
    size: int
    sha256: str
    mime_type: str
    description: str
    uploader: str = Field(description="The uploader's username.")
    workunit: uuid.UUID | None
    created_at: dt.datetime
    url: str = Field(description="Where to download it.")


def attachment_url(number: int, attachment_id: uuid.UUID) -> str:
    return f"{API_PREFIX}/tickets/{number}/attachments/{attachment_id}"


def _visible_files(perms: Permissions, ticket: Ticket) -> ColumnElement[bool]:
    seen_workunits = select(Workunit.id).where(
        Workunit.ticket_id == ticket.id, visible_workunits_clause(perms, ticket))
    return (Attachment.ticket_id == ticket.id) & or_(
        Attachment.workunit_id.is_(None), Attachment.workunit_id.in_(seen_workunits))


def _files(session: Session, perms: Permissions, ticket: Ticket,
           attachment_id: uuid.UUID | None = None) -> list[AttachmentOut]:
    assert ticket.number is not None
    query = (select(Attachment, User.username)
             .join(User, User.id == Attachment.uploader_id)
             .where(_visible_files(perms, ticket))
             .order_by(Attachment.created_at, Attachment.id))
    if attachment_id is not None:
        query = query.where(Attachment.id == attachment_id)
    return [
        AttachmentOut(id=file.id, file_name=file.file_name, size=file.size, sha256=file.sha256,
                      mime_type=file.mime_type, description=file.description, uploader=uploader,
                      workunit=file.workunit_id, created_at=file.created_at,
                      url=attachment_url(ticket.number, file.id))
        for file, uploader in session.execute(query)
    ]


def attachment_not_found() -> ApiError:
    return ApiError(404, NOT_FOUND, "Attachment not found.", "attachment_id")


@router.get(
    "/tickets/{number}/attachments", response_model=list[AttachmentOut],
    summary="The files of a ticket you may see, oldest first",
    responses=error_responses(401, 404, 422),
)
def list_attachments(number: TicketNumber, store: StoreDep,
                     user_id: CurrentUser) -> list[AttachmentOut]:
    with store.read() as session:
        perms = load_permissions(session, user_id)
        return _files(session, perms, visible_ticket(session, perms, number))


_UPLOAD_BODY = {"requestBody": {"required": True, "content": {MULTIPART: {"schema": {
    "type": "object",
    "required": [FILE_FIELD],
    "properties": {
        FILE_FIELD: {"type": "string", "format": "binary",
                     "description": "The file; its name is kept for display only."},
        "description": {"type": "string"},
        "workunit": {"type": "string", "format": "uuid",
                     "description": "The workunit the file belongs to, if any."},
    },
}}}}}


@router.post(
    "/tickets/{number}/attachments", status_code=201, response_model=AttachmentOut,
    summary="Upload a file (multipart/form-data)",
    responses=error_responses(401, 403, 404, 409, 413, 415, 422),
    openapi_extra=_UPLOAD_BODY,
)
def upload_attachment(number: TicketNumber, request: Request, store: StoreDep,
                      user_id: CurrentUser, clock: ClockDep, config: ConfigDep,
                      response: Response) -> AttachmentOut:
    """The file is streamed to storage and hashed on the way; past the size limit the
    upload stops with 413 and nothing is kept. Once stored, the bytes count as received
    from the caller (a receipt) even if the attachment is then refused."""
    with store.read() as session:
        perms = load_permissions(session, user_id)
        ticket = visible_ticket(session, perms, number)
        # AttachFile checks this again; asking first spares reading (and keeping) a file
        # from someone who may not attach it.
        if not can_edit(perms, ticket, get_setting(session, EXTERNAL_USERS_MAY_MODIFY)):
            raise ApiError(403, FORBIDDEN, f"You may not add files to #{number}.")
        ticket_id = ticket.id
        limit = min(config.max_attachment_bytes,
                    get_setting(session, MAX_ATTACHMENT_MB) * MEGABYTE)
    received = receive_upload(request, store.blobs, limit)
    receipts_of(store, user_id, clock).record(received.blob.sha256)
    command = AttachFile(
        ticket_id=ticket_id, file_name=received.file_name, size=received.blob.size,
        sha256=received.blob.sha256, mime_type=received.mime_type,
        description=received.fields.get("description", ""),
        workunit_id=_workunit_id(received.fields.get("workunit", "")),
    )
    result = run(store, command, user_id, clock(), fields=_ATTACH_FIELDS)
    assert result.created_id is not None
    with store.read() as session:
        perms = load_permissions(session, user_id)
        found = _files(session, perms, visible_ticket(session, perms, number),
                       result.created_id)
    if not found:  # the ticket or workunit left the caller's sight meanwhile
        raise attachment_not_found()
    response.headers["Location"] = found[0].url
    return found[0]


def _workunit_id(text: str) -> uuid.UUID | None:
    if not text.strip():
        return None
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise ApiError(422, VALIDATION, "'workunit' must be a workunit's id.",
                       "workunit") from None


@router.get(
    "/tickets/{number}/attachments/{attachment_id}", response_class=Response,
    summary="Download a file",
    responses={200: {"content": {"application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"}}},
                     "description": "The file's bytes, with its own Content-Type."},
               206: {"description": "The requested range (Content-Range)."},
               **error_responses(401, 404, 416, 422)},
)
def download_attachment(number: TicketNumber, request: Request,
                        attachment_id: Annotated[uuid.UUID, Path()],
                        store: StoreDep, user_id: CurrentUser) -> Response:
    """Always served as a download (``Content-Disposition: attachment``, no sniffing), so
    an uploaded HTML page is never rendered as if it came from the server itself.
    ``Repr-Digest`` carries the SHA-256 (RFC 9530) for clients to check; one ``bytes``
    Range is honoured (206), as on ``GET /blobs/{sha256}``."""
    with store.read() as session:
        perms = load_permissions(session, user_id)
        ticket = visible_ticket(session, perms, number)
        file = session.scalar(select(Attachment).where(
            Attachment.id == attachment_id, _visible_files(perms, ticket)))
        if file is None:
            raise attachment_not_found()
        name, mime_type, sha256 = file.file_name, file.mime_type, file.sha256
    return blob_response(store, sha256, request.headers.get("range"), mime_type, {
        "Content-Disposition": content_disposition(name),
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{sha256}"',
        "Repr-Digest": f"sha-256=:{_base64_digest(sha256)}:",
        "Cache-Control": "private, no-cache",
    })


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the exact UTF-8 name (RFC 6266/8187)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _base64_digest(sha256_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")
