"""The one piece of the build pyproject.toml cannot say: the package list.

``resources/`` (fonts, work-order templates, icons) stays at the project root beside
``desktopdesk/``, yet installed copies need it too. pyproject.toml maps it into the wheel
as the data-only package ``desktopdesk._resources`` (``[tool.setuptools.package-dir]``)
and takes every file in it (``[tool.setuptools.package-data]``). A mapped package is never
*found* by a ``[tool.setuptools.packages.find]`` table, which only walks folders, and that
table cannot be combined with a literal list; so the list is built here: what the find
table used to find (namespaces included, as pyproject's find does by default), the mapped
package, and its subfolders. Setuptools wants data subfolders listed as packages too
("Subdirectory for Data Files" in its data-files guide); unlisted, it warns that they
are importable but absent from ``packages``.

``desktopdesk.documents.resources`` reads the folder back at run time;
tests/test_packaging_resources.py fails when a file under resources/ would be left out.
"""

from __future__ import annotations

from setuptools import find_namespace_packages, setup

RESOURCES_PACKAGE = "desktopdesk._resources"

setup(
    packages=[
        *find_namespace_packages(include=["desktopdesk*"]),
        RESOURCES_PACKAGE,
        *(f"{RESOURCES_PACKAGE}.{sub}" for sub in find_namespace_packages(where="resources")),
    ],
)
