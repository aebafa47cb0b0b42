"""The band at the top of a ticket view: number, title, status and priority chips, who
has it, SLA and lock marks, where the ticket stands with the server, and the Lock or
Unlock button.

It only renders a ``TicketDetails`` and a ``TicketSyncState``; icons, labels and colours
come from the list's modules so a ticket reads the same in the list and in its view. The
button is offered as ``TicketDetails.may_lock``/``may_unlock`` say; the view runs it.
Likewise "Rate how this was handled", for the creator of a closed ticket while
``TicketDetails.may_score`` says so, and the rating once given, to whoever may see it.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.handlers.ticket_score import HIGHEST_SCORE, LOWEST_SCORE, SCORE_WORDS
from desktopdesk.domain.ticket_details import TicketDetails
from desktopdesk.models import Status
from desktopdesk.sync.conflicts import TicketSyncState
from desktopdesk.ui import palette, ticket_icons
from desktopdesk.ui.sync_indicator import plural
from desktopdesk.ui.ticket_list_format import long_date, person_tooltip

ICON_SIZE = QSize(14, 14)
#: The hue of each status's chip (``palette.chip_colors`` makes it readable, light or
#: dark): reddish while unattended, as the list's rows are; calm blue while worked on,
#: amber while waiting, grey once closed.
STATUS_HUES = {
    Status.NEW: "#b3261e",
    Status.UNCONFIRMED: "#b3261e",
    Status.ASSIGNED: "#0b57d0",
    Status.REOPENED: "#0b57d0",
    Status.PENDING_TO_BE_CLOSED: "#7a5900",
    Status.PENDING_THIRD_PERSON: "#7a5900",
    Status.CLOSED: "#3c4043",
}
_NEUTRAL = "#3c4043"
_WARNING = "#7a5900"
_DANGER = "#b3261e"
_GOOD = "#146c2e"


def sync_words(state: TicketSyncState) -> list[tuple[str, str]]:
    """(icon name, sentence) for each thing to say; "Synced" when nothing waits."""
    said = []
    if state.pending:
        noun = "change" if state.pending == 1 else "changes"
        said.append(("mdi6.cloud-upload-outline", f"{state.pending} {noun} not yet sent"))
    if state.conflicts:
        said.append(("mdi6.cloud-alert-outline",
                     f"{plural(state.conflicts, 'change')} refused by the server"))
    return said or [("mdi6.cloud-check-outline", "Synced")]


class Chip(QFrame):
    """A rounded label with an optional icon: a status, a priority, a mark, tinted with
    its hue and coloured again after a switch of light and dark."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.icon_label = QLabel(self)
        self.icon_label.setObjectName(f"{name}_icon")
        self.text_label = QLabel(self)
        self.text_label.setObjectName(f"{name}_text")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 10, 2)
        layout.setSpacing(5)
        layout.addWidget(self.icon_label)
        layout.addWidget(self.text_label)
        self._hue = QColor(_NEUTRAL)

    def show_chip(self, text: str, hue: str | QColor, *, icon: QIcon | None = None,
                  tooltip: str = "") -> None:
        """``icon`` is a ``palette.icon`` (``chip_icon`` for one in the chip's colour)."""
        self._hue = QColor(hue)
        palette.follow_palette(self, self._paint)
        self.text_label.setText(text)
        self.icon_label.setVisible(icon is not None)
        if icon is not None:
            palette.set_icon(self.icon_label, icon, ICON_SIZE)
        self.setToolTip(tooltip or text)
        self.setAccessibleName(tooltip or text)
        self.show()

    def colors(self) -> tuple[QColor, QColor]:
        """(text, background) as painted now."""
        return palette.chip_colors(self._hue)

    def _paint(self) -> None:
        foreground, background = self.colors()
        name = self.objectName()
        sheet = (f"QFrame#{name} {{ background: {background.name()}; border-radius: 10px; }}"
                 f" QLabel#{name}_text {{ color: {foreground.name()}; font-weight: 600; }}")
        if self.styleSheet() != sheet:
            self.setStyleSheet(sheet)


def score_text(score: int) -> str:
    """"8 · Good, very satisfied", or "7" for a score Integria gives no words."""
    words = SCORE_WORDS.get(score)
    return f"{score} · {words}" if words else str(score)


def chip_icon(name: str, hue: str) -> QIcon:
    """The glyph ``name`` in the text colour of a chip of ``hue``, whatever the scheme."""
    return palette.icon(name, color=lambda: palette.chip_colors(QColor(hue))[0])


