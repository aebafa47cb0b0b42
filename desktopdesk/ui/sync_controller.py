"""Sync in the background: on a timer, on demand, never two at once, never on the GUI thread.

``run_sync`` writes the local store in its own short transactions (one per pull page), so
the window keeps working while it runs: typing never waits on the network, and a user
action at worst waits on SQLite's busy timeout for one page to commit, on a worker.

Being offline is a state, not an error: an unreachable server marks the status offline
and the outbox simply grows until the next sync reaches it.

Where the sign-in is kept is settled before the first sync, on the sync lane: looking
for the OS keyring may block. Without one, an existing credential file is unlocked
through ``MasterPasswordDialog`` (or ``MASTER_PASSWORD_ENV``); until it is answered no
sync starts, so none of them reports "not signed in" for a token that is merely locked.

The interval is a constant (``SYNC_INTERVAL_MS``), not a setting: the desktop-scope
settings live in ``desktopdesk.domain.settings`` and a sync interval there would be the
first setting the domain never reads; two minutes keeps conflicts rare (people see the
server's changes soon) without loading a server with hundreds of desktops.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from desktopdesk.store.planner_stats import refresh_if_stale
from desktopdesk.store.workspace import Role, Workspace
from desktopdesk.sync.account import (
    NotLinkedError,
    ServerLink,
    SyncAttempt,
    UnknownSyncUserError,
    attempt_sync,
    server_link,
)
from desktopdesk.sync.conflicts import SyncCounts, sync_counts
from desktopdesk.sync.credential_access import (
    CredentialAccess,
    MasterPasswordRequest,
    session_only_note,
    shared_credentials,
)
from desktopdesk.sync.credentials import CredentialStore
from desktopdesk.ui.master_password_dialog import MasterPasswordDialog
from desktopdesk.ui.tasks import Task, TaskRunner

log = logging.getLogger("desktopdesk.ui.sync")

#: How often the window syncs on its own.
SYNC_INTERVAL_MS = 2 * 60 * 1000
#: How often the counts are read again between syncs, so "3 pending" follows the user's
#: work whoever made it (a cheap indexed count on a worker).
STATUS_REFRESH_MS = 10 * 1000


@dataclass(frozen=True)
class SyncStatus:
    """Everything a sync indicator shows; plain data, safe to hand to any view."""

    #: None until the first sync of this session has an answer.
    online: bool | None = None
    syncing: bool = False
    pending: int = 0
    conflicts: int = 0
    #: The last sync that went all the way through (UTC).
    last_sync_at: dt.datetime | None = None
    #: Why the last sync did not go through, for people; empty when it did.
    last_error: str = ""
    needs_sign_in: bool = False
    server_url: str = ""
    username: str = ""
    #: Set while the sign-in would not outlive this session (memory only), or while the
    #: master password of the saved sign-in is being asked for; empty otherwise.
    sign_in_note: str = ""


@dataclass(frozen=True)
class SyncOutcome:
    """What one sync changed, so views refresh only when there is something new."""

    pulled_rows: int
    applied: int
    rejected: int
    #: The server's words for each command it refused in this sync.
    new_conflicts: tuple[str, ...]
    rebuilt: bool

    @property
    def changed_local_data(self) -> bool:
        return bool(self.pulled_rows or self.rejected or self.rebuilt)


@dataclass(frozen=True)
class _Counted:
    """Counts as read on a worker, stamped so an older reading never hides a newer one."""

    counts: SyncCounts
    read_at: float


@dataclass(frozen=True)
class _SyncReport:
    attempt: SyncAttempt
    counted: _Counted


class SyncController(QObject):
    """Runs syncs on a one-thread lane of its own, so a long first sync never holds up
    the window's list and count queries, and two syncs can never overlap."""

    status_changed = Signal(object)  # SyncStatus
    sync_started = Signal()
    sync_finished = Signal(object)  # SyncOutcome, after a sync that went through

    def __init__(self, sync_work: Callable[[], SyncAttempt],
                 read_counts: Callable[[], SyncCounts], *, server_url: str = "",
                 username: str = "", interval_ms: int = SYNC_INTERVAL_MS,
                 status_refresh_ms: int = STATUS_REFRESH_MS,
                 credentials: CredentialAccess | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sync_work = sync_work
        #: Settled before the first sync when given; None for work that needs no sign-in.
        self.credentials = credentials
        self.master_password_dialog: MasterPasswordDialog | None = None
        self._unlocking = False
        self._read_counts = read_counts
        self.runner = TaskRunner(self, max_threads=1)
        self._counts_runner = TaskRunner(self, max_threads=1)
        self._status = SyncStatus(server_url=server_url, username=username)
        self._sync_task: Task | None = None
        self._again = False
        self._last_read_at = 0.0
        self._stopped = False
        self.syncs_started = 0
        self._timer = QTimer(self)
        self._timer.setObjectName("sync_timer")
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._status_timer = QTimer(self)
        self._status_timer.setObjectName("sync_status_timer")
        self._status_timer.setInterval(status_refresh_ms)
        self._status_timer.timeout.connect(self._on_status_timer_timeout)

    @classmethod
    def for_workspace(cls, workspace: Workspace, *, parent: QObject | None = None,
                      interval_ms: int = SYNC_INTERVAL_MS,
                      credentials: CredentialAccess | None = None) -> SyncController | None:
        """The controller for a replica linked to a server; None for anything else.

        ``credentials`` defaults to the process's shared access for the data folder, the
        one the connect dialog's "Sign in again" saves into too.
        """
        if workspace.role is not Role.REPLICA:
            return None
        try:
            link = server_link(workspace)
        except (NotLinkedError, UnknownSyncUserError):
            log.info("replica %s has no usable server link: not syncing", workspace.data_dir)
            return None
        credentials = credentials or shared_credentials(workspace.data_dir)
        return cls(server_sync_work(workspace, link, credentials),
                   lambda: sync_counts(workspace), server_url=link.url,
                   username=link.username, interval_ms=interval_ms, credentials=credentials,
                   parent=parent)

    # --- Control --------------------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        return self._status

    @property
    def is_syncing(self) -> bool:
        return self._sync_task is not None

    @property
    def is_unlocking(self) -> bool:
        """Settling where the sign-in is kept: no sync starts meanwhile."""
        return self._unlocking

    def start(self) -> None:
        """Sync now, then every interval; counts are kept fresh in between.

        With a credential store still to settle, it is settled first (on the sync lane,
        asking for the master password if one is needed), and the first sync follows.
        """
        self._stopped = False
        self._timer.start()
        self._status_timer.start()
        self.refresh_status()
        if self._unlocking:
            return
        if self.credentials is not None and self.credentials.store is None:
            self._settle_credentials(self.credentials)
            return
        self._publish(sign_in_note=session_only_note(self._store()))
        self.sync_now()

    def stop(self) -> None:
        """No new work is started; call ``wait_for_done`` before the workspace closes."""
        self._stopped = True
        self._timer.stop()
        self._status_timer.stop()

    def wait_for_done(self, msecs: int = -1) -> bool:
        return self.runner.wait_for_done(msecs) and self._counts_runner.wait_for_done(msecs)

    def sync_now(self) -> bool:
        """Start a sync; False if one is running (then one more follows it, once)."""
        if self._stopped:
            return False
        if self._sync_task is not None or self._unlocking:
            self._again = True
            return False
        self._again = False
        self.syncs_started += 1
        work, read_counts = self._sync_work, self._read_counts

        def sync_and_count() -> _SyncReport:
            attempt = work()
            return _SyncReport(attempt, _Counted(read_counts(), time.monotonic()))

        self._sync_task = self.runner.run(sync_and_count)
        self._sync_task.succeeded.connect(self._on_sync_task_succeeded)
        self._sync_task.failed.connect(self._on_sync_task_failed)
        self._timer.start()  # the next automatic sync counts from this one
        self._publish(syncing=True)
        self.sync_started.emit()
        return True

    def refresh_status(self) -> None:
        """Read pending and conflict counts again (after the user did something)."""
        if self._stopped:
            return
        read_counts = self._read_counts
        task = self._counts_runner.run(lambda: _Counted(read_counts(), time.monotonic()))
        task.succeeded.connect(self._on_counts_task_succeeded)

    # --- Slots ----------------------------------------------------------------------------

    @Slot(object)
    def _on_credentials_task_succeeded(self, request: MasterPasswordRequest | None) -> None:
        credentials = self.credentials
        if request is None or credentials is None or self._stopped:
            self._credentials_settled()
            return
        parent = self.parent()
        self.master_password_dialog = MasterPasswordDialog(
            credentials, request, self.runner,
            parent=parent if isinstance(parent, QWidget) else None)
        self.master_password_dialog.finished.connect(
            self._on_master_password_dialog_finished)
        self._publish(sign_in_note="Waiting for the master password of the saved sign-in.")
        self.master_password_dialog.open()

    @Slot(object)
    def _on_credentials_task_failed(self, _error: BaseException) -> None:
        """Logged by the runner; the first sync tries again and reports what it meets."""
        self._credentials_settled()

    @Slot(int)
    def _on_master_password_dialog_finished(self, _result: int) -> None:
        dialog, self.master_password_dialog = self.master_password_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self._credentials_settled()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.sync_now()

    @Slot()
    def _on_status_timer_timeout(self) -> None:
        self.refresh_status()

    @Slot(object)
    def _on_counts_task_succeeded(self, counted: _Counted) -> None:
        self._take_counts(counted)
        self._publish()

    @Slot(object)
    def _on_sync_task_succeeded(self, report: _SyncReport) -> None:
        self._sync_task = None
        attempt = report.attempt
        self._take_counts(report.counted)
        self._publish(syncing=False, online=attempt.reachable, last_error=attempt.problem,
                      needs_sign_in=attempt.needs_sign_in,
                      sign_in_note=session_only_note(self._store()))
        if attempt.summary is not None:
            summary = attempt.summary
            self.sync_finished.emit(SyncOutcome(
                pulled_rows=summary.pulled_rows, applied=summary.applied,
                rejected=summary.rejected, new_conflicts=tuple(summary.conflicts),
                rebuilt=summary.rebuilt is not None))
        self._follow_up()

    @Slot(object)
    def _on_sync_task_failed(self, error: BaseException) -> None:
        """A bug, not a network state (those come back as attempts): logged by the runner;
        the status says so and the timer tries again later."""
        self._sync_task = None
        self._publish(syncing=False, last_error=f"The sync stopped on an unexpected error: "
                                                f"{error}. Your work is kept.")
        self._follow_up()

    # --- Pieces ---------------------------------------------------------------------------

    def _settle_credentials(self, credentials: CredentialAccess) -> None:
        self._unlocking = True
        task = self.runner.run(lambda: credentials.request(signing_in=False))
        task.succeeded.connect(self._on_credentials_task_succeeded)
        task.failed.connect(self._on_credentials_task_failed)

    def _credentials_settled(self) -> None:
        self._unlocking = False
        note = session_only_note(self._store())
        if note:
            log.info("sync: %s", note)
        self._publish(sign_in_note=note)
        self.sync_now()

    def _store(self) -> CredentialStore | None:
        return self.credentials.store if self.credentials is not None else None

    def _follow_up(self) -> None:
        if self._again:
            self.sync_now()

    def _take_counts(self, counted: _Counted) -> None:
        if counted.read_at < self._last_read_at:
            return  # a reading older than one already shown
        self._last_read_at = counted.read_at
        counts = counted.counts
        self._status = _replace(self._status, pending=counts.pending,
                                conflicts=counts.conflicts, last_sync_at=counts.last_ok_at)

    def _publish(self, **changes: object) -> None:
        self._status = _replace(self._status, **changes)
        self.status_changed.emit(self._status)


def _replace(status: SyncStatus, **changes: object) -> SyncStatus:
    return dataclasses.replace(status, **changes)  # type: ignore[arg-type]


def server_sync_work(workspace: Workspace, link: ServerLink,
                     credentials: CredentialAccess | None = None) -> Callable[[], SyncAttempt]:
    """One sync with ``link``'s server, as a plain callable for the controller's worker."""
    open_store = (credentials or shared_credentials(workspace.data_dir)).current

    def sync_then_refresh_statistics() -> SyncAttempt:
        attempt = attempt_sync(workspace, link, open_store)
        summary = attempt.summary
        if summary is not None and (summary.pulled_rows or summary.rebuilt is not None):
            # Here, on the sync lane: after a first sync of a big store, the list's next
            # read would otherwise pay for the ANALYZE (seconds) on the window's lane.
            refresh_if_stale(workspace.engine)
        return attempt

    return sync_then_refresh_statistics
