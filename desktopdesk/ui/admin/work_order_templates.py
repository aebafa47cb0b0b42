"""The work-order template editor (issue 7): the Administration window's "Work orders".

Left, the templates with the ticket types printing each, New and New from standard (a
copy of the template that comes with DesktopDesk); middle, the chosen template's form:
its text in a rich-text editor with the macros it may use and the problems found in it;
right, the live preview: a ticket's work order printed with the form as typed, saved or
not, a little after typing stops. Save sends one command with the template's whole
state (``CreateWorkOrderTemplate`` or ``UpdateWorkOrderTemplate``, types included);
Delete sends ``DeleteWorkOrderTemplate`` after asking. From Save until the template is
read back, the form takes no typing: the read-back fills it again, and would drop it.
A template deleted elsewhere (another desktop, through a sync) while it is edited with
changes stays in the form as a new template to create, and the form says so.

Reads, saves and logo files run on the task runner (``work_order_template_source``);
the macros, the problems in the text and the preview follow the form in
``work_order_template_live``. A refusal is shown under the input it names, with what was
typed kept, and leaving a template with unsaved changes asks first. An answer for a
template no longer shown (a logo read from a slow share) is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QVBoxLayout, QWidget

from desktopdesk.documents.work_order_queries import TemplateRow
from desktopdesk.domain.commands import Command, DeleteWorkOrderTemplate
from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.handlers.admin_work_orders import SYSTEM_TEMPLATE_NAME
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages
from desktopdesk.ui.admin.org_form import TableSection, button
from desktopdesk.ui.admin.section import SectionAccess
from desktopdesk.ui.admin.work_order_template_form import TemplateForm
from desktopdesk.ui.admin.work_order_template_live import TemplateLiveWork
from desktopdesk.ui.admin.work_order_template_models import TemplateTableModel
from desktopdesk.ui.admin.work_order_template_preview import TemplatePreviewPanel
from desktopdesk.ui.admin.work_order_template_source import (
    TemplateDraft,
    TemplatesPage,
    load_templates,
    read_logo,
    standard_draft,
)
from desktopdesk.ui.form_messages import text_label
from desktopdesk.ui.messages import confirm
from desktopdesk.ui.tasks import Task, TaskRunner

ABOUT = ("A template is the work order as it prints. Write it as a document; a macro "
         "such as _incident_title_ prints the ticket's value, custom fields go by their "
         "label (_Serial number_), and blocks such as _workunits_ and _signatures_ lay "
         "out the work list and the signature boxes on a line of their own. The preview "
         "prints a ticket with the template as typed, before anything is saved.")


@dataclass(frozen=True)
class _LogoRead:
    """What a logo file was read for: the template edited and the form's filling."""

    template_id: uuid.UUID | None
    generation: int


