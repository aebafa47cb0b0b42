"""The holiday calendar, driven through its real widgets: a year at a time, days added
and removed, lists imported from pasted text or a file, bad lines refused by number."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktopdesk.domain.admin_queries import HolidayRow, holidays
from desktopdesk.domain.commands import AddHolidays
from desktopdesk.ui.admin import holidays as holidays_module
from desktopdesk.ui.admin.holidays import HolidaysSection, HolidayTableModel
from desktopdesk.ui.admin.section import SectionAccess
from desktopdesk.ui.tasks import TaskRunner
from tests.conftest import Org

#: Showing widgets offscreen: the platform plugin says it cannot pass size hints on.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

MakeSection = Callable[..., HolidaysSection]


@pytest.fixture
def make_section(qtbot: QtBot, org: Org, runner: TaskRunner,
                 shown: list[str]) -> MakeSection:
    """The section for ``user_id`` (the admin by default), showing ``year``."""

    def make(user_id: uuid.UUID | None = None, year: int = 2026) -> HolidaysSection:
        section = HolidaysSection(org.ws, user_id or org.admin, runner)
        qtbot.addWidget(section)
        section.resize(900, 620)
        with qtbot.waitSignal(section.year_loaded):  # the read lands in the event loop
            section.show()
        show_year(qtbot, section, year)
        return section

    return make


def show_year(qtbot: QtBot, section: HolidaysSection, year: int) -> None:
    if section.year.value() != year:
        with qtbot.waitSignal(section.year_loaded):
            section.year.setValue(year)


def listed(section: HolidaysSection) -> list[tuple[str, str]]:
    return [(row.day, row.name) for row in section.model.rows]


def calendar(org: Org) -> list[tuple[str, str]]:
    with org.ws.read() as session:
        return [(row.day, row.name) for row in holidays(session)]


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def add(qtbot: QtBot, section: HolidaysSection, day: str, name: str = "") -> None:
    section.day.setDate(QDate.fromString(day, "yyyy-MM-dd"))
    section.name.setText(name)
    with qtbot.waitSignal(section.year_loaded):
        click(qtbot, section.add_button)


def import_text(qtbot: QtBot, section: HolidaysSection, text: str) -> None:
    section.import_text.setPlainText(text)
    with qtbot.waitSignal(section.year_loaded):
        click(qtbot, section.import_button)


# --- The list --------------------------------------------------------------------------------


def test_the_holiday_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = HolidayTableModel()
    qtmodeltester.check(model)
    model.set_rows([HolidayRow(uuid.uuid4(), "2026-12-25", "Christmas Day"),
                    HolidayRow(uuid.uuid4(), "2026-12-26", "")])
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == "Friday"


def test_the_year_switcher_shows_one_year_at_a_time(
        qtbot: QtBot, org: Org, make_section: MakeSection) -> None:
    org.do(AddHolidays(holidays=(("2026-12-25", "Christmas Day"), ("2027-01-01", "New Year"),
                                 ("2027-01-06", "Epiphany"))), org.admin)
    section = make_section(year=2026)

    assert HolidaysSection.access is SectionAccess.SETUP
    assert listed(section) == [("2026-12-25", "Christmas Day")]
    assert section.count_label.text() == "1 holiday in 2026"

    with qtbot.waitSignal(section.year_loaded):
        click(qtbot, section.next_year)
    assert section.year.value() == 2027
    assert listed(section) == [("2027-01-01", "New Year"), ("2027-01-06", "Epiphany")]
    assert section.count_label.text() == "2 holidays in 2027"
    assert section.day.date().year() == 2027, "the date picker follows the year"

    with qtbot.waitSignal(section.year_loaded):
        click(qtbot, section.previous_year)
    with qtbot.waitSignal(section.year_loaded):
        click(qtbot, section.previous_year)
    assert listed(section) == []
    assert section.count_label.text() == "No holidays in 2025"


# --- Adding and removing -----------------------------------------------------------------------


def test_a_day_picked_and_named_is_added(qtbot: QtBot, org: Org,
                                         make_section: MakeSection) -> None:
    section = make_section()

    add(qtbot, section, "2026-12-25", "Christmas Day")

    assert listed(section) == [("2026-12-25", "Christmas Day")]
    assert calendar(org) == [("2026-12-25", "Christmas Day")]
    assert section.result_label.text() == "Added 2026-12-25 (Christmas Day)."
    assert section.name.text() == "", "ready for the next one"


def test_a_day_already_there_is_skipped_and_said(qtbot: QtBot, org: Org,
                                                  make_section: MakeSection) -> None:
    org.do(AddHolidays(holidays=(("2026-12-25", "Christmas Day"),)), org.admin)
    section = make_section()

    add(qtbot, section, "2026-12-25", "Xmas")

    assert listed(section) == [("2026-12-25", "Christmas Day")]
    assert section.result_label.text() == "2026-12-25 is already in the calendar."


def test_adding_a_day_of_another_year_shows_that_year(qtbot: QtBot, org: Org,
                                                      make_section: MakeSection) -> None:
    section = make_section(year=2026)
    section.day.setDate(QDate(2027, 1, 1))  # typed into the picker, past the year shown
    section.name.setText("New Year's Day")

    with qtbot.waitSignal(section.year_loaded):
        qtbot.keyClick(section.name, Qt.Key.Key_Return)

    assert section.year.value() == 2027
    assert listed(section) == [("2027-01-01", "New Year's Day")]


def test_the_selected_days_are_removed(qtbot: QtBot, org: Org,
                                       make_section: MakeSection) -> None:
    org.do(AddHolidays(holidays=(("2026-01-01", "New Year"), ("2026-01-06", "Epiphany"),
                                 ("2026-12-25", "Christmas Day"))), org.admin)
    section = make_section()
    assert not section.remove_button.isEnabled(), "nothing selected yet"

    section.table.selectRow(1)
    with qtbot.waitSignal(section.year_loaded):
        click(qtbot, section.remove_button)
    assert listed(section) == [("2026-01-01", "New Year"), ("2026-12-25", "Christmas Day")]
    assert section.result_label.text() == "Removed 2026-01-06."

    selection = section.table.selectionModel()
    flags = (QItemSelectionModel.SelectionFlag.Select
             | QItemSelectionModel.SelectionFlag.Rows)
    selection.select(section.model.index(0, 0), flags)
    selection.select(section.model.index(1, 0), flags)
    section.table.setFocus()
    with qtbot.waitSignal(section.year_loaded):
        qtbot.keyClick(section.table, Qt.Key.Key_Delete)
    assert listed(section) == []
    assert calendar(org) == []
    assert section.result_label.text() == "Removed 2 days."


# --- Importing -------------------------------------------------------------------------------


def test_a_pasted_list_is_imported_with_duplicates_counted(
        qtbot: QtBot, org: Org, make_section: MakeSection) -> None:
    org.do(AddHolidays(holidays=(("2026-12-25", "Christmas Day"),)), org.admin)
    section = make_section()

    import_text(qtbot, section, "2026-12-24, Christmas Eve\n\n2026-12-25 Christmas\n"
                                "2026/12/31\t New Year's Eve\n2026-12-24")

    assert listed(section) == [("2026-12-24", "Christmas Eve"),
                               ("2026-12-25", "Christmas Day"),
                               ("2026-12-31", "New Year's Eve")]
    assert section.result_label.text() == ("Added 2 days; 2 were already in the calendar "
                                           "or repeated in the list, and skipped.")
    assert section.import_text.toPlainText() == "", "imported: the box is emptied"


def test_a_bad_line_is_refused_by_its_number_and_nothing_is_added(
        qtbot: QtBot, org: Org, make_section: MakeSection) -> None:
    section = make_section()
    pasted = "2026-12-24 Christmas Eve\n2026-12-32 Nonsense\n2026-12-31"
    section.import_text.setPlainText(pasted)

    with qtbot.waitSignal(section.change_failed) as failed:
        click(qtbot, section.import_button)

    assert failed.args == ["Line 2: '2026-12-32' is not a date (YYYY-MM-DD)."]
    assert section.import_error.isVisible()
    assert section.import_error.text() == failed.args[0]
    assert section.import_text.toPlainText() == pasted, "kept to fix"
    assert calendar(org) == []
    assert listed(section) == []


def test_a_list_is_imported_from_a_file(qtbot: QtBot, org: Org, make_section: MakeSection,
                                        tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    listing = tmp_path / "holidays.txt"
    listing.write_text("2026-05-01 Labour Day\r\n2026-08-15;Assumption\r\n", encoding="utf-8")
    monkeypatch.setattr(holidays_module, "choose_list_file", lambda _parent: listing)
    section = make_section()

    with qtbot.waitSignal(section.year_loaded):
        click(qtbot, section.file_button)

    assert listed(section) == [("2026-05-01", "Labour Day"), ("2026-08-15", "Assumption")]
    assert section.result_label.text() == "Added 2 days."


def test_a_file_with_a_bad_line_is_refused_and_shown_to_fix(
        qtbot: QtBot, org: Org, make_section: MakeSection, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    listing = tmp_path / "holidays.csv"
    listing.write_text("2026-05-01,Labour Day\nfirst of June,Whit Monday\n", encoding="utf-8")
    monkeypatch.setattr(holidays_module, "choose_list_file", lambda _parent: listing)
    section = make_section()

    with qtbot.waitSignal(section.change_failed) as failed:
        click(qtbot, section.file_button)

    assert failed.args == ["Line 2: 'first' is not a date (YYYY-MM-DD)."]
    assert "first of June" in section.import_text.toPlainText()
    assert calendar(org) == []


def test_a_file_that_is_not_text_is_refused(qtbot: QtBot, org: Org,
                                            make_section: MakeSection, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    picture = tmp_path / "holidays.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    monkeypatch.setattr(holidays_module, "choose_list_file", lambda _parent: picture)
    section = make_section()

    with qtbot.waitSignal(section.change_failed) as failed:
        click(qtbot, section.file_button)

    assert failed.args == ["holidays.png is not a text file."]
    assert section.import_error.isVisible()


# --- Who may ---------------------------------------------------------------------------------


def test_a_change_by_someone_not_super_admin_is_refused_beside_it(
        qtbot: QtBot, org: Org, make_section: MakeSection) -> None:
    section = make_section(org.ramon)
    section.day.setDate(QDate(2026, 12, 25))

    with qtbot.waitSignal(section.change_failed) as failed:
        click(qtbot, section.add_button)

    assert failed.args == ["Only a super-admin may change the holiday calendar."]
    assert section.add_error.isVisible()
    assert calendar(org) == []
    assert section.add_button.isEnabled(), "ready to try again"
