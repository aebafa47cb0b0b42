"""Where DesktopDesk keeps its data when no ``--data-dir`` is given.

platformdirs rather than QStandardPaths: the headless store, the CLI and the tests must
agree with the app without importing Qt.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path, user_log_path

APP_NAME = "DesktopDesk"


def default_data_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False)


def default_log_dir() -> Path:
    return user_log_path(APP_NAME, appauthor=False)
