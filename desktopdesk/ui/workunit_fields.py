"""The manual's workunit fields below the text: time used, profile, private, internal,
cost, shared with, date of completion and files to attach.

A panel of its own so the editor module stays about text, drafts and adding. It knows
defaults (from ``EditorContext``) and how to show a refusal beside a field; the rules
themselves stay in AddWorkunit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDateTime, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from desktopdesk.domain.workunit_rules import MAX_HOURS
from desktopdesk.store.drafts import DraftShare, WorkunitDraft
from desktopdesk.ui.combo_data import find_data
from desktopdesk.ui.files_to_attach import FilesToAttach
from desktopdesk.ui.form_messages import error_label, message_column
from desktopdesk.ui.share_picker import Search, SharePicker
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.workunit_source import EditorContext

#: The "long" date format of the desktop setting (yyyy/mm/dd), in local time.
DATE_FORMAT = "yyyy/MM/dd HH:mm"
#: Error labels this panel shows, by the name the editor maps command fields to.
FIELD_ERRORS = ("hours", "profile", "shared_with", "completed_at", "attachments")


@dataclass(frozen=True)
class FieldValues:
    hours: float
    is_private: bool
    is_internal: bool
    has_cost: bool
    profile_id: uuid.UUID | None
    shares: tuple[DraftShare, ...]
    completed_at: dt.datetime | None
    files: tuple[Path, ...]


class WorkunitFields(QWidget):
    #: The person changed a field (setting values from code does not count).
    changed = Signal()

    def __init__(self, runner: TaskRunner, search: Search, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workunit_fields")
        self.setAccessibleName("Workunit details")
        self._context: EditorContext | None = None
        self._filling = False
        self._completion_touched = False
        self._errors = {name: error_label(self, name) for name in FIELD_ERRORS}

        self.hours = QDoubleSpinBox(self)
        self.hours.setObjectName("workunit_hours")
        self.hours.setAccessibleName("Time used in hours")
        self.hours.setRange(0.0, MAX_HOURS)
        self.hours.setDecimals(2)
        self.hours.setSingleStep(0.25)
        self.hours.setSuffix(" h")
        self.profile = QComboBox(self)
        self.profile.setObjectName("workunit_profile")
        self.profile.setAccessibleName("Profile")
        self.profile.setToolTip("The profile whose hourly rate costs this work.")
        self.private = self._check("private", "Private",
                                   "Only you, the people you share it with and the group's "
                                   "managers will see it.")
        self.internal = self._check("internal", "Internal",
                                    "Never shown to the person who opened the ticket.")
        self.cost = self._check("cost", "Cost", "Counts towards the ticket's cost.")
        self.shared_with = SharePicker(runner, search, self)
        self.completed_at = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.completed_at.setObjectName("workunit_completed_at")
        self.completed_at.setAccessibleName("Date of completion")
        self.completed_at.setCalendarPopup(True)
        self.completed_at.setDisplayFormat(DATE_FORMAT)
        self.file_list = FilesToAttach("workunit_attachments", "button_attach_files",
                                   "button_remove_attachment", self)
        self.attachments = self.file_list.list
        self.attach_button = self.file_list.attach_button
        self.remove_attachment_button = self.file_list.remove_button
        self._lay_out()

        self.hours.valueChanged.connect(self._on_field_changed)
        self.profile.currentIndexChanged.connect(self._on_field_changed)
        for box in (self.private, self.internal, self.cost):
            box.toggled.connect(self._on_field_changed)
        self.shared_with.changed.connect(self._on_field_changed)
        self.completed_at.dateTimeChanged.connect(self._on_completed_at_date_time_changed)
        self.file_list.added.connect(self._on_file_list_added)
        self.file_list.removed.connect(self._on_field_changed)

    def _lay_out(self) -> None:
        time_row = QHBoxLayout()
        time_row.addWidget(self.hours)
        time_row.addSpacing(16)
        profile_label = QLabel("&Profile:", self)
        profile_label.setBuddy(self.profile)
        time_row.addWidget(profile_label)
        time_row.addWidget(self.profile, 1)
        checks = QHBoxLayout()
        for box in (self.private, self.internal, self.cost):
            checks.addWidget(box)
        checks.addStretch(1)

        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._row("&Time used:", self.hours, time_row, "hours", "profile")
        self._row("", None, checks)
        self._row("&Shared with:", self.shared_with, self.shared_with, "shared_with")
        self._completion_row = self._row("&Date of completion:", self.completed_at,
                                         self.completed_at, "completed_at")
        self._row("&Attachments:", self.attachments, self.file_list, "attachments")

    def _row(self, label: str, buddy: QWidget | None, field: QWidget | QHBoxLayout,
             *errors: str) -> int:
        caption = QLabel(label, self)
        if buddy is not None:
            caption.setBuddy(buddy)
        self.form.addRow(caption, message_column([field],
                                                 [self._errors[name] for name in errors]))
        return self.form.rowCount() - 1

    def _check(self, key: str, text: str, tip: str) -> QCheckBox:
        box = QCheckBox(text, self)
        box.setObjectName(f"workunit_{key}")
        box.setAccessibleName(text)
        box.setToolTip(tip)
        return box

    # --- Values ---------------------------------------------------------------------------

    def set_context(self, context: EditorContext) -> None:
        self._context = context
        self._filling = True
        try:
            self.profile.clear()
            self.profile.addItem("No profile", None)
            for choice in context.profiles:
                self.profile.addItem(choice.name, choice.id)
        finally:
            self._filling = False
        self.form.setRowVisible(self._completion_row, context.completion_date_enabled)
        self._errors["completed_at"].hide()  # setRowVisible shows every widget of the row
        self.reset()

    def reset(self) -> None:
        """Defaults for a new workunit: the setting's time, one's only profile if one."""
        if self._context is None:
            return
        self._filling = True
        try:
            self.hours.setValue(self._context.default_hours)
            for box in (self.private, self.internal, self.cost):
                box.setChecked(False)
            self.profile.setCurrentIndex(1 if len(self._context.profiles) == 1 else 0)
            self.shared_with.set_shares(())
            self.completed_at.setDateTime(QDateTime.currentDateTime())
            self._completion_touched = False
            self.file_list.clear()
        finally:
            self._filling = False

    def apply_draft(self, draft: WorkunitDraft) -> None:
        self._filling = True
        try:
            if draft.hours is not None:
                self.hours.setValue(draft.hours)
            self.private.setChecked(draft.is_private)
            self.internal.setChecked(draft.is_internal)
            self.cost.setChecked(draft.has_cost)
            index = find_data(self.profile, draft.profile_id)
            if index >= 0:
                self.profile.setCurrentIndex(index)
            self.shared_with.set_shares(draft.shared_with)
            if draft.completed_at is not None:
                self.completed_at.setDateTime(
                    QDateTime.fromSecsSinceEpoch(int(draft.completed_at.timestamp())))
                self._completion_touched = True
            self.file_list.clear()
            for name in draft.attachment_paths:
                if Path(name).is_file():  # a file since moved is not guessed at
                    self.add_attachment(Path(name))
        finally:
            self._filling = False

    def values(self) -> FieldValues:
        return FieldValues(
            hours=self.hours.value(), is_private=self.private.isChecked(),
            is_internal=self.internal.isChecked(), has_cost=self.cost.isChecked(),
            profile_id=self.profile.currentData(), shares=self.shared_with.shares(),
            completed_at=self._completion_value(), files=tuple(self.attachment_paths()))

    def _completion_value(self) -> dt.datetime | None:
        """Only a date the person set: untouched, the workunit was done when written."""
        if (self._context is None or not self._context.completion_date_enabled
                or not self._completion_touched):
            return None
        seconds = self.completed_at.dateTime().toSecsSinceEpoch()
        return dt.datetime.fromtimestamp(seconds, dt.UTC)

    def add_attachment(self, path: Path) -> None:
        """Queue ``path`` to be attached when the workunit is added (once per path)."""
        self.file_list.add(path)

    def attachment_paths(self) -> list[Path]:
        return self.file_list.paths()

    # --- Refusals -------------------------------------------------------------------------

    def show_error(self, name: str, message: str) -> bool:
        """Show ``message`` beside field ``name``; False if this panel has no such field."""
        label = self._errors.get(name)
        if label is None:
            return False
        label.setText(message)
        label.show()
        return True

    def clear_errors(self) -> None:
        for label in self._errors.values():
            label.hide()

    # --- Slots ----------------------------------------------------------------------------

    @Slot()
    def _on_field_changed(self) -> None:
        if not self._filling:
            self.changed.emit()

    @Slot(QDateTime)
    def _on_completed_at_date_time_changed(self, _value: QDateTime) -> None:
        if not self._filling:
            self._completion_touched = True
        self._on_field_changed()

    @Slot()
    def _on_file_list_added(self) -> None:
        self._errors["attachments"].hide()
        self._on_field_changed()
