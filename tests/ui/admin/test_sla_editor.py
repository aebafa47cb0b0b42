"""The SLA editor, driven through its real widgets over the ``org`` workspace: creating
and changing SLAs, refusals beside the input, deletion, and the preview of a ticket
under the form as typed; and the SLA options of the Settings page."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QSpinBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktopdesk.domain import settings
from desktopdesk.domain.commands import CreateSla, CreateTicket, UpdateGroup
from desktopdesk.domain.settings import get_setting
from desktopdesk.models import CommandLogEntry, Sla, Ticket
from desktopdesk.ui.admin import sla_editor
from desktopdesk.ui.admin.admin_window import AdminAccess, AdminWindow
from desktopdesk.ui.admin.settings_section import SettingsSection
from desktopdesk.ui.admin.sla_editor import SlaEditorSection, SlaTableModel
from desktopdesk.ui.admin.sla_source import (
    SlaDraft,
    SlaRow,
    hours_text,
    limit_text,
    load_slas,
    parse_ticket_number,
    working_time_text,
)
from desktopdesk.ui.tasks import TaskRunner
from tests.conftest import T0, Org
from tests.ui.admin.test_settings import press_save
from tests.ui.conftest import qt_modules_loaded_by

#: The offscreen platform says so when a top-level window with a splitter is shown.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

OpenEditor = Callable[..., SlaEditorSection]


@pytest.fixture
def open_editor(qtbot: QtBot, org: Org, runner: TaskRunner) -> OpenEditor:
    """The editor as ``user_id`` (the team lead unless told) opens it, read and shown."""

    def open_section(user_id: uuid.UUID | None = None) -> SlaEditorSection:
        made = SlaEditorSection(org.ws, user_id or org.ramon, runner)
        qtbot.addWidget(made)
        made.resize(1200, 800)
        made.show()
        with qtbot.waitSignal(made.loaded, timeout=10_000):
            made.reload()
        return made

    return open_section


def make_sla(org: Org, name: str = "Gold", **values: Any) -> uuid.UUID:
    created = org.do(CreateSla(name=name, **values), org.ramon).created_id
    assert created is not None
    return created


def apply_in(org: Org, group: uuid.UUID, sla_id: uuid.UUID) -> None:
    org.do(UpdateGroup(group_id=group, changes={"sla_id": str(sla_id)}), org.admin)


def stored(org: Org, name: str) -> Sla | None:
    with org.ws.read() as session:
        return session.scalar(select(Sla).where(Sla.name == name))


def commands_logged(org: Org) -> int:
    with org.ws.read() as session:
        return session.scalar(select(func.count()).select_from(CommandLogEntry)) or 0


def type_into(qtbot: QtBot, widget: QLineEdit | QAbstractSpinBox, text: str) -> None:
    """Replace what the input holds with ``text``, typed."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def save(qtbot: QtBot, section: SlaEditorSection) -> None:
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        qtbot.mouseClick(section.sla_form.save_button, Qt.MouseButton.LeftButton)


def refused(qtbot: QtBot, section: SlaEditorSection, click: Callable[[], None]) -> str:
    with qtbot.waitSignal(section.save_failed, timeout=10_000) as failed:
        click()
    message = failed.args[0]
    assert isinstance(message, str)
    return message


def error_text(section: SlaEditorSection, field: str | None) -> str:
    return section.sla_form.errors.text(field)


# --- The list -------------------------------------------------------------------------------


def test_the_list_model_passes_the_model_tester(qtmodeltester: ModelTester, org: Org) -> None:
    model = SlaTableModel()
    qtmodeltester.check(model)
    gold = make_sla(org, max_response_hours=4, max_resolution_hours=40)
    apply_in(org, org.support, gold)
    model.set_entries(load_slas(org.ws).slas)
    qtmodeltester.check(model)
    assert [model.data(model.index(0, column)) for column in range(5)] == [
        "Gold", "Normal", "4 h", "1 d 16 h", "Support"]


def test_the_list_shows_each_sla_with_the_groups_applying_it(
    open_editor: OpenEditor, org: Org,
) -> None:
    gold = make_sla(org)
    make_sla(org, "Bronze")
    apply_in(org, org.support, gold)
    apply_in(org, org.acme_group, gold)
    section = open_editor()
    rows = [(row.name, row.group_names) for row in section.model.entries]
    assert rows == [("Bronze", ()), ("Gold", ("Acme", "Support"))]
    assert section.sla_form.heading.text() == "Choose an SLA, or create one"
    assert not section.sla_form.isEnabled()


