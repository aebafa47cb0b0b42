"""The ticket view: loading in the background, header, tabs, moving between tickets,
and what a replica's ticket says about sync."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    CloseTicket,
    CreateTicket,
    ReopenTicket,
    SetParent,
    UpdateTicketFields,
)
from desktopdesk.models import Resolution, Status
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.conflicts import TicketSyncState
from desktopdesk.ui import ticket_view, ticket_view_source
from desktopdesk.ui.combo_data import find_data
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_header import TicketHeader, sync_words
from desktopdesk.ui.ticket_view import TicketView
from tests.conftest import Org
from tests.domain.support import new_ticket, ticket
from tests.sync.desktop import Desktop
from tests.ui.conftest import Tickets

MakeView = Callable[..., TicketView]


@pytest.fixture
def make_view(qtbot: QtBot, org: Org, shown: list[str]) -> Iterator[MakeView]:
    """A view inside a shown window (as the main window embeds it), loaded."""
    runners: list[TaskRunner] = []
    hosts: list[QWidget] = []

    def make(user_id: uuid.UUID, ticket_id: uuid.UUID,
             workspace: Workspace | None = None) -> TicketView:
        runner = TaskRunner()
        runners.append(runner)
        host = QWidget()
        host.setObjectName("view_host")
        qtbot.addWidget(host)
        hosts.append(host)
        view = TicketView(workspace or org.ws, user_id, runner, ticket_id, host)
        host.resize(1200, 800)
        view.resize(1200, 800)
        host.show()
        wait_loaded(qtbot, view)
        return view

    yield make
    for host in hosts:
        host.close()
    for runner in runners:
        runner.wait_for_done()


def wait_loaded(qtbot: QtBot, view: TicketView) -> None:
    qtbot.waitUntil(lambda: not view.is_loading and view.workunit_editor is not None
                    and view.workunit_editor.is_ready
                    and view.conflicts_panel is not None
                    and not view.conflicts_panel.conflict_list.is_loading)


def test_opening_shows_the_header_and_the_details(org: Org, tickets: Tickets,
                                                  make_view: MakeView) -> None:
    view = make_view(org.javi, tickets.javi_assigned)

    assert view.header.title_label.text() == "VPN drops every hour"
    assert view.header.number_label.text().startswith("#")
    assert view.header.status_chip.text_label.text() == "Assigned"
    assert view.header.priority_chip.text_label.text() == "Medium"
    assert "Support" in view.header.facts_label.text()
    assert view.details_tab.title.text() == "VPN drops every hour"
    assert view.current_tab() == "details"
    assert view.header.sync_texts() == [], "a standalone store does not sync"
    assert view.conflicts_panel is not None
    assert view.conflicts_panel.isHidden()


def test_a_workunit_added_in_the_view_shows_in_its_thread(
        qtbot: QtBot, org: Org, tickets: Tickets, make_view: MakeView) -> None:
    view = make_view(org.javi, tickets.javi_assigned)
    changed: list[uuid.UUID] = []
    view.ticket_changed.connect(changed.append)
    view.focus_workunit_editor()
    assert view.current_tab() == "workunits"
    editor = view.workunit_editor
    assert editor is not None

    editor.text.setPlainText("Replaced the router's power supply")
    with qtbot.waitSignal(view.ticket_loaded):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)

    assert changed == [tickets.javi_assigned]
    assert view.tab_title("workunits") == "Workunits (1)"
    assert view.details is not None
    assert "power supply" in view.details.workunits[-1].text_html


def test_the_workunit_editor_starts_folded_so_the_thread_has_the_room(
        qtbot: QtBot, org: Org, tickets: Tickets, make_view: MakeView) -> None:
    """Below the list the view has a few hundred pixels: they go to the thread until the
    person writes, and back to it once the workunit is added."""
    org.do(AddWorkunit(ticket_id=tickets.javi_assigned, text_html="<p>Checked the logs</p>"),
           org.javi)
    view = make_view(org.javi, tickets.javi_assigned)
    view.resize(1200, 420)
    view.set_current_tab("workunits")
    tab = view.workunits_tab
    qtbot.waitUntil(lambda: tab.height() > 0 and tab.workunit_thread.height() > 0)

    assert not tab.is_unfolded
    assert tab.composer.isVisible()
    assert tab.composer.text() == "Add a workunit…"
    assert tab.workunit_thread.height() > tab.height() * 3 // 4

    qtbot.mouseClick(tab.composer, Qt.MouseButton.LeftButton)
    assert tab.is_unfolded
    assert not tab.composer.isVisible()
    assert tab.editor_scroll.height() >= 160, "room to write in"
    assert tab.workunit_thread.height() > 0, "the thread stays in sight"
    editor = view.workunit_editor
    assert editor is not None
    editor.text.setPlainText("Replaced the router's power supply")
    with qtbot.waitSignal(view.ticket_loaded):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)

    assert not tab.is_unfolded, "folded again to show what was added"
    assert view.tab_title("workunits") == "Workunits (2)"


def test_folding_the_editor_keeps_what_was_typed_and_says_so(
        qtbot: QtBot, org: Org, tickets: Tickets, make_view: MakeView) -> None:
    view = make_view(org.javi, tickets.javi_assigned)
    view.focus_workunit_editor()
    tab = view.workunits_tab
    editor = view.workunit_editor
    assert editor is not None
    editor.text.setPlainText("Half a thought")

    qtbot.mouseClick(tab.fold_button, Qt.MouseButton.LeftButton)

    assert not tab.is_unfolded
    assert tab.composer.text() == "Continue your unsent workunit…"
    qtbot.mouseClick(tab.composer, Qt.MouseButton.LeftButton)
    assert editor.text.toPlainText() == "Half a thought"


def test_a_saved_change_tells_the_list(qtbot: QtBot, org: Org, tickets: Tickets,
                                       make_view: MakeView) -> None:
    view = make_view(org.ramon, tickets.ramon_new)
    changed: list[uuid.UUID] = []
    view.ticket_changed.connect(changed.append)
    tab = view.details_tab
    tab.side.status.setCurrentIndex(find_data(tab.side.status, Status.ASSIGNED))
    assert view.tab_title("details") == "Details •", "unsaved changes are marked"

    with qtbot.waitSignal(view.ticket_loaded):
        view.save()

    assert changed == [tickets.ramon_new]
    assert view.header.status_chip.text_label.text() == "Assigned"
    assert view.tab_title("details") == "Details"
    assert ticket(org, tickets.ramon_new).status == Status.ASSIGNED


def test_a_ticket_out_of_sight_says_so_in_place_of_the_tabs(
        org: Org, tickets: Tickets, make_view: MakeView, shown: list[str]) -> None:
    view = make_view(org.ramon, tickets.finance_hidden)

    assert view.pages.currentWidget() is view.gone_page
    assert view.gone_title.text() == "This ticket is not available to you"
    assert view.header.isHidden()
    assert shown == [], "not a failure: a plain statement on the page"


def test_while_loading_a_placeholder_stands_in_for_the_tabs(
        qtbot: QtBot, org: Org, tickets: Tickets) -> None:
    runner = TaskRunner()
    view = TicketView(org.ws, org.ramon, runner, tickets.ramon_new)
    qtbot.addWidget(view)
    try:
        assert view.pages.currentWidget() is view.loading_page
        assert view.header.isHidden()
        with qtbot.waitSignal(view.ticket_loaded):
            pass
        assert view.pages.currentWidget() is view.tabs
    finally:
        runner.wait_for_done()


def test_a_failed_read_is_told_and_can_be_tried_again(
        qtbot: QtBot, org: Org, tickets: Tickets, make_view: MakeView, shown: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    view = make_view(org.ramon, tickets.ramon_new)
    real = ticket_view_source.load_details

    def broken(*_args: object, **_kwargs: object) -> object:
        raise OSError("disk I/O error")

    monkeypatch.setattr(ticket_view_source, "load_details", broken)
    with qtbot.waitSignal(view.ticket_unavailable):
        view.reload()
    assert shown == ["The ticket could not be opened."]
    assert view.pages.currentWidget() is view.gone_page
    assert view.retry_button.isVisible()

    monkeypatch.setattr(ticket_view_source, "load_details", real)
    with qtbot.waitSignal(view.ticket_loaded):
        qtbot.mouseClick(view.retry_button, Qt.MouseButton.LeftButton)
    assert view.pages.currentWidget() is view.tabs


def test_the_parent_link_opens_the_parent_in_the_same_view(
        qtbot: QtBot, org: Org, tickets: Tickets, make_view: MakeView) -> None:
    org.do(SetParent(ticket_id=tickets.ramon_new, parent_id=tickets.javi_assigned), org.ramon)
    view = make_view(org.ramon, tickets.ramon_new)
    view.ticket_open_requested.connect(view.show_ticket)

    with qtbot.waitSignal(view.ticket_loaded):
        view.details_tab.side.parent_picker.chosen_label.linkActivated.emit("open")

    assert view.ticket_id == tickets.javi_assigned
    assert view.header.title_label.text() == "VPN drops every hour"
    assert view.tab_title("children") == "Child tickets (1)"


def test_moving_to_another_ticket_with_unsaved_changes_asks_first(
        qtbot: QtBot, org: Org, tickets: Tickets, make_view: MakeView,
        monkeypatch: pytest.MonkeyPatch) -> None:
    view = make_view(org.ramon, tickets.ramon_new)
    view.set_current_tab("history")
    view.details_tab.title.setText("Typed, not saved")
    view.details_tab.title.textEdited.emit("Typed, not saved")
    answers = iter([False, True])
    monkeypatch.setattr(ticket_view, "confirm_discard_changes",
                        lambda _parent, _label: next(answers))

    assert not view.show_ticket(tickets.ana_new)
    assert view.ticket_id == tickets.ramon_new
    assert view.details_tab.title.text() == "Typed, not saved"

    with qtbot.waitSignal(view.ticket_loaded):
        assert view.show_ticket(tickets.ana_new)
    assert view.header.title_label.text() == "Laptop for a new starter"
    assert view.current_tab() == "history", "moving on keeps the tab"


def test_changes_made_elsewhere_while_editing_do_not_wipe_what_is_typed(
        qtbot: QtBot, org: Org, tickets: Tickets, make_view: MakeView) -> None:
    view = make_view(org.ramon, tickets.ramon_new)
    tab = view.details_tab
    tab.title.setText("Mine")
    tab.title.textEdited.emit("Mine")
    org.do(UpdateTicketFields(ticket_id=tickets.ramon_new,
                              changes={"project_task": "Printer fleet"}), org.ramon)

    with qtbot.waitSignal(view.ticket_loaded):
        view.reload()

    assert tab.title.text() == "Mine"
    assert not tab.newer_bar.isHidden()
    qtbot.mouseClick(tab.show_newer_button, Qt.MouseButton.LeftButton)
    assert tab.title.text() == "Printer on the second floor jams"
    assert tab.side.project_task.text() == "Printer fleet"


def test_ctrl_s_saves_the_details_from_another_tab(
        qtbot: QtBot, org: Org, tickets: Tickets, make_view: MakeView) -> None:
    view = make_view(org.ramon, tickets.ramon_new)
    view.details_tab.title.setText("Printer jams on duplex")
    view.details_tab.title.textEdited.emit("Printer jams on duplex")
    view.set_current_tab("history")
    view.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view.window())
    view.history_tab.setFocus()
    focused = QApplication.focusWidget()
    assert focused is not None

    with qtbot.waitSignal(view.ticket_loaded):
        qtbot.keyClick(focused, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert ticket(org, tickets.ramon_new).title == "Printer jams on duplex"


# --- Lock -------------------------------------------------------------------------------


def test_the_owner_locks_a_closed_ticket_and_every_part_says_why(
        qtbot: QtBot, org: Org, tickets: Tickets, make_view: MakeView) -> None:
    view = make_view(org.ramon, tickets.bob_closed)
    changed: list[uuid.UUID] = []
    view.ticket_changed.connect(changed.append)
    button = view.header.lock_button
    assert button.isVisibleTo(view)
    assert button.text() == "Lock"

    with qtbot.waitSignal(view.ticket_loaded):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert ticket(org, tickets.bob_closed).locked
    assert changed == [tickets.bob_closed]
    assert view.header.locked_chip.isVisibleTo(view)
    assert button.text() == "Unlock", "Ramón manages Acme: he may unlock it"
    tab = view.details_tab
    for part, lock in tab.labels.locks.items():
        assert lock.isVisibleTo(tab), part
        assert "locked" in lock.toolTip(), part
    assert not tab.side.status.isEnabled()
    assert tab.title.isReadOnly()

    with qtbot.waitSignal(view.ticket_loaded):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert not ticket(org, tickets.bob_closed).locked
    assert button.text() == "Lock"
    assert not tab.labels.locks["title"].isVisibleTo(tab)


def test_lock_is_offered_only_where_the_rules_allow(
        org: Org, tickets: Tickets, make_view: MakeView) -> None:
    open_ticket = make_view(org.ramon, tickets.ramon_new)
    assert not open_ticket.header.lock_button.isVisibleTo(open_ticket), "not closed"
    not_his = make_view(org.tomas, tickets.bob_closed)
    assert not not_his.header.lock_button.isVisibleTo(not_his), "neither owner nor manager"


def test_lock_waits_for_unsaved_details(org: Org, tickets: Tickets,
                                        make_view: MakeView) -> None:
    view = make_view(org.ramon, tickets.bob_closed)
    view.details_tab.title.setText("Reset my password (done)")
    view.details_tab.title.textEdited.emit("Reset my password (done)")

    assert not view.header.lock_button.isEnabled()
    assert "Save or revert" in view.header.lock_button.toolTip()
    view.details_tab.revert()
    assert view.header.lock_button.isEnabled()


def test_a_refused_lock_is_told_and_the_ticket_read_again(
        qtbot: QtBot, org: Org, tickets: Tickets, make_view: MakeView,
        shown: list[str]) -> None:
    """Between reading and clicking, the ticket was reopened: only closed ones lock."""
    view = make_view(org.ramon, tickets.bob_closed)
    org.do(ReopenTicket(ticket_id=tickets.bob_closed), org.ramon)

    with qtbot.waitSignal(view.ticket_loaded):
        qtbot.mouseClick(view.header.lock_button, Qt.MouseButton.LeftButton)

    assert shown == ["Only a closed ticket can be locked."]
    assert not ticket(org, tickets.bob_closed).locked
    assert not view.header.lock_button.isVisibleTo(view)


# --- Sync state --------------------------------------------------------------------------


@pytest.fixture
def tomas_desktop(org: Org, tmp_path: Path) -> Iterator[Desktop]:
    """Tomás's replica; asked for before ``make_view`` so its views close first."""
    desktop = Desktop(org, org.tomas, tmp_path / "tomas")
    yield desktop
    desktop.ws.close()


