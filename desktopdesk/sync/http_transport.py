"""The sync transport over HTTP: sync.md's meta, push and pull on the server's REST API,
and the blob endpoints (resumable upload, ranged download) around them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import requests

from desktopdesk.models import utc_now
from desktopdesk.sync.blob_transfer import (
    BlobRefusedError,
    BlobUnavailableError,
    RemoteBlob,
    UploadOffsetError,
)
from desktopdesk.sync.client_http import ServerClient, ServerError, ServerUnreachable
from desktopdesk.sync.meta import CLIENT_PROTOCOL, NEEDS_NEWER_APP, ProtocolRefusedError

PROTOCOL = CLIENT_PROTOCOL
API = "/sync"  # ServerClient prefixes /api/v1
BLOBS = "/blobs"
DOWNLOAD_CHUNK = 64 * 1024


class HttpTransport:
    """Push and pull through a signed-in ``ServerClient`` (errors surface as its own)."""

    #: The sync loop may fetch the next pull page while applying this one (one request
    #: in flight at a time, so the HTTP session is never used from two threads at once).
    prefetch_pages = True

    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def meta(self, client_id: uuid.UUID, protocol: int) -> dict[str, Any]:
        """426 (this desktop is too old for the server) becomes ``ProtocolRefusedError``."""
        try:
            answer: dict[str, Any] = self.client.get_json(f"{API}/meta", params={
                "protocol": protocol, "client_id": str(client_id)})
        except ServerError as error:
            if error.status == 426:
                raise ProtocolRefusedError(NEEDS_NEWER_APP, error.message) from error
            raise
        return answer

    def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        """``sent_at`` is this machine's clock as the request leaves: the server compares
        it with its own to date each mutation's ``made_at`` (same clock) correctly."""
        answer: dict[str, Any] = self.client.post_json(f"{API}/push", {
            "client_id": str(client_id), "protocol": PROTOCOL, "mutations": mutations,
            "sent_at": utc_now().isoformat()})
        return answer

    def pull(self, client_id: uuid.UUID, cookie: str, token: str | None) -> dict[str, Any]:
        answer: dict[str, Any] = self.client.post_json(f"{API}/pull", {
            "client_id": str(client_id), "protocol": PROTOCOL, "cookie": cookie,
            "page_token": token})
        return answer

    # --- Blobs (desktopdesk.sync.blob_transfer.BlobTransport) -----------------------------

    def blob_offset(self, sha256: str) -> RemoteBlob:
        try:
            response = self.client.request("HEAD", f"{BLOBS}/{sha256}")
        except ServerError as error:
            if error.status == 404:
                return RemoteBlob(0, complete=False)
            raise
        headers = response.headers
        try:
            if headers.get("Upload-Complete") == "?1":
                return RemoteBlob(int(headers.get("Upload-Length")
                                      or headers["Content-Length"]), complete=True)
            return RemoteBlob(int(headers["Upload-Offset"]), complete=False)
        except (KeyError, ValueError):
            raise _bad_answer("HEAD of a blob has no usable Upload-Offset") from None

    def upload_chunk(self, sha256: str, offset: int, length: int, data: bytes) -> RemoteBlob:
        """A PATCH: never resent by the HTTP layer, the caller asks HEAD where to resume."""
        try:
            response = self.client.request("PATCH", f"{BLOBS}/{sha256}", data=data, headers={
                "Upload-Offset": str(offset), "Upload-Length": str(length),
                "Content-Type": "application/offset+octet-stream"})
        except ServerError as error:
            if error.status == 409:
                raise UploadOffsetError(error.message) from error
            if error.status in (413, 422):
                raise BlobRefusedError(error.message) from error
            raise
        try:
            body = response.json()
            return RemoteBlob(int(body["offset"]), complete=bool(body["complete"]))
        except (ValueError, KeyError, TypeError):
            raise _bad_answer("the answer to a blob chunk is not its status") from None

    def download(self, sha256: str, offset: int, limit: int) -> Iterator[bytes]:
        """Bytes ``offset`` to ``offset + limit`` as they arrive; a broken connection
        raises ``ServerUnreachable`` (what arrived stays with the caller)."""
        try:
            response = self.client.request(
                "GET", f"{BLOBS}/{sha256}", stream=True,
                headers={"Range": f"bytes={offset}-{offset + limit - 1}",
                         "Accept": "application/octet-stream",
                         "Accept-Encoding": "identity"})
        except ServerError as error:
            if error.status in (404, 416):
                raise BlobUnavailableError(error.message) from error
            raise
        with response:
            if response.status_code != 206 and offset > 0:
                raise _bad_answer("a ranged download came back whole")
            try:
                yield from response.iter_content(DOWNLOAD_CHUNK)
            except requests.RequestException as error:
                raise ServerUnreachable(self.client.url, "the connection broke during a "
                                        "download") from error


def _bad_answer(what: str) -> ServerError:
    return ServerError("bad_response", f"The server's answer is not understood: {what}.",
                       None, 200)
