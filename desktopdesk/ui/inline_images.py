"""Images inside rich text: shown from the local blob store, never fetched from the web
unless the person asks, and taken in from the clipboard, drops and files.

The document answers every image request itself (``loadResource``), so nothing in it can
make Qt read a local file or the network: ``attachment:<sha256>`` comes from the blob
store, a web address gets a placeholder until remote images are allowed (and then only
what was fetched on request is shown), anything else shows as a broken image.

Qt asks for images while it lays out and paints, on the GUI thread, so the blob store is
never read there: the first request answers "Loading image…", a worker reads and decodes
the bytes, and the document lays itself out again when they are in. A pasted picture
needs none of this; it is shown from memory at once (its bytes are the owner's to store).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMimeData,
    QRect,
    Qt,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPen,
    QTextDocument,
    QTextImageFormat,
)
from PySide6.QtWidgets import QTextEdit, QWidget

from desktopdesk.domain.html import plain_text, sanitize_html
from desktopdesk.store.blobs import BlobNotFoundError, BlobStore
from desktopdesk.store.drafts import InlineImage
from desktopdesk.ui import palette
from desktopdesk.ui.attachment_files import ATTACHMENT_SCHEME, attachment_url
from desktopdesk.ui.files_to_attach import dropped_files
from desktopdesk.ui.tasks import TaskRunner

log = logging.getLogger("desktopdesk.ui.workunits")

#: Inline images wider than this are shown scaled down (the bytes stay as they were).
MAX_SHOWN_WIDTH = 480
REMOTE_SCHEMES = frozenset({"http", "https"})


#: The ``QImage.text`` key holding what a placeholder says (for tests and accessibility).
PLACEHOLDER_TEXT_KEY = "desktopdesk-placeholder"
REMOTE_NOT_LOADED = "Remote image not loaded"
LOADING = "Loading image…"
NOT_AVAILABLE = "Image not available"


def _placeholder(text: str) -> QImage:
    """Drawn in the scheme in use: Qt asks for images at each paint, so after a switch of
    light and dark the next paint shows the other one."""
    return _drawn_placeholder(text, palette.semantic_colors())


@functools.lru_cache(maxsize=16)
def _drawn_placeholder(text: str, colours: palette.SemanticColors, width: int = 180,
                       height: int = 64) -> QImage:
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.setText(PLACEHOLDER_TEXT_KEY, text)
    image.fill(QColor(colours.placeholder_background))
    painter = QPainter(image)
    try:
        painter.setPen(QPen(QColor(colours.placeholder_border), 1, Qt.PenStyle.DashLine))
        painter.drawRect(QRect(0, 0, width - 1, height - 1))
        font = QFont(painter.font())
        font.setPointSizeF(8.5)
        painter.setFont(font)
        painter.setPen(QColor(colours.placeholder_text))
        painter.drawText(QRect(6, 6, width - 12, height - 12),
                         Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
    finally:
        painter.end()
    return image


@dataclass(frozen=True)
class StoredImage:
    """A blob-store image read and decoded on a worker; ``image`` None if it could not be
    (missing, damaged, not a picture). QImage, unlike QPixmap, may cross threads."""

    url: str
    image: QImage | None


def read_stored_image(blobs: BlobStore, url: str, sha256: str) -> StoredImage:
    """Runs on a worker: decoding a large screenshot takes long enough to be felt."""
    try:
        data = blobs.read_bytes(sha256)
    except (BlobNotFoundError, ValueError, OSError) as error:
        log.info("inline image %s not available: %s", sha256, error)
        return StoredImage(url, None)
    image = QImage.fromData(data)
    return StoredImage(url, None if image.isNull() else image)


class InlineImageDocument(QTextDocument):
    """A text document whose images come only from the blob store or an explicit fetch.

    Pass the window's ``runner`` so its workers are shared (and waited for on close);
    without one the document starts its own.
    """

    #: A web address the document was asked to show and did not; once per address.
    remote_image_blocked = Signal(str)
    #: An image from the blob store is in (its ``attachment:`` address), or known missing.
    stored_image_loaded = Signal(str)

    def __init__(self, blobs: BlobStore, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self._blobs = blobs
        self._runner = runner if runner is not None else TaskRunner(self)
        self._images: dict[str, QImage] = {}
        self._loading: set[str] = set()
        self._blocked: set[str] = set()
        #: Blob-store images found missing (or unreadable): shown as not available.
        self._missing: set[str] = set()

    @property
    def blocked_remote_urls(self) -> frozenset[str]:
        return frozenset(self._blocked)

    def remember(self, url: str, image: QImage) -> None:
        """Show ``image`` for ``url`` from now on (a pasted image, a fetched remote one)."""
        self._images[url] = image
        self._blocked.discard(url)
        self._loading.discard(url)
        self._missing.discard(url)
        self.markContentsDirty(0, self.characterCount())

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        if kind != QTextDocument.ResourceType.ImageResource.value:
            return None
        name = QUrl(name)
        url = name.toString()
        cached = self._images.get(url)
        if cached is not None:
            return cached
        if url in self._missing:
            return _placeholder(NOT_AVAILABLE)
        scheme = name.scheme().lower()
        if scheme == ATTACHMENT_SCHEME:
            return self._from_blob_store(url, name.path())
        if scheme in REMOTE_SCHEMES:
            if url not in self._blocked:
                self._blocked.add(url)
                self.remote_image_blocked.emit(url)
            return _placeholder(REMOTE_NOT_LOADED)
        return _placeholder(NOT_AVAILABLE)

    @property
    def loading_urls(self) -> frozenset[str]:
        """Blob-store images asked for and still being read."""
        return frozenset(self._loading)

    def _from_blob_store(self, url: str, sha256: str) -> QImage:
        """The placeholder for now; the picture once a worker has read it (once per
        address, however often layout and painting ask meanwhile)."""
        if url not in self._loading:
            self._loading.add(url)
            task = self._runner.run(partial(read_stored_image, self._blobs, url, sha256))
            task.succeeded.connect(self._on_read_task_succeeded)
            task.failed.connect(self._on_read_task_failed)
        return _placeholder(LOADING)

    @Slot(object)
    def _on_read_task_succeeded(self, stored: StoredImage) -> None:
        self._settle(stored.url, stored.image)

    @Slot(object)
    def _on_read_task_failed(self, _error: BaseException) -> None:
        """Not a missing blob (that is an answer) but a bug, which the runner logged. Any
        address still loading could be the one: show those broken, not "Loading" for ever."""
        for url in sorted(self._loading):
            self._settle(url, None)

    def _settle(self, url: str, image: QImage | None) -> None:
        if url not in self._loading:  # remembered meanwhile (pasted again): keep that
            return
        self._loading.discard(url)
        if image is None:  # missing stays missing until remembered: not read again
            self._missing.add(url)
            self.markContentsDirty(0, self.characterCount())
        else:
            self.remember(url, image)
        self.stored_image_loaded.emit(url)


def png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 6.11's stubs ask for bytes, but only a str is accepted at run time.
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    data = bytes(buffer.data().data())
    buffer.close()
    return data


def image_format(sha256: str, image: QImage) -> QTextImageFormat:
    """Wide pictures are shown at ``MAX_SHOWN_WIDTH``; the size is kept in the HTML."""
    fmt = QTextImageFormat()
    fmt.setName(attachment_url(sha256))
    width, height = image.width(), image.height()
    if width > MAX_SHOWN_WIDTH:
        height = round(height * MAX_SHOWN_WIDTH / width)
        width = MAX_SHOWN_WIDTH
    fmt.setWidth(width)
    fmt.setHeight(height)
    return fmt


class RichTextEdit(QTextEdit):
    """A QTextEdit that turns pasted and dropped pictures into inline blob images, passes
    other dropped files on as attachments, and sanitises pasted HTML before showing it."""

    #: (image metadata, its bytes): the owner stores them; the text already shows them.
    image_inserted = Signal(object, bytes)
    #: Local files that are not pictures, dropped or pasted: for the attachment list.
    files_dropped = Signal(list)

    def __init__(self, blobs: BlobStore, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.image_document = InlineImageDocument(blobs, self, runner=runner)
        self.setDocument(self.image_document)
        self.setAcceptRichText(True)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return (source.hasImage() or bool(dropped_files(source))
                or super().canInsertFromMimeData(source))

    def insertFromMimeData(self, source: QMimeData) -> None:
        html = source.html() if source.hasHtml() else ""
        if html and plain_text(sanitize_html(html)):
            self._insert_html(html)
        elif source.hasImage():
            image = QImage(source.imageData())
            if not image.isNull():
                data = png_bytes(image)
                self.insert_image(data, f"pasted-image-{_short_hash(data)}.png", "image/png")
        elif files := dropped_files(source):
            others = [path for path in files if not self.insert_image_file(path)]
            if others:
                self.files_dropped.emit(others)
        elif html:  # pictures only, from the web: placeholders until asked for
            self._insert_html(html)
        else:
            super().insertFromMimeData(source)

    def _insert_html(self, html: str) -> None:
        cursor = self.textCursor()
        cursor.insertHtml(sanitize_html(html))
        self.setTextCursor(cursor)

    def insert_image_file(self, path: Path) -> bool:
        """Inline ``path`` if it is a picture Qt can show; False if it is not one."""
        mime = mimetypes.guess_type(path.name)[0] or ""
        if not mime.startswith("image/"):
            return False
        try:
            data = path.read_bytes()
        except OSError as exc:
            log.warning("could not read %s: %s", path, exc)
            return False
        return self.insert_image(data, path.name, mime)

    def insert_image(self, data: bytes, file_name: str, mime_type: str) -> bool:
        image = QImage.fromData(QByteArray(data))
        if image.isNull():
            return False
        sha256 = hashlib.sha256(data).hexdigest()
        self.image_document.remember(attachment_url(sha256), image)
        self.image_inserted.emit(InlineImage(sha256, file_name, mime_type, len(data)), data)
        cursor = self.textCursor()
        cursor.insertImage(image_format(sha256, image))
        self.setTextCursor(cursor)
        return True

    def set_sanitised_html(self, html: str) -> None:
        """What reaches the screen has been through the sanitiser, like what is stored."""
        self.setHtml(sanitize_html(html))


def _short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:8]
