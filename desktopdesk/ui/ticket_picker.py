"""Choosing a parent ticket by number or title words, as one types.

One widget for the Create Ticket dialog and the Details tab. It holds no rules: what
is offered is ``ticket_view_source.find_parent_tickets``'s answer (tickets the person
may see), read on the task runner; whether the choice is allowed (not the ticket
itself, no loop) is SetParent's to say when the form is saved.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from desktopdesk.ui import palette
from desktopdesk.ui.delayed_search import DelayedSearch
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_view_source import TicketChoice

_NONE_TEXT = "None"
#: ``palette.set_style`` templates of the chosen ticket's label: "None" is said quietly.
_NONE_STYLE = "color: $muted_text;"
_CHOSEN_STYLE = ""

ParentSearch = Callable[[str], tuple[TicketChoice, ...]]


class ParentPicker(QWidget):
    """The chosen ticket as a chip (its link opens it, its close button removes it), or, with none
    chosen, a search field whose suggestions come in as one types."""

    #: The person chose another parent, or removed it (not sent by ``set_choice``).
    changed = Signal()
    #: A search's answer is in the completer: how many tickets it found.
    suggestions_shown = Signal(int)
    #: The chosen ticket's link was activated: its id.
    open_requested = Signal(object)

    def __init__(self, runner: TaskRunner, search: ParentSearch,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_parent")
        self.setAccessibleName("Parent ticket")
        self._chosen: TicketChoice | None = None
        self._editable = True
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("parent_search")
        self.search_edit.setAccessibleName("Find the parent ticket")
        self.search_edit.setPlaceholderText("Number (#812) or words of its title…")
        self.search_edit.setClearButtonEnabled(True)
        self._finder = DelayedSearch(self.search_edit, runner, search, name="parent",
                                     popup_accessible="Tickets found",
                                     icon="mdi6.ticket-outline")
        self.suggestions = self._finder.suggestions
        self.completer = self._finder.completer

        self.chip = QFrame(self)
        self.chip.setObjectName("parent_chip")
        self.chip.setStyleSheet("QFrame#parent_chip { background: palette(alternate-base);"
                                " border: 1px solid palette(mid); border-radius: 4px; }")
        self.chosen_label = QLabel(self.chip)
        self.chosen_label.setObjectName("parent_chosen")
        self.chosen_label.setTextFormat(Qt.TextFormat.RichText)
        self.chosen_label.setWordWrap(True)
        self.chosen_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.clear_button = QToolButton(self.chip)
        self.clear_button.setObjectName("parent_clear")
        self.clear_button.setAccessibleName("Remove the parent ticket")
        self.clear_button.setIcon(palette.icon("mdi6.close"))
        self.clear_button.setAutoRaise(True)
        chip_layout = QHBoxLayout(self.chip)
        chip_layout.setContentsMargins(6, 2, 2, 2)
        chip_layout.setSpacing(4)
        chip_layout.addWidget(self.chosen_label, 1)
        chip_layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)
        self.chip.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chip, 1)
        layout.addWidget(self.search_edit, 1)

        self._finder.suggestions_shown.connect(self.suggestions_shown)
        self._finder.chosen.connect(self._on_finder_chosen)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.chosen_label.linkActivated.connect(self._on_chosen_label_link_activated)

    def parent_id(self) -> uuid.UUID | None:
        return self._chosen.id if self._chosen is not None else None

    def chosen_text(self) -> str:
        """The chosen ticket as shown ("" with none)."""
        return self._chosen.label if self._chosen is not None else ""

    def set_search(self, search: ParentSearch) -> None:
        """What finds the tickets to offer (the Details tab leaves the ticket itself out)."""
        self._finder.search = search

    def set_choice(self, choice: TicketChoice | None, *, openable: bool = False,
                   tooltip: str = "") -> None:
        """Show ``choice`` as loaded (no ``changed``); ``openable``: its label is a link."""
        self._chosen = choice
        self._finder.stop()
        self.search_edit.clear()
        if choice is None:
            self.chosen_label.setText(_NONE_TEXT)
            palette.set_style(self.chosen_label, _NONE_STYLE)
            self.chosen_label.setToolTip("")
            self.chosen_label.setAccessibleName("No parent ticket")
        else:
            text = html.escape(choice.label)
            self.chosen_label.setText(f"<a href='open'>{text}</a>" if openable else text)
            palette.set_style(self.chosen_label, _CHOSEN_STYLE)
            self.chosen_label.setToolTip(tooltip or choice.label)
            self.chosen_label.setAccessibleName(f"Parent ticket {choice.label}")
            self.clear_button.setToolTip(f"No parent: remove {choice.label}")
        self._show_state()

    def set_editable(self, editable: bool) -> None:
        """Whether the person may choose or remove the parent (the link still opens it)."""
        self._editable = editable
        self._show_state()

    def _show_state(self) -> None:
        """With no choice the search field, or "None" where none may be chosen; with a
        choice its chip, removable where it may be changed."""
        searching = self._chosen is None and self._editable
        self.search_edit.setVisible(searching)
        self.chip.setVisible(not searching)
        self.clear_button.setVisible(self._chosen is not None and self._editable)

    def _choose(self, choice: TicketChoice | None) -> None:
        self.set_choice(choice)
        self.changed.emit()

    # --- Slots ----------------------------------------------------------------------------

    @Slot(object)
    def _on_finder_chosen(self, choice: object) -> None:
        if isinstance(choice, TicketChoice):
            self._choose(choice)
            self.clear_button.setFocus()

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        self._choose(None)
        self.search_edit.setFocus()

    @Slot(str)
    def _on_chosen_label_link_activated(self, _link: str) -> None:
        if self._chosen is not None:
            self.open_requested.emit(self._chosen.id)
