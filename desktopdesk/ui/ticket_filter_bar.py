"""The quick filters above the ticket list: text, status, priority, group, people, type,
SLA.

The bar only collects choices into a ``TicketFilter`` and says when it changed; the
store does the filtering. Text waits for a pause in typing, so a word typed letter by
letter costs one query, not six. Groups, types and people come from ``ListLookups``,
read by the window in the background; people complete once two letters are typed.
The SLA filter reads what the server last evaluated (fired now, lifetime compliance), so
it works offline on the replica like the rest.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from typing import Generic, TypeVar

from PySide6.QtCore import QSignalBlocker, QStringListModel, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QMouseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QWidget,
)

from desktopdesk.domain.queries import UserSummary
from desktopdesk.domain.ticket_list_lookups import Choice, ListLookups
from desktopdesk.domain.ticket_list_query import OPEN_STATUSES, TicketFilter
from desktopdesk.models import Priority, Status
from desktopdesk.ui import palette, ticket_icons
from desktopdesk.ui.combo_data import find_data
from desktopdesk.ui.shortcuts import make_action

#: The owner or creator typed is nobody the reader knows: the list shows nothing.
NOBODY = uuid.UUID(int=0)
TEXT_PAUSE_MS = 300
COMPLETE_AFTER = 2
#: Room for "Owner" or a short name when the bar is crowded (it shrinks first).
PERSON_MIN_WIDTH = 64
#: The threshold offered first: "below 90 %" is the usual question.
DEFAULT_COMPLIANCE = 90

E = TypeVar("E", Status, Priority)


def person_label(person: UserSummary) -> str:
    return f"{person.full_name} ({person.username})"


class _StayOpenMenu(QMenu):
    """Ticking one status should not close the list of statuses."""

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        action = self.activeAction()
        if action is not None and action.isEnabled() and action.isCheckable():
            action.trigger()
            return
        super().mouseReleaseEvent(event)


class MultiChoiceButton(QPushButton, Generic[E]):
    """A button whose menu ticks any number of codes; none ticked means "any"."""

    selection_changed = Signal()

    def __init__(self, name: str, label: str, choices: Sequence[E],
                 presets: Sequence[tuple[str, frozenset[E]]], parent: QWidget | None = None,
                 ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(f"{label} filter")
        self._label: str = label
        self._presets: Sequence[tuple[str, frozenset[E]]] = presets
        menu = _StayOpenMenu(self)
        menu.setObjectName(f"{name}_menu")
        for title, chosen in presets:
            preset = menu.addAction(title)
            preset.setObjectName(f"{name}_preset_{title.split()[0].lower()}")
            preset.setData(chosen)
            preset.triggered.connect(self._on_preset_triggered)
        menu.addSeparator()
        self._actions: dict[E, QAction] = {}
        for code in choices:
            action = menu.addAction(code.label)
            action.setCheckable(True)
            action.setObjectName(f"{name}_{code.name.lower()}")
            action.toggled.connect(self._on_choice_toggled)
            self._actions[code] = action
        self.setMenu(menu)
        self._update_text()

    @property
    def chosen(self) -> frozenset[E]:
        return frozenset(code for code, action in self._actions.items() if action.isChecked())

    def set_chosen(self, chosen: Iterable[E]) -> None:
        wanted = frozenset(chosen)
        if wanted == self.chosen:
            return
        for code, action in self._actions.items():
            with QSignalBlocker(action):
                action.setChecked(code in wanted)
        self._update_text()
        self.selection_changed.emit()

    def action_for(self, code: E) -> QAction:
        return self._actions[code]

    def action_for_name(self, name: str) -> QAction:
        """The menu entry for a code by its name ("closed", "very_serious")."""
        return next(a for c, a in self._actions.items() if c.name.lower() == name)

    def _update_text(self) -> None:
        chosen = self.chosen
        preset = next((title for title, codes in self._presets if codes == chosen), None)
        if not chosen or len(chosen) == len(self._actions):
            summary = "any"
        elif preset is not None:
            summary = preset.split()[0].lower()
        elif len(chosen) <= 2:
            summary = ", ".join(code.label for code in sorted(chosen))
        else:
            summary = f"{len(chosen)} chosen"
        self.setText(f"{self._label}: {summary}")
        self.setToolTip(", ".join(code.label for code in sorted(chosen)) or f"Any {self._label}")

    @Slot()
    def _on_preset_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.set_chosen(action.data())

    @Slot(bool)
    def _on_choice_toggled(self, _checked: bool) -> None:
        self._update_text()
        self.selection_changed.emit()


class PersonField(QLineEdit):
    """A person by name or username, completed from the people the reader may pick."""

    person_changed = Signal()

    def __init__(self, name: str, label: str, people: QStringListModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(f"{label} filter")
        self.setPlaceholderText(label)
        self.setClearButtonEnabled(True)
        self._people: dict[str, uuid.UUID] = {}
        self._person_id: uuid.UUID | None = None
        self._unknown = self.addAction(palette.icon("mdi6.alert-circle-outline",
                                                    color=palette.danger),
                                       QLineEdit.ActionPosition.TrailingPosition)
        self._unknown.setVisible(False)
        self.completer_ = QCompleter(people, self)
        self.completer_.setObjectName(f"{name}_completer")
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer_.setWidget(self)
        self.completer_.activated.connect(self._on_completer_activated)
        self.textEdited.connect(self._on_text_edited)
        self.editingFinished.connect(self._on_editing_finished)

    @property
    def person_id(self) -> uuid.UUID | None:
        return self._person_id

    def set_people(self, people: Sequence[UserSummary]) -> None:
        self._people = {}
        for person in people:
            for key in (person_label(person), person.username, person.full_name):
                self._people.setdefault(key.casefold(), person.id)
        self._resolve(emit=False)

    def clear_person(self) -> None:
        self.clear()
        self._resolve()

    def _resolve(self, *, emit: bool = True) -> None:
        text = self.text().strip()
        found = self._people.get(text.casefold()) if text else None
        unknown = bool(text) and found is None and bool(self._people)
        person_id = NOBODY if unknown else found
        self._unknown.setVisible(unknown)
        self._unknown.setToolTip(f"Nobody you can see is called '{text}'." if unknown else "")
        if person_id != self._person_id:
            self._person_id = person_id
            if emit:
                self.person_changed.emit()

    @Slot(str)
    def _on_text_edited(self, text: str) -> None:
        if len(text.strip()) >= COMPLETE_AFTER:
            self.completer_.setCompletionPrefix(text.strip())
            self.completer_.complete()
        elif (popup := self.completer_.popup()) is not None:
            popup.hide()
        if not text:
            self._resolve()

    @Slot(str)
    def _on_completer_activated(self, text: str) -> None:
        self.setText(text)
        self._resolve()

    @Slot()
    def _on_editing_finished(self) -> None:
        # Enter on a completion finishes editing before the completer fills the field in:
        # resolve once the event is over, or "to" would count as a name of its own.
        QTimer.singleShot(0, self, self._resolve)


class SlaChoice(enum.Enum):
    """The SLA filter's choices: (menu entry, what the button then says)."""

    ANY = ("Any SLA", "any")
    FIRED = ("SLA fired", "fired")
    NOT_FIRED = ("SLA not fired", "not fired")
    BELOW = ("Compliance below…", "below")
    ABOVE = ("Compliance above…", "above")

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def summary(self) -> str:
        return self.value[1]

    @property
    def takes_percent(self) -> bool:
        return self in (SlaChoice.BELOW, SlaChoice.ABOVE)


