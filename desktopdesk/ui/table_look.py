"""How every list of rows looks: the ticket list and the ticket view's tabs alike.

Whole rows selected, one line each (longer text elided, its tooltip has it whole), no
grid, alternating row colours, a compact row height for the font, and a left-aligned
header that does not light up with the selection.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def set_list_look(view: QTableView, header_name: str, header_accessible_name: str,
                  selection: QAbstractItemView.SelectionMode) -> None:
    """Give ``view`` the look of a read-only list; ``selection``: one row or several."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setObjectName(header_name)
    header.setAccessibleName(header_accessible_name)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
