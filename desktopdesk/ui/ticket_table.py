"""The table view the ticket list is shown in: columns, the column chooser, quick edit.

Which columns show is this desktop's choice (remembered in ``DesktopPreferences``),
narrowed by the shared settings: when the server hides owners or creators from lists,
the chooser cannot bring them back. The header's context menu also holds the two
display preferences of the list (full names, approximate dates), since that is where
people look when a column reads wrong.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyle,
    QTableView,
    QWidget,
)

from desktopdesk.domain import settings
from desktopdesk.domain.ticket_list_lookups import ListLookups, ListSettings
from desktopdesk.ui.desktop_preferences import DesktopPreferences
from desktopdesk.ui.table_look import set_list_look
from desktopdesk.ui.ticket_delegates import QuickEditDelegate
from desktopdesk.ui.ticket_list_format import ListDisplay
from desktopdesk.ui.ticket_list_model import Column, TicketListModel

#: Typical text each column should fit, in the view's font; longer values elide (their
#: tooltip has them whole) so the title keeps the room it needs.
_WIDTH_SAMPLES = {
    Column.NUMBER: "#00000",
    Column.GROUP: "Support/Hardware",
    Column.STATUS: "Pending to be closed",
    Column.PRIORITY: "Maintenance",
    Column.OWNER: "indie.carla",
    Column.CREATOR: "indie.carla",
    Column.UPDATED: "2026/12/31 23:59:59",
    Column.CREATED: "2026/12/31 23:59:59",
}
#: People columns showing full names rather than usernames need more room.
_FULL_NAME_SAMPLE = "Javier Delgado"
_AGE_SAMPLE = "11 months, 3 weeks"
_PADDING = 16
_ICON_COLUMN_WIDTH = 30
#: Columns whose cells carry an icon before the text.
_ICON_COLUMNS = frozenset({Column.PRIORITY})
#: Hidden until someone asks for them: the list stays readable on a laptop screen.
DEFAULT_HIDDEN = frozenset({Column.CREATED.key})
_ALWAYS_SHOWN = frozenset({Column.TITLE})
_QUICK_EDIT_TRIGGERS = (QAbstractItemView.EditTrigger.SelectedClicked
                        | QAbstractItemView.EditTrigger.EditKeyPressed)


class TicketTable(QTableView):
    display_changed = Signal(object)  # the new ListDisplay

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_table")
        self.setAccessibleName("Tickets")
        set_list_look(self, "ticket_table_header", "Ticket columns",
                      QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.horizontalHeader()
        header.setMinimumSectionSize(24)
        header.setSortIndicatorShown(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        self.quick_edit_delegate = QuickEditDelegate(self)
        self._preferences: DesktopPreferences | None = None
        self._list_settings = ListSettings()
        self.column_menu = self._build_column_menu()

    # --- Set up ---------------------------------------------------------------------------

    def set_list_model(self, model: TicketListModel) -> None:
        """Show ``model``, sorted as it is (newest change first by default)."""
        self.setModel(model)
        sort = model.ticket_sort
        column = next(c for c in Column if c.sort_key is sort.key)
        self.horizontalHeader().setSortIndicator(
            column, Qt.SortOrder.DescendingOrder if sort.descending
            else Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)  # the model re-queries the store; nothing sorts here
        for column in (Column.OWNER, Column.PRIORITY, Column.STATUS):
            self.setItemDelegateForColumn(column, self.quick_edit_delegate)
        self.size_columns()

    def list_model(self) -> TicketListModel:
        model = self.model()
        assert isinstance(model, TicketListModel)
        return model

    def use_preferences(self, preferences: DesktopPreferences) -> None:
        """Columns and display as this desktop last left them."""
        self._preferences = preferences
        display = ListDisplay(
            full_names=preferences.setting(settings.SHOW_FULL_NAMES),
            approximate_dates=preferences.setting(settings.DATE_FORMAT) == "approximate")
        self.list_model().set_display(display)
        self.size_columns(display)
        self._apply_columns()
        self._sync_menu()

    def apply_lookups(self, lookups: ListLookups) -> None:
        """The shared settings and choices, read in the background."""
        self._list_settings = lookups.settings
        self.quick_edit_delegate.set_lookups(lookups)
        editable = lookups.settings.quick_edit
        self.list_model().set_editable(editable)
        self.setEditTriggers(_QUICK_EDIT_TRIGGERS if editable
                             else QAbstractItemView.EditTrigger.NoEditTriggers)
        self._apply_columns()
        self._sync_menu()

    def size_columns(self, display: ListDisplay | None = None) -> None:
        """Fixed widths from the font (never from the rows: they arrive a page at a time)."""
        header = self.horizontalHeader()
        metrics = self.fontMetrics()
        samples = dict(_WIDTH_SAMPLES)
        if display is not None and display.full_names:
            samples[Column.OWNER] = samples[Column.CREATOR] = _FULL_NAME_SAMPLE
        if display is not None and display.approximate_dates:
            samples[Column.UPDATED] = samples[Column.CREATED] = _AGE_SAMPLE
        for column, sample in samples.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            icon = (self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize) + 8
                    if column in _ICON_COLUMNS else 0)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + _PADDING + icon)
        header.setSectionResizeMode(Column.SLA, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(Column.SLA, _ICON_COLUMN_WIDTH)
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)

    # --- Columns --------------------------------------------------------------------------

    @property
    def hidden_columns(self) -> frozenset[Column]:
        return frozenset(c for c in Column if self.isColumnHidden(c))

    def _chosen_hidden(self) -> frozenset[str]:
        if self._preferences is None:
            return DEFAULT_HIDDEN
        stored = self._preferences.hidden_columns
        return stored if self._preferences.has_column_choice else DEFAULT_HIDDEN

    def _forced_hidden(self) -> dict[Column, str]:
        """Columns the shared settings hide, with the reason."""
        forced = {}
        if not self._list_settings.show_owner:
            forced[Column.OWNER] = f"Hidden by the setting '{settings.SHOW_OWNER_IN_LIST.label}'"
        if not self._list_settings.show_creator:
            forced[Column.CREATOR] = (
                f"Hidden by the setting '{settings.SHOW_CREATOR_IN_LIST.label}'")
        return forced

    def _apply_columns(self) -> None:
        chosen, forced = self._chosen_hidden(), self._forced_hidden()
        for column in Column:
            hidden = column not in _ALWAYS_SHOWN and (column.key in chosen or column in forced)
            self.setColumnHidden(column, hidden)

    def _build_column_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("ticket_column_menu")
        menu.setTitle("Columns")
        for column in Column:
            action = menu.addAction(column.header)
            action.setObjectName(f"column_{column.key}")
            action.setCheckable(True)
            action.setData(column)
            action.toggled.connect(self._on_column_action_toggled)
        menu.addSeparator()
        self.full_names_action = menu.addAction("Show full names")
        self.full_names_action.setObjectName("display_full_names")
        self.approximate_dates_action = menu.addAction("Approximate dates (\"1 day, 2 hours\")")
        self.approximate_dates_action.setObjectName("display_approximate_dates")
        for action in (self.full_names_action, self.approximate_dates_action):
            action.setCheckable(True)
            action.toggled.connect(self._on_display_action_toggled)
        return menu

    def column_action(self, column: Column) -> QAction:
        found = self.column_menu.findChild(QAction, f"column_{column.key}")
        assert found is not None
        return found

    def _sync_menu(self) -> None:
        """The menu shows what is on screen (without acting on its own signals)."""
        forced = self._forced_hidden()
        for column in Column:
            action = self.column_action(column)
            was = action.blockSignals(True)
            action.setChecked(not self.isColumnHidden(column))
            action.setEnabled(column not in _ALWAYS_SHOWN and column not in forced)
            action.setToolTip(forced.get(column, ""))
            action.blockSignals(was)
        model = self.model()
        if isinstance(model, TicketListModel):
            for action, checked in ((self.full_names_action, model.display.full_names),
                                    (self.approximate_dates_action,
                                     model.display.approximate_dates)):
                was = action.blockSignals(True)
                action.setChecked(checked)
                action.blockSignals(was)

    @Slot(QPoint)
    def _on_header_context_menu_requested(self, position: QPoint) -> None:
        self._sync_menu()
        self.column_menu.popup(self.horizontalHeader().mapToGlobal(position))

    @Slot(bool)
    def _on_column_action_toggled(self, shown: bool) -> None:
        action = self.sender()
        if not isinstance(action, QAction):
            return
        column = Column(action.data())
        self.setColumnHidden(column, not shown)
        if self._preferences is not None:
            chosen = {c.key for c in Column if self.isColumnHidden(c)
                      and c not in self._forced_hidden()}
            self._preferences.set_hidden_columns(frozenset(chosen))

    @Slot(bool)
    def _on_display_action_toggled(self, _checked: bool) -> None:
        display = ListDisplay(full_names=self.full_names_action.isChecked(),
                              approximate_dates=self.approximate_dates_action.isChecked())
        if self._preferences is not None:
            self._preferences.set_setting(settings.SHOW_FULL_NAMES, display.full_names)
            self._preferences.set_setting(
                settings.DATE_FORMAT, "approximate" if display.approximate_dates else "long")
        self.list_model().set_display(display)
        self.size_columns(display)
        self.display_changed.emit(display)
