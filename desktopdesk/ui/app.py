"""Starting the Qt application: identity, the crash hook, the main window."""

from __future__ import annotations

import logging
import signal
import sys
import traceback
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

from desktopdesk import __version__
from desktopdesk.documents.resources import icon_path
from desktopdesk.domain.queries import UserSummary
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages
from desktopdesk.ui.desktop_preferences import DesktopPreferences, SchemePreference
from desktopdesk.ui.open_copies import remove_old_copies
from desktopdesk.ui.palette import Appearance

if TYPE_CHECKING:
    from desktopdesk.ui.connect_dialog import ConnectChoice
    from desktopdesk.ui.main_window import MainWindow

log = logging.getLogger("desktopdesk.ui")

APP_NAME = "DesktopDesk"
ORGANISATION_NAME = "DesktopDesk"
ORGANISATION_DOMAIN = "desktopdesk.org"
#: The desktop entry's name (packaging/), so Wayland shells match windows to its icon.
DESKTOP_FILE_NAME = "org.desktopdesk.DesktopDesk"
#: From resources/, in a checkout and in installed wheels alike (documents.resources).
ICON_FILE = icon_path("desktopdesk.svg")


def create_application(argv: list[str]) -> QApplication:
    QApplication.setApplicationName(APP_NAME)
    QApplication.setApplicationDisplayName(APP_NAME)
    QApplication.setOrganizationName(ORGANISATION_NAME)
    QApplication.setOrganizationDomain(ORGANISATION_DOMAIN)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(DESKTOP_FILE_NAME)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    if ICON_FILE.is_file():
        app.setWindowIcon(QIcon(str(ICON_FILE)))
    return app


def follow_color_scheme(app: QApplication, preference: SchemePreference) -> Appearance:
    """The app's one ``Appearance`` (made on first call; later calls set the preference).

    Before any window is built: icons take their colour from the palette when made.
    """
    appearance = app.findChild(Appearance, "appearance")
    if appearance is None:
        return Appearance(app, preference)
    appearance.set_preference(preference)
    return appearance


