"""The copies Open hands to other programs are removed a week later, at a start."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from desktopdesk.ui.open_copies import KEEP_FOR_S, open_copy_path, remove_old_copies
from tests.ui.conftest import qt_modules_loaded_by

SHA = "ab" * 32


def copy_at(root: Path, folder: str, name: str, age_s: float, now: float) -> Path:
    path = root / folder / name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"a file")
    for target in (path, path.parent):
        os.utime(target, (now - age_s, now - age_s))
    return path


def test_copies_older_than_a_week_go_and_newer_ones_stay(tmp_path: Path) -> None:
    now = time.time()
    old = copy_at(tmp_path, "old", "report.pdf", KEEP_FOR_S + 3600, now)
    recent = copy_at(tmp_path, "recent", "photo.jpg", KEEP_FOR_S - 3600, now)

    assert remove_old_copies(tmp_path, now=now) == 1

    assert not old.parent.exists()
    assert recent.exists()


def test_a_copy_touched_lately_stays_though_its_folder_is_old(tmp_path: Path) -> None:
    now = time.time()
    copy = copy_at(tmp_path, "kept", "notes.txt", KEEP_FOR_S + 3600, now)
    os.utime(copy, (now, now))  # the other program saved it again

    assert remove_old_copies(tmp_path, now=now) == 0
    assert copy.exists()


def test_no_folder_yet_is_nothing_to_do(tmp_path: Path) -> None:
    assert remove_old_copies(tmp_path / "missing") == 0


@pytest.mark.parametrize(("name", "expected"), [
    ("report.pdf", "report.pdf"),
    ("..\\..\\evil.exe", "evil.exe"),
    ("../../etc/passwd", "passwd"),
    ("   ", "attachment"),
])
def test_a_copy_is_named_after_the_file_never_a_path_from_it(name: str, expected: str) -> None:
    path = open_copy_path(name, SHA)
    assert path.name == expected
    assert path.parent.name == SHA[:16]


def test_the_module_loads_no_qt() -> None:
    assert qt_modules_loaded_by("desktopdesk.ui.open_copies") == []
