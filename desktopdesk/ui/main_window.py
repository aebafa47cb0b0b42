"""The main window: lists on the left, the chosen list over the ticket it has selected.

It reads nothing from the database itself: lists, counts and tickets come through the
task runner, and who is signed in is handed over already loaded. The ticket under the
list's cursor is shown below it (mail-client style), so moving through a queue with the
keyboard reads one ticket after another without opening windows.
"""

from __future__ import annotations

import uuid
from functools import partial

from PySide6.QtCore import QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.queries import UserSummary
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette
from desktopdesk.ui.admin.admin_window import AdminAccess, AdminWindow, admin_access
from desktopdesk.ui.desktop_preferences import SCHEME_PREFERENCES, DesktopPreferences
from desktopdesk.ui.help_dialog import ShortcutsDialog
from desktopdesk.ui.palette import Appearance
from desktopdesk.ui.preferences_dialog import PreferencesDialog
from desktopdesk.ui.shortcuts import make_action
from desktopdesk.ui.sla_report_window import SlaReportWindow
from desktopdesk.ui.sync_controller import SyncController, SyncOutcome
from desktopdesk.ui.sync_indicator import SyncIndicator
from desktopdesk.ui.sync_panel import SyncPanel
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_create_dialog import TicketCreateDialog
from desktopdesk.ui.ticket_list_model import DEFAULT_PAGE_SIZE
from desktopdesk.ui.ticket_list_panel import TicketListPanel
from desktopdesk.ui.ticket_source import ALL_TICKETS, MY_TICKETS, SCOPES, TicketListScope
from desktopdesk.ui.ticket_view import TicketView

