"""This desktop's own preferences: a small JSON file in the data folder, not the database.

Why a file and not QSettings: the preferences belong with the workspace they describe
(column keys, settings of this store), travel with its data folder, and tests point
them at a temporary folder instead of the user's real registry or ``~/.config``.
Why not the database: ``settings`` rows are shared through sync, and a preference of
one desktop must never reach the others (``ChangeSetting`` refuses desktop-scope keys).

Desktop-scope settings of :mod:`desktopdesk.domain.settings` (``show_full_names``,
``date_format``) are kept here under ``"settings"``, checked by the same registry; the
ticket list's hidden columns under ``"ticket_list"``; the colour scheme under
``"appearance"``; the scanner folder (signed work orders) under ``"work_orders"``.
The file is written atomically (temporary file, then rename), and one that cannot be
read counts as empty (logged).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.settings import Setting

log = logging.getLogger("desktopdesk.ui")

PREFERENCES_FILE = "desktop-preferences.json"
#: Follow the desktop's light or dark scheme, or keep one (``ui.palette`` applies it).
SchemePreference = Literal["system", "light", "dark"]
SCHEME_PREFERENCES: tuple[SchemePreference, ...] = get_args(SchemePreference)
T = TypeVar("T", bool, int, float, str)


class DesktopPreferences:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / PREFERENCES_FILE
        self._data = self._read()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("ignoring unreadable preferences %s: %s", self.path, error)
            return {}
        return data if isinstance(data, dict) else {}

    def _section(self, name: str) -> dict[str, Any]:
        value = self._data.get(name)
        return value if isinstance(value, dict) else {}

    def _update(self, name: str, key: str, value: Any) -> None:
        # Read again first: another object on the same file (the Settings screen, the
        # list's column menu) may have written since, and this write must not undo it.
        self._data = self._read()
        self._data[name] = {**self._section(name), key: value}
        self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".preferences-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(self._data, out, indent=2, sort_keys=True)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # --- Desktop-scope settings -----------------------------------------------------------

    def setting(self, setting: Setting[T]) -> T:
        if setting.scope != "desktop":
            raise ValueError(f"{setting.key} is shared by every desktop, not a preference")
        raw = self._section("settings").get(setting.key)
        if raw is None:
            return setting.default
        try:
            return setting.coerce(raw)
        except DomainError as error:
            log.warning("ignoring preference %s: %s", setting.key, error.message)
            return setting.default

    def set_setting(self, setting: Setting[T], value: T) -> None:
        if setting.scope != "desktop":
            raise ValueError(f"{setting.key} is shared by every desktop, not a preference")
        self._update("settings", setting.key, setting.coerce(value))

    # --- Ticket list ----------------------------------------------------------------------

    @property
    def hidden_columns(self) -> frozenset[str]:
        raw = self._section("ticket_list").get("hidden_columns", [])
        return frozenset(name for name in raw if isinstance(name, str)) if isinstance(
            raw, list) else frozenset()

    @property
    def has_column_choice(self) -> bool:
        """False until someone first shows or hides a column (defaults apply)."""
        return "hidden_columns" in self._section("ticket_list")

    def set_hidden_columns(self, names: frozenset[str]) -> None:
        self._update("ticket_list", "hidden_columns", sorted(names))

    # --- Appearance -----------------------------------------------------------------------

    @property
    def color_scheme(self) -> SchemePreference:
        """"system" (follow the desktop), "light" or "dark"; anything else reads as system."""
        raw = self._section("appearance").get("color_scheme")
        return next((s for s in SCHEME_PREFERENCES if s == raw), "system")

    def set_color_scheme(self, scheme: SchemePreference) -> None:
        if scheme not in SCHEME_PREFERENCES:
            raise ValueError(f"unknown colour scheme {scheme!r}")
        self._update("appearance", "color_scheme", scheme)

    # --- Work orders ----------------------------------------------------------------------

    @property
    def scanner_folder(self) -> Path | None:
        """The folder a scanner or phone app saves into, watched for signed scans."""
        raw = self._section("work_orders").get("scanner_folder")
        return Path(raw) if isinstance(raw, str) and raw else None

    def set_scanner_folder(self, folder: Path | None) -> None:
        self._update("work_orders", "scanner_folder", str(folder) if folder else "")
