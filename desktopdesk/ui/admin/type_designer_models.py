"""The designer's two lists: the ticket types (after "Global fields") and the fields of
the page shown, in form order.

The fields list is where reordering happens: a drag (dropped between rows) or a move
button moves a row here at once and says so (``order_changed``, the whole new order of
the page's own fields), and the section stores it with ReorderCustomFields. A type's
page lists the global fields too, first and fixed: they are ordered on their own page.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QPalette

from desktopdesk.domain.admin_queries import FieldDefinition, TypeDesign, TypeSummary
from desktopdesk.models import FieldKind
from desktopdesk.ui import palette
from desktopdesk.ui.admin.types_source import TypeCatalogue

AnyIndex = QModelIndex | QPersistentModelIndex
#: What a dragged row carries: the ids of the fields dragged, as JSON.
FIELD_IDS_MIME = "application/x-desktopdesk-field-ids"
GLOBAL_FIELDS = "Global fields"
KIND_SHORT = {
    FieldKind.TEXT: "Text", FieldKind.TEXTAREA: "Text area", FieldKind.DATE: "Date",
    FieldKind.NUMERIC: "Number", FieldKind.CHECKBOX: "Checkbox", FieldKind.COMBO: "Combo",
    FieldKind.LINKED: "Linked",
}
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _greyed() -> QBrush:
    return QBrush(QGuiApplication.palette().color(QPalette.ColorGroup.Disabled,
                                                  QPalette.ColorRole.Text))


class TypeListModel(QAbstractTableModel):
    """"Global fields", then every type by name, with its own fields and its tickets."""

    HEADERS = ("Type", "Fields", "Tickets")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._catalogue: TypeCatalogue | None = None

    def set_catalogue(self, catalogue: TypeCatalogue) -> None:
        self.beginResetModel()
        self._catalogue = catalogue
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._catalogue is None:
            return 0
        return 1 + len(self._catalogue.types)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def summary(self, row: int) -> TypeSummary | None:
        """The type on ``row`` (None for the global fields' row or no row)."""
        if self._catalogue is None or not 1 <= row <= len(self._catalogue.types):
            return None
        return self._catalogue.types[row - 1]

    def type_id(self, row: int) -> uuid.UUID | None:
        summary = self.summary(row)
        return summary.id if summary is not None else None

    def row_of(self, type_id: uuid.UUID | None) -> int:
        """The row of a type (0, the global fields, for None); -1 if not listed."""
        if self._catalogue is None:
            return -1
        if type_id is None:
            return 0
        return next((row for row, t in enumerate(self._catalogue.types, start=1)
                     if t.id == type_id), -1)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._catalogue is None:
            return None
        summary = self.summary(index.row())
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if summary is None:
                return (GLOBAL_FIELDS, str(self._catalogue.global_field_count), "")[column]
            return (summary.name, str(summary.field_count), str(summary.ticket_count))[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if summary is None:
                return "Fields defined once and shown in every type's form."
            return summary.description or None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return palette.icon("mdi6.earth" if summary is None else "mdi6.form-select")
        if role == Qt.ItemDataRole.FontRole and summary is None:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return _RIGHT
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None


class FieldListModel(QAbstractTableModel):
    """The fields of one page in form order; the page's own ones can be moved."""

    HEADERS = ("Field", "Kind", "Required", "Tickets")
    #: The page's own fields were put in a new order (their ids, all of them).
    order_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._design: TypeDesign | None = None
        self._rows: list[FieldDefinition] = []
        self._movable = True

    def set_design(self, design: TypeDesign, *, movable: bool = True) -> None:
        self.beginResetModel()
        self._design = design
        self._rows = list(design.fields)
        self._movable = movable
        self.endResetModel()

    def design_in_order(self) -> TypeDesign:
        """The page's design with its fields as listed now."""
        assert self._design is not None
        return dataclasses.replace(self._design, fields=tuple(self._rows))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def definition(self, row: int) -> FieldDefinition | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, field_id: uuid.UUID) -> int:
        return next((row for row, d in enumerate(self._rows) if d.id == field_id), -1)

    def is_movable(self, field_id: uuid.UUID) -> bool:
        """One of the page's own fields (a type's page lists the global ones too)."""
        row = self.row_of(field_id)
        return (self._movable and self._design is not None and row >= 0
                and self._rows[row].ticket_type_id == self._design.id)

    def _first_own_row(self) -> int:
        design = self._design
        return next((row for row, d in enumerate(self._rows)
                     if design is not None and d.ticket_type_id == design.id), len(self._rows))

    def own_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(d.id for d in self._rows[self._first_own_row():])

    # --- Showing --------------------------------------------------------------------------

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        field = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(field, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(field)
        if role == Qt.ItemDataRole.ForegroundRole and not self.is_movable(field.id):
            return _greyed()
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return palette.icon("mdi6.earth" if field.is_global else "mdi6.drag-vertical")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return _RIGHT
        return None

    def _text(self, field: FieldDefinition, column: int) -> str:
        if column == 0:
            return field.label
        if column == 1:
            parent = next((d for d in self._rows if d.id == field.parent_field_id), None)
            kind = KIND_SHORT[field.kind]
            return f"{kind}, under {parent.label}" if parent is not None else kind
        if column == 2:
            return "Required" if field.required else ""
        return str(field.tickets_with_value) if field.tickets_with_value else ""

    def _tooltip(self, field: FieldDefinition) -> str:
        parts = []
        if field.is_global and self._design is not None and self._design.id is not None:
            parts.append("A global field: move or remove it under Global fields.")
        elif self._movable:
            parts.append("Drag to move it in the form (or Alt+Up, Alt+Down).")
        if field.tickets_with_value:
            parts.append(f"Tickets holding a value: {field.tickets_with_value}.")
        if field.help_text:
            parts.append(field.help_text)
        return "\n".join(parts)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    # --- Moving ---------------------------------------------------------------------------

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():  # drops land between rows, never on one
            return Qt.ItemFlag.ItemIsDropEnabled if self._movable else Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        field = self.definition(index.row())
        if field is not None and self.is_movable(field.id):
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [FIELD_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        ids = [str(self._rows[r].id) for r in rows if self.is_movable(self._rows[r].id)]
        data = QMimeData()
        data.setData(FIELD_IDS_MIME, QByteArray(json.dumps(ids).encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: AnyIndex) -> bool:
        return (self._movable and action == Qt.DropAction.MoveAction
                and data.hasFormat(FIELD_IDS_MIME))

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: AnyIndex) -> bool:
        """Move the dragged field to where it was dropped (before ``row``)."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            ids = [uuid.UUID(raw) for raw in json.loads(bytes(data.data(FIELD_IDS_MIME).data()))]
        except (ValueError, TypeError):
            return False
        sources = [self.row_of(i) for i in ids if self.is_movable(i)]
        if len(sources) != 1:
            return False
        target = row if row >= 0 else (parent.row() if parent.isValid() else len(self._rows))
        return self.move_to(sources[0], max(target, self._first_own_row()))

    def move(self, row: int, step: int) -> bool:
        """Move a row one place up (-1) or down (1) among the page's own fields."""
        if not self.can_move(row, step):
            return False
        return self.move_to(row, row + step + (1 if step > 0 else 0))

    def can_move(self, row: int, step: int) -> bool:
        field = self.definition(row)
        if field is None or not self.is_movable(field.id):
            return False
        return self._first_own_row() <= row + step < len(self._rows)

    def move_to(self, row: int, before: int) -> bool:
        """Move ``row`` to just before row ``before`` (the end for ``rowCount()``)."""
        if before in (row, row + 1) or not 0 <= row < len(self._rows):
            return False
        if not self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), before):
            return False
        moved = self._rows.pop(row)
        self._rows.insert(before - 1 if before > row else before, moved)
        self.endMoveRows()
        self.order_changed.emit(self.own_ids())
        return True
