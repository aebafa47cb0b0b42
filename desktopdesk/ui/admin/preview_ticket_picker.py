"""The ticket an editor's preview is for: offered tickets, or any number typed.

Shared by the SLA editor's and the work-order template editor's previews: an editable
drop-down (the tickets the thing previewed applies to are offered; any ticket the person
may see can be typed) beside a button that asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from desktopdesk.ui.admin.org_form import button
from desktopdesk.ui.admin.sla_source import TicketOption


@dataclass(frozen=True)
class PickerWords:
    """What one editor's picker is called and says."""

    #: Prefix of the object names: ``<prefix>_ticket``, ``<prefix>_show``.
    name: str
    accessible_name: str
    tooltip: str
    button_text: str
    button_icon: str
    button_tooltip: str


class PreviewTicketPicker(QWidget):
    #: The person asked for a ticket (the text typed or picked: "#12 …").
    ticket_requested = Signal(str)

    def __init__(self, words: PickerWords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ticket_combo = QComboBox(self)
        self.ticket_combo.setObjectName(f"{words.name}_ticket")
        self.ticket_combo.setAccessibleName(words.accessible_name)
        self.ticket_combo.setEditable(True)
        self.ticket_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.ticket_combo.setMinimumContentsLength(8)  # the number shows; it widens
        self.ticket_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        line_edit = self.ticket_combo.lineEdit()
        assert line_edit is not None
        line_edit.setPlaceholderText("Ticket number (#12), or pick one")
        self.ticket_combo.setToolTip(words.tooltip)
        self.show_button = button(self, f"{words.name}_show", words.button_text,
                                  words.button_icon, words.button_tooltip)
        self._requested = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ticket_combo, 1)
        layout.addWidget(self.show_button)
        self.show_button.clicked.connect(self._on_show_button_clicked)
        self.ticket_combo.activated.connect(self._on_ticket_combo_activated)
        line_edit.returnPressed.connect(self._on_show_button_clicked)

    @property
    def ticket_text(self) -> str:
        return self.ticket_combo.currentText().strip()

    def set_options(self, options: Sequence[TicketOption]) -> None:
        """Offer ``options``, keeping what is typed."""
        typed = self.ticket_combo.currentText()
        was = self.ticket_combo.blockSignals(True)
        try:
            self.ticket_combo.clear()
            for option in options:
                self.ticket_combo.addItem(option.text, option.id)
            self.ticket_combo.setCurrentIndex(-1)
            self.ticket_combo.setEditText(typed)
        finally:
            self.ticket_combo.blockSignals(was)

    def choose(self, text: str) -> None:
        """Ask for the ticket ``text`` names, as typing it and pressing Enter does ("#12"
        shows as the ticket offered, title and all)."""
        offered = next((self.ticket_combo.itemText(i) for i in range(self.ticket_combo.count())
                        if self.ticket_combo.itemText(i).split(" ", 1)[0] == text.strip()),
                       text)
        self.ticket_combo.setEditText(offered)
        self._on_show_button_clicked()

    @Slot()
    def _on_show_button_clicked(self) -> None:
        if self.ticket_text:
            line_edit = self.ticket_combo.lineEdit()
            if line_edit is not None:
                line_edit.setCursorPosition(0)  # the number shows, not the title's end
            self._requested = self.ticket_text
            self.ticket_requested.emit(self.ticket_text)

    @Slot(int)
    def _on_ticket_combo_activated(self, _index: int) -> None:
        # An editable combo also says "activated" when it loses the focus with an offered
        # ticket typed: asking for the same ticket again then would be for nothing.
        if self.ticket_text != self._requested:
            self._on_show_button_clicked()
