"""A sync transport that calls the server's functions directly, through real JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from desktopdesk.server.api.blobs import may_download, upload_limit, uploads_of
from desktopdesk.server.api.sync import meta as meta_route
from desktopdesk.server.errors import ApiError
from desktopdesk.server.partial_uploads import OffsetMismatchError, UploadError
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.blob_transfer import (
    BlobRefusedError,
    BlobUnavailableError,
    RemoteBlob,
    UploadOffsetError,
)
from desktopdesk.sync.meta import NEEDS_NEWER_APP, ProtocolRefusedError
from desktopdesk.sync.pull import pull_page
from desktopdesk.sync.push import PushedMutation, process_push, register_client


def _wire(value: Any) -> Any:
    """What survives the trip: JSON in, JSON out (catches anything not serialisable)."""
    return json.loads(json.dumps(value))


class InProcessTransport:
    def __init__(self, server: Workspace, user_id: uuid.UUID,
                 clock: Callable[[], dt.datetime], *, sends_times: bool = True) -> None:
        self.server = server
        self.user_id = user_id
        self.clock = clock
        #: False: speak as a desktop from before ``made_at`` / ``sent_at``.
        self.sends_times = sends_times

    def meta(self, client_id: uuid.UUID, protocol: int) -> dict[str, Any]:
        """The route itself, minus HTTP: its 426 arrives as the HTTP transport's would."""
        try:
            answer = meta_route(self.server, self.clock, self.user_id, protocol, client_id)
        except ApiError as error:
            if error.status == 426:
                raise ProtocolRefusedError(NEEDS_NEWER_APP, error.message) from error
            raise
        return _wire(answer.model_dump(mode="json"))

    def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        # As the HTTP client: each mutation says when it was made; ``sent_at`` is the
        # shared test clock, so the desktop and the server agree on the time.
        batch = [PushedMutation(m["mutation_id"], m["command"],
                                dt.datetime.fromisoformat(m["made_at"])
                                if self.sends_times and m.get("made_at") else None)
                 for m in _wire(mutations)]
        result = process_push(self.server, self.user_id, client_id, batch, self.clock,
                              self.clock() if self.sends_times else None)
        return _wire({"results": [dataclasses.asdict(o) for o in result.outcomes],
                      "last_mutation_id": result.last_mutation_id, "stopped": result.stopped})

    def pull(self, client_id: uuid.UUID, cookie: str, token: str | None) -> dict[str, Any]:
        register_client(self.server, self.user_id, client_id, self.clock())
        with self.server.sessions.begin() as session:
            page = pull_page(session, self.user_id, client_id, cookie=cookie, token=token)
        return _wire(dataclasses.asdict(page))

    # --- Blobs: what the /blobs routes do, minus HTTP -------------------------------------

    def blob_offset(self, sha256: str) -> RemoteBlob:
        state = uploads_of(self.server, self.user_id).state(sha256)
        if state is None:
            return RemoteBlob(0, complete=False)
        return RemoteBlob(state.offset, complete=state.complete)

    def upload_chunk(self, sha256: str, offset: int, length: int, data: bytes) -> RemoteBlob:
        with self.server.read() as session:
            limit = upload_limit(session)
        try:
            state = uploads_of(self.server, self.user_id).append(
                sha256, offset, length, [data], limit)
        except OffsetMismatchError as error:
            raise UploadOffsetError(str(error)) from error
        except UploadError as error:
            raise BlobRefusedError(str(error)) from error
        return RemoteBlob(state.offset, complete=state.complete)

    def download(self, sha256: str, offset: int, limit: int) -> Iterator[bytes]:
        with self.server.read() as session:
            allowed = may_download(session, self.user_id, sha256)
        size = self.server.blobs.size_of(sha256)
        if not allowed or size is None or offset >= size:
            raise BlobUnavailableError("The server holds no such blob.")
        yield from self.server.blobs.open_range(sha256, offset, offset + limit)