class TicketHeader(QFrame):
    #: The Lock or Unlock button was clicked: True to lock, False to unlock.
    lock_requested = Signal(bool)
    #: The creator chose how the ticket was handled: the score, 1 to 10.
    score_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_header")
        self.setAccessibleName("Ticket summary")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        palette.set_style(self, "QFrame#ticket_header { border-bottom: 1px solid palette(mid); }"
                                " QLabel#header_number, QLabel#header_facts"
                                " { color: $muted_text; }")

        self.number_label = self._label("header_number", selectable=True)
        self.title_label = self._label("header_title", selectable=True)
        self.title_label.setWordWrap(True)
        title_font = QFont(self.title_label.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setWeight(QFont.Weight.DemiBold)
        self.title_label.setFont(title_font)
        self.status_chip = Chip("header_status", self)
        self.priority_chip = Chip("header_priority", self)
        self.provisional_chip = Chip("header_provisional", self)
        self.sla_chip = Chip("header_sla", self)
        self.locked_chip = Chip("header_locked", self)
        self.score_chip = Chip("header_score", self)
        self.facts_label = self._label("header_facts")
        self.facts_label.setTextFormat(Qt.TextFormat.RichText)
        self.sync_chips = [Chip("header_sync", self), Chip("header_sync_conflicts", self)]
        self.lock_button = QPushButton(self)
        self.lock_button.setObjectName("header_lock")
        self.lock_button.clicked.connect(self._on_lock_button_clicked)
        self.lock_button.hide()
        self._lock_to = True
        self._lock_tooltip = ""
        self._build_rate_button()

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.number_label, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.rate_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.lock_button, 0, Qt.AlignmentFlag.AlignTop)
        chips = QHBoxLayout()
        chips.setSpacing(6)
        for chip in (self.status_chip, self.priority_chip, self.provisional_chip,
                     self.sla_chip, self.locked_chip, self.score_chip):
            chips.addWidget(chip)
        chips.addSpacing(6)
        chips.addWidget(self.facts_label, 1)
        for chip in self.sync_chips:
            chips.addWidget(chip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(chips)
        for chip in (self.provisional_chip, self.sla_chip, self.locked_chip, self.score_chip,
                     *self.sync_chips):
            chip.hide()

    def _build_rate_button(self) -> None:
        """The creator's rating: a button whose menu holds the scores, best first."""
        self.rate_button = QPushButton(palette.icon("mdi6.star-outline"),
                                       "Rate how this was handled", self)
        self.rate_button.setObjectName("header_rate")
        self.rate_button.setAccessibleName("Rate how this ticket was handled")
        self.rate_button.setToolTip(
            "Tell the help desk how your ticket was handled, from 10 (excellent) to 1 "
            "(horrible). The people who handled it do not see your rating.")
        self.rate_menu = QMenu(self.rate_button)
        self.rate_menu.setObjectName("header_rate_menu")
        self.rate_menu.setAccessibleName("Scores")
        self.score_actions: dict[int, QAction] = {}
        for score in range(HIGHEST_SCORE, LOWEST_SCORE - 1, -1):
            action = self.rate_menu.addAction(score_text(score))
            action.setObjectName(f"header_rate_{score}")
            action.setData(score)
            self.score_actions[score] = action
        self.rate_menu.triggered.connect(self._on_rate_menu_triggered)
        self.rate_button.setMenu(self.rate_menu)
        self.rate_button.hide()

    def _label(self, name: str, *, selectable: bool = False) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        if selectable:
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def show_details(self, details: TicketDetails) -> None:
        number = details.number_label
        if details.provisional:
            number = number.removesuffix(" (provisional)")
            self.provisional_chip.show_chip(
                "Not yet numbered by the server", _WARNING,
                icon=chip_icon("mdi6.pound-box-outline", _WARNING),
                tooltip=f"{number} is this computer's number until the server gives the "
                        "ticket its own, at the next sync.")
        else:
            self.provisional_chip.hide()
        self.number_label.setText(number)
        self.title_label.setText(details.title)
        self.title_label.setToolTip(details.title)
        self.status_chip.show_chip(details.status.label, STATUS_HUES[details.status],
                                   tooltip=f"Status: {details.status.label}")
        self.priority_chip.show_chip(
            details.priority.label, ticket_icons.PRIORITY_COLOURS[details.priority],
            icon=ticket_icons.priority_icon(details.priority),
            tooltip=f"Priority: {details.priority.label}")
        if details.sla_name:
            self.sla_chip.show_chip("SLA fired", _DANGER, icon=ticket_icons.sla_fired_icon(),
                                    tooltip=f"SLA fired: {details.sla_name}")
        else:
            self.sla_chip.hide()
        if details.locked:
            self.locked_chip.show_chip("Locked", _NEUTRAL, icon=ticket_icons.locked_icon(),
                                       tooltip="Locked: it cannot be changed or reopened "
                                               "until a manager unlocks it.")
        else:
            self.locked_chip.hide()
        self._show_lock_button(details)
        self._show_score(details)
        facts = [f"<b>{html.escape(details.group.name)}</b>",
                 f"Owner <b>{html.escape(details.owner.full_name)}</b>",
                 f"Updated {long_date(details.updated_at)}"]
        self.facts_label.setText(" &nbsp;·&nbsp; ".join(facts))
        self.facts_label.setToolTip(
            f"Group: {details.group.name}\n"
            f"Owner: {person_tooltip(details.owner.username, details.owner.full_name)}\n"
            f"Created: {long_date(details.created_at)}\n"
            f"Updated: {long_date(details.updated_at)}")
        self.setAccessibleName(f"Ticket {number}: {details.title}")

    def _show_lock_button(self, details: TicketDetails) -> None:
        """Unlock for who may unlock a locked ticket, Lock for who may lock a closed one."""
        button = self.lock_button
        self._lock_to = not details.may_unlock
        if details.may_unlock:
            button.setText("Unlock")
            button.setIcon(palette.icon("mdi6.lock-open-variant-outline"))
            self._lock_tooltip = "Unlock the ticket: it can be changed and reopened again."
        elif details.may_lock:
            button.setText("Lock")
            button.setIcon(palette.icon("mdi6.lock-outline"))
            self._lock_tooltip = (f"Lock the closed ticket: no one can change or reopen it "
                                  f"until a manager of {details.group.name} unlocks it.")
        button.setAccessibleName(f"{button.text()} the ticket")
        button.setToolTip(self._lock_tooltip)
        button.setEnabled(True)
        button.setVisible(details.may_lock or details.may_unlock)

    def _show_score(self, details: TicketDetails) -> None:
        """The rating once given (to those who may see it); until then, for the creator
        of a closed ticket where evaluation is on, the button to give it."""
        if details.score:
            self.score_chip.show_chip(
                f"Rated {details.score}/{HIGHEST_SCORE}", _WARNING,
                icon=chip_icon("mdi6.star", _WARNING),
                tooltip=f"How the creator rated the handling: {score_text(details.score)} "
                        f"(out of {HIGHEST_SCORE}).")
        else:
            self.score_chip.hide()
        self.rate_button.setEnabled(True)
        self.rate_button.setText("Rate how this was handled")
        self.rate_button.setVisible(details.may_score)

    def set_score_running(self) -> None:
        """The rating is being saved: the button waits for the reload."""
        self.rate_button.setEnabled(False)
        self.rate_button.setText("Rating…")

    def set_lock_allowed(self, allowed: bool, reason: str = "") -> None:
        """Hold the button back (``reason`` as its tooltip) while, say, edits are unsaved."""
        self.lock_button.setEnabled(allowed)
        self.lock_button.setToolTip(self._lock_tooltip if allowed else reason)

    def set_lock_running(self) -> None:
        """The lock or unlock is being applied: the button waits for the reload."""
        self.lock_button.setEnabled(False)
        self.lock_button.setText("Locking…" if self._lock_to else "Unlocking…")

    @Slot(QAction)
    def _on_rate_menu_triggered(self, action: QAction) -> None:
        score = action.data()
        if isinstance(score, int):
            self.score_chosen.emit(score)

    @Slot()
    def _on_lock_button_clicked(self) -> None:
        self.lock_requested.emit(self._lock_to)

    def show_sync(self, state: TicketSyncState | None) -> None:
        """None: this store does not sync (standalone, or the server itself)."""
        words = sync_words(state) if state is not None else []
        for chip, said in zip(self.sync_chips, [*words, None, None], strict=False):
            if said is None:
                chip.hide()
                continue
            icon_name, text = said
            hue = (_GOOD if text == "Synced"
                   else _DANGER if "refused" in text else _WARNING)
            tooltip = {
                _GOOD: "Every change to this ticket made here has reached the server.",
                _WARNING: "Made on this computer; they go to the server at the next sync.",
                _DANGER: "See below what the server did not apply, and choose what to do.",
            }[hue]
            chip.show_chip(text, hue, icon=chip_icon(icon_name, hue),
                           tooltip=f"{text}. {tooltip}")

    def sync_texts(self) -> list[str]:
        """What the sync chips say, as shown (for tests and accessibility checks)."""
        return [chip.text_label.text() for chip in self.sync_chips if not chip.isHidden()]

