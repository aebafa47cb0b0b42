"""The template editor's macro picker: every macro a template may use, found as one types.

The list is the catalogue for the template's ticket types (the ticket's own macros, their
custom fields by label, and the work-order blocks), each with what it prints. Choosing
one (double-click, Enter or Insert) hands it to the editor, which writes ``_name_`` where
the cursor is; the picker itself writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.documents.work_orders import MacroInfo
from desktopdesk.ui import palette
from desktopdesk.ui.admin.org_form import button
from desktopdesk.ui.table_look import set_list_look
from desktopdesk.ui.ticket_tab_models import EntryRole, EntryTableModel

_GROUP_ICONS = {"Ticket": "mdi6.ticket-outline", "Custom fields": "mdi6.form-textbox",
                "Blocks": "mdi6.view-agenda-outline"}


class MacroTableModel(EntryTableModel[MacroInfo]):
    MACRO, KIND, DESCRIPTION = range(3)
    HEADERS = ("Macro", "Kind", "What it prints")

    def text(self, entry: MacroInfo, column: int) -> str:
        match column:
            case self.MACRO:
                return entry.macro
            case self.KIND:
                return entry.group
        return entry.description

    def tooltip(self, entry: MacroInfo, column: int) -> str | None:
        return f"{entry.macro}: {entry.description}"

    def decoration(self, entry: MacroInfo, column: int) -> QIcon | None:
        if column != self.MACRO:
            return None
        return palette.icon(_GROUP_ICONS.get(entry.group, "mdi6.code-braces"))


class MacroFilter(QSortFilterProxyModel):
    """Keeps the macros whose name, kind or description has every word typed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: tuple[str, ...] = ()

    def set_words(self, text: str) -> None:
        self.beginFilterChange()
        self._words = tuple(text.casefold().replace("_", " ").split())
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        entry: Any = model.data(model.index(source_row, 0, source_parent), EntryRole)
        if not isinstance(entry, MacroInfo):
            return False
        haystack = f"{entry.name.replace('_', ' ')} {entry.group} {entry.description}".casefold()
        return all(word in haystack for word in self._words)


class MacroPicker(QWidget):
    """A search field over the macros, and Insert."""

    #: The person chose a macro to insert.
    macro_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("macro_picker")
        self.setAccessibleName("Macros")
        self.search = QLineEdit(self)
        self.search.setObjectName("macro_search")
        self.search.setAccessibleName("Find a macro")
        self.search.setPlaceholderText("Find a macro: title, status, signature…")
        self.search.setClearButtonEnabled(True)
        self.model = MacroTableModel(self)
        self.filter = MacroFilter(self)
        self.filter.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("macro_table")
        self.table.setAccessibleName("Macros the template may use")
        set_list_look(self.table, "macro_table_header", "Macro columns",
                      QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setModel(self.filter)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(MacroTableModel.MACRO,
                                    QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MacroTableModel.KIND,
                                    QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.insert_button = button(self, "macro_insert", "Insert", "mdi6.code-braces",
                                    "Write the chosen macro where the cursor is (Enter)")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.insert_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.insert_button.clicked.connect(self._on_insert_button_clicked)
        self.table.installEventFilter(self)
        self._update_button()
        self.table.selectionModel().selectionChanged.connect(self._update_button)

    def set_macros(self, entries: Sequence[MacroInfo]) -> None:
        chosen = self.chosen()
        self.model.set_entries(entries)
        if chosen is not None:
            self.select(chosen.name)
        self._update_button()

    def macros(self) -> tuple[MacroInfo, ...]:
        """Those shown now (the search applied), in order."""
        return tuple(self.filter.data(self.filter.index(row, 0), EntryRole)
                     for row in range(self.filter.rowCount()))

    def chosen(self) -> MacroInfo | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        entry = self.filter.data(self.filter.index(index.row(), 0), EntryRole)
        return entry if isinstance(entry, MacroInfo) else None

    def select(self, name: str) -> bool:
        """Choose the macro ``name`` (as clicking it does); False if it is not shown."""
        for row in range(self.filter.rowCount()):
            entry = self.filter.data(self.filter.index(row, 0), EntryRole)
            if isinstance(entry, MacroInfo) and entry.name == name:
                self.table.selectRow(row)
                return True
        return False

    def insert_chosen(self) -> None:
        chosen = self.chosen()
        if chosen is not None:
            self.macro_chosen.emit(chosen)

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        if (watched is self.table and isinstance(event, QKeyEvent)
                and event.type() == QKeyEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.insert_chosen()
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _update_button(self) -> None:
        self.insert_button.setEnabled(self.chosen() is not None)

    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        self.filter.set_words(text)
        if self.filter.rowCount() and self.chosen() is None:
            self.table.selectRow(0)
        self._update_button()

    @Slot()
    def _on_search_return_pressed(self) -> None:
        self.insert_chosen()

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        self.insert_chosen()

    @Slot()
    def _on_insert_button_clicked(self) -> None:
        self.insert_chosen()
