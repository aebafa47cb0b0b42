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
from desktopdesk.ui.sync_controller import SyncController, SyncOutcome
from desktopdesk.ui.sync_indicator import SyncIndicator
from desktopdesk.ui.sync_panel import SyncPanel
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_list_model import DEFAULT_PAGE_SIZE
from desktopdesk.ui.ticket_list_panel import TicketListPanel
from desktopdesk.ui.ticket_source import ALL_TICKETS, MY_TICKETS, SCOPES, TicketListScope

APP_TITLE = "DesktopDesk"
ScopeRole = Qt.ItemDataRole.UserRole + 1
_SCOPE_ICONS = {
    MY_TICKETS.key: "mdi6.account-outline",
    ALL_TICKETS.key: "mdi6.inbox-multiple-outline",
}


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace, user: UserSummary, *,
                 page_size: int = DEFAULT_PAGE_SIZE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.user = user
        self.runner = TaskRunner(self)
        self.setObjectName("main_window")
        self.setWindowTitle(f"{APP_TITLE} — {user.full_name}")
        self.setAccessibleName(f"{APP_TITLE} main window")

        self.navigation = self._build_navigation()
        # The filter bar over the table; the panel runs the list's background reads.
        self.list_panel = TicketListPanel(workspace, user.id, self.runner,
                                          page_size=page_size, parent=self)
        self.model = self.list_panel.model
        self.table = self.list_panel.table
        self.model.load_failed.connect(self._on_model_load_failed)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("main_splitter")
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.list_panel)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 1050])
        self.setCentralWidget(splitter)

        self.user_label = QLabel(f"Signed in as {user.full_name}", self)
        self.user_label.setObjectName("status_user")
        self.user_label.setToolTip(user.username)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("status_ticket_count")
        self.statusBar().addPermanentWidget(self.count_label)
        self.list_panel.count_text_changed.connect(self.count_label.setText)
        self.statusBar().addWidget(self.user_label)

        # A replica linked to a server syncs in the background; anything else never syncs.
        self.sync_controller = SyncController.for_workspace(workspace, parent=self)
        self.sync_indicator: SyncIndicator | None = None
        self._sync_panel: SyncPanel | None = None
        if self.sync_controller is not None:
            self._build_sync(self.sync_controller)

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

    def _build_sync(self, controller: SyncController) -> None:
        self.sync_indicator = SyncIndicator(self)
        self.statusBar().addPermanentWidget(self.sync_indicator)
        controller.status_changed.connect(self.sync_indicator.show_status)
        controller.sync_finished.connect(self._on_sync_controller_sync_finished)
        self.sync_indicator.panel_requested.connect(self._on_sync_indicator_panel_requested)
        controller.start()

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
        """Read the current list and counts again, from page one (filters kept)."""
        self.list_panel.show_scope(self.scope)

    # --- Slots ----------------------------------------------------------------------------

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_navigation_current_item_changed(self, current: QListWidgetItem | None,
                                            _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.refresh()

    @Slot()
    def _on_refresh_triggered(self) -> None:
        """F5: read the list again and, on a replica, sync now (the list reloads after)."""
        self.refresh()
        if self.sync_controller is not None:
            self.sync_controller.sync_now()

    @Slot(object)
    def _on_sync_controller_sync_finished(self, outcome: SyncOutcome) -> None:
        if outcome.changed_local_data:
            self.refresh()

    @Slot()
    def _on_sync_indicator_panel_requested(self) -> None:
        assert self.sync_controller is not None
        if self._sync_panel is None:
            self._sync_panel = SyncPanel(self.workspace, self.user.id, self.sync_controller,
                                         self.runner, self)
        self._sync_panel.show()
        self._sync_panel.raise_()
        self._sync_panel.activateWindow()

    @Slot()
    def _on_show_scope_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            key = action.data()
            self.select_scope(next(s for s in SCOPES if s.key == key))

    @Slot(object)
    def _on_model_load_failed(self, error: BaseException) -> None:
        messages.error(self, "The ticket list could not be read.", details=str(error))

    def closeEvent(self, event: QCloseEvent) -> None:
        # Workers hold database sessions; let them finish before the workspace closes.
        if self.sync_controller is not None:
            self.sync_controller.stop()
            self.sync_controller.wait_for_done()
        self.runner.wait_for_done()
        super().closeEvent(event)
