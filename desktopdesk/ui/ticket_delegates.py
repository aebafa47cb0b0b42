"""Inline editors for quick edit: owner, priority and status, each a combo box.

A delegate only picks a value and hands it to the model (``setData``), which asks for
the change; the command and its rules run elsewhere (``ticket_quick_edit``). Picking
an entry commits at once: a quick edit is one click, not click, pick, then Enter.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktopdesk.domain.ticket_list_lookups import ListLookups
from desktopdesk.domain.ticket_list_query import ListedTicket
from desktopdesk.models import Priority, Status
from desktopdesk.ui import ticket_icons
from desktopdesk.ui.combo_data import find_data
from desktopdesk.ui.ticket_filter_bar import person_label
from desktopdesk.ui.ticket_list_model import Column, TicketRole

AnyIndex = QModelIndex | QPersistentModelIndex
#: A person's username, beside their id (the item's data) in the owner combo.
UsernameRole = Qt.ItemDataRole.UserRole + 1


class QuickEditDelegate(QStyledItemDelegate):
    """One delegate for the three editable columns; others edit nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lookups = ListLookups()

    def set_lookups(self, lookups: ListLookups) -> None:
        self._lookups = lookups

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: AnyIndex) -> QWidget:
        ticket = index.data(TicketRole)
        column = Column(index.column())
        combo = QComboBox(parent)
        combo.setObjectName(f"quick_edit_{column.key}")
        combo.setAccessibleName(f"Change {column.header.lower()}")
        if isinstance(ticket, ListedTicket):
            if column is Column.PRIORITY:
                self._fill_priorities(combo)
            elif column is Column.STATUS:
                self._fill_statuses(combo, ticket.status)
            elif column is Column.OWNER:
                self._fill_people(combo)
        combo.activated.connect(self._on_combo_activated)
        return combo

    def _fill_priorities(self, combo: QComboBox) -> None:
        for priority in (Priority.MAINTENANCE,
                         *(p for p in Priority if p is not Priority.MAINTENANCE)):
            combo.addItem(ticket_icons.priority_icon(priority), priority.label, priority)

    def _fill_statuses(self, combo: QComboBox, current: Status) -> None:
        combo.addItem(current.label, current)
        for status in self._lookups.moves_from(current):
            combo.addItem(status.label, status)
        if combo.count() == 1:
            combo.setToolTip("The status mapping allows no move from here "
                             "(closing is done from the ticket).")

    def _fill_people(self, combo: QComboBox) -> None:
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for person in self._lookups.people:
            if person.enabled:
                combo.addItem(person_label(person), person.id)
                combo.setItemData(combo.count() - 1, person.username, UsernameRole)
        completer = combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            current = index.data(Qt.ItemDataRole.EditRole)  # owners: by username
            role = UsernameRole if editor.isEditable() else Qt.ItemDataRole.UserRole
            editor.setCurrentIndex(max(find_data(editor, current, role), 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: AnyIndex) -> None:
        if not isinstance(editor, QComboBox):
            return
        if editor.isEditable():  # a typed name must be one of the people offered
            found = editor.findText(editor.currentText().strip(),
                                    Qt.MatchFlag.MatchFixedString)
            if found < 0 or editor.itemData(found, UsernameRole) == index.data(
                    Qt.ItemDataRole.EditRole):
                return  # nobody offered by that name, or the owner already
            editor.setCurrentIndex(found)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem,
                             index: AnyIndex) -> None:
        editor.setGeometry(option.rect)

    @Slot(int)
    def _on_combo_activated(self, _row: int) -> None:
        editor = self.sender()
        if isinstance(editor, QComboBox):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)
