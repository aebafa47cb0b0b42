"""The Profiles section: named sets of ticket rights, granted per group in Groups.

A person's rights in a group are the union of the profiles they hold there (and in the
groups above it); the hourly rate costs the workunits filed under the profile.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QVBoxLayout, QWidget

from desktopdesk.domain.admin_queries import ProfileRow
from desktopdesk.domain.commands import Command, CreateProfile, UpdateProfile
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.org_form import RecordForm, TableSection, add_row
from desktopdesk.ui.admin.org_source import load_profiles
from desktopdesk.ui.admin.section import SectionAccess
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_tab_models import EntryTableModel

MAX_RATE = 1_000_000.0
#: (command field, column and check box text, what it allows).
ACCESS_BITS = (
    ("can_view", "View", "See the group's tickets"),
    ("can_edit", "Edit", "File tickets in the group and work on them"),
    ("can_manage", "Manage", "Assign, reopen, delete and change anyone's tickets; design "
                             "ticket types"),
    ("can_escalate", "Escalate", "Move tickets into the group and file them there"),
    ("can_qa", "QA", "See the evaluations of closed tickets; award medals"),
)
YES = "✓"


class ProfileTableModel(EntryTableModel[ProfileRow]):
    NAME = 0
    RATE = len(ACCESS_BITS) + 1
    HEADERS = ("Profile", *(text for _f, text, _t in ACCESS_BITS), "Hourly rate")

    def text(self, entry: ProfileRow, column: int) -> str:
        if column == self.NAME:
            return entry.name
        if column == self.RATE:
            return f"{entry.hourly_rate:.2f}"
        return YES if getattr(entry, ACCESS_BITS[column - 1][0]) else ""

    def tooltip(self, entry: ProfileRow, column: int) -> str | None:
        if column in (self.NAME, self.RATE):
            return None
        field, text, allows = ACCESS_BITS[column - 1]
        return f"{text}: {allows.lower()}" if getattr(entry, field) else f"No {text.lower()}"

    def sort_key(self, entry: ProfileRow, column: int) -> Any:
        if column == self.RATE:
            return entry.hourly_rate
        return super().sort_key(entry, column)

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        if column == self.NAME:
            return None
        horizontal = Qt.AlignmentFlag.AlignRight if column == self.RATE else \
            Qt.AlignmentFlag.AlignHCenter
        return horizontal | Qt.AlignmentFlag.AlignVCenter


class ProfileForm(RecordForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("profile_form", "Profile", parent)
        self.name_edit = self.line_edit("name", "Profile name", 100)
        self.first_input = self.name_edit
        self.bits = {field: self.check_box(field.removeprefix("can_"), f"{text}: {allows}")
                     for field, text, allows in ACCESS_BITS}
        self.rate_spin = QDoubleSpinBox(self)
        self.rate_spin.setObjectName("profile_hourly_rate")
        self.rate_spin.setAccessibleName("Hourly rate")
        self.rate_spin.setRange(0, MAX_RATE)
        self.rate_spin.setDecimals(2)
        self.rate_spin.setSuffix(" per hour")
        self.rate_spin.setToolTip("What an hour of work under this profile costs, for "
                                  "workunits marked as having a cost")
        add_row(self.rows, self.errors, "&Name:", "name", self.name_edit)
        rights = QWidget(self)
        rights.setObjectName("profile_rights")
        column = QVBoxLayout(rights)
        column.setContentsMargins(0, 0, 0, 0)
        for check in self.bits.values():
            check.setParent(rights)
            column.addWidget(check)
        self.rows.addRow("Rights:", rights)
        add_row(self.rows, self.errors, "Hourly &rate:", "hourly_rate", self.rate_spin)
        self.finish()

    def show_profile(self, profile: ProfileRow | None) -> None:
        self.start(profile, profile.name if profile is not None else "New profile",
                   "Create profile")
        self.name_edit.setText(profile.name if profile is not None else "")
        for field, check in self.bits.items():
            check.setChecked(profile is not None and bool(getattr(profile, field)))
        self.rate_spin.setValue(profile.hourly_rate if profile is not None else 0.0)

    def command(self) -> Command:
        values: dict[str, Any] = {field: check.isChecked() for field, check in self.bits.items()}
        values["name"] = self.name_edit.text()
        values["hourly_rate"] = self.rate_spin.value()
        if self.record is None:
            return CreateProfile(**values)
        return UpdateProfile(profile_id=self.record.id, **values)


class ProfilesSection(TableSection):
    title = "Profiles"
    icon = "mdi6.shield-account-outline"
    access = SectionAccess.SETUP
    NOTHING_CHOSEN = "Choose a profile, or create one"
    LIST_WIDTH = 470

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("profiles_section")
        self.setAccessibleName("Profiles")
        self.profile_form = ProfileForm(self)
        self.lay_out(ProfileTableModel(self), self.profile_form, "profiles", "New profile",
                     "mdi6.shield-plus-outline")

    def read(self) -> Callable[[], Any]:
        return partial(load_profiles, self.workspace)

    def entries(self, page: Any) -> Sequence[ProfileRow]:
        return tuple(page)

    def fill(self, record: Any) -> None:
        self.profile_form.show_profile(record)

    def command(self) -> Command:
        return self.profile_form.command()
