"""The SLA editor's form: every field of an SLA, each with what it means under it.

The help texts follow the manual's wording where it is right and say how DesktopDesk
counts where it differs (business time, unless "wall clock" asks for Integria's way).
Hours are also read back as a duration ("2 d 4 h", as Integria shows them) and, when
only working hours count, as working days, because 48 hours of a 10-hour working day is
almost a week. Every change says so (``draft_changed``): the preview follows the form
before anything is saved.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.handlers.admin_sla import MAX_DESCRIPTION, MAX_NAME
from desktopdesk.models import SlaType
from desktopdesk.ui.admin.org_form import NOBODY, RecordForm, button
from desktopdesk.ui.admin.sla_source import (
    SLA_TYPE_HELP,
    SLA_TYPE_LABELS,
    SlaDraft,
    SlaPage,
    SlaRow,
    limit_text,
    working_time_text,
)
from desktopdesk.ui.combo_data import select_data
from desktopdesk.ui.form_messages import error_label, message_column, text_label

MUTED_STYLE = "color: $muted_text;"
#: Ten years: limits beyond are never reached (and the engine looks no further).
MAX_HOURS = 87_600.0
MAX_OPEN = 100_000
NOT_CHECKED = "Not checked"

#: (field, label, help) of the three limits in hours.
HOUR_FIELDS = (
    ("max_response_hours", "Max. &response time:",
     "From the ticket's creation, and again from each workunit by its creator, until "
     "someone else writes a workunit (an answer). 0: not checked."),
    ("max_resolution_hours", "Max. re&solution time:",
     "Counted time while the ticket is open, over its whole life: reopening it goes on "
     "from where it stopped. 0: not checked."),
    ("max_inactivity_hours", "Max. &inactivity:",
     "Counted time since the last change by anyone with access (a workunit, a status "
     "change, an edit). 0: not checked."),
)
CHECK_FIELDS = (
    ("no_sla_on_weekends", "No SLA on &weekends",
     "Saturdays and Sundays do not count."),
    ("no_sla_on_holidays", "No SLA on &holidays",
     "The days of the holiday calendar (Administration → Holidays) do not count."),
    ("enforced", "&Enforced",
     "Checked: the ticket's owner is told of a breach (at most once per notification "
     "period, see Settings). Unchecked: informative only: breaches show in the lists and "
     "the ticket's histogram, nobody is told."),
    ("wall_clock", "&Wall-clock counting (as Integria)",
     "For teams migrating from Integria: every hour counts towards the limits, and "
     "working hours, weekends and holidays only delay the moment a breach is declared. "
     "Unchecked, only working time counts."),
)


class SlaForm(RecordForm):
    """One SLA's fields (``record`` None: a new SLA), Save, Revert and Delete."""

    #: Any input changed (also when the form is filled): the preview reads it again.
    draft_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("sla_form", "SLA", parent)
        self._filling = False
        self._time_zone = "UTC"
        self.name_edit = self.line_edit("name", "SLA name", MAX_NAME)
        self.first_input = self.name_edit
        self.description_edit = self.line_edit("description", "Description", MAX_DESCRIPTION)
        self.base_combo = self._combo("base_sla", "Base SLA")
        self.type_combo = self._combo("type", "SLA type")
        for sla_type, label in SLA_TYPE_LABELS.items():
            self.type_combo.addItem(label, int(sla_type))
        self.hour_spins: dict[str, QDoubleSpinBox] = {}
        self.durations: dict[str, QLabel] = {}
        self.open_spin = QSpinBox(self)
        self.open_spin.setObjectName("sla_max_open_tickets")
        self.open_spin.setAccessibleName("Max. tickets open at the same time")
        self.open_spin.setRange(0, MAX_OPEN)
        self.open_spin.setSpecialValueText(NOT_CHECKED)
        self.start_spin = self._hour_spin("day_start_hour", "Working day starts at", 23)
        self.end_spin = self._hour_spin("day_end_hour", "Working day ends at", 24)
        self.checks = {field: self.check_box(field, text.replace("&", ""), tip)
                       for field, text, tip in CHECK_FIELDS}
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        self.grid.setVerticalSpacing(8)
        self.delete_button = button(self, "sla_delete", "Delete…", "mdi6.delete-outline",
                                    "Delete this SLA (only one no group applies)")
        self._build_rows()
        self._connect()
        self.finish()

    # --- Building -------------------------------------------------------------------------

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(f"sla_{name}")
        combo.setAccessibleName(accessible)
        return combo

    def _hour_spin(self, field: str, accessible: str, top: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName(f"sla_{field}")
        spin.setAccessibleName(accessible)
        spin.setRange(0, top)
        spin.setSuffix(":00")
        return spin

    def _hours_spin(self, field: str, accessible: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setObjectName(f"sla_{field}")
        spin.setAccessibleName(accessible)
        spin.setRange(0.0, MAX_HOURS)
        spin.setDecimals(2)
        spin.setSuffix(" h")
        spin.setSpecialValueText(NOT_CHECKED)
        return spin

    def _help(self, field: str, text: str) -> QLabel:
        label = text_label(self, f"sla_help_{field}", MUTED_STYLE)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setText(text)
        return label

    def _row(self, text: str, field: str, widget: QWidget, help_text: str,
             beside: QWidget | None = None) -> QLabel:
        """A row: the input (with ``beside`` it), its help, and the refusal naming
        ``field``; returns the help label (some change with the input)."""
        caption = QLabel(text, self)
        caption.setBuddy(widget)
        widget.setToolTip(help_text)
        help_label = self._help(field, help_text)
        message = error_label(self, field)
        self.errors.add(field, widget, message)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        if isinstance(widget, QAbstractSpinBox):  # a number needs no more room
            line.addWidget(widget)
            if beside is not None:
                line.addWidget(beside)
            line.addStretch(1)
        else:
            line.addWidget(widget, 1)
        self._add_row(caption, message_column([line, help_label], [message]), widget)
        return help_label

    def _add_row(self, caption: QLabel, field: QLayout, first: QWidget) -> None:
        """A caption beside its field, level with the field's first input.

        A grid rather than ``RecordForm``'s form layout: rows of wrapped help texts under
        inputs get their height for the width they really have, without gaps."""
        row = self.grid.rowCount()
        caption.setMinimumHeight(first.sizeHint().height())
        self.grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
        self.grid.addLayout(field, row, 1)

    def _build_rows(self) -> None:
        self._row("&Name:", "name", self.name_edit,
                  "How the SLA is listed, and chosen in a group's settings.")
        self._row("&Description:", "description", self.description_edit,
                  "What it is for (shown to administrators only).")
        self._row("&Base SLA:", "base_sla_id", self.base_combo,
                  "Informative only, as in Integria: the SLA this one was derived from. "
                  "Nothing is inherited from it.")
        self.type_help = self._row("&Type:", "sla_type", self.type_combo,
                                   SLA_TYPE_HELP[SlaType.NORMAL])
        for field, text, help_text in HOUR_FIELDS:
            spin = self._hours_spin(field, text.replace("&", "").rstrip(":"))
            duration = text_label(self, f"sla_duration_{field}", MUTED_STYLE)
            duration.setWordWrap(False)  # short, and a wrapping label beside an input
            # makes the row's height depend on a width the form has not settled yet
            self.hour_spins[field] = spin
            self.durations[field] = duration
            self._row(text, field, spin, help_text, duration)
        self._row("Max. &open tickets:", "max_open_tickets", self.open_spin,
                  "Per group applying this SLA: more tickets open at once than this and the "
                  "group's default owner is told. 0: not checked.")
        hours = QWidget(self)
        hours.setObjectName("sla_working_hours")
        line = QHBoxLayout(hours)
        line.setContentsMargins(0, 0, 0, 0)
        start_error, end_error = error_label(self, "day_start_hour"), error_label(self,
                                                                                  "day_end_hour")
        self.errors.add("day_start_hour", self.start_spin, start_error)
        self.errors.add("day_end_hour", self.end_spin, end_error)
        self.start_spin.setParent(hours)
        self.end_spin.setParent(hours)
        to = QLabel("to", hours)
        to.setBuddy(self.end_spin)
        line.addWidget(self.start_spin)
        line.addWidget(to)
        line.addWidget(self.end_spin)
        line.addStretch(1)
        caption = QLabel("Wor&king day:", self)
        caption.setBuddy(self.start_spin)
        hours_help = ("Whole hours in the SLA time zone (Settings). The same hour twice: the "
                      "whole day. A start after the end: overnight, to the end hour of the "
                      "next morning.")
        for hour_spin in (self.start_spin, self.end_spin):
            hour_spin.setToolTip(hours_help)
        self._add_row(caption, message_column(
            [hours, self._help("working_hours", hours_help)], [start_error, end_error]),
            self.start_spin)
        checks = QWidget(self)
        checks.setObjectName("sla_checks")
        column = QVBoxLayout(checks)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        indent = (self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
                  + self.style().pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing))
        for field, _text, help_text in CHECK_FIELDS:
            check = self.checks[field]
            check.setParent(checks)
            column.addWidget(check)
            help_label = self._help(field, help_text)
            help_label.setParent(checks)
            help_label.setContentsMargins(indent, 0, 0, 6)
            column.addWidget(help_label)
        self.grid.addWidget(checks, self.grid.rowCount(), 0, 1, 2)
        self.working_time = text_label(self, "sla_working_time")
        self.working_time.setAccessibleName("When this SLA counts")
        counting = QLabel("Counting:", self)
        self._add_row(counting, message_column([self.working_time], []), self.working_time)

    def finish(self) -> None:
        """As ``RecordForm``'s, with Delete, and a refusal naming no input (a deletion's)
        on a line of its own: it names groups, and needs the width."""
        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.grid)
        layout.addWidget(self.errors.general)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def _connect(self) -> None:
        for edit in (self.name_edit, self.description_edit):
            edit.textChanged.connect(self._on_input_changed)
        for combo in (self.base_combo, self.type_combo):
            combo.currentIndexChanged.connect(self._on_input_changed)
        for hours in self.hour_spins.values():
            hours.valueChanged.connect(self._on_input_changed)
        for count in (self.start_spin, self.end_spin, self.open_spin):
            count.valueChanged.connect(self._on_input_changed)
        for check in self.checks.values():
            check.toggled.connect(self._on_input_changed)

    # --- Filling and reading --------------------------------------------------------------

    def show_sla(self, record: SlaRow | None, page: SlaPage) -> None:
        """Fill the form with ``record`` as saved (None: a new SLA's defaults)."""
        self.start(record, record.name if record is not None else "New SLA", "Create SLA")
        self._time_zone = page.time_zone
        draft = SlaDraft.of(record) if record is not None else SlaDraft()
        self._filling = True
        try:
            self.base_combo.clear()
            self.base_combo.addItem(NOBODY, None)
            for other in page.slas:
                if record is None or other.id != record.id:
                    self.base_combo.addItem(other.name, other.id)
            self.name_edit.setText(draft.name)
            self.description_edit.setText(draft.description)
            self.description_edit.setCursorPosition(0)  # its start shows, not its end
            select_data(self.base_combo, draft.base_sla_id)
            select_data(self.type_combo, int(draft.sla_type))
            for field, spin in self.hour_spins.items():
                spin.setValue(getattr(draft, field))
            self.open_spin.setValue(draft.max_open_tickets)
            self.start_spin.setValue(draft.day_start_hour)
            self.end_spin.setValue(draft.day_end_hour)
            for field, check in self.checks.items():
                check.setChecked(getattr(draft, field))
        finally:
            self._filling = False
        self.delete_button.setEnabled(record is not None)
        self._on_input_changed()

    def draft(self) -> SlaDraft:
        data = self.base_combo.currentData()
        return SlaDraft(
            name=self.name_edit.text(), description=self.description_edit.text(),
            base_sla_id=data if isinstance(data, uuid.UUID) else None,
            sla_type=SlaType(self.type_combo.currentData()),
            max_response_hours=self.hour_spins["max_response_hours"].value(),
            max_resolution_hours=self.hour_spins["max_resolution_hours"].value(),
            max_inactivity_hours=self.hour_spins["max_inactivity_hours"].value(),
            max_open_tickets=self.open_spin.value(),
            day_start_hour=self.start_spin.value(), day_end_hour=self.end_spin.value(),
            **{field: check.isChecked() for field, check in self.checks.items()})

    @property
    def sla_id(self) -> uuid.UUID | None:
        return self.record.id if isinstance(self.record, SlaRow) else None

    def set_sending(self, sending: bool) -> None:
        self.save_button.setEnabled(not sending)
        self.delete_button.setEnabled(not sending and self.record is not None)

    @Slot()
    def _on_input_changed(self) -> None:
        if self._filling:
            return
        draft = self.draft()
        self.type_help.setText(SLA_TYPE_HELP[draft.sla_type])
        for field, label in self.durations.items():
            label.setText(limit_text(getattr(draft, field), draft))
        self.working_time.setText(working_time_text(draft, self._time_zone))
        self.draft_changed.emit()

