"""The table view every list tab of the ticket view uses: one look, sorting on typed keys.

A tab keeps its ``EntryTableModel`` and reads entries back through ``current_entry``,
so no tab maps proxy rows to source rows by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktopdesk.ui.table_look import set_list_look
from desktopdesk.ui.ticket_tab_models import EntryRole, EntryTableModel, SortKeyRole


class EntryTable(QTableView):
    """Read-only rows, whole-row selection, a proxy for sorting and a text filter."""

    def __init__(self, model: EntryTableModel[Any], name: str, accessible_name: str,
                 parent: QWidget | None = None, *, sortable: bool = True,
                 stretch_column: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible_name)
        self.source_model = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setObjectName(f"{name}_proxy")
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SortKeyRole)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setModel(self.proxy)
        set_list_look(self, f"{name}_header", f"{accessible_name} columns",
                      QAbstractItemView.SelectionMode.SingleSelection)
        header = self.horizontalHeader()
        if stretch_column is None:
            header.setStretchLastSection(True)
        else:
            header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        if sortable:
            # -1: the order the entries came in until someone clicks a column.
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            self.setSortingEnabled(True)

    def entry_at(self, index: QModelIndex) -> Any:
        return index.data(EntryRole) if index.isValid() else None

    def current_entry(self) -> Any:
        """The selected row's entry, or None."""
        rows = self.selectionModel().selectedRows()
        return self.entry_at(rows[0]) if rows else None

    def select_first(self, matches: Callable[[Any], bool]) -> bool:
        """Select the first row whose entry ``matches``; False if none does."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if matches(index.data(EntryRole)):
                self.setCurrentIndex(index)
                self.selectRow(row)
                return True
        return False

    def fit_columns(self, widths: dict[int, str]) -> None:
        """Width each column for its sample text; the stretching one takes what is left."""
        metrics = self.fontMetrics()
        for column, sample in widths.items():
            self.setColumnWidth(column, metrics.horizontalAdvance(sample) + 28)
