"""The ticket's family: the parent above, the child tickets below, each one opened in place.

A ticket the reader may not see is still named by its number (the link exists and
people ask about it), greyed and not openable, so nobody is sent to a refusal.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktopdesk.domain.ticket_details import TicketDetails, TicketLink
from desktopdesk.ui import palette
from desktopdesk.ui.ticket_tab_models import NOT_VISIBLE_WHY, ChildTicketTableModel
from desktopdesk.ui.ticket_tab_views import EntryTable

_SAMPLES = {ChildTicketTableModel.NUMBER: "#000000",
            ChildTicketTableModel.STATUS: "Pending on a third person"}


def link_text(link: TicketLink) -> str:
    if not link.visible:
        return link.number_label
    return f"{link.number_label} {link.title} ({link.status.label})"


class TicketChildrenTab(QWidget):
    #: The person asked to open this ticket (its id).
    ticket_open_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_children_tab")
        self.setAccessibleName("Child tickets")
        self._parent_link: TicketLink | None = None

        caption = QLabel("Parent ticket:", self)
        caption.setObjectName("parent_caption")
        self.parent_button = QPushButton(self)
        self.parent_button.setObjectName("open_parent_ticket")
        self.parent_button.setAccessibleName("Open the parent ticket")
        self.parent_button.setFlat(True)
        self.parent_button.setCursor(Qt.CursorShape.PointingHandCursor)
        palette.set_style(self.parent_button, "QPushButton { color: palette(link);"
                          " text-align: left; padding: 2px 4px; }"
                          " QPushButton:disabled { color: $muted_text; }")
        self.no_parent = QLabel("None: this ticket is not part of another.", self)
        self.no_parent.setObjectName("no_parent_ticket")
        parent_row = QHBoxLayout()
        parent_row.addWidget(caption)
        parent_row.addWidget(self.parent_button)
        parent_row.addWidget(self.no_parent)
        parent_row.addStretch(1)

        self.model = ChildTicketTableModel(self)
        self.table = EntryTable(self.model, "children_table", "Child tickets", self,
                                sortable=False, stretch_column=ChildTicketTableModel.TITLE)
        self.table.fit_columns(_SAMPLES)
        self.table.setToolTip("Double-click or press Enter to open a child ticket.")
        self.empty = QLabel("No child tickets.", self)
        self.empty.setObjectName("no_child_tickets")
        layout = QVBoxLayout(self)
        layout.addLayout(parent_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addStretch(0)  # takes the room only while the table is hidden

        self.parent_button.clicked.connect(self._on_parent_button_clicked)
        self.table.activated.connect(self._on_table_activated)

    def show_details(self, details: TicketDetails) -> None:
        self._parent_link = details.parent
        link = details.parent
        self.parent_button.setVisible(link is not None)
        self.no_parent.setVisible(link is None)
        if link is not None:
            self.parent_button.setText(link_text(link))
            self.parent_button.setEnabled(link.visible)
            self.parent_button.setToolTip("Open the parent ticket" if link.visible
                                          else NOT_VISIBLE_WHY)
        self.model.set_entries(details.children)
        self.empty.setVisible(not details.children)
        self.table.setVisible(bool(details.children))

    @Slot()
    def _on_parent_button_clicked(self) -> None:
        if self._parent_link is not None and self._parent_link.visible:
            self.ticket_open_requested.emit(self._parent_link.id)

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        link = self.table.entry_at(index)
        if isinstance(link, TicketLink) and link.visible:
            self.ticket_open_requested.emit(link.id)
