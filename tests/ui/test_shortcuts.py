"""The shortcut registry, the actions it makes and the dialog listing it."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView, QTextEdit, QVBoxLayout, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktopdesk import __version__
from desktopdesk.ui import shortcuts
from desktopdesk.ui.help_dialog import ShortcutsDialog, ShortcutTreeModel
from desktopdesk.ui.rich_text_toolbar import RichTextToolbar
from desktopdesk.ui.shortcuts import (
    MAIN_WINDOW,
    SCOPE_ORDER,
    SHORTCUTS,
    TICKET_LIST,
    TICKET_VIEW,
    WORKUNIT_EDITOR,
    Shortcut,
    clashes,
    make_action,
    shortcut,
)
from desktopdesk.ui.workunit_editor import WorkunitEditor
from tests.conftest import Org
from tests.ui.conftest import MakeWindow, Tickets


def texts(sequences: list[QKeySequence]) -> list[str]:
    return [sequence.toString() for sequence in sequences]


# --- The registry -------------------------------------------------------------------------


def test_no_two_shortcuts_answer_to_the_same_keys_where_both_apply(qapp: QApplication) -> None:
    assert clashes() == []


def test_a_clash_is_found_inside_a_scope_and_with_the_scopes_around_it(
    qapp: QApplication,
) -> None:
    typo = Shortcut("strike", "Strike out", WORKUNIT_EDITOR, "", keys=("Ctrl+N",))
    found = clashes((*SHORTCUTS, typo))
    assert [(c.first.key, c.second.key, c.keys) for c in found] == [
        ("new_ticket", "strike", "Ctrl+N")]  # the main window holds the editor
    elsewhere = dataclasses.replace(typo, key="close_view", scope=TICKET_LIST,
                                    keys=("Ctrl+Shift+W",))
    assert clashes((*SHORTCUTS, elsewhere)) == []  # the list and the ticket view never meet


# Keys that are Qt's standard key for the same command (the toolbar writes them out).
SAME_MEANING = {
    "bold": QKeySequence.StandardKey.Bold,
    "italic": QKeySequence.StandardKey.Italic,
    "underline": QKeySequence.StandardKey.Underline,
}


def test_chosen_keys_take_no_standard_key_of_this_platform(qapp: QApplication) -> None:
    """A chosen key that Qt binds to something else would fight text fields and views
    (Ctrl+Z, Ctrl+A, Ctrl+Left…)."""
    taken = {
        binding.toString(): standard for standard in QKeySequence.StandardKey
        if standard is not QKeySequence.StandardKey.UnknownKey
        for binding in QKeySequence.keyBindings(standard)}
    for entry in SHORTCUTS:
        if entry.scope.context is Qt.ShortcutContext.WidgetShortcut:
            continue  # keys reach one view only (the ticket table, the scan's pages): no text
        for text in texts(entry.sequences()):
            standard = taken.get(text)
            assert standard is None or standard in (entry.standard, SAME_MEANING.get(entry.key)), (
                f"{entry.key} takes {text}, Qt's {standard}")


def test_the_issue_s_commands_all_have_keys(qapp: QApplication) -> None:
    wanted = {"new_ticket", "find_tickets", "next_ticket", "previous_ticket", "open_ticket",
              "new_workunit", "add_workunit", "save_details", "refresh", "show_my_tickets",
              "show_all_tickets", "help", "quit"}
    assert wanted <= {entry.key for entry in SHORTCUTS}
    assert all(shortcut(key).native_text() for key in wanted)
    assert shortcut("next_ticket").native_text() == "Ctrl+."
    assert shortcut("new_workunit").native_text() == "Ctrl+Shift+W"


def test_every_shortcut_of_the_main_window_is_registered_as_it_is(
    qtbot: QtBot, org: Org, tickets: Tickets, make_window: MakeWindow,
) -> None:
    """With a ticket open, every action that has keys (the window's, the list's, the
    ticket view's tabs and editors) is in the registry with the same keys and reach,
    and every registered action of those places is there."""
    window = make_window(org.ramon)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.ticket_view is not None
                    and window.ticket_view.details is not None
                    and not window.ticket_view.is_loading)
    found = {action.objectName(): action for action in window.findChildren(QAction)
             if action.shortcuts()}
    for name, action in found.items():
        entry = shortcut(name.removeprefix("action_"))
        keys, registered_keys = texts(action.shortcuts()), texts(entry.sequences())
        # The same first key; the platform's extra ones (a keyboard's "Open" key) may be
        # left out by a widget that sets only QKeySequence(StandardKey.Open).
        assert keys[0] == registered_keys[0], name
        assert set(keys) <= set(registered_keys), name
        reach = action.shortcutContext()
        assert reach == entry.scope.context or (
            entry.key == "new_workunit"  # the window's, reaching the view inside it
            and reach == Qt.ShortcutContext.WidgetWithChildrenShortcut), name
    places = {MAIN_WINDOW, TICKET_LIST, TICKET_VIEW, shortcuts.DETAILS_TAB,
              shortcuts.FILES_TAB, shortcuts.WORK_ORDERS_TAB, WORKUNIT_EDITOR,
              shortcuts.TEXT_FORMATTING}
    registered = {f"action_{s.key}" for s in SHORTCUTS
                  if s.scope in places and s.key != "quick_edit"}  # Qt's own F2
    assert registered == set(found)


def test_the_registry_says_what_the_workunit_editor_does(
    qtbot: QtBot, org: Org, tickets: Tickets,
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    editor = WorkunitEditor(org.ws, org.ramon, tickets.ramon_new, parent=host)
    try:
        add = editor.findChild(QAction, "action_add_workunit")
        assert add is not None
        assert texts(add.shortcuts()) == texts(shortcut("add_workunit").sequences())
        assert add.shortcutContext() == WORKUNIT_EDITOR.context
    finally:
        editor.runner.wait_for_done()
        host.close()


def test_every_formatting_key_is_in_the_registry_as_the_toolbar_has_it(
    qtbot: QtBot,
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    toolbar = RichTextToolbar(QTextEdit(host), host)
    formatting = [a for a in toolbar.actions() if not a.isSeparator()]
    assert formatting
    for action in formatting:
        entry = shortcut(action.objectName().removeprefix("action_"))
        assert entry.scope == shortcuts.TEXT_FORMATTING
        assert texts(action.shortcuts()) == texts(entry.sequences())


# --- make_action --------------------------------------------------------------------------


def test_make_action_names_labels_and_binds_the_action(qtbot: QtBot) -> None:
    window = QWidget()
    window.setObjectName("test_window")
    qtbot.addWidget(window)
    triggered: list[str] = []
    action = make_action("new_ticket", window, lambda: triggered.append("new"))
    assert action.objectName() == "action_new_ticket"
    assert action.text() == "New ticket"
    assert texts(action.shortcuts())[0] == "Ctrl+N"  # then any "New" key the keyboard has
    assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    assert action.toolTip() == "New ticket (Ctrl+N)"
    assert action.statusTip() == "File a new ticket."
    assert not action.icon().isNull()
    assert action in window.actions()

    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert triggered == ["new"]


# The offscreen platform cannot pass a laid-out window's size limits on, and says so.
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_a_list_shortcut_works_in_the_list_only(qtbot: QtBot) -> None:
    """Return opens the ticket in the table, and stays Return in a text field beside it."""
    window = QWidget()
    qtbot.addWidget(window)
    table = QTableView(window)
    table.setObjectName("ticket_table")
    field = QLineEdit(window)
    field.setObjectName("filter_text")
    layout = QVBoxLayout(window)
    layout.addWidget(field)
    layout.addWidget(table)
    opened: list[bool] = []
    action = make_action("open_ticket", table, lambda: opened.append(True))
    assert action.shortcutContext() == TICKET_LIST.context
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    field.setFocus()
    with qtbot.waitSignal(field.returnPressed):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert opened == []
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened == [True]


def test_make_action_refuses_keys_qt_handles_itself(qapp: QApplication) -> None:
    with pytest.raises(ValueError, match="Qt's widgets handle"):
        make_action("quick_edit", QWidget())  # F2 in the table is Qt's
    with pytest.raises(KeyError):
        make_action("no_such_command", QWidget())


# --- The dialog ---------------------------------------------------------------------------


@pytest.fixture
def dialog(qtbot: QtBot) -> ShortcutsDialog:
    """Not shown: the offscreen platform warns when a shown dialog's layout changes."""
    shown = ShortcutsDialog()
    qtbot.addWidget(shown)
    return shown


def test_the_dialog_lists_every_shortcut_grouped_by_where_it_works(
    dialog: ShortcutsDialog,
) -> None:
    grouped = [entry for scope in SCOPE_ORDER for entry in SHORTCUTS if entry.scope == scope]
    assert dialog.visible_shortcuts() == grouped
    groups = [dialog.proxy.index(row, 0).data() for row in range(dialog.proxy.rowCount())]
    assert groups == [scope.label for scope in SCOPE_ORDER]
    assert groups[:3] == ["Main window", "Ticket list", "Ticket view"]
    find_row = next(row for row in range(dialog.proxy.rowCount(dialog.proxy.index(0, 0)))
                    if dialog.proxy.index(row, 0, dialog.proxy.index(0, 0)).data()
                    == "Search tickets")
    keys = dialog.proxy.index(find_row, 1, dialog.proxy.index(0, 0)).data()
    assert keys == QKeySequence(QKeySequence.StandardKey.Find).toString(
        QKeySequence.SequenceFormat.NativeText)
    assert dialog.view.isFirstColumnSpanned(0, dialog.view.rootIndex())
    assert __version__ in dialog.about_label.text()


def test_searching_narrows_the_list_by_name_key_or_place(
    qtbot: QtBot, dialog: ShortcutsDialog,
) -> None:
    qtbot.keyClicks(dialog.search, "f5")
    assert [s.key for s in dialog.visible_shortcuts()] == ["refresh", "sync_now"]
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "sync panel")  # a group's name keeps the whole group
    assert dialog.visible_shortcuts() == list(shortcuts.in_scope(shortcuts.SYNC_PANEL))
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "next ticket")
    assert [s.key for s in dialog.visible_shortcuts()] == ["next_ticket"]
    assert not dialog.empty_label.isVisibleTo(dialog)
    qtbot.keyClicks(dialog.search, "zzz")
    assert dialog.visible_shortcuts() == []
    assert dialog.empty_label.isVisibleTo(dialog)
    dialog.search.clear()
    assert len(dialog.visible_shortcuts()) == len(SHORTCUTS)


def test_the_shortcut_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, dialog: ShortcutsDialog,
) -> None:
    qtmodeltester.check(ShortcutTreeModel())
    qtmodeltester.check(ShortcutTreeModel(()))  # nothing to list
    qtbot.keyClicks(dialog.search, "ticket")
    qtmodeltester.check(dialog.proxy)


def test_scopes_nest_as_the_windows_do() -> None:
    assert WORKUNIT_EDITOR.overlaps(MAIN_WINDOW)
    assert WORKUNIT_EDITOR.overlaps(TICKET_VIEW)
    assert not TICKET_LIST.overlaps(TICKET_VIEW)
    assert not shortcuts.SYNC_PANEL.overlaps(MAIN_WINDOW)
