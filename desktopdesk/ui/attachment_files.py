"""Files and pictures, into the blob store and named by ``AttachFile`` commands.

Shared by the ticket view's Files tab, the workunit editor and the create dialog, so a
file or a picture in rich text is read, stored and typed the same way wherever it is
attached. Pictures in rich text point at the blob store as ``attachment:<sha256>``. No
Qt here.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from desktopdesk.domain.commands import AttachFile
from desktopdesk.store.blobs import BlobStore
from desktopdesk.store.drafts import InlineImage

log = logging.getLogger("desktopdesk.ui.attachments")

#: The scheme of images kept in the blob store, as the sanitiser allows it (``html.py``).
ATTACHMENT_SCHEME = "attachment"
_IMAGE_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']attachment:([0-9a-f]{64})["']""",
                        re.IGNORECASE)
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


def attachment_url(sha256: str) -> str:
    return f"{ATTACHMENT_SCHEME}:{sha256}"


def image_hashes(html: str) -> list[str]:
    """Blob hashes of the inline images in ``html``, first appearance first, once each."""
    return list(dict.fromkeys(match.lower() for match in _IMAGE_SRC.findall(html)))


def sniff_image_mime(head: bytes) -> str:
    for magic, mime in _IMAGE_MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


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


def image_attachments(blobs: BlobStore, ticket_id: uuid.UUID, html: str,
                      known: Iterable[InlineImage], image_bytes: Mapping[str, bytes], *,
                      workunit_id: uuid.UUID | None = None,
                      description: str = "") -> list[AttachFile]:
    """``AttachFile`` for each picture of ``html`` that is in the blob store.

    Pictures whose background write may not have finished are written from
    ``image_bytes`` first. One copied from elsewhere and not on this desktop is nothing
    of ours to attach, and is skipped. ``known`` names the pictures pasted or dropped;
    others get a name from their hash and a type from their first bytes.
    """
    names = {image.sha256: image for image in known}
    commands = []
    for sha in image_hashes(html):
        if sha in image_bytes:
            blobs.put_bytes(image_bytes[sha], expected_sha256=sha)
        size = blobs.size_of(sha)
        if size is None:
            log.info("inline image %s is not in the blob store; not attached", sha)
            continue
        image = names.get(sha)
        if image is None:
            head = next(iter(blobs.open_range(sha, 0, 16)), b"")
            mime = sniff_image_mime(head)
            extension = mimetypes.guess_extension(mime) or ""
            image = InlineImage(sha, f"image-{sha[:12]}{extension}", mime, size)
        commands.append(AttachFile(
            ticket_id=ticket_id, workunit_id=workunit_id, file_name=image.file_name,
            size=size, sha256=sha, mime_type=image.mime_type, description=description))
    return commands
