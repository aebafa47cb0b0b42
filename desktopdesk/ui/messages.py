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


def confirm(parent: QWidget | None, title: str, text: str, action: str) -> bool:
    """Ask before a change with consequences (Cancel is the default); True if the person
    chose ``action``. Callers import it by name, so tests answer it per module."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    box.setObjectName("confirm_dialog")
    box.setAccessibleName(title)
    accept = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is accept


def crash(details: str, *, log_file: Path | None = None, parent: QWidget | None = None) -> None:
    """A bug reached the top: show what happened, with details people can copy into a report."""
    CrashDialog(details, log_file, parent).exec()
