"""The background lane: outcomes come back on the GUI thread; refusals are not faults."""

from __future__ import annotations

import logging
import threading
import time
import weakref

import pytest
from pytestqt.qtbot import QtBot

from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.ui.tasks import TaskRunner


def refuse() -> None:
    raise DomainError(VALIDATION, "A ticket needs a title.", "title")


def crash() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
def runner() -> TaskRunner:
    return TaskRunner()


def test_a_refusal_reaches_the_caller_and_is_logged_without_a_traceback(
        qtbot: QtBot, runner: TaskRunner, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="desktopdesk.ui.tasks")
    task = runner.run(refuse)
    with qtbot.waitSignal(task.failed) as failed:
        pass
    assert isinstance(failed.args[0], DomainError)
    records = [r for r in caplog.records if r.name == "desktopdesk.ui.tasks"]
    assert [(r.levelno, r.exc_info) for r in records] == [(logging.INFO, None)]
    assert "A ticket needs a title." in records[0].getMessage()


def test_a_bug_is_logged_as_an_error_with_its_traceback(
        qtbot: QtBot, runner: TaskRunner, caplog: pytest.LogCaptureFixture) -> None:
    task = runner.run(crash)
    with qtbot.waitSignal(task.failed):
        pass
    (record,) = [r for r in caplog.records if r.name == "desktopdesk.ui.tasks"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None


def test_a_task_is_always_let_go_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    """A QObject freed on a worker thread can crash the app: whoever dropped their task
    early, the last reference must go on the GUI thread (it once went with the worker's
    runnable, about one task in ten)."""
    on_gui_thread: list[bool] = []
    finished: list[int] = []

    def note() -> None:
        on_gui_thread.append(threading.current_thread() is threading.main_thread())

    for _ in range(400):
        task = runner.run(lambda: time.sleep(0.0005))
        weakref.finalize(task, note)
        task.finished.connect(lambda: finished.append(1))
        del task  # as a caller that only listens does
    qtbot.waitUntil(lambda: len(on_gui_thread) == 400, timeout=30_000)

    assert len(finished) == 400
    assert all(on_gui_thread), f"{on_gui_thread.count(False)} tasks freed on a worker"
