"""Table models of the ticket view's tabs: files, contacts, history, child tickets.

Each holds the frozen entries of one ``TicketDetails`` and the texts made from them once,
when the ticket is shown (not on every paint). A new ``TicketDetails`` replaces the rows
in one reset: it is a fresh read of the whole ticket, with nothing to match row by row.
Sorting and filtering go through a ``QSortFilterProxyModel`` on ``SortKeyRole``, which
holds typed keys (sizes as numbers, dates as timestamps), not the texts shown.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QGuiApplication, QIcon, QPalette

from desktopdesk.domain.ticket_details import (
    AttachmentEntry,
    ContactEntry,
    HistoryEntry,
    TicketLink,
)
from desktopdesk.ui import palette
from desktopdesk.ui.ticket_list_format import long_date, person_tooltip
from desktopdesk.ui.ticket_list_model import unattended_background
from desktopdesk.ui.ticket_tab_format import (
    history_change,
    history_what,
    human_size,
    person_name,
    roles_text,
)

AnyIndex = QModelIndex | QPersistentModelIndex
#: A typed key for sorting (number, timestamp or casefolded text).
SortKeyRole = Qt.ItemDataRole.UserRole + 1
#: The whole frozen entry of the row.
EntryRole = Qt.ItemDataRole.UserRole + 2

NOT_DOWNLOADED = "Not yet downloaded"
NOT_DOWNLOADED_WHY = "Not yet downloaded: the file comes with the next sync."
NOT_VISIBLE_WHY = "You may not see this ticket, only that it exists."

E = TypeVar("E")

_ROLES = frozenset({
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.AccessibleTextRole, SortKeyRole,
    EntryRole,
})


def greyed() -> QBrush:
    """The palette's disabled text colour: greyed in a light or a dark theme alike."""
    return QBrush(QGuiApplication.palette().color(QPalette.ColorGroup.Disabled,
                                                  QPalette.ColorRole.Text))


