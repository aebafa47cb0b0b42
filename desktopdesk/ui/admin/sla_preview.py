"""The SLA editor's preview: "for this ticket, this SLA would give …".

A ticket is picked by number (the groups applying the SLA offer theirs; any ticket the
person may see can be typed); the section evaluates it under the form as typed, saved
or not, and hands the answer here: one sentence, the context it needs, and the ticket's
compliance histogram over its whole life. Nothing here reads the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktopdesk.ui.admin.preview_ticket_picker import PickerWords, PreviewTicketPicker
from desktopdesk.ui.admin.sla_source import SlaPreview, TicketOption, breach_lines
from desktopdesk.ui.form_messages import error_label, heading_label, text_label
from desktopdesk.ui.sla_histogram import SlaHistogram

MUTED_STYLE = "color: $muted_text;"
INTRO = ("Try the SLA as it is in the form, saved or not, on a ticket: how the ticket "
         "would have fared over its whole life. Nothing is saved or sent.")


def _when(moment: dt.datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


class SlaPreviewPanel(QWidget):
    """The ticket picker over the answer for the ticket picked."""

    #: The person asked for a ticket (the text typed or picked: "#12 …").
    ticket_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sla_preview")
        self.setAccessibleName("SLA preview")
        self.heading = heading_label(self, "sla_preview_heading")
        self.heading.setText("Preview")
        intro = text_label(self, "sla_preview_intro", MUTED_STYLE)
        intro.setText(INTRO)
        self.picker = PreviewTicketPicker(PickerWords(
            "sla_preview", "Ticket to preview",
            "Tickets of the groups applying this SLA are offered; any ticket you can see "
            "may be typed.", "Preview", "mdi6.play-outline",
            "Evaluate the ticket under this SLA as typed"), self)
        self.ticket_combo = self.picker.ticket_combo
        self.picker.ticket_requested.connect(self.ticket_requested)
        self.error = error_label(self, "ticket")
        self.summary = text_label(self, "sla_preview_summary")
        self.summary.setAccessibleName("What this SLA would give")
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.details = text_label(self, "sla_preview_details", MUTED_STYLE)
        self.breaches = text_label(self, "sla_preview_breaches")
        self.breaches.setAccessibleName("The breaches, one by one")
        self.histogram = SlaHistogram(self)
        self.histogram.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(intro)
        layout.addWidget(self.picker)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        layout.addWidget(self.histogram)
        layout.addWidget(self.breaches)
        layout.addStretch(1)

    @property
    def ticket_text(self) -> str:
        return self.picker.ticket_text

    def set_options(self, options: Sequence[TicketOption]) -> None:
        self.picker.set_options(options)

    def choose(self, text: str) -> None:
        """Evaluate the ticket ``text`` names, as typing it and pressing Enter does."""
        self.picker.choose(text)

    def show_preview(self, preview: SlaPreview, *, unsaved: bool) -> None:
        """Show ``preview``; ``unsaved``: of a form that differs from the SLA saved."""
        self.error.hide()
        self.summary.setText(preview.summary + ".")
        group = (f"its group applies '{preview.current_sla}' today" if preview.current_sla
                 else "its group applies no SLA today")
        self.details.setText(f"{preview.ticket_label} {preview.title}: opened "
                             f"{_when(preview.opened_at)}; {group}. Evaluated until "
                             f"{_when(preview.evaluation.until)}, working hours read "
                             f"in {preview.rules.working_time.time_zone} time."
                             + (" With the changes not saved yet." if unsaved else ""))
        self.histogram.set_evaluation(preview.evaluation, preview.rules)
        self.histogram.set_range(preview.opened_at, preview.evaluation.until)
        self.histogram.show()
        self.breaches.setText("\n".join(breach_lines(preview)))

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.summary.clear()
        self.details.clear()
        self.breaches.clear()
        self.histogram.set_evaluation(None, None)
        self.histogram.hide()

    def clear(self) -> None:
        """Nothing evaluated (no ticket chosen yet)."""
        self.error.hide()
        self.summary.clear()
        self.details.clear()
        self.breaches.clear()
        self.histogram.hide()
