"""Actions from the shortcut registry shown as buttons: a short text on the button, and
a tooltip saying what it does and its keys (shared by the work-order tab and the
signed-scan dialog)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolButton, QWidget

from desktopdesk.ui.shortcuts import make_action, shortcut


def button_action(key: str, owner: QWidget, text: str) -> QAction:
    """The registry's action for ``key``, with the button's text ``text`` and the
    tooltip "<what it does> (<keys>)"."""
    action = make_action(key, owner)
    action.setText(text)
    entry = shortcut(key)
    keys = entry.native_text()
    what = entry.description.rstrip(".")
    action.setToolTip(f"{what} ({keys})" if keys else what)
    return action


def action_button(parent: QWidget, action: QAction, name: str, accessible: str, *,
                  icon_px: int | None = None) -> QToolButton:
    """A flat button for ``action``: its icon with its text beside it."""
    button = QToolButton(parent)
    button.setDefaultAction(action)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setAutoRaise(True)
    if icon_px is not None:
        button.setIconSize(QSize(icon_px, icon_px))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button
