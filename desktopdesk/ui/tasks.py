"""Run plain functions off the GUI thread and hand their outcome back on it.

The work itself is an ordinary callable (tested without Qt); only its outcome crosses
threads, as a queued signal into a QObject that lives on the GUI thread. A lambda
receiver would run on the worker thread instead, so the hop goes through a real slot.
Callables must open their own database session: sessions never cross threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from desktopdesk.domain.errors import DomainError

log = logging.getLogger("desktopdesk.ui.tasks")


class Task(QObject):
    """One piece of background work. Its public signals fire on the GUI thread."""

    succeeded = Signal(object)  # the callable's return value
    failed = Signal(object)  # the exception it raised
    finished = Signal()  # after either of the above

    _completed = Signal(object, object)  # (result, error), emitted on the worker thread

    def __init__(self, work: Callable[[], Any], release: Callable[[Task], None]) -> None:
        super().__init__()
        self.work = work
        self._release = release
        self._completed.connect(self._on_worker_completed,
                                Qt.ConnectionType.QueuedConnection)

    def run_on_worker(self) -> None:
        try:
            result = self.work()
        except Exception as error:  # logged, then handed to whoever listens
            self._completed.emit(None, error)
        else:
            self._completed.emit(result, None)

    @Slot(object, object)
    def _on_worker_completed(self, result: object, error: object) -> None:
        try:
            if isinstance(error, DomainError):
                # A rule said no: an answer to show the person, not a fault to trace.
                log.info("background task %r refused: %s", self.work, error.message)
                self.failed.emit(error)
            elif isinstance(error, BaseException):
                log.error("background task %r failed", self.work, exc_info=error)
                self.failed.emit(error)
            else:
                self.succeeded.emit(result)
            self.finished.emit()
        finally:
            self._release(self)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task.run_on_worker()


class TaskRunner(QObject):
    """The app's background lane: a small thread pool plus the tasks still in flight."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._in_flight: set[Task] = set()

    def run(self, work: Callable[[], Any]) -> Task:
        """Start ``work`` on a worker; connect to the returned task's signals to get the result.

        Delivery is always queued, so connecting right after this call never misses it.
        """
        task = Task(work, self._in_flight.discard)
        self._in_flight.add(task)
        self._pool.start(_Runnable(task))
        return task

    @property
    def busy(self) -> bool:
        return bool(self._in_flight)

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until every worker has returned (results may still be queued)."""
        return self._pool.waitForDone(msecs)