def test_every_field_has_its_help_and_hours_read_as_days(
    open_editor: OpenEditor, org: Org,
) -> None:
    make_sla(org, max_resolution_hours=52.5, day_start_hour=8, day_end_hour=18)
    section = open_editor()
    section.select_sla("Gold")
    form = section.sla_form
    helps = {label.objectName() for label in form.findChildren(type(form.heading))
             if label.objectName().startswith("sla_help_") and label.text()}
    assert helps == {f"sla_help_{name}" for name in (
        "name", "description", "base_sla_id", "sla_type", "max_response_hours",
        "max_resolution_hours", "max_inactivity_hours", "max_open_tickets", "working_hours",
        "no_sla_on_weekends", "no_sla_on_holidays", "enforced", "wall_clock")}
    assert form.durations["max_resolution_hours"].text() == (
        "2 d 4 h 30 min: 5 working days 2 h 30 min of 10 h")
    form.hour_spins["max_inactivity_hours"].setValue(0)
    assert form.hour_spins["max_inactivity_hours"].text() == "Not checked"
    assert form.durations["max_inactivity_hours"].text() == "not checked"
    assert form.working_time.text() == ("Counts 08:00\N{EN DASH}18:00, Monday to Friday, "
                                        "except holidays, in UTC time: 10 h a working day.")
    form.checks["wall_clock"].click()
    assert form.durations["max_resolution_hours"].text() == "2 d 4 h 30 min"
    assert form.working_time.text().startswith("Every hour counts; a breach is declared only")


# --- Creating and changing --------------------------------------------------------------------


def test_create_an_sla_with_one_command(qtbot: QtBot, open_editor: OpenEditor, org: Org) -> None:
    make_sla(org, "Standard")
    section = open_editor()
    form = section.sla_form
    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    assert form.heading.text() == "New SLA"
    assert form.save_button.text() == "Create SLA"
    type_into(qtbot, form.name_edit, "Night shift")
    form.base_combo.setCurrentIndex(form.base_combo.findText("Standard"))
    type_into(qtbot, form.hour_spins["max_response_hours"], "2")
    form.start_spin.setValue(22)
    form.end_spin.setValue(6)
    form.checks["wall_clock"].click()
    before = commands_logged(org)

    save(qtbot, section)

    assert commands_logged(org) == before + 1
    row = stored(org, "Night shift")
    assert row is not None
    base = stored(org, "Standard")
    assert base is not None
    assert (row.base_sla_id, row.max_response_hours, row.day_start_hour, row.day_end_hour,
            row.wall_clock) == (base.id, 2.0, 22, 6, True)
    assert form.heading.text() == "Night shift", "the new SLA is shown, saved"
    assert form.save_button.text() == "Save"


def test_edit_a_field_and_save(qtbot: QtBot, open_editor: OpenEditor, org: Org) -> None:
    make_sla(org)
    section = open_editor()
    section.select_sla("Gold")
    form = section.sla_form
    type_into(qtbot, form.hour_spins["max_inactivity_hours"], "12.5")
    form.checks["enforced"].click()

    save(qtbot, section)

    row = stored(org, "Gold")
    assert row is not None
    assert (row.max_inactivity_hours, row.enforced, row.max_response_hours) == (12.5, False, 48.0)
    with org.ws.read() as session:
        last = session.scalar(select(CommandLogEntry.name).order_by(CommandLogEntry.seq.desc()))
    assert last == "UpdateSla"
    assert form.durations["max_inactivity_hours"].text() == (
        "12 h 30 min: 1 working day 2 h 30 min of 10 h")


def test_a_refused_value_is_shown_beside_its_field_and_kept(
    qtbot: QtBot, open_editor: OpenEditor, org: Org,
) -> None:
    make_sla(org, "Standard")
    section = open_editor()
    form = section.sla_form
    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, form.name_edit, "STANDARD")

    message = refused(qtbot, section, lambda: qtbot.mouseClick(form.save_button,
                                                               Qt.MouseButton.LeftButton))

    assert message == "There is already an SLA called 'STANDARD'."
    assert error_text(section, "name") == message
    assert form.name_edit.accessibleDescription() == message
    assert form.name_edit.text() == "STANDARD", "what was typed is kept"
    assert error_text(section, None) == ""
    assert [row.name for row in section.model.entries] == ["Standard"]


