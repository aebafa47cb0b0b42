"""The People, Companies and Profiles sections, driven through their real widgets over
the ``org`` workspace."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QCheckBox, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.domain.commands import UpdateUser
from desktopdesk.models import Company, Profile, User, UserKind
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.account import SERVER_URL, server_link, sign_in, sync_with_server
from desktopdesk.sync.credential_access import MASTER_PASSWORD_ENV, CredentialAccess
from desktopdesk.sync.credentials import CredentialStore
from desktopdesk.ui.admin.companies import CompaniesSection
from desktopdesk.ui.admin.org_form import TableSection
from desktopdesk.ui.admin.org_source import load_people, reset_password
from desktopdesk.ui.admin.password_reset_dialog import PasswordResetDialog
from desktopdesk.ui.admin.people import PeopleSection, PeopleTableModel
from desktopdesk.ui.admin.profiles import ProfilesSection
from desktopdesk.ui.tasks import TaskRunner
from tests.conftest import Org
from tests.sync.live_server import closed_loopback_url, running_demo_server
from tests.sync.memory_keyring import MemoryKeyring, installed
from tests.ui.test_ticket_create_dialog import choose

#: The offscreen platform says so when a top-level window with a splitter is shown.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

MakeSection = Callable[[type[TableSection]], TableSection]
NEW_PASSWORD = "copper kettle 1987"


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


# --- Passwords, through a real server on loopback ---------------------------------------


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo_server(tmp_path_factory.mktemp("live")) as url:
        yield url


@pytest.fixture
def vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Sign-ins go to an in-memory keyring, never a real vault or a master password."""
    monkeypatch.delenv(MASTER_PASSWORD_ENV, raising=False)
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


def replica_of(url: str, folder: Path, username: str) -> tuple[Workspace, uuid.UUID]:
    """A desktop signed in to ``url`` as ``username``, holding its first copy."""
    ws = Workspace.open(folder)
    store = CredentialStore.open(ws.data_dir)
    signed_in = sign_in(ws, url, username, "demo", store)
    sync_with_server(ws, server_link(ws), store)
    return ws, signed_in.user.id


@pytest.fixture
def admin_replica(server_url: str, tmp_path: Path,
                  vault: MemoryKeyring) -> Iterator[tuple[Workspace, uuid.UUID]]:
    ws, admin_id = replica_of(server_url, tmp_path / "admin-laptop", "admin")
    yield ws, admin_id
    ws.close()


@pytest.fixture
def replica_people(qtbot: QtBot, admin_replica: tuple[Workspace, uuid.UUID]
                   ) -> Iterator[PeopleSection]:
    """The People section on the administrator's replica."""
    ws, admin_id = admin_replica
    runner = TaskRunner()
    section = PeopleSection(ws, admin_id, runner)
    qtbot.addWidget(section)
    section.resize(1000, 700)
    section.show()
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()
    yield section
    runner.wait_for_done()


def open_reset_dialog(qtbot: QtBot, section: PeopleSection,
                      username: str) -> PasswordResetDialog:
    section.select_person(username)
    form = section.person_form
    assert form.password_button.isVisible()
    assert form.password_note.isHidden()
    qtbot.mouseClick(form.password_button, Qt.MouseButton.LeftButton)
    dialog = section.password_dialog
    assert dialog is not None
    assert dialog.isVisible()
    return dialog


def type_passwords(qtbot: QtBot, dialog: PasswordResetDialog, password: str,
                   repeated: str) -> None:
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.keyClicks(dialog.repeat_edit, repeated)


def refused_in(qtbot: QtBot, dialog: PasswordResetDialog, field: str | None) -> str:
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy and dialog.error_for(field) != "",
                    timeout=30_000)
    assert dialog.isVisible()  # stays open to try again
    return dialog.error_for(field)


def signs_in(url: str, username: str, password: str) -> bool:
    answer = requests.post(f"{url}/api/v1/auth/token",
                           json={"username": username, "password": password}, timeout=10)
    return answer.status_code == 200


