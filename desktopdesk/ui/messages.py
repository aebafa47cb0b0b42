"""The one way the UI tells people something: info, warning, error and the crash dialog.

Call these through the module (``messages.error(...)``), never by importing the
functions, so tests can patch them in one place. Everything shown is logged too.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from desktopdesk.ui.crash_dialog import CrashDialog

log = logging.getLogger("desktopdesk.ui")


def _show(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
          details: str | None, name: str) -> None:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(name)
    box.setAccessibleName(title)
    if details:
        box.setDetailedText(details)
    box.exec()


def info(parent: QWidget | None, text: str, *, title: str = "DesktopDesk") -> None:
    log.info("info shown: %s", text)
    _show(parent, QMessageBox.Icon.Information, title, text, None, "message_info")


def warning(parent: QWidget | None, text: str, *, title: str = "DesktopDesk",
            details: str | None = None) -> None:
    log.warning("warning shown: %s", text)
    _show(parent, QMessageBox.Icon.Warning, title, text, details, "message_warning")


def error(parent: QWidget | None, text: str, *, title: str = "DesktopDesk",
          details: str | None = None) -> None:
    log.error("error shown: %s", text)
    _show(parent, QMessageBox.Icon.Critical, title, text, details, "message_error")


def crash(details: str, *, log_file: Path | None = None, parent: QWidget | None = None) -> None:
    """A bug reached the top: show what happened, with details people can copy into a report."""
    CrashDialog(details, log_file, parent).exec()
