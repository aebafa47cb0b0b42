"""The list's widgets driven as people use them: quick filters, the column chooser, and
quick edit going through the same commands and rules as the ticket form."""

from __future__ import annotations

import json
import uuid

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.domain.commands import ChangeSetting
from desktopdesk.models import CommandLogEntry, Priority, Ticket
from desktopdesk.ui import messages
from desktopdesk.ui.desktop_preferences import PREFERENCES_FILE
from desktopdesk.ui.main_window import MainWindow
from desktopdesk.ui.ticket_filter_bar import NOBODY
from desktopdesk.ui.ticket_list_model import Column
from tests.conftest import Org
from tests.ui.conftest import MakeWindow, Tickets, wait_until_loaded

#: The offscreen platform says so whenever a window or popup is shown; nothing of ours.
SHOWN = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


def listed_ids(window: MainWindow) -> set[uuid.UUID]:
    return {window.model.ticket_id(r) for r in range(window.model.rowCount())}


def lookups_loaded(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.list_panel.filter_bar.group.count() > 1)


def last_command(org: Org) -> str:
    with org.ws.read() as session:
        return session.scalars(select(CommandLogEntry.name)
                               .order_by(CommandLogEntry.seq.desc())).first() or ""


# --- Quick filters -------------------------------------------------------------------------


