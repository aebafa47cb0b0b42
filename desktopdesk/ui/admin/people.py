"""The People section: user accounts, one form per person.

Who works where, with which profile, is set in Groups (memberships); here is the
account itself: grouped or independent, its company, super-admin, enabled. Passwords
are the server's business: on a replica, Reset password… asks the server for a new one
(online only, ``password_reset_dialog``); a standalone desktop has none to set.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from desktopdesk.domain.admin_queries import PersonRow
from desktopdesk.domain.commands import Command, CreateUser, UpdateUser
from desktopdesk.models import UserKind
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.credential_access import CredentialAccess
from desktopdesk.ui.admin.org_form import NOBODY, RecordForm, TableSection, add_row, button
from desktopdesk.ui.admin.org_source import PeoplePage, load_people
from desktopdesk.ui.admin.password_reset_dialog import PasswordResetDialog
from desktopdesk.ui.admin.section import SectionAccess
from desktopdesk.ui.combo_data import select_data
from desktopdesk.ui.form_messages import text_label
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_tab_models import EntryTableModel

MUTED = "color: $muted_text;"
KINDS = (
    (UserKind.GROUPED, "Grouped: works in the groups they are a member of"),
    (UserKind.INDEPENDENT, "Independent: files tickets, sees only their own"),
)
NO_SERVER = ("No passwords here: this desktop keeps its own store and nobody signs in "
             "to it.")


class PeopleTableModel(EntryTableModel[PersonRow]):
    USERNAME, FULL_NAME, COMPANY, KIND, ACCOUNT = range(5)
    HEADERS = ("Username", "Full name", "Company", "Kind", "Account")

    def text(self, entry: PersonRow, column: int) -> str:
        match column:
            case self.USERNAME:
                return entry.username
            case self.FULL_NAME:
                return entry.full_name
            case self.COMPANY:
                return entry.company_name
            case self.KIND:
                return "Independent" if entry.kind is UserKind.INDEPENDENT else "Grouped"
        notes = ["Super-admin"] if entry.is_superadmin else []
        if not entry.enabled:
            notes.append("Disabled")
        return ", ".join(notes)

    def dimmed(self, entry: PersonRow) -> bool:
        return not entry.enabled

    def tooltip(self, entry: PersonRow, column: int) -> str | None:
        return None if entry.enabled else f"{entry.full_name} is disabled and cannot sign in."


class PersonForm(RecordForm):
    """One account's properties; the username is set once, when it is created."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("person_form", "User account", parent)
        self.has_server = False
        self.username_edit = self.line_edit("username", "Username", 60)
        self.full_name_edit = self.line_edit("full_name", "Full name", 200)
        self.email_edit = self.line_edit("email", "E-mail", 254)
        self.company_combo = QComboBox(self)
        self.company_combo.setObjectName("person_company")
        self.company_combo.setAccessibleName("Company")
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("person_kind")
        self.kind_combo.setAccessibleName("Kind of user")
        for kind, text in KINDS:
            self.kind_combo.addItem(text, kind)
        self.superadmin_check = self.check_box("superadmin", "Super-admin",
                                               "May set up everything, this section too")
        self.enabled_check = self.check_box("enabled", "Enabled",
                                            "May sign in and be given tickets")
        self.password_button = button(self, "person_reset_password", "Reset password…",
                                      "mdi6.lock-reset",
                                      "Give this person a new password on the server")
        self.password_note = text_label(self, "person_password_note", MUTED)
        self.password_note.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.first_input = self.username_edit

        add_row(self.rows, self.errors, "&Username:", "username", self.username_edit)
        add_row(self.rows, self.errors, "&Full name:", "full_name", self.full_name_edit)
        add_row(self.rows, self.errors, "&E-mail:", "email", self.email_edit)
        add_row(self.rows, self.errors, "&Company:", "company_id", self.company_combo)
        add_row(self.rows, self.errors, "&Kind:", "kind", self.kind_combo)
        add_row(self.rows, self.errors, "&Rights:", "is_superadmin", self.superadmin_check)
        add_row(self.rows, self.errors, "&Account:", "enabled", self.enabled_check)
        password = QVBoxLayout()
        password.setContentsMargins(0, 0, 0, 0)
        password.addWidget(self.password_button, 0, Qt.AlignmentFlag.AlignLeft)
        password.addWidget(self.password_note)
        self.rows.addRow("Password:", password)
        self.finish()

    def show_person(self, page: PeoplePage, person: PersonRow | None) -> None:
        """Fill the form with ``person`` as saved, or empty for a new account."""
        self.start(person, person.full_name if person is not None else "New user",
                   "Create user")
        self.has_server = page.has_server
        self.company_combo.clear()
        self.company_combo.addItem(NOBODY, None)
        for company in page.companies:
            self.company_combo.addItem(company.name, company.id)
        self.username_edit.setText(person.username if person is not None else "")
        self.username_edit.setReadOnly(person is not None)
        self.username_edit.setToolTip("A username cannot be changed once the account "
                                      "exists." if person is not None else "")
        self.full_name_edit.setText(person.full_name if person is not None else "")
        self.email_edit.setText(person.email if person is not None else "")
        select_data(self.company_combo, person.company_id if person is not None else None)
        select_data(self.kind_combo, person.kind if person is not None else UserKind.GROUPED)
        self.superadmin_check.setChecked(person is not None and person.is_superadmin)
        self.enabled_check.setChecked(person is None or person.enabled)
        self.password_button.setVisible(page.has_server and person is not None)
        self.password_note.setText("" if page.has_server else NO_SERVER)
        self.password_note.setVisible(not page.has_server)

    def command(self) -> Command:
        """The Save: the account as the form shows it."""
        values: dict[str, Any] = {
            "full_name": self.full_name_edit.text(), "email": self.email_edit.text().strip(),
            "company_id": self.company_combo.currentData(),
            "kind": self.kind_combo.currentData(),
            "is_superadmin": self.superadmin_check.isChecked(),
            "enabled": self.enabled_check.isChecked()}
        if self.record is None:
            return CreateUser(username=self.username_edit.text(), **values)
        return UpdateUser(user_id=self.record.id, **values)

    def show_password_note(self, text: str) -> None:
        self.password_note.setText(text)
        self.password_note.setVisible(bool(text))


