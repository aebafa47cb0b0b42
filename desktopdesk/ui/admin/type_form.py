"""The designer's left column: the ticket types ("Global fields" first) and the chosen
type's name, description and the groups that may use it.

It only shows and collects: choosing, creating, saving and deleting are signals the
section answers (it runs the commands and asks before deleting).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.admin_queries import TypeDesign
from desktopdesk.domain.errors import DomainError
from desktopdesk.ui import palette
from desktopdesk.ui.admin.type_designer_models import TypeListModel
from desktopdesk.ui.admin.types_source import TypeCatalogue, TypeDraft
from desktopdesk.ui.form_messages import error_label, message_column, text_label

GLOBAL_NOTE = ("Global fields are defined once and come first in every type's form; "
               "changing one changes it everywhere.")


def button(parent: QWidget, name: str, text: str, icon: str, tip: str) -> QPushButton:
    """A push button named for tests and screen readers (text-less ones by their tip)."""
    made = QPushButton(palette.icon(icon), text, parent)
    made.setObjectName(f"button_{name}")
    made.setAccessibleName(text or tip)
    made.setToolTip(tip)
    made.setAutoDefault(False)
    return made


def table(parent: QWidget, name: str, accessible: str) -> QTableView:
    """A read-only list of rows, one chosen at a time, its first column stretched."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setShowGrid(False)
    view.setWordWrap(False)
    return view


def stretch_first_column(view: QTableView) -> None:
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)


class TypeForm(QWidget):
    #: A type was clicked in the list: its id (None: the global fields).
    type_chosen = Signal(object)
    new_requested = Signal()
    save_requested = Signal()
    delete_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("type_form")
        self.model = TypeListModel(self)
        self.view = table(self, "types_view", "Ticket types")
        self.view.setModel(self.model)
        stretch_first_column(self.view)
        self.new_button = button(self, "new_type", "New type", "mdi6.plus",
                                 "Define a new ticket type")
        self.delete_button = button(self, "delete_type", "Delete type", "mdi6.delete-outline",
                                    "Delete the chosen type")
        self.list_error = error_label(self, "types")
        self.box = QGroupBox("Type", self)
        self.box.setObjectName("type_box")
        self.name_edit = QLineEdit(self.box)
        self.name_edit.setObjectName("type_name")
        self.name_edit.setAccessibleName("Type name")
        self.description_edit = QPlainTextEdit(self.box)
        self.description_edit.setObjectName("type_description")
        self.description_edit.setAccessibleName("Type description")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.group_model = QStandardItemModel(self)
        self.groups_view = QListView(self.box)
        self.groups_view.setObjectName("type_groups")
        self.groups_view.setAccessibleName("Groups that may use the type")
        self.groups_view.setModel(self.group_model)
        self.groups_view.setToolTip("Groups that may file tickets of this type; none ticked: "
                                    "every group.")
        self.save_button = button(self.box, "save_type", "Save type", "mdi6.content-save-outline",
                                  "Save the type's name, description and groups")
        self.errors = {name: error_label(self, f"type_{name}")
                       for name in ("name", "group_ids", "general")}
        self.global_note = text_label(self, "global_note", "color: $muted_text;")
        self.global_note.setText(GLOBAL_NOTE)
        self._lay_out()
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        self.new_button.clicked.connect(self.new_requested)
        self.delete_button.clicked.connect(self.delete_requested)
        self.save_button.clicked.connect(self.save_requested)
        self.name_edit.textEdited.connect(self._on_name_edit_text_edited)

    def _lay_out(self) -> None:
        form = QFormLayout(self.box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows: tuple[tuple[str, QWidget, str | None], ...] = (
            ("&Name:", self.name_edit, "name"), ("&Description:", self.description_edit, None),
            ("&Groups:", self.groups_view, "group_ids"))
        for caption, widget, error in rows:
            label = QLabel(caption, self.box)
            label.setBuddy(widget)
            form.addRow(label, message_column([widget], [self.errors[error]] if error else []))
        form.addRow(self.errors["general"])
        form.addRow(self.save_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addLayout(buttons)
        column.addWidget(self.list_error)
        column.addWidget(self.box, 2)
        column.addWidget(self.global_note)
        column.addStretch(0)

    # --- Showing --------------------------------------------------------------------------

    def set_catalogue(self, catalogue: TypeCatalogue) -> None:
        self.model.set_catalogue(catalogue)
        self.group_model.clear()
        for group in catalogue.groups:
            item = QStandardItem("    " * group.depth + group.name)
            item.setCheckable(True)
            item.setEditable(False)
            item.setData(group.id, Qt.ItemDataRole.UserRole)
            self.group_model.appendRow(item)

    def select(self, type_id: uuid.UUID | None, *, none: bool = False) -> None:
        """Mark a type as the one shown (``none``: no row, a new type), saying nothing."""
        row = -1 if none else self.model.row_of(type_id)
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        try:
            if row < 0:
                self.view.clearSelection()
            else:
                self.view.selectRow(row)
        finally:
            selection.blockSignals(False)
        self.view.viewport().update()

    def choose(self, type_id: uuid.UUID | None) -> None:
        """Choose a type as clicking it does."""
        self.view.selectRow(self.model.row_of(type_id))

    def show_page(self, design: TypeDesign, *, new: bool) -> None:
        """The type's properties (a new type's are empty); the note alone for the global
        fields."""
        is_global = design.id is None and not new
        self.box.setVisible(not is_global)
        self.global_note.setVisible(is_global)
        self.box.setTitle("New type" if new else "Type")
        self.save_button.setText("Create type" if new else "Save type")
        self.clear_errors()
        if is_global:
            return
        self.name_edit.setText("" if new else design.name)
        self.description_edit.setPlainText("" if new else design.description)
        chosen = set(() if new else design.group_ids)
        for row in range(self.group_model.rowCount()):
            item = self.group_model.item(row)
            ticked = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def draft(self, type_id: uuid.UUID | None) -> TypeDraft:
        """What is typed and ticked, for ``type_id`` (None: a new type)."""
        groups = tuple(
            self.group_model.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.group_model.rowCount())
            if self.group_model.item(row).checkState() == Qt.CheckState.Checked)
        return TypeDraft(type_id, self.name_edit.text(), self.description_edit.toPlainText(),
                         groups)

    def set_enabled_actions(self, *, busy: bool, deletable: bool) -> None:
        self.delete_button.setEnabled(not busy and deletable)
        self.save_button.setEnabled(not busy)
        self.new_button.setEnabled(not busy)

    # --- Refusals -------------------------------------------------------------------------

    def show_error(self, error: DomainError, *, about_list: bool = False) -> None:
        """Beside the input named (``about_list``: under the list, as for deleting)."""
        if about_list:
            label = self.list_error
        else:
            label = self.errors.get(error.field or "", self.errors["general"])
        label.setText(error.message)
        label.show()
        if error.field == "name" and not about_list:
            self.name_edit.setFocus()

    def show_list_message(self, text: str) -> None:
        self.list_error.setText(text)
        self.list_error.show()

    def clear_errors(self) -> None:
        for label in (self.list_error, *self.errors.values()):
            label.clear()
            label.hide()

    # --- Slots ----------------------------------------------------------------------------

    @Slot(QItemSelection, QItemSelection)
    def _on_view_selection_changed(self, _selected: QItemSelection,
                                   _deselected: QItemSelection) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self.type_chosen.emit(self.model.type_id(rows[0].row()))

    @Slot()
    def _on_name_edit_text_edited(self) -> None:
        self.errors["name"].hide()