def test_typing_a_word_filters_after_a_pause_and_clear_brings_back_the_default(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    bar = window.list_panel.filter_bar
    with qtbot.waitSignal(bar.filter_changed, timeout=3000) as changed:
        qtbot.keyClicks(bar.text, "printer")
    assert changed.args[0].text == "printer"  # one filter for the word, not one per letter
    wait_until_loaded(qtbot, window)
    assert listed_ids(window) == {tickets.ramon_new}
    with qtbot.waitSignal(bar.filter_changed):
        qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    wait_until_loaded(qtbot, window)
    assert len(listed_ids(window)) == 7


def test_status_priority_group_and_type_filters(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    bar = window.list_panel.filter_bar
    lookups_loaded(qtbot, window)
    assert bar.status.text() == "Status: open"
    with qtbot.waitSignal(bar.filter_changed):
        bar.status.action_for_name("closed").trigger()  # ticked in the status menu
    wait_until_loaded(qtbot, window)
    assert tickets.bob_closed in listed_ids(window)
    assert len(listed_ids(window)) == 8
    with qtbot.waitSignal(bar.filter_changed):
        bar.group.setCurrentIndex(bar.group.findText("Acme"))
    wait_until_loaded(qtbot, window)
    assert listed_ids(window) == {tickets.ana_new, tickets.bob_closed, tickets.ramon_pending}
    with qtbot.waitSignal(bar.filter_changed):
        bar.priority.action_for(Priority.VERY_SERIOUS).trigger()
    wait_until_loaded(qtbot, window)
    assert listed_ids(window) == set()
    assert [bar.type.itemText(i) for i in range(bar.type.count())] == ["Any type"]


@SHOWN
def test_owner_completes_after_two_letters_and_filters_by_the_person_chosen(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    window.show()
    qtbot.waitExposed(window)
    lookups_loaded(qtbot, window)
    owner = window.list_panel.filter_bar.owner
    popup = owner.completer_.popup()
    assert popup is not None
    owner.setFocus()
    qtbot.keyClicks(owner, "t")
    assert not popup.isVisible()  # one letter: too early to guess
    qtbot.keyClicks(owner, "o")
    qtbot.waitUntil(popup.isVisible)
    assert owner.completer_.currentCompletion() == "Tomas (tomas)"
    with qtbot.waitSignal(window.list_panel.filter_bar.filter_changed) as changed:
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert owner.text() == "Tomas (tomas)"
    assert changed.args[0].owner_id == org.tomas
    wait_until_loaded(qtbot, window)
    assert listed_ids(window) == {tickets.tomas_unconfirmed}


def test_an_owner_nobody_has_shows_nothing_and_says_why(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    lookups_loaded(qtbot, window)
    owner = window.list_panel.filter_bar.owner
    with qtbot.waitSignal(window.list_panel.filter_bar.filter_changed) as changed:
        qtbot.keyClicks(owner, "zorro")
        qtbot.keyClick(owner, Qt.Key.Key_Return)
    assert changed.args[0].owner_id == NOBODY
    wait_until_loaded(qtbot, window)
    assert listed_ids(window) == set()
    warning = next(a for a in owner.actions() if a.toolTip())
    assert warning.isVisible()
    assert "zorro" in warning.toolTip()


# --- Columns -------------------------------------------------------------------------------


@SHOWN
def test_the_column_chooser_is_remembered_on_this_desktop(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    window.show()
    table = window.table
    assert table.isColumnHidden(Column.CREATED)  # hidden until asked for
    assert not table.isColumnHidden(Column.GROUP)
    header = table.horizontalHeader()
    header.customContextMenuRequested.emit(QPoint(20, 5))  # a right click on the header
    qtbot.waitUntil(table.column_menu.isVisible)
    table.column_action(Column.GROUP).trigger()  # untick "Group"
    table.column_action(Column.CREATED).trigger()  # tick "Created"
    table.column_menu.hide()
    assert table.isColumnHidden(Column.GROUP)
    assert not table.isColumnHidden(Column.CREATED)
    assert not table.column_action(Column.TITLE).isEnabled()  # the title always shows
    saved = json.loads((org.ws.data_dir / PREFERENCES_FILE).read_text())
    assert saved["ticket_list"]["hidden_columns"] == ["group"]

    again = make_window(org.ramon)  # the next start on this desktop
    assert again.table.isColumnHidden(Column.GROUP)
    assert not again.table.isColumnHidden(Column.CREATED)


def test_full_names_and_approximate_dates_are_remembered_too(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    row = window.model.row_of(tickets.ramon_new)
    assert window.model.index(row, Column.OWNER).data() == "ramon"
    window.table.full_names_action.trigger()
    window.table.approximate_dates_action.trigger()
    assert window.model.index(row, Column.OWNER).data() == "Ramon"
    again = make_window(org.ramon)
    assert again.table.full_names_action.isChecked()
    assert again.model.display.approximate_dates
    assert "/" not in again.model.index(0, Column.UPDATED).data()


def test_a_server_setting_hides_the_creator_column_for_good(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    org.do(ChangeSetting(key="show_creator_in_list", value=False), org.admin)
    window = make_window(org.ramon)
    lookups_loaded(qtbot, window)
    action = window.table.column_action(Column.CREATOR)
    assert window.table.isColumnHidden(Column.CREATOR)
    assert not action.isEnabled()
    assert "Show ticket creator in lists" in action.toolTip()
    assert not window.table.isColumnHidden(Column.OWNER)


# --- Quick edit ----------------------------------------------------------------------------


@pytest.fixture
def quick_edit_on(org: Org) -> None:
    org.do(ChangeSetting(key="quick_edit", value=True), org.admin)


def open_editor(qtbot: QtBot, window: MainWindow, ticket_id: uuid.UUID,
                column: Column) -> QComboBox:
    lookups_loaded(qtbot, window)
    qtbot.waitUntil(lambda: window.model.editable)
    index = window.model.index(window.model.row_of(ticket_id), column)
    window.table.setCurrentIndex(index)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F2)  # the edit key, as people press it
    combo = window.table.findChild(QComboBox, f"quick_edit_{column.key}")
    assert combo is not None
    return combo


def cell(window: MainWindow, ticket_id: uuid.UUID, column: Column) -> str:
    return str(window.model.index(window.model.row_of(ticket_id), column).data())


@SHOWN
def test_quick_edit_changes_priority_through_the_command(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets, quick_edit_on: None
) -> None:
    window = make_window(org.ramon)
    window.show()
    combo = open_editor(qtbot, window, tickets.ramon_new, Column.PRIORITY)
    assert combo.currentText() == "Medium"
    with qtbot.waitSignal(window.list_panel.quick_editor.edit_applied):
        qtbot.keyClick(combo, Qt.Key.Key_Down)  # picks "Serious", and that is the edit
    qtbot.waitUntil(lambda: cell(window, tickets.ramon_new, Column.PRIORITY) == "Serious")
    assert last_command(org) == "UpdateTicketFields"
    with org.ws.read() as session:
        assert session.get(Ticket, tickets.ramon_new).priority is Priority.SERIOUS  # type: ignore[union-attr]


@SHOWN
def test_quick_edit_reassigns_through_assign_owner(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets, quick_edit_on: None
) -> None:
    window = make_window(org.ramon)
    window.show()
    combo = open_editor(qtbot, window, tickets.ramon_new, Column.OWNER)
    assert combo.currentText() == "Ramon (ramon)"
    line = combo.lineEdit()
    assert isinstance(line, QLineEdit)
    line.selectAll()
    with qtbot.waitSignal(window.list_panel.quick_editor.edit_applied):
        qtbot.keyClicks(line, "Tomas (tomas)")
        qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(window, tickets.ramon_new, Column.OWNER) == "tomas")
    assert last_command(org) == "AssignOwner"


@SHOWN
def test_quick_edit_refused_by_the_rules_says_why_and_changes_nothing(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets, quick_edit_on: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(messages, "warning",
                        lambda _parent, text, **_kw: shown.append(text))
    window = make_window(org.tomas)  # sees Support, but ramon owns this ticket
    window.show()
    before = last_command(org)
    combo = open_editor(qtbot, window, tickets.ramon_new, Column.STATUS)
    assert combo.currentText() == "New"
    assert "Closed" not in [combo.itemText(i) for i in range(combo.count())]
    with qtbot.waitSignal(window.list_panel.quick_editor.edit_refused):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    number = cell(window, tickets.ramon_new, Column.NUMBER)
    assert shown == [f"Only the owner (Ramon) can change the status of {number}."]
    assert cell(window, tickets.ramon_new, Column.STATUS) == "New"
    assert last_command(org) == before  # nothing applied, nothing logged


def test_without_the_setting_nothing_is_editable_in_the_list(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    lookups_loaded(qtbot, window)
    index = window.model.index(0, Column.STATUS)
    window.table.setCurrentIndex(index)
    qtbot.keyClick(window.table, Qt.Key.Key_F2)
    assert window.table.findChild(QComboBox, "quick_edit_status") is None


@SHOWN
def test_ctrl_f_goes_to_the_search_field(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.table.setFocus()
    bar = window.list_panel.filter_bar
    assert not bar.text.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert bar.text.hasFocus()
