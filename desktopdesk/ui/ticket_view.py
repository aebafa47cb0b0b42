"""One ticket, open: its header, its refused changes, and its tabs (Details, Workunits,
Files, Work orders, Contacts, History, Child tickets, SLA, Statistics).

The view reads the ticket on the task runner (``ticket_view_source.load_details``) and
hands the frozen ``TicketDetails`` to each tab; anything that changed the ticket (a
Save, a workunit, files, a conflict action) reads it again and tells the list through
``ticket_changed``. The same widget shows another ticket with ``show_ticket``, so the
main window can move through its list without building a view per ticket.
"""

from __future__ import annotations

import logging
import uuid
from functools import partial

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.commands import ScoreTicket
from desktopdesk.domain.errors import NOT_FOUND, NOT_VISIBLE, DomainError
from desktopdesk.domain.ticket_details import TicketDetails
from desktopdesk.store.workspace import Role, Workspace
from desktopdesk.ui import messages, palette, ticket_view_source
from desktopdesk.ui.tasks import Task, TaskRunner
from desktopdesk.ui.ticket_children_tab import TicketChildrenTab
from desktopdesk.ui.ticket_conflicts import TicketConflictsPanel
from desktopdesk.ui.ticket_details_tab import TicketDetailsTab
from desktopdesk.ui.ticket_files_tab import TicketFilesTab
from desktopdesk.ui.ticket_header import TicketHeader
from desktopdesk.ui.ticket_people_tabs import TicketContactsTab, TicketHistoryTab
from desktopdesk.ui.ticket_sla_tab import TicketSlaTab
from desktopdesk.ui.ticket_source import run_command
from desktopdesk.ui.ticket_statistics_tab import TicketStatisticsTab
from desktopdesk.ui.ticket_view_source import TicketViewData
from desktopdesk.ui.ticket_workunits_tab import WorkunitsTab
from desktopdesk.ui.work_orders_tab import WorkOrdersTab
from desktopdesk.ui.workunit_editor import WorkunitEditor
from desktopdesk.ui.workunit_thread import WorkunitThread

log = logging.getLogger("desktopdesk.ui.ticket_view")

#: The tabs, by the name ``current_tab``/``set_current_tab`` use, in their order.
TABS = ("details", "workunits", "files", "work_orders", "contacts", "history", "children",
        "sla", "statistics")
_TAB_TITLES = {"details": "Details", "workunits": "Workunits", "files": "Files",
               "work_orders": "Work orders", "contacts": "Contacts", "history": "History",
               "children": "Child tickets", "sla": "SLA", "statistics": "Statistics"}
_TAB_ICONS = {"details": "mdi6.form-select", "workunits": "mdi6.comment-text-multiple-outline",
              "files": "mdi6.paperclip", "work_orders": "mdi6.file-sign",
              "contacts": "mdi6.account-multiple-outline",
              "history": "mdi6.history", "children": "mdi6.file-tree-outline",
              "sla": "mdi6.timer-outline", "statistics": "mdi6.chart-bar"}
_PAGE_LOADING, _PAGE_TABS, _PAGE_GONE = range(3)


