"""Where the app finds what ships beside the code: fonts, default templates, the icon.

This is the one place that knows where ``resources/`` is; the rest of the app (the PDF
fonts, the default work order, ``desktopdesk.ui.app.ICON_FILE``) asks here.

In the repository ``resources/`` sits at the project root beside ``desktopdesk/``, which
only a source checkout has. Wheels carry the same folder as the data-only package
``desktopdesk._resources`` (pyproject.toml ``[tool.setuptools.package-dir]``; setup.py
says why the package list lives there). So the installed package is looked for first,
and the source tree is the fallback. The fallback is what a checkout and an editable
install (``pip install -e``, as ``make`` does) use: setuptools' editable finder cannot
import a mapped folder that has no ``__init__.py``, and there the code does sit beside
``resources/``.

Wheels are installed unpacked, so the result is a real folder: reportlab and Qt want
file names, not streams.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

RESOURCES_PACKAGE = "desktopdesk._resources"
_SOURCE_TREE = Path(__file__).resolve().parents[2] / "resources"


def _installed_dirs() -> list[Path]:
    """The folders of the ``desktopdesk._resources`` package, if it is installed.

    ``find_spec`` rather than ``importlib.resources.files``: the package has no
    ``__init__.py`` (it is the plain ``resources/`` folder), and a namespace package's
    ``files()`` is not a ``Path``.
    """
    try:
        spec = importlib.util.find_spec(RESOURCES_PACKAGE)
    except ImportError:  # an editable finder that knows the name but not the folder
        return []
    if spec is None or spec.submodule_search_locations is None:
        return []
    return [Path(location) for location in spec.submodule_search_locations]


@functools.cache
def resources_dir() -> Path:
    """The resources folder: the installed package's, else the source tree's.

    When neither exists the source tree's path is returned anyway, so the error a caller
    gets on opening a file names a concrete place.
    """
    for candidate in [*_installed_dirs(), _SOURCE_TREE]:
        if candidate.is_dir():
            return candidate
    return _SOURCE_TREE


def font_path(file_name: str) -> Path:
    return resources_dir() / "fonts" / file_name


def icon_path(file_name: str) -> Path:
    return resources_dir() / "icons" / file_name


def default_work_order_template() -> str:
    """The system template, used for ticket types that have none of their own."""
    return (resources_dir() / "work_orders" / "default.html").read_text(encoding="utf-8")


def work_order_logo() -> bytes:
    """The mark the system template prints in its header (a template of one's own brings
    its own logo, or none)."""
    return (resources_dir() / "work_orders" / "logo.png").read_bytes()
