"""The Groups section, driven through its real widgets over the ``org`` workspace: limits
that the Create Ticket dialog then enforces, the tree, members, and refusals."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.domain.admin_queries import GroupDesign
from desktopdesk.domain.commands import (
    ChangeSetting,
    CreateGroup,
    CreateTicket,
    CreateTicketType,
    UpdateGroup,
)
from desktopdesk.domain.settings import AUTO_ASSIGN_BY_GROUP_RULES
from desktopdesk.models import AssignmentRule, Group, LimitMode, Membership
from desktopdesk.ui.admin.groups import GroupsSection
from desktopdesk.ui.admin.org_source import GroupValues, group_changes, save_group
from desktopdesk.ui.tasks import TaskRunner
from tests.conftest import Org
from tests.ui.conftest import MakeDialog
from tests.ui.test_ticket_create_dialog import choose, create, refused_with

#: The offscreen platform says so when a top-level window with a splitter is shown.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def section(qtbot: QtBot, org: Org, runner: TaskRunner) -> GroupsSection:
    """The section as the administrator sees it, read and shown."""
    made = GroupsSection(org.ws, org.admin, runner)
    qtbot.addWidget(made)
    made.resize(1000, 700)
    made.show()
    with qtbot.waitSignal(made.loaded, timeout=10_000):
        made.reload()
    return made


def type_into(qtbot: QtBot, widget: QLineEdit | QAbstractSpinBox, text: str) -> None:
    """Replace what the input holds with ``text``, typed."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def save(qtbot: QtBot, section: GroupsSection) -> None:
    """Click Save and wait for the section to show the group as re-read."""
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        qtbot.mouseClick(section.form.save_button, Qt.MouseButton.LeftButton)


def refused(qtbot: QtBot, section: GroupsSection, click: Callable[[], None]) -> str:
    with qtbot.waitSignal(section.save_failed, timeout=10_000) as failed:
        click()
    message = failed.args[0]
    assert isinstance(message, str)
    return message


def stored_group(org: Org, group_id: uuid.UUID) -> Group:
    with org.ws.read() as session:
        group = session.get(Group, group_id)
        assert group is not None
        session.expunge(group)
        return group


def offered(box: QComboBox) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def tree_rows(section: GroupsSection) -> list[tuple[int, str]]:
    """(depth, name) of every row of the tree, top to bottom as shown."""
    rows: list[tuple[int, str]] = []

    def walk(parent: QModelIndex, depth: int) -> None:
        for row in range(section.model.rowCount(parent)):
            index = section.model.index(row, 0, parent)
            rows.append((depth, index.data()))
            walk(index, depth + 1)

    walk(QModelIndex(), 0)
    return rows


# --- Limits reach the Create Ticket dialog ------------------------------------------------


def test_a_forced_open_ticket_limit_set_here_refuses_the_next_ticket(
    qtbot: QtBot, org: Org, section: GroupsSection, make_dialog: MakeDialog,
    shown: list[str],
) -> None:
    org.do(CreateTicket(title="My screen flickers", group_id=org.acme_group), org.ana)
    section.select_group("Acme")
    type_into(qtbot, section.form.open_limit, "1")
    choose(qtbot, section.form.limit_mode_combo, "Forced: refuse tickets over the limit")
    save(qtbot, section)

    assert section.form.open_limit.value() == 1  # as re-read from the store
    assert stored_group(org, org.acme_group).open_ticket_limit == 1
    dialog = make_dialog(org.ana)
    qtbot.keyClicks(dialog.title_edit, "And my keyboard")
    message = refused_with(qtbot, dialog)
    assert "Group 'Acme' allows 1 open tickets per person" in message
    assert "You cannot create more tickets" in message
    assert dialog.error_text("group_id") == message


def test_a_notify_limit_set_here_warns_but_files_the_ticket(
    qtbot: QtBot, org: Org, section: GroupsSection, make_dialog: MakeDialog,
    shown: list[str],
) -> None:
    org.do(CreateTicket(title="My screen flickers", group_id=org.acme_group), org.ana)
    section.select_group("Acme")
    type_into(qtbot, section.form.open_limit, "1")
    choose(qtbot, section.form.limit_mode_combo, "Notify: warn, but create them")
    save(qtbot, section)
    assert stored_group(org, org.acme_group).limit_mode is LimitMode.NOTIFY

    dialog = make_dialog(org.ana)
    qtbot.keyClicks(dialog.title_edit, "And my keyboard")
    create(qtbot, dialog)
    assert len(shown) == 1
    assert "Group 'Acme' allows 1 open tickets per person" in shown[0]
    assert "cannot create" not in shown[0]


# --- The tree -----------------------------------------------------------------------------


def test_the_tree_model_and_the_members_model_pass_the_model_tester(
    qtbot: QtBot, org: Org, section: GroupsSection, qtmodeltester: ModelTester,
) -> None:
    org.do(CreateGroup(name="Support/Printers", parent_id=org.support), org.admin)
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()
    qtmodeltester.check(section.model)
    section.select_group("Support")
    qtmodeltester.check(section.members.model)
    rows = tree_rows(section)
    assert rows.index((1, "Support/Printers")) == rows.index((0, "Support")) + 1


