"""The Administration window: who is offered which section, and how saves spread."""

from __future__ import annotations

import uuid
from typing import ClassVar

import pytest
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.admin_window import AdminAccess, AdminWindow, admin_access
from desktopdesk.ui.admin.section import AdminSection, SectionAccess
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_list_model import Column
from tests.conftest import Org
from tests.ui.admin.test_settings import press_save, set_option
from tests.ui.conftest import MakeWindow, Tickets

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


class CountingSection(AdminSection):
    """A section that only counts how often it was asked to read."""

    reads: ClassVar[dict[str, int]] = {}

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        QVBoxLayout(self).addWidget(QLabel(self.title, self))

    def reload(self) -> None:
        self.reads[self.title] = self.reads.get(self.title, 0) + 1


class Types(CountingSection):
    title = "Ticket types"
    icon = "mdi6.shape-outline"
    access = SectionAccess.DESIGN


class People(CountingSection):
    title = "People"
    icon = "mdi6.account-multiple-outline"
    access = SectionAccess.SETUP


def titles(window: AdminWindow) -> list[str]:
    return [window.navigation.item(row).text() for row in range(window.navigation.count())]


def test_who_may_open_what_follows_the_rules(org: Org) -> None:
    assert admin_access(org.ws, org.admin) == AdminAccess(design=True, setup=True)
    assert admin_access(org.ws, org.ramon) == AdminAccess(design=True, setup=False)
    assert admin_access(org.ws, org.tomas) == AdminAccess(design=False, setup=False)
    assert admin_access(org.ws, org.carla) == AdminAccess(design=False, setup=False)


def test_a_manager_sees_the_designers_only_and_sections_are_read_when_opened(
        qtbot: QtBot, org: Org, runner: TaskRunner) -> None:
    CountingSection.reads.clear()
    manager = AdminWindow(org.ws, org.ramon, runner, AdminAccess(design=True, setup=False),
                          sections=(Types, People))
    qtbot.addWidget(manager)
    assert titles(manager) == ["Ticket types"]
    assert CountingSection.reads == {"Ticket types": 1}  # the first, opened at once
    with pytest.raises(ValueError, match="not offered"):
        manager.show_section(People)

    admin = AdminWindow(org.ws, org.admin, runner, AdminAccess(design=True, setup=True),
                        sections=(Types, People))
    qtbot.addWidget(admin)
    assert titles(admin) == ["Ticket types", "People"]
    assert CountingSection.reads == {"Ticket types": 2}
    people = admin.show_section(People)
    assert admin.pages.currentWidget() is people
    assert CountingSection.reads == {"Ticket types": 2, "People": 1}


def test_a_save_in_one_section_makes_the_others_read_again_and_tells_the_app(
        qtbot: QtBot, org: Org, runner: TaskRunner) -> None:
    CountingSection.reads.clear()
    window = AdminWindow(org.ws, org.admin, runner, AdminAccess(design=True, setup=True),
                         sections=(Types, People))
    qtbot.addWidget(window)
    types = window.section(Types)
    window.section(People)
    with qtbot.waitSignal(window.config_changed):
        types.saved.emit()
    assert CountingSection.reads == {"Ticket types": 1, "People": 2}


def test_the_main_window_offers_administration_only_to_those_who_may(
        qtbot: QtBot, make_window: MakeWindow, org: Org) -> None:
    technician = make_window(org.tomas)
    qtbot.waitUntil(lambda: not technician.runner.busy)
    assert technician.admin_button.isHidden()
    assert not technician.admin_action.isVisible()
    assert technician.show_administration() is None

    manager = make_window(org.ramon)
    qtbot.waitUntil(lambda: manager.admin_access.any)
    assert not manager.admin_button.isHidden()
    assert manager.admin_action.isVisible()


def test_preferences_are_for_everyone_and_apply_to_the_open_window(
        qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets) -> None:
    window = make_window(org.tomas)  # no administration rights
    row = window.model.row_of(tickets.ramon_new)
    assert window.model.index(row, Column.OWNER).data() == "ramon"
    dialog = window.show_preferences()
    section = dialog.section
    qtbot.waitUntil(lambda: "show_full_names" in section.rows
                    and section.rows["show_full_names"].input.isEnabled()
                    and section.rows["show_full_names"].input.isVisible())
    set_option(qtbot, section, "show_full_names", True)
    assert press_save(qtbot, section) is None
    qtbot.waitUntil(lambda: window.model.index(window.model.row_of(tickets.ramon_new),
                                               Column.OWNER).data() == "Ramon")
    dialog.close()
