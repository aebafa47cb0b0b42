"""The Work orders tab's template drop-down: the ticket type's own template first, then
the others by name, the system template among them. A choice is kept while the tab
shows the same ticket (the list is read again after each generate) and forgotten for
the next ticket.

The options belong to one ticket (``ticket_id``). Generate (Ctrl+Shift+P works from any
tab) may run for a ticket whose list is not read yet, while the box still holds the
previous ticket's options and choice: ``chosen`` then says the ticket's own template,
never a choice made on another ticket.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QWidget

from desktopdesk.documents.work_orders import THE_TICKETS_OWN, TicketsOwn
from desktopdesk.ui.work_orders_source import TemplateOption

#: The item data: "own", "" (the system template) or a template's id.
_OWN = "own"


def _key(option: TemplateOption) -> str:
    if option.tickets_own:
        return _OWN
    return "" if option.template_id is None else str(option.template_id)


class TemplateBox(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("work_order_template")
        self.setAccessibleName("Work-order template")
        self.setToolTip("The template to print with: the one of the ticket's type unless "
                        "you choose another")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setMinimumContentsLength(24)
        #: The ticket the options (and the choice) are for; None: none listed.
        self.ticket_id: uuid.UUID | None = None
        self._kept = _OWN
        self.activated.connect(self._on_activated)

    def show_options(self, options: Sequence[TemplateOption], ticket_id: uuid.UUID) -> None:
        """List ``options`` for ``ticket_id``, keeping the person's choice if it was made
        for the same ticket."""
        if ticket_id != self.ticket_id:
            self._kept = _OWN
        self.ticket_id = ticket_id
        self.clear()
        for option in options:
            text = f"{option.name} (this ticket's type)" if option.tickets_own else option.name
            self.addItem(text, _key(option))
            if option.tickets_own:
                self.setItemData(self.count() - 1, "The template this ticket's type prints "
                                 "with", Qt.ItemDataRole.ToolTipRole)
        kept = self.findData(self._kept)
        self.setCurrentIndex(kept if kept >= 0 else 0)

    def forget(self) -> None:
        """Another ticket is shown: no options, and no choice, until its list is read."""
        self.ticket_id = None
        self._kept = _OWN
        self.clear()

    def chosen(self, ticket_id: uuid.UUID) -> uuid.UUID | TicketsOwn | None:
        """What Generate prints ``ticket_id`` with: the ticket's own (``THE_TICKETS_OWN``)
        or an id (None: the system template). Only a choice made among this ticket's
        options counts."""
        if ticket_id != self.ticket_id or self.currentIndex() < 0:
            return THE_TICKETS_OWN
        key = self.currentData()
        if key == _OWN or not isinstance(key, str):
            return THE_TICKETS_OWN
        return uuid.UUID(key) if key else None

    @Slot(int)
    def _on_activated(self, _index: int) -> None:
        self._kept = self.currentData()
