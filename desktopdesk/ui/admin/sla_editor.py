"""The SLA editor (issue 6): the Administration window's "SLAs" page.

Top left, the SLAs with the groups applying each; under them, the preview: a ticket
evaluated under the form as typed, so the effect of a limit is seen before it is saved;
right, the chosen SLA's form (every field with what it means). Save sends one command
(``CreateSla`` or ``UpdateSla``, the whole definition); Delete sends ``DeleteSla``, which
the server refuses while a group applies the SLA, naming the groups. Which SLA a group
applies is set in Groups.

Reads, saves and previews run on the task runner (``sla_source``); a refusal is shown
under the input it names, with what was typed kept.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QWidget

from desktopdesk.domain.commands import Command, DeleteSla
from desktopdesk.domain.errors import DomainError
from desktopdesk.models.base import utc_now
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages
from desktopdesk.ui.admin.org_form import TableSection
from desktopdesk.ui.admin.section import SectionAccess
from desktopdesk.ui.admin.sla_form import SlaForm
from desktopdesk.ui.admin.sla_preview import SlaPreviewPanel
from desktopdesk.ui.admin.sla_source import (
    SLA_TYPE_LABELS,
    SlaDraft,
    SlaPage,
    SlaPreview,
    SlaRow,
    TicketOption,
    hours_text,
    load_slas,
    load_ticket_options,
    preview_sla,
)
from desktopdesk.ui.messages import confirm
from desktopdesk.ui.tasks import Task, TaskRunner
from desktopdesk.ui.ticket_tab_models import EntryTableModel

_NOT_READ = object()


class SlaTableModel(EntryTableModel[SlaRow]):
    NAME, TYPE, RESPONSE, RESOLUTION, GROUPS = range(5)
    HEADERS = ("SLA", "Type", "Response", "Resolution", "Groups")

    def text(self, entry: SlaRow, column: int) -> str:
        match column:
            case self.NAME:
                return entry.name
            case self.TYPE:
                return SLA_TYPE_LABELS[entry.sla_type]
            case self.RESPONSE:
                return hours_text(entry.max_response_hours)
            case self.RESOLUTION:
                return hours_text(entry.max_resolution_hours)
        return ", ".join(entry.group_names)

    def tooltip(self, entry: SlaRow, column: int) -> str | None:
        if column == self.GROUPS:
            return ("Applied by " + ", ".join(entry.group_names) if entry.group_names
                    else "No group applies it")
        return entry.description or None

    def sort_key(self, entry: SlaRow, column: int) -> Any:
        if column == self.RESPONSE:
            return entry.max_response_hours
        if column == self.RESOLUTION:
            return entry.max_resolution_hours
        return super().sort_key(entry, column)


class SlaEditorSection(TableSection):
    title = "SLAs"
    icon = "mdi6.timer-check-outline"
    access = SectionAccess.DESIGN
    NOTHING_CHOSEN = "Choose an SLA, or create one"
    #: Names stay whole; the groups column takes (and elides in) what is left.
    STRETCH_COLUMN = SlaTableModel.GROUPS
    LIST_WIDTH = 400

    #: The preview shows a ticket's evaluation under the form (the answer).
    preview_shown = Signal(object)
    #: The preview could not be made (the message shown under the ticket picker).
    preview_failed = Signal(str)
    #: The tickets offered for the preview were read.
    options_loaded = Signal()

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("sla_editor")
        self.setAccessibleName("SLAs")
        #: When the preview evaluates up to (tests and screenshots fix it).
        self.clock: Callable[[], dt.datetime] = utc_now
        self._preview_task: Task | None = None
        self._preview_again = False
        self._preview_unsaved = False
        self._ticket_text = ""
        #: The SLA whose tickets the preview offers (``_NOT_READ`` before the first read).
        self._options_for: object = _NOT_READ
        #: The latest read of the tickets to preview: an older one's answer is dropped.
        self._options_task: Task | None = None
        self.sla_form = SlaForm(self)
        self.preview = SlaPreviewPanel(self)
        self.lay_out(SlaTableModel(self), self.sla_form, "slas", "New SLA", "mdi6.plus")
        self._arrange_panes()
        self._shortcuts = {
            "new": QShortcut(QKeySequence.StandardKey.New, self),
            "delete": QShortcut(QKeySequence.StandardKey.Delete, self.table)}
        # Only while working in this page: other sections have their own Ctrl+N.
        self._shortcuts["new"].setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._shortcuts["delete"].setContext(Qt.ShortcutContext.WidgetShortcut)
        self._shortcuts["new"].activated.connect(self._on_new_button_clicked)
        self._shortcuts["delete"].activated.connect(self._on_delete_button_clicked)
        self.new_button.setToolTip("A new SLA (Ctrl+N)")
        self.sla_form.draft_changed.connect(self._on_sla_form_draft_changed)
        self.sla_form.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.preview.ticket_requested.connect(self._on_preview_ticket_requested)

    def _arrange_panes(self) -> None:
        """The list is short (a handful of SLAs): the preview goes under it, where the
        histogram has the width it needs; the form, long, scrolls on the right."""
        splitter = self.findChild(QSplitter, "slas_splitter")
        assert splitter is not None
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.setObjectName("slas_left_splitter")
        left.setChildrenCollapsible(False)
        scroll = QScrollArea(self)
        scroll.setObjectName("sla_form_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        list_side = splitter.replaceWidget(0, left)
        assert list_side is not None
        left.addWidget(list_side)
        list_side.show()
        left.addWidget(self.preview)
        left.setStretchFactor(1, 1)
        left.setSizes([180, 420])
        splitter.replaceWidget(1, scroll)
        scroll.setWidget(self.sla_form)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([self.LIST_WIDTH, 900 - self.LIST_WIDTH])

    # --- TableSection ---------------------------------------------------------------------

    def read(self) -> Callable[[], Any]:
        return partial(load_slas, self.workspace)

    def entries(self, page: Any) -> Sequence[SlaRow]:
        assert isinstance(page, SlaPage)
        return page.slas

    def fill(self, record: Any) -> None:
        assert isinstance(self.page, SlaPage)
        self.sla_form.show_sla(record, self.page)
        sla_id = record.id if isinstance(record, SlaRow) else None
        if sla_id != self._options_for:
            self._options_for = sla_id
            task = self.runner.run(partial(load_ticket_options, self.workspace, self.user_id,
                                           sla_id))
            task.succeeded.connect(self._on_options_task_succeeded)
            task.failed.connect(self._on_read_task_failed)
            self._options_task = task

    def command(self) -> Command:
        return self.sla_form.draft().command(self.sla_form.sla_id)

    def set_sending(self, sending: bool) -> None:
        self.sla_form.set_sending(sending)

    def _show_nothing(self) -> None:
        super()._show_nothing()
        self.preview.clear()

    def select_sla(self, name: str) -> SlaRow:
        """Choose the SLA called ``name``, as a click would."""
        chosen = self.select(lambda row: row.name == name)
        assert isinstance(chosen, SlaRow)
        return chosen

    # --- Deleting -------------------------------------------------------------------------

    @Slot()
    def _on_delete_button_clicked(self) -> None:
        record = self.sla_form.record
        if not isinstance(record, SlaRow) or not self.sla_form.delete_button.isEnabled():
            return
        # While groups apply it the server refuses, naming them: no question to ask first.
        if not record.group_names and not confirm(
                self, "Delete SLA", f"Delete '{record.name}'? No group applies it; tickets "
                                    "marked as breaching it are cleared.", "Delete SLA"):
            return
        self.send([DeleteSla(sla_id=record.id)], self.sla_form.errors, None)

    # --- Preview --------------------------------------------------------------------------

    @Slot(object)
    def _on_options_task_succeeded(self, options: tuple[TicketOption, ...]) -> None:
        if self.sender() is not self._options_task:
            return  # the tickets of an SLA chosen before
        self._options_task = None
        self.preview.set_options(options)
        self.options_loaded.emit()

    @Slot(object)
    def _on_read_task_failed(self, error: BaseException) -> None:
        messages.error(self, "The tickets to preview could not be read.", details=str(error))

    @Slot(str)
    def _on_preview_ticket_requested(self, text: str) -> None:
        self._ticket_text = text
        self.run_preview()

    @Slot()
    def _on_sla_form_draft_changed(self) -> None:
        if self._ticket_text:
            self.run_preview()

    def run_preview(self) -> None:
        """Evaluate the chosen ticket under the form as it is now (one at a time: edits
        made meanwhile are evaluated once the running one is back)."""
        if not self._ticket_text or not self.sla_form.isEnabled():
            return
        if self._preview_task is not None:
            self._preview_again = True
            return
        draft = self.sla_form.draft()
        record = self.sla_form.record
        self._preview_unsaved = not isinstance(record, SlaRow) or draft != SlaDraft.of(record)
        work = partial(preview_sla, self.workspace, self.user_id, draft,
                       self.sla_form.sla_id, self._ticket_text, self.clock())
        self._preview_task = self.runner.run(work)
        self._preview_task.succeeded.connect(self._on_preview_task_succeeded)
        self._preview_task.failed.connect(self._on_preview_task_failed)

    def _preview_finished(self) -> bool:
        """Whether to show the answer (False: the form changed meanwhile; asked again)."""
        self._preview_task = None
        if self._preview_again:
            self._preview_again = False
            self.run_preview()
            return False
        return True

    @Slot(object)
    def _on_preview_task_succeeded(self, preview: SlaPreview) -> None:
        if self._preview_finished():
            self.preview.show_preview(preview, unsaved=self._preview_unsaved)
            self.preview_shown.emit(preview)

    @Slot(object)
    def _on_preview_task_failed(self, error: BaseException) -> None:
        if not self._preview_finished():
            return
        if isinstance(error, DomainError):
            message = error.message
        else:
            message = "The preview could not be made."
            messages.error(self, message, details=str(error))
        self.preview.show_error(message)
        self.preview_failed.emit(message)

    @property
    def is_previewing(self) -> bool:
        return self._preview_task is not None
