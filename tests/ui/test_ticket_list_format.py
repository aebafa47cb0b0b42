"""How list cells read, and the desktop preferences file behind the list's choices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktopdesk.domain import settings
from desktopdesk.ui.desktop_preferences import PREFERENCES_FILE, DesktopPreferences
from desktopdesk.ui.ticket_list_format import approximate_age, long_date

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("ago", "text"), [
    (dt.timedelta(seconds=20), "just now"),
    (dt.timedelta(minutes=1), "1 minute"),
    (dt.timedelta(hours=3, minutes=5), "3 hours, 5 minutes"),
    (dt.timedelta(days=1, hours=2, minutes=59), "1 day, 2 hours"),
    (dt.timedelta(days=1, minutes=5), "1 day"),  # never "1 day, 0 hours"
    (dt.timedelta(days=16), "2 weeks, 2 days"),
    (dt.timedelta(days=400), "1 year, 1 month"),
])
def test_approximate_dates_say_the_two_largest_units(ago: dt.timedelta, text: str) -> None:
    assert approximate_age(NOW - ago, NOW) == text


def test_long_dates_are_local_time_in_the_manuals_format() -> None:
    assert long_date(NOW) == NOW.astimezone().strftime("%Y/%m/%d %H:%M:%S")


def test_preferences_round_trip_and_survive_a_bad_file(tmp_path: Path) -> None:
    preferences = DesktopPreferences(tmp_path)
    assert preferences.setting(settings.DATE_FORMAT) == "long"
    assert not preferences.has_column_choice
    preferences.set_setting(settings.DATE_FORMAT, "approximate")
    preferences.set_hidden_columns(frozenset({"group", "created"}))
    again = DesktopPreferences(tmp_path)
    assert again.setting(settings.DATE_FORMAT) == "approximate"
    assert again.hidden_columns == {"group", "created"}
    assert [p.name for p in tmp_path.iterdir()] == [PREFERENCES_FILE]  # no temporary left
    (tmp_path / PREFERENCES_FILE).write_text('{"settings": {"date_format": "sideways"},'
                                            ' "ticket_list": []}')
    damaged = DesktopPreferences(tmp_path)
    assert damaged.setting(settings.DATE_FORMAT) == "long"  # a bad value reads as default
    assert damaged.hidden_columns == frozenset()
    (tmp_path / PREFERENCES_FILE).write_text("{not json")
    assert DesktopPreferences(tmp_path).setting(settings.SHOW_FULL_NAMES) is False


def test_shared_settings_are_not_desktop_preferences(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="shared by every desktop"):
        DesktopPreferences(tmp_path).set_setting(settings.QUICK_EDIT, True)
