"""The workunit editor the ticket view embeds: rich text, the manual's fields, Add.

It holds no rules: AddWorkunit and AttachFile decide (on a worker, through
``workunit_source``), and a refusal is shown beside the field it names with the text
left as typed. What is being typed is kept as a local draft (``store.drafts``) a second
after typing stops and whenever the editor is hidden, and offered back next time.

Drafts and the pictures' blob-store bytes are written and read on the task runner, not
on the GUI thread; only the last draft is written there, on closing or quitting, when a
worker might not get to run.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDateTime, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QImage, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.html import plain_text, sanitize_html
from desktopdesk.store.drafts import DraftSnapshot, DraftStore, WorkunitDraft
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette
from desktopdesk.ui.attachment_files import image_hashes
from desktopdesk.ui.form_messages import error_label, refusal
from desktopdesk.ui.inline_images import RichTextEdit
from desktopdesk.ui.pasted_images import PastedImages
from desktopdesk.ui.rich_text_toolbar import RichTextToolbar
from desktopdesk.ui.tasks import Task, TaskRunner
from desktopdesk.ui.workunit_fields import DATE_FORMAT, WorkunitFields
from desktopdesk.ui.workunit_source import (
    AddedWorkunit,
    EditorContext,
    WorkunitSubmission,
    fetch_remote_image,
    find_colleagues,
    load_editor_context,
    submit_workunit,
)

log = logging.getLogger("desktopdesk.ui.workunits")

AUTOSAVE_DELAY_MS = 1000
#: Which error label shows a refusal naming this command field.
_FIELD_OF_ERROR = {
    "text_html": "text", "hours": "hours", "profile_id": "profile",
    "shared_with_ids": "shared_with", "completed_at": "completed_at",
    "file_name": "attachments", "size": "attachments", "sha256": "attachments",
    "mime_type": "attachments", "workunit_id": "attachments",
}


class NoticeBar(QFrame):
    """An inline question above the text (restore a draft, load remote images): it never
    blocks typing the way a dialog would."""

    def __init__(self, name: str, accessible: str, icon: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        palette.set_style(self, f"QFrame#{name} {{ background: $notice_background;"
                                " border: 1px solid $notice_border; border-radius: 4px; }")
        self.icon_label = QLabel(self)
        self.icon_label.setObjectName(f"{name}_icon")
        palette.set_icon(self.icon_label, palette.icon(icon, color=palette.notice_icon),
                         QSize(18, 18))
        self.label = QLabel(self)
        self.label.setObjectName(f"{name}_text")
        self.label.setWordWrap(True)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 4, 4)
        self._layout.addWidget(self.icon_label)
        self._layout.addWidget(self.label, 1)
        self.hide()

    def add_button(self, name: str, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        self._layout.addWidget(button)
        return button


class WorkunitEditor(QWidget):
    """A new workunit for one ticket. Pass the window's ``runner`` so that closing the
    window waits for an Add in flight; drafts default to the workspace's data folder."""

    #: A workunit (and its files) was added: ``AddedWorkunit``, for views to refresh.
    workunit_added = Signal(object)
    #: Settings, profiles and any draft are in; the fields can be used.
    context_loaded = Signal()
    #: A refusal or failure was shown (its message), after the fields were re-enabled.
    add_failed = Signal(str)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, ticket_id: uuid.UUID, *,
                 runner: TaskRunner | None = None, drafts: DraftStore | None = None,
                 autosave_ms: int = AUTOSAVE_DELAY_MS,
                 fetch_remote: Callable[[str], bytes] = fetch_remote_image,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workunit_editor")
        self.setAccessibleName("New workunit")
        self.workspace = workspace
        self.user_id = user_id
        self.ticket_id = ticket_id
        self.runner = runner if runner is not None else TaskRunner(self)
        self.drafts = drafts or DraftStore.for_user(workspace.data_dir, user_id)
        self._fetch_remote = fetch_remote
        self._context: EditorContext | None = None
        self._offered: WorkunitDraft | None = None
        self._adding = False
        self._filling = False
        self._draft_task: Task | None = None  # the draft write running now
        self._waiting_draft: DraftSnapshot | None = None  # the newest, to write after it

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(autosave_ms)
        self._autosave.timeout.connect(self._on_autosave_timeout)

        self._build()
        self._connect()
        self._set_enabled(False)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_app_about_to_quit)
        task = self.runner.run(partial(load_editor_context, workspace, user_id, ticket_id,
                                       self.drafts))
        task.succeeded.connect(self._on_context_task_succeeded)
        task.failed.connect(self._on_context_task_failed)

    def _build(self) -> None:
        self.draft_bar = NoticeBar("draft_bar", "Unsent draft",
                                   "mdi6.file-document-edit-outline", self)
        self.restore_button = self.draft_bar.add_button("draft_restore", "Restore",
                                                        "Restore the draft")
        self.discard_button = self.draft_bar.add_button("draft_discard", "Discard",
                                                        "Discard the draft")
        self.remote_bar = NoticeBar("remote_images_bar", "Remote images not shown",
                                    "mdi6.image-off-outline", self)
        self.remote_bar.label.setText("Remote images are not shown, so nobody learns you "
                                      "opened this.")
        self.load_remote_button = self.remote_bar.add_button(
            "load_remote_images", "Load remote images", "Load remote images")

        self.text = RichTextEdit(self.workspace.blobs, self, runner=self.runner)
        self.text.setObjectName("workunit_text")
        self.text.setAccessibleName("Workunit text")
        self.text.setPlaceholderText("What was done? Paste or drop screenshots straight in.")
        self.text.setMinimumHeight(150)
        self.toolbar = RichTextToolbar(self.text, self)
        self.addActions(self.toolbar.actions())
        # Bytes still on their way to the blob store go with Add, so none is missed.
        self.pictures = PastedImages(self.text, self.toolbar, self.workspace.blobs,
                                     self.runner, self)
        self.fields = WorkunitFields(
            self.runner, partial(find_colleagues, self.workspace, self.user_id), self)

        self.add_action = QAction(palette.icon("mdi6.send"), "Add workunit", self)
        self.add_action.setObjectName("action_add_workunit")
        self.add_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.add_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.add_action)
        self.add_button = QPushButton(palette.icon("mdi6.send"), "Add workunit", self)
        self.add_button.setObjectName("button_add_workunit")
        self.add_button.setAccessibleName("Add workunit")
        self.add_button.setToolTip("Add the workunit (Ctrl+Enter)")

        self._errors = {"text": error_label(self, "text"),
                        "general": error_label(self, "general")}
        bottom = QHBoxLayout()
        bottom.addWidget(self._errors["general"], 1)
        bottom.addStretch(1)  # holds the button right while the message is hidden
        bottom.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.draft_bar)
        layout.addWidget(self.remote_bar)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.text, 1)
        layout.addWidget(self._errors["text"])
        layout.addWidget(self.fields)
        layout.addLayout(bottom)

    def _connect(self) -> None:
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.discard_button.clicked.connect(self._on_discard_button_clicked)
        self.load_remote_button.clicked.connect(self._on_load_remote_button_clicked)
        # Queued: the document reports while it lays out, no time to change widgets.
        self.text.image_document.remote_image_blocked.connect(
            self._on_document_remote_image_blocked, Qt.ConnectionType.QueuedConnection)
        self.text.files_dropped.connect(self._on_text_files_dropped)
        self.text.textChanged.connect(self._on_text_text_changed)
        self.fields.changed.connect(self._on_fields_changed)
        self.add_action.triggered.connect(self.add_workunit)
        self.add_button.clicked.connect(self.add_workunit)

    def _set_enabled(self, enabled: bool) -> None:
        self.fields.setEnabled(enabled)
        self.add_button.setEnabled(enabled)
        self.add_action.setEnabled(enabled)

    # --- Loading --------------------------------------------------------------------------

    @property
    def is_ready(self) -> bool:
        return self._context is not None

    @Slot(object)
    def _on_context_task_succeeded(self, context: EditorContext) -> None:
        self._context = context
        self.fields.set_context(context)
        self._set_enabled(True)
        if context.draft is not None:
            self._offer(context.draft)
        elif self.text.toPlainText().strip():  # typed while loading
            self._autosave.start()
        self.context_loaded.emit()

    @Slot(object)
    def _on_context_task_failed(self, error: BaseException) -> None:
        messages.error(self, "The workunit editor could not be opened.", details=str(error))

    # --- Drafts ---------------------------------------------------------------------------

    def _offer(self, draft: WorkunitDraft) -> None:
        self._offered = draft
        saved = QDateTime.fromSecsSinceEpoch(int(draft.saved_at.timestamp())).toLocalTime()
        self.draft_bar.label.setText(f"Restore draft from {saved.toString(DATE_FORMAT)}?")
        self.draft_bar.label.setToolTip(plain_text(draft.text_html)[:300])
        self.draft_bar.show()

    @Slot()
    def _on_restore_button_clicked(self) -> None:
        draft, self._offered = self._offered, None
        self.draft_bar.hide()
        if draft is None:
            return
        self._filling = True
        try:
            self.pictures.remember(draft.images)
            self.text.set_sanitised_html(draft.text_html)
            self.fields.apply_draft(draft)
        finally:
            self._filling = False

    @Slot()
    def _on_discard_button_clicked(self) -> None:
        self._offered = None
        self.draft_bar.hide()
        self.save_draft()  # whatever was typed meanwhile is the draft now, else none

    def current_draft(self) -> WorkunitDraft | None:
        """What is typed and chosen now, or None when there is nothing worth keeping."""
        html = sanitize_html(self.text.toHtml())
        referenced = image_hashes(html)
        values = self.fields.values()
        if not self.text.toPlainText().strip() and not referenced and not values.files:
            return None
        return WorkunitDraft(
            ticket_id=self.ticket_id, text_html=html,
            saved_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            hours=values.hours, is_private=values.is_private,
            is_internal=values.is_internal, has_cost=values.has_cost,
            profile_id=values.profile_id, shared_with=values.shares,
            completed_at=values.completed_at,
            attachment_paths=tuple(str(path) for path in values.files),
            images=self.pictures.named(referenced))

    def _snapshot(self) -> DraftSnapshot | None:
        """The draft as it is now (None: nothing to write). An offered draft is not
        overwritten until the person has restored or discarded it."""
        self._autosave.stop()
        if self._context is None or self._offered is not None:
            return None
        return DraftSnapshot(self.ticket_id, self.current_draft())

    def save_draft(self) -> None:
        """Write the draft (or remove it if nothing is typed) in the background.

        One write at a time per editor; while one runs, only the newest snapshot waits
        (older ones are dropped, never written after it). ``DraftStore.apply`` also
        refuses a snapshot older than the file, whatever the order writes finish in.
        """
        snapshot = self._snapshot()
        if snapshot is not None:
            self._write_in_background(snapshot)

    def _write_in_background(self, snapshot: DraftSnapshot) -> None:
        if self._draft_task is not None:
            self._waiting_draft = snapshot
            return
        self._draft_task = self.runner.run(partial(_write_draft, self.drafts, snapshot))
        self._draft_task.finished.connect(self._on_draft_task_finished)

    @Slot()
    def _on_draft_task_finished(self) -> None:
        self._draft_task = None
        waiting, self._waiting_draft = self._waiting_draft, None
        if waiting is not None:
            self._write_in_background(waiting)

    def flush_draft(self) -> None:
        """Write the draft now, on this thread: for closing and quitting, after which a
        background write might never run. It is taken after every snapshot still waiting
        or being written, so those can no longer replace it; one being written is waited
        for (a file lock, milliseconds), one waiting is dropped."""
        snapshot = self._snapshot()
        if snapshot is None:
            return
        self._waiting_draft = None
        _write_draft(self.drafts, snapshot)

    @Slot()
    def _on_autosave_timeout(self) -> None:
        self.save_draft()

    @Slot()
    def _on_app_about_to_quit(self) -> None:
        self.flush_draft()

    def hideEvent(self, event: QHideEvent) -> None:
        # The ticket view moved on or the window is going: the process goes on, so the
        # write can too (quitting flushes on this thread, see _on_app_about_to_quit).
        self.save_draft()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush_draft()
        super().closeEvent(event)

    @Slot()
    def _on_text_text_changed(self) -> None:
        self._errors["text"].hide()
        self._on_fields_changed()

    @Slot()
    def _on_fields_changed(self) -> None:
        if not self._filling and self._context is not None:
            self._autosave.start()

    # --- Images and files -----------------------------------------------------------------

    @Slot(list)
    def _on_text_files_dropped(self, paths: list[Path]) -> None:
        for path in paths:
            self.fields.add_attachment(path)

    # --- Remote images --------------------------------------------------------------------

    @Slot(str)
    def _on_document_remote_image_blocked(self, _url: str) -> None:
        if self.text.image_document.blocked_remote_urls:
            self.remote_bar.show()

    @Slot()
    def _on_load_remote_button_clicked(self) -> None:
        self.remote_bar.hide()
        fetch = self._fetch_remote  # the worker must not reach into this widget
        for url in sorted(self.text.image_document.blocked_remote_urls):
            task = self.runner.run(partial(_fetched, fetch, url))
            task.succeeded.connect(self._on_remote_task_succeeded)
            task.failed.connect(self._on_remote_task_failed)

    @Slot(object)
    def _on_remote_task_succeeded(self, answer: tuple[str, bytes]) -> None:
        url, data = answer
        image = QImage.fromData(data)
        if image.isNull():
            log.info("%s is not an image Qt can show", url)
            return
        self.text.image_document.remember(url, image)

    @Slot(object)
    def _on_remote_task_failed(self, error: BaseException) -> None:
        """Say so and offer to try again: the placeholder alone would look like success."""
        self.remote_bar.label.setText(f"A remote image could not be loaded ({error}).")
        self.remote_bar.show()

    # --- Adding ---------------------------------------------------------------------------

    def submission(self) -> WorkunitSubmission:
        values = self.fields.values()
        return WorkunitSubmission(
            ticket_id=self.ticket_id, text_html=self.text.toHtml(), hours=values.hours,
            is_private=values.is_private, is_internal=values.is_internal,
            has_cost=values.has_cost, profile_id=values.profile_id,
            shared_with_ids=tuple(share.user_id for share in values.shares),
            completed_at=values.completed_at, images=self.pictures.images(),
            files=values.files)

    @Slot()
    def add_workunit(self) -> None:
        if self._adding or self._context is None:
            return
        self.fields.clear_errors()
        for label in self._errors.values():
            label.hide()
        self._set_busy(True)
        task = self.runner.run(partial(submit_workunit, self.workspace, self.user_id,
                                       self.submission(), self.pictures.unsaved()))
        task.succeeded.connect(self._on_add_task_succeeded)
        task.failed.connect(self._on_add_task_failed)

    def _set_busy(self, busy: bool) -> None:
        self._adding = busy
        self.text.setReadOnly(busy)  # what is typed now would be cleared with the rest
        self.toolbar.setEnabled(not busy)
        self._set_enabled(not busy)
        self.add_button.setText("Adding…" if busy else "Add workunit")

    @Slot(object)
    def _on_add_task_succeeded(self, added: AddedWorkunit) -> None:
        self._filling = True
        try:
            self.text.clear()
            self.fields.reset()
            self.pictures.clear()
        finally:
            self._filling = False
        if self._offered is None:  # an offered draft waits for Restore or Discard
            self._write_in_background(DraftSnapshot(self.ticket_id, None))
        self._autosave.stop()
        self._set_busy(False)
        self.text.setFocus()
        self.workunit_added.emit(added)

    @Slot(object)
    def _on_add_task_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        refused = refusal(error)
        if refused is not None:
            field, message = refused
            self._show_error(_FIELD_OF_ERROR.get(field, "general"), message)
            messages.warning(self, message, title="Workunit not added")
        else:
            message = "The workunit could not be added."
            self._show_error("general", message)
            messages.error(self, message, details=str(error))
        self.save_draft()  # a refusal must not cost what was typed
        self.add_failed.emit(message)

    def _show_error(self, name: str, message: str) -> None:
        if self.fields.show_error(name, message):
            return
        label = self._errors.get(name, self._errors["general"])
        label.setText(message)
        label.show()


def _fetched(fetch: Callable[[str], bytes], url: str) -> tuple[str, bytes]:
    return url, fetch(url)


def _write_draft(drafts: DraftStore, snapshot: DraftSnapshot) -> bool:
    """On a worker (or, closing, on the GUI thread): a draft that cannot be written is
    logged, not shown; the text is still in the editor."""
    try:
        return drafts.apply(snapshot)
    except OSError:
        log.warning("could not save the workunit draft for %s", snapshot.ticket_id,
                    exc_info=True)
        return False
