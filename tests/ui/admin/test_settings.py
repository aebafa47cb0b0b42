"""The Settings page, driven through its real widgets, and for each option the change a
person sees in the app once it is saved there.

Every effect test changes the option on the page (as a super-admin for shared options,
as an ordinary user for this desktop's), then opens the part of the app the option is
about and looks at it as a person would.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDateTime, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

import desktopdesk
from desktopdesk.domain import settings
from desktopdesk.domain.auto_close import run_auto_close
from desktopdesk.domain.commands import (
    AddWorkunit,
    ChangeSetting,
    CloseTicket,
    CreateTicket,
    CreateTicketType,
    UpdateGroup,
    UpdateUser,
)
from desktopdesk.domain.queries import UserSummary
from desktopdesk.domain.settings import REGISTRY, Setting, get_setting
from desktopdesk.models import CommandLogEntry, Resolution, SettingValue, Ticket, UserKind
from desktopdesk.ui import ticket_files_tab
from desktopdesk.ui.admin.settings_section import SettingsSection
from desktopdesk.ui.admin.settings_source import (
    GROUPS,
    NOT_YET_EFFECTIVE,
    SHARED_READ_ONLY_REASON,
    load_settings,
)
from desktopdesk.ui.desktop_preferences import DesktopPreferences
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_create_dialog import TicketCreateDialog
from desktopdesk.ui.ticket_filter_bar import person_label
from desktopdesk.ui.ticket_list_model import Column
from desktopdesk.ui.ticket_view import TicketView
from tests.conftest import Org
from tests.ui.conftest import (
    Embed,
    MakeDialog,
    MakeWindow,
    Tickets,
    choose,
    qt_modules_loaded_by,
    wait_until_loaded,
)

OpenSettings = Callable[[uuid.UUID], SettingsSection]
ChangeOptions = Callable[..., None]
OpenView = Callable[[uuid.UUID, uuid.UUID], TicketView]

#: Dialogs are windows of their own; the offscreen platform cannot size or raise those,
#: and says so.
WINDOWS = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)")


# --- Driving the page -----------------------------------------------------------------------


@pytest.fixture
def open_settings(qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner) -> OpenSettings:
    """The page as ``user_id`` opens it, shown and loaded."""

    def open_page(user_id: uuid.UUID) -> SettingsSection:
        section = SettingsSection(org.ws, user_id, runner)
        with qtbot.waitSignal(section.loaded, timeout=10_000):
            embed(section, 900, 700)
        return section

    return open_page


def set_option(qtbot: QtBot, section: SettingsSection, key: str, value: Any) -> None:
    """As a person would: tick or untick the box, pick the entry, or enter the number."""
    widget = section.rows[key].input
    if isinstance(widget, QCheckBox):
        if widget.isChecked() != value:
            qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    elif isinstance(widget, QComboBox):
        choose(qtbot, widget, widget.itemText(widget.findData(value)))
    else:
        assert isinstance(widget, QSpinBox | QDoubleSpinBox)
        widget.setValue(value)
    assert section.rows[key].value() == value


def press_save(qtbot: QtBot, section: SettingsSection) -> str | None:
    """Click Save and wait for the page to re-read the settings; the refusal, if any."""
    failures: list[str] = []
    answers: list[object] = []
    section.save_failed.connect(failures.append)
    section.save_failed.connect(answers.append)
    section.loaded.connect(lambda: answers.append(True))
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    return failures[0] if failures else None


@pytest.fixture
def change(qtbot: QtBot, open_settings: OpenSettings, org: Org) -> ChangeOptions:
    """``change(key=value, ...)`` on the page and Save, as the admin (or ``as_user``)."""

    def apply(as_user: uuid.UUID | None = None, **options: Any) -> None:
        section = open_settings(as_user or org.admin)
        for key, value in options.items():
            set_option(qtbot, section, key, value)
        assert press_save(qtbot, section) is None
        assert section.changed_options() == {}

    return apply


def commands_logged(org: Org) -> int:
    with org.ws.read() as session:
        return session.scalar(select(func.count()).select_from(CommandLogEntry)) or 0


def stored(org: Org, setting: Setting[Any]) -> Any:
    with org.ws.read() as session:
        return get_setting(session, setting)


# --- Opening the parts of the app the options shape ------------------------------------------


@pytest.fixture
def open_view(qtbot: QtBot, org: Org, embed: Embed, runner: TaskRunner,
              shown: list[str]) -> OpenView:
    """A ticket as ``user_id`` reads it in the ticket view, loaded."""

    def open_ticket(user_id: uuid.UUID, ticket_id: uuid.UUID) -> TicketView:
        view = TicketView(org.ws, user_id, runner, ticket_id)
        embed(view, 1200, 800)
        qtbot.waitUntil(lambda: not view.is_loading and view.workunit_editor is not None
                        and view.workunit_editor.is_ready, timeout=10_000)
        return view

    return open_ticket


def file_ticket(qtbot: QtBot, dialog: TicketCreateDialog, title: str,
                group: str | None = None) -> uuid.UUID:
    if group is not None:
        choose(qtbot, dialog.group_combo, group)
    qtbot.keyClicks(dialog.title_edit, title)
    with qtbot.waitSignal(dialog.ticket_created, timeout=10_000) as created:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    ticket_id = created.args[0]
    assert isinstance(ticket_id, uuid.UUID)
    return ticket_id


def lookups_loaded(qtbot: QtBot, window: Any) -> None:
    qtbot.waitUntil(lambda: window.list_panel.filter_bar.group.count() > 1)


def cell(window: Any, ticket_id: uuid.UUID, column: Column) -> str:
    return str(window.model.index(window.model.row_of(ticket_id), column).data())


# --- The page -------------------------------------------------------------------------------


def test_every_registered_option_is_shown_once_in_the_manuals_groups(
    open_settings: OpenSettings, org: Org,
) -> None:
    listed = [setting.key for _, members in GROUPS for setting in members]
    assert sorted(listed) == sorted(REGISTRY), "every option, and nothing else"
    assert len(listed) == len(set(listed)), "each once"
    section = open_settings(org.admin)
    assert [box.title() for box in section.group_boxes.values()] == [
        "Visual options", "Ticket behaviour", "Workunit options", "Files", "SLA",
        "Work orders"]
    for group, members in GROUPS:
        box = section.group_boxes[group]
        for setting in members:
            row = section.rows[setting.key]
            assert box.isAncestorOf(row)
            assert row.help_label.text() == setting.help
            assert row.input.accessibleName() == setting.label
            assert row.scope_label.text() == (
                "Every desktop" if setting.scope == "server" else "This desktop")
            assert row.input.isEnabled()
    assert section.read_only_notice.isHidden()


def test_widgets_follow_the_type_and_show_what_is_stored(
    open_settings: OpenSettings, org: Org,
) -> None:
    org.do(ChangeSetting(key="auto_close_days", value=30), org.admin)
    section = open_settings(org.admin)
    assert isinstance(section.rows["quick_edit"].input, QCheckBox)
    assert isinstance(section.rows["date_format"].input, QComboBox)
    days = section.rows["auto_close_days"].input
    assert isinstance(days, QSpinBox)
    assert days.value() == 30
    assert days.minimum() == 0
    hours = section.rows["workunit_default_hours"].input
    assert isinstance(hours, QDoubleSpinBox)
    assert hours.value() == 0.25
    megabytes = section.rows["max_attachment_mb"].input
    assert isinstance(megabytes, QSpinBox)
    assert megabytes.minimum() == 1


def test_a_stored_time_finer_than_the_input_shows_is_not_a_change(
    open_settings: OpenSettings, org: Org,
) -> None:
    org.do(ChangeSetting(key="workunit_default_hours", value=1 / 3), org.admin)
    section = open_settings(org.admin)
    assert section.rows["workunit_default_hours"].value() == 0.33
    assert section.changed_options() == {}
    assert not section.save_button.isEnabled()


def test_options_nothing_acts_on_yet_say_so(open_settings: OpenSettings, org: Org) -> None:
    section = open_settings(org.admin)
    for key, row in section.rows.items():
        assert row.note_label.isHidden() == (key not in NOT_YET_EFFECTIVE)
    assert section.rows["ignore_group_template_for_creator"].note_label.text() == (
        "Not applied yet: mail notifications are still to come.")


def test_the_not_yet_effective_list_matches_the_code() -> None:
    """An option is "not yet effective" exactly when nothing in the app reads it: when
    someone makes one work, this fails until the note on the page goes."""
    package = Path(desktopdesk.__file__).parent
    skipped = {package / "domain" / "settings.py",
               package / "ui" / "admin" / "settings_source.py"}
    sources = [path.read_text(encoding="utf-8") for path in package.rglob("*.py")
               if path not in skipped]
    constants = {value.key: name for name, value in vars(settings).items()
                 if isinstance(value, Setting)}
    for key, constant in constants.items():
        pattern = re.compile(rf"\b{constant}\b|[\"']{key}[\"']")
        used = any(pattern.search(text) for text in sources)
        assert used == (key not in NOT_YET_EFFECTIVE), key


def test_a_super_admin_saves_a_shared_option_as_a_command(
    qtbot: QtBot, open_settings: OpenSettings, org: Org,
) -> None:
    section = open_settings(org.admin)
    assert not section.save_button.isEnabled()
    set_option(qtbot, section, "quick_edit", True)
    set_option(qtbot, section, "workunit_default_hours", 0.5)
    assert section.save_button.isEnabled()
    assert section.changes_label.text() == (
        "Not saved yet: Enable quick edit, Workunit default time (hours)")
    assert section.rows["quick_edit"].input.font().bold()
    before = commands_logged(org)
    with qtbot.waitSignal(section.saved):
        assert press_save(qtbot, section) is None
    assert commands_logged(org) == before + 2
    assert stored(org, settings.QUICK_EDIT) is True
    assert stored(org, settings.WORKUNIT_DEFAULT_HOURS) == 0.5
    assert section.changes_label.text() == ""
    assert not section.rows["quick_edit"].input.font().bold()
    assert not section.save_button.isEnabled()


def test_revert_puts_back_what_is_stored(
    qtbot: QtBot, open_settings: OpenSettings, org: Org,
) -> None:
    section = open_settings(org.admin)
    set_option(qtbot, section, "allow_type_change", False)
    set_option(qtbot, section, "max_attachment_mb", 5)
    qtbot.mouseClick(section.revert_button, Qt.MouseButton.LeftButton)
    assert section.rows["allow_type_change"].value() is True
    assert section.rows["max_attachment_mb"].value() == 50
    assert section.changed_options() == {}
    assert not section.revert_button.isEnabled()


def test_others_see_shared_options_read_only_with_the_reason_and_change_their_own(
    qtbot: QtBot, open_settings: OpenSettings, org: Org,
) -> None:
    section = open_settings(org.tomas)
    assert not section.read_only_notice.isHidden()
    for key, row in section.rows.items():
        shared = REGISTRY[key].scope == "server"
        assert row.input.isEnabled() != shared, key
        assert row.input.toolTip() == (SHARED_READ_ONLY_REASON if shared else "")
    before = commands_logged(org)
    set_option(qtbot, section, "date_format", "approximate")
    assert press_save(qtbot, section) is None
    assert commands_logged(org) == before, "a preference of this desktop is not shared"
    with org.ws.read() as session:
        assert session.scalar(select(func.count()).select_from(SettingValue)) == 0
    assert DesktopPreferences(org.ws.data_dir).setting(settings.DATE_FORMAT) == "approximate"


def test_saving_this_desktops_options_tells_the_window(
    qtbot: QtBot, open_settings: OpenSettings, org: Org,
) -> None:
    section = open_settings(org.tomas)
    set_option(qtbot, section, "show_full_names", True)
    with qtbot.waitSignal(section.preferences_changed) as changed, \
            qtbot.assertNotEmitted(section.saved):
        press_save(qtbot, section)
    assert changed.args == [("show_full_names",)]


def test_a_refusal_is_shown_beside_the_option_and_the_choice_is_kept(
    qtbot: QtBot, open_settings: OpenSettings, org: Org,
) -> None:
    def make_superadmin(flag: bool) -> None:
        org.do(UpdateUser(user_id=org.ramon, full_name="Ramon", email="ramon@example.com",
                          company_id=org.helpdesk_company, kind=UserKind.GROUPED,
                          is_superadmin=flag, enabled=True), org.admin)

    make_superadmin(True)
    section = open_settings(org.ramon)
    set_option(qtbot, section, "quick_edit", True)
    make_superadmin(False)  # meanwhile, on another desktop
    message = press_save(qtbot, section)
    assert message == "Only a super-admin may change 'Enable quick edit'."
    row = section.rows["quick_edit"]
    assert row.error_text == message
    assert row.input.accessibleDescription() == message
    assert row.value() is True, "what was chosen is kept"
    assert section.save_button.isEnabled()
    assert stored(org, settings.QUICK_EDIT) is False
    set_option(qtbot, section, "quick_edit", False)
    assert row.error_text == "", "changing the option again clears its message"


def test_reading_again_keeps_unsaved_changes_and_shows_the_rest_anew(
    qtbot: QtBot, open_settings: OpenSettings, org: Org,
) -> None:
    section = open_settings(org.admin)
    set_option(qtbot, section, "quick_edit", True)
    org.do(ChangeSetting(key="allow_type_change", value=False), org.admin)  # a sync brings it
    with qtbot.waitSignal(section.loaded):
        section.reload()
    assert section.rows["allow_type_change"].value() is False
    assert section.rows["quick_edit"].value() is True
    assert section.changed_options() == {"quick_edit": True}


def test_the_wheel_scrolls_the_page_until_an_input_is_chosen(
    qtbot: QtBot, open_settings: OpenSettings, org: Org,
) -> None:
    section = open_settings(org.admin)
    days = section.rows["auto_close_days"].input
    assert isinstance(days, QSpinBox)
    page = section.scroll_area.verticalScrollBar()
    assert page.maximum() > 0, "the page needs scrolling at this size"

    def roll_up_over_days() -> None:
        centre = QPointF(days.rect().center())
        QApplication.sendEvent(days, QWheelEvent(
            centre, days.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120),
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False))

    roll_up_over_days()
    assert days.value() == 72, "passing over it changes nothing"
    assert page.value() > 0, "the page scrolled instead"
    window = section.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    days.setFocus()
    qtbot.waitUntil(days.hasFocus)
    roll_up_over_days()
    assert days.value() == 71


def test_what_the_page_reads_and_writes_runs_without_qt(org: Org) -> None:
    assert qt_modules_loaded_by("desktopdesk.ui.admin.settings_source") == []
    state = load_settings(org.ws, org.tomas)
    assert not state.may_change_shared
    assert state.option("show_full_names").value is False


# --- Visual options: what each one changes ---------------------------------------------------


@pytest.mark.parametrize(("key", "column", "other"), [
    ("show_creator_in_list", Column.CREATOR, Column.OWNER),
    ("show_owner_in_list", Column.OWNER, Column.CREATOR),
])
def test_hiding_people_columns_in_lists(
    qtbot: QtBot, change: ChangeOptions, make_window: MakeWindow, org: Org, tickets: Tickets,
    key: str, column: Column, other: Column,
) -> None:
    before = make_window(org.ramon)
    lookups_loaded(qtbot, before)
    assert not before.table.isColumnHidden(column)
    change(**{key: False})
    window = make_window(org.ramon)
    lookups_loaded(qtbot, window)
    assert window.table.isColumnHidden(column)
    assert not window.table.column_action(column).isEnabled(), "the chooser cannot bring it back"
    assert not window.table.isColumnHidden(other)


def test_quick_edit_makes_list_cells_editable(
    qtbot: QtBot, change: ChangeOptions, make_window: MakeWindow, org: Org, tickets: Tickets,
) -> None:
    def status_editor_opens(window: Any) -> bool:
        lookups_loaded(qtbot, window)
        window.table.setCurrentIndex(window.model.index(0, Column.STATUS))
        qtbot.keyClick(window.table, Qt.Key.Key_F2)
        return window.table.findChild(QComboBox, "quick_edit_status") is not None

    assert not status_editor_opens(make_window(org.ramon))
    change(quick_edit=True)
    window = make_window(org.ramon)
    qtbot.waitUntil(lambda: window.model.editable)
    assert status_editor_opens(window)


def test_full_names_are_a_choice_of_this_desktop(
    qtbot: QtBot, change: ChangeOptions, make_window: MakeWindow, org: Org, tickets: Tickets,
) -> None:
    assert cell(make_window(org.tomas), tickets.ramon_new, Column.OWNER) == "ramon"
    change(as_user=org.tomas, show_full_names=True)  # not a super-admin: their own choice
    window = make_window(org.tomas)
    assert cell(window, tickets.ramon_new, Column.OWNER) == "Ramon"
    assert window.table.full_names_action.isChecked()


def test_approximate_dates_are_a_choice_of_this_desktop(
    qtbot: QtBot, change: ChangeOptions, make_window: MakeWindow, org: Org, tickets: Tickets,
) -> None:
    assert "/" in cell(make_window(org.tomas), tickets.ramon_new, Column.UPDATED)
    change(as_user=org.tomas, date_format="approximate")
    updated = cell(make_window(org.tomas), tickets.ramon_new, Column.UPDATED)
    assert "/" not in updated
    assert re.search(r"\d+ (minute|hour|day|week|month|year)", updated), updated


def test_the_date_of_completion_shows_in_the_workunit_editor(
    change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
) -> None:
    view = open_view(org.ramon, tickets.ramon_new)
    view.focus_workunit_editor()
    assert view.workunit_editor is not None
    assert not view.workunit_editor.fields.completed_at.isVisible()
    change(workunit_completion_date=True)
    view = open_view(org.ramon, tickets.ramon_new)
    view.focus_workunit_editor()
    assert view.workunit_editor is not None
    assert view.workunit_editor.fields.completed_at.isVisible()


def test_a_text_search_stops_at_the_most_tickets_per_search(
    qtbot: QtBot, change: ChangeOptions, make_window: MakeWindow, org: Org, tickets: Tickets,
) -> None:
    def search(window: Any, words: str) -> None:
        bar = window.list_panel.filter_bar
        with qtbot.waitSignal(bar.filter_changed, timeout=10_000):
            qtbot.keyClicks(bar.text, words)
        wait_until_loaded(qtbot, window)

    # "the" is in four of the tickets ramon sees open.
    window = make_window(org.ramon)
    search(window, "the")
    assert window.model.rowCount() == 4
    assert window.list_panel.cap_notice.isHidden()
    assert window.count_label.text().startswith("4 listed")
    change(max_search_results=2)
    window = make_window(org.ramon)
    assert window.model.rowCount() == 7, "a list without words is not cut"
    search(window, "the")
    assert window.model.rowCount() == 2
    assert not window.list_panel.cap_notice.isHidden()
    assert window.list_panel.cap_notice.text() == (
        "Showing the first 2 matches; refine the search.")
    assert window.count_label.text().startswith(
        "Showing the first 2 matches; refine the search · ")
    search(window, " printer")  # "the printer": one ticket, within the cap
    assert window.model.rowCount() == 1
    assert window.list_panel.cap_notice.isHidden()


# --- Ticket behaviour ------------------------------------------------------------------------


def test_creators_rate_closed_tickets_unless_evaluation_is_off(
    qtbot: QtBot, change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
    shown: list[str],
) -> None:
    view = open_view(org.bob, tickets.bob_closed)  # bob filed it; ramon closed it
    rate = view.header.rate_button
    assert not rate.isHidden()
    assert rate.text() == "Rate how this was handled"
    assert view.header.score_chip.isHidden()
    with qtbot.waitSignal(view.ticket_loaded, timeout=10_000):
        view.header.score_actions[8].trigger()
    assert shown == []
    assert rate.isHidden(), "rated once"
    assert view.header.score_chip.text_label.text() == "Rated 8/10"
    assert open_view(org.ramon, tickets.bob_closed).header.score_chip.isHidden(), \
        "the owner does not see how he was rated"

    other = org.do(CreateTicket(title="Mouse wheel sticks", group_id=org.acme_group),
                   org.ana).created_id
    assert other is not None
    org.do(CloseTicket(ticket_id=other, resolution=Resolution.FIXED), org.ramon)
    assert not open_view(org.ana, other).header.rate_button.isHidden()
    change(qa_evaluation_disabled=True)
    view = open_view(org.ana, other)
    assert view.header.rate_button.isHidden()
    assert view.header.score_chip.isHidden()


def test_a_group_without_evaluation_asks_for_no_rating(
    change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
) -> None:
    org.do(UpdateGroup(group_id=org.acme_group, changes={"qa_evaluation": False}), org.admin)
    assert open_view(org.bob, tickets.bob_closed).header.rate_button.isHidden()


def test_edit_holders_may_change_the_creator(
    change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
) -> None:
    creator = open_view(org.tomas, tickets.javi_assigned).details_tab.side.creator
    assert not creator.isEnabled()
    assert creator.toolTip() == "Only a manager of Support can change the creator."
    change(edit_can_change_creator=True)
    assert open_view(org.tomas, tickets.javi_assigned).details_tab.side.creator.isEnabled()


@WINDOWS
def test_the_editor_adds_a_workunit_to_each_new_ticket(
    qtbot: QtBot, change: ChangeOptions, make_dialog: MakeDialog, open_view: OpenView,
    org: Org,
) -> None:
    plain = file_ticket(qtbot, make_dialog(org.ramon), "Before the change", "Support")
    assert open_view(org.ramon, plain).tab_title("workunits") == "Workunits"
    change(editor_adds_workunit_on_create=True, workunit_default_hours=0.5)
    ticket_id = file_ticket(qtbot, make_dialog(org.ramon), "After the change", "Support")
    view = open_view(org.ramon, ticket_id)
    assert view.tab_title("workunits") == "Workunits (1)"
    (card,) = view.workunit_thread.cards
    assert card.entry.hours == 0.5
    assert card.hours.text() == "0.5 h"


def test_the_type_of_a_ticket_can_be_fixed_once_created(
    change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
) -> None:
    assert open_view(org.ramon, tickets.ramon_new).details_tab.side.ticket_type.isEnabled()
    change(allow_type_change=False)
    ticket_type = open_view(org.ramon, tickets.ramon_new).details_tab.side.ticket_type
    assert not ticket_type.isEnabled()
    assert ticket_type.toolTip() == "Changing a ticket's type is not allowed (setting)."
    assert open_view(org.admin, tickets.ramon_new).details_tab.side.ticket_type.isEnabled(), \
        "super-admins still can"


@WINDOWS
def test_the_creation_date_can_be_given_when_filing(
    qtbot: QtBot, change: ChangeOptions, make_dialog: MakeDialog, org: Org,
) -> None:
    assert make_dialog(org.ana).created_at_check.isHidden()
    change(allow_creation_date=True)
    dialog = make_dialog(org.ana)
    assert not dialog.created_at_check.isHidden()
    qtbot.mouseClick(dialog.created_at_check, Qt.MouseButton.LeftButton)
    when = QDateTime.currentDateTime().addDays(-2)
    dialog.created_at_edit.setDateTime(when)
    ticket_id = file_ticket(qtbot, dialog, "Reported by phone")
    with org.ws.read() as session:
        created = session.scalar(select(Ticket.created_at).where(Ticket.id == ticket_id))
    assert created is not None
    assert int(created.timestamp()) == when.toSecsSinceEpoch()


@WINDOWS
def test_new_tickets_go_to_whoever_files_them_instead_of_the_default_owner(
    qtbot: QtBot, change: ChangeOptions, make_dialog: MakeDialog, open_view: OpenView,
    org: Org,
) -> None:
    before = file_ticket(qtbot, make_dialog(org.tomas), "Printer jam", "Acme")
    assert open_view(org.tomas, before).details_tab.side.owner.currentData() == org.ramon
    change(owner_is_creator=True)
    after = file_ticket(qtbot, make_dialog(org.tomas), "Another printer jam", "Acme")
    assert open_view(org.tomas, after).details_tab.side.owner.currentData() == org.tomas


@WINDOWS
def test_a_required_type_must_be_chosen_when_filing(
    qtbot: QtBot, change: ChangeOptions, make_dialog: MakeDialog, org: Org,
) -> None:
    for name in ("Hardware", "Software"):
        org.do(CreateTicketType(name=name), org.admin)
    assert make_dialog(org.ramon).type_combo.currentText() == "No type"
    change(required_ticket_type=True)
    dialog = make_dialog(org.ramon)
    assert dialog.type_combo.findText("No type") < 0
    assert dialog.type_combo.currentIndex() == -1
    choose(qtbot, dialog.group_combo, "Support")
    qtbot.keyClicks(dialog.title_edit, "Which type?")
    with qtbot.waitSignal(dialog.create_failed, timeout=10_000) as failed:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert failed.args == ["Choose a ticket type."]
    assert dialog.error_text("ticket_type_id") == "Choose a ticket type."


@WINDOWS
def test_the_creator_starts_blank_when_there_is_no_default_creator(
    change: ChangeOptions, make_dialog: MakeDialog, org: Org,
) -> None:
    assert make_dialog(org.ramon).creator_combo.currentData() == org.ramon
    change(creator_blank_by_default=True)
    creator = make_dialog(org.ramon).creator_combo
    assert creator.currentData() is None
    assert creator.currentText() == "Choose who it is for"


def test_creator_and_owner_changes_can_be_switched_off(
    change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
) -> None:
    assert open_view(org.ramon, tickets.ramon_new).details_tab.side.owner.isEnabled()
    change(allow_creator_owner_change=False)
    side = open_view(org.ramon, tickets.ramon_new).details_tab.side
    assert not side.owner.isEnabled()
    assert side.owner.toolTip() == "Changing the owner is switched off in the settings."
    assert side.creator.toolTip() == (
        "Changing the creator and owner is switched off in the settings.")


def test_independent_users_may_be_kept_from_modifying_their_tickets(
    change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
) -> None:
    assert not open_view(org.carla, tickets.carla_first).details_tab.title.isReadOnly()
    change(external_users_may_modify=False)
    title = open_view(org.carla, tickets.carla_first).details_tab.title
    assert title.isReadOnly()
    assert title.toolTip() == "Independent users may not modify tickets (setting)."


@WINDOWS
def test_new_tickets_follow_the_groups_round_robin_unless_auto_assign_is_off(
    qtbot: QtBot, change: ChangeOptions, make_dialog: MakeDialog, open_view: OpenView,
    org: Org,
) -> None:
    # Support: its standard members (javi, tomas) take turns; ramon is its default owner.
    org.do(UpdateGroup(group_id=org.support, changes={
        "assignment_rule": "round_robin", "round_robin_profile_id": str(org.standard),
        "default_owner_id": str(org.ramon)}), org.admin)
    first = file_ticket(qtbot, make_dialog(org.ramon), "Projector flickers", "Support")
    second = file_ticket(qtbot, make_dialog(org.ramon), "Projector hums", "Support")
    assert [open_view(org.ramon, t).details_tab.side.owner.currentData()
            for t in (first, second)] == [org.javi, org.tomas]
    change(auto_assign_by_group_rules=False)
    third = file_ticket(qtbot, make_dialog(org.ramon), "Projector smells", "Support")
    assert open_view(org.ramon, third).details_tab.side.owner.currentData() == org.ramon


def test_the_first_to_edit_a_ticket_becomes_its_editor(
    qtbot: QtBot, change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
) -> None:
    def edit_title(ticket_id: uuid.UUID, title: str) -> TicketView:
        view = open_view(org.ramon, ticket_id)
        tab = view.details_tab
        tab.title.selectAll()
        qtbot.keyClicks(tab.title, title)
        with qtbot.waitSignal(view.ticket_loaded, timeout=10_000):
            qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
        return view

    def roles(view: TicketView) -> dict[str, str]:
        model = view.contacts_tab.model
        return {str(model.index(row, 1).data()): str(model.index(row, 3).data())
                for row in range(model.rowCount())}

    # carla typed both in herself; ramon owns them.
    before = edit_title(tickets.carla_first, "Cannot sign in to the customer portal")
    assert roles(before) == {"indie.carla": "Creator, Editor", "ramon": "Owner"}
    change(editor_is_first_to_edit=True)
    after = edit_title(tickets.carla_second, "Invoice PDF for March is blank")
    assert roles(after) == {"indie.carla": "Creator", "ramon": "Owner, Editor"}


def test_people_pickers_show_other_groups_when_creators_see_all_users(
    qtbot: QtBot, change: ChangeOptions, make_window: MakeWindow, org: Org, tickets: Tickets,
) -> None:
    def people_offered(window: Any) -> list[str]:
        lookups_loaded(qtbot, window)
        return list(window.list_panel.filter_bar.people_model.stringList())

    ana = person_label(UserSummary(org.ana, "acme.ana", "Acme.Ana", True))
    assert ana not in people_offered(make_window(org.javi)), "javi shares no group with her"
    change(creator_sees_all_users=True)
    assert ana in people_offered(make_window(org.javi))


# --- Workunit options ------------------------------------------------------------------------


def test_the_default_time_starts_each_new_workunit(
    change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
) -> None:
    editor = open_view(org.ramon, tickets.ramon_new).workunit_editor
    assert editor is not None
    assert editor.fields.hours.value() == 0.25
    change(workunit_default_hours=1.5)
    editor = open_view(org.ramon, tickets.ramon_new).workunit_editor
    assert editor is not None
    assert editor.fields.hours.value() == 1.5


def test_workunits_can_be_ordered_by_completion_on_this_desktop(
    change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
) -> None:
    org.do(ChangeSetting(key="workunit_completion_date", value=True), org.admin)
    hour = dt.timedelta(hours=1)
    # Written first, about work finished last; written last, about work done first.
    done_late = org.do(AddWorkunit(ticket_id=tickets.ramon_new, text_html="<p>Late</p>",
                                   completed_at=org.now + 3 * hour),
                       org.ramon, org.now + hour).created_id
    done_early = org.do(AddWorkunit(ticket_id=tickets.ramon_new, text_html="<p>Early</p>",
                                    completed_at=org.now - hour),
                        org.ramon, org.now + 2 * hour).created_id

    def thread_order() -> list[uuid.UUID | None]:
        view = open_view(org.tomas, tickets.ramon_new)
        return [card.entry.id for card in view.workunit_thread.cards]

    assert thread_order() == [done_early, done_late], "newest written first"
    change(as_user=org.tomas, sort_workunits_by_completion=True)
    assert thread_order() == [done_late, done_early], "latest completed first"


def test_idle_tickets_are_closed_when_a_desktop_without_server_starts(
    change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
) -> None:
    """What the app runs at the start of a standalone workspace, a month and a half after
    the sample tickets were last touched."""
    later = org.now + dt.timedelta(days=45)
    change(auto_close_days=60)
    assert run_auto_close(org.ws, later).closed == ()
    assert open_view(org.ramon, tickets.ramon_new).header.status_chip.text_label.text() == "New"
    change(auto_close_days=30)
    assert tickets.ramon_new in run_auto_close(org.ws, later).closed
    view = open_view(org.ramon, tickets.ramon_new)
    assert view.header.status_chip.text_label.text() == "Closed"
    assert view.details_tab.resolution_text.text() == "Expired"
    (card,) = view.workunit_thread.cards
    assert card.entry.author.id == org.ramon
    assert "nobody updated this ticket for 30 days" in card.entry.text_html
    waiting = open_view(org.ramon, tickets.ramon_pending).header.status_chip
    assert waiting.text_label.text() == "Pending on a third person", "left alone"


# --- Files -----------------------------------------------------------------------------------


def test_files_above_the_largest_attachment_are_refused(
    qtbot: QtBot, change: ChangeOptions, open_view: OpenView, org: Org, tickets: Tickets,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    dump = tmp_path / "memory.dmp"
    dump.write_bytes(b"\0" * (2 * 1024 * 1024))
    monkeypatch.setattr(ticket_files_tab, "choose_files", lambda _parent: [dump])
    files = open_view(org.ramon, tickets.ramon_new).files_tab
    with qtbot.waitSignal(files.files_added, timeout=10_000):
        files.add_action.trigger()
    change(max_attachment_mb=1)
    files = open_view(org.ramon, tickets.ramon_new).files_tab
    with qtbot.assertNotEmitted(files.files_added):
        files.add_action.trigger()
        qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown == ["'memory.dmp' is larger than the 1 MB limit."]