def test_a_subgroup_is_created_under_the_chosen_group(
    qtbot: QtBot, org: Org, section: GroupsSection,
) -> None:
    section.select_group("Support")
    qtbot.mouseClick(section.new_sub_button, Qt.MouseButton.LeftButton)
    assert section.form.heading.text() == "New group"
    assert section.form.parent_combo.currentText().strip() == "Support"
    assert section.form.name_edit.hasFocus()
    qtbot.keyClicks(section.form.name_edit, "Support/Network")
    type_into(qtbot, section.form.total_limit, "20")
    save(qtbot, section)

    rows = tree_rows(section)
    assert rows.index((1, "Support/Network")) > rows.index((0, "Support"))
    current = section.current_group()
    assert current is not None
    assert current.name == "Support/Network"
    assert current.parent_id == org.support
    assert current.total_ticket_limit == 20
    assert section.form.heading.text() == "Support/Network"


def test_a_parent_below_the_group_itself_is_refused_beside_the_parent(
    qtbot: QtBot, org: Org, section: GroupsSection,
) -> None:
    org.do(CreateGroup(name="Support/Tier 2", parent_id=org.support), org.admin)
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()
    section.select_group("Support")
    assert "Support" not in [t.strip() for t in offered(section.form.parent_combo)]
    choose(qtbot, section.form.parent_combo, "    Support/Tier 2")

    message = refused(qtbot, section, lambda: qtbot.mouseClick(
        section.form.save_button, Qt.MouseButton.LeftButton))

    assert "cannot sit under itself or under one of its own subgroups" in message
    assert section.form.errors.text("parent_id") == message
    assert section.form.parent_combo.currentText().strip() == "Support/Tier 2"  # kept
    assert stored_group(org, org.support).parent_id is None


def test_a_duplicate_name_is_refused_beside_the_name_and_the_text_kept(
    qtbot: QtBot, org: Org, section: GroupsSection,
) -> None:
    section.select_group("Acme")
    type_into(qtbot, section.form.name_edit, "support")
    message = refused(qtbot, section, lambda: qtbot.mouseClick(
        section.form.save_button, Qt.MouseButton.LeftButton))
    assert section.form.errors.text("name") == message
    assert "already a group called" in message
    assert section.form.name_edit.text() == "support"
    assert section.form.name_edit.hasFocus()


def test_a_re_read_keeps_what_was_typed_and_shows_the_rest_fresh(
    qtbot: QtBot, org: Org, section: GroupsSection,
) -> None:
    section.select_group("Acme")
    type_into(qtbot, section.form.email_edit, "helpdesk@acme.example")
    org.do(UpdateGroup(group_id=org.acme_group, changes={"open_ticket_limit": 5}), org.admin)

    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()  # as after a sync

    assert section.form.email_edit.text() == "helpdesk@acme.example"
    assert section.form.open_limit.value() == 5
    save(qtbot, section)
    stored = stored_group(org, org.acme_group)
    assert (stored.email_from, stored.open_ticket_limit) == ("helpdesk@acme.example", 5)


def test_the_default_type_offers_only_the_types_offered_in_the_group(
    qtbot: QtBot, org: Org, section: GroupsSection,
) -> None:
    hardware = org.do(CreateTicketType(name="Hardware", group_ids=(org.support,)),
                      org.admin).created_id
    org.do(CreateTicketType(name="Question"), org.admin)  # offered everywhere
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()
    section.select_group("Acme")
    assert offered(section.form.type_combo) == ["(none)", "Question"]
    section.select_group("Support")
    assert offered(section.form.type_combo) == ["(none)", "Hardware", "Question"]
    choose(qtbot, section.form.type_combo, "Hardware")
    save(qtbot, section)
    assert stored_group(org, org.support).default_ticket_type_id == hardware
    assert section.form.type_combo.currentText() == "Hardware"


# --- Assignment ---------------------------------------------------------------------------


def test_round_robin_needs_its_profile_then_says_whose_turn_is_next(
    qtbot: QtBot, org: Org, section: GroupsSection,
) -> None:
    section.select_group("Support")
    assert not section.form.rr_profile_combo.isEnabled()
    choose(qtbot, section.form.rule_combo, "Members with a profile, in turn")
    assert section.form.rr_profile_combo.isEnabled()
    message = refused(qtbot, section, lambda: qtbot.mouseClick(
        section.form.save_button, Qt.MouseButton.LeftButton))
    assert section.form.errors.text("round_robin_profile_id") == message
    assert "profile whose members take turns" in message

    choose(qtbot, section.form.rr_profile_combo, "Standard user")
    save(qtbot, section)
    group = stored_group(org, org.support)
    assert group.assignment_rule is AssignmentRule.ROUND_ROBIN
    assert group.round_robin_profile_id == org.standard
    # javi and tomas hold Standard user in Support: by username, javi goes first.
    assert section.form.turn_label.isVisible()
    assert "The next ticket goes to Javi (javi)" in section.form.turn_label.text()

    org.do(CreateTicket(title="First in turn", group_id=org.support), org.ramon)
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()
    assert "The next ticket goes to Tomas (tomas)" in section.form.turn_label.text()
    assert "The last went to Javi (javi)" in section.form.turn_label.text()


