"""The table view the ticket list is shown in: column sizes and row look."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktopdesk.ui.ticket_list_model import Column

#: Typical text each column should fit, in the view's font; longer values elide (their
#: tooltip has them whole) so the title keeps the room it needs.
_WIDTH_SAMPLES = {
    Column.NUMBER: "#00000",
    Column.STATUS: "Pending to be closed",
    Column.PRIORITY: "Very serious",
    Column.GROUP: "Support/Hardware",
    Column.OWNER: "Javier Delgado",
    Column.CREATOR: "Javier Delgado",
    Column.UPDATED: "2026-12-31 23:59",
}
_PADDING = 16


class TicketTable(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_table")
        self.setAccessibleName("Tickets")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setObjectName("ticket_table_header")
        header.setAccessibleName("Ticket columns")
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(40)

    def size_columns(self) -> None:
        """Fixed widths from the font (never from the rows: they arrive a page at a time)."""
        header = self.horizontalHeader()
        metrics = self.fontMetrics()
        for column, sample in _WIDTH_SAMPLES.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + _PADDING)
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)

