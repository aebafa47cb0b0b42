"""The template editor's live preview: the work order a ticket would get from the form.

A ticket is picked by number (those of the template's types are offered; any ticket the
person may see can be typed); the section prints it with the form as typed, saved or not,
and hands the PDF here, to show page by page. Nothing here reads the store.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from desktopdesk.ui.admin.org_form import button
from desktopdesk.ui.admin.sla_source import TicketOption
from desktopdesk.ui.admin.work_order_template_source import TemplatePreview
from desktopdesk.ui.form_messages import error_label, heading_label, text_label
from desktopdesk.ui.pdf_view import PdfPagesView
from desktopdesk.ui.tasks import TaskRunner

MUTED_STYLE = "color: $muted_text;"
NO_TICKET = "Choose a ticket above to see its work order printed with this template."


class TemplatePreviewPanel(QWidget):
    """The ticket picker over the pages printed for it."""

    #: The person asked for a ticket (the text typed or picked: "#12 …").
    ticket_requested = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wo_template_preview")
        self.setAccessibleName("Work-order preview")
        self.heading = heading_label(self, "wo_template_preview_heading")
        self.heading.setText("Preview")
        self.ticket_combo = QComboBox(self)
        self.ticket_combo.setObjectName("wo_template_preview_ticket")
        self.ticket_combo.setAccessibleName("Ticket to print")
        self.ticket_combo.setEditable(True)
        self.ticket_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.ticket_combo.setMinimumContentsLength(8)  # the number shows; it widens
        self.ticket_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        line_edit = self.ticket_combo.lineEdit()
        assert line_edit is not None
        line_edit.setPlaceholderText("Ticket number (#12), or pick one")
        self.ticket_combo.setToolTip("Tickets of the template's types are offered; any "
                                     "ticket you can see may be typed.")
        self.show_button = button(self, "wo_template_preview_show", "Refresh", "mdi6.refresh",
                                  "Print the ticket again with the template as typed")
        self.error = error_label(self, "ticket")
        self.summary = text_label(self, "wo_template_preview_summary", MUTED_STYLE)
        self.summary.setAccessibleName("What the preview shows")
        self.pages = PdfPagesView(runner, self, placeholder=NO_TICKET)
        self._requested = ""
        picker = QHBoxLayout()
        picker.addWidget(self.heading)
        picker.addSpacing(8)
        picker.addWidget(self.ticket_combo, 1)
        picker.addWidget(self.show_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(picker)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)
        layout.addWidget(self.pages, 1)
        self.show_button.clicked.connect(self._on_show_button_clicked)
        self.ticket_combo.activated.connect(self._on_ticket_combo_activated)
        line_edit.returnPressed.connect(self._on_show_button_clicked)

    @property
    def ticket_text(self) -> str:
        return self.ticket_combo.currentText().strip()

    def set_options(self, options: Sequence[TicketOption]) -> None:
        """Offer ``options``, keeping what is typed."""
        typed = self.ticket_combo.currentText()
        was = self.ticket_combo.blockSignals(True)
        try:
            self.ticket_combo.clear()
            for option in options:
                self.ticket_combo.addItem(option.text, option.id)
            self.ticket_combo.setCurrentIndex(-1)
            self.ticket_combo.setEditText(typed)
        finally:
            self.ticket_combo.blockSignals(was)

    def choose(self, text: str) -> None:
        """Print the ticket ``text`` names, as typing it and pressing Enter does ("#12"
        shows as the ticket offered, title and all)."""
        offered = next((self.ticket_combo.itemText(i) for i in range(self.ticket_combo.count())
                        if self.ticket_combo.itemText(i).split(" ", 1)[0] == text.strip()),
                       text)
        self.ticket_combo.setEditText(offered)
        self._on_show_button_clicked()

    def set_busy(self, busy: bool) -> None:
        self.pages.set_busy(busy, "Printing…")

    def show_preview(self, preview: TemplatePreview, *, unsaved: bool) -> None:
        """Show ``preview``; ``unsaved``: of a form that differs from the template saved."""
        self.error.hide()
        pages = "1 page" if preview.page_count == 1 else f"{preview.page_count} pages"
        state = "with the changes not saved yet" if unsaved else "as saved"
        self.summary.setText(f"The work order of {preview.ticket_label}: {pages}, "
                             f"printed with the template {state}.")
        self.pages.set_pdf(preview.pdf)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.summary.clear()
        self.pages.set_pdf(None)

    def clear(self) -> None:
        """Nothing printed (no template or no ticket chosen)."""
        self.error.hide()
        self.summary.clear()
        self.pages.set_pdf(None)

    @Slot()
    def _on_show_button_clicked(self) -> None:
        if self.ticket_text:
            line_edit = self.ticket_combo.lineEdit()
            if line_edit is not None:
                line_edit.setCursorPosition(0)  # the number shows, not the title's end
            self._requested = self.ticket_text
            self.ticket_requested.emit(self.ticket_text)

    @Slot(int)
    def _on_ticket_combo_activated(self, _index: int) -> None:
        # An editable combo also says "activated" when it loses the focus with an offered
        # ticket typed: printing the same ticket again then would be for nothing.
        if self.ticket_text != self._requested:
            self._on_show_button_clicked()