def test_a_base_that_would_loop_is_refused_under_the_base(
    qtbot: QtBot, open_editor: OpenEditor, org: Org,
) -> None:
    first = make_sla(org, "First")
    make_sla(org, "Second", base_sla_id=first)
    section = open_editor()
    section.select_sla("First")
    form = section.sla_form
    form.base_combo.setCurrentIndex(form.base_combo.findText("Second"))

    message = refused(qtbot, section, lambda: qtbot.mouseClick(form.save_button,
                                                               Qt.MouseButton.LeftButton))

    assert error_text(section, "base_sla_id") == message
    assert message == ("'Second' is based on this SLA (directly or through others); choose "
                       "another base.")
    row = stored(org, "First")
    assert row is not None
    assert row.base_sla_id is None


# --- Deleting -------------------------------------------------------------------------------


def test_delete_is_refused_while_a_group_applies_the_sla(
    qtbot: QtBot, open_editor: OpenEditor, org: Org, monkeypatch: pytest.MonkeyPatch,
) -> None:
    apply_in(org, org.support, make_sla(org))
    make_sla(org, "Unused")
    asked: list[str] = []

    def confirm(_parent: object, _title: str, text: str, _action: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(sla_editor, "confirm", confirm)
    section = open_editor()
    section.select_sla("Gold")

    message = refused(qtbot, section, lambda: qtbot.mouseClick(
        section.sla_form.delete_button, Qt.MouseButton.LeftButton))

    assert message == ("1 group applies 'Gold' ('Support'); give it another SLA (or none) in "
                       "Groups first.")
    assert error_text(section, None) == message
    assert asked == [], "nothing to confirm while it cannot go"
    assert stored(org, "Gold") is not None

    section.select_sla("Unused")
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        qtbot.mouseClick(section.sla_form.delete_button, Qt.MouseButton.LeftButton)
    assert asked == ["Delete 'Unused'? No group applies it; tickets marked as breaching it "
                     "are cleared."]
    assert stored(org, "Unused") is None
    assert [row.name for row in section.model.entries] == ["Gold"]
    assert not section.sla_form.isEnabled()


def test_nothing_is_deleted_when_the_person_cancels(
    qtbot: QtBot, open_editor: OpenEditor, org: Org, monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_sla(org)
    monkeypatch.setattr(sla_editor, "confirm", lambda *_args: False)
    section = open_editor()
    section.select_sla("Gold")
    before = commands_logged(org)
    qtbot.mouseClick(section.sla_form.delete_button, Qt.MouseButton.LeftButton)
    assert not section.is_sending
    assert commands_logged(org) == before
    assert stored(org, "Gold") is not None


def test_keys_delete_the_chosen_sla_and_start_a_new_one(
    qtbot: QtBot, open_editor: OpenEditor, org: Org, monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_sla(org)
    monkeypatch.setattr(sla_editor, "confirm", lambda *_args: True)
    section = open_editor()
    section.select_sla("Gold")
    window = section.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    section.table.setFocus()

    with qtbot.waitSignal(section.loaded, timeout=10_000):
        qtbot.keyClick(section.table, Qt.Key.Key_Delete)
    assert stored(org, "Gold") is None

    qtbot.keyClick(section.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert section.sla_form.heading.text() == "New SLA"
    assert section.sla_form.name_edit.hasFocus()


# --- The preview ----------------------------------------------------------------------------


@pytest.fixture
def waiting_ticket(org: Org) -> str:
    """A ticket filed in Support at 09:00 on a Monday that nobody has answered; its label."""
    ticket_id = org.do(CreateTicket(title="Printer on fire", group_id=org.support), org.tomas,
                       at=T0).created_id
    with org.ws.read() as session:
        number = session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))
    return f"#{number}"


def preview_of(qtbot: QtBot, section: SlaEditorSection, act: Callable[[], None]) -> str:
    with qtbot.waitSignal(section.preview_shown, timeout=10_000):
        act()
    qtbot.waitUntil(lambda: not section.is_previewing)
    return section.preview.summary.text()


def test_the_preview_shows_compliance_and_follows_a_limit_before_it_is_saved(
    qtbot: QtBot, open_editor: OpenEditor, org: Org, waiting_ticket: str,
) -> None:
    gold = make_sla(org, max_response_hours=2, max_resolution_hours=0, max_inactivity_hours=0)
    apply_in(org, org.support, gold)
    section = open_editor()
    section.clock = lambda: T0 + dt.timedelta(hours=4)  # 13:00: two hours over the limit
    section.select_sla("Gold")
    with qtbot.waitSignal(section.options_loaded, timeout=10_000):
        pass
    offered = [section.preview.ticket_combo.itemText(i)
               for i in range(section.preview.ticket_combo.count())]
    assert offered == [f"{waiting_ticket} Printer on fire"], "the groups' tickets are offered"

    summary = preview_of(qtbot, section, lambda: section.preview.choose(waiting_ticket))

    assert summary == (f"For ticket {waiting_ticket}, this SLA would give: compliance 50 % "
                       "over its life, 1 breach (response \N{MULTIPLICATION SIGN}1), "
                       "fired now: yes (response).")
    histogram = section.preview.histogram
    assert histogram.isVisible()
    assert histogram.shown_range == (T0, T0 + dt.timedelta(hours=4)), "its whole life"
    assert [span.state.value for span in histogram.shown_spans()] == ["ok", "violated"]
    assert "not saved" not in section.preview.details.text()
    breach = (T0 + dt.timedelta(hours=2)).astimezone()
    assert section.preview.breaches.text() == (
        f"Response time: {breach:%Y-%m-%d %H:%M} still in breach")

    before = commands_logged(org)
    summary = preview_of(qtbot, section, lambda: type_into(
        qtbot, section.sla_form.hour_spins["max_response_hours"], "8"))

    assert summary == (f"For ticket {waiting_ticket}, this SLA would give: compliance 100 % "
                       "over its life, no breaches, fired now: no.")
    assert section.preview.details.text().endswith("With the changes not saved yet.")
    assert section.preview.breaches.text() == ""
    assert commands_logged(org) == before, "a preview saves nothing"
    row = stored(org, "Gold")
    assert row is not None
    assert row.max_response_hours == 2.0


def test_a_ticket_that_cannot_be_seen_is_not_previewed(
    qtbot: QtBot, open_editor: OpenEditor, org: Org, waiting_ticket: str,
) -> None:
    make_sla(org)
    section = open_editor(org.ramon)
    section.select_sla("Gold")
    for text, message in [("#999", "There is no ticket #999 you can see."),
                          ("printer", "Type a ticket number, such as #12.")]:
        with qtbot.waitSignal(section.preview_failed, timeout=10_000) as failed:
            section.preview.choose(text)
        assert failed.args == [message]
        assert section.preview.error.text() == message
        assert section.preview.histogram.isHidden()
    preview_of(qtbot, section, lambda: section.preview.choose(waiting_ticket))
    assert section.preview.error.isHidden()


# --- Where it sits ----------------------------------------------------------------------------


def test_managers_find_the_editor_in_administration(qtbot: QtBot, org: Org,
                                                     runner: TaskRunner) -> None:
    window = AdminWindow(org.ws, org.ramon, runner, AdminAccess(design=True, setup=False))
    qtbot.addWidget(window)
    titles = [window.navigation.item(row).text() for row in range(window.navigation.count())]
    assert titles == ["Ticket types", "SLAs", "Work orders"]
    section = window.show_section(SlaEditorSection)
    assert isinstance(section, SlaEditorSection)
    qtbot.waitUntil(lambda: not section.is_loading)


def test_what_the_editor_reads_and_previews_runs_without_qt() -> None:
    assert qt_modules_loaded_by("desktopdesk.ui.admin.sla_source") == []


# --- How values read ----------------------------------------------------------------------------


@pytest.mark.parametrize(("hours", "text"), [
    (0, "not checked"), (0.25, "15 min"), (4, "4 h"), (48, "2 d"), (52.5, "2 d 4 h 30 min"),
    (0.001, "under a minute"),
])
def test_hours_read_as_days_hours_and_minutes(hours: float, text: str) -> None:
    assert hours_text(hours) == text


def test_limits_read_in_working_days_only_where_working_hours_count() -> None:
    office = SlaDraft(day_start_hour=8, day_end_hour=18)
    assert limit_text(48, office) == "2 d: 4 working days 8 h of 10 h"
    assert limit_text(8, office) == "8 h"
    assert limit_text(10, office) == "10 h: 1 working day of 10 h"
    assert limit_text(48, SlaDraft(day_start_hour=0, day_end_hour=0)) == "2 d"
    assert limit_text(48, SlaDraft(wall_clock=True)) == "2 d"
    night = SlaDraft(day_start_hour=22, day_end_hour=6, no_sla_on_weekends=False,
                     no_sla_on_holidays=False)
    assert limit_text(16, night) == "16 h: 2 working days of 8 h"
    assert working_time_text(night, "Europe/Madrid") == (
        "Counts 22:00\N{EN DASH}06:00 the next morning, every day of the week, holidays "
        "included, in Europe/Madrid time: 8 h a working day.")


@pytest.mark.parametrize(("text", "wanted"), [
    ("#812", (812, False)), ("812 Printer on fire", (812, False)), (" # 7", (7, False)),
    ("#L3 (provisional) Wifi", (3, True)), ("printer", None), ("", None),
])
def test_ticket_numbers_are_read_as_people_type_them(text: str,
                                                     wanted: tuple[int, bool] | None) -> None:
    assert parse_ticket_number(text) == wanted


def test_the_form_sends_what_it_shows() -> None:
    row = SlaRow(id=uuid.uuid4(), name="Gold", description="", base_sla_id=None,
                 sla_type=SlaDraft().sla_type, max_response_hours=4, max_resolution_hours=40,
                 max_open_tickets=3, max_inactivity_hours=24, day_start_hour=9,
                 day_end_hour=17, no_sla_on_weekends=True, no_sla_on_holidays=False,
                 enforced=True, wall_clock=True)
    command = SlaDraft.of(row).command(row.id)
    assert command.command_name == "UpdateSla"
    assert (command.max_open_tickets, command.day_start_hour, command.wall_clock,
            command.no_sla_on_holidays) == (3, 9, True, False)
    assert SlaDraft.of(row).command(None).command_name == "CreateSla"


# --- The SLA options on the Settings page -----------------------------------------------------


def test_the_time_zone_is_typed_and_a_bad_one_is_refused_beside_it(
    qtbot: QtBot, org: Org, runner: TaskRunner,
) -> None:
    page = SettingsSection(org.ws, org.admin, runner)
    qtbot.addWidget(page)
    page.resize(900, 700)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show()
    assert page.group_boxes["SLA"].isAncestorOf(page.rows["sla_time_zone"])
    zone = page.rows["sla_time_zone"]
    assert isinstance(zone.input, QLineEdit)
    assert zone.value() == "UTC"
    completer = zone.input.completer()
    assert completer is not None
    completer.setCompletionPrefix("madrid")
    assert completer.currentCompletion() == "Europe/Madrid"
    period = page.rows["sla_notification_period_hours"].input
    assert isinstance(period, QSpinBox)
    assert (period.value(), period.minimum()) == (24, 1)

    zone.input.setText("Mars/Olympus")
    assert press_save(qtbot, page) == ("Setting 'SLA time zone': 'Mars/Olympus' is not a "
                                       "known time zone (for example Europe/Madrid or UTC).")
    assert zone.error_text.startswith("Setting 'SLA time zone'")
    assert zone.value() == "Mars/Olympus", "what was typed is kept"

    zone.input.setText(" Europe/Madrid ")
    assert press_save(qtbot, page) is None
    with org.ws.read() as session:
        assert get_setting(session, settings.SLA_TIME_ZONE) == "Europe/Madrid"
    assert zone.error_text == ""
    assert page.changed_options() == {}


def test_a_slow_answer_for_the_sla_chosen_before_does_not_replace_the_tickets_offered(
    qtbot: QtBot, open_editor: OpenEditor, org: Org, waiting_ticket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gold = make_sla(org)
    make_sla(org, "Silver")
    apply_in(org, org.support, gold)
    org.do(CreateTicket(title="Elsewhere", group_id=org.acme_group), org.ramon, at=T0)
    section = open_editor()
    release = threading.Event()
    real = sla_editor.load_ticket_options

    def slow_for_gold(workspace: Any, user_id: uuid.UUID,
                      sla_id: uuid.UUID | None) -> Any:
        if sla_id == gold:
            release.wait(10)
        return real(workspace, user_id, sla_id)

    monkeypatch.setattr(sla_editor, "load_ticket_options", slow_for_gold)
    section.select_sla("Gold")
    with qtbot.waitSignal(section.options_loaded, timeout=10_000):
        section.select_sla("Silver")  # no group applies it: any visible ticket is offered
    silver_offers = section.preview.ticket_combo.count()
    assert silver_offers == 2, "Gold would offer Support's one ticket"

    release.set()
    qtbot.waitUntil(lambda: not section.runner.busy)
    qtbot.wait(50)  # the slow answer's signal has been delivered

    assert section.preview.ticket_combo.count() == silver_offers
