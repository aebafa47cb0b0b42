"""The ticket list as the window shows it: the filter bar over the table, and its counts.

It puts together the pieces and runs their background reads: the list's lookups (groups,
types, people, shared settings), the counts for the status bar, and quick edit. The
window only says which list to show and where the count goes.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktopdesk.domain.ticket_list_lookups import ListLookups
from desktopdesk.domain.ticket_list_query import TicketFilter
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.desktop_preferences import DesktopPreferences
from desktopdesk.ui.tasks import Task, TaskRunner
from desktopdesk.ui.ticket_filter_bar import TicketFilterBar
from desktopdesk.ui.ticket_list_model import DEFAULT_PAGE_SIZE, TicketListModel
from desktopdesk.ui.ticket_quick_edit import QuickEditor
from desktopdesk.ui.ticket_source import (
    ALL_TICKETS,
    TicketCounts,
    TicketListScope,
    TicketListSource,
)
from desktopdesk.ui.ticket_table import TicketTable


def _tickets(n: int) -> str:
    return f"{n} ticket" if n == 1 else f"{n} tickets"


def count_text(counts: TicketCounts, scope: TicketListScope) -> str:
    listed = f"{counts.listed} of yours listed" if scope.owned_by_me else f"{counts.listed} listed"
    return f"{listed} · {_tickets(counts.visible)} visible"


class TicketListPanel(QWidget):
    count_text_changed = Signal(str)
    lookups_loaded = Signal(object)  # ListLookups

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner, *,
                 page_size: int = DEFAULT_PAGE_SIZE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_list_panel")
        self.setAccessibleName("Ticket list")
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self.scope = ALL_TICKETS
        self._source = TicketListSource(workspace, user_id, self.scope)
        self.lookups = ListLookups()
        self._visible = -1
        self._counts_task: Task | None = None
        self._lookups_task: Task | None = None
        self._then_lookups_and_counts = False

        self.filter_bar = TicketFilterBar(self)
        self.model = TicketListModel(runner, page_size=page_size, parent=self)
        self.table = TicketTable(self)
        self.table.set_list_model(self.model)
        self.table.use_preferences(DesktopPreferences(workspace.data_dir))
        self.quick_editor = QuickEditor(runner, workspace, user_id, self.model, self)
        self.model.set_filter(self.filter_bar.ticket_filter())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)

        self.model.page_requested.connect(self._on_model_page_requested)
        self.model.page_loaded.connect(self._on_model_page_done)
        self.model.load_failed.connect(self._on_model_page_done)
        self.filter_bar.filter_changed.connect(self._on_filter_bar_filter_changed)
        self.quick_editor.edit_applied.connect(self._on_quick_editor_edit_applied)

    @property
    def source(self) -> TicketListSource:
        """What the list shows now; a new one on every ``show_scope`` (fresh permissions)."""
        return self._source

    def show_scope(self, scope: TicketListScope) -> None:
        """Show ``scope``'s list from page one, then read its lookups and counts afresh.

        Page one goes first, alone: the workers share two cores and one interpreter, and
        the rows are what the person is waiting for.
        """
        self.scope = scope
        self._source = TicketListSource(self.workspace, self.user_id, scope)
        self._then_lookups_and_counts = True
        self.model.set_source(self._source)

    # --- Background reads -----------------------------------------------------------------

    def _load_lookups(self) -> None:
        if self._lookups_task is not None:
            self._lookups_task.succeeded.disconnect(self._on_lookups_task_succeeded)
        self._lookups_task = self.runner.run(self.source.load_lookups)
        self._lookups_task.succeeded.connect(self._on_lookups_task_succeeded)

    def _count(self, *, with_visible: bool) -> None:
        if self._counts_task is not None:  # its answer is for a list no longer shown
            self._counts_task.succeeded.disconnect(self._on_counts_task_succeeded)
            self._counts_task.failed.disconnect(self._on_counts_task_failed)
        self.count_text_changed.emit("Counting…")
        source, ticket_filter = self.source, self.model.ticket_filter
        with_visible = with_visible or self._visible < 0
        self._counts_task = self.runner.run(
            lambda: source.count(ticket_filter, with_visible=with_visible))
        self._counts_task.succeeded.connect(self._on_counts_task_succeeded)
        self._counts_task.failed.connect(self._on_counts_task_failed)

    # --- Slots ----------------------------------------------------------------------------

    @Slot(bool)
    def _on_model_page_requested(self, replacing: bool) -> None:
        if replacing:  # the rows on screen are about to go: say the new ones are coming
            self.table.viewport().setCursor(Qt.CursorShape.BusyCursor)

    @Slot()
    def _on_model_page_done(self) -> None:
        self.table.viewport().unsetCursor()
        if self._then_lookups_and_counts:
            self._then_lookups_and_counts = False
            self._load_lookups()
            self._count(with_visible=True)

    @Slot(object)
    def _on_filter_bar_filter_changed(self, ticket_filter: TicketFilter) -> None:
        self.model.set_filter(ticket_filter)
        self._count(with_visible=False)

    @Slot(object)
    def _on_quick_editor_edit_applied(self, _result: object) -> None:
        self._count(with_visible=False)

    @Slot(object)
    def _on_lookups_task_succeeded(self, lookups: ListLookups) -> None:
        self._lookups_task = None
        self.lookups = lookups
        self.filter_bar.set_lookups(lookups)
        self.table.apply_lookups(lookups)
        self.lookups_loaded.emit(lookups)

    @Slot(object)
    def _on_counts_task_succeeded(self, counts: TicketCounts) -> None:
        self._counts_task = None
        if counts.visible >= 0:
            self._visible = counts.visible
        shown = TicketCounts(listed=counts.listed, visible=self._visible)
        self.count_text_changed.emit(count_text(shown, self.scope))

    @Slot(object)
    def _on_counts_task_failed(self, _error: BaseException) -> None:
        self._counts_task = None  # the runner has logged it; a count is not worth a dialog
        self.count_text_changed.emit("")
