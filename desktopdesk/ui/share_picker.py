"""The "workunit shared with" field: people of the author's company, found as one types.

The search runs on the task runner once two letters are typed (the manual's behaviour)
and a little after typing pauses, so a large company never makes typing stutter; an
answer for text that has since changed is dropped. Chosen people show as removable chips.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QToolButton, QWidget

from desktopdesk.store.drafts import DraftShare
from desktopdesk.ui import palette
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.workunit_source import MIN_SEARCH_CHARS, Colleague

ColleagueRole = Qt.ItemDataRole.UserRole + 1
#: Typing pause before a search is started.
SEARCH_DELAY_MS = 150

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
        self._runner = runner
        self._search = search
        self._shares: dict[uuid.UUID, DraftShare] = {}
        self._chips: dict[uuid.UUID, QToolButton] = {}

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("share_search")
        self.search_edit.setAccessibleName("Find people to share with")
        self.search_edit.setPlaceholderText("Type two letters of a colleague's name…")
        self.search_edit.setClearButtonEnabled(True)
        self.suggestions = QStandardItemModel(self)
        self.completer = QCompleter(self.suggestions, self)
        self.completer.setObjectName("share_completer")
        # The worker already matched name or username; the completer must not filter again.
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        popup = self.completer.popup()
        assert popup is not None  # QCompleter makes its list view on demand
        popup.setObjectName("share_suggestions")
        popup.setAccessibleName("People to share with")
        self.search_edit.setCompleter(self.completer)

        self._chip_row = QHBoxLayout()
        self._chip_row.setContentsMargins(0, 0, 0, 0)
        self._chip_row.setSpacing(4)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._chip_row)
        layout.addWidget(self.search_edit, 1)

        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(SEARCH_DELAY_MS)
        self._delay.timeout.connect(self._on_delay_timeout)
        self._asked = ""
        self.search_edit.textEdited.connect(self._on_search_edit_text_edited)
        # The index overload: labels may repeat, the row's Colleague may not.
        activated_index = self.completer.activated[QModelIndex]  # type: ignore[index]
        activated_index.connect(self._on_completer_activated)

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

    # --- Searching ------------------------------------------------------------------------

    @Slot(str)
    def _on_search_edit_text_edited(self, text: str) -> None:
        if len(text.strip()) < MIN_SEARCH_CHARS:
            self._delay.stop()
            self.suggestions.clear()
            return
        self._delay.start()

    @Slot()
    def _on_delay_timeout(self) -> None:
        self._asked = text = self.search_edit.text().strip()
        search = self._search  # the worker must not reach into this widget
        task = self._runner.run(lambda: (text, search(text)))
        task.succeeded.connect(self._on_search_task_succeeded)

    @Slot(object)
    def _on_search_task_succeeded(self, answer: tuple[str, tuple[Colleague, ...]]) -> None:
        text, found = answer
        if text != self._asked or text != self.search_edit.text().strip():
            return  # typing went on; a newer search is coming
        self.suggestions.clear()
        for colleague in found:
            if colleague.id in self._shares:
                continue
            item = QStandardItem(palette.icon("mdi6.account-outline"), colleague.label)
            item.setData(colleague, ColleagueRole)
            item.setEditable(False)
            self.suggestions.appendRow(item)
        if self.suggestions.rowCount():
            self.completer.complete()
        self.suggestions_shown.emit(self.suggestions.rowCount())

    @Slot(QModelIndex)
    def _on_completer_activated(self, index: QModelIndex) -> None:
        colleague = index.data(ColleagueRole)
        if isinstance(colleague, Colleague):
            self.add(colleague)
            # The completer writes the chosen text into the field after this slot returns.
            QTimer.singleShot(0, self.search_edit, self.search_edit.clear)

    @Slot()
    def _on_chip_clicked(self) -> None:
        chip = self.sender()
        if isinstance(chip, QToolButton):
            self._remove(uuid.UUID(str(chip.property("user_id"))), notify=True)