class CrashHook:
    """sys.excepthook for the GUI: log the traceback, then show it in the crash dialog.

    A bug inside a slot would otherwise only print to a terminal nobody is watching.
    """

    def __init__(self, log_file: Path | None = None) -> None:
        self.log_file = log_file
        self._showing = False

    def __call__(self, exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("unexpected error", exc_info=(exc_type, exc, tb))
        if self._showing:  # an error while the dialog is up: logged, not stacked
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        details = f"DesktopDesk {__version__}\n\n{details}"
        self._showing = True
        try:
            messages.crash(details, log_file=self.log_file)
        finally:
            self._showing = False


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
_qt_log = logging.getLogger("desktopdesk.qt")


def _on_qt_message(kind: QtMsgType, context: QMessageLogContext, text: str) -> None:
    """Qt's own warnings go to our log instead of a terminal nobody is watching."""
    _qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s (%s)", text, context.category)


#: How long ``--self-check`` waits for the first page of tickets before it fails.
SELF_CHECK_TIMEOUT_MS = 30_000


def run(workspace: Workspace, user: UserSummary, *, log_file: Path | None = None,
        self_check: bool = False) -> int:
    """Show the main window for ``user`` and run the event loop; returns the exit code.

    ``self_check`` quits once the first page of tickets is on screen, printing what it
    showed: the smoke test for installs and frozen builds, and for the end-to-end test.
    """
    from desktopdesk.ui.main_window import MainWindow

    qInstallMessageHandler(_on_qt_message)
    app = create_application(sys.argv[:1])
    previous_hook = sys.excepthook
    sys.excepthook = CrashHook(log_file)
    previous_sigint = signal.signal(signal.SIGINT, lambda *_: app.quit())
    # Python only runs signal handlers between bytecodes; wake it now and then so
    # Ctrl+C in the terminal closes the app instead of waiting for the next event.
    wake_up = QTimer(app)
    wake_up.timeout.connect(lambda: None)
    wake_up.start(250)
    appearance = follow_color_scheme(app, DesktopPreferences(workspace.data_dir).color_scheme)
    window = MainWindow(workspace, user, appearance=appearance)
    close_idle_tickets(window)
    evaluate_slas(window)
    window.runner.run(remove_old_copies)  # files Open handed to other programs a week ago
    try:
        window.resize(1200, 700)
        window.show()
        if self_check:
            _quit_when_first_page_shows(app, window)
        return app.exec()
    finally:
        if window.sync_controller is not None:
            window.sync_controller.stop()
            window.sync_controller.wait_for_done()
        window.runner.wait_for_done()  # no worker may outlive the workspace it reads
        wake_up.stop()
        signal.signal(signal.SIGINT, previous_sigint)
        sys.excepthook = previous_hook


def close_idle_tickets(window: MainWindow) -> None:
    """A standalone store is its own server: its idle tickets are closed when the app
    starts (a replica's are closed by the server's daily job and arrive by sync)."""
    from desktopdesk.domain.auto_close import AutoCloseOutcome, run_auto_close

    def refresh_if_closed(outcome: AutoCloseOutcome) -> None:
        if outcome.closed:
            log.info("auto-close: %s", outcome.summary)
            window.refresh()

    task = window.runner.run(partial(run_auto_close, window.workspace))
    task.succeeded.connect(refresh_if_closed)


#: How often a standalone store evaluates its SLAs: as often as the server's job.
SLA_PASS_INTERVAL_MS = 5 * 60 * 1000


def evaluate_slas(window: MainWindow, interval_ms: int = SLA_PASS_INTERVAL_MS) -> QTimer:
    """A standalone store is its own server: its SLAs are evaluated at start and then every
    ``interval_ms`` on the background runner, and the list shows what changed. A replica
    stops after the first look (the server evaluates; its verdict arrives by sync).
    Returns the timer (tests drive it)."""
    from desktopdesk.domain.sla_state import SlaPassOutcome, run_sla_pass

    timer = QTimer(window)
    timer.setObjectName("slaPassTimer")
    running: list[bool] = []

    def start() -> None:
        if running:  # a slow pass is not doubled up by the next tick
            return
        running.append(True)
        task = window.runner.run(partial(run_sla_pass, window.workspace))
        task.succeeded.connect(show_changes)
        task.finished.connect(running.clear)

    def show_changes(outcome: SlaPassOutcome) -> None:
        if not outcome.ran:
            timer.stop()
        elif outcome.flags_changed or outcome.states_written or outcome.states_cleared:
            window.list_panel.refresh_after_sync()

    timer.timeout.connect(start)
    timer.start(interval_ms)
    start()
    return timer


def choose_first_start(workspace: Workspace) -> ConnectChoice | None:
    """First start, on an empty data folder: connect to a server, or open the demo.

    None if the person closed the dialog. After a server choice the workspace is a replica
    holding its first copy, so the caller can sign in the server's user from it.
    """
    from desktopdesk.ui.connect_dialog import ConnectDialog
    from desktopdesk.ui.tasks import TaskRunner

    qInstallMessageHandler(_on_qt_message)
    follow_color_scheme(create_application(sys.argv[:1]), "system")
    runner = TaskRunner()
    dialog = ConnectDialog(workspace, runner)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        runner.wait_for_done()  # the sign-in and first sync touch the workspace
    return dialog.choice if accepted else None


def _quit_when_first_page_shows(app: QApplication, window: MainWindow) -> None:
    def succeeded(rows: int) -> None:
        print(f"self-check ok: {rows} tickets shown to {window.user.username}", flush=True)
        app.exit(0)

    def failed(reason: object) -> None:
        print(f"self-check failed: {reason}", file=sys.stderr, flush=True)
        app.exit(1)

    window.model.page_loaded.connect(succeeded)
    window.model.load_failed.connect(failed)
    QTimer.singleShot(SELF_CHECK_TIMEOUT_MS, app, lambda: failed("no tickets loaded in time"))
