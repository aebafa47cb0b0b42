"""A child linked field's values, edited as the manual's ``Parent|Child`` text or as a
two-level tree: the parent field's values, each with the values it offers below it.

The text is what is saved (``FieldDraft.linked_text``); the tree is drawn from it and
writes it back, so pasting the manual's comma list and clicking values in agree. A
parent value the parent field lacks is shown in the danger colour with why; refusing it
is the command's business.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtGui import QBrush, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.fields import parse_linked_values
from desktopdesk.ui import palette
from desktopdesk.ui.admin.types_source import lenient_pairs, linked_text


class LinkedValuesEditor(QTabWidget):
    """A child linked field's values, as ``Parent|Child`` text or as a two-level tree
    (the parent field's values, each with its children). The text is what is saved; the
    tree writes it."""

    #: The person changed the values (in either view).
    values_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("field_linked_tabs")
        self.setAccessibleName("Linked values")
        self._parent_values: tuple[str, ...] = ()
        self._parent_label = ""
        self._writing = False
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("field_linked_text")
        self.text.setAccessibleName("Linked values as Parent|Child text")
        self.text.setPlaceholderText("Laptop|HP\nLaptop|Lenovo\nPC|Dell")
        self.text.setTabChangesFocus(True)
        self.model = QStandardItemModel(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("field_linked_tree")
        self.tree.setAccessibleName("Linked values as a tree")
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.add_button = QPushButton(palette.icon("mdi6.plus"), "Add value", self)
        self.add_button.setObjectName("field_linked_add")
        self.add_button.setAccessibleName("Add a value under the chosen parent value")
        self.remove_button = QPushButton(palette.icon("mdi6.minus"), "Remove value", self)
        self.remove_button.setObjectName("field_linked_remove")
        self.remove_button.setAccessibleName("Remove the chosen value")
        tree_page = QWidget(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        column = QVBoxLayout(tree_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.tree, 1)
        column.addLayout(buttons)
        self.addTab(self.text, "As text")
        self.addTab(tree_page, "As a tree")
        self.text.textChanged.connect(self._on_text_text_changed)
        self.model.itemChanged.connect(self._on_model_item_changed)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)

    def set_parent_values(self, label: str, values: Sequence[str]) -> None:
        """The parent field's values: the tree's first level."""
        self._parent_label = label
        self._parent_values = tuple(values)
        self._rebuild_tree()

    def set_text(self, text: str) -> None:
        self.text.setPlainText(text)  # rebuilds the tree

    def value_text(self) -> str:
        return self.text.toPlainText()

    def parent_item(self, value: str) -> QStandardItem | None:
        """The tree's entry for a parent value (tests and the section pick it)."""
        found = self.model.findItems(value)
        return found[0] if found else None

    def _rebuild_tree(self) -> None:
        """The tree from the text; what the text cannot say as pairs yet stays out."""
        try:
            pairs = parse_linked_values(self.text.toPlainText())
        except DomainError:
            pairs = list(lenient_pairs(self.text.toPlainText()))
        self.model.clear()  # inserting rows is no itemChanged: nothing writes back
        tops: dict[str, QStandardItem] = {}
        for value in (*self._parent_values, *(p for p, _ in pairs)):
            if value in tops:
                continue
            item = QStandardItem(value)
            item.setEditable(False)
            if value not in self._parent_values:
                item.setForeground(QBrush(palette.danger()))
                item.setToolTip(f"'{value}' is not a value of '{self._parent_label}'.")
            tops[value] = item
            self.model.appendRow(item)
        for parent_value, child in pairs:
            tops[parent_value].appendRow(QStandardItem(child))
        self.tree.expandAll()

    def _write_text(self) -> None:
        pairs = []
        for row in range(self.model.rowCount()):
            top = self.model.item(row)
            for child_row in range(top.rowCount()):
                child = top.child(child_row).text().strip()
                if child:
                    pairs.append((top.text(), child))
        self._writing = True
        try:
            self.text.setPlainText(linked_text(pairs))
        finally:
            self._writing = False

    @Slot()
    def _on_text_text_changed(self) -> None:
        if not self._writing:
            self._rebuild_tree()
        self.values_changed.emit()

    @Slot(QStandardItem)
    def _on_model_item_changed(self, _item: QStandardItem) -> None:
        self._write_text()

    @Slot()
    def _on_add_button_clicked(self) -> None:
        current = self.tree.currentIndex()
        if not current.isValid():
            return
        top = current if not current.parent().isValid() else current.parent()
        parent_item = self.model.itemFromIndex(top)
        child = QStandardItem("")
        parent_item.appendRow(child)
        self.tree.expand(top)
        self.tree.setCurrentIndex(child.index())
        self.tree.edit(child.index())

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        current = self.tree.currentIndex()
        if current.isValid() and current.parent().isValid():
            self.model.removeRow(current.row(), current.parent())
            self._write_text()

    def add_value(self, parent_value: str) -> QModelIndex:
        """Start a new value under ``parent_value`` (as the Add button does)."""
        item = self.parent_item(parent_value)
        if item is not None:
            self.tree.setCurrentIndex(item.index())
        self._on_add_button_clicked()
        return self.tree.currentIndex()
