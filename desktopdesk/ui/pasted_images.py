"""The pictures put into one rich text field, on their way to the blob store.

The Create Ticket dialog and the workunit editor both send their text with the pictures in
it: a pasted picture shows at once (``RichTextEdit`` keeps it in memory), its bytes go to
the blob store on a worker, and until that write is done the bytes ride along with the
submission, so a quick Create or Add never misses a picture. The toolbar's image button
inserts a picture from a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog, QWidget

from desktopdesk.store.blobs import BlobStore
from desktopdesk.store.drafts import InlineImage
from desktopdesk.ui import messages
from desktopdesk.ui.inline_images import RichTextEdit
from desktopdesk.ui.rich_text_toolbar import RichTextToolbar
from desktopdesk.ui.tasks import TaskRunner


def choose_image(parent: QWidget) -> Path | None:
    """A module function for the file dialog, so tests can answer it."""
    name, _ = QFileDialog.getOpenFileName(
        parent, "Insert image", "", "Images (*.png *.jpg *.jpeg *.gif *.bmp *.webp)")
    return Path(name) if name else None


class PastedImages(QObject):
    """Names and types of the pictures in ``edit`` (by hash), and the bytes of those not
    yet in the blob store. ``owner`` parents the file chooser and the warnings."""

    def __init__(self, edit: RichTextEdit, toolbar: RichTextToolbar, blobs: BlobStore,
                 runner: TaskRunner, owner: QWidget) -> None:
        super().__init__(owner)
        self._edit = edit
        self._blobs = blobs
        self._runner = runner
        self._owner = owner
        self._images: dict[str, InlineImage] = {}
        self._unsaved: dict[str, bytes] = {}
        edit.image_inserted.connect(self._on_edit_image_inserted)
        toolbar.image_requested.connect(self._on_toolbar_image_requested)

    def images(self) -> tuple[InlineImage, ...]:
        """Every picture put in so far, in the order it came."""
        return tuple(self._images.values())

    def named(self, hashes: Iterable[str]) -> tuple[InlineImage, ...]:
        """The known pictures among ``hashes`` (those still in the text, say)."""
        return tuple(self._images[sha] for sha in hashes if sha in self._images)

    def unsaved(self) -> dict[str, bytes]:
        """A copy of the bytes whose background write has not finished: the submission
        writes them first."""
        return dict(self._unsaved)

    def remember(self, images: Iterable[InlineImage]) -> None:
        """Pictures already in the blob store (a restored draft's)."""
        self._images.update({image.sha256: image for image in images})

    def clear(self) -> None:
        self._images.clear()
        self._unsaved.clear()

    @Slot(object, bytes)
    def _on_edit_image_inserted(self, image: InlineImage, data: bytes) -> None:
        self._images[image.sha256] = image
        self._unsaved[image.sha256] = data
        task = self._runner.run(partial(self._blobs.put_bytes, data,
                                        expected_sha256=image.sha256))
        task.succeeded.connect(self._on_image_task_succeeded)

    @Slot(object)
    def _on_image_task_succeeded(self, stored: object) -> None:
        sha256 = getattr(stored, "sha256", None)
        if isinstance(sha256, str):
            self._unsaved.pop(sha256, None)

    @Slot()
    def _on_toolbar_image_requested(self) -> None:
        path = choose_image(self._owner)
        if path is not None and not self._edit.insert_image_file(path):
            messages.warning(self._owner, f"'{path.name}' is not a picture that can be shown.",
                             title="Image not inserted")
