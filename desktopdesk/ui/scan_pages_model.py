"""The pages of a signed scan, in the order the combined PDF will have them.

Each row is one ``ScanPage`` with its upright thumbnail (made on a worker) and the bytes
it should add once reduced. Turning a page changes its ``rotation`` and the picture
shown (the upright thumbnail turned here, at once: no worker needed for a quarter turn);
moving uses ``beginMoveRows`` so the selection follows the page. Drag and drop within
the list carries row numbers under a MIME type of its own, tagged with this model, so a
drop from another dialog's list is not taken for a reorder.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap, QTransform

from desktopdesk.documents.scans import ScanKind, ScanPage
from desktopdesk.ui.scan_source import LoadedPage

AnyIndex = QModelIndex | QPersistentModelIndex
PAGES_MIME_TYPE = "application/x-desktopdesk-scan-pages"
#: The ``ScanPage`` of the row.
PageRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True, eq=False)  # a row is itself: the picture cache keys on it
class _Row:
    page: ScanPage
    upright: QImage
    reduced_size: int
    path: Path
    sha256: str


def _framed(image: QImage) -> QImage:
    """The page with a thin grey edge, so white paper stands out on a white list."""
    framed = image.convertToFormat(QImage.Format.Format_RGB32)
    painter = QPainter(framed)
    try:
        painter.setPen(QColor(0, 0, 0, 70))
        painter.drawRect(0, 0, framed.width() - 1, framed.height() - 1)
    finally:
        painter.end()
    return framed


def thumbnail_image(loaded: LoadedPage) -> QImage:
    """The worker's RGB thumbnail as a QImage that owns its pixels."""
    thumb = loaded.thumbnail
    return QImage(thumb.rgb, thumb.width, thumb.height, thumb.width * 3,
                  QImage.Format.Format_RGB888).copy()


def page_label(page: ScanPage) -> str:
    """How a page is named under its picture: its file, and which page of it."""
    source = page.source
    if source.pages > 1 or source.kind is ScanKind.PDF:
        return f"{source.name} (page {page.index + 1} of {source.pages})"
    return source.name


def size_text(size: int) -> str:
    """"about 0.9 MB" / "about 240 KB" (the figure is an estimate, and says so)."""
    if size < 100 * 1024:
        return f"about {max(1, round(size / 1024))} KB"
    return f"about {size / (1024 * 1024):.1f} MB"


def summary_text(pages: int, size: int) -> str:
    if not pages:
        return "No pages yet"
    noun = "page" if pages == 1 else "pages"
    return f"{pages} {noun}, {size_text(size)} after reduction"


