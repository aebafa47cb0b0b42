"""The template editor's live preview: the work order a ticket would get from the form.

A ticket is picked by number (those of the template's types are offered; any ticket the
person may see can be typed); the section prints it with the form as typed, saved or not,
and hands the PDF here, to show page by page. Nothing here reads the store.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from desktopdesk.ui.admin.preview_ticket_picker import PickerWords, PreviewTicketPicker
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
        self.picker = PreviewTicketPicker(PickerWords(
            "wo_template_preview", "Ticket to print",
            "Tickets of the template's types are offered; any ticket you can see may be "
            "typed.", "Refresh", "mdi6.refresh",
            "Print the ticket again with the template as typed"), self)
        self.ticket_combo = self.picker.ticket_combo
        self.picker.ticket_requested.connect(self.ticket_requested)
        self.error = error_label(self, "ticket")
        self.summary = text_label(self, "wo_template_preview_summary", MUTED_STYLE)
        self.summary.setAccessibleName("What the preview shows")
        self.pages = PdfPagesView(runner, self, placeholder=NO_TICKET)
        picker = QHBoxLayout()
        picker.addWidget(self.heading)
        picker.addSpacing(8)
        picker.addWidget(self.picker, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(picker)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)
        layout.addWidget(self.pages, 1)

    @property
    def ticket_text(self) -> str:
        return self.picker.ticket_text

    def set_options(self, options: Sequence[TicketOption]) -> None:
        self.picker.set_options(options)

    def choose(self, text: str) -> None:
        """Print the ticket ``text`` names, as typing it and pressing Enter does."""
        self.picker.choose(text)

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
