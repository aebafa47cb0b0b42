"""The ticket list as the window shows it: the filter bar over the table, and its counts.

It puts together the pieces and runs their background reads: the list's lookups (groups,
types, people, shared settings), the counts for the status bar, and quick edit. The
window only says which list to show and where the count goes.
"""

from __future__ import annotations

import dataclasses
import uuid

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktopdesk.domain.ticket_list_lookups import ListLookups
from desktopdesk.domain.ticket_list_query import TicketFilter
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.desktop_preferences import DesktopPreferences
from desktopdesk.ui.form_messages import message_label
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

#: A ``palette.set_style`` template: a quiet warning line under the list.
CAP_NOTICE_STYLE = "color: $warning_text;"


def _tickets(n: int) -> str:
    return f"{n} ticket" if n == 1 else f"{n} tickets"


def capped_text(cap: int) -> str:
    """What a text search cut at ``max_search_results`` says (status bar and list)."""
    return f"Showing the first {cap} matches; refine the search"


def count_text(counts: TicketCounts, scope: TicketListScope) -> str:
    if counts.capped_at:
        listed = capped_text(counts.capped_at)
    elif scope.owned_by_me:
        listed = f"{counts.listed} of yours listed"
    else:
        listed = f"{counts.listed} listed"
    return f"{listed} · {_tickets(counts.visible)} visible"


class TicketListPanel(QWidget):
    count_text_changed = Signal(str)
    lookups_loaded = Signal(object)  # ListLookups
    #: The ticket under the cursor changed (a uuid, or None when no row is current).
    current_ticket_changed = Signal(object)
    #: Enter or a double click on a row: the person wants to work on that ticket.
    ticket_activated = Signal(object)

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
        #: The ticket to put the cursor back on once a re-read first page is in.
        self._keep_current: uuid.UUID | None = None
        self._current: uuid.UUID | None = None

        self.filter_bar = TicketFilterBar(self)
        self.model = TicketListModel(runner, page_size=page_size, parent=self)
        self.table = TicketTable(self)
        self.table.set_list_model(self.model)
        self.table.use_preferences(DesktopPreferences(workspace.data_dir))
        self.quick_editor = QuickEditor(runner, workspace, user_id, self.model, self)
        self.model.set_filter(self.filter_bar.ticket_filter())

        self.cap_notice = message_label(self, "ticket_list_cap_notice", CAP_NOTICE_STYLE)
        self.cap_notice.setAccessibleName("The search was cut short")
        self.cap_notice.setContentsMargins(8, 4, 8, 4)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.cap_notice)

        self.model.page_requested.connect(self._on_model_page_requested)
        self.model.page_loaded.connect(self._on_model_page_done)
        self.model.load_failed.connect(self._on_model_page_done)
        self.filter_bar.filter_changed.connect(self._on_filter_bar_filter_changed)
        self.quick_editor.edit_applied.connect(self._on_quick_editor_edit_applied)
        self.table.selectionModel().currentRowChanged.connect(
            self._on_table_current_row_changed)
        self.table.activated.connect(self._on_table_activated)

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

    def refresh_after_sync(self) -> None:
        """A sync brought changes: show them without pulling the list from under the reader.

        At the top of the list, page one is read again (new tickets appear, the cursor
        stays on its ticket). Scrolled down, the rows already loaded are read again in
        place (changed ones update, ones that no longer match go) and nothing jumps; F5
        re-reads from the top.
        """
        at_top = self.table.verticalScrollBar().value() == 0
        if at_top or self.model.rowCount() == 0:
            self.show_scope(self.scope)
            return
        self.model.refresh_tickets([self.model.ticket_id(row)
                                    for row in range(self.model.rowCount())])
        self._count(with_visible=True)

    @property
    def current_ticket_id(self) -> uuid.UUID | None:
        return self._current

    def select_ticket(self, ticket_id: uuid.UUID) -> bool:
        """Put the cursor on ``ticket_id`` if it is loaded; else on it once page one is in."""
        row = self.model.row_of(ticket_id)
        if row < 0:
            self._keep_current = ticket_id
            return False
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def move_current(self, step: int) -> bool:
        """Next (+1) or previous (-1) ticket; fetches the next page at the end."""
        current = self.table.currentIndex()
        row = (current.row() + step) if current.isValid() else 0
        if row >= self.model.rowCount() and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        if not 0 <= row < self.model.rowCount():
            return False
        self.table.setCurrentIndex(self.model.index(row, max(current.column(), 0)))
        return True

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
            self._keep_current = self._keep_current or self._current

    @Slot()
    def _on_model_page_done(self) -> None:
        self.table.viewport().unsetCursor()
        self._show_cap(self.model.capped_at)
        keep, self._keep_current = self._keep_current, None
        if keep is not None:
            if self.model.row_of(keep) >= 0:
                self.select_ticket(keep)
            elif not self.table.currentIndex().isValid() and self._current is not None:
                self._current = None  # it left the list (a filter, a sync)
                self.current_ticket_changed.emit(None)
        if self._then_lookups_and_counts:
            self._then_lookups_and_counts = False
            self._load_lookups()
            self._count(with_visible=True)

    def _show_cap(self, cap: int) -> None:
        """Under the list, once its last page is in: a text search that stopped at the
        ``max_search_results`` cap says so, so nobody takes it for every match."""
        if cap:
            self.cap_notice.setText(f"{capped_text(cap)}.")
        self.cap_notice.setVisible(bool(cap))

    @Slot(QModelIndex, QModelIndex)
    def _on_table_current_row_changed(self, current: QModelIndex,
                                      _previous: QModelIndex) -> None:
        ticket_id = self.model.ticket_id(current.row()) if current.isValid() else None
        if ticket_id is None and self._keep_current is not None:
            return  # the rows are being replaced; the cursor comes back when they are in
        if ticket_id != self._current:
            self._current = ticket_id
            self.current_ticket_changed.emit(ticket_id)

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.ticket_activated.emit(self.model.ticket_id(index.row()))

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
        shown = dataclasses.replace(counts, visible=self._visible)
        self.count_text_changed.emit(count_text(shown, self.scope))

    @Slot(object)
    def _on_counts_task_failed(self, _error: BaseException) -> None:
        self._counts_task = None  # the runner has logged it; a count is not worth a dialog
        self.count_text_changed.emit("")
