"""The SLA editor's preview: "for this ticket, this SLA would give …".

A ticket is picked by number (the groups applying the SLA offer theirs; any ticket the
person may see can be typed); the section evaluates it under the form as typed, saved
or not, and hands the answer here: one sentence, the context it needs, and the ticket's
compliance histogram over its whole life. Nothing here reads the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.ui.admin.org_form import button
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
        self.ticket_combo = QComboBox(self)
        self.ticket_combo.setObjectName("sla_preview_ticket")
        self.ticket_combo.setAccessibleName("Ticket to preview")
        self.ticket_combo.setEditable(True)
        self.ticket_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line_edit = self.ticket_combo.lineEdit()
        assert line_edit is not None
        line_edit.setPlaceholderText("Ticket number (#12), or pick one")
        self.ticket_combo.setToolTip("Tickets of the groups applying this SLA are offered; "
                                     "any ticket you can see may be typed.")
        self.show_button = button(self, "sla_preview_show", "Preview", "mdi6.play-outline",
                                  "Evaluate the ticket under this SLA as typed")
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
        picker = QHBoxLayout()
        picker.addWidget(self.ticket_combo, 1)
        picker.addWidget(self.show_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(intro)
        layout.addLayout(picker)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        layout.addWidget(self.histogram)
        layout.addWidget(self.breaches)
        layout.addStretch(1)
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
        """Pick the ticket ``text`` names, as typing it and pressing Enter does."""
        self.ticket_combo.setEditText(text)
        self._on_show_button_clicked()

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

    @Slot()
    def _on_show_button_clicked(self) -> None:
        if self.ticket_text:
            line_edit = self.ticket_combo.lineEdit()
            if line_edit is not None:
                line_edit.setCursorPosition(0)  # the number shows, not the title's end
            self.ticket_requested.emit(self.ticket_text)

    @Slot(int)
    def _on_ticket_combo_activated(self, _index: int) -> None:
        self._on_show_button_clicked()
