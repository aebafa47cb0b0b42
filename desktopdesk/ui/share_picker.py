"""The "workunit shared with" field: people of the author's company, found as one types.

The search runs on the task runner once two letters are typed (the manual's behaviour)
and a little after typing pauses, so a large company never makes typing stutter; an
answer for text that has since changed is dropped. Chosen people show as removable chips.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QWidget

from desktopdesk.store.drafts import DraftShare
from desktopdesk.ui import palette
from desktopdesk.ui.delayed_search import DelayedSearch
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.workunit_source import MIN_SEARCH_CHARS, Colleague

Search = Callable[[str], tuple[Colleague, ...]]


class SharePicker(QWidget):
    #: The set of people changed (added or removed).
    changed = Signal()
    #: A search's answer is in the completer (tests and accessibility tools wait on it).
    suggestions_shown = Signal(int)

    def __init__(self, runner: TaskRunner, search: Search, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workunit_shared_with")
        self.setAccessibleName("Workunit shared with")
        self._shares: dict[uuid.UUID, DraftShare] = {}
        self._chips: dict[uuid.UUID, QToolButton] = {}

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("share_search")
        self.search_edit.setAccessibleName("Find people to share with")
        self.search_edit.setPlaceholderText("Type two letters of a colleague's name…")
        self.search_edit.setClearButtonEnabled(True)
        # Two letters, as the manual has it; people already chosen are not offered again.
        self._finder = DelayedSearch(
            self.search_edit, runner, search, name="share",
            popup_accessible="People to share with", icon="mdi6.account-outline",
            min_chars=MIN_SEARCH_CHARS,
            offered=lambda colleague: colleague.id not in self._shares)
        self.suggestions = self._finder.suggestions
        self.completer = self._finder.completer
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self._chip_row = QHBoxLayout()
        self._chip_row.setContentsMargins(0, 0, 0, 0)
        self._chip_row.setSpacing(4)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._chip_row)
        layout.addWidget(self.search_edit, 1)

        self._finder.suggestions_shown.connect(self.suggestions_shown)
        self._finder.chosen.connect(self._on_finder_chosen)

    # --- The people chosen ----------------------------------------------------------------

    def shares(self) -> tuple[DraftShare, ...]:
        return tuple(self._shares.values())

    def user_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(self._shares)

    def set_shares(self, shares: Iterable[DraftShare]) -> None:
        for user_id in list(self._shares):
            self._remove(user_id, notify=False)
        for share in shares:
            self._add(share, notify=False)
        self.changed.emit()

    def add(self, colleague: Colleague) -> None:
        self._add(DraftShare(colleague.id, colleague.label), notify=True)

    def _add(self, share: DraftShare, *, notify: bool) -> None:
        if share.user_id in self._shares:
            return
        self._shares[share.user_id] = share
        chip = QToolButton(self)
        chip.setObjectName(f"share_chip_{share.user_id}")
        chip.setAccessibleName(f"Stop sharing with {share.label}")
        chip.setToolTip(f"Stop sharing with {share.label}")
        chip.setText(share.label)
        chip.setIcon(palette.icon("mdi6.close"))
        chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        chip.setLayoutDirection(Qt.LayoutDirection.RightToLeft)  # the cross after the name
        chip.clicked.connect(self._on_chip_clicked)
        chip.setProperty("user_id", str(share.user_id))
        self._chips[share.user_id] = chip
        self._chip_row.addWidget(chip)
        if notify:
            self.changed.emit()

    def _remove(self, user_id: uuid.UUID, *, notify: bool) -> None:
        self._shares.pop(user_id, None)
        chip = self._chips.pop(user_id, None)
        if chip is not None:
            self._chip_row.removeWidget(chip)
            chip.deleteLater()
        if notify:
            self.changed.emit()

    # --- Slots ----------------------------------------------------------------------------

    @Slot(object)
    def _on_finder_chosen(self, colleague: object) -> None:
        if isinstance(colleague, Colleague):
            self.add(colleague)

    @Slot()
    def _on_chip_clicked(self) -> None:
        chip = self.sender()
        if isinstance(chip, QToolButton):
            self._remove(uuid.UUID(str(chip.property("user_id"))), notify=True)