class ScanPagesModel(QAbstractListModel):
    """The ordered pages; the thumbnail is the decoration, "n. file" the text."""

    def __init__(self, parent: QObject | None = None, *, icon_side: int = 160) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._icons: dict[_Row, QIcon] = {}  # the turned picture, drawn once
        self.icon_side = icon_side
        #: Names this model's drags, so only its own list reorders with them.
        self.drag_tag = uuid.uuid4().hex

    # --- What it holds --------------------------------------------------------------------

    def pages(self) -> list[ScanPage]:
        return [row.page for row in self._rows]

    def page(self, row: int) -> ScanPage:
        return self._rows[row].page

    def path(self, row: int) -> Path:
        """The file row ``row``'s page came from."""
        return self._rows[row].path

    def paths(self) -> set[Path]:
        """The files some page still comes from."""
        return {row.path for row in self._rows}

    def source_hashes(self) -> set[str]:
        """The SHA-256 of every file some page comes from."""
        return {row.sha256 for row in self._rows}

    def total_reduced_size(self) -> int:
        return sum(row.reduced_size for row in self._rows)

    def summary(self) -> str:
        return summary_text(len(self._rows), self.total_reduced_size())

    def picture(self, row: int) -> QImage:
        """Row ``row``'s thumbnail as shown (turned as the page is)."""
        icon = self._icon(self._rows[row])
        return icon.pixmap(icon.availableSizes()[0]).toImage()

    # --- Changing it ----------------------------------------------------------------------

    def add_pages(self, loaded: Sequence[LoadedPage]) -> None:
        """Append ``loaded`` after the pages already there."""
        if not loaded:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(loaded) - 1)
        self._rows.extend(_Row(item.page, thumbnail_image(item), item.reduced_size,
                               item.path, item.sha256)
                          for item in loaded)
        self.endInsertRows()

    def rotate(self, rows: Iterable[int], degrees: int) -> None:
        """Turn the pages of ``rows`` ``degrees`` clockwise (a multiple of 90)."""
        for number in sorted(set(rows)):
            if not 0 <= number < len(self._rows):
                continue
            old = self._rows[number]
            self._icons.pop(old, None)
            self._rows[number] = replace(old, page=old.page.rotated(degrees))
            index = self.index(number)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole,
                                                 Qt.ItemDataRole.ToolTipRole, PageRole])

    def remove(self, rows: Iterable[int]) -> None:
        for number in sorted(set(rows), reverse=True):
            if 0 <= number < len(self._rows):
                self.removeRows(number, 1)

    def move_up(self, rows: Iterable[int]) -> bool:
        """Each of ``rows`` one place earlier, keeping their order; False if at the top."""
        chosen = sorted(set(rows))
        if not chosen or chosen[0] <= 0:
            return False
        for number in chosen:
            self.moveRows(QModelIndex(), number, 1, QModelIndex(), number - 1)
        return True

    def move_down(self, rows: Iterable[int]) -> bool:
        """Each of ``rows`` one place later, keeping their order; False if at the end."""
        chosen = sorted(set(rows), reverse=True)
        if not chosen or chosen[0] >= len(self._rows) - 1:
            return False
        for number in chosen:
            self.moveRows(QModelIndex(), number, 1, QModelIndex(), number + 2)
        return True

    def move_to(self, rows: Iterable[int], before: int) -> None:
        """Move ``rows`` (keeping their order) to stand before row ``before`` (the row
        count: at the end), as a drop does."""
        chosen = sorted({number for number in rows if 0 <= number < len(self._rows)})
        if not chosen:
            return
        before = max(0, min(before, len(self._rows)))
        moving = [self._rows[number] for number in chosen]
        staying = [row for number, row in enumerate(self._rows) if number not in chosen]
        at = before - sum(1 for number in chosen if number < before)
        wanted = staying[:at] + moving + staying[at:]
        # One move per row out of place, so views keep the selection on the pages.
        for position, row in enumerate(wanted):
            current = self._rows.index(row, position)
            if current != position:
                self.moveRows(QModelIndex(), current, 1, QModelIndex(), position)

    # --- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return f"{index.row() + 1}. {page_label(row.page)}"
            case Qt.ItemDataRole.DecorationRole:
                return self._icon(row)
            case Qt.ItemDataRole.ToolTipRole | Qt.ItemDataRole.AccessibleTextRole:
                turned = (f", turned {row.page.rotation}° clockwise" if row.page.rotation
                          else "")
                return (f"Page {index.row() + 1}: {page_label(row.page)}{turned}; "
                        f"{size_text(row.reduced_size)} after reduction")
            case Qt.ItemDataRole.SizeHintRole:
                return None
        if role == PageRole:
            return row.page
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemNeverHasChildren)

    def removeRows(self, row: int, count: int,
                   parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or count <= 0 or row < 0 or row + count > len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        for gone in self._rows[row:row + count]:
            self._icons.pop(gone, None)
        del self._rows[row:row + count]
        self.endRemoveRows()
        return True

    def moveRows(self, source_parent: AnyIndex, source_row: int, count: int,
                 destination_parent: AnyIndex, destination_child: int) -> bool:
        if (source_parent.isValid() or destination_parent.isValid() or count <= 0
                or source_row < 0 or source_row + count > len(self._rows)
                or not 0 <= destination_child <= len(self._rows)
                or source_row <= destination_child <= source_row + count):
            return False
        if not self.beginMoveRows(QModelIndex(), source_row, source_row + count - 1,
                                  QModelIndex(), destination_child):
            return False
        moving = self._rows[source_row:source_row + count]
        del self._rows[source_row:source_row + count]
        at = destination_child if destination_child < source_row else destination_child - count
        self._rows[at:at] = moving
        self.endMoveRows()
        # The numbers in front of the file names changed for every row between.
        first, last = min(source_row, at), max(source_row + count, at + count) - 1
        self.dataChanged.emit(self.index(first), self.index(last),
                              [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole])
        return True

    # --- Drag and drop (reordering) -------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [PAGES_MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        mime = QMimeData()
        payload = json.dumps({"model": self.drag_tag, "rows": rows}).encode()
        mime.setData(PAGES_MIME_TYPE, QByteArray(payload))
        return mime

    def dragged_rows(self, mime: QMimeData) -> list[int] | None:
        """The rows a drag of this model carries, or None for anything else."""
        if not mime.hasFormat(PAGES_MIME_TYPE):
            return None
        try:
            payload = json.loads(bytes(mime.data(PAGES_MIME_TYPE).data()).decode())
        except ValueError:
            return None
        if not isinstance(payload, dict) or payload.get("model") != self.drag_tag:
            return None
        rows = payload.get("rows")
        if not isinstance(rows, list) or not all(isinstance(row, int) for row in rows):
            return None
        return [row for row in rows if 0 <= row < len(self._rows)]

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: AnyIndex) -> bool:
        return action == Qt.DropAction.MoveAction and bool(self.dragged_rows(data))

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: AnyIndex) -> bool:
        rows = self.dragged_rows(data)
        if action != Qt.DropAction.MoveAction or not rows:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._rows)
        self.move_to(rows, row)
        return True

    # --- Pictures -------------------------------------------------------------------------

    def _icon(self, row: _Row) -> QIcon:
        """The page turned as asked; the same picture when selected (the list marks the
        selection around it: a tinted signature would be harder to check)."""
        cached = self._icons.get(row)
        if cached is None:
            image = row.upright
            if row.page.rotation:
                image = image.transformed(QTransform().rotate(row.page.rotation),
                                          Qt.TransformationMode.SmoothTransformation)
            picture = QPixmap.fromImage(_framed(image))
            cached = QIcon()
            for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
                cached.addPixmap(picture, mode)
            self._icons[row] = cached
        return cached

    @property
    def icon_size(self) -> QSize:
        return QSize(self.icon_side, self.icon_side)
