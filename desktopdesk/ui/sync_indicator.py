"""The status-bar sync indicator: online or not, what waits to be sent, when it last
synced, and a badge for changes the server did not apply. A click opens the sync panel.

It only renders a ``SyncStatus``; the relative time is re-rendered every half minute so
"last sync 2 min ago" stays true without anyone asking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from desktopdesk.models import utc_now
from desktopdesk.ui import palette
from desktopdesk.ui.sync_controller import SyncStatus

RERENDER_MS = 30_000
ICON_SIZE = QSize(16, 16)
#: Filled red with light text, as other apps show "needs attention" counts (a
#: ``palette.set_style`` template: the pair is the scheme's own, light or dark).
BADGE_STYLE = ("QToolButton#sync_conflict_badge { background: $danger_background;"
               " color: $on_danger; border-radius: 8px; padding: 0px 7px; font-weight: 600; }")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def relative_time(moment: dt.datetime, now: dt.datetime) -> str:
    """"just now", "2 min ago", "3 h ago", then the local date: how people say it."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 24 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"on {moment.astimezone():%d %b %Y}"


def state_words(status: SyncStatus) -> tuple[str, str]:
    """(icon name, one word or two) for where sync stands."""
    if status.syncing:
        return "mdi6.cloud-sync-outline", "Syncing…"
    if status.needs_sign_in:
        return "mdi6.account-alert-outline", "Sign in to sync"
    if status.online is False:
        return "mdi6.cloud-off-outline", "Offline"
    if status.last_error:
        return "mdi6.cloud-alert-outline", "Sync problem"
    if status.online:
        return "mdi6.cloud-check-outline", "Online"
    return "mdi6.cloud-outline", "Not synced yet"


def describe(status: SyncStatus, now: dt.datetime) -> str:
    """The indicator's text: "Offline · 3 pending · last sync 2 min ago"."""
    parts = [state_words(status)[1]]
    if status.pending:
        parts.append(f"{status.pending} pending")
    if status.last_sync_at is not None:
        parts.append(f"last sync {relative_time(status.last_sync_at, now)}")
    elif not status.syncing:
        parts.append("never synced")
    return " · ".join(parts)


def tooltip(status: SyncStatus, now: dt.datetime) -> str:
    lines = []
    if status.server_url:
        lines.append(f"{status.username} at {status.server_url}")
    if status.last_sync_at is not None:
        local = status.last_sync_at.astimezone()
        lines.append(f"Last sync: {local:%d %b %Y %H:%M} "
                     f"({relative_time(status.last_sync_at, now)})")
    lines.append(f"{plural(status.pending, 'change')} waiting to be sent" if status.pending
                 else "Nothing waiting to be sent")
    if status.conflicts:
        lines.append(f"{plural(status.conflicts, 'change')} not applied by the server")
    if status.last_error:
        lines.append(status.last_error)
    if status.sign_in_note and status.sign_in_note not in status.last_error:
        lines.append(status.sign_in_note)
    lines.append("Click for details; F5 syncs now.")
    return "\n".join(lines)


class SyncIndicator(QWidget):
    panel_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *,
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        super().__init__(parent)
        self.setObjectName("sync_indicator")
        self._clock = clock
        self._status = SyncStatus()

        self.state_button = QToolButton(self)
        self.state_button.setObjectName("sync_state_button")
        self.state_button.setAutoRaise(True)
        self.state_button.setIconSize(ICON_SIZE)
        self.state_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.state_button.clicked.connect(self._on_button_clicked)

        self.conflict_badge = QToolButton(self)
        self.conflict_badge.setObjectName("sync_conflict_badge")
        palette.set_style(self.conflict_badge, BADGE_STYLE)
        self.conflict_badge.setCursor(Qt.CursorShape.PointingHandCursor)
        self.conflict_badge.clicked.connect(self._on_button_clicked)
        self.conflict_badge.hide()

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.state_button)
        layout.addWidget(self.conflict_badge)

        self._rerender = QTimer(self)
        self._rerender.setInterval(RERENDER_MS)
        self._rerender.timeout.connect(self._on_rerender_timeout)
        self._rerender.start()
        self._render()

    @property
    def status(self) -> SyncStatus:
        return self._status

    @Slot(object)
    def show_status(self, status: SyncStatus) -> None:
        self._status = status
        self._render()

    def _render(self) -> None:
        status, now = self._status, self._clock()
        icon_name, _words = state_words(status)
        text = describe(status, now)
        self.state_button.setIcon(palette.icon(icon_name))
        self.state_button.setText(text)
        self.state_button.setAccessibleName(f"Sync status: {text}")
        tip = tooltip(status, now)
        self.state_button.setToolTip(tip)
        badge = plural(status.conflicts, "conflict")
        self.conflict_badge.setText(badge)
        self.conflict_badge.setAccessibleName(f"{badge}: open the sync panel")
        self.conflict_badge.setToolTip(f"{plural(status.conflicts, 'change')} not applied by "
                                       "the server; click to decide what to do")
        self.conflict_badge.setVisible(status.conflicts > 0)

    @Slot()
    def _on_button_clicked(self) -> None:
        self.panel_requested.emit()

    @Slot()
    def _on_rerender_timeout(self) -> None:
        self._render()
