"""The ticket's workunit thread: one card per workunit, in the order the domain gives.

Why cards made in batches rather than a ``QListView`` with a delegate: a workunit is
rich text with inline pictures, links people click and select, and a "Read more" that
changes its height. A delegate would have to paint, lay out, hit-test and make
accessible all of that by hand (and repaint it on every scroll). Real widgets get it
from Qt, and the cost of thousands of them is avoided by making only the first
``BATCH_SIZE`` cards and ``BATCH_SIZE`` more each time "Show more" is pressed: people
read the latest workunits, and a ticket with 3,000 opens as fast as one with 30.

When the same ticket is shown again (after a workunit was added, after a sync), cards
whose entry did not change are kept as they are, "Read more" state and all; only new or
changed workunits are built.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.ticket_details import TicketDetails, WorkunitEntry
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import palette
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_tab_format import hours_text
from desktopdesk.ui.workunit_thread_card import WorkunitCard, card_style

BATCH_SIZE = 25
EMPTY_TEXT = "No workunits yet"


class WorkunitThread(QWidget):
    """``runner`` is the ticket view's: inline pictures are read from the blob store on it
    (the editor's ``InlineImageDocument``), so closing the view waits for those reads."""

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workunit_thread")
        self.setAccessibleName("Workunits")
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self._ticket_id: uuid.UUID | None = None
        self._entries: tuple[WorkunitEntry, ...] = ()
        self._cards: list[WorkunitCard] = []
        self._expanded: set[uuid.UUID] = set()

        self.summary = QLabel(self)
        self.summary.setObjectName("workunit_summary")
        self.summary.setContentsMargins(6, 4, 6, 0)
        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setObjectName("workunit_thread_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        palette.set_style(self.empty, "color: $muted_text; padding: 24px;")

        self.container = QWidget()
        self.container.setObjectName("workunit_cards")
        palette.follow_palette(self, self._style_cards)
        self._cards_layout = QVBoxLayout(self.container)
        self._cards_layout.setContentsMargins(4, 4, 4, 4)
        self._cards_layout.setSpacing(8)
        self.more_button = QPushButton(self.container)
        self.more_button.setObjectName("workunit_show_more")
        self.more_button.setAccessibleName("Show more workunits")
        self.more_button.hide()
        self._cards_layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._cards_layout.addStretch(1)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("workunit_thread_scroll")
        self.scroll_area.setAccessibleName("Workunit thread")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.container)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.empty)
        layout.addWidget(self.scroll_area, 1)
        self.more_button.clicked.connect(self._on_more_button_clicked)
        self._show_state()

    def _style_cards(self) -> None:
        self.container.setStyleSheet(card_style())

    # --- What is shown --------------------------------------------------------------------

    @property
    def cards(self) -> list[WorkunitCard]:
        return list(self._cards)

    @property
    def total_count(self) -> int:
        return len(self._entries)

    def show_details(self, details: TicketDetails) -> None:
        same_ticket = details.id == self._ticket_id
        shown = max(BATCH_SIZE, len(self._cards)) if same_ticket else BATCH_SIZE
        if not same_ticket:
            self._expanded.clear()
        self._ticket_id = details.id
        self._entries = details.workunits
        reusable = {card.entry: card for card in self._cards} if same_ticket else {}
        for card in self._cards:
            self._cards_layout.removeWidget(card)
        self._cards = []
        for entry in self._entries[:shown]:
            kept = reusable.pop(entry, None)
            self._append(kept if kept is not None else self._make_card(entry))
        for card in reusable.values():
            card.hide()
            card.deleteLater()
        if not same_ticket:
            self.scroll_area.verticalScrollBar().setValue(0)
        self._show_state()

    def show_more(self) -> None:
        start = len(self._cards)
        for entry in self._entries[start:start + BATCH_SIZE]:
            self._append(self._make_card(entry))
        self._show_state()

    def _make_card(self, entry: WorkunitEntry) -> WorkunitCard:
        card = WorkunitCard(entry, self.workspace.blobs, self.runner, self.user_id,
                            self.container)
        if entry.id in self._expanded:
            card.set_expanded(True)
        card.expanded_changed.connect(self._on_card_expanded_changed)
        return card

    def _append(self, card: WorkunitCard) -> None:
        self._cards_layout.insertWidget(len(self._cards), card)
        self._cards.append(card)
        card.show()

    def _show_state(self) -> None:
        total = len(self._entries)
        left = total - len(self._cards)
        self.empty.setVisible(total == 0)
        self.scroll_area.setVisible(total > 0)
        self.summary.setVisible(total > 0)
        hours = sum(entry.hours for entry in self._entries)
        self.summary.setText(f"{'1 workunit' if total == 1 else f'{total} workunits'}, "
                             f"{hours_text(hours)} in all")
        self.more_button.setVisible(left > 0)
        if left > 0:
            batch = min(BATCH_SIZE, left)
            self.more_button.setText(f"Show {batch} more ({left} not shown yet)")

    @Slot()
    def _on_more_button_clicked(self) -> None:
        self.show_more()

    @Slot(object, bool)
    def _on_card_expanded_changed(self, workunit_id: uuid.UUID, expanded: bool) -> None:
        if expanded:
            self._expanded.add(workunit_id)
        else:
            self._expanded.discard(workunit_id)
