"""This desktop's preferences file: two readers of it never undo each other's writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktopdesk.domain.settings import SHOW_FULL_NAMES
from desktopdesk.ui.desktop_preferences import DesktopPreferences


def test_a_write_through_one_object_keeps_what_another_wrote_meanwhile(tmp_path: Path) -> None:
    table = DesktopPreferences(tmp_path)  # the list's, kept for the window's life
    settings_screen = DesktopPreferences(tmp_path)
    settings_screen.set_setting(SHOW_FULL_NAMES, True)
    table.set_hidden_columns(frozenset({"creator"}))

    again = DesktopPreferences(tmp_path)
    assert again.setting(SHOW_FULL_NAMES) is True
    assert again.hidden_columns == frozenset({"creator"})


def test_the_colour_scheme_is_kept_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    DesktopPreferences(tmp_path).set_color_scheme("dark")
    assert DesktopPreferences(tmp_path).color_scheme == "dark"
    with pytest.raises(ValueError, match="purple"):
        DesktopPreferences(tmp_path).set_color_scheme("purple")  # type: ignore[arg-type]
    assert DesktopPreferences(tmp_path).color_scheme == "dark"
