"""Changes the server did not apply, each with what the user typed and its way forward.

``ConflictList`` shows open conflicts (all of them in the sync panel, one ticket's in the
ticket view's ``TicketConflictsPanel``) as cards; the buttons run the actions of
``desktopdesk.sync.conflicts`` on the task runner and the list reads itself again after.
The user's text is shown selectable, so it can be copied even before choosing anything.
"""

from __future__ import annotations

import logging
import uuid

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.errors import DomainError
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync import conflicts
from desktopdesk.sync.conflicts import ActionOutcome, ConflictAction, ConflictRow
from desktopdesk.ui import messages, palette
from desktopdesk.ui.tasks import Task, TaskRunner

log = logging.getLogger("desktopdesk.ui.sync")

_ACTION_ICONS = {
    ConflictAction.ASK_OWNER: "mdi6.account-question-outline",
    ConflictAction.RETRY: "mdi6.refresh",
    ConflictAction.COPY_TO_NEW_TICKET: "mdi6.ticket-outline",
    ConflictAction.DISCARD: "mdi6.delete-outline",
}
_ACTION_TIPS = {
    ConflictAction.ASK_OWNER: "Post a note to the ticket's owner asking them to do it, "
                              "with your text",
    ConflictAction.RETRY: "Send the same change again; the server decides anew",
    ConflictAction.COPY_TO_NEW_TICKET: "File a new ticket holding your text",
    ConflictAction.DISCARD: "Stop showing this; your text stays in the sync records",
}
#: A ``palette.set_style`` template: a card on the base colour, marked in the danger colour.
CARD_STYLE = """
QFrame#conflict_card { background: palette(base); border: 1px solid palette(mid);
                       border-left: 4px solid $danger; border-radius: 4px; }
QLabel#conflict_context { color: $muted_text; }
QLabel#conflict_user_text { background: palette(alternate-base); border-radius: 3px;
                            padding: 6px; }
"""