def test_with_auto_assignment_off_the_form_says_the_default_owner_takes_the_tickets(
    qtbot: QtBot, org: Org, section: GroupsSection,
) -> None:
    org.do(UpdateGroup(group_id=org.support, changes={
        "assignment_rule": AssignmentRule.ROUND_ROBIN.value,
        "round_robin_profile_id": str(org.standard)}), org.admin)
    org.do(ChangeSetting(key=AUTO_ASSIGN_BY_GROUP_RULES.key, value=False), org.admin)
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()
    section.select_group("Support")

    assert "Auto-assignment is switched off" in section.form.turn_label.text()
    assert "next ticket goes to" not in section.form.turn_label.text()


# --- Members ------------------------------------------------------------------------------


def memberships(org: Org, group_id: uuid.UUID, user_id: uuid.UUID) -> list[uuid.UUID]:
    """The profiles ``user_id`` holds in ``group_id``."""
    with org.ws.read() as session:
        return list(session.scalars(select(Membership.profile_id).where(
            Membership.group_id == group_id, Membership.user_id == user_id)))


def member_rows(section: GroupsSection) -> list[tuple[str, str]]:
    model = section.members.model
    return [(model.index(row, 0).data(), model.index(row, 1).data())
            for row in range(model.rowCount())]


def test_a_member_is_added_given_another_profile_and_removed(
    qtbot: QtBot, org: Org, section: GroupsSection,
) -> None:
    members = section.members
    section.select_group("Support")
    section.tabs.setCurrentWidget(members)
    assert section.tabs.tabText(section.tabs.currentIndex()) == "Members (3)"

    choose(qtbot, members.add_user_combo, "Outsider (outsider)")
    choose(qtbot, members.add_profile_combo, "Escalate")
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        qtbot.mouseClick(members.add_button, Qt.MouseButton.LeftButton)
    assert ("Outsider (outsider)", "Escalate") in member_rows(section)
    assert memberships(org, org.support, org.outsider) == [org.escalate]
    assert section.tabs.tabText(section.tabs.currentIndex()) == "Members (4)"

    assert members.select_member(org.outsider)
    choose(qtbot, members.member_profile_combo, "Standard user")
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        qtbot.mouseClick(members.change_button, Qt.MouseButton.LeftButton)
    assert ("Outsider (outsider)", "Standard user") in member_rows(section)
    assert memberships(org, org.support, org.outsider) == [org.standard]
    chosen = members.current_member()  # still the one just changed
    assert chosen is not None
    assert chosen.user_id == org.outsider

    with qtbot.waitSignal(section.loaded, timeout=10_000):
        qtbot.mouseClick(members.remove_button, Qt.MouseButton.LeftButton)
    assert all(user != "Outsider (outsider)" for user, _profile in member_rows(section))
    assert memberships(org, org.support, org.outsider) == []


def test_a_profile_held_twice_is_refused_under_the_add_row(
    qtbot: QtBot, org: Org, section: GroupsSection,
) -> None:
    members = section.members
    section.select_group("Support")
    section.tabs.setCurrentWidget(members)
    choose(qtbot, members.add_user_combo, "Tomas (tomas)")
    choose(qtbot, members.add_profile_combo, "Standard user")
    message = refused(qtbot, section, lambda: qtbot.mouseClick(
        members.add_button, Qt.MouseButton.LeftButton))
    assert message == "That user already holds this profile in this group."
    assert members.add_errors.text("profile_id") == message
    assert members.add_errors.general.isVisible()
    assert memberships(org, org.support, org.tomas) == [org.standard]


def test_a_new_group_has_no_members_to_edit_until_it_is_created(
    qtbot: QtBot, section: GroupsSection,
) -> None:
    section.select_group("Support")
    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    assert not section.members.isEnabled()
    assert section.form.save_button.text() == "Create group"
    qtbot.keyClicks(section.form.name_edit, "Field service")
    save(qtbot, section)
    assert section.members.isEnabled()
    assert section.form.heading.text() == "Field service"


# --- What a Save sends (no window) --------------------------------------------------------


def _design(org: Org, group_id: uuid.UUID) -> GroupDesign:
    from desktopdesk.domain.admin_queries import groups

    with org.ws.read() as session:
        return next(g for g in groups(session) if g.id == group_id)


def test_a_save_sends_only_the_settings_changed(org: Org) -> None:
    acme = _design(org, org.acme_group)
    before = GroupValues.of(acme)
    after = GroupValues(**{**vars(before), "open_ticket_limit": 2, "default_owner_id": None})
    assert group_changes(before, after) == {"default_owner_id": None, "open_ticket_limit": 2}
    assert save_group(acme, before) is None
    command = save_group(acme, GroupValues(**{**vars(before), "sla_id": org.standard}))
    assert isinstance(command, UpdateGroup)
    assert command.changes == {"sla_id": str(org.standard)}  # as it travels