class WorkOrderTemplatesSection(TableSection):
    title = "Work orders"
    icon = "mdi6.file-document-edit-outline"
    access = SectionAccess.DESIGN
    NOTHING_CHOSEN = "Choose a template, or create one"
    STRETCH_COLUMN = TemplateTableModel.TYPES
    LIST_WIDTH = 300

    #: The preview printed a ticket with the form (the answer).
    preview_shown = Signal(object)
    #: The preview could not be printed (the message shown over it).
    preview_failed = Signal(str)
    #: The tickets offered for the preview were read.
    options_loaded = Signal()
    #: The macros the template may use were read (and the problems looked for).
    macros_loaded = Signal()
    #: The problems list was brought up to date with the text.
    problems_checked = Signal()
    #: A logo file was read (True) or refused (False, its message under the logo), for
    #: the template still shown.
    logo_read = Signal(bool)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("work_order_templates")
        self.setAccessibleName("Work-order templates")
        #: What New (None) or New from standard starts the form with.
        self._new_draft: TemplateDraft | None = None
        #: The logo read in flight, and what it was read for.
        self._logo_tasks: dict[Task, _LogoRead] = {}
        #: A save went through: the form takes no typing until it is read back.
        self._reading_back = False
        #: The template this section was asked to delete (its going is no surprise).
        self._deleted_here: uuid.UUID | None = None
        self.template_form = TemplateForm(self)
        self.preview = TemplatePreviewPanel(runner, self)
        self.live = TemplateLiveWork(workspace, user_id, runner, self.template_form,
                                     self.preview, self)
        self.templates_model = TemplateTableModel(self)
        self.lay_out(self.templates_model, self.template_form, "wo_templates", "New",
                     "mdi6.plus")
        self.standard_button = button(self, "wo_templates_new_standard", "New from standard",
                                      "mdi6.content-copy",
                                      f"A new template starting as a copy of the "
                                      f"'{SYSTEM_TEMPLATE_NAME}' that comes with DesktopDesk")
        self.default_note = text_label(self, "wo_templates_default_note")
        self.about = text_label(self, "wo_templates_about", "color: $muted_text;")
        self.about.setText(ABOUT)
        self._arrange_panes()
        self._shortcuts = {
            "new": QShortcut(QKeySequence.StandardKey.New, self),
            "delete": QShortcut(QKeySequence.StandardKey.Delete, self.table)}
        self._shortcuts["new"].setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._shortcuts["delete"].setContext(Qt.ShortcutContext.WidgetShortcut)
        self._shortcuts["new"].activated.connect(self._on_new_button_clicked)
        self._shortcuts["delete"].activated.connect(self._on_delete_button_clicked)
        self.new_button.setToolTip("A new, empty template (Ctrl+N)")
        self._connect()

    def _arrange_panes(self) -> None:
        """The list, short, with a word on the default under it; the form; the preview
        (a page needs the width)."""
        splitter = self.findChild(QSplitter, "wo_templates_splitter")
        assert splitter is not None
        list_side = splitter.widget(0)
        column = list_side.layout() if list_side is not None else None
        assert isinstance(column, QVBoxLayout)
        first = column.itemAt(0)
        top = first.layout() if first is not None else None
        assert isinstance(top, QHBoxLayout)
        top.insertWidget(1, self.standard_button)
        column.addWidget(self.default_note)
        column.addSpacing(6)
        column.addWidget(self.about)
        splitter.addWidget(self.preview)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 4)
        splitter.setStretchFactor(2, 4)
        splitter.setSizes([self.LIST_WIDTH, 560, 540])

    def _connect(self) -> None:
        form = self.template_form
        form.draft_changed.connect(self._on_form_draft_changed)
        form.types_changed.connect(self._on_form_types_changed)
        form.delete_button.clicked.connect(self._on_delete_button_clicked)
        form.logo_file_chosen.connect(self._on_form_logo_file_chosen)
        self.standard_button.clicked.connect(self._on_standard_button_clicked)
        self.save_failed.connect(self._on_save_failed)
        live = self.live
        for said, says in ((live.preview_shown, self.preview_shown),
                           (live.preview_failed, self.preview_failed),
                           (live.options_loaded, self.options_loaded),
                           (live.macros_loaded, self.macros_loaded),
                           (live.problems_checked, self.problems_checked)):
            said.connect(says)

    # --- TableSection ---------------------------------------------------------------------

    def read(self) -> Callable[[], Any]:
        return partial(load_templates, self.workspace)

    def entries(self, page: Any) -> Sequence[TemplateRow]:
        assert isinstance(page, TemplatesPage)
        return page.templates

    def show_page(self, page: Any, select_id: uuid.UUID | None) -> None:
        """As ``TableSection``'s, but a template being edited keeps what was typed
        through a re-read (a sync, a save elsewhere): only the list and the types'
        names are fresh."""
        assert isinstance(page, TemplatesPage)
        if self._reading_back and not self.is_sending:
            self._reading_back = False
            self.template_form.set_sending(False)
        shown = self.form.record
        creating = shown is None and self.form.isEnabled()
        deleted_here, self._deleted_here = self._deleted_here, None
        self.page = page
        self.templates_model.set_page(page)
        self._show_default_note(page)
        wanted = select_id or (shown.id if isinstance(shown, TemplateRow) else None)
        row = next((n for n, t in enumerate(page.templates) if t.id == wanted), -1)
        if row >= 0:
            self._select_row(row)
            if select_id is None and shown is not None and self.template_form.is_dirty():
                self.template_form.update_types(page, shown.id)
            else:
                self._show(page.templates[row])
        elif creating:
            self.template_form.update_types(page, None)
        elif (isinstance(shown, TemplateRow) and shown.id != deleted_here
              and self.form.isEnabled() and self.template_form.is_dirty()):
            self._keep_as_new(shown, page)
        else:
            self._show_nothing()

    def _keep_as_new(self, gone: TemplateRow, page: TemplatesPage) -> None:
        """``gone`` was deleted elsewhere while edited here: what was typed is not lost
        without a word, but kept as a new template (Revert: the template as it was)."""
        self._new_draft = TemplateDraft.of(gone)
        self._select_row(-1)
        self.template_form.keep_as_new(
            page, f"'{gone.name}' was deleted elsewhere (on another desktop, or in "
                  "another window) while you were changing it. What you typed is kept "
                  "here as a new template: create it to keep it.")
        self.live.types_changed()

    def fill(self, record: Any) -> None:
        assert isinstance(self.page, TemplatesPage)
        if isinstance(record, TemplateRow):
            draft, title, template_id = TemplateDraft.of(record), record.name, record.id
        else:
            draft = self._new_draft or TemplateDraft()
            title, template_id = "New template", None
        self.template_form.show_template(draft, record, title, self.page, template_id)
        self.live.template_shown(self.page)

    def command(self) -> Command:
        return self.template_form.draft_to_save().command(self._template_id())

    def set_sending(self, sending: bool) -> None:
        # A save that went through keeps the form closed until it is read back.
        self.template_form.set_sending(sending or self._reading_back)

    @Slot(object)
    def _on_save_task_succeeded(self, saved: Any) -> None:
        self._reading_back = True
        super()._on_save_task_succeeded(saved)

    @Slot(object)
    def _on_load_task_failed(self, error: BaseException) -> None:
        if self._reading_back and not self.is_sending:
            self._reading_back = False
            self.template_form.set_sending(False)
        super()._on_load_task_failed(error)

    @Slot(str)
    def _on_save_failed(self, _message: str) -> None:
        self._deleted_here = None  # the delete was refused: it is still there

    def _show_nothing(self) -> None:
        super()._show_nothing()
        self.template_form.changes_label.clear()
        self.live.nothing_shown()

    def _template_id(self) -> uuid.UUID | None:
        record = self.form.record
        return record.id if isinstance(record, TemplateRow) else None

    def _show_default_note(self, page: TemplatesPage) -> None:
        default = page.default
        self.default_note.setText(
            f"Ticket types without a template of their own print with '{default.name}'."
            if default is not None else
            "No template is the default: ticket types without a template of their own "
            f"print the '{SYSTEM_TEMPLATE_NAME}' that comes with DesktopDesk.")

    def select_template(self, name: str) -> TemplateRow:
        """Choose the template called ``name``, as a click would."""
        chosen = self.select(lambda row: row.name == name)
        assert isinstance(chosen, TemplateRow)
        return chosen

    # --- Leaving a template with changes --------------------------------------------------

    def _may_leave(self) -> bool:
        form = self.template_form
        if not form.isEnabled() or not form.is_dirty():
            return True
        name = form.name_edit.text().strip() or "the new template"
        return confirm(self, "Unsaved template", f"Discard the changes to '{name}'?",
                       "Discard")

    def _select_row(self, row: int) -> None:
        self._selecting = True
        try:
            if row < 0:
                self.table.clearSelection()
                self.table.setCurrentIndex(QModelIndex())
            else:
                self.table.selectRow(row)
        finally:
            self._selecting = False

    def _reselect_shown(self) -> None:
        shown = self.form.record
        rows = self.model.entries
        self._select_row(next((n for n, t in enumerate(rows)
                               if isinstance(shown, TemplateRow) and t.id == shown.id), -1))

    @Slot()
    def _on_table_current_row_changed(self) -> None:
        index = self.table.currentIndex()
        if self.page is None or not index.isValid() or self._selecting:
            return
        chosen = self.model.entry(index.row())
        shown = self.form.record
        if isinstance(shown, TemplateRow) and shown.id == chosen.id and self.form.isEnabled():
            return
        if not self._may_leave():
            self._reselect_shown()
            return
        self._show(chosen)

    def _start_new(self, draft: TemplateDraft | None) -> None:
        if self.page is None or not self._may_leave():
            return
        self._new_draft = draft
        self._select_row(-1)
        self._show(None)
        self.template_form.name_edit.setFocus()
        if draft is not None:
            self.template_form.name_edit.selectAll()

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self._start_new(None)

    @Slot()
    def _on_standard_button_clicked(self) -> None:
        if isinstance(self.page, TemplatesPage):
            self._start_new(standard_draft(self.page))

    @Slot()
    def _on_revert_button_clicked(self) -> None:
        if self.page is not None and self.form.isEnabled():
            self.fill(self.form.record)

    # --- Deleting -------------------------------------------------------------------------

    @Slot()
    def _on_delete_button_clicked(self) -> None:
        record = self.form.record
        if not isinstance(record, TemplateRow) or not self.template_form.delete_button.isEnabled():
            return
        assert isinstance(self.page, TemplatesPage)
        types = self.page.type_names(record.ticket_type_ids)
        consequences = []
        if types:
            consequences.append(f"{', '.join(types)} will print with the default template.")
        if record.is_default:
            consequences.append("Types without a template of their own will print the "
                                f"'{SYSTEM_TEMPLATE_NAME}'.")
        consequences.append("Work orders already printed with it stay as they are.")
        if not confirm(self, "Delete template", f"Delete '{record.name}'? "
                       + " ".join(consequences), "Delete template"):
            return
        self._deleted_here = record.id
        self.send([DeleteWorkOrderTemplate(template_id=record.id)], self.form.errors, None)

    # --- Logo -----------------------------------------------------------------------------

    def choose_logo_file(self, path: Path) -> None:
        """Read ``path`` as the logo of the template shown, as choosing it in the file
        dialog does (the answer is dropped if another template is shown by then)."""
        self.template_form.errors.clear()
        task = self.runner.run(partial(read_logo, path))
        self._logo_tasks[task] = self._logo_for_now()
        task.succeeded.connect(self._on_logo_task_succeeded)
        task.failed.connect(self._on_logo_task_failed)

    def _logo_for_now(self) -> _LogoRead:
        return _LogoRead(self._template_id(), self.template_form.generation)

    def _logo_read_is_current(self) -> bool:
        """Whether the logo read answering now was for the template still shown."""
        sender = self.sender()
        asked = self._logo_tasks.pop(sender, None) if isinstance(sender, Task) else None
        return (asked is not None and asked == self._logo_for_now()
                and self.template_form.isEnabled())

    @Slot(object)
    def _on_form_logo_file_chosen(self, path: Path) -> None:
        self.choose_logo_file(path)

    @Slot(object)
    def _on_logo_task_succeeded(self, data_uri: str) -> None:
        if not self._logo_read_is_current():
            return  # chosen for a template left since
        self.template_form.set_logo(data_uri)
        self.logo_read.emit(True)

    @Slot(object)
    def _on_logo_task_failed(self, error: BaseException) -> None:
        if not self._logo_read_is_current():
            return
        if isinstance(error, DomainError):
            self.template_form.errors.show_and_focus("logo_data_uri", error.message)
        else:
            message = "The picture could not be read."
            self.template_form.errors.show_and_focus("logo_data_uri", message)
            messages.error(self, message, details=str(error))
        self.logo_read.emit(False)

    # --- Macros, problems and preview (``TemplateLiveWork``) ------------------------------

    @Slot()
    def _on_form_types_changed(self) -> None:
        self.live.types_changed()

    @Slot()
    def _on_form_draft_changed(self) -> None:
        self.live.draft_changed()

    def check_problems(self) -> None:
        """Look for the problems in the text now (on the runner: ``problems_checked``)."""
        self.live.check_problems()

    def run_preview(self) -> None:
        self.live.run_preview()

    @property
    def is_previewing(self) -> bool:
        return self.live.is_previewing
