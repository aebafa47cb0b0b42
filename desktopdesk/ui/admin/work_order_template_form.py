"""The work-order template editor's form: name, description, logo, the ticket types it is
for, and the template itself in a rich-text editor with its macro picker and problems.

The body keeps the HTML it was stored with until someone edits it: Qt's editor writes
its own HTML back (``work_order_template_html`` tidies it), and a template only looked
at should be saved, and previewed, exactly as it was. Every change says so
(``draft_changed``): the section previews and checks the form before it is saved.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPixmap, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.documents.work_orders import MacroInfo, logo_bytes
from desktopdesk.domain.handlers.admin_work_orders import MAX_DESCRIPTION, MAX_LOGO_BYTES, MAX_NAME
from desktopdesk.domain.html import sanitize_html
from desktopdesk.ui import palette
from desktopdesk.ui.admin.macro_picker import MacroPicker
from desktopdesk.ui.admin.org_form import RecordForm, button
from desktopdesk.ui.admin.work_order_template_models import (
    Problem,
    ProblemListModel,
    TypeChecklistModel,
)
from desktopdesk.ui.admin.work_order_template_source import (
    TemplateDraft,
    TemplatesPage,
    editor_body,
)
from desktopdesk.ui.form_messages import (
    error_label,
    message_column,
    message_label,
    text_label,
)
from desktopdesk.ui.rich_text_toolbar import RichTextToolbar

MUTED_STYLE = "color: $muted_text;"
LOGO_SIZE = QSize(132, 44)
#: Macros that lay out a block of their own: written on a line of their own.
BLOCK_GROUP = "Blocks"
UNSAVED = "● Unsaved changes"
NOT_CREATED = "● Not created yet"
NEW_TITLE = "New template"
CREATE_TEXT = "Create template"


def choose_logo(parent: QWidget) -> Path | None:
    """A module function for the file dialog, so tests can answer it."""
    name, _ = QFileDialog.getOpenFileName(parent, "Choose the logo", "",
                                          "Pictures (*.png *.jpg *.jpeg)")
    return Path(name) if name else None


class TemplateTextEdit(QTextEdit):
    """Rich text without pictures (a logo is the only picture a template has: inline ones
    would not reach the other desktops); what is pasted is sanitised first."""

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasHtml() or source.hasText()

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasHtml():
            self.textCursor().insertHtml(sanitize_html(source.html()))
        elif source.hasText():
            self.textCursor().insertText(source.text())


class TemplateForm(RecordForm):
    """One template's fields (``record`` None: a new template), Save, Revert, Delete."""

    #: Any input changed (not when the form is filled): preview and check again.
    draft_changed = Signal()
    #: The ticket types or the default changed: the macros on offer may differ.
    types_changed = Signal()
    #: The person chose a picture file for the logo (the section reads it on a worker).
    logo_file_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("wo_template_form", "Work-order template", parent)
        self._filling = False
        #: Which filling of the form this is: an answer asked for by an earlier one
        #: (a logo read, a check) belongs to a template no longer shown.
        self.generation = 0
        self._saved = TemplateDraft()
        self._logo_uri = ""
        #: A save is on its way, or its template being read back.
        self.sending = False
        self.name_edit = self.line_edit("name", "Template name", MAX_NAME)
        self.first_input = self.name_edit
        self.description_edit = self.line_edit("description", "Description", MAX_DESCRIPTION)
        self.default_check = self.check_box(
            "default", "Default for types without a template",
            "Ticket types with no template of their own print with this one. Only one "
            "template is the default; with none, they print the standard work order.")
        self.types_model = TypeChecklistModel(self)
        self.types_view = QListView(self)
        self.types_view.setObjectName("wo_template_types")
        self.types_view.setAccessibleName("Ticket types that print with this template")
        self.types_view.setModel(self.types_model)
        self.types_view.setUniformItemSizes(True)
        self._build_logo()
        self._build_body()
        self.delete_button = button(self, "wo_template_delete", "Delete…",
                                    "mdi6.delete-outline", "Delete this template")
        self.changes_label = QLabel(self)
        self.changes_label.setObjectName("wo_template_changes")
        palette.set_style(self.changes_label, "color: $warning_text;")
        #: Something to know about the form as a whole (the template was deleted
        #: elsewhere while it was edited), until the form is filled again.
        self.notice = message_label(self, "wo_template_notice", "color: $warning_text;")
        self.notice.setAccessibleName("About this template")
        self._lay_out()
        self._connect()

    # --- Building -------------------------------------------------------------------------

    def _build_logo(self) -> None:
        self.logo_label = QLabel(self)
        self.logo_label.setObjectName("wo_template_logo")
        self.logo_label.setAccessibleName("Logo")
        self.logo_label.setFixedSize(LOGO_SIZE)
        self.logo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.logo_choose = button(self, "wo_template_logo_choose", "Choose…",
                                  "mdi6.image-outline",
                                  f"A PNG or JPEG picture of at most {MAX_LOGO_BYTES // 1024} "
                                  "KB, printed in the header")
        self.logo_remove = button(self, "wo_template_logo_remove", "Remove",
                                  "mdi6.image-remove-outline", "Print no logo")
        self.logo_hint = text_label(self, "wo_template_logo_hint", MUTED_STYLE)
        self.logo_hint.setText(f"PNG or JPEG, at most {MAX_LOGO_BYTES // 1024} KB; printed "
                               "where _header_ or _logo_ stands.")

    def _build_body(self) -> None:
        self.body = TemplateTextEdit(self)
        self.body.setObjectName("wo_template_body")
        self.body.setAccessibleName("Template text")
        self.body.setPlaceholderText("Write the work order as it should print; insert the "
                                     "ticket's values from the macros below.")
        self.body.setAcceptRichText(True)
        self.toolbar = RichTextToolbar(self.body, self)
        self.toolbar.image.setVisible(False)  # no inline pictures: see TemplateTextEdit
        self.addActions(self.toolbar.actions())
        self.macros = MacroPicker(self)
        self.problems_model = ProblemListModel(self)
        self.problems_view = QListView(self)
        self.problems_view.setObjectName("wo_template_problems")
        self.problems_view.setAccessibleName("Problems in the template")
        self.problems_view.setModel(self.problems_model)
        self.problems_view.setWordWrap(True)
        self.problems_view.setAlternatingRowColors(True)
        self.problems_view.setSpacing(2)
        self.no_problems = text_label(self, "wo_template_no_problems", MUTED_STYLE)
        self.no_problems.setText("No problems found: every macro is one the template's "
                                 "ticket types have.")
        problems = QWidget(self)
        column = QVBoxLayout(problems)
        column.setContentsMargins(0, 4, 0, 0)
        column.addWidget(self.no_problems)
        column.addWidget(self.problems_view, 1)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("wo_template_tabs")
        self.tabs.setAccessibleName("Macros and problems")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.macros, palette.icon("mdi6.code-braces"), "Macros")
        self.tabs.addTab(problems, palette.icon("mdi6.alert-outline"), "Problems")
        self.problems_tab = problems

    def _lay_out(self) -> None:
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(6)

        def row(text: str, field: str, widget: QWidget,
                parts: list[QWidget | QHBoxLayout]) -> None:
            """A caption level with ``widget`` (the row's first input), the row's parts,
            and the refusal naming ``field`` under them."""
            caption = QLabel(text, self)
            caption.setMinimumHeight(widget.sizeHint().height())
            message = error_label(self, field)
            caption.setBuddy(widget)
            self.errors.add(field, widget, message)
            at = grid.rowCount()
            grid.addWidget(caption, at, 0, Qt.AlignmentFlag.AlignTop)
            grid.addLayout(message_column(parts, [message]), at, 1)

        row("&Name:", "name", self.name_edit, [self.name_edit])
        row("&Description:", "description", self.description_edit, [self.description_edit])
        logo = QHBoxLayout()
        logo.setContentsMargins(0, 0, 0, 0)
        logo.addWidget(self.logo_label)
        buttons = QVBoxLayout()
        buttons.setSpacing(2)
        buttons.addWidget(self.logo_choose)
        buttons.addWidget(self.logo_remove)
        logo.addLayout(buttons)
        logo.addStretch(1)
        row("&Logo:", "logo_data_uri", self.logo_choose, [logo, self.logo_hint])
        row("&Used for:", "ticket_type_ids", self.default_check,
            [self.default_check, self.types_view])
        self.errors.add("is_default", self.default_check, error_label(self, "is_default"))

        body_caption = QLabel("&Template:", self)
        body_caption.setBuddy(self.body)
        body_error = error_label(self, "body_html")
        self.errors.add("body_html", self.body, body_error)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(body_caption)
        top.addWidget(self.toolbar)
        top.addStretch(1)

        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.delete_button)
        buttons_row.addStretch(1)
        buttons_row.addWidget(self.changes_label)
        buttons_row.addWidget(self.revert_button)
        buttons_row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.notice)
        layout.addLayout(grid)
        layout.addLayout(top)
        layout.addWidget(self.body, 3)
        layout.addWidget(body_error)
        layout.addWidget(self.tabs, 2)
        layout.addWidget(self.errors.general)
        layout.addLayout(buttons_row)

    def _connect(self) -> None:
        for edit in (self.name_edit, self.description_edit):
            edit.textChanged.connect(self._on_input_changed)
        self.default_check.toggled.connect(self._on_types_edited)
        self.types_model.checks_changed.connect(self._on_types_edited)
        self.body.textChanged.connect(self._on_input_changed)
        self.logo_choose.clicked.connect(self._on_logo_choose_clicked)
        self.logo_remove.clicked.connect(self._on_logo_remove_clicked)
        self.macros.macro_chosen.connect(self._on_macros_macro_chosen)
        self.problems_view.doubleClicked.connect(self._on_problems_double_clicked)

    # --- Filling and reading --------------------------------------------------------------

    def show_template(self, draft: TemplateDraft, record: object, title: str,
                      page: TemplatesPage, template_id: uuid.UUID | None) -> None:
        """Fill the form with ``draft`` as its starting point (``record`` None: a template
        to create)."""
        self.start(record, title, CREATE_TEXT)
        self.notice.hide()
        self.generation += 1
        self._saved = draft
        self._filling = True
        try:
            self.name_edit.setText(draft.name)
            self.description_edit.setText(draft.description)
            self.description_edit.setCursorPosition(0)
            self.default_check.setChecked(draft.is_default)
            self.types_model.set_types(page, template_id, draft.ticket_type_ids)
            self._fit_types()
            self.body.setHtml(draft.body_html)
            self.body.document().setModified(False)
            self.body.moveCursor(QTextCursor.MoveOperation.Start)
            self._set_logo(draft.logo_data_uri)
        finally:
            self._filling = False
        self.delete_button.setEnabled(record is not None)
        self.set_problems(())
        self._update_changes()

    def update_types(self, page: TemplatesPage, template_id: uuid.UUID | None) -> None:
        """A fresh read of the types, keeping the ticks as they are."""
        self.types_model.set_types(page, template_id, self.types_model.checked_ids())
        self._fit_types()

    def _fit_types(self) -> None:
        """As tall as the types, up to five (more scroll: a help desk has a handful)."""
        rows = max(1, min(5, self.types_model.rowCount()))
        row_height = max(self.types_view.sizeHintForRow(0), self.fontMetrics().height() + 4)
        self.types_view.setFixedHeight(rows * row_height + 2 * self.types_view.frameWidth()
                                       + 4)

    @property
    def body_edited(self) -> bool:
        return self.body.document().isModified()

    def draft(self) -> TemplateDraft:
        """The form as typed; the body as stored until edited, else as Qt writes it."""
        body = self.body.toHtml() if self.body_edited else self._saved.body_html
        return TemplateDraft(
            name=self.name_edit.text(), description=self.description_edit.text(),
            body_html=body, logo_data_uri=self._logo_uri,
            is_default=self.default_check.isChecked(),
            ticket_type_ids=self.types_model.checked_ids())

    def draft_to_save(self) -> TemplateDraft:
        """``draft`` with an edited body tidied, as it is stored."""
        draft = self.draft()
        if not self.body_edited:
            return draft
        return TemplateDraft(draft.name, draft.description, editor_body(draft.body_html),
                             draft.logo_data_uri, draft.is_default, draft.ticket_type_ids)

    def is_dirty(self) -> bool:
        """Whether leaving would lose something typed."""
        if self.body_edited:
            return True
        saved = self._saved
        return (self.name_edit.text(), self.description_edit.text(), self._logo_uri,
                self.default_check.isChecked(), set(self.types_model.checked_ids())) != (
            saved.name, saved.description, saved.logo_data_uri, saved.is_default,
            set(saved.ticket_type_ids))

    def keep_as_new(self, page: TemplatesPage, notice: str) -> None:
        """The template shown is gone (deleted elsewhere): keep what is typed as a new
        template to create, and say why in the form."""
        self.start(None, NEW_TITLE, CREATE_TEXT)
        self.update_types(page, None)
        self.delete_button.setEnabled(False)
        self.notice.setText(notice)
        self.notice.show()
        self._update_changes()

    def set_sending(self, sending: bool) -> None:
        """While a save is on its way and its template read back, nothing can be typed
        (the form is filled again from what was saved) and nothing sent again. Texts are
        read-only rather than disabled, so the cursor stays where it was."""
        self.sending = sending
        for edit in (self.name_edit, self.description_edit):
            edit.setReadOnly(sending)
        self.body.setReadOnly(sending)
        for widget in (self.default_check, self.types_view, self.logo_choose, self.macros,
                       self.toolbar):
            widget.setEnabled(not sending)
        for action in self.toolbar.actions():  # their keys work on the form too
            action.setEnabled(not sending)
        self.logo_remove.setEnabled(not sending and bool(self._logo_uri))
        self.save_button.setEnabled(not sending)
        self.delete_button.setEnabled(not sending and self.record is not None)
        self._update_changes()

    # --- Logo -----------------------------------------------------------------------------

    def set_logo(self, data_uri: str) -> None:
        """Use the picture of ``data_uri`` ("" for none), as choosing it does."""
        self._set_logo(data_uri)
        self._on_input_changed()

    @property
    def logo_data_uri(self) -> str:
        return self._logo_uri

    def _set_logo(self, data_uri: str) -> None:
        self._logo_uri = data_uri
        picture = logo_bytes(data_uri) if data_uri else None
        image = QImage.fromData(picture) if picture else QImage()
        if image.isNull():
            self.logo_label.setPixmap(QPixmap())
            self.logo_label.setText("No logo")
            palette.set_style(self.logo_label, MUTED_STYLE)
        else:
            ratio = self.devicePixelRatioF() or 1.0
            room = QSize(LOGO_SIZE.width() - 8, LOGO_SIZE.height() - 8) * ratio
            pixmap = QPixmap.fromImage(image.scaled(
                room, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
            pixmap.setDevicePixelRatio(ratio)
            self.logo_label.setText("")
            self.logo_label.setPixmap(pixmap)
        self.logo_remove.setEnabled(bool(data_uri) and not self.sending)

    @Slot()
    def _on_logo_choose_clicked(self) -> None:
        path = choose_logo(self)
        if path is not None:
            self.logo_file_chosen.emit(path)

    @Slot()
    def _on_logo_remove_clicked(self) -> None:
        self.errors.clear()
        self.set_logo("")

    # --- Macros and problems --------------------------------------------------------------

    def insert_macro(self, macro: MacroInfo) -> None:
        """Write ``_name_`` at the cursor (a block's macro on a line of its own)."""
        cursor = self.body.textCursor()
        cursor.beginEditBlock()
        try:
            if macro.group == BLOCK_GROUP and cursor.block().text().strip():
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
                cursor.insertBlock()
            cursor.insertText(macro.macro)
        finally:
            cursor.endEditBlock()
        self.body.setTextCursor(cursor)
        self.body.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_problems(self, problems: tuple[Problem, ...]) -> None:
        self.problems_model.set_entries(problems)
        self.problems_view.setVisible(bool(problems))
        self.no_problems.setVisible(not problems)
        index = self.tabs.indexOf(self.problems_tab)
        self.tabs.setTabText(index, f"Problems ({len(problems)})" if problems else "Problems")
        self.tabs.setTabIcon(index, palette.icon(
            "mdi6.alert-outline", palette.warning_text) if problems
            else palette.icon("mdi6.check-circle-outline"))
        self._mark_macros(tuple(p.macro for p in problems if p.macro is not None))

    def _mark_macros(self, names: tuple[str, ...]) -> None:
        """Underline every unknown macro in the text, as a spelling checker would."""
        marks: list[QTextEdit.ExtraSelection] = []
        underline = QTextCharFormat()
        underline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        underline.setUnderlineColor(QColor(palette.danger()))
        document = self.body.document()
        for name in dict.fromkeys(names):
            cursor = QTextCursor(document)
            while True:
                cursor = document.find(f"_{name}_", cursor,
                                       QTextDocument.FindFlag.FindCaseSensitively)
                if cursor.isNull():
                    break
                mark = QTextEdit.ExtraSelection()
                mark.cursor = cursor
                mark.format = underline
                marks.append(mark)
        self.body.setExtraSelections(marks)

    def find_macro(self, name: str) -> bool:
        """Select the first ``_name_`` in the text; False if there is none."""
        found = self.body.document().find(f"_{name}_", 0,
                                          QTextDocument.FindFlag.FindCaseSensitively)
        if found.isNull():
            return False
        self.body.setTextCursor(found)
        self.body.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    @Slot(object)
    def _on_macros_macro_chosen(self, macro: MacroInfo) -> None:
        self.insert_macro(macro)

    @Slot()
    def _on_problems_double_clicked(self) -> None:
        index = self.problems_view.currentIndex()
        if index.isValid():
            problem = self.problems_model.entry(index.row())
            if problem.macro is not None:
                self.find_macro(problem.macro)

    # --- Changes --------------------------------------------------------------------------

    def _update_changes(self) -> None:
        if self.record is None and self.isEnabled() and self.heading.text():
            self.changes_label.setText(NOT_CREATED)
        else:
            self.changes_label.setText(UNSAVED if self.is_dirty() else "")
        self.revert_button.setEnabled(self.is_dirty() and not self.sending)

    @Slot()
    def _on_types_edited(self) -> None:
        if self._filling:
            return
        self.types_changed.emit()
        self._on_input_changed()

    @Slot()
    def _on_input_changed(self) -> None:
        if self._filling:
            return
        self._update_changes()
        self.draft_changed.emit()