def test_an_admin_replica_resets_tomas_password_on_the_server(
    qtbot: QtBot, server_url: str, replica_people: PeopleSection,
) -> None:
    dialog = open_reset_dialog(qtbot, replica_people, "tomas")
    type_passwords(qtbot, dialog, NEW_PASSWORD, NEW_PASSWORD)
    assert dialog.strength_label.text().startswith("Strength:")

    with qtbot.waitSignal(dialog.password_reset, timeout=30_000) as reset:
        qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)

    assert reset.args == ["Tomás Ortega must sign in again with the new password."]
    note = replica_people.person_form.password_note
    assert note.isVisible()
    assert note.text() == "Tomás Ortega must sign in again with the new password."
    qtbot.waitUntil(lambda: replica_people.password_dialog is None)
    assert signs_in(server_url, "tomas", NEW_PASSWORD)
    assert not signs_in(server_url, "tomas", "demo")


def test_the_two_passwords_must_match_before_anything_is_sent(
    qtbot: QtBot, server_url: str, replica_people: PeopleSection,
) -> None:
    dialog = open_reset_dialog(qtbot, replica_people, "javi")
    type_passwords(qtbot, dialog, NEW_PASSWORD, NEW_PASSWORD + "!")
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    assert dialog.error_for("repeat") == "The two passwords differ. Type the same one twice."
    assert not dialog.is_busy
    assert signs_in(server_url, "javi", "demo")


def test_a_weak_password_is_refused_beside_the_field(
    qtbot: QtBot, server_url: str, replica_people: PeopleSection,
) -> None:
    dialog = open_reset_dialog(qtbot, replica_people, "javi")
    type_passwords(qtbot, dialog, "short", "short")
    assert "weak" in dialog.strength_label.text()
    message = refused_in(qtbot, dialog, "password")
    assert message == "A password needs at least 8 characters."
    assert signs_in(server_url, "javi", "demo")


def test_offline_the_reset_says_it_needs_the_server(
    qtbot: QtBot, admin_replica: tuple[Workspace, uuid.UUID], replica_people: PeopleSection,
    vault: MemoryKeyring,
) -> None:
    ws, _admin_id = admin_replica
    link = server_link(ws)
    offline_url = closed_loopback_url()
    store = CredentialStore.open(ws.data_dir)
    token = store.load(link.url, link.username)
    assert token is not None
    store.save(offline_url, link.username, token)
    ws.set_info(SERVER_URL, offline_url)
    dialog = open_reset_dialog(qtbot, replica_people, "javi")
    type_passwords(qtbot, dialog, NEW_PASSWORD, NEW_PASSWORD)
    message = refused_in(qtbot, dialog, None)
    assert message.startswith("The server cannot be reached; try again when online.")
    assert "needs a connection" in message


def test_a_replica_that_is_not_a_super_admins_is_refused_by_the_server(
    server_url: str, tmp_path: Path, vault: MemoryKeyring,
) -> None:
    ws, _ramon = replica_of(server_url, tmp_path / "ramon-laptop", "ramon")
    try:
        javi = next(p for p in load_people(ws).people if p.username == "javi")
        outcome = reset_password(ws, javi, NEW_PASSWORD, CredentialAccess(ws.data_dir))
    finally:
        ws.close()
    assert not outcome.done
    assert "only a super-admin may reset passwords, and ramon is not one" in outcome.message
    assert signs_in(server_url, "javi", "demo")


def test_a_replica_signed_out_is_told_to_sign_in(
    admin_replica: tuple[Workspace, uuid.UUID],
) -> None:
    ws, _admin_id = admin_replica
    link = server_link(ws)
    CredentialStore.open(ws.data_dir).forget(link.url, link.username)
    javi = next(p for p in load_people(ws).people if p.username == "javi")
    outcome = reset_password(ws, javi, NEW_PASSWORD, CredentialAccess(ws.data_dir))
    assert not outcome.done
    assert outcome.message.startswith(f"Not signed in to {link.url}. Sign in again")


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
