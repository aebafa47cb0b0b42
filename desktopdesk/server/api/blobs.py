"""Attachment bytes by SHA-256, for sync (sync.md, "Endpoints"): resumable upload, ranged
download.

Desktops attach files offline; before pushing the ``AttachFile`` they send the bytes here,
because the server's ``AttachFile`` refuses a blob the actor has not proved to hold.
Uploads are resumable (tus-like ``Upload-Offset``/``Upload-Length`` headers) so a flaky
link never starts a big file over, and verified against the hash before they reach the
blob store (``desktopdesk.server.partial_uploads``); a verified upload gives its user a
receipt (``desktopdesk.server.blob_receipts``).

Nothing here tells a user whether someone else has a file. A blob is "complete" for a
user only with their receipt; anyone else sees their own upload's progress (or 404) and
sends the bytes, which are verified and dropped if the store has them. Any signed-in user
may upload; downloading needs sight of at least one attachment with that hash, and anyone
else gets the same 404 as for a blob that does not exist.

Plain ``def`` routes: request bodies are pulled chunk by chunk from the event loop
(``uploads.body_chunks``) and written in a worker thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from desktopdesk.domain import acl
from desktopdesk.domain.errors import NOT_FOUND, VALIDATION
from desktopdesk.domain.handlers.files import sees_attachment_with
from desktopdesk.domain.settings import MAX_ATTACHMENT_MB, get_setting
from desktopdesk.models import utc_now
from desktopdesk.server.api.uploads import body_chunks
from desktopdesk.server.blob_receipts import UserReceipts
from desktopdesk.server.deps import ClockDep, ConfigDep, CurrentUser, StoreDep
from desktopdesk.server.errors import (
    HASH_MISMATCH,
    INTERNAL_ERROR,
    OFFSET_MISMATCH,
    RANGE_NOT_SATISFIABLE,
    TOO_LARGE,
    ApiError,
    error_responses,
)
from desktopdesk.server.partial_uploads import (
    PARTIAL_DIR,
    HashMismatchError,
    OffsetMismatchError,
    PartialUploads,
    TooLargeError,
    UploadError,
    UploadState,
)
from desktopdesk.store.workspace import Workspace

log = logging.getLogger("desktopdesk.server")
router = APIRouter(prefix="/blobs", tags=["blobs"])

MEGABYTE = 1024 * 1024
OCTET_STREAM = "application/octet-stream"
#: RFC 8941 booleans, as in the IETF resumable-uploads draft.
COMPLETE, INCOMPLETE = "?1", "?0"

Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$",
                             description="The blob's SHA-256, 64 lowercase hex digits.")]


class BlobStatus(BaseModel):
    sha256: str
    offset: int
    length: int
    complete: bool


# --- Plain functions (also used by the tests' in-process transport) -----------------------


def receipts_of(store: Workspace, user_id: uuid.UUID,
                now: Callable[[], dt.datetime] = utc_now) -> UserReceipts:
    """The caller's blob receipts, dated by ``now`` (the server's clock in routes)."""
    return UserReceipts(store.sessions, user_id, now)


def uploads_of(store: Workspace, user_id: uuid.UUID,
               now: Callable[[], dt.datetime] = utc_now) -> PartialUploads:
    """The caller's partial uploads, in a folder of the data dir beside (not in) the store,
    and their receipts (dated by ``now``)."""
    return PartialUploads(store.data_dir / PARTIAL_DIR, store.blobs, user_id,
                          receipts_of(store, user_id, now))


def upload_limit(session: Session, config_bytes: int | None = None) -> int:
    """The smaller of the server's configured limit and the administrators' setting."""
    setting = get_setting(session, MAX_ATTACHMENT_MB) * MEGABYTE
    return setting if config_bytes is None else min(config_bytes, setting)


def may_download(session: Session, user_id: uuid.UUID, sha256: str) -> bool:
    """True when the user sees an attachment with these bytes: its ticket, and its
    workunit if it has one (the same rule as listing the ticket's files)."""
    return sees_attachment_with(session, acl.load_permissions(session, user_id), sha256)


_RANGE = re.compile(r"\s*(\d*)\s*-\s*(\d*)\s*")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) of a single ``bytes=`` range, or None for the whole.

    Other units and multiple ranges are ignored (RFC 9110 lets a server send the whole);
    a bytes range that is malformed or outside the file raises 416.
    """
    if header is None:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _RANGE.fullmatch(spec)
    first, last = (match.group(1), match.group(2)) if match else ("", "")
    if first:
        start = int(first)
        end = min(int(last) + 1, size) if last else size
        if last and int(last) < start:
            raise _unsatisfiable(size)
    elif last:
        start, end = max(size - int(last), 0), size
        if int(last) == 0:
            raise _unsatisfiable(size)
    else:
        raise _unsatisfiable(size)
    if start >= size:
        raise _unsatisfiable(size)
    return start, end


def _unsatisfiable(size: int) -> ApiError:
    return ApiError(416, RANGE_NOT_SATISFIABLE, f"The range is not within the file's {size} "
                    "bytes; ask for bytes=start-end with start below the size.", "Range",
                    headers={"Content-Range": f"bytes */{size}"})


def blob_response(store: Workspace, sha256: str, range_header: str | None,
                  media_type: str, headers: dict[str, str]) -> Response:
    """Stream a blob the caller may read, whole or one ``bytes`` range (206).

    Only for bytes an attachment names: a missing blob is then a fault of the server
    (logged, 500), not a client's mistake.
    """
    size = store.blobs.size_of(sha256)
    if size is None:
        log.error("blob %s is attached but missing from the blob store", sha256)
        raise ApiError(500, INTERNAL_ERROR, "The file's contents are missing on the server; "
                                            "the error is logged.")
    span = byte_range(range_header, size)
    start, end = span or (0, size)
    headers = {**headers, "Content-Length": str(end - start), "Accept-Ranges": "bytes"}
    if span is not None:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    return StreamingResponse(store.blobs.open_range(sha256, start, end),
                             status_code=206 if span else 200, media_type=media_type,
                             headers=headers)


def _api_error(error: UploadError) -> ApiError:
    if isinstance(error, OffsetMismatchError):
        return ApiError(409, OFFSET_MISMATCH, str(error), "Upload-Offset",
                        headers={"Upload-Offset": str(error.current)})
    if isinstance(error, TooLargeError):
        return ApiError(413, TOO_LARGE, str(error), "Upload-Length")
    if isinstance(error, HashMismatchError):
        return ApiError(422, HASH_MISMATCH, str(error), "sha256")
    return ApiError(422, VALIDATION, str(error), "Upload-Length")


def _status(state: UploadState, status_code: int = 200) -> Response:
    body = BlobStatus(sha256=state.sha256, offset=state.offset, length=state.length,
                      complete=state.complete)
    return Response(body.model_dump_json(), status_code=status_code,
                    media_type="application/json", headers=_upload_headers(state))


def _upload_headers(state: UploadState) -> dict[str, str]:
    return {"Upload-Offset": str(state.offset), "Upload-Length": str(state.length),
            "Upload-Complete": COMPLETE if state.complete else INCOMPLETE,
            "Cache-Control": "no-store"}


def _limit(store: Workspace, config_bytes: int) -> int:
    with store.read() as session:
        return upload_limit(session, config_bytes)


# --- Routes -------------------------------------------------------------------------------


@router.head(
    "/{sha256}", response_class=Response,
    summary="Whether you have sent this blob, or how much of your upload the server holds",
    responses={200: {"description": "Complete: the server holds it and received it from you "
                                    "(Content-Length, `Upload-Complete: ?1`); or your upload "
                                    "in progress (`Upload-Offset`, `Upload-Complete: ?0`)."},
               **error_responses(401, 404, 422)},
)
def blob_status(sha256: Sha256, store: StoreDep, user_id: CurrentUser) -> Response:
    """404 when you have sent none of it, even if someone else has: send it from offset 0.
    (The bytes are verified and, if the server holds them already, dropped.)"""
    state = uploads_of(store, user_id).state(sha256)
    if state is None:
        raise ApiError(404, NOT_FOUND, "The server holds no such blob.", "sha256")
    headers = _upload_headers(state)
    if state.complete:
        headers.update({"Content-Length": str(state.length), "Accept-Ranges": "bytes"})
    return Response(status_code=200, headers=headers)


@router.patch(
    "/{sha256}", response_model=BlobStatus,
    summary="Append a chunk to a resumable upload (the last one verifies and stores it)",
    responses=error_responses(401, 409, 413, 422),
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}},
    }}},
)
def append_blob(sha256: Sha256, request: Request, store: StoreDep, user_id: CurrentUser,
                config: ConfigDep, clock: ClockDep,
                upload_offset: Annotated[int, Header(ge=0, description="Where this chunk "
                                                     "starts: the offset HEAD reported.")],
                upload_length: Annotated[int, Header(ge=0, description="The whole file's "
                                                     "size.")]) -> Response:
    """A chunk not at the server's offset answers 409 with the offset in ``Upload-Offset``;
    bytes of a chunk cut mid-way are kept. A blob you sent before is a no-op (200,
    complete); the last byte of a new upload verifies it and records your receipt."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and upload_offset + int(declared) > upload_length:
        raise ApiError(422, VALIDATION, "The chunk runs past Upload-Length.", "Upload-Length")
    uploads = uploads_of(store, user_id, clock)
    limit = _limit(store, config.max_attachment_bytes)
    body = body_chunks(request)
    try:
        state = uploads.append(sha256, upload_offset, upload_length, body, limit)
    except ClientDisconnect:
        raise ApiError(422, VALIDATION, "The chunk was interrupted; ask HEAD where to "
                                        "continue.", "Upload-Offset") from None
    except UploadError as error:
        raise _api_error(error) from None
    finally:
        body.close()
    return _status(state)


