"""The lists of the work-order template editor: the templates, the ticket types a template
is for (ticked), and the problems found in it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon

from desktopdesk.documents.work_order_queries import TemplateRow, TicketTypeChoice
from desktopdesk.ui import palette
from desktopdesk.ui.admin.work_order_template_source import TemplatesPage
from desktopdesk.ui.ticket_tab_models import EntryTableModel

AnyIndex = QModelIndex | QPersistentModelIndex


class TemplateTableModel(EntryTableModel[TemplateRow]):
    NAME, TYPES = range(2)
    HEADERS = ("Template", "Used for")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.page: TemplatesPage | None = None

    def set_page(self, page: TemplatesPage) -> None:
        self.page = page
        self.set_entries(page.templates)

    def _types(self, entry: TemplateRow) -> tuple[str, ...]:
        return self.page.type_names(entry.ticket_type_ids) if self.page is not None else ()

    def text(self, entry: TemplateRow, column: int) -> str:
        if column == self.NAME:
            return entry.name
        names = ", ".join(self._types(entry))
        if entry.is_default:
            return f"Default, {names}" if names else "Default"
        return names or "No type"

    def tooltip(self, entry: TemplateRow, column: int) -> str | None:
        if column == self.NAME:
            return entry.description or None
        names = self._types(entry)
        said = [f"Printed for {', '.join(names)}."] if names else []
        if entry.is_default:
            said.append("The default: ticket types without a template of their own print "
                        "with it.")
        return " ".join(said) or "No ticket type prints with it yet."

    def decoration(self, entry: TemplateRow, column: int) -> QIcon | None:
        if column != self.NAME:
            return None
        return palette.icon("mdi6.file-star-outline" if entry.is_default
                            else "mdi6.file-document-outline")

    def dimmed(self, entry: TemplateRow) -> bool:
        return not entry.is_default and not entry.ticket_type_ids


class TypeChecklistModel(QAbstractListModel):
    """Every ticket type, ticked when it prints with the template being edited."""

    #: A tick was set or cleared by the person.
    checks_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._types: list[TicketTypeChoice] = []
        self._checked: set[uuid.UUID] = set()
        self._page: TemplatesPage | None = None
        self._template_id: uuid.UUID | None = None

    def set_types(self, page: TemplatesPage, template_id: uuid.UUID | None,
                  checked: Sequence[uuid.UUID]) -> None:
        self.beginResetModel()
        self._page = page
        self._types = list(page.ticket_types)
        self._template_id = template_id
        self._checked = set(checked)
        self.endResetModel()

    def checked_ids(self) -> tuple[uuid.UUID, ...]:
        """Ticked types, in the list's order (by name)."""
        return tuple(choice.id for choice in self._types if choice.id in self._checked)

    def set_checked(self, type_id: uuid.UUID, checked: bool) -> None:
        row = next(n for n, choice in enumerate(self._types) if choice.id == type_id)
        self.setData(self.index(row), (Qt.CheckState.Checked if checked
                                       else Qt.CheckState.Unchecked).value,
                     Qt.ItemDataRole.CheckStateRole)

    def _elsewhere(self, choice: TicketTypeChoice) -> str:
        """The other template the type prints with now ("" if none or this one)."""
        if choice.template_id is None or choice.template_id == self._template_id \
                or self._page is None:
            return ""
        return self._page.template_name(choice.template_id)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._types)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._types):
            return None
        choice = self._types[index.row()]
        elsewhere = self._elsewhere(choice)
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return f"{choice.name}  (now: {elsewhere})" if elsewhere else choice.name
            case Qt.ItemDataRole.CheckStateRole:
                return (Qt.CheckState.Checked if choice.id in self._checked
                        else Qt.CheckState.Unchecked)
            case Qt.ItemDataRole.ToolTipRole:
                if elsewhere:
                    return (f"'{choice.name}' prints with '{elsewhere}' now; ticking it "
                            "moves it to this template when saved.")
                return f"'{choice.name}' tickets print with this template when ticked."
            case Qt.ItemDataRole.UserRole:
                return choice.id
        return None

    def setData(self, index: AnyIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        choice = self._types[index.row()]
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        if checked == (choice.id in self._checked):
            return True
        if checked:
            self._checked.add(choice.id)
        else:
            self._checked.discard(choice.id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checks_changed.emit()
        return True


@dataclass(frozen=True)
class Problem:
    """One thing to fix in the template, said in a sentence."""

    text: str
    #: The unknown macro it is about, to find in the text (None: not about a macro).
    macro: str | None = None
    #: Found by the preview's print of a ticket, rather than in the text alone.
    from_preview: bool = False


class ProblemListModel(EntryTableModel[Problem]):
    HEADERS = ("Problem",)

    def text(self, entry: Problem, column: int) -> str:
        return entry.text

    def tooltip(self, entry: Problem, column: int) -> str | None:
        if entry.macro is not None:
            return f"{entry.text}\nDouble-click to find it in the text."
        return entry.text

    def decoration(self, entry: Problem, column: int) -> QIcon | None:
        return palette.icon("mdi6.alert-outline", palette.warning_text)
