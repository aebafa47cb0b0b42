"""The main window around one ticket: the list's cursor shows it below, the keyboard moves
through the queue, a new ticket is filed and selected, the shortcuts are listed."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import AddWorkunit
from desktopdesk.ui import help_dialog
from desktopdesk.ui.main_window import MainWindow
from desktopdesk.ui.ticket_create_dialog import TicketCreateDialog
from desktopdesk.ui.ticket_view import TicketView
from tests.conftest import Org
from tests.ui.conftest import MakeWindow, Tickets, wait_until_loaded

#: Showing a window offscreen: the platform plugin says it cannot pass size hints on.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def select_row(qtbot: QtBot, window: MainWindow, row: int) -> uuid.UUID:
    window.table.setFocus()
    window.table.setCurrentIndex(window.model.index(row, 0))
    ticket_id = window.model.ticket_id(row)
    wait_for_view(qtbot, window, ticket_id)
    return ticket_id


def wait_for_view(qtbot: QtBot, window: MainWindow, ticket_id: uuid.UUID) -> TicketView:
    qtbot.waitUntil(lambda: window.ticket_view is not None
                    and window.ticket_area.currentWidget() is window.ticket_view
                    and window.ticket_view.details is not None
                    and window.ticket_view.details.id == ticket_id
                    and not window.ticket_view.is_loading)
    assert window.ticket_view is not None
    return window.ticket_view


def press(qtbot: QtBot, window: MainWindow, action_name: str) -> None:
    """Trigger the window's action by its keys, as a person would."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    action = window.findChild(type(window.menuBar().actions()[0]), action_name)
    assert action is not None, action_name
    sequence = action.shortcut()
    assert not sequence.isEmpty()
    combination = sequence[0]
    qtbot.keyClick(QApplication.focusWidget() or window, combination.key(),
                   combination.keyboardModifiers())


def test_nothing_selected_shows_a_hint_and_selecting_shows_the_ticket(
        qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets) -> None:
    window = make_window(org.ramon)
    assert window.ticket_area.currentWidget() is window.ticket_placeholder
    ticket_id = select_row(qtbot, window, 0)
    view = wait_for_view(qtbot, window, ticket_id)
    assert view.header.isVisibleTo(window)
    assert view.details is not None
    assert view.details.title == window.model.ticket_row(0).title


def test_next_and_previous_ticket_move_the_list_and_the_view_follows(
        qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets) -> None:
    window = make_window(org.ramon)
    window.show()
    first = select_row(qtbot, window, 0)
    press(qtbot, window, "action_next_ticket")
    second = window.model.ticket_id(1)
    wait_for_view(qtbot, window, second)
    assert window.list_panel.current_ticket_id == second
    press(qtbot, window, "action_previous_ticket")
    wait_for_view(qtbot, window, first)


def test_the_selection_survives_a_reread_of_the_list(
        qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets) -> None:
    window = make_window(org.ramon)
    chosen = select_row(qtbot, window, 2)
    # Another desktop's work arrives (as a sync brings it): the list is read again.
    org.do(AddWorkunit(ticket_id=window.model.ticket_id(4), text_html="<p>Later</p>"),
           org.ramon)
    window.refresh()
    wait_until_loaded(qtbot, window)
    assert window.list_panel.current_ticket_id == chosen
    assert window.table.currentIndex().row() == window.model.row_of(chosen)
    assert window.ticket_view is not None
    assert window.ticket_view.ticket_id == chosen


def test_a_change_saved_in_the_view_updates_its_row_in_the_list(
        qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets) -> None:
    window = make_window(org.ramon)
    row = window.model.row_of(tickets.ramon_new)
    select_row(qtbot, window, row)
    view = window.ticket_view
    assert view is not None
    view.details_tab.title.setText("Printer on the second floor jams (tray 2)")
    with qtbot.waitSignal(view.ticket_changed, timeout=10_000):
        view.save()
    qtbot.waitUntil(lambda: window.model.ticket_row(window.model.row_of(tickets.ramon_new))
                    .title == "Printer on the second floor jams (tray 2)")


def test_ctrl_n_files_a_ticket_which_is_then_selected_and_shown(
        qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets) -> None:
    window = make_window(org.ramon)
    window.show()
    press(qtbot, window, "action_new_ticket")
    dialog = window.findChild(TicketCreateDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.group_combo.findText("Support") >= 0)
    dialog.title_edit.setText("Projector in room 4 shows no picture")
    index = dialog.group_combo.findText("Support")
    assert index >= 0
    dialog.group_combo.setCurrentIndex(index)
    with qtbot.waitSignal(dialog.ticket_created, timeout=10_000) as created:
        dialog.create_button.click()
    new_id = created.args[0]
    wait_for_view(qtbot, window, new_id)
    qtbot.waitUntil(lambda: window.list_panel.current_ticket_id == new_id)


def test_f1_lists_the_shortcuts(qtbot: QtBot, make_window: MakeWindow, org: Org,
                                tickets: Tickets, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[QDialog] = []
    monkeypatch.setattr(help_dialog.ShortcutsDialog, "exec",
                        lambda self: shown.append(self) or 0)
    window = make_window(org.ramon)
    window.show()
    press(qtbot, window, "action_help")
    assert len(shown) == 1
    assert shown[0].windowTitle()


def test_ctrl_shift_w_puts_the_cursor_in_the_workunit_editor(
        qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets) -> None:
    window = make_window(org.ramon)
    window.show()
    select_row(qtbot, window, 0)
    press(qtbot, window, "action_new_workunit")
    view = window.ticket_view
    assert view is not None
    assert view.current_tab() == "workunits"
    editor = view.workunit_editor
    assert editor is not None
    qtbot.waitUntil(lambda: editor.text.hasFocus())
    assert not window.table.hasFocus()
