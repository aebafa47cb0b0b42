"""The status mapping editor, driven through its real widgets over the sample org: the
manual's preset saved and obeyed by the ticket view, live warnings, the open workflow,
and who may save."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktopdesk.domain import workflow
from desktopdesk.domain.commands import CreateUser, SetStatusMapping, UpdateUser
from desktopdesk.domain.errors import FORBIDDEN, DomainError
from desktopdesk.models import AT_CREATION, Status, UserKind
from desktopdesk.ui.admin import mapping_source
from desktopdesk.ui.admin.section import SectionAccess
from desktopdesk.ui.admin.status_mapping import StatusMappingSection, TransitionGridModel
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_view import TicketView
from tests.conftest import Org
from tests.ui.conftest import Tickets

#: Showing widgets offscreen: the platform plugin says it cannot pass size hints on.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

MakeSection = Callable[[uuid.UUID], StatusMappingSection]
S = Status


@pytest.fixture
def make_section(qtbot: QtBot, org: Org, runner: TaskRunner,
                 shown: list[str]) -> MakeSection:
    def make(user_id: uuid.UUID) -> StatusMappingSection:
        section = StatusMappingSection(org.ws, user_id, runner)
        qtbot.addWidget(section)
        section.resize(900, 620)
        with qtbot.waitSignal(section.mapping_loaded):  # the read lands in the event loop
            section.show()
        return section

    return make


def stored(org: Org) -> tuple[tuple[int, int], ...]:
    with org.ws.read() as session:
        return workflow.stored_mapping(session)


def click_cell(qtbot: QtBot, section: StatusMappingSection, frm: int, to: Status) -> None:
    index = section.model.index_of(frm, to)
    rect = section.grid.visualRect(index)
    qtbot.mouseClick(section.grid.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center() + QPoint(rect.width() // 3, 0))


def is_ticked(section: StatusMappingSection, frm: int, to: Status) -> bool:
    state = section.model.index_of(frm, to).data(Qt.ItemDataRole.CheckStateRole)
    return Qt.CheckState(state) == Qt.CheckState.Checked


def save(qtbot: QtBot, section: StatusMappingSection) -> None:
    with qtbot.waitSignals([section.saved, section.mapping_loaded], order="strict"):
        qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)


def combo_entries(combo: QComboBox) -> set[object]:
    return {combo.itemData(i) for i in range(combo.count())}


@pytest.fixture
def open_ticket(qtbot: QtBot, org: Org) -> Iterator[Callable[[uuid.UUID, uuid.UUID],
                                                             TicketView]]:
    """The real ticket view, in a shown host as the main window embeds it, loaded."""
    runners: list[TaskRunner] = []
    hosts: list[QWidget] = []

    def open_view(user_id: uuid.UUID, ticket_id: uuid.UUID) -> TicketView:
        runner = TaskRunner()
        runners.append(runner)
        host = QWidget()
        qtbot.addWidget(host)
        hosts.append(host)
        view = TicketView(org.ws, user_id, runner, ticket_id, host)
        host.resize(1200, 800)
        view.resize(1200, 800)
        host.show()
        qtbot.waitUntil(lambda: not view.is_loading and view.details is not None
                        and view.workunit_editor is not None
                        and view.workunit_editor.is_ready)
        return view

    yield open_view
    for host in hosts:
        host.close()
    for runner in runners:
        runner.wait_for_done()


# --- The grid model -------------------------------------------------------------------------


def test_the_grid_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = TransitionGridModel()
    qtmodeltester.check(model)
    model.set_transitions(workflow.manual_example())
    qtmodeltester.check(model)
    model.set_editable(False)
    qtmodeltester.check(model)


def test_boxes_no_mapping_may_tick_cannot_be_ticked() -> None:
    model = TransitionGridModel()
    for frm, to in [(int(S.NEW), S.NEW), (int(S.CLOSED), S.ASSIGNED), (AT_CREATION, S.CLOSED)]:
        index = model.index_of(frm, to)
        assert not model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
        assert index.data(Qt.ItemDataRole.CheckStateRole) is None
        assert not model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert model.transitions() == ()
    reason = model.index_of(int(S.CLOSED), S.ASSIGNED).data(Qt.ItemDataRole.ToolTipRole)
    assert reason == "From Closed a ticket can only be reopened."


# --- Reading ---------------------------------------------------------------------------------


def test_a_new_store_shows_the_open_workflow_written_out(
        org: Org, make_section: MakeSection) -> None:
    section = make_section(org.admin)

    assert StatusMappingSection.access is SectionAccess.SETUP  # SetStatusMapping is a super-admin's
    assert section.transitions() == workflow.open_workflow()
    assert is_ticked(section, AT_CREATION, S.ASSIGNED)
    assert is_ticked(section, int(S.CLOSED), S.REOPENED)
    assert not section.has_unsaved_changes()
    assert not section.save_button.isEnabled()
    assert section.warning_texts() == ()
    assert "every ticket can reach Closed" in section.warnings.text.text()


# --- The manual's preset, through the ticket view ------------------------------------------


def test_the_manuals_preset_saved_leaves_the_ticket_view_only_the_allowed_statuses(
        qtbot: QtBot, org: Org, tickets: Tickets, make_section: MakeSection,
        open_ticket: Callable[[uuid.UUID, uuid.UUID], TicketView]) -> None:
    section = make_section(org.admin)
    modified: list[bool] = []
    section.modified_changed.connect(modified.append)

    qtbot.mouseClick(section.example_button, Qt.MouseButton.LeftButton)

    assert is_ticked(section, int(S.NEW), S.ASSIGNED)
    assert not is_ticked(section, int(S.NEW), S.CLOSED)
    assert section.changes_label.text() == "● Unsaved changes"
    assert modified == [True]
    assert section.save_button.isEnabled()
    save(qtbot, section)

    assert stored(org) == workflow.manual_example()
    assert not section.has_unsaved_changes()
    assert section.changes_label.text() == ""
    assert modified == [True, False]

    new_ticket = open_ticket(org.ramon, tickets.ramon_new)
    status = new_ticket.details_tab.side.status
    assert combo_entries(status) == {S.NEW, S.ASSIGNED, S.PENDING_THIRD_PERSON}
    assert status.currentData() is S.NEW
    assigned = open_ticket(org.javi, tickets.javi_assigned)
    assert combo_entries(assigned.details_tab.side.status) == {S.ASSIGNED,
                                                               S.PENDING_TO_BE_CLOSED}


def test_the_warnings_name_the_dead_ends_and_follow_every_tick(
        qtbot: QtBot, org: Org, tickets: Tickets, make_section: MakeSection) -> None:
    section = make_section(org.admin)
    section.set_transitions(workflow.manual_example())

    assert section.warning_texts() == (
        "Never reached from the creation statuses: Unconfirmed.",
        "No way out of Reopened: tickets there stay there.",
    )

    click_cell(qtbot, section, int(S.REOPENED), S.ASSIGNED)
    assert is_ticked(section, int(S.REOPENED), S.ASSIGNED)
    assert section.warning_texts() == (
        "Never reached from the creation statuses: Unconfirmed.",)

    # Unticked from the keyboard: Assigned is left with no way out, and Javi's ticket in it.
    section.grid.setFocus()
    section.grid.setCurrentIndex(section.model.index_of(int(S.ASSIGNED),
                                                        S.PENDING_TO_BE_CLOSED))
    qtbot.keyClick(section.grid, Qt.Key.Key_Space)
    assert not is_ticked(section, int(S.ASSIGNED), S.PENDING_TO_BE_CLOSED)
    assert ("No way out of Assigned: tickets there stay there. 1 open ticket is there now."
            in section.warning_texts())


def test_warnings_do_not_stop_a_save(qtbot: QtBot, org: Org,
                                     make_section: MakeSection) -> None:
    section = make_section(org.admin)
    section.set_transitions(workflow.manual_example())
    assert section.warning_texts()

    save(qtbot, section)

    assert stored(org) == workflow.manual_example()
    assert section.error.isHidden()


# --- Presets, Revert, and the creation row ----------------------------------------------------


def test_reset_to_open_workflow_undoes_a_saved_restriction(
        qtbot: QtBot, org: Org, make_section: MakeSection) -> None:
    org.do(SetStatusMapping(transitions=workflow.manual_example()), org.admin)
    section = make_section(org.admin)
    assert section.transitions() == workflow.manual_example()
    assert not is_ticked(section, int(S.NEW), S.CLOSED)

    qtbot.mouseClick(section.open_button, Qt.MouseButton.LeftButton)

    assert is_ticked(section, int(S.NEW), S.CLOSED)
    assert section.warning_texts() == ()
    assert section.has_unsaved_changes()
    save(qtbot, section)
    assert stored(org) == workflow.open_workflow()
    with org.ws.read() as session:
        assert set(workflow.allowed_next_statuses(session, S.NEW)) == set(S) - {S.NEW}


def test_revert_shows_the_saved_mapping_again(qtbot: QtBot, org: Org,
                                              make_section: MakeSection) -> None:
    org.do(SetStatusMapping(transitions=workflow.manual_example()), org.admin)
    section = make_section(org.admin)
    click_cell(qtbot, section, int(S.NEW), S.CLOSED)
    assert section.changes_label.text() == "● Unsaved changes"
    assert section.revert_button.isEnabled()

    qtbot.mouseClick(section.revert_button, Qt.MouseButton.LeftButton)

    assert section.transitions() == workflow.manual_example()
    assert section.changes_label.text() == ""
    assert not section.save_button.isEnabled()


def test_a_save_with_no_creation_status_is_refused_with_a_message(
        qtbot: QtBot, org: Org, make_section: MakeSection) -> None:
    section = make_section(org.admin)
    section.set_transitions(workflow.manual_example())
    click_cell(qtbot, section, AT_CREATION, S.NEW)
    assert ("No status is allowed at creation, so a new ticket may start in any open status."
            in section.warning_texts())

    with qtbot.waitSignal(section.save_failed) as failed:
        qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)

    assert failed.args == [f"Not saved: {mapping_source.NO_CREATION_REFUSAL}"]
    assert section.error.isVisible()
    assert "At creation" in section.error.text()
    assert stored(org) == (), "nothing was sent"
    assert section.has_unsaved_changes(), "the grid is kept to fix"
    click_cell(qtbot, section, AT_CREATION, S.NEW)
    assert section.error.isHidden(), "a tick clears the message"


# --- Who may save ----------------------------------------------------------------------------


def test_the_command_refuses_a_non_managers_mapping(org: Org) -> None:
    with pytest.raises(DomainError) as refused:
        mapping_source.save_mapping(org.ws, org.tomas, workflow.manual_example())

    assert refused.value.code == FORBIDDEN
    assert stored(org) == ()


def test_someone_who_may_not_change_it_reads_it_without_boxes_to_tick(
        qtbot: QtBot, org: Org, make_section: MakeSection) -> None:
    org.do(SetStatusMapping(transitions=workflow.manual_example()), org.admin)
    section = make_section(org.tomas)

    assert section.read_only_note.isVisible()
    assert not section.example_button.isEnabled()
    assert not section.open_button.isEnabled()
    click_cell(qtbot, section, int(S.NEW), S.CLOSED)
    assert not is_ticked(section, int(S.NEW), S.CLOSED)
    assert not section.save_button.isEnabled()


def test_a_save_after_losing_super_admin_is_refused_and_the_edits_kept(
        qtbot: QtBot, org: Org, make_section: MakeSection) -> None:
    """The section was opened with the right to save; the command checks again."""
    deputy = org.do(CreateUser(username="deputy", full_name="Deputy", is_superadmin=True),
                    org.admin).created_id
    assert deputy is not None
    section = make_section(deputy)
    qtbot.mouseClick(section.example_button, Qt.MouseButton.LeftButton)
    org.do(UpdateUser(user_id=deputy, full_name="Deputy", email="", company_id=None,
                      kind=UserKind.GROUPED, is_superadmin=False, enabled=True), org.admin)

    with qtbot.waitSignal(section.save_failed) as failed:
        qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)

    assert failed.args == ["Not saved: Only a super-admin may change the status mapping."]
    assert section.error.text() == failed.args[0]
    assert section.transitions() == workflow.manual_example()
    assert section.has_unsaved_changes()
    assert stored(org) == ()


# --- Layers ----------------------------------------------------------------------------------


def test_the_sources_load_no_qt() -> None:
    script = ("import sys, desktopdesk.ui.admin.mapping_source, "
              "desktopdesk.ui.admin.holidays_source; "
              "print(sorted(m for m in sys.modules if m.startswith('PySide6')))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
