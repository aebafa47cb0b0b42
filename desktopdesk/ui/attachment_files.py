"""Files chosen on this computer, into the blob store and named by ``AttachFile`` commands.

Shared by the ticket view's Files tab, the workunit editor and the create dialog, so a
file is read, stored and typed the same way wherever it is attached. No Qt here.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Sequence
from pathlib import Path

from desktopdesk.domain.commands import AttachFile
from desktopdesk.store.blobs import BlobStore


class UnreadableFileError(OSError):
    """A file chosen to attach could not be read when it was to be stored."""

    def __init__(self, path: Path, reason: OSError) -> None:
        super().__init__(f"'{path.name}' could not be read: {reason.strerror or reason}")
        self.path = path


def file_attachments(blobs: BlobStore, ticket_id: uuid.UUID, files: Sequence[Path], *,
                     workunit_id: uuid.UUID | None = None) -> list[AttachFile]:
    """Each file's bytes into the blob store, and the ``AttachFile`` naming them.

    The bytes go first: a refused action then leaves only unreferenced blobs, which the
    content-addressed store tolerates, never an attachment without its bytes.
    """
    commands = []
    for path in files:
        try:
            stored = blobs.put_file(path)
        except OSError as exc:
            raise UnreadableFileError(path, exc) from exc
        commands.append(AttachFile(
            ticket_id=ticket_id, workunit_id=workunit_id, file_name=path.name,
            size=stored.size, sha256=stored.sha256, mime_type=guess_mime_type(path)))
    return commands


def guess_mime_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"
