"""The Work orders tab's template drop-down: the ticket type's own template first, then
the others by name, the system template among them. A choice is kept while the tab
shows the same ticket (the list is read again after each generate) and forgotten for
the next ticket."""

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
        self._kept = _OWN
        self.activated.connect(self._on_activated)

    def show_options(self, options: Sequence[TemplateOption], *, same_ticket: bool) -> None:
        """List ``options``, keeping the person's choice for the same ticket."""
        if not same_ticket:
            self._kept = _OWN
        self.clear()
        for option in options:
            text = f"{option.name} (this ticket's type)" if option.tickets_own else option.name
            self.addItem(text, _key(option))
            if option.tickets_own:
                self.setItemData(self.count() - 1, "The template this ticket's type prints "
                                 "with", Qt.ItemDataRole.ToolTipRole)
        kept = self.findData(self._kept)
        self.setCurrentIndex(kept if kept >= 0 else 0)

    def chosen(self) -> uuid.UUID | TicketsOwn | None:
        """What Generate prints with: the ticket's own (``THE_TICKETS_OWN``) or an id
        (None: the system template)."""
        key = self.currentData() if self.currentIndex() >= 0 else _OWN
        if key == _OWN or not isinstance(key, str):
            return THE_TICKETS_OWN
        return uuid.UUID(key) if key else None

    @Slot(int)
    def _on_activated(self, _index: int) -> None:
        self._kept = self.currentData()