@router.put(
    "/{sha256}", response_model=BlobStatus, status_code=201,
    summary="Upload a whole (small) blob in one request",
    responses={200: {"model": BlobStatus, "description": "You sent it before: the body "
                                                          "was not read."},
               **error_responses(401, 413, 422)},
    openapi_extra={"requestBody": {"required": True, "content": {
        OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}}}},
)
def put_blob(sha256: Sha256, request: Request, store: StoreDep, user_id: CurrentUser,
             config: ConfigDep, clock: ClockDep) -> Response:
    """201 once the bytes are verified (stored, or dropped if the server had them) and
    your receipt recorded."""
    limit = _limit(store, config.max_attachment_bytes)
    uploads = uploads_of(store, user_id, clock)
    known = uploads.state(sha256)
    if known is not None and known.complete:
        return _status(known)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _api_error(TooLargeError(limit))
    body = body_chunks(request)
    try:
        created = uploads.put(sha256, body, limit)
    except ClientDisconnect:
        raise ApiError(422, VALIDATION, "The upload was interrupted; nothing was kept.",
                       "sha256") from None
    except UploadError as error:
        raise _api_error(error) from None
    finally:
        body.close()
    state = uploads.state(sha256)
    assert state is not None  # just stored (or stored by someone else meanwhile)
    return _status(state, 201 if created else 200)


@router.get(
    "/{sha256}", response_class=Response,
    summary="Download a blob (Range supported: one bytes range per request)",
    responses={200: {"content": {OCTET_STREAM: {"schema": {"type": "string",
                                                           "format": "binary"}}},
                     "description": "The bytes."},
               206: {"description": "The requested range (Content-Range)."},
               **error_responses(401, 404, 416, 422)},
)
def download_blob(sha256: Sha256, request: Request, store: StoreDep,
                  user_id: CurrentUser) -> Response:
    """Bytes never change under a hash, so the ETag is the hash and ``If-Range`` is moot."""
    with store.read() as session:
        allowed = may_download(session, user_id, sha256)
    if not allowed:
        raise ApiError(404, NOT_FOUND, "The server holds no such blob.", "sha256")
    return blob_response(store, sha256, request.headers.get("range"), OCTET_STREAM, {
        "ETag": f'"{sha256}"', "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "attachment", "Cache-Control": "private, no-cache"})
