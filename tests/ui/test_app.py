"""Bootstrap pieces: the crash hook, the crash dialog, the background runner."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import ChangeSetting
from desktopdesk.domain.settings import AUTO_CLOSE_DAYS
from desktopdesk.models import Resolution, Status, Ticket
from desktopdesk.ui import messages
from desktopdesk.ui.app import DESKTOP_FILE_NAME, CrashHook, close_idle_tickets, create_application
from desktopdesk.ui.crash_dialog import CrashDialog
from desktopdesk.ui.tasks import TaskRunner
from tests.conftest import Org
from tests.ui.conftest import MakeWindow, Tickets


def test_application_identity(qapp: QApplication) -> None:
    app = create_application([])
    assert app is qapp
    assert app.applicationName() == "DesktopDesk"
    assert app.desktopFileName() == DESKTOP_FILE_NAME


def test_crash_hook_logs_and_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(messages, "crash", lambda details, **_kw: shown.append(details))
    try:
        raise ValueError("widget exploded")
    except ValueError as error:
        CrashHook()(ValueError, error, error.__traceback__)
    assert len(shown) == 1
    assert "ValueError: widget exploded" in shown[0]
    assert "test_crash_hook_logs_and_shows_the_traceback" in shown[0]  # the traceback
    assert any(r.levelname == "CRITICAL" and r.exc_info for r in caplog.records)


def test_crash_dialog_copies_its_details(qtbot: QtBot) -> None:
    dialog = CrashDialog("Traceback: boom")
    qtbot.addWidget(dialog)
    copy = dialog.findChild(QPushButton, "crash_copy_details")
    assert copy is not None
    copy.click()
    assert QGuiApplication.clipboard().text() == "Traceback: boom"


def test_runner_delivers_results_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    worker_threads: list[threading.Thread] = []

    def work() -> int:
        worker_threads.append(threading.current_thread())
        return 42

    delivered_on: list[QThread] = []
    task = runner.run(work)
    task.succeeded.connect(lambda _result: delivered_on.append(QThread.currentThread()))
    with qtbot.waitSignal(task.succeeded) as result:
        pass
    assert result.args == [42]
    assert worker_threads[0] is not threading.main_thread()
    assert delivered_on == [QApplication.instance().thread()]  # type: ignore[union-attr]
    runner.wait_for_done()
    assert not runner.busy


def test_runner_hands_back_exceptions(qtbot: QtBot) -> None:
    runner = TaskRunner()
    task = runner.run(lambda: {}["missing"])
    with qtbot.waitSignal(task.failed) as failure:
        pass
    assert isinstance(failure.args[0], KeyError)
    runner.wait_for_done()


def test_a_standalone_store_closes_its_idle_tickets_at_start(
        qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets) -> None:
    # The sample tickets were last touched on 2 March 2026; today is later than that.
    org.do(ChangeSetting(key=AUTO_CLOSE_DAYS.key, value=30), org.admin)
    window = make_window(org.ramon)
    close_idle_tickets(window)
    qtbot.waitUntil(lambda: not window.runner.busy and not window.model.is_fetching,
                    timeout=20_000)
    with org.ws.read() as session:
        ticket = session.get(Ticket, tickets.ramon_new)
        assert ticket is not None
        assert (ticket.status, ticket.resolution) == (Status.CLOSED, Resolution.EXPIRED)
    assert tickets.ramon_new not in {window.model.ticket_id(row)
                                     for row in range(window.model.rowCount())}
