"""Receiving a multipart upload straight into the blob store, a chunk at a time.

FastAPI's ``UploadFile`` would spool the whole request to a temporary file before the
route runs, so a size limit could only be checked after a client had sent gigabytes.
Here the route (a plain ``def``, in a worker thread) pulls the request body chunk by
chunk from the event loop, feeds it to python-multipart's streaming parser, and hands the
file's bytes to ``BlobStore.put_chunks``, which hashes them on the way and stores them
atomically. The moment the file passes the limit the upload is refused with 413 and the
store keeps nothing: nothing is stored, nothing attached.
"""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncGenerator, Generator, Iterator
from dataclasses import dataclass, field

import anyio.from_thread
from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from desktopdesk.domain.errors import VALIDATION
from desktopdesk.server.errors import TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, ApiError
from desktopdesk.store.blobs import BlobStore, StoredBlob

FILE_FIELD = "file"
TEXT_FIELDS = frozenset({"description", "workunit"})
#: Room for the multipart framing and the text fields around the file.
FORM_OVERHEAD_MAX = 64 * 1024
OCTET_STREAM = "application/octet-stream"
MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class ReceivedFile:
    blob: StoredBlob
    #: As the client sent it: a display name only, never used as a path.
    file_name: str
    mime_type: str
    fields: dict[str, str]


def too_large(limit: int) -> ApiError:
    return ApiError(413, TOO_LARGE, f"The file is larger than the {_megabytes(limit)} limit.",
                    FILE_FIELD)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def receive_upload(request: Request, blobs: BlobStore, max_file_bytes: int) -> ReceivedFile:
    """Store the ``file`` part of a multipart request; its text fields come back too.

    Call from a synchronous route only (it blocks its worker thread, never the loop).
    """
    media_type, params = parse_options_header(request.headers.get("content-type"))
    if media_type.decode("latin-1") != MULTIPART:
        raise ApiError(415, UNSUPPORTED_MEDIA_TYPE, f"Send the file as {MULTIPART}.")
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(422, VALIDATION, "The multipart body has no boundary.", FILE_FIELD)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_file_bytes + FORM_OVERHEAD_MAX:
        raise too_large(max_file_bytes)
    form = _FormReader(boundary, max_file_bytes)
    body = body_chunks(request)
    try:
        blob = blobs.put_chunks(form.file_chunks(body))
    except ClientDisconnect:
        raise ApiError(422, VALIDATION, "The upload was interrupted.", FILE_FIELD) from None
    finally:
        body.close()
    assert form.file_name is not None  # file_chunks refuses a form without a file
    return ReceivedFile(blob=blob, file_name=form.file_name, mime_type=form.mime_type(),
                        fields=dict(form.fields))


def body_chunks(request: Request) -> Generator[bytes, None, None]:
    """The request body, pulled from the event loop one chunk at a time."""
    stream: AsyncGenerator[bytes, None] = request.stream()

    async def next_chunk() -> bytes | None:
        try:
            return await anext(stream)
        except StopAsyncIteration:
            return None

    try:
        while (chunk := anyio.from_thread.run(next_chunk)) is not None:
            if chunk:
                yield chunk
    finally:
        anyio.from_thread.run(stream.aclose)


@dataclass
class _FormReader:
    """python-multipart callbacks: file bytes are queued for the blob store, text fields
    kept (small and capped), anything else refused."""

    boundary: bytes
    max_file_bytes: int
    file_name: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    _content_type: str = ""
    _pending: list[bytes] = field(default_factory=list)
    _complete: bool = False
    _file_size: int = 0
    _text_size: int = 0
    _part_name: str = ""
    _part_is_file: bool = False
    _part_text: bytearray = field(default_factory=bytearray)
    _header_name: bytes = b""
    _header_value: bytes = b""
    _headers: dict[bytes, bytes] = field(default_factory=dict)

    def file_chunks(self, body: Iterator[bytes]) -> Iterator[bytes]:
        try:
            parser = MultipartParser(self.boundary, {
                "on_part_begin": self._on_part_begin,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_end": self._on_end,
            })
            for chunk in body:
                parser.write(chunk)
                yield from self._drain()
            parser.finalize()
        except FormParserError:
            raise ApiError(422, VALIDATION, "The upload is not valid multipart/form-data.",
                           FILE_FIELD) from None
        yield from self._drain()
        if not self._complete:  # the parser does not check this itself
            raise ApiError(422, VALIDATION, "The upload ended before its closing boundary.",
                           FILE_FIELD)
        if self.file_name is None:
            raise ApiError(422, VALIDATION, "Send the file in a part named 'file'.",
                           FILE_FIELD)

    def mime_type(self) -> str:
        declared = self._content_type.split(";")[0].strip().lower()
        if declared and declared != OCTET_STREAM:
            return declared
        guessed, _ = mimetypes.guess_type(self.file_name or "", strict=False)
        return guessed or OCTET_STREAM

    def _drain(self) -> Iterator[bytes]:
        pending, self._pending = self._pending, []
        yield from pending

    def _on_part_begin(self) -> None:
        self._headers = {}
        self._part_text = bytearray()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name, self._header_value = b"", b""

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        self._part_name = name
        self._part_is_file = name == FILE_FIELD
        if self._part_is_file:
            if self.file_name is not None:
                raise ApiError(422, VALIDATION, "Send one file per request.", FILE_FIELD)
            self.file_name = options.get(b"filename", b"").decode("utf-8", "replace")
            self._content_type = self._headers.get(b"content-type", b"").decode(
                "latin-1")
        elif name not in TEXT_FIELDS:
            raise ApiError(422, VALIDATION, f"Unexpected form field '{name}'; send "
                                            f"'file', 'description' and 'workunit'.",
                           name or None)

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part_is_file:
            self._file_size += end - start
            if self._file_size > self.max_file_bytes:
                raise too_large(self.max_file_bytes)
            self._pending.append(bytes(data[start:end]))
            return
        self._text_size += end - start
        if self._text_size > FORM_OVERHEAD_MAX // 2:
            raise ApiError(413, TOO_LARGE, "The form's text fields are too long.",
                           self._part_name)
        self._part_text += data[start:end]

    def _on_end(self) -> None:
        self._complete = True

    def _on_part_end(self) -> None:
        if not self._part_is_file:
            self.fields[self._part_name] = self._part_text.decode("utf-8", "replace")