class EntryTableModel(QAbstractTableModel, Generic[E]):
    """Rows of frozen entries; subclasses say what each cell reads."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[E] = []
        self._texts: list[tuple[str, ...]] = []

    def set_entries(self, entries: Sequence[E]) -> None:
        self.beginResetModel()
        self._rows = self.ordered(entries)
        self._texts = [tuple(self.text(entry, column) for column in range(len(self.HEADERS)))
                       for entry in self._rows]
        self.endResetModel()

    def ordered(self, entries: Sequence[E]) -> list[E]:
        return list(entries)

    def entry(self, row: int) -> E:
        return self._rows[row]

    @property
    def entries(self) -> tuple[E, ...]:
        return tuple(self._rows)

    # --- What a cell reads (subclasses) -----------------------------------------------------

    def text(self, entry: E, column: int) -> str:
        raise NotImplementedError

    def tooltip(self, entry: E, column: int) -> str | None:
        return None

    def sort_key(self, entry: E, column: int) -> Any:
        return self.text(entry, column).casefold()

    def decoration(self, entry: E, column: int) -> QIcon | None:
        return None

    def dimmed(self, entry: E) -> bool:
        return False

    def enabled(self, entry: E) -> bool:
        return True

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return None

    def background(self, entry: E, column: int) -> QBrush | None:
        return None

    # --- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        if not self.enabled(self._rows[index.row()]):
            return Qt.ItemFlag.ItemNeverHasChildren
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():
            return None
        number, column = index.row(), index.column()
        if not (0 <= number < len(self._rows) and 0 <= column < len(self.HEADERS)):
            return None
        entry = self._rows[number]
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return self._texts[number][column]
            case Qt.ItemDataRole.ToolTipRole:
                return self.tooltip(entry, column)
            case Qt.ItemDataRole.AccessibleTextRole:
                return self.tooltip(entry, column) or self._texts[number][column]
            case Qt.ItemDataRole.ForegroundRole:
                return greyed() if self.dimmed(entry) else None
            case Qt.ItemDataRole.DecorationRole:
                return self.decoration(entry, column)
            case Qt.ItemDataRole.BackgroundRole:
                return self.background(entry, column)
            case Qt.ItemDataRole.TextAlignmentRole:
                alignment = self.alignment(column)
                return None if alignment is None else int(alignment)
        if role == SortKeyRole:
            return self.sort_key(entry, column)
        if role == EntryRole:
            return entry
        return None


# --- Files -----------------------------------------------------------------------------------

_FILE_ICONS = (
    ("image/", "mdi6.file-image-outline"),
    ("application/pdf", "mdi6.file-pdf-box"),
    ("text/", "mdi6.file-document-outline"),
    ("application/zip", "mdi6.folder-zip-outline"),
    ("application/x-7z", "mdi6.folder-zip-outline"),
    ("application/gzip", "mdi6.folder-zip-outline"),
)


@functools.cache
def file_icon(mime_type: str) -> QIcon:
    """An icon by the kind of file; cached, as lists repaint often."""
    name = next((icon for prefix, icon in _FILE_ICONS if mime_type.startswith(prefix)),
                "mdi6.file-outline")
    return palette.icon(name)


class AttachmentTableModel(EntryTableModel[AttachmentEntry]):
    NAME, SIZE, ADDED_BY, ADDED, WORKUNIT, LOCAL_COPY = range(6)
    HEADERS = ("Name", "Size", "Added by", "Added", "In a workunit", "Local copy")

    def text(self, entry: AttachmentEntry, column: int) -> str:
        match column:
            case self.NAME:
                return entry.file_name
            case self.SIZE:
                return human_size(entry.size)
            case self.ADDED_BY:
                return person_name(entry.uploader)
            case self.ADDED:
                return long_date(entry.created_at)
            case self.WORKUNIT:
                return "Yes" if entry.workunit_id is not None else "No"
            case _:
                return "Yes" if entry.available else NOT_DOWNLOADED

    def tooltip(self, entry: AttachmentEntry, column: int) -> str | None:
        if not entry.available:
            return NOT_DOWNLOADED_WHY
        if column == self.NAME:
            lines = [entry.file_name, entry.mime_type]
            if entry.description:
                lines.insert(1, entry.description)
            return "\n".join(lines)
        if column == self.SIZE:
            return f"{entry.size:,} bytes"
        if column == self.ADDED_BY:
            return person_tooltip(entry.uploader.username, entry.uploader.full_name)
        return None

    def sort_key(self, entry: AttachmentEntry, column: int) -> Any:
        if column == self.SIZE:
            return entry.size
        if column == self.ADDED:
            return entry.created_at.timestamp()
        return super().sort_key(entry, column)

    def decoration(self, entry: AttachmentEntry, column: int) -> QIcon | None:
        return file_icon(entry.mime_type) if column == self.NAME else None

    def dimmed(self, entry: AttachmentEntry) -> bool:
        return not entry.available

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        if column == self.SIZE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


# --- Contacts --------------------------------------------------------------------------------


class ContactTableModel(EntryTableModel[ContactEntry]):
    NAME, USERNAME, EMAIL, ROLES = range(4)
    HEADERS = ("Name", "Username", "Email", "Roles")

    def text(self, entry: ContactEntry, column: int) -> str:
        match column:
            case self.NAME:
                return person_name(entry.person)
            case self.USERNAME:
                return entry.person.username
            case self.EMAIL:
                return entry.email
            case _:
                return roles_text(entry.roles)

    def tooltip(self, entry: ContactEntry, column: int) -> str | None:
        return None if entry.person.enabled else "This account is disabled."

    def dimmed(self, entry: ContactEntry) -> bool:
        return not entry.person.enabled


# --- History ---------------------------------------------------------------------------------


class HistoryTableModel(EntryTableModel[HistoryEntry]):
    """Newest first, whatever order the entries came in; events of one moment in the
    reverse of the order given (the domain gives them oldest first)."""

    WHEN, WHO, WHAT, CHANGE = range(4)
    HEADERS = ("When", "Who", "What", "Change")

    def ordered(self, entries: Sequence[HistoryEntry]) -> list[HistoryEntry]:
        return sorted(reversed(entries), key=lambda entry: entry.at, reverse=True)

    def text(self, entry: HistoryEntry, column: int) -> str:
        match column:
            case self.WHEN:
                return long_date(entry.at)
            case self.WHO:
                return person_name(entry.actor)
            case self.WHAT:
                return history_what(entry)
            case _:
                return history_change(entry)

    def tooltip(self, entry: HistoryEntry, column: int) -> str | None:
        if column == self.WHO:
            return person_tooltip(entry.actor.username, entry.actor.full_name)
        if column == self.CHANGE and history_change(entry):
            return history_change(entry)
        return None

    def sort_key(self, entry: HistoryEntry, column: int) -> Any:
        if column == self.WHEN:
            return entry.at.timestamp()
        return super().sort_key(entry, column)


# --- Child tickets ---------------------------------------------------------------------------


@functools.cache
def not_visible_icon() -> QIcon:
    return palette.icon("mdi6.eye-off-outline", color=palette.muted_text)


class ChildTicketTableModel(EntryTableModel[TicketLink]):
    """A child the reader may not see shows its number only, greyed and not selectable."""

    NUMBER, TITLE, STATUS = range(3)
    HEADERS = ("Number", "Title", "Status")

    def text(self, entry: TicketLink, column: int) -> str:
        if column == self.NUMBER:
            return entry.number_label
        if not entry.visible:
            return ""
        return entry.title if column == self.TITLE else entry.status.label

    def tooltip(self, entry: TicketLink, column: int) -> str | None:
        if not entry.visible:
            return NOT_VISIBLE_WHY
        return entry.title if column == self.TITLE else None

    def decoration(self, entry: TicketLink, column: int) -> QIcon | None:
        return not_visible_icon() if column == self.NUMBER and not entry.visible else None

    def background(self, entry: TicketLink, column: int) -> QBrush | None:
        if entry.visible and entry.status.is_unattended:  # as the ticket list tints it
            return unattended_background()
        return None

    def dimmed(self, entry: TicketLink) -> bool:
        return not entry.visible

    def enabled(self, entry: TicketLink) -> bool:
        return entry.visible
