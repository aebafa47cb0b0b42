"""The People, Companies and Profiles sections, driven through their real widgets over
the ``org`` workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QCheckBox, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.domain.commands import UpdateUser
from desktopdesk.models import Company, Profile, User, UserKind
from desktopdesk.store.workspace import Role
from desktopdesk.ui.admin.companies import CompaniesSection
from desktopdesk.ui.admin.org_form import TableSection
from desktopdesk.ui.admin.org_source import load_people
from desktopdesk.ui.admin.people import PeopleSection, PeopleTableModel
from desktopdesk.ui.admin.profiles import ProfilesSection
from desktopdesk.ui.tasks import TaskRunner
from tests.conftest import Org
from tests.ui.test_ticket_create_dialog import choose

#: The offscreen platform says so when a top-level window with a splitter is shown.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

MakeSection = Callable[[type[TableSection]], TableSection]


@pytest.fixture
def make_section(qtbot: QtBot, org: Org) -> Iterator[MakeSection]:
    """A section as the administrator sees it, read and shown."""
    runner = TaskRunner()

    def make(cls: type[TableSection]) -> TableSection:
        section = cls(org.ws, org.admin, runner)
        qtbot.addWidget(section)
        section.resize(1000, 700)
        section.show()
        with qtbot.waitSignal(section.loaded, timeout=10_000):
            section.reload()
        return section

    yield make
    runner.wait_for_done()


@pytest.fixture
def people(make_section: MakeSection) -> PeopleSection:
    section = make_section(PeopleSection)
    assert isinstance(section, PeopleSection)
    return section


def type_into(qtbot: QtBot, widget: QLineEdit | QAbstractSpinBox, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def toggle(qtbot: QtBot, check: QCheckBox) -> None:
    """Tick or untick with the keyboard (a click would have to find the box itself)."""
    check.setFocus()
    qtbot.keyClick(check, Qt.Key.Key_Space)


def save(qtbot: QtBot, section: TableSection) -> None:
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        qtbot.mouseClick(section.form.save_button, Qt.MouseButton.LeftButton)


def refused(qtbot: QtBot, section: TableSection) -> str:
    with qtbot.waitSignal(section.save_failed, timeout=10_000) as failed:
        qtbot.mouseClick(section.form.save_button, Qt.MouseButton.LeftButton)
    message = failed.args[0]
    assert isinstance(message, str)
    return message


def list_texts(section: TableSection, column: int = 0) -> list[str]:
    model = section.model
    return [model.index(row, column).data() for row in range(model.rowCount())]


def stored_user(org: Org, username: str) -> User:
    with org.ws.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        session.expunge(user)
        return user


# --- Users --------------------------------------------------------------------------------


def test_the_last_super_admin_cannot_be_disabled_and_says_why(
    qtbot: QtBot, org: Org, people: PeopleSection,
) -> None:
    form = people.person_form
    people.select_person("admin")
    assert form.enabled_check.isChecked()
    toggle(qtbot, form.enabled_check)

    message = refused(qtbot, people)

    assert "Administrator is the last enabled super-admin and cannot be disabled" in message
    assert form.errors.text("enabled") == message
    assert not form.enabled_check.isChecked()  # what was chosen stays chosen
    assert stored_user(org, "admin").enabled


def test_a_second_super_admin_lets_the_first_be_demoted(
    qtbot: QtBot, org: Org, people: PeopleSection,
) -> None:
    form = people.person_form
    people.select_person("ramon")
    toggle(qtbot, form.superadmin_check)
    save(qtbot, people)
    assert stored_user(org, "ramon").is_superadmin
    people.select_person("admin")
    toggle(qtbot, form.superadmin_check)
    save(qtbot, people)
    assert not stored_user(org, "admin").is_superadmin
    row = list_texts(people).index("admin")
    assert people.model.index(row, PeopleTableModel.ACCOUNT).data() == ""


def test_a_user_is_created_with_their_company_and_kind(
    qtbot: QtBot, org: Org, people: PeopleSection,
) -> None:
    form = people.person_form
    qtbot.mouseClick(people.new_button, Qt.MouseButton.LeftButton)
    assert form.heading.text() == "New user"
    assert form.username_edit.hasFocus()
    assert not form.username_edit.isReadOnly()
    qtbot.keyClicks(form.username_edit, "acme.dora")
    qtbot.keyClicks(form.full_name_edit, "Dora Diaz")
    qtbot.keyClicks(form.email_edit, "dora@acme.example")
    choose(qtbot, form.company_combo, "Acme")
    choose(qtbot, form.kind_combo, "Independent: files tickets, sees only their own")
    save(qtbot, people)

    assert "acme.dora" in list_texts(people)
    assert form.heading.text() == "Dora Diaz"  # the new account is the one shown
    assert form.username_edit.isReadOnly()
    dora = stored_user(org, "acme.dora")
    assert (dora.full_name, dora.email, dora.company_id, dora.kind) == (
        "Dora Diaz", "dora@acme.example", org.acme_company, UserKind.INDEPENDENT)


def test_a_bad_username_is_refused_beside_it(
    qtbot: QtBot, people: PeopleSection,
) -> None:
    form = people.person_form
    qtbot.mouseClick(people.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.username_edit, "-no")
    qtbot.keyClicks(form.full_name_edit, "No One")
    message = refused(qtbot, people)
    assert form.errors.text("username") == message
    assert "A username is 2-60 characters" in message
    assert form.username_edit.text() == "-no"
    assert form.heading.text() == "New user"


def test_a_re_read_keeps_the_account_being_edited_as_typed(
    qtbot: QtBot, org: Org, people: PeopleSection,
) -> None:
    form = people.person_form
    people.select_person("tomas")
    type_into(qtbot, form.full_name_edit, "Tomas Ortega")
    org.do(UpdateUser(user_id=org.tomas, full_name="Tomas", email="t.ortega@example.com",
                      company_id=org.acme_company, kind=UserKind.GROUPED,
                      is_superadmin=False, enabled=True), org.admin)

    with qtbot.waitSignal(people.loaded, timeout=10_000):
        people.reload()  # as after a sync

    assert form.full_name_edit.text() == "Tomas Ortega"
    assert form.email_edit.text() == "t.ortega@example.com"
    assert form.company_combo.currentText() == "Acme"


def test_a_disabled_user_is_greyed_in_the_list(
    qtbot: QtBot, org: Org, people: PeopleSection,
) -> None:
    people.select_person("outsider")
    toggle(qtbot, people.person_form.enabled_check)
    save(qtbot, people)
    assert not stored_user(org, "outsider").enabled
    row = list_texts(people).index("outsider")
    index = people.model.index(row, PeopleTableModel.ACCOUNT)
    assert index.data() == "Disabled"
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "cannot sign in" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_without_a_server_there_is_no_password_to_reset(people: PeopleSection) -> None:
    people.select_person("javi")
    form = people.person_form
    assert form.password_button.isHidden()
    assert form.password_note.isVisible()
    assert "No passwords here" in form.password_note.text()


def test_on_a_replica_reset_password_says_how_the_server_sets_it(
    qtbot: QtBot, org: Org, make_section: MakeSection,
) -> None:
    org.ws.set_info("role", Role.REPLICA)
    assert load_people(org.ws).has_server
    section = make_section(PeopleSection)
    assert isinstance(section, PeopleSection)
    section.select_person("javi")
    form = section.person_form
    assert form.password_button.isVisible()
    assert form.password_note.isHidden()

    qtbot.mouseClick(form.password_button, Qt.MouseButton.LeftButton)

    assert form.password_note.isVisible()
    assert "desktopdesk-server set-password --data-dir DATA_DIR javi" in \
        form.password_note.text()
    assert "kept on the server" in form.password_note.text()


# --- Companies ----------------------------------------------------------------------------


def test_a_company_is_created_then_renamed_and_a_clash_refused(
    qtbot: QtBot, org: Org, make_section: MakeSection,
) -> None:
    section = make_section(CompaniesSection)
    assert isinstance(section, CompaniesSection)
    form = section.company_form
    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.name_edit, "Globex")
    save(qtbot, section)
    assert list_texts(section) == ["Acme", "Globex", "Northwind Support"]
    assert form.heading.text() == "Globex"

    type_into(qtbot, form.name_edit, "Globex Corporation")
    section.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is section)
    with qtbot.waitSignal(section.loaded, timeout=10_000):  # Ctrl+S saves too
        qtbot.keyClick(form.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert list_texts(section) == ["Acme", "Globex Corporation", "Northwind Support"]

    type_into(qtbot, form.name_edit, "acme")
    message = refused(qtbot, section)
    assert form.errors.text("name") == message
    assert "already a company called 'acme'" in message
    with org.ws.read() as session:
        assert sorted(session.scalars(select(Company.name))) == [
            "Acme", "Globex Corporation", "Northwind Support"]


# --- Profiles -----------------------------------------------------------------------------


def test_a_profile_gets_its_rights_and_hourly_rate(
    qtbot: QtBot, org: Org, make_section: MakeSection,
) -> None:
    section = make_section(ProfilesSection)
    assert isinstance(section, ProfilesSection)
    form = section.profile_form
    section.select(lambda p: p.name == "Escalate")
    assert form.bits["can_escalate"].isChecked()
    assert not form.bits["can_qa"].isChecked()
    toggle(qtbot, form.bits["can_qa"])
    toggle(qtbot, form.bits["can_view"])
    type_into(qtbot, form.rate_spin, "55.5")
    save(qtbot, section)

    with org.ws.read() as session:
        profile = session.get(Profile, org.escalate)
        assert profile is not None
        assert (profile.can_view, profile.can_edit, profile.can_manage, profile.can_escalate,
                profile.can_qa, profile.hourly_rate) == (True, False, False, True, True, 55.5)
    row = list_texts(section).index("Escalate")
    shown = [section.model.index(row, c).data() for c in range(section.model.columnCount())]
    assert shown == ["Escalate", "✓", "", "", "✓", "✓", "55.50"]


def test_a_new_profile_needs_a_name_of_its_own(
    qtbot: QtBot, make_section: MakeSection,
) -> None:
    section = make_section(ProfilesSection)
    assert isinstance(section, ProfilesSection)
    form = section.profile_form
    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.name_edit, "standard USER")
    message = refused(qtbot, section)
    assert form.errors.text("name") == message
    assert "already a profile called" in message
    type_into(qtbot, form.name_edit, "Auditor")
    toggle(qtbot, form.bits["can_view"])
    save(qtbot, section)
    assert "Auditor" in list_texts(section)
    assert form.heading.text() == "Auditor"
    assert form.errors.text("name") == ""


# --- Models -------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [PeopleSection, CompaniesSection, ProfilesSection])
def test_the_list_models_pass_the_model_tester(
    make_section: MakeSection, qtmodeltester: ModelTester, cls: type[TableSection],
) -> None:
    section = make_section(cls)
    assert section.model.rowCount() > 0
    qtmodeltester.check(section.model)