class PeopleSection(TableSection):
    """Every account; the chosen one's properties beside the list."""

    title = "People"
    icon = "mdi6.account-multiple"
    access = SectionAccess.SETUP
    NOTHING_CHOSEN = "Choose a person, or create an account"
    STRETCH_COLUMN = PeopleTableModel.ACCOUNT
    LIST_WIDTH = 520

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("people_section")
        self.setAccessibleName("People")
        self.person_form = PersonForm(self)
        #: Where this replica's sign-in is read; None: the process's shared one.
        self.credentials: CredentialAccess | None = None
        self.password_dialog: PasswordResetDialog | None = None
        self.lay_out(PeopleTableModel(self), self.person_form, "people", "New user",
                     "mdi6.account-plus")
        self.person_form.password_button.clicked.connect(self._on_password_button_clicked)

    def read(self) -> Callable[[], Any]:
        return partial(load_people, self.workspace)

    def entries(self, page: Any) -> Sequence[PersonRow]:
        assert isinstance(page, PeoplePage)
        return page.people

    def fill(self, record: Any) -> None:
        self.person_form.show_person(self.page, record)

    def command(self) -> Command:
        return self.person_form.command()

    @Slot()
    def _on_password_button_clicked(self) -> None:
        person = self.person_form.record
        if not isinstance(person, PersonRow):
            return
        self.person_form.show_password_note("")
        dialog = PasswordResetDialog(self.workspace, person, self.runner,
                                     credentials=self.credentials, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.password_reset.connect(self.person_form.show_password_note)
        dialog.finished.connect(self._on_password_dialog_finished)
        self.password_dialog = dialog
        dialog.open()

    @Slot()
    def _on_password_dialog_finished(self) -> None:
        self.password_dialog = None

    def select_person(self, username: str) -> PersonRow:
        """Choose ``username`` in the list, as a click would."""
        person = self.select(lambda p: p.username == username)
        assert isinstance(person, PersonRow)
        return person
