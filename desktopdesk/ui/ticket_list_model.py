"""The ticket list as a table model: pages come in from the store as the view scrolls.

The model holds rows, a filter, a sort and the cursor where the last page ended; the
store does the filtering, sorting and paging (keyset, in SQL). Every read runs on the
task runner, never on the GUI thread. A new filter or sort keeps the old rows on
screen until the new first page is in, then swaps them in one reset (no blank flash);
a later page is appended with ``beginInsertRows``; a re-read row after a quick edit is
updated with ``dataChanged``, or removed when it no longer matches the filter. A page
still in flight for a list the model has left is disconnected, so it never lands.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor

from desktopdesk.domain.ticket_list_query import (
    ListedTicket,
    PageCursor,
    SortKey,
    TicketFilter,
    TicketPage,
    TicketSort,
)
from desktopdesk.ui import palette, ticket_icons
from desktopdesk.ui.tasks import Task, TaskRunner
from desktopdesk.ui.ticket_list_format import (
    ListDisplay,
    date_text,
    long_date,
    person_text,
    person_tooltip,
    title_text,
)

DEFAULT_PAGE_SIZE = 200
AnyIndex = QModelIndex | QPersistentModelIndex


class TicketSource(Protocol):
    """Where rows come from; called on worker threads (``ticket_source.TicketListSource``)."""

    def load_page(self, ticket_filter: TicketFilter, sort: TicketSort,
                  after: PageCursor | None, limit: int) -> TicketPage: ...

    def load_rows(self, ticket_filter: TicketFilter,
                  ticket_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ListedTicket]: ...


class Column(enum.IntEnum):
    NUMBER = 0
    SLA = 1
    TITLE = 2
    GROUP = 3
    STATUS = 4
    PRIORITY = 5
    OWNER = 6
    CREATOR = 7
    UPDATED = 8
    CREATED = 9

    @property
    def key(self) -> str:
        """Stable name, for preferences (positions may change between releases)."""
        return self.name.lower()

    @property
    def header(self) -> str:
        return _HEADERS[self]

    @property
    def sort_key(self) -> SortKey:
        return SortKey(self.key)

    @property
    def quick_edit_field(self) -> str | None:
        return self.key if self in QUICK_EDIT_COLUMNS else None


_HEADERS = {
    Column.NUMBER: "Number", Column.SLA: "SLA", Column.TITLE: "Title", Column.GROUP: "Group",
    Column.STATUS: "Status", Column.PRIORITY: "Priority", Column.OWNER: "Owner",
    Column.CREATOR: "Creator", Column.UPDATED: "Updated", Column.CREATED: "Created",
}
QUICK_EDIT_COLUMNS = frozenset({Column.OWNER, Column.PRIORITY, Column.STATUS})



def unattended_background() -> QBrush:
    """The manual's "slightly reddish background" for tickets nobody has taken up yet:
    ``palette.new_row_tint`` of the scheme in use (asked at each paint, so a switch of
    light and dark repaints right), translucent over Base and AlternateBase rows alike."""
    return _brush(palette.semantic_colors().new_row_tint)


@functools.lru_cache(maxsize=8)
def _brush(color: str) -> QBrush:
    return QBrush(QColor(color))


TicketIdRole = Qt.ItemDataRole.UserRole + 1
#: The whole ``ListedTicket`` of the row (delegates read the current values from it).
TicketRole = Qt.ItemDataRole.UserRole + 2
#: True when the creator wrote the last workunit: the help desk is expected to answer.
BallInOurCourtRole = Qt.ItemDataRole.UserRole + 3
_ROLES = frozenset({
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.AccessibleTextRole, TicketIdRole, TicketRole, BallInOurCourtRole,
})
_COLUMN_AT = tuple(Column)


class TicketListModel(QAbstractTableModel):
    page_requested = Signal(bool)  # a page was asked for; True if it replaces every row
    page_loaded = Signal(int)  # how many rows the page added
    load_failed = Signal(object)  # the exception
    #: An inline edit: (ListedTicket, field "owner"|"priority"|"status", new value).
    edit_requested = Signal(object, str, object)
    rows_refreshed = Signal()  # after refresh_tickets' rows were updated or dropped

    def __init__(self, runner: TaskRunner, *, page_size: int = DEFAULT_PAGE_SIZE,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if page_size < 1:
            raise ValueError("page_size must be positive")
        self._runner = runner
        self._page_size = page_size
        self._rows: list[ListedTicket] = []
        self._texts: list[tuple[str, ...] | None] = []  # display texts, made when first shown
        self._source: TicketSource | None = None
        self._filter = TicketFilter()
        self._sort = TicketSort()
        self._cursor: PageCursor | None = None
        self._exhausted = True
        self._capped_at = 0
        self._replacing = False  # the page in flight replaces every row
        self._in_flight: Task | None = None
        self._display = ListDisplay()
        self._editable = False
        self._now = dt.datetime.now(dt.UTC)
        # "2 hours" must not still say so an hour later: approximate dates age by the minute.
        self._age_timer = QTimer(self)
        self._age_timer.setObjectName("ticket_list_age_timer")
        self._age_timer.setInterval(60_000)
        self._age_timer.timeout.connect(self._on_age_timer_timeout)

    # --- What is listed -------------------------------------------------------------------

    def set_source(self, source: TicketSource | None) -> None:
        """List from ``source`` (None: nothing), from page one."""
        self._source = source
        self.reload()

    def set_filter(self, ticket_filter: TicketFilter) -> None:
        if ticket_filter != self._filter:
            self._filter = ticket_filter
            self.reload()

    @property
    def ticket_filter(self) -> TicketFilter:
        return self._filter

    @property
    def ticket_sort(self) -> TicketSort:
        return self._sort

    def reload(self) -> None:
        """Read the list again from page one; the rows shown stay until it arrives."""
        self._forget_in_flight()
        self._cursor = None
        if self._source is None:
            self.beginResetModel()
            self._rows, self._texts = [], []
            self._exhausted = True
            self._capped_at = 0
            self.endResetModel()
            return
        self._exhausted = False
        self._replacing = True
        self._fetch()

    def refresh_tickets(self, ticket_ids: Sequence[uuid.UUID]) -> Task | None:
        """Read these tickets again (after a change) and update or drop their rows."""
        if self._source is None or not ticket_ids:
            return None
        source, ticket_filter, ids = self._source, self._filter, list(ticket_ids)
        task = self._runner.run(lambda: source.load_rows(ticket_filter, ids))
        task.succeeded.connect(functools.partial(self._on_rows_loaded, frozenset(ids)))
        task.failed.connect(self.load_failed)
        return task

    @property
    def is_fetching(self) -> bool:
        return self._in_flight is not None

    @property
    def capped_at(self) -> int:
        """The cap a text search stopped at, with more matches unlisted (the store's
        ``max_search_results``); 0 while the list is not cut."""
        return self._capped_at

    def ticket_id(self, row: int) -> uuid.UUID:
        return self._rows[row].id

    def ticket_row(self, row: int) -> ListedTicket:
        return self._rows[row]

    def row_of(self, ticket_id: uuid.UUID) -> int:
        """The row showing ``ticket_id``, or -1."""
        return next((n for n, row in enumerate(self._rows) if row.id == ticket_id), -1)

    # --- How it reads ---------------------------------------------------------------------

    def set_display(self, display: ListDisplay) -> None:
        """How cells read; people columns sorted by name follow what they show."""
        if display == self._display:
            return
        self._display = display
        if self._sort.full_names != display.full_names:
            self._sort = dataclasses.replace(self._sort, full_names=display.full_names)
            if self._sort.key in (SortKey.OWNER, SortKey.CREATOR):
                self.reload()
        self._repaint()

    @property
    def display(self) -> ListDisplay:
        return self._display

    def set_editable(self, editable: bool) -> None:
        """Quick edit (the shared ``quick_edit`` setting): owner, priority, status inline."""
        self._editable = editable

    @property
    def editable(self) -> bool:
        return self._editable

    def _repaint(self) -> None:
        self._now = dt.datetime.now(dt.UTC)
        self._texts = [None] * len(self._rows)
        if self._display.approximate_dates:
            self._age_timer.start()
        else:
            self._age_timer.stop()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(Column) - 1))

    @Slot()
    def _on_age_timer_timeout(self) -> None:
        self._repaint()

    # --- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: cheap refusals first,
        # and display texts made once per row (``_texts``), not once per paint.
        if role not in _ROLES or not index.isValid():
            return None
        number, position = index.row(), index.column()
        if not (0 <= number < len(self._rows) and 0 <= position < len(_COLUMN_AT)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell_texts(number)[position]
        row, column = self._rows[number], _COLUMN_AT[position]
        match role:
            case Qt.ItemDataRole.EditRole:
                return self._edit_value(row, column)
            case Qt.ItemDataRole.DecorationRole:
                return self._decoration(row, column)
            case Qt.ItemDataRole.ToolTipRole:
                return self._tooltip(row, column)
            case Qt.ItemDataRole.BackgroundRole:
                return unattended_background() if row.status.is_unattended else None
            case Qt.ItemDataRole.AccessibleTextRole:
                return self._tooltip(row, column) or self._display_text(row, column)
        if role == TicketIdRole:
            return row.id
        if role == TicketRole:
            return row
        if role == BallInOurCourtRole:
            return row.ball_in_our_court
        return None

    def _cell_texts(self, number: int) -> tuple[str, ...]:
        texts = self._texts[number]
        if texts is None:
            row = self._rows[number]
            texts = self._texts[number] = tuple(self._display_text(row, c) for c in Column)
        return texts

    def _display_text(self, row: ListedTicket, column: Column) -> str:
        display = self._display
        match column:
            case Column.NUMBER:
                return row.number_label
            case Column.SLA:
                return ""  # an icon only; its tooltip says which SLA
            case Column.TITLE:
                return title_text(row)
            case Column.GROUP:
                return row.group_name
            case Column.STATUS:
                return row.status.label
            case Column.PRIORITY:
                return row.priority.label
            case Column.OWNER:
                return person_text(row.owner_username, row.owner_full_name, display)
            case Column.CREATOR:
                return person_text(row.creator_username, row.creator_full_name, display)
            case Column.UPDATED:
                return date_text(row.updated_at, display, self._now)
            case Column.CREATED:
                return date_text(row.created_at, display, self._now)

    def _edit_value(self, row: ListedTicket, column: Column) -> Any:
        match column:
            case Column.OWNER:
                return row.owner_username
            case Column.PRIORITY:
                return row.priority
            case Column.STATUS:
                return row.status
        return self._display_text(row, column)

    def _decoration(self, row: ListedTicket, column: Column) -> Any:
        match column:
            case Column.PRIORITY:
                return ticket_icons.priority_icon(row.priority)
            case Column.SLA if row.sla_fired:
                return ticket_icons.sla_fired_icon()
            case Column.TITLE if row.ball_in_our_court:
                return ticket_icons.ball_in_our_court_icon()
            case Column.NUMBER if row.locked:
                return ticket_icons.locked_icon()
        return None

    def _tooltip(self, row: ListedTicket, column: Column) -> str | None:
        match column:
            case Column.SLA:
                if not row.sla_fired:
                    return None
                limits = ", ".join(limit.label for limit in row.sla_fired_limits)
                return f"SLA fired: {row.sla_name}" + (f" ({limits})" if limits else "")
            case Column.TITLE:
                text = title_text(row)
                if row.ball_in_our_court:
                    text += "\nBall in our court: the creator wrote the last workunit."
                return text
            case Column.OWNER:
                return person_tooltip(row.owner_username, row.owner_full_name)
            case Column.CREATOR:
                return person_tooltip(row.creator_username, row.creator_full_name)
            case Column.UPDATED:
                return long_date(row.updated_at)
            case Column.CREATED:
                return long_date(row.created_at)
            case Column.NUMBER if row.locked:
                return f"{row.number_label} (locked)"
        return self._display_text(row, column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            column = Column(section)
            if role == Qt.ItemDataRole.DisplayRole:
                return "" if column is Column.SLA else column.header
            if role == Qt.ItemDataRole.DecorationRole and column is Column.SLA:
                return ticket_icons.sla_header_icon()
            if role == Qt.ItemDataRole.ToolTipRole:
                return "SLA fired" if column is Column.SLA else f"Sort by {column.header.lower()}"
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return column.header
        return super().headerData(section, orientation, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable and index.column() in QUICK_EDIT_COLUMNS:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Ask for the change; the row changes once the command went through the rules."""
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index)
                                                    & Qt.ItemFlag.ItemIsEditable):
            return False
        row, column = self._rows[index.row()], Column(index.column())
        if value is None or value == self._edit_value(row, column):
            return False
        field = column.quick_edit_field
        assert field is not None
        self.edit_requested.emit(row, field, value)
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the store's: ask it again, in the new order."""
        if not 0 <= column < len(Column):
            return
        sort = TicketSort(Column(column).sort_key, order == Qt.SortOrder.DescendingOrder,
                          self._display.full_names)
        if sort != self._sort:
            self._sort = sort
            self.reload()

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not (parent.isValid() or self._exhausted or self._in_flight is not None
                    or self._source is None)

    def fetchMore(self, parent: AnyIndex) -> None:
        if self.canFetchMore(parent):
            self._fetch()

    def _fetch(self) -> None:
        assert self._source is not None
        source, ticket_filter, sort = self._source, self._filter, self._sort
        cursor, limit = self._cursor, self._page_size
        task = self._runner.run(lambda: source.load_page(ticket_filter, sort, cursor, limit))
        task.succeeded.connect(self._on_page_task_succeeded)
        task.failed.connect(self._on_page_task_failed)
        self._in_flight = task
        self.page_requested.emit(self._replacing)

    def _forget_in_flight(self) -> None:
        if self._in_flight is not None:
            self._in_flight.succeeded.disconnect(self._on_page_task_succeeded)
            self._in_flight.failed.disconnect(self._on_page_task_failed)
            self._in_flight = None

    # --- Pages arriving -------------------------------------------------------------------

    @Slot(object)
    def _on_page_task_succeeded(self, page: TicketPage) -> None:
        # Still "in flight" until the rows are in: whoever reacts to the insert signals
        # and asks for more must not get this page's cursor again.
        self._exhausted = page.next_cursor is None
        self._cursor = page.next_cursor
        self._now = dt.datetime.now(dt.UTC)
        if self._replacing or page.capped_at:
            self._capped_at = page.capped_at
        if self._replacing:
            self._replacing = False
            self.beginResetModel()
            self._rows = list(page.rows)
            self._texts = [None] * len(self._rows)
            self.endResetModel()
        elif page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self._texts.extend([None] * len(page.rows))
            self.endInsertRows()
        self._in_flight = None
        self.page_loaded.emit(len(page.rows))

    @Slot(object)
    def _on_page_task_failed(self, error: BaseException) -> None:
        # A failed next page leaves the list as it is; a failed first page empties it
        # (the rows shown were for another filter or order). reload() tries again.
        self._in_flight = None
        self._exhausted = True
        if self._replacing:
            self._replacing = False
            self.beginResetModel()
            self._rows, self._texts = [], []
            self._capped_at = 0
            self.endResetModel()
        self.load_failed.emit(error)

    def _on_rows_loaded(self, asked: frozenset[uuid.UUID],
                        fresh: dict[uuid.UUID, ListedTicket]) -> None:
        for row_number in reversed(range(len(self._rows))):
            old = self._rows[row_number]
            if old.id not in asked:
                continue
            new = fresh.get(old.id)
            if new is None:  # no longer matches the filter (or no longer visible)
                self.beginRemoveRows(QModelIndex(), row_number, row_number)
                del self._rows[row_number]
                del self._texts[row_number]
                self.endRemoveRows()
            elif new != old:
                # The row keeps its place; paging goes on from the cursor the model holds,
                # so what changed in this row cannot shift the pages still to come.
                self._rows[row_number] = new
                self._texts[row_number] = None
                self.dataChanged.emit(self.index(row_number, 0),
                                      self.index(row_number, len(Column) - 1))
        self.rows_refreshed.emit()
