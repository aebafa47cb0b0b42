"""The main window: lists on the left, the chosen list of tickets, who is signed in.

It reads nothing from the database itself: lists and counts come through the task
runner, and who is signed in is handed over already loaded.
"""

from __future__ import annotations

import qtawesome
from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QWidget,
)

from desktopdesk.domain.queries import UserSummary
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages
from desktopdesk.ui.tasks import Task, TaskRunner
from desktopdesk.ui.ticket_list_model import DEFAULT_PAGE_SIZE, TicketListModel
from desktopdesk.ui.ticket_source import (
    ALL_TICKETS,
    MY_TICKETS,
    SCOPES,
    TicketCounts,
    TicketListScope,
    count_loader,
    page_loader,
)
from desktopdesk.ui.ticket_table import TicketTable

APP_TITLE = "DesktopDesk"
ScopeRole = Qt.ItemDataRole.UserRole + 1
_SCOPE_ICONS = {
    MY_TICKETS.key: "mdi6.account-outline",
    ALL_TICKETS.key: "mdi6.inbox-multiple-outline",
}


def _tickets(n: int) -> str:
    return f"{n} ticket" if n == 1 else f"{n} tickets"


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace, user: UserSummary, *,
                 page_size: int = DEFAULT_PAGE_SIZE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.user = user
        self.runner = TaskRunner(self)
        self._counts_task: Task | None = None
        self.setObjectName("main_window")
        self.setWindowTitle(f"{APP_TITLE} — {user.full_name}")
        self.setAccessibleName(f"{APP_TITLE} main window")

        self.navigation = self._build_navigation()
        self.model = TicketListModel(self.runner, page_size=page_size, parent=self)
        self.model.load_failed.connect(self._on_model_load_failed)
        self.table = TicketTable(self)
        self.table.setModel(self.model)
        self.table.size_columns()

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("main_splitter")
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 1050])
        self.setCentralWidget(splitter)

        self.user_label = QLabel(f"Signed in as {user.full_name}", self)
        self.user_label.setObjectName("status_user")
        self.user_label.setToolTip(user.username)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("status_ticket_count")
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addWidget(self.user_label)

        self._build_actions()
        self.navigation.currentItemChanged.connect(self._on_navigation_current_item_changed)
        self.select_scope(ALL_TICKETS)

    # --- Building -------------------------------------------------------------------------

    def _build_navigation(self) -> QListWidget:
        navigation = QListWidget(self)
        navigation.setObjectName("navigation")
        navigation.setAccessibleName("Ticket lists")
        navigation.setIconSize(QSize(18, 18))
        row_height = navigation.fontMetrics().height() + 14
        for scope in SCOPES:
            item = QListWidgetItem(qtawesome.icon(_SCOPE_ICONS[scope.key]), scope.label,
                                   navigation)
            item.setData(ScopeRole, scope)
            item.setSizeHint(QSize(0, row_height))
        return navigation

    def _build_actions(self) -> None:
        refresh = QAction("&Refresh", self)
        refresh.setObjectName("action_refresh")
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self._on_refresh_triggered)
        quit_ = QAction("&Quit", self)
        quit_.setObjectName("action_quit")
        quit_.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_.triggered.connect(self.close)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.setObjectName("menu_file")
        file_menu.addAction(quit_)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.setObjectName("menu_view")
        view_menu.addAction(refresh)
        for row, scope in enumerate(SCOPES, start=1):
            show = QAction(scope.label, self)
            show.setObjectName(f"action_show_{scope.key}")
            show.setShortcut(QKeySequence(f"Ctrl+{row}"))
            show.triggered.connect(self._on_show_scope_triggered)
            show.setData(scope.key)
            view_menu.addAction(show)

    # --- What is shown --------------------------------------------------------------------

    @property
    def scope(self) -> TicketListScope:
        item = self.navigation.currentItem()
        return ALL_TICKETS if item is None else item.data(ScopeRole)

    def select_scope(self, scope: TicketListScope) -> None:
        for row in range(self.navigation.count()):
            if self.navigation.item(row).data(ScopeRole) == scope:
                self.navigation.setCurrentRow(row)
                return
        raise ValueError(f"no list {scope.key!r}")

    def refresh(self) -> None:
        """Read the current list and counts again, from page one."""
        scope = self.scope
        self.model.set_loader(page_loader(self.workspace, self.user.id, scope))
        self._refresh_counts(scope)

    def _refresh_counts(self, scope: TicketListScope) -> None:
        if self._counts_task is not None:  # its answer is for a list no longer shown
            self._counts_task.succeeded.disconnect(self._on_counts_task_succeeded)
            self._counts_task.failed.disconnect(self._on_counts_task_failed)
        self.count_label.setText("Counting…")
        self._counts_task = self.runner.run(count_loader(self.workspace, self.user.id, scope))
        self._counts_task.succeeded.connect(self._on_counts_task_succeeded)
        self._counts_task.failed.connect(self._on_counts_task_failed)

    # --- Slots ----------------------------------------------------------------------------

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_navigation_current_item_changed(self, current: QListWidgetItem | None,
                                            _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.refresh()

    @Slot()
    def _on_refresh_triggered(self) -> None:
        self.refresh()

    @Slot()
    def _on_show_scope_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            key = action.data()
            self.select_scope(next(s for s in SCOPES if s.key == key))

    @Slot(object)
    def _on_counts_task_succeeded(self, counts: TicketCounts) -> None:
        self._counts_task = None
        if self.scope.owned_by_me:
            text = f"{counts.listed} of {_tickets(counts.visible)} visible are yours"
        else:
            text = f"{_tickets(counts.visible)} visible"
        self.count_label.setText(text)

    @Slot(object)
    def _on_counts_task_failed(self, _error: BaseException) -> None:
        self._counts_task = None  # the runner has logged it; a count is not worth a dialog
        self.count_label.setText("")

    @Slot(object)
    def _on_model_load_failed(self, error: BaseException) -> None:
        messages.error(self, "The ticket list could not be read.", details=str(error))

    def closeEvent(self, event: QCloseEvent) -> None:
        # Workers hold database sessions; let them finish before the workspace closes.
        self.runner.wait_for_done()
        super().closeEvent(event)
