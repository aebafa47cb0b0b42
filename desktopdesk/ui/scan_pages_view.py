"""The pages of a signed scan as thumbnails in reading order, for the validate dialog.

A selected page gets a highlight around picture and name alike. Dragging a page moves it
(through the model's own MIME type, so nothing is ever removed by the drag, and a drag
from another dialog's pages is no reorder); files dropped on it are said with
``files_dropped``, for the dialog to read.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktopdesk.ui.files_to_attach import dropped_files
from desktopdesk.ui.scan_pages_model import ScanPagesModel

THUMBNAIL_SIDE = 150
EMPTY_HINT = ("Drop the photos or scans of the signed work order here,\n"
              "use Add files…, or save them into the scanner folder.")


class _PageDelegate(QStyledItemDelegate):
    """A selected page gets a rounded highlight behind picture and name alike (the list's
    own marks only the name, easy to miss beside a big picture)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        if option.state & QStyle.StateFlag.State_Selected:
            colour = QColor(option.palette.color(QPalette.ColorRole.Highlight))
            colour.setAlphaF(0.22)
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(option.palette.color(QPalette.ColorRole.Highlight))
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5), 6, 6)
            painter.restore()
        super().paint(painter, option, index)


class ScanPagesView(QListView):
    """The pages as thumbnails in reading order. Dragging a page moves it (through the
    model's own MIME type, so nothing is ever removed by the drag); dropping files on
    it says ``files_dropped``."""

    #: Files were dropped on the list: their paths.
    files_dropped = Signal(object)

    def __init__(self, model: ScanPagesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scan_pages")
        self.setAccessibleName("Pages of the signed scan")
        self.setModel(model)
        self.pages_model = model
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        line = self.fontMetrics().height()
        self.setGridSize(QSize(THUMBNAIL_SIDE + 36, THUMBNAIL_SIDE + 2 * line + 20))
        self.setSpacing(6)
        self.setUniformItemSizes(True)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.viewport().setAcceptDrops(True)  # drops land on the viewport, not the frame
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setItemDelegate(_PageDelegate(self))

    def drop_row(self, position: QPoint) -> int:
        """The row a drop at ``position`` goes before: after a thumbnail's middle, the
        next one; past the last, the end."""
        index = self.indexAt(position)
        if not index.isValid():
            return self.pages_model.rowCount()
        rect = self.visualRect(index)
        return index.row() + (1 if position.x() > rect.center().x() else 0)

    def _wanted(self, mime: QMimeData) -> bool:
        return self.pages_model.dragged_rows(mime) is not None or bool(dropped_files(mime))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._wanted(event.mimeData()):
            event.setDropAction(Qt.DropAction.MoveAction if self.pages_model.dragged_rows(
                event.mimeData()) is not None else Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._wanted(event.mimeData()):
            super().dragMoveEvent(event)  # the drop indicator between thumbnails
            event.setDropAction(Qt.DropAction.MoveAction if self.pages_model.dragged_rows(
                event.mimeData()) is not None else Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        rows = self.pages_model.dragged_rows(mime)
        if rows is not None:
            before = self.drop_row(event.position().toPoint())
            self.pages_model.move_to(rows, before)
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        elif paths := dropped_files(mime):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.files_dropped.emit(paths)
        else:
            event.ignore()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()

    def startDrag(self, supported: Qt.DropAction) -> None:
        """The drop moved the rows already: unlike Qt's own, never remove anything after."""
        indexes = self.selectedIndexes()
        if not indexes:
            return
        drag = QDrag(self)
        drag.setMimeData(self.pages_model.mimeData(indexes))
        icon = self.pages_model.data(indexes[0], Qt.ItemDataRole.DecorationRole)
        if isinstance(icon, QIcon):
            drag.setPixmap(icon.pixmap(QSize(64, 64)))
        drag.exec(Qt.DropAction.MoveAction)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.pages_model.rowCount():
            return
        painter = QPainter(self.viewport())
        try:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.viewport().rect().adjusted(24, 24, -24, -24),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             EMPTY_HINT)
        finally:
            painter.end()
