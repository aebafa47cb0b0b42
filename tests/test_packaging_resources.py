"""resources/ ships inside wheels, and an installed copy reads it from there.

The wheel's content is decided by setuptools' build_py step; running that step alone from
the real configuration (setup.py + pyproject.toml), offline, into a temporary folder is
what a wheel build does before zipping, in well under a second. The built tree is then
imported by a bare interpreter (``-S``: no site-packages, so no editable install and no
checkout next to it) to show the app finds its fonts, templates and icon there.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from desktopdesk.documents.resources import (
    RESOURCES_PACKAGE,
    default_work_order_template,
    font_path,
    icon_path,
    resources_dir,
)

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
PACKAGE_FOLDER = Path(*RESOURCES_PACKAGE.split("."))


def _resource_files() -> list[Path]:
    """Every file under resources/, relative to it (what a user of the app may need)."""
    return sorted(path.relative_to(RESOURCES) for path in RESOURCES.rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts)


@pytest.fixture(scope="module")
def build_lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel's tree as setuptools builds it (build_py), in a temporary folder.

    Setuptools' own warnings (beta configuration, licence metadata) are not this test's
    business, except one about the resources package, which means a folder of it is
    being handled in a way setuptools says it will stop supporting.
    """
    out = tmp_path_factory.mktemp("wheel_tree")
    cwd = Path.cwd()
    os.chdir(ROOT)  # setup.py and pyproject.toml name paths relative to the project
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # setuptools first: it puts its own distutils in place of the stdlib's.
            importlib.import_module("setuptools")
            distutils_core = importlib.import_module("distutils.core")

            dist = distutils_core.run_setup(str(ROOT / "setup.py"), script_args=[],
                                            stop_after="config")
            egg_info = dist.get_command_obj("egg_info")
            egg_info.egg_base = str(out)  # its manifest goes here, not into the checkout
            build_py = dist.get_command_obj("build_py")
            build_py.build_lib = str(out / "lib")
            build_py.ensure_finalized()
            build_py.run()
    finally:
        os.chdir(cwd)
    about_resources = [str(w.message) for w in caught if RESOURCES_PACKAGE in str(w.message)]
    assert about_resources == []
    return out / "lib"


def test_resources_folder_has_what_the_app_reads() -> None:
    files = {path.as_posix() for path in _resource_files()}

    assert {"fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf", "icons/desktopdesk.svg",
            "work_orders/default.html"} <= files


def test_every_file_under_resources_is_built_into_the_package(build_lib: Path) -> None:
    missing = [path.as_posix() for path in _resource_files()
               if not (build_lib / PACKAGE_FOLDER / path).is_file()]

    assert missing == []
    for path in _resource_files():
        built = build_lib / PACKAGE_FOLDER / path
        assert built.read_bytes() == (RESOURCES / path).read_bytes(), path


def test_the_code_is_built_beside_its_resources(build_lib: Path) -> None:
    """The package list in setup.py still finds every package, not only the resources."""
    source = {path.relative_to(ROOT).as_posix()
              for path in (ROOT / "desktopdesk").rglob("*.py")
              if "__pycache__" not in path.parts}
    built = {path.relative_to(build_lib).as_posix()
             for path in (build_lib / "desktopdesk").rglob("*.py")}

    assert source - built == set()
    assert (build_lib / "desktopdesk/store/migrations/script.py.mako").is_file()


_CHECK_INSTALLED = """
import sys
from pathlib import Path
from desktopdesk.documents import resources

site = Path(sys.argv[1]).resolve()
found = resources.resources_dir().resolve()
assert found == site / "desktopdesk" / "_resources", found
assert resources.font_path("DejaVuSans.ttf").read_bytes()[:4] == bytes([0, 1, 0, 0])
assert resources.icon_path("desktopdesk.svg").read_text(encoding="utf-8").lstrip().startswith("<")
assert "_workunits_" in resources.default_work_order_template()
print(found)
"""


def test_an_installed_copy_reads_its_own_resources(build_lib: Path, tmp_path: Path) -> None:
    """No checkout beside it, no site-packages: only the built tree on the path."""
    result = subprocess.run(
        [sys.executable, "-S", "-c", _CHECK_INSTALLED, str(build_lib)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(build_lib)},
        capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == (build_lib / PACKAGE_FOLDER).resolve()


def test_a_checkout_reads_the_resources_folder_beside_the_code() -> None:
    """Editable installs cannot import the mapped folder; the source tree stands in."""
    assert resources_dir() == RESOURCES
    assert font_path("DejaVuSans.ttf") == RESOURCES / "fonts" / "DejaVuSans.ttf"
    assert icon_path("desktopdesk.svg").is_file()
    assert default_work_order_template() == (
        RESOURCES / "work_orders" / "default.html").read_text(encoding="utf-8")
