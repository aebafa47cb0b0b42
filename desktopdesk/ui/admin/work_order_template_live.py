"""What follows the template form while it is edited: the macros it may use, the
problems in its text, the tickets to preview and the preview itself.

All of it runs on the task runner: a template may be 200,000 characters, and looking
for unknown macros means sanitising, parsing and tidying it, too slow for the GUI thread
after every pause in typing. Each answer is checked against what asked for it (the
task, and the form's ``generation``): one for a template left since, or for text typed
over since, is dropped. The text is not checked again while it is unchanged.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from desktopdesk.documents.work_order_queries import TemplateRow
from desktopdesk.domain.errors import DomainError
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages
from desktopdesk.ui.admin.sla_source import TicketOption
from desktopdesk.ui.admin.work_order_template_form import TemplateForm
from desktopdesk.ui.admin.work_order_template_models import Problem
from desktopdesk.ui.admin.work_order_template_preview import TemplatePreviewPanel
from desktopdesk.ui.admin.work_order_template_source import (
    MacroCatalogue,
    MacroProblem,
    TemplatePreview,
    TemplatesPage,
    catalogue_types,
    find_problems,
    load_macros,
    load_preview_tickets,
    preview_template,
)
from desktopdesk.ui.tasks import Task, TaskRunner

#: The preview prints again this long after typing stops.
PREVIEW_DELAY_MS = 600
#: The problems are looked for again this long after typing stops.
CHECK_DELAY_MS = 250
_UNKNOWN = re.compile(r"^_(?P<name>.+?)_ is not a known macro")

#: What a check of the text was asked for: the form's generation and the text's hash.
_CheckKey = tuple[int, int, bool, frozenset[str]]


class TemplateLiveWork(QObject):
    """Macros, problems and preview for the template ``form`` shows, on ``runner``."""

    #: The macros the template may use were read (and the problems looked for).
    macros_loaded = Signal()
    #: The problems list was brought up to date with the text.
    problems_checked = Signal()
    #: The tickets offered for the preview were read.
    options_loaded = Signal()
    #: The preview printed a ticket with the form (the answer).
    preview_shown = Signal(object)
    #: The preview could not be printed (the message shown over it).
    preview_failed = Signal(str)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 form: TemplateForm, preview: TemplatePreviewPanel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self.form = form
        self.preview = preview
        self._page: TemplatesPage | None = None
        self._catalogue: MacroCatalogue | None = None
        self._macros_task: Task | None = None
        self._options_task: Task | None = None
        self._options_for: tuple[uuid.UUID, ...] | None = None
        #: The check in flight and the text it was asked for; the text whose problems
        #: are shown, and those problems.
        self._check_task: Task | None = None
        self._asked_key: _CheckKey | None = None
        self._done_key: _CheckKey | None = None
        self._text_problems: tuple[MacroProblem, ...] = ()
        self._preview_task: Task | None = None
        self._preview_again = False
        self._preview_unsaved = False
        self._preview_label = ""
        self._preview_problems: tuple[str, ...] = ()
        self._ticket_text = ""
        self._preview_timer = self._timer(PREVIEW_DELAY_MS, self.run_preview)
        self._check_timer = self._timer(CHECK_DELAY_MS, self.check_problems)
        self.preview.ticket_requested.connect(self._on_preview_ticket_requested)

    def _timer(self, delay: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(delay)
        timer.timeout.connect(slot)
        return timer

    # --- What the section says ------------------------------------------------------------

    def template_shown(self, page: TemplatesPage) -> None:
        """The form was filled with a template (or a new one) from ``page``."""
        self._page = page
        self._preview_problems = ()
        self._text_problems = ()
        self._done_key = self._asked_key = None
        self._check_task = None  # its answer is for the template shown before
        self._load_macros()
        self._load_options()
        if self._ticket_text:
            self.run_preview()

    def types_changed(self) -> None:
        """The ticket types (or the default) changed: other macros and tickets apply."""
        self._load_macros()
        self._load_options()

    def draft_changed(self) -> None:
        """Something was typed: check and print again once typing pauses (a check in
        flight is for the text before: its answer is dropped)."""
        self._check_task = None
        self._check_timer.start()
        if self._ticket_text:
            self._preview_timer.start()

    def nothing_shown(self) -> None:
        """The form shows no template (deleted here, or by a sync): the check and the
        preview in flight were for it, so their answers are dropped, and its problems
        and preview go."""
        self._check_timer.stop()
        self._preview_timer.stop()
        self._check_task = None
        self._done_key = self._asked_key = None
        self._text_problems = ()
        self._preview_task = None
        self._preview_again = False
        self._preview_problems = ()
        self.form.set_problems(())
        self.preview.set_busy(False)
        self.preview.clear()

    @property
    def is_previewing(self) -> bool:
        return (self._preview_task is not None or self._preview_timer.isActive()
                or self.preview.pages.is_busy)

    @property
    def is_checking(self) -> bool:
        return self._check_task is not None or self._check_timer.isActive()

    def _template_id(self) -> uuid.UUID | None:
        record = self.form.record
        return record.id if isinstance(record, TemplateRow) else None

    def _window(self) -> QWidget | None:
        """The section, for messages (not kept in an attribute: a cycle of widgets would
        be left to the garbage collector, which may run on a worker)."""
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    @Slot(object)
    def _on_read_task_failed(self, error: BaseException) -> None:
        messages.error(self._window(), "The macros or tickets for the template could not "
                                       "be read.", details=str(error))

    # --- Macros and problems --------------------------------------------------------------

    def _catalogue_types(self) -> tuple[uuid.UUID, ...]:
        assert self._page is not None
        return catalogue_types(self._page, self.form.draft(), self._template_id())

    def _load_macros(self) -> None:
        task = self.runner.run(partial(load_macros, self.workspace, self._catalogue_types()))
        task.succeeded.connect(self._on_macros_task_succeeded)
        task.failed.connect(self._on_read_task_failed)
        self._macros_task = task

    @Slot(object)
    def _on_macros_task_succeeded(self, catalogue: MacroCatalogue) -> None:
        if self.sender() is not self._macros_task:
            return  # for types chosen before
        self._macros_task = None
        self._catalogue = catalogue
        self.form.macros.set_macros(catalogue.entries)
        self.check_problems()
        self.macros_loaded.emit()

    @Slot()
    def check_problems(self) -> None:
        """Look for unknown macros in the text as it is now, on the runner (the answer
        shown before stays meanwhile); the text unchanged since, the list is only
        brought together with what the last preview said."""
        self._check_timer.stop()
        if self._catalogue is None or not self.form.isEnabled():
            return
        draft = self.form.draft()
        known = self._catalogue.known
        key = (self.form.generation, hash(draft.body_html), self.form.body_edited, known)
        if key == self._done_key:
            self._check_task = None
            self._show_problems()
            return
        if key == self._asked_key and self._check_task is not None:
            return  # the answer on its way is for this very text
        self._asked_key = key
        task = self.runner.run(partial(find_problems, draft.body_html, self.form.body_edited,
                                       known))
        task.succeeded.connect(self._on_check_task_succeeded)
        task.failed.connect(self._on_check_task_failed)
        self._check_task = task

    @Slot(object)
    def _on_check_task_succeeded(self, found: tuple[MacroProblem, ...]) -> None:
        if self.sender() is not self._check_task:
            return  # for a template left since, or text typed over since
        self._check_task = None
        self._done_key = self._asked_key
        self._text_problems = found
        self._show_problems()

    @Slot(object)
    def _on_check_task_failed(self, _error: BaseException) -> None:
        if self.sender() is self._check_task:
            self._check_task = None  # the runner logged why; the next pause tries again

    def _show_problems(self) -> None:
        """The text's problems, then what printing the preview found that they do not."""
        problems = [Problem(p.message, p.name) for p in self._text_problems]
        reported = {p.name for p in self._text_problems}
        for text in self._preview_problems:
            unknown = _UNKNOWN.match(text)
            if unknown is not None and unknown.group("name") in reported:
                continue  # said already, with the template's own types in mind
            problems.append(Problem(f"Printing {self._preview_label}: {text}", None, True))
        self.form.set_problems(tuple(problems))
        self.problems_checked.emit()

    # --- Preview --------------------------------------------------------------------------

    def _load_options(self) -> None:
        types = self._catalogue_types()
        if types == self._options_for:
            return
        self._options_for = types
        task = self.runner.run(partial(load_preview_tickets, self.workspace, self.user_id,
                                       types))
        task.succeeded.connect(self._on_options_task_succeeded)
        task.failed.connect(self._on_read_task_failed)
        self._options_task = task

    @Slot(object)
    def _on_options_task_succeeded(self, options: tuple[TicketOption, ...]) -> None:
        if self.sender() is not self._options_task:
            return
        self._options_task = None
        self.preview.set_options(options)
        if not self._ticket_text and options and self.form.isEnabled():
            self.preview.choose(options[0].text)  # something to see at once
        self.options_loaded.emit()

    @Slot(str)
    def _on_preview_ticket_requested(self, text: str) -> None:
        self._ticket_text = text
        self.run_preview()

    @Slot()
    def run_preview(self) -> None:
        """Print the chosen ticket with the form as it is now (one at a time: edits made
        meanwhile are printed once the running one is back)."""
        self._preview_timer.stop()
        if not self._ticket_text or not self.form.isEnabled():
            return
        if self._preview_task is not None:
            self._preview_again = True
            return
        form = self.form
        self._preview_unsaved = form.record is None or form.is_dirty()
        work = partial(preview_template, self.workspace, self.user_id, form.draft(),
                       self._template_id(), self._ticket_text, form.body_edited)
        self.preview.set_busy(True)
        self._preview_task = self.runner.run(work)
        self._preview_task.succeeded.connect(self._on_preview_task_succeeded)
        self._preview_task.failed.connect(self._on_preview_task_failed)

    def _preview_finished(self, task: object) -> bool:
        """Whether to show the answer of ``task`` (False: for a template no longer
        shown, or the form changed meanwhile and it is asked again)."""
        if task is not self._preview_task:
            return False
        self._preview_task = None
        self.preview.set_busy(False)
        if self._preview_again:
            self._preview_again = False
            self.run_preview()
            return False
        return True

    @Slot(object)
    def _on_preview_task_succeeded(self, preview: TemplatePreview) -> None:
        if not self._preview_finished(self.sender()):
            return
        self._preview_label = preview.ticket_label
        self._preview_problems = preview.problems
        self.preview.show_preview(preview, unsaved=self._preview_unsaved)
        self.check_problems()
        self.preview_shown.emit(preview)

    @Slot(object)
    def _on_preview_task_failed(self, error: BaseException) -> None:
        if not self._preview_finished(self.sender()):
            return
        if isinstance(error, DomainError):
            message = error.message
        else:
            message = "The preview could not be printed."
            messages.error(self._window(), message, details=str(error))
        self._preview_problems = ()
        self.preview.show_error(message)
        self.check_problems()
        self.preview_failed.emit(message)
