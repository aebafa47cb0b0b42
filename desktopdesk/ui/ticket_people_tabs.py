"""The ticket's Contacts and History tabs: who takes part, and every change made.

Both only show what ``TicketDetails`` carries; nothing here decides who is a contact or
what counts as a change (the domain does, when the ticket is read).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QVBoxLayout, QWidget

from desktopdesk.domain.ticket_details import TicketDetails
from desktopdesk.ui.form_messages import section_heading
from desktopdesk.ui.ticket_tab_models import ContactTableModel, HistoryTableModel
from desktopdesk.ui.ticket_tab_views import EntryTable

_CONTACT_SAMPLES = {
    ContactTableModel.NAME: "Javier Delgado Martínez",
    ContactTableModel.USERNAME: "javier.delgado",
    ContactTableModel.EMAIL: "javier.delgado@example.com",
}
_HISTORY_SAMPLES = {
    HistoryTableModel.WHEN: "2026/12/31 23:59:59",
    HistoryTableModel.WHO: "Javier Delgado",
    HistoryTableModel.WHAT: "Inventory object unlinked",
}


class TicketContactsTab(QWidget):
    """Everyone taking part, with their roles, then the addresses kept in copy."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_contacts_tab")
        self.setAccessibleName("Contacts")
        self.model = ContactTableModel(self)
        self.table = EntryTable(self.model, "contacts_table", "People taking part", self)
        self.table.fit_columns(_CONTACT_SAMPLES)
        self.copy_list = QListWidget(self)
        self.copy_list.setObjectName("emails_in_copy_list")
        self.copy_list.setAccessibleName("Emails in copy")
        self.copy_list.setMaximumHeight(self.fontMetrics().height() * 6)
        self.copy_empty = QLabel("Nobody outside the help desk is in copy.", self)
        self.copy_empty.setObjectName("emails_in_copy_empty")
        copy_heading = section_heading("Emails in copy", "emails_in_copy_heading", self)
        copy_heading.setToolTip("Addresses that receive the ticket's emails without an "
                                "account here.")
        layout = QVBoxLayout(self)
        layout.addWidget(section_heading("People", "contacts_heading", self))
        layout.addWidget(self.table, 1)
        layout.addWidget(copy_heading)
        layout.addWidget(self.copy_list)
        layout.addWidget(self.copy_empty)

    def show_details(self, details: TicketDetails) -> None:
        self.model.set_entries(details.contacts)
        self.copy_list.clear()
        self.copy_list.addItems(list(details.emails_in_copy))
        self.copy_list.setVisible(bool(details.emails_in_copy))
        self.copy_empty.setVisible(not details.emails_in_copy)

    @property
    def emails_in_copy(self) -> list[str]:
        return [self.copy_list.item(row).text() for row in range(self.copy_list.count())]


class TicketHistoryTab(QWidget):
    """Every change, newest first, narrowed by a text filter over all columns."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_history_tab")
        self.setAccessibleName("History")
        self.filter = QLineEdit(self)
        self.filter.setObjectName("history_filter")
        self.filter.setAccessibleName("Filter the history")
        self.filter.setPlaceholderText("Filter: a person, a field, a value…")
        self.filter.setClearButtonEnabled(True)
        self.model = HistoryTableModel(self)
        self.table = EntryTable(self.model, "history_table", "Ticket history", self)
        self.table.fit_columns(_HISTORY_SAMPLES)
        self.count = QLabel(self)
        self.count.setObjectName("history_count")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.filter.textChanged.connect(self._on_filter_text_changed)

    def show_details(self, details: TicketDetails) -> None:
        self.model.set_entries(details.history)
        self._update_count()

    @Slot(str)
    def _on_filter_text_changed(self, text: str) -> None:
        self.table.proxy.setFilterFixedString(text.strip())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.table.proxy.rowCount(), self.model.rowCount()
        if not total:
            self.count.setText("No changes recorded")
        elif shown == total:
            self.count.setText("1 change" if total == 1 else f"{total} changes")
        else:
            self.count.setText(f"{shown} of {total} changes")

    def shown_rows(self) -> list[tuple[str, ...]]:
        """What the table shows, row by row, in its current order and filter."""
        proxy = self.table.proxy
        return [tuple(str(proxy.index(row, column).data() or "")
                      for column in range(proxy.columnCount()))
                for row in range(proxy.rowCount())]