class SlaFilterField(QWidget):
    """Fired or not, or lifetime compliance below / above N %: a button like Status and
    Priority, and the percentage beside it only while a compliance choice needs one.
    Stepping through percentages waits for a pause, like typing, so 90 to 80 is one
    query, not ten."""

    choice_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filter_sla_field")
        self.button = QPushButton(self)
        self.button.setObjectName("filter_sla")
        self.button.setAccessibleName("SLA filter")
        self.button.setToolTip("SLA fired now, or lifetime SLA compliance as the server "
                               "last evaluated it (tickets never evaluated match neither)")
        menu = QMenu(self.button)
        menu.setObjectName("filter_sla_menu")
        self._group = QActionGroup(menu)
        self._group.setExclusive(True)
        self._actions: dict[SlaChoice, QAction] = {}
        for choice in SlaChoice:
            if choice is SlaChoice.BELOW:
                menu.addSeparator()
            action = menu.addAction(choice.label)
            action.setObjectName(f"filter_sla_{choice.name.lower()}")
            action.setCheckable(True)
            action.setData(choice)
            self._group.addAction(action)
            self._actions[choice] = action
        self._actions[SlaChoice.ANY].setChecked(True)
        self.button.setMenu(menu)
        self.percent = QSpinBox(self)
        self.percent.setObjectName("filter_sla_percent")
        self.percent.setAccessibleName("SLA compliance percentage")
        self.percent.setRange(0, 100)
        self.percent.setSuffix(" %")
        self.percent.setValue(DEFAULT_COMPLIANCE)
        self.percent.setVisible(False)
        self._pause = QTimer(self)
        self._pause.setObjectName("filter_sla_percent_pause")
        self._pause.setSingleShot(True)
        self._pause.setInterval(TEXT_PAUSE_MS)
        self._pause.timeout.connect(self._on_pause_timeout)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.button)
        layout.addWidget(self.percent)
        self._group.triggered.connect(self._on_group_triggered)
        self.percent.valueChanged.connect(self._on_percent_value_changed)
        self.percent.editingFinished.connect(self._on_pause_timeout)
        self._show(SlaChoice.ANY)

    @property
    def current(self) -> SlaChoice:
        checked = self._group.checkedAction()
        chosen = checked.data() if checked is not None else None
        return chosen if isinstance(chosen, SlaChoice) else SlaChoice.ANY

    def action_for(self, choice: SlaChoice) -> QAction:
        return self._actions[choice]

    def set_current(self, choice: SlaChoice, percent: int | None = None) -> None:
        """Choose without a pause (the bar's reset, a test, a saved view)."""
        if percent is not None:
            with QSignalBlocker(self.percent):
                self.percent.setValue(percent)
        changed = choice is not self.current
        self._actions[choice].setChecked(True)
        self._pause.stop()
        self._show(choice)
        if changed or percent is not None:
            self.choice_changed.emit()

    def apply_to(self, ticket_filter: TicketFilter) -> TicketFilter:
        """``ticket_filter`` with this field's condition added."""
        percent = self.percent.value()
        match self.current:
            case SlaChoice.FIRED:
                return dataclasses.replace(ticket_filter, sla_fired=True)
            case SlaChoice.NOT_FIRED:
                return dataclasses.replace(ticket_filter, sla_fired=False)
            case SlaChoice.BELOW:
                return dataclasses.replace(ticket_filter, compliance_below=percent)
            case SlaChoice.ABOVE:
                return dataclasses.replace(ticket_filter, compliance_above=percent)
        return ticket_filter

    def _show(self, choice: SlaChoice) -> None:
        self.button.setText(f"SLA: {choice.summary}")
        self.percent.setVisible(choice.takes_percent)

    @Slot(QAction)
    def _on_group_triggered(self, _action: QAction) -> None:
        self._pause.stop()
        self._show(self.current)
        self.choice_changed.emit()

    @Slot(int)
    def _on_percent_value_changed(self, _value: int) -> None:
        self._pause.start()

    @Slot()
    def _on_pause_timeout(self) -> None:
        self._pause.stop()
        self.choice_changed.emit()  # the bar announces only a filter that changed


