"""Search as one types: a pause, a search on the task runner, its answer as suggestions.

Shared by the parent ticket picker and the "shared with" picker. The search starts a
little after typing pauses, so a large company or ticket list never makes typing stutter;
it runs on the runner, never on the GUI thread; an answer for text that has since changed
is dropped, since a newer search is coming. The answer fills a completer's popup under
the line edit, each row holding the value it stands for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit

from desktopdesk.ui import palette
from desktopdesk.ui.tasks import TaskRunner

#: Typing pause before a search is started.
SEARCH_DELAY_MS = 150
ValueRole = Qt.ItemDataRole.UserRole + 1


class Suggestion(Protocol):
    """What a search finds: anything with the words to show for it."""

    @property
    def label(self) -> str: ...


class DelayedSearch(QObject):
    """Searches with what ``edit`` holds, once it has ``min_chars`` letters and typing
    paused, and offers the answer in ``completer``.

    ``name`` names the completer and, with ``_suggestions``, its popup; ``popup_accessible``
    is the popup's accessible name. ``icon`` is shown before each suggestion; ``offered``
    leaves out those it says no to (already chosen ones, say).
    """

    #: A search's answer is in the completer: how many suggestions it shows.
    suggestions_shown = Signal(int)
    #: The person chose a suggestion: the value it stands for.
    chosen = Signal(object)

    def __init__(self, edit: QLineEdit, runner: TaskRunner,
                 search: Callable[[str], tuple[Suggestion, ...]], *, name: str,
                 popup_accessible: str, icon: str, min_chars: int = 1,
                 offered: Callable[[Any], bool] = lambda _value: True) -> None:
        super().__init__(edit)
        self._edit = edit
        self._runner = runner
        self.search = search
        self._icon = icon
        self._min_chars = min_chars
        self._offered = offered
        self._asked = ""
        self.suggestions = QStandardItemModel(self)
        self.completer = QCompleter(self.suggestions, edit)
        self.completer.setObjectName(f"{name}_completer")
        # The worker already matched; the completer must not filter again.
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        popup = self.completer.popup()
        assert popup is not None  # QCompleter makes its list view on demand
        popup.setObjectName(f"{name}_suggestions")
        popup.setAccessibleName(popup_accessible)
        edit.setCompleter(self.completer)

        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(SEARCH_DELAY_MS)
        self._delay.timeout.connect(self._on_delay_timeout)
        edit.textEdited.connect(self._on_edit_text_edited)
        # The index overload: labels may repeat, the row's value may not.
        activated_index = self.completer.activated[QModelIndex]  # type: ignore[index]
        activated_index.connect(self._on_completer_activated)

    def stop(self) -> None:
        """No search waiting and no suggestions shown."""
        self._delay.stop()
        self.suggestions.clear()

    @Slot(str)
    def _on_edit_text_edited(self, text: str) -> None:
        if len(text.strip()) < self._min_chars:
            self.stop()
            return
        self._delay.start()

    @Slot()
    def _on_delay_timeout(self) -> None:
        self._asked = text = self._edit.text().strip()
        search = self.search  # the worker must not reach into this object
        task = self._runner.run(lambda: (text, search(text)))
        task.succeeded.connect(self._on_search_task_succeeded)

    @Slot(object)
    def _on_search_task_succeeded(self, answer: tuple[str, tuple[Suggestion, ...]]) -> None:
        text, found = answer
        if text != self._asked or text != self._edit.text().strip():
            return  # typing went on; a newer search is coming
        self.suggestions.clear()
        for value in found:
            if not self._offered(value):
                continue
            item = QStandardItem(palette.icon(self._icon), value.label)
            item.setData(value, ValueRole)
            item.setEditable(False)
            self.suggestions.appendRow(item)
        if self.suggestions.rowCount():
            self.completer.complete()
        self.suggestions_shown.emit(self.suggestions.rowCount())

    @Slot(QModelIndex)
    def _on_completer_activated(self, index: QModelIndex) -> None:
        value = index.data(ValueRole)
        if value is None:
            return
        self.chosen.emit(value)
        # The completer writes the chosen text into the field after this slot returns.
        QTimer.singleShot(0, self._edit, self._edit.clear)