def confirm_discard_changes(parent: QWidget, number_label: str) -> bool:
    """Whether to drop unsaved Details changes to open another ticket (a module function,
    so tests can answer it)."""
    answer = QMessageBox.question(
        parent, "Unsaved changes",
        f"Your changes to {number_label} are not saved. Discard them and open the other "
        "ticket?", QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Discard


def read_ticket(workspace: Workspace, user_id: uuid.UUID,
                ticket_id: uuid.UUID) -> tuple[TicketViewData, bool]:
    """On a worker: the ticket, and whether this store syncs at all (a standalone store
    has nothing to say about sync, so its header says nothing)."""
    data = ticket_view_source.load_details(workspace, user_id, ticket_id)
    return data, workspace.role is Role.REPLICA


def _icon_label(icon: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    palette.set_icon(label, palette.icon(icon, color=palette.muted_text), QSize(48, 48))
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    return label


class TicketView(QWidget):
    #: A change made here reached the store: the ticket's id, for lists to refresh.
    ticket_changed = Signal(object)
    #: Another ticket should be opened (a parent or child link): its id.
    ticket_open_requested = Signal(object)
    #: The ticket was read and is shown: its ``TicketDetails``.
    ticket_loaded = Signal(object)
    #: The ticket could not be shown (gone from view, or the read failed): the message.
    ticket_unavailable = Signal(str)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 ticket_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_view")
        self.setAccessibleName("Ticket")
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self.ticket_id = ticket_id
        self.details: TicketDetails | None = None
        self._load_task: Task | None = None
        self._build()
        self._attach_ticket(ticket_id)
        self.reload()

    # --- Building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.header = TicketHeader(self)
        self.header.hide()
        self.conflicts_panel: TicketConflictsPanel | None = None
        self._panel_fresh = False

        self.details_tab = TicketDetailsTab(self.workspace, self.user_id, self.runner, self)
        self.addAction(self.details_tab.save_action)  # Ctrl+S from any tab saves Details
        self.workunit_thread = WorkunitThread(self.workspace, self.user_id, self.runner, self)
        self.workunit_editor: WorkunitEditor | None = None
        self.workunits_tab = WorkunitsTab(self.workunit_thread, self)
        self.files_tab = TicketFilesTab(self.workspace, self.user_id, self.runner, self)
        self.contacts_tab = TicketContactsTab(self)
        self.history_tab = TicketHistoryTab(self)
        self.children_tab = TicketChildrenTab(self)
        # These three read their own data, and only while shown (see LazyReportTab).
        self.work_orders_tab = WorkOrdersTab(self.workspace, self.user_id, self.runner, self)
        # Ctrl+Shift+P from any tab prints a work order (and shows the tab that lists it).
        self.addAction(self.work_orders_tab.generate_action)
        self.sla_tab = TicketSlaTab(self.workspace, self.user_id, self.runner, self)
        self.statistics_tab = TicketStatisticsTab(self.workspace, self.user_id, self.runner,
                                                  self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("ticket_tabs")
        self.tabs.setAccessibleName("Ticket tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setIconSize(QSize(16, 16))
        for name, widget in zip(TABS, self._tab_widgets(), strict=True):
            self.tabs.addTab(widget, palette.icon(_TAB_ICONS[name]), _TAB_TITLES[name])

        self.loading_page = QWidget(self)
        self.loading_page.setObjectName("ticket_loading")
        self.loading_label = QLabel("Opening the ticket…", self.loading_page)
        self.loading_label.setObjectName("ticket_loading_text")
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        loading = QVBoxLayout(self.loading_page)
        loading.addStretch(1)
        loading.addWidget(_icon_label("mdi6.ticket-outline", self.loading_page))
        loading.addWidget(self.loading_label)
        loading.addStretch(2)

        self.gone_page = QWidget(self)
        self.gone_page.setObjectName("ticket_unavailable")
        self.gone_title = QLabel(self.gone_page)
        self.gone_title.setObjectName("ticket_unavailable_title")
        self.gone_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.gone_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.gone_title.setFont(font)
        self.gone_text = QLabel(self.gone_page)
        self.gone_text.setObjectName("ticket_unavailable_text")
        self.gone_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.gone_text.setWordWrap(True)
        self.retry_button = QPushButton(palette.icon("mdi6.refresh"), "Try again",
                                        self.gone_page)
        self.retry_button.setObjectName("ticket_retry")
        self.retry_button.setAccessibleName("Read the ticket again")
        self.retry_button.clicked.connect(self.reload)
        gone = QVBoxLayout(self.gone_page)
        gone.addStretch(1)
        self.gone_icon = _icon_label("mdi6.eye-off-outline", self.gone_page)
        gone.addWidget(self.gone_icon)
        gone.addWidget(self.gone_title)
        gone.addWidget(self.gone_text)
        gone.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignHCenter)
        gone.addStretch(2)

        self.pages = QStackedWidget(self)
        self.pages.setObjectName("ticket_pages")
        self.pages.addWidget(self.loading_page)
        self.pages.addWidget(self.tabs)
        self.pages.addWidget(self.gone_page)

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self._layout.addWidget(self.header)
        self._layout.addWidget(self.pages, 1)

        self.header.lock_requested.connect(self._on_header_lock_requested)
        self.header.score_chosen.connect(self._on_header_score_chosen)
        self.details_tab.saved.connect(self._on_details_tab_saved)
        self.details_tab.ticket_open_requested.connect(self.ticket_open_requested)
        self.details_tab.modified_changed.connect(self._on_details_tab_modified_changed)
        self.files_tab.files_added.connect(self._on_files_tab_files_added)
        self.work_orders_tab.work_orders_changed.connect(
            self._on_work_orders_tab_work_orders_changed)
        self.work_orders_tab.generate_action.triggered.connect(
            self._on_generate_action_triggered)
        self.children_tab.ticket_open_requested.connect(self.ticket_open_requested)

    def _tab_widgets(self) -> tuple[QWidget, ...]:
        return (self.details_tab, self.workunits_tab, self.files_tab, self.work_orders_tab,
                self.contacts_tab, self.history_tab, self.children_tab, self.sla_tab,
                self.statistics_tab)

    def _attach_ticket(self, ticket_id: uuid.UUID) -> None:
        """The parts made for one ticket: its conflicts strip and its workunit editor."""
        if self.conflicts_panel is not None:
            self._layout.removeWidget(self.conflicts_panel)
            self.conflicts_panel.deleteLater()
        panel = TicketConflictsPanel(self.workspace, self.user_id, self.runner, ticket_id,
                                     self)
        panel.setContentsMargins(12, 6, 12, 6)
        panel.conflict_resolved.connect(self._on_conflicts_panel_conflict_resolved)
        panel.conflict_list.conflicts_loaded.connect(self._on_conflict_list_conflicts_loaded)
        self._layout.insertWidget(1, panel)
        self.conflicts_panel = panel
        self._panel_fresh = True  # it reads its conflicts as it is made

        if self.workunit_editor is not None:
            self.workunit_editor.save_draft()  # a hidden tab's editor sees no hide event
        editor = WorkunitEditor(self.workspace, self.user_id, ticket_id, runner=self.runner,
                                parent=self.workunits_tab.editor_pane)
        editor.workunit_added.connect(self._on_workunit_editor_workunit_added)
        self.workunits_tab.set_editor(editor)
        self.workunit_editor = editor

    # --- What is shown --------------------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        return self._load_task is not None

    def reload(self) -> None:
        """Read the ticket again; what is on screen stays until the answer is in."""
        if self.details is None or self.details.id != self.ticket_id:
            self.pages.setCurrentIndex(_PAGE_LOADING)
        if self.conflicts_panel is not None and not self._panel_fresh:
            self.conflicts_panel.reload()  # a sync may have brought refusals, or ended them
        self._panel_fresh = False
        task = self.runner.run(partial(read_ticket, self.workspace, self.user_id,
                                       self.ticket_id))
        task.succeeded.connect(self._on_load_task_succeeded)
        task.failed.connect(self._on_load_task_failed)
        self._load_task = task  # an answer from an earlier read is dropped

    def show_ticket(self, ticket_id: uuid.UUID) -> bool:
        """Show another ticket in this view; False if the person chose to keep editing
        this one's unsaved details."""
        if ticket_id == self.ticket_id:
            self.reload()
            return True
        if (self.details_tab.has_unsaved_changes() and self.details is not None
                and not confirm_discard_changes(self, self.details.number_label)):
            return False
        self.ticket_id = ticket_id
        self._attach_ticket(ticket_id)
        self.reload()
        return True

    def current_tab(self) -> str:
        return TABS[max(self.tabs.currentIndex(), 0)]

    def set_current_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))

    def focus_workunit_editor(self) -> None:
        """For the "add workunit" shortcut: the Workunits tab, the cursor in the text."""
        self.set_current_tab("workunits")
        self.workunits_tab.unfold()

    @Slot()
    def save(self) -> None:
        """Save the Details tab's changes (Ctrl+S anywhere in the view)."""
        self.details_tab.save()

    def has_unsaved_changes(self) -> bool:
        return self.details_tab.has_unsaved_changes()

    # --- Loading --------------------------------------------------------------------------

    @Slot(object)
    def _on_load_task_succeeded(self, answer: tuple[TicketViewData, bool]) -> None:
        if self.sender() is not self._load_task:
            return
        self._load_task = None
        data, syncs = answer
        details = data.details
        self.details = details
        self.header.show_details(details)
        self.header.show_sync(data.sync if syncs else None)
        self.header.show()
        self.details_tab.show_details(details)
        self._update_lock_allowed()
        for tab in (self.workunit_thread, self.files_tab, self.work_orders_tab,
                    self.contacts_tab, self.history_tab, self.children_tab, self.sla_tab,
                    self.statistics_tab):
            tab.show_details(details)
        self._update_tab_titles(details)
        self.pages.setCurrentIndex(_PAGE_TABS)
        self.setAccessibleName(f"Ticket {details.number_label}: {details.title}")
        self.ticket_loaded.emit(details)

    @Slot(object)
    def _on_load_task_failed(self, error: BaseException) -> None:
        if self.sender() is not self._load_task:
            return
        self._load_task = None
        self.details = None
        self.header.hide()
        if isinstance(error, DomainError) and error.code in (NOT_FOUND, NOT_VISIBLE):
            palette.set_icon(self.gone_icon, palette.icon("mdi6.eye-off-outline",
                                                          color=palette.muted_text),
                             QSize(48, 48))
            self.gone_title.setText("This ticket is not available to you")
            self.gone_text.setText(
                "It may have moved to a group you are not in, or been deleted, since it was "
                "listed. Your unsent changes to it, if any, are kept in the sync records.")
            self.retry_button.hide()
            message = error.message
        else:
            palette.set_icon(self.gone_icon, palette.icon("mdi6.alert-circle-outline",
                                                          color=palette.danger),
                             QSize(48, 48))
            self.gone_title.setText("The ticket could not be read")
            self.gone_text.setText("Nothing was changed. Try again in a moment.")
            self.retry_button.show()
            message = "The ticket could not be opened."
            messages.error(self, message, details=str(error))
        self.pages.setCurrentIndex(_PAGE_GONE)
        self.ticket_unavailable.emit(message)

    def _update_tab_titles(self, details: TicketDetails) -> None:
        counts = {"workunits": len(details.workunits), "files": len(details.attachments),
                  "contacts": len(details.contacts), "children": len(details.children)}
        for index, name in enumerate(TABS):
            count = counts.get(name)
            title = _TAB_TITLES[name]
            if name == "details" and self.details_tab.has_unsaved_changes():
                title += " •"
            self.tabs.setTabText(index, f"{title} ({count})" if count else title)

    def tab_title(self, name: str) -> str:
        return self.tabs.tabText(TABS.index(name))

    # --- Slots ----------------------------------------------------------------------------

    @Slot(object)
    def _on_details_tab_saved(self, changed: list[uuid.UUID]) -> None:
        for ticket_id in dict.fromkeys([self.ticket_id, *changed]):
            self.ticket_changed.emit(ticket_id)
        self.reload()

    @Slot(bool)
    def _on_details_tab_modified_changed(self, _modified: bool) -> None:
        if self.details is not None:
            self._update_tab_titles(self.details)
        self._update_lock_allowed()

    def _update_lock_allowed(self) -> None:
        """A lock would leave unsaved Details changes unsaveable: save or revert first."""
        self.header.set_lock_allowed(not self.details_tab.has_unsaved_changes(),
                                     "Save or revert your changes to the details first.")

    @Slot(bool)
    def _on_header_lock_requested(self, locked: bool) -> None:
        self.header.set_lock_running()
        task = self.runner.run(partial(ticket_view_source.set_locked, self.workspace,
                                       self.user_id, self.ticket_id, locked))
        task.succeeded.connect(self._on_lock_task_succeeded)
        task.failed.connect(self._on_lock_task_failed)

    @Slot(object)
    def _on_lock_task_succeeded(self, changed: tuple[uuid.UUID, ...]) -> None:
        for ticket_id in changed:
            self.ticket_changed.emit(ticket_id)
        self.reload()  # every part then says why it may not be changed

    @Slot(object)
    def _on_lock_task_failed(self, error: BaseException) -> None:
        if isinstance(error, DomainError):
            messages.warning(self, error.message, title="Lock not changed")
        else:
            messages.error(self, "The ticket's lock could not be changed.", details=str(error))
        self.reload()  # the button as the ticket now is

    @Slot(int)
    def _on_header_score_chosen(self, score: int) -> None:
        self.header.set_score_running()
        task = self.runner.run(partial(run_command, self.workspace, self.user_id,
                                       ScoreTicket(ticket_id=self.ticket_id, score=score)))
        task.succeeded.connect(self._on_score_task_succeeded)
        task.failed.connect(self._on_score_task_failed)

    @Slot(object)
    def _on_score_task_succeeded(self, _result: object) -> None:
        self.ticket_changed.emit(self.ticket_id)
        self.reload()  # the header then shows the rating instead of the button

    @Slot(object)
    def _on_score_task_failed(self, error: BaseException) -> None:
        if isinstance(error, DomainError):
            messages.warning(self, error.message, title="Rating not saved")
        else:
            messages.error(self, "Your rating could not be saved.", details=str(error))
        self.reload()

    @Slot(object)
    def _on_workunit_editor_workunit_added(self, _added: object) -> None:
        self.ticket_changed.emit(self.ticket_id)
        self.reload()

    @Slot()
    def _on_files_tab_files_added(self) -> None:
        self.ticket_changed.emit(self.ticket_id)
        self.reload()

    @Slot(object)
    def _on_work_orders_tab_work_orders_changed(self, ticket_id: object) -> None:
        self.ticket_changed.emit(ticket_id)
        if ticket_id == self.ticket_id:
            self.reload()  # the Files tab lists the PDFs, History records them

    @Slot()
    def _on_generate_action_triggered(self) -> None:
        self.set_current_tab("work_orders")

    @Slot(int)
    def _on_conflict_list_conflicts_loaded(self, _count: int) -> None:
        self._fit_conflicts_panel()

    def _fit_conflicts_panel(self) -> None:
        """As tall as its cards at this width, up to 40% of the view: the tabs stay the
        main thing, and more cards scroll."""
        panel = self.conflicts_panel
        if panel is None:
            return
        conflict_list = panel.conflict_list
        width = max(conflict_list.scroll_area.viewport().width(), self.width() - 30, 200)
        cards = sum(card.heightForWidth(width) if card.hasHeightForWidth()
                    else card.sizeHint().height() for card in conflict_list.cards)
        if not cards:
            panel.setMaximumHeight(16777215)  # the result line after the last action
            return
        spacing = 8 * len(conflict_list.cards)
        chrome = panel.sizeHint().height() - conflict_list.scroll_area.sizeHint().height()
        panel.setMaximumHeight(min(chrome + cards + spacing, max(self.height() * 2 // 5, 160)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_conflicts_panel()

    @Slot(object)
    def _on_conflicts_panel_conflict_resolved(self, outcome: object) -> None:
        self.ticket_changed.emit(self.ticket_id)
        other = getattr(outcome, "ticket_id", None)
        if isinstance(other, uuid.UUID) and other != self.ticket_id:
            self.ticket_changed.emit(other)  # a copy filed as a new ticket
        self.reload()
