"""The SLA report's filter bar: group, owner and period (a preset, or days picked by hand).

It holds no figures: it says when the filters changed (``filters_changed``) and which
``SlaMetricsQuery`` they stand for. A preset's days are worked out again each time the
query is asked for, so a window left open overnight moves on with the calendar. Typing a
date changes it at each digit, so picked days are reported once the typing pauses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from desktopdesk.domain.sla_metrics import SlaMetricsQuery
from desktopdesk.ui.combo_data import find_data, select_data
from desktopdesk.ui.sla_report_source import (
    DatePreset,
    ReportChoices,
    period_query,
    preset_days,
)

DATE_SETTLE_MS = 400
DATE_FORMAT = "yyyy/MM/dd"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class SlaReportFilters(QWidget):
    #: A filter changed: the report should be computed again.
    filters_changed = Signal()

    def __init__(self, clock: Callable[[], dt.datetime], zone: dt.tzinfo | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sla_report_filters")
        self.setAccessibleName("Report filters")
        #: "Now" and the zone whose days make a period (this computer's when None).
        self._clock = clock
        self._zone = zone
        self._date_timer = QTimer(self)
        self._date_timer.setObjectName("sla_report_date_timer")
        self._date_timer.setSingleShot(True)
        self._date_timer.setInterval(DATE_SETTLE_MS)
        self._date_timer.timeout.connect(self.filters_changed)

        self.group = self._combo("sla_report_group", "Group")
        self.group.addItem("Any group", None)
        self.owner = self._combo("sla_report_owner", "Owner")
        self.owner.addItem("Anyone", None)
        self.period = self._combo("sla_report_period", "Period")
        for preset in DatePreset:
            self.period.addItem(preset.label, preset)
        self.from_date = self._date_edit("sla_report_from", "From")
        self.to_date = self._date_edit("sla_report_to", "To")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for caption, widget in (("&Group:", self.group), ("&Owner:", self.owner),
                                ("&Period:", self.period), ("&From:", self.from_date),
                                ("&to:", self.to_date)):
            label = QLabel(caption, self)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(6)

        self.set_preset(DatePreset.LAST_30_DAYS)
        self.apply_preset()
        self.group.currentIndexChanged.connect(self._on_combo_changed)
        self.owner.currentIndexChanged.connect(self._on_combo_changed)
        self.period.currentIndexChanged.connect(self._on_period_changed)
        self.from_date.dateChanged.connect(self._on_from_date_changed)
        self.to_date.dateChanged.connect(self._on_to_date_changed)

    def _combo(self, name: str, accessible_name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible_name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    def _date_edit(self, name: str, accessible_name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible_name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(DATE_FORMAT)
        return edit

    # --- The period -----------------------------------------------------------------------

    @property
    def preset(self) -> DatePreset:
        chosen = self.period.currentData()
        return chosen if isinstance(chosen, DatePreset) else DatePreset.CUSTOM

    def today(self) -> dt.date:
        now = self._clock()
        return (now.astimezone(self._zone) if self._zone is not None
                else now.astimezone()).date()

    def set_preset(self, preset: DatePreset) -> None:
        """Choose a period as the combo box does."""
        self.period.setCurrentIndex(find_data(self.period, preset))

    def set_days(self, first: dt.date, last: dt.date) -> None:
        """Custom days, as picking them in the date fields does."""
        self.from_date.setDate(_qdate(first))
        self.to_date.setDate(_qdate(last))

    def apply_preset(self) -> None:
        """Show the days of the chosen preset as of today (custom days stay)."""
        if self.preset is DatePreset.CUSTOM:
            return
        first, last = preset_days(self.preset, self.today())
        for edit, day in ((self.from_date, first), (self.to_date, last)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)

    def query(self) -> SlaMetricsQuery:
        """What the filters select, a preset's days worked out as of today."""
        self._date_timer.stop()
        self.apply_preset()
        return period_query(_pydate(self.from_date.date()), _pydate(self.to_date.date()),
                            self._zone, group_id=self.group.currentData(),
                            owner_id=self.owner.currentData())

    # --- Groups and people ----------------------------------------------------------------

    def offer(self, choices: ReportChoices) -> None:
        """Fill the group and owner boxes, keeping what was chosen (if still offered)."""
        group, owner = self.group.currentData(), self.owner.currentData()
        for combo in (self.group, self.owner):
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
        for choice in choices.groups:
            self.group.addItem(choice.name if choice.has_sla else f"{choice.name} (no SLA)",
                               choice.id)
            if not choice.has_sla:
                self.group.setItemData(self.group.count() - 1,
                                       "This group has no SLA: none of its tickets counts",
                                       Qt.ItemDataRole.ToolTipRole)
        for person in choices.people:
            self.owner.addItem(person.full_name or person.username, person.id)
            self.owner.setItemData(self.owner.count() - 1, person.username,
                                   Qt.ItemDataRole.ToolTipRole)
        select_data(self.group, group)
        select_data(self.owner, owner)
        for combo in (self.group, self.owner):
            combo.blockSignals(False)

    def words(self) -> str:
        """" in Acme and owned by Tomas": the group and owner chosen, for a sentence."""
        words = []
        if self.group.currentData() is not None:
            words.append(f"in {self.group.currentText()}")
        if self.owner.currentData() is not None:
            words.append(f"owned by {self.owner.currentText()}")
        return f" {' and '.join(words)}" if words else ""

    # --- Slots ----------------------------------------------------------------------------

    @Slot()
    def _on_combo_changed(self) -> None:
        self.filters_changed.emit()

    @Slot()
    def _on_period_changed(self) -> None:
        if self.preset is not DatePreset.CUSTOM:
            self.filters_changed.emit()

    @Slot(QDate)
    def _on_from_date_changed(self, day: QDate) -> None:
        if day > self.to_date.date():
            self.to_date.blockSignals(True)
            self.to_date.setDate(day)
            self.to_date.blockSignals(False)
        self._on_days_picked()

    @Slot(QDate)
    def _on_to_date_changed(self, day: QDate) -> None:
        if day < self.from_date.date():
            self.from_date.blockSignals(True)
            self.from_date.setDate(day)
            self.from_date.blockSignals(False)
        self._on_days_picked()

    def _on_days_picked(self) -> None:
        """Picking days by hand makes the period a custom one."""
        self.period.blockSignals(True)
        self.period.setCurrentIndex(find_data(self.period, DatePreset.CUSTOM))
        self.period.blockSignals(False)
        self._date_timer.start()
