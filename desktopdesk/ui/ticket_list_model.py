"""The ticket list as a table model that pages rows in from the store as the view scrolls.

Rows arrive through the task runner, never from the GUI thread. Appending a page inserts
rows; only switching to a different list (another loader) resets the model, and a page
still in flight for the list it left is disconnected, so it never lands.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor

from desktopdesk.domain.queries import TicketRow
from desktopdesk.models import Status
from desktopdesk.ui.tasks import Task, TaskRunner

#: (offset, limit) -> rows; runs on a worker thread, so it opens its own session.
PageLoader = Callable[[int, int], Sequence[TicketRow]]

DEFAULT_PAGE_SIZE = 200
AnyIndex = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    NUMBER = 0
    TITLE = 1
    STATUS = 2
    PRIORITY = 3
    GROUP = 4
    OWNER = 5
    CREATOR = 6
    UPDATED = 7

    @property
    def header(self) -> str:
        return _HEADERS[self]


_HEADERS = {
    Column.NUMBER: "Number",
    Column.TITLE: "Title",
    Column.STATUS: "Status",
    Column.PRIORITY: "Priority",
    Column.GROUP: "Group",
    Column.OWNER: "Owner",
    Column.CREATOR: "Creator",
    Column.UPDATED: "Updated",
}

#: The manual's "slightly reddish background" for tickets nobody has taken up yet.
#: Translucent, so it tints whatever the palette's base colour is, light or dark.
UNATTENDED_BACKGROUND = QBrush(QColor(230, 40, 40, 42))

TicketIdRole = Qt.ItemDataRole.UserRole + 1


def local_time_text(moment: dt.datetime) -> str:
    """Stored in UTC, shown in the computer's zone."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _display(row: TicketRow, column: Column) -> str:
    match column:
        case Column.NUMBER:
            return row.number_label
        case Column.TITLE:
            return row.title
        case Column.STATUS:
            return row.status_label
        case Column.PRIORITY:
            return row.priority_label
        case Column.GROUP:
            return row.group_name
        case Column.OWNER:
            return row.owner_full_name
        case Column.CREATOR:
            return row.creator_full_name
        case Column.UPDATED:
            return local_time_text(row.updated_at)


def _tooltip(row: TicketRow, column: Column) -> str:
    match column:
        case Column.OWNER:
            return f"{row.owner_full_name} ({row.owner_username})"
        case Column.CREATOR:
            return f"{row.creator_full_name} ({row.creator_username})"
        case Column.UPDATED:
            return f"Created {local_time_text(row.created_at)}"
        case _:
            return _display(row, column)


class TicketListModel(QAbstractTableModel):
    page_loaded = Signal(int)  # how many rows the page added
    load_failed = Signal(object)  # the exception

    def __init__(self, runner: TaskRunner, *, page_size: int = DEFAULT_PAGE_SIZE,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if page_size < 1:
            raise ValueError("page_size must be positive")
        self._runner = runner
        self._page_size = page_size
        self._rows: list[TicketRow] = []
        self._load_page: PageLoader | None = None
        self._exhausted = True
        self._in_flight: Task | None = None

    # --- What is listed -------------------------------------------------------------------

    def set_loader(self, load_page: PageLoader) -> None:
        """List something else (or the same again, fresh): reset, then fetch page one."""
        self.beginResetModel()
        self._forget_in_flight()
        self._load_page = load_page
        self._rows = []
        self._exhausted = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def reload(self) -> None:
        if self._load_page is not None:
            self.set_loader(self._load_page)

    @property
    def is_fetching(self) -> bool:
        return self._in_flight is not None

    def ticket_id(self, row: int) -> uuid.UUID:
        return self._rows[row].id

    def ticket_row(self, row: int) -> TicketRow:
        return self._rows[row]

    # --- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        if not (0 <= index.row() < len(self._rows) and 0 <= index.column() < len(Column)):
            return None
        row, column = self._rows[index.row()], Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            return UNATTENDED_BACKGROUND if Status(row.status).is_unattended else None
        if role == TicketIdRole:
            return row.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return Column(section).header
        return super().headerData(section, orientation, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not (parent.isValid() or self._exhausted or self._in_flight is not None
                    or self._load_page is None)

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        assert self._load_page is not None
        load_page, offset, limit = self._load_page, len(self._rows), self._page_size
        task = self._runner.run(lambda: load_page(offset, limit))
        task.succeeded.connect(self._on_page_task_succeeded)
        task.failed.connect(self._on_page_task_failed)
        self._in_flight = task

    def _forget_in_flight(self) -> None:
        if self._in_flight is not None:
            self._in_flight.succeeded.disconnect(self._on_page_task_succeeded)
            self._in_flight.failed.disconnect(self._on_page_task_failed)
            self._in_flight = None

    # --- Pages arriving -------------------------------------------------------------------

    @Slot(object)
    def _on_page_task_succeeded(self, rows: Sequence[TicketRow]) -> None:
        # Still "in flight" until the rows are in: whoever reacts to the insert signals
        # and asks for more must not get this page's offset again.
        self._exhausted = len(rows) < self._page_size
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._in_flight = None
        self.page_loaded.emit(len(rows))

    @Slot(object)
    def _on_page_task_failed(self, error: BaseException) -> None:
        # A failed page leaves the list as it is; set_loader/reload tries again.
        self._in_flight = None
        self._exhausted = True
        self.load_failed.emit(error)