APP_TITLE = "DesktopDesk"
ScopeRole = Qt.ItemDataRole.UserRole + 1
#: Moving through the list quickly reads only the ticket the cursor rests on.
OPEN_DELAY_MS = 150
_SCOPE_ICONS = {
    MY_TICKETS.key: "mdi6.account-outline",
    ALL_TICKETS.key: "mdi6.inbox-multiple-outline",
}


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace, user: UserSummary, *,
                 page_size: int = DEFAULT_PAGE_SIZE, appearance: Appearance | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.user = user
        #: The app's colour scheme, when this window may change it (the app's own window).
        self.appearance = appearance
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

        # Below the list: the ticket under its cursor (made on first use).
        self.ticket_view: TicketView | None = None
        self.ticket_area = QStackedWidget(self)
        self.ticket_area.setObjectName("ticket_area")
        self.ticket_area.setAccessibleName("Selected ticket")
        self.ticket_placeholder = self._build_placeholder()
        self.ticket_area.addWidget(self.ticket_placeholder)
        self._open_timer = QTimer(self)
        self._open_timer.setObjectName("ticket_open_timer")
        self._open_timer.setSingleShot(True)
        self._open_timer.setInterval(OPEN_DELAY_MS)
        self._open_timer.timeout.connect(self._on_open_timer_timeout)
        self._create_dialog: TicketCreateDialog | None = None
        self._admin_window: AdminWindow | None = None
        self._sla_report: SlaReportWindow | None = None
        self.admin_access = AdminAccess(design=False, setup=False)

        self.list_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.list_splitter.setObjectName("list_splitter")
        self.list_splitter.setChildrenCollapsible(False)
        self.list_splitter.addWidget(self.list_panel)
        self.list_splitter.addWidget(self.ticket_area)
        self.list_splitter.setStretchFactor(1, 1)
        self.list_splitter.setSizes([300, 500])

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("main_splitter")
        splitter.addWidget(self._build_navigation_panel())
        splitter.addWidget(self.list_splitter)
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
        self.list_panel.current_ticket_changed.connect(
            self._on_list_panel_current_ticket_changed)
        self.list_panel.ticket_activated.connect(self._on_list_panel_ticket_activated)
        self.select_scope(ALL_TICKETS)

    # --- Building -------------------------------------------------------------------------

    def _build_navigation(self) -> QListWidget:
        navigation = QListWidget(self)
        navigation.setObjectName("navigation")
        navigation.setAccessibleName("Ticket lists")
        navigation.setIconSize(QSize(18, 18))
        row_height = navigation.fontMetrics().height() + 14
        for scope in SCOPES:
            item = QListWidgetItem(palette.icon(_SCOPE_ICONS[scope.key]), scope.label,
                                   navigation)
            item.setData(ScopeRole, scope)
            item.setSizeHint(QSize(0, row_height))
        return navigation

    def _build_navigation_panel(self) -> QWidget:
        """The lists, and under them Administration once the person's rights are known."""
        panel = QWidget(self)
        panel.setObjectName("navigation_panel")
        self.admin_button = QToolButton(panel)
        self.admin_button.setObjectName("navigation_administration")
        self.admin_button.setAccessibleName("Administration")
        self.admin_button.setText("Administration")
        self.admin_button.setIcon(palette.icon("mdi6.cog-outline"))
        self.admin_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.admin_button.setAutoRaise(True)
        self.admin_button.setSizePolicy(QSizePolicy.Policy.Expanding,
                                        QSizePolicy.Policy.Fixed)
        self.admin_button.clicked.connect(self.show_administration)
        self.admin_button.hide()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(0)
        layout.addWidget(self.navigation, 1)
        layout.addWidget(self.admin_button)
        return panel

    def _build_placeholder(self) -> QWidget:
        placeholder = QWidget(self)
        placeholder.setObjectName("ticket_placeholder")
        icon = QLabel(placeholder)
        palette.set_icon(icon, palette.icon("mdi6.ticket-outline", color=palette.muted_text),
                         QSize(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        text = QLabel("Select a ticket to see it here. Ctrl+N files a new one; F1 lists "
                      "the keyboard shortcuts.", placeholder)
        text.setObjectName("ticket_placeholder_text")
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        text.setWordWrap(True)
        text.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(placeholder)
        layout.addStretch(1)
        layout.addWidget(icon)
        layout.addWidget(text)
        layout.addStretch(2)
        return placeholder

    def _build_sync(self, controller: SyncController) -> None:
        self.sync_indicator = SyncIndicator(self)
        self.statusBar().addPermanentWidget(self.sync_indicator)
        controller.status_changed.connect(self.sync_indicator.show_status)
        controller.sync_finished.connect(self._on_sync_controller_sync_finished)
        self.sync_indicator.panel_requested.connect(self._on_sync_indicator_panel_requested)
        controller.start()

    def _build_actions(self) -> None:
        """Every window-wide command, from the shortcut registry (``ui.shortcuts``)."""
        new_ticket = make_action("new_ticket", self, self.new_ticket)
        quit_ = make_action("quit", self, self.close)
        refresh = make_action("refresh", self, self._on_refresh_triggered)
        find = self.list_panel.filter_bar.find_action  # the bar's own: it knows its field
        next_ticket = make_action("next_ticket", self, lambda: self.move_to_ticket(1))
        previous_ticket = make_action("previous_ticket", self,
                                      lambda: self.move_to_ticket(-1))
        new_workunit = make_action("new_workunit", self, self._on_new_workunit_triggered)
        shortcuts_help = make_action("help", self, self.show_shortcuts)
        # Return on the table opens the ticket under the cursor (the table's own key).
        make_action("open_ticket", self.table, self._on_open_ticket_triggered)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.setObjectName("menu_file")
        file_menu.addAction(new_ticket)
        file_menu.addSeparator()
        file_menu.addAction(quit_)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.setObjectName("menu_view")
        view_menu.addAction(refresh)
        view_menu.addAction(find)
        view_menu.addSeparator()
        for scope in SCOPES:
            show = make_action(f"show_{scope.key}", self, self._on_show_scope_triggered)
            show.setData(scope.key)
            view_menu.addAction(show)
        if self.appearance is not None:
            view_menu.addSeparator()
            view_menu.addMenu(self._build_color_scheme_menu(self.appearance))
        ticket_menu = self.menuBar().addMenu("&Ticket")
        ticket_menu.setObjectName("menu_ticket")
        ticket_menu.addAction(next_ticket)
        ticket_menu.addAction(previous_ticket)
        ticket_menu.addSeparator()
        ticket_menu.addAction(new_workunit)
        tools_menu = self.menuBar().addMenu("T&ools")
        tools_menu.setObjectName("menu_tools")
        sla_report = make_action("sla_report", self, self.show_sla_report)
        sla_report.setText("&SLA report…")
        tools_menu.addAction(sla_report)
        tools_menu.addSeparator()
        self.admin_action = QAction(palette.icon("mdi6.cog-outline"), "&Administration…", self)
        self.admin_action.setObjectName("action_administration")
        self.admin_action.setStatusTip("Ticket types, status mapping, groups, people, "
                                       "holidays and settings")
        self.admin_action.triggered.connect(self.show_administration)
        self.admin_action.setVisible(False)
        tools_menu.addAction(self.admin_action)
        preferences = QAction(palette.icon("mdi6.tune-variant"), "&Preferences…", self)
        preferences.setObjectName("action_preferences")
        preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
        preferences.setStatusTip("This desktop's options, and the shared ones to read")
        preferences.triggered.connect(self.show_preferences)
        tools_menu.addAction(preferences)
        self._read_admin_access()
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.setObjectName("menu_help")
        help_menu.addAction(shortcuts_help)

    def _build_color_scheme_menu(self, appearance: Appearance) -> QMenu:
        menu = QMenu("&Colours", self)
        menu.setObjectName("menu_color_scheme")
        group = QActionGroup(menu)
        for scheme, label in (("system", "As the &system"), ("light", "&Light"),
                              ("dark", "&Dark")):
            action = QAction(label, menu)
            action.setObjectName(f"action_color_scheme_{scheme}")
            action.setCheckable(True)
            action.setChecked(appearance.preference == scheme)
            action.setData(scheme)
            action.triggered.connect(self._on_color_scheme_triggered)
            group.addAction(action)
            menu.addAction(action)
        return menu

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

    def new_ticket(self) -> None:
        """The create dialog; the new ticket is selected once the list shows it."""
        if self._create_dialog is not None:
            self._create_dialog.raise_()
            self._create_dialog.activateWindow()
            return
        dialog = TicketCreateDialog(self.workspace, self.user.id, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.ticket_created.connect(self._on_create_dialog_ticket_created)
        dialog.destroyed.connect(self._on_create_dialog_destroyed)
        self._create_dialog = dialog
        dialog.open()

    def move_to_ticket(self, step: int) -> bool:
        """Next (+1) or previous (-1) ticket of the list; the view below follows."""
        return self.list_panel.move_current(step)

    def open_ticket(self, ticket_id: uuid.UUID) -> TicketView:
        """Show ``ticket_id`` below the list now (the view is made on first use)."""
        self._open_timer.stop()
        if self.ticket_view is None:
            view = TicketView(self.workspace, self.user.id, self.runner, ticket_id, self)
            view.ticket_changed.connect(self._on_ticket_view_ticket_changed)
            view.ticket_open_requested.connect(self._on_ticket_view_ticket_open_requested)
            self.ticket_view = view
            self.ticket_area.addWidget(view)
        else:
            showing = (self.ticket_view.ticket_id == ticket_id
                       and self.ticket_area.currentWidget() is self.ticket_view)
            if not showing and not self.ticket_view.show_ticket(ticket_id):
                # Unsaved details kept: the list's cursor goes back to that ticket.
                self.list_panel.select_ticket(self.ticket_view.ticket_id)
                return self.ticket_view
        self.ticket_area.setCurrentWidget(self.ticket_view)
        return self.ticket_view

    def show_administration(self) -> AdminWindow | None:
        """The Administration window (one per main window), if the person may use it."""
        if not self.admin_access.any:
            return None
        if self._admin_window is None:
            window = AdminWindow(self.workspace, self.user.id, self.runner,
                                 self.admin_access, parent=self)
            window.config_changed.connect(self._on_admin_window_config_changed)
            self._admin_window = window
        self._admin_window.show()
        self._admin_window.raise_()
        self._admin_window.activateWindow()
        return self._admin_window

    def show_sla_report(self) -> SlaReportWindow:
        """The SLA report window (one per main window), raised if already open."""
        if self._sla_report is None:
            self._sla_report = SlaReportWindow(self.workspace, self.user.id, self.runner,
                                               parent=self)
        self._sla_report.show()
        self._sla_report.raise_()
        self._sla_report.activateWindow()
        return self._sla_report

    def show_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self.workspace, self.user.id, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.section.preferences_changed.connect(self._on_preferences_changed)
        dialog.section.saved.connect(self._on_admin_window_config_changed)
        dialog.open()
        return dialog

    def _read_admin_access(self) -> None:
        task = self.runner.run(partial(admin_access, self.workspace, self.user.id))
        task.succeeded.connect(self._on_admin_access_task_succeeded)

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self).exec()

    # --- Slots ----------------------------------------------------------------------------

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_navigation_current_item_changed(self, current: QListWidgetItem | None,
                                            _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.refresh()

    @Slot(object)
    def _on_list_panel_current_ticket_changed(self, ticket_id: uuid.UUID | None) -> None:
        if ticket_id is None:
            self._open_timer.stop()
            if self.ticket_view is None or not self.ticket_view.has_unsaved_changes():
                self.ticket_area.setCurrentWidget(self.ticket_placeholder)
            return
        self._open_timer.start()

    @Slot()
    def _on_open_timer_timeout(self) -> None:
        current = self.list_panel.current_ticket_id
        if current is not None:
            self.open_ticket(current)

    @Slot(object)
    def _on_list_panel_ticket_activated(self, ticket_id: uuid.UUID) -> None:
        self.open_ticket(ticket_id).setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def _on_open_ticket_triggered(self) -> None:
        current = self.list_panel.current_ticket_id
        if current is not None:
            self._on_list_panel_ticket_activated(current)

    @Slot()
    def _on_new_workunit_triggered(self) -> None:
        current = self.list_panel.current_ticket_id
        if current is None and self.ticket_view is None:
            self.statusBar().showMessage("Select a ticket first.", 4000)
            return
        view = self.open_ticket(current) if current is not None else self.ticket_view
        assert view is not None
        view.focus_workunit_editor()

    @Slot(object)
    def _on_ticket_view_ticket_changed(self, ticket_id: uuid.UUID) -> None:
        self.model.refresh_tickets([ticket_id])
        if self.sync_controller is not None:
            self.sync_controller.refresh_status()

    @Slot(object)
    def _on_ticket_view_ticket_open_requested(self, ticket_id: uuid.UUID) -> None:
        if not self.list_panel.select_ticket(ticket_id):  # not in the list shown
            self.open_ticket(ticket_id)

    @Slot(object)
    def _on_create_dialog_ticket_created(self, ticket_id: uuid.UUID) -> None:
        self.list_panel.select_ticket(ticket_id)  # once page one is read again
        self.refresh()
        self.open_ticket(ticket_id)
        if self.sync_controller is not None:
            self.sync_controller.refresh_status()

    @Slot()
    def _on_create_dialog_destroyed(self) -> None:
        self._create_dialog = None

    @Slot()
    def _on_refresh_triggered(self) -> None:
        """F5: read the list again and, on a replica, sync now (the list reloads after)."""
        self.refresh()
        if self.sync_controller is not None:
            self.sync_controller.sync_now()

    @Slot(object)
    def _on_admin_access_task_succeeded(self, access: AdminAccess) -> None:
        self.admin_access = access
        self.admin_action.setVisible(access.any)
        self.admin_button.setVisible(access.any)
        if self._admin_window is not None and self._admin_window.access != access:
            self._admin_window.close()  # rights changed (a sync): rebuilt on next open
            self._admin_window.deleteLater()
            self._admin_window = None

    @Slot(tuple)
    def _on_preferences_changed(self, _keys: tuple[str, ...]) -> None:
        self._on_admin_window_config_changed()

    @Slot()
    def _on_admin_window_config_changed(self) -> None:
        self.table.use_preferences(DesktopPreferences(self.workspace.data_dir))
        self.refresh()  # types, fields shown in the list, groups may have changed
        if self.ticket_view is not None:
            self.ticket_view.reload()

    @Slot(object)
    def _on_sync_controller_sync_finished(self, outcome: SyncOutcome) -> None:
        if not outcome.changed_local_data:
            return
        self._read_admin_access()
        if self._admin_window is not None:
            self._admin_window.reload()
        if self._sla_report is not None and self._sla_report.isVisible():
            self._sla_report.reload()  # its figures say "as of": keep them current
        self.list_panel.refresh_after_sync()
        if self.ticket_view is not None and self.ticket_area.currentWidget() is self.ticket_view:
            self.ticket_view.reload()  # edits in progress are kept; it offers the new version

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
    def _on_color_scheme_triggered(self) -> None:
        action = self.sender()
        if not isinstance(action, QAction) or self.appearance is None:
            return
        scheme = next(s for s in SCHEME_PREFERENCES if s == action.data())
        self.appearance.set_preference(scheme)
        DesktopPreferences(self.workspace.data_dir).set_color_scheme(scheme)

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
