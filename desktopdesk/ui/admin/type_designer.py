"""The ticket type and custom field designer (issue 5): the Administration window's
"Ticket types" page.

Left, the types ("Global fields" first: defined once, in every type's form) and the
chosen type's name, description and groups. Middle, its fields in form order (dragged,
or moved with Alt+Up/Down, to reorder) over the editor of one field. Right, the live
preview: the ticket form as it will look, unsaved edits included.

Every change is a command run on the task runner (``types_source``); a refusal is shown
beside the input it names, with what was typed kept. Before a change touches values
tickets hold, the person is told how many and what happens to them, through
``confirm`` (module level, so tests answer it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QItemSelection, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain import admin_queries
from desktopdesk.domain.admin_queries import FieldDefinition, TypeDesign
from desktopdesk.domain.commands import UpdateCustomField
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import FieldKind
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages
from desktopdesk.ui.admin import types_source
from desktopdesk.ui.admin.field_editor import FieldEditor
from desktopdesk.ui.admin.section import AdminSection, SectionAccess
from desktopdesk.ui.admin.type_designer_models import FieldListModel
from desktopdesk.ui.admin.type_form import TypeForm, button, stretch_first_column, table
from desktopdesk.ui.admin.type_preview import TypePreview
from desktopdesk.ui.admin.types_source import FieldDraft, TypeCatalogue
from desktopdesk.ui.form_messages import error_label, text_label
from desktopdesk.ui.messages import confirm
from desktopdesk.ui.tasks import TaskRunner


@dataclass(frozen=True)
class _Pending:
    """What to do when a task the section started comes back."""

    done: Callable[[Any], None]
    refused: Callable[[DomainError], None] | None
    write: bool


class TypeDesignerSection(AdminSection):
    title = "Ticket types"
    icon = "mdi6.form-select"
    access = SectionAccess.DESIGN

    #: The page shown was read (after choosing a type, or a save).
    design_loaded = Signal()
    #: A change was refused or could not be read (the message, also shown on screen).
    refused = Signal(str)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("type_designer")
        self.setAccessibleName("Ticket types and custom fields")
        self._catalogue: TypeCatalogue | None = None
        self._design: TypeDesign | None = None
        #: The page shown: a type's id, or None for the global fields (or a new type).
        self._type_id: uuid.UUID | None = None
        self._new_type = False
        self._field_id: uuid.UUID | None = None
        self._refill = False
        self._busy = False
        self._pending: dict[QObject, _Pending] = {}
        self._build()
        self._connect()

    # --- Building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.types = TypeForm(self)
        self.field_model = FieldListModel(self)
        self.fields_view = table(self, "fields_view", "Fields in form order")
        self.fields_view.setModel(self.field_model)
        stretch_first_column(self.fields_view)
        self.fields_view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.fields_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.fields_view.setDragDropOverwriteMode(False)
        self.fields_view.setDropIndicatorShown(True)
        self.add_field_button = button(self, "add_field", "Add field", "mdi6.plus",
                                       "Add a field to this form (Ctrl+N)")
        self.up_button = button(self, "move_field_up", "", "mdi6.arrow-up",
                                "Move the field up (Alt+Up)")
        self.down_button = button(self, "move_field_down", "", "mdi6.arrow-down",
                                  "Move the field down (Alt+Down)")
        self.remove_field_button = button(self, "remove_field", "Remove", "mdi6.delete-outline",
                                          "Remove the chosen field (Delete)")
        self.fields_error = error_label(self, "fields")
        self.fields_note = text_label(self, "fields_note", "color: $muted_text;")
        self.fields_note.setText("Create the type first, then give it fields of its own.")
        self.fields_box = QGroupBox("Fields", self)
        self.fields_box.setObjectName("fields_box")
        self.editor = FieldEditor(self)
        self.preview = TypePreview(self)
        self._shortcuts = {
            "add": QShortcut(QKeySequence.StandardKey.New, self),
            "up": QShortcut(QKeySequence("Alt+Up"), self.fields_view),
            "down": QShortcut(QKeySequence("Alt+Down"), self.fields_view),
            "remove": QShortcut(QKeySequence.StandardKey.Delete, self.fields_view)}
        # Only while working in this page: other sections have their own Ctrl+N.
        self._shortcuts["add"].setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for name in ("up", "down", "remove"):
            self._shortcuts[name].setContext(Qt.ShortcutContext.WidgetShortcut)
        self._lay_out()

    def _lay_out(self) -> None:
        field_buttons = QHBoxLayout()
        for each in (self.add_field_button, self.up_button, self.down_button,
                     self.remove_field_button):
            field_buttons.addWidget(each)
        field_buttons.addStretch(1)
        fields_column = QVBoxLayout(self.fields_box)
        fields_column.addWidget(self.fields_view, 1)
        fields_column.addLayout(field_buttons)
        fields_column.addWidget(self.fields_note)
        fields_column.addWidget(self.fields_error)
        editor_box = QGroupBox(self)
        editor_box.setObjectName("field_box")
        QVBoxLayout(editor_box).addWidget(self.editor)
        middle = QSplitter(Qt.Orientation.Vertical, self)
        middle.setObjectName("type_designer_middle")
        middle.setChildrenCollapsible(False)
        middle.addWidget(self.fields_box)
        middle.addWidget(editor_box)
        middle.setStretchFactor(1, 2)
        preview_box = QGroupBox(self)
        preview_box.setObjectName("preview_box")
        QVBoxLayout(preview_box).addWidget(self.preview)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("type_designer_splitter")
        self.splitter.setChildrenCollapsible(False)
        for widget in (self.types, middle, preview_box):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([300, 480, 380])
        QVBoxLayout(self).addWidget(self.splitter)

    def _connect(self) -> None:
        self.types.type_chosen.connect(self._on_types_type_chosen)
        self.types.new_requested.connect(self._on_types_new_requested)
        self.types.save_requested.connect(self._on_types_save_requested)
        self.types.delete_requested.connect(self._on_types_delete_requested)
        self.fields_view.selectionModel().selectionChanged.connect(
            self._on_fields_selection_changed)
        self.field_model.order_changed.connect(self._on_field_model_order_changed)
        self.add_field_button.clicked.connect(self._on_add_field_clicked)
        self.up_button.clicked.connect(self._on_up_clicked)
        self.down_button.clicked.connect(self._on_down_clicked)
        self.remove_field_button.clicked.connect(self._on_remove_field_clicked)
        self._shortcuts["add"].activated.connect(self._on_add_field_clicked)
        self._shortcuts["up"].activated.connect(self._on_up_clicked)
        self._shortcuts["down"].activated.connect(self._on_down_clicked)
        self._shortcuts["remove"].activated.connect(self._on_remove_field_clicked)
        self.editor.draft_changed.connect(self._on_editor_draft_changed)
        self.editor.save_requested.connect(self._on_editor_save_requested)

    # --- Reading --------------------------------------------------------------------------

    def reload(self) -> None:
        self._run(partial(types_source.load_catalogue, self.workspace, self.user_id),
                  self._on_catalogue_loaded, write=False)

    def _open_page(self) -> None:
        """Read the page shown (a new type shows the global fields it will have)."""
        type_id = None if self._new_type else self._type_id
        self._run(partial(types_source.load_design, self.workspace, self.user_id, type_id),
                  self._on_design_loaded, write=False)

    def _on_catalogue_loaded(self, catalogue: TypeCatalogue) -> None:
        if self._catalogue is None and catalogue.types:  # opened: on the first type
            self._type_id = catalogue.types[0].id
        self._catalogue = catalogue
        self.types.set_catalogue(catalogue)
        if self._type_id is not None and self.types.model.row_of(self._type_id) < 0:
            self._type_id = None  # deleted meanwhile
        self.types.select(self._type_id, none=self._new_type)
        self._open_page()

    def _on_design_loaded(self, design: TypeDesign) -> None:
        if design.id != (None if self._new_type else self._type_id):
            return  # another page was chosen meanwhile
        self._design = design
        self.field_model.set_design(design, movable=not self._new_type)
        self.types.show_page(design, new=self._new_type)
        self.fields_box.setTitle("Global fields" if self._is_global_page else "Fields")
        self.fields_note.setVisible(self._new_type)
        keep = self.editor.is_dirty() and not self._refill
        self._refill = False
        chosen = next((d for d in design.fields if d.id == self._field_id), None)
        if chosen is not None:
            self._select_field_row(self.field_model.row_of(chosen.id))
            if not keep:
                self._edit(chosen)
        elif not keep:
            self._field_id = None
            self.editor.show_nothing()
        self._update_buttons()
        self._show_preview()
        self.design_loaded.emit()

    @property
    def _is_global_page(self) -> bool:
        return self._type_id is None and not self._new_type

    def _show_preview(self) -> None:
        design = self._design
        if design is None:
            return
        if self._new_type:
            caption = "A new type's form starts with the global fields."
        elif design.id is None:
            caption = "The global fields, first in every type's form."
        else:
            caption = (f"The custom fields of a '{design.name}' ticket as people will fill "
                       "them in. Try the lists: this is the real form.")
        self.preview.show_form(caption, types_source.preview_specs(design, self.editor.draft()))

    # --- Choosing -------------------------------------------------------------------------

    def _select_field_row(self, row: int) -> None:
        selection = self.fields_view.selectionModel()
        selection.blockSignals(True)
        try:
            if row < 0:
                self.fields_view.clearSelection()
            else:
                self.fields_view.selectRow(row)
        finally:
            selection.blockSignals(False)
        self.fields_view.viewport().update()

    def _may_leave_field(self) -> bool:
        draft = self.editor.draft()
        if draft is None or not self.editor.is_dirty():
            return True
        name = draft.label.strip() or "the new field"
        return confirm(self, "Unsaved field", f"Discard the changes to '{name}'?", "Discard")

    def select_type(self, type_id: uuid.UUID | None) -> None:
        """Show a type's page (None: the global fields), as clicking it does."""
        self.types.choose(type_id)

    def select_field(self, field_id: uuid.UUID) -> None:
        """Edit a field of the page shown, as clicking it does."""
        self.fields_view.selectRow(self.field_model.row_of(field_id))

    @Slot(object)
    def _on_types_type_chosen(self, type_id: uuid.UUID | None) -> None:
        if not self._may_leave_field():
            self.types.select(self._type_id, none=self._new_type)
            return
        self._type_id = type_id
        self._new_type = False
        self._field_id = None
        self.editor.show_nothing()
        self._clear_errors()
        self._open_page()

    @Slot(QItemSelection, QItemSelection)
    def _on_fields_selection_changed(self, _selected: QItemSelection,
                                     deselected: QItemSelection) -> None:
        rows = self.fields_view.selectionModel().selectedRows()
        chosen = self.field_model.definition(rows[0].row()) if rows else None
        if chosen is None or chosen.id == self._field_id:
            self._update_buttons()
            return
        if not self._may_leave_field():
            old = deselected.indexes()
            self._select_field_row(old[0].row() if old else -1)
            return
        self._field_id = chosen.id
        self._edit(chosen)
        self._update_buttons()
        self._show_preview()

    def _edit(self, definition: FieldDefinition) -> None:
        self.editor.edit(types_source.draft_of(definition),
                         self._parent_candidates(definition.ticket_type_id),
                         is_new=False, tickets_with_value=definition.tickets_with_value)

    def _parent_candidates(self, type_id: uuid.UUID | None) -> list[FieldDefinition]:
        design = self._design
        return [d for d in (design.fields if design else ())
                if d.kind is FieldKind.LINKED and d.ticket_type_id == type_id]

    def _update_buttons(self) -> None:
        page_ready = self._design is not None and not self._new_type and not self._busy
        chosen = self._chosen_field()
        movable = chosen is not None and self.field_model.is_movable(chosen.id)
        self.add_field_button.setEnabled(page_ready)
        self.remove_field_button.setEnabled(page_ready and movable)
        row = self.field_model.row_of(chosen.id) if chosen else -1
        self.up_button.setEnabled(page_ready and movable and self.field_model.can_move(row, -1))
        self.down_button.setEnabled(page_ready and movable and self.field_model.can_move(row, 1))
        self.types.set_enabled_actions(busy=self._busy, deletable=not self._new_type
                                       and self._type_id is not None)
        self.fields_view.setDragEnabled(page_ready)
        self.editor.set_busy(self._busy)

    def _chosen_field(self) -> FieldDefinition | None:
        rows = self.fields_view.selectionModel().selectedRows()
        return self.field_model.definition(rows[0].row()) if rows else None

    # --- Types ----------------------------------------------------------------------------

    @Slot()
    def _on_types_new_requested(self) -> None:
        if not self._may_leave_field():
            return
        self._new_type = True
        self._field_id = None
        self.types.select(None, none=True)
        self.editor.show_nothing()
        self._clear_errors()
        self._open_page()
        self.types.name_edit.setFocus()

    @Slot()
    def _on_types_save_requested(self) -> None:
        if self._is_global_page:
            return  # the global fields have no name to save
        self._clear_errors()
        draft = self.types.draft(None if self._new_type else self._type_id)
        self._run(partial(types_source.save_type, self.workspace, self.user_id, draft),
                  self._on_type_saved, self.types.show_error)

    def _on_type_saved(self, type_id: uuid.UUID) -> None:
        self._type_id = type_id
        self._new_type = False
        self.saved.emit()
        self.reload()

    @Slot()
    def _on_types_delete_requested(self) -> None:
        summary = self.types.model.summary(self.types.model.row_of(self._type_id))
        if summary is None or self._new_type:
            return
        self._clear_errors()
        impact = admin_queries.type_deletion_impact(summary)
        if summary.ticket_count:
            self.types.show_list_message(impact)
            return
        if not confirm(self, "Delete ticket type", f"{impact}\n\nDelete '{summary.name}'?",
                       "Delete type"):
            return
        self._run(partial(types_source.delete_type, self.workspace, self.user_id, summary.id),
                  self._on_type_deleted, partial(self.types.show_error, about_list=True))

    def _on_type_deleted(self, _result: object) -> None:
        self._type_id = None
        self._field_id = None
        self.editor.show_nothing()
        self.saved.emit()
        self.reload()

    # --- Fields ---------------------------------------------------------------------------

    @Slot()
    def _on_add_field_clicked(self) -> None:
        if self._design is None or self._new_type or not self._may_leave_field():
            return
        page = self._design.id
        draft = FieldDraft(id=uuid.uuid4(), ticket_type_id=page, label="", kind=FieldKind.TEXT)
        self._field_id = draft.id
        self._select_field_row(-1)
        self.editor.edit(draft, self._parent_candidates(page), is_new=True)
        self._update_buttons()
        self._show_preview()

    @Slot()
    def _on_editor_draft_changed(self) -> None:
        self._show_preview()

    @Slot()
    def _on_editor_save_requested(self) -> None:
        draft = self.editor.draft()
        if draft is None or self._busy:
            return
        before = next((d for d in (self._design.fields if self._design else ())
                       if d.id == draft.id), None)
        self.editor.clear_errors()
        try:
            command = draft.command(before)
        except DomainError as error:
            self.editor.show_error(error.field, error.message)
            return
        if before is not None and isinstance(command, UpdateCustomField):
            impacts = admin_queries.field_change_impact(before, command)
            if impacts and not confirm(self, "Change a field tickets use", "\n".join(impacts)
                                       + f"\n\nSave '{command.label.strip()}'?", "Save field"):
                return
        self._run(partial(types_source.save_field, self.workspace, self.user_id, command),
                  self._on_field_saved, self._show_field_error)

    def _on_field_saved(self, field_id: uuid.UUID) -> None:
        self._field_id = field_id
        self._refill = True
        self.saved.emit()
        self.reload()

    def _show_field_error(self, error: DomainError) -> None:
        self.editor.show_error(error.field, error.message)

    @Slot()
    def _on_remove_field_clicked(self) -> None:
        chosen = self._chosen_field()
        if chosen is None or not self.remove_field_button.isEnabled():
            return
        impact = admin_queries.field_removal_impact(chosen)
        if not confirm(self, "Remove field", f"{impact}\n\nRemove '{chosen.label}'?",
                       "Remove field"):
            return
        self.fields_error.hide()
        self._run(partial(types_source.remove_field, self.workspace, self.user_id, chosen.id),
                  self._on_field_removed, self._show_fields_error)

    def _on_field_removed(self, _result: object) -> None:
        self._field_id = None
        self._refill = True
        self.editor.show_nothing()
        self.saved.emit()
        self.reload()

    def _show_fields_error(self, error: DomainError) -> None:
        self.fields_error.setText(error.message)
        self.fields_error.show()
        self._open_page()  # the order shown may not be the order stored

    def _move(self, step: int) -> None:
        chosen = self._chosen_field()
        button = self.up_button if step < 0 else self.down_button
        if chosen is not None and button.isEnabled():
            self.field_model.move(self.field_model.row_of(chosen.id), step)

    @Slot()
    def _on_up_clicked(self) -> None:
        self._move(-1)

    @Slot()
    def _on_down_clicked(self) -> None:
        self._move(1)

    @Slot(object)
    def _on_field_model_order_changed(self, field_ids: tuple[uuid.UUID, ...]) -> None:
        """A drag or a move button: store the new order at once."""
        if self._design is None:
            return
        self.fields_error.hide()
        chosen = self._chosen_field()
        if chosen is not None:
            self._select_field_row(self.field_model.row_of(chosen.id))
        self._show_preview_in_model_order()
        self._run(partial(types_source.reorder_fields, self.workspace, self.user_id,
                          self._design.id, field_ids),
                  self._on_fields_reordered, self._show_fields_error)

    def _show_preview_in_model_order(self) -> None:
        if self._design is not None:
            self._design = self.field_model.design_in_order()
            self._show_preview()

    def _on_fields_reordered(self, _result: object) -> None:
        self.saved.emit()
        self._open_page()

    # --- Running --------------------------------------------------------------------------

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None],
             refused: Callable[[DomainError], None] | None = None, *, write: bool = True) -> None:
        """Run ``work`` on the runner; ``done`` with its result, ``refused`` with a
        DomainError (anything else is a failure told through ``messages``). A write
        keeps the section busy (its buttons off) until it is through."""
        if write:
            self._set_busy(True)
        task = self.runner.run(work)
        self._pending[task] = _Pending(done, refused, write)
        task.succeeded.connect(self._on_task_succeeded)
        task.failed.connect(self._on_task_failed)

    def _take_pending(self) -> _Pending | None:
        pending = self._pending.pop(self.sender(), None)
        if pending is not None and pending.write:
            self._set_busy(False)
        return pending

    @Slot(object)
    def _on_task_succeeded(self, result: object) -> None:
        pending = self._take_pending()
        if pending is not None:
            pending.done(result)

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        pending = self._take_pending()
        if isinstance(error, DomainError) and pending is not None and pending.refused:
            pending.refused(error)
            self.refused.emit(error.message)
        elif isinstance(error, DomainError):
            messages.error(self, error.message)
            self.refused.emit(error.message)
        else:
            messages.error(self, "The ticket types could not be read or saved.",
                           details=str(error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    @property
    def is_busy(self) -> bool:
        return self._busy

    def _clear_errors(self) -> None:
        self.types.clear_errors()
        self.fields_error.hide()