def test_a_replicas_header_counts_changes_not_yet_sent_then_refusals(
        qtbot: QtBot, org: Org, tomas_desktop: Desktop, make_view: MakeView) -> None:
    """sync.md's worked example on a replica: closed offline after the lead reassigned it."""
    desktop = tomas_desktop
    ticket_id = new_ticket(org, org.tomas, org.support)
    desktop.sync()
    view = make_view(org.tomas, ticket_id, desktop.ws)
    assert view.header.sync_texts() == ["Synced"]

    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.javi), org.ramon)
    desktop.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Replaced disk</p>"))
    desktop.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED,
                           epilogue_html="<p>Done &amp; dusted</p>"))
    with qtbot.waitSignal(view.ticket_loaded):
        view.reload()
    assert view.header.sync_texts() == ["2 changes not yet sent"]

    desktop.sync()
    with qtbot.waitSignal(view.ticket_loaded):
        view.reload()
    panel = view.conflicts_panel
    assert panel is not None
    qtbot.waitUntil(lambda: not panel.conflict_list.is_loading and not panel.isHidden())
    assert view.header.sync_texts() == ["1 change refused by the server"]
    (card,) = panel.conflict_list.cards
    assert card.user_text_label is not None
    assert card.user_text_label.text() == "Done & dusted", "the user's text is kept"


