"""Where documents find what ships beside the code: fonts and the default templates.

The ``resources`` folder sits next to the package, as the app icon's does
(``desktopdesk.ui.app.ICON_FILE``); this module is the non-Qt way to reach it.
"""

from __future__ import annotations

from pathlib import Path

_RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def resources_dir() -> Path:
    return _RESOURCES


def font_path(file_name: str) -> Path:
    return _RESOURCES / "fonts" / file_name


def default_work_order_template() -> str:
    """The system template, used for ticket types that have none of their own."""
    return (_RESOURCES / "work_orders" / "default.html").read_text(encoding="utf-8")
