"""The background lane: outcomes come back on the GUI thread; refusals are not faults."""

from __future__ import annotations

import logging

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