def test_a_ticket_filed_offline_is_marked_not_yet_numbered(
        qtbot: QtBot, org: Org, tomas_desktop: Desktop, make_view: MakeView) -> None:
    tomas_desktop.sync()
    ticket_id = uuid.uuid4()
    tomas_desktop.do(CreateTicket(ticket_id=ticket_id, title="Scanner offline",
                                  group_id=org.support))
    view = make_view(org.tomas, ticket_id, tomas_desktop.ws)

    assert view.header.number_label.text().startswith("#L")
    assert not view.header.provisional_chip.isHidden()
    assert view.header.provisional_chip.text_label.text() == "Not yet numbered by the server"
    assert view.header.sync_texts() == ["1 change not yet sent"]


def test_the_header_says_where_sync_stands(qtbot: QtBot) -> None:
    assert sync_words(TicketSyncState(pending=0, conflicts=0))[0][1] == "Synced"
    assert [text for _, text in sync_words(TicketSyncState(pending=1, conflicts=2))] == [
        "1 change not yet sent", "2 changes refused by the server"]
    header = TicketHeader()
    qtbot.addWidget(header)
    header.show_sync(TicketSyncState(pending=3, conflicts=0))
    assert header.sync_texts() == ["3 changes not yet sent"]
    header.show_sync(None)
    assert header.sync_texts() == []