class ConflictCard(QFrame):
    """One refused change: the sentence, the server's words, the user's text, the buttons."""

    action_chosen = Signal(int, str)  # conflict id, ConflictAction value

    def __init__(self, row: ConflictRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.setObjectName("conflict_card")
        self.setAccessibleName(f"Not applied: {row.summary}")
        palette.set_style(self, CARD_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.summary_label = self._label("conflict_summary", row.summary)
        font = self.summary_label.font()
        font.setBold(True)
        self.summary_label.setFont(font)
        when = row.created_at.astimezone()
        ticket = (f"{row.ticket_label} \u2013 {row.ticket_title}" if row.ticket_label
                  else "a ticket no longer on this computer")
        self.context_label = self._label(
            "conflict_context", f"Done {when:%d %b %Y %H:%M} on {ticket}. "
                                f"The server said: \u201c{row.reason}\u201d")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.context_label)
        self.user_text_label: QLabel | None = None
        if row.user_text:
            caption = self._label("conflict_user_text_caption", "What you typed (kept):")
            self.user_text_label = self._label("conflict_user_text", row.user_text)
            self.user_text_label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            self.user_text_label.setAccessibleName("What you typed")
            layout.addWidget(caption)
            layout.addWidget(self.user_text_label)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.buttons: dict[ConflictAction, QPushButton] = {}
        for action in row.actions:
            button = QPushButton(palette.icon(_ACTION_ICONS[action]), action.label, self)
            button.setObjectName(f"conflict_{action.value}")
            button.setAccessibleName(f"{action.label}: {row.summary}")
            button.setToolTip(_ACTION_TIPS[action])
            button.setProperty("conflict_action", action.value)
            button.clicked.connect(self._on_button_clicked)
            buttons.addWidget(button)
            self.buttons[action] = button
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def set_busy(self, busy: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(not busy)

    @Slot()
    def _on_button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.action_chosen.emit(self.row.conflict_id, str(button.property("conflict_action")))


class ConflictList(QWidget):
    """Open conflicts as cards, read and acted on in the background."""

    conflicts_loaded = Signal(int)  # how many are shown
    conflict_resolved = Signal(object)  # ActionOutcome

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner, *,
                 ticket_id: uuid.UUID | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflict_list")
        self.setAccessibleName("Changes not applied by the server")
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self.ticket_id = ticket_id
        self.cards: list[ConflictCard] = []
        self._load_task: Task | None = None
        self._reload_again = False

        self.empty_label = QLabel("Nothing waiting for you: every change you made was "
                                  "applied by the server.", self)
        self.empty_label.setObjectName("conflict_list_empty")
        self.empty_label.setWordWrap(True)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("conflict_action_result")
        self.result_label.setWordWrap(True)
        self.result_label.hide()

        self._cards_box = QWidget()
        self._cards_box.setObjectName("conflict_cards")
        self._cards_layout = QVBoxLayout(self._cards_box)
        self._cards_layout.setContentsMargins(0, 0, 0, 0)
        self._cards_layout.setSpacing(8)
        self._cards_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setObjectName("conflict_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._cards_box)
        self.scroll_area = scroll

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.result_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(scroll, 1)
        self.empty_label.hide()

    @property
    def is_loading(self) -> bool:
        return self._load_task is not None

    def reload(self) -> None:
        """Read the open conflicts again; a reload asked for meanwhile runs after this one."""
        if self._load_task is not None:
            self._reload_again = True
            return
        workspace, user_id, ticket_id = self.workspace, self.user_id, self.ticket_id
        self._load_task = self.runner.run(
            lambda: conflicts.list_conflicts(workspace, user_id, ticket_id))
        self._load_task.succeeded.connect(self._on_load_task_succeeded)
        self._load_task.failed.connect(self._on_load_task_failed)

    def card(self, conflict_id: int) -> ConflictCard:
        return next(c for c in self.cards if c.row.conflict_id == conflict_id)

    # --- Slots ----------------------------------------------------------------------------

    @Slot(object)
    def _on_load_task_succeeded(self, rows: list[ConflictRow]) -> None:
        self._load_task = None
        for card in self.cards:
            self._cards_layout.removeWidget(card)
            card.deleteLater()
        self.cards = []
        for row in rows:
            card = ConflictCard(row, self._cards_box)
            card.action_chosen.connect(self._on_card_action_chosen)
            self._cards_layout.insertWidget(self._cards_layout.count() - 1, card)
            self.cards.append(card)
        self.empty_label.setVisible(not rows)
        self.scroll_area.setVisible(bool(rows))
        self.conflicts_loaded.emit(len(rows))
        if self._reload_again:
            self._reload_again = False
            self.reload()

    @Slot(object)
    def _on_load_task_failed(self, error: BaseException) -> None:
        self._load_task = None
        messages.error(self, "The changes the server did not apply could not be read.",
                       details=str(error))

    @Slot(int, str)
    def _on_card_action_chosen(self, conflict_id: int, action_value: str) -> None:
        action = ConflictAction(action_value)
        self.card(conflict_id).set_busy(True)
        workspace, user_id = self.workspace, self.user_id
        work = {
            ConflictAction.ASK_OWNER: lambda: conflicts.ask_owner(workspace, conflict_id,
                                                                  user_id),
            ConflictAction.RETRY: lambda: conflicts.retry(workspace, conflict_id, user_id),
            ConflictAction.COPY_TO_NEW_TICKET: lambda: conflicts.copy_to_new_ticket(
                workspace, conflict_id, user_id),
            ConflictAction.DISCARD: lambda: conflicts.discard(workspace, conflict_id),
        }[action]
        task = self.runner.run(work)
        task.succeeded.connect(self._on_action_task_succeeded)
        task.failed.connect(self._on_action_task_failed)

    @Slot(object)
    def _on_action_task_succeeded(self, outcome: ActionOutcome) -> None:
        self.result_label.setText(outcome.message)
        self.result_label.show()
        self.conflict_resolved.emit(outcome)
        self.reload()

    @Slot(object)
    def _on_action_task_failed(self, error: BaseException) -> None:
        for card in self.cards:
            card.set_busy(False)
        if isinstance(error, DomainError):
            messages.warning(self, error.message, title="Not done")
        else:
            messages.error(self, "That could not be done; nothing was changed.",
                           details=str(error))


class TicketConflictsPanel(QFrame):
    """The ticket view's strip of its own refused changes; hidden while there are none."""

    conflict_resolved = Signal(object)  # ActionOutcome

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 ticket_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_conflicts")
        self.setAccessibleName("Changes to this ticket not applied by the server")
        title = QLabel("Not applied on the server", self)
        title.setObjectName("ticket_conflicts_title")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.conflict_list = ConflictList(workspace, user_id, runner, ticket_id=ticket_id,
                                          parent=self)
        self.conflict_list.conflicts_loaded.connect(self._on_conflict_list_conflicts_loaded)
        self.conflict_list.conflict_resolved.connect(self.conflict_resolved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.conflict_list)
        self.hide()
        self.conflict_list.reload()

    def reload(self) -> None:
        self.conflict_list.reload()

    @Slot(int)
    def _on_conflict_list_conflicts_loaded(self, count: int) -> None:
        # After an action the result line stays visible until the ticket has none left.
        self.setVisible(count > 0 or self.conflict_list.result_label.isVisible())