class TicketFilterBar(QWidget):
    filter_changed = Signal(object)  # the new TicketFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_filter_bar")
        self.setAccessibleName("Ticket filters")
        self._emitted = TicketFilter()
        self.people_model = QStringListModel(self)

        self.text = QLineEdit(self)
        self.text.setObjectName("filter_text")
        self.text.setAccessibleName("Search tickets")
        self.text.setPlaceholderText("Search tickets…")
        self.text.setToolTip("Words in the title, description, workunits or custom fields "
                             "(each word as the start of a word)")
        self.text.setClearButtonEnabled(True)
        self.text.addAction(palette.icon("mdi6.magnify"),
                            QLineEdit.ActionPosition.LeadingPosition)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.text.setMinimumWidth(200)
        self._text_pause = QTimer(self)
        self._text_pause.setObjectName("filter_text_pause")
        self._text_pause.setSingleShot(True)
        self._text_pause.setInterval(TEXT_PAUSE_MS)
        self._text_pause.timeout.connect(self._on_text_pause_timeout)
        self.text.textChanged.connect(self._on_text_changed)
        self.text.returnPressed.connect(self._on_text_pause_timeout)
        self.find_action = make_action("find_tickets", self, self._on_find_triggered)

        self.status = MultiChoiceButton[Status](
            "filter_status", "Status", list(Status),
            [("Open (not closed)", OPEN_STATUSES), ("Any status", frozenset()),
             ("Closed only", frozenset({Status.CLOSED}))], self)
        self.status.set_chosen(OPEN_STATUSES)
        self.priority = MultiChoiceButton[Priority](
            "filter_priority", "Priority", _priorities_by_urgency(),
            [("Any priority", frozenset()),
             ("Urgent (serious and above)",
              frozenset({Priority.SERIOUS, Priority.VERY_SERIOUS}))], self)
        for code in Priority:
            self.priority.action_for(code).setIcon(ticket_icons.priority_icon(code))
        self.group = self._combo("filter_group", "Group filter", "Any group")
        self.owner = PersonField("filter_owner", "Owner", self.people_model, self)
        self.creator = PersonField("filter_creator", "Creator", self.people_model, self)
        for person in (self.owner, self.creator):
            person.setMinimumWidth(PERSON_MIN_WIDTH)
        self.type = self._combo("filter_type", "Type filter", "Any type")
        self.sla = SlaFilterField(self)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("filter_clear")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.setToolTip("Clear filters (show open tickets)")
        self.clear_button.setIcon(palette.icon("mdi6.filter-remove-outline"))
        self.clear_button.clicked.connect(self.reset)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 2)
        layout.setSpacing(6)
        layout.addWidget(self.text, 3)
        for widget in (self.status, self.priority, self.group):
            layout.addWidget(widget)
        layout.addWidget(self.owner, 1)
        layout.addWidget(self.creator, 1)
        layout.addWidget(self.type)
        layout.addWidget(self.sla)
        layout.addWidget(self.clear_button)

        for button in (self.status, self.priority):
            button.selection_changed.connect(self._on_choice_changed)
        for combo in (self.group, self.type):
            combo.currentIndexChanged.connect(self._on_choice_changed)
        for person in (self.owner, self.creator):
            person.person_changed.connect(self._on_choice_changed)
        self.sla.choice_changed.connect(self._on_choice_changed)

    def _combo(self, name: str, accessible: str, any_text: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.addItem(any_text, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    # --- Lookups --------------------------------------------------------------------------

    def set_lookups(self, lookups: ListLookups) -> None:
        """Fill the choices; what was chosen stays chosen if it is still offered."""
        _fill(self.group, lookups.groups)
        _fill(self.type, lookups.types)
        self.people_model.setStringList([person_label(p) for p in lookups.people])
        for person in (self.owner, self.creator):
            person.set_people(lookups.people)
        self._emit_if_changed()

    # --- The filter -----------------------------------------------------------------------

    def ticket_filter(self) -> TicketFilter:
        group_id = self.group.currentData()
        return self.sla.apply_to(TicketFilter(
            text=self.text.text().strip(),
            statuses=self.status.chosen,
            priorities=self.priority.chosen,
            group_ids=frozenset({group_id}) if isinstance(group_id, uuid.UUID) else frozenset(),
            owner_id=self.owner.person_id,
            creator_id=self.creator.person_id,
            ticket_type_id=self.type.currentData(),
        ))

    @Slot()
    def reset(self) -> None:
        """Back to the default: open tickets, no other condition."""
        with ExitStack() as quiet:  # one filter change at the end, not one per field
            for widget in (self.text, self.status, self.priority, self.group, self.type,
                           self.owner, self.creator, self.sla):
                quiet.enter_context(QSignalBlocker(widget))
            self.text.clear()
            self.status.set_chosen(OPEN_STATUSES)
            self.priority.set_chosen(())
            self.group.setCurrentIndex(0)
            self.type.setCurrentIndex(0)
            self.owner.clear_person()
            self.creator.clear_person()
            self.sla.set_current(SlaChoice.ANY)
        self._text_pause.stop()
        self._emit_if_changed()

    def _emit_if_changed(self) -> None:
        current = self.ticket_filter()
        if current != self._emitted:
            self._emitted = current
            self.filter_changed.emit(current)

    @Slot()
    def _on_find_triggered(self) -> None:
        self.text.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.text.selectAll()

    @Slot(str)
    def _on_text_changed(self, _text: str) -> None:
        self._text_pause.start()

    @Slot()
    def _on_text_pause_timeout(self) -> None:
        self._text_pause.stop()
        self._emit_if_changed()

    @Slot()
    def _on_choice_changed(self) -> None:
        self._emit_if_changed()


def _priorities_by_urgency() -> list[Priority]:
    """Maintenance first (Integria's "0"), then 1 to 5."""
    return [Priority.MAINTENANCE, *(p for p in Priority if p is not Priority.MAINTENANCE)]


def _fill(combo: QComboBox, choices: Sequence[Choice]) -> None:
    chosen = combo.currentData()
    with QSignalBlocker(combo):
        while combo.count() > 1:
            combo.removeItem(1)
        for choice in choices:
            combo.addItem(choice.name, choice.id)
        found = find_data(combo, chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(found, 0))
