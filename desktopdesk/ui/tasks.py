"""Run plain functions off the GUI thread and hand their outcome back on it.

The work itself is an ordinary callable (tested without Qt); only its outcome crosses
threads, as a queued signal into a QObject that lives on the GUI thread. A lambda
receiver would run on the worker thread instead, so the hop goes through a real slot.
Callables must open their own database session: sessions never cross threads.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from desktopdesk.domain.errors import DomainError

log = logging.getLogger("desktopdesk.ui.tasks")


class Task(QObject):
    """One piece of background work. Its public signals fire on the GUI thread.

    A task never goes to the worker: the worker gets the callable and a key, and hands
    the outcome to the relay. So the last reference to a task is always dropped on the
    GUI thread; a QObject freed on a worker thread (as happened when the worker held the
    task) can crash the app.
    """

    succeeded = Signal(object)  # the callable's return value
    failed = Signal(object)  # the exception it raised
    finished = Signal()  # after either of the above

    def __init__(self, work: Callable[[], Any], release: Callable[[Task], None]) -> None:
        super().__init__()
        self.work = work
        self._release = release

    def deliver(self, result: object, error: object) -> None:
        """The outcome, on the GUI thread (from the relay)."""
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


class _Relay(QObject):
    """Carries outcomes from workers to the tasks waiting on the GUI thread.

    One for the application, created on the GUI thread by the first runner and never
    freed, so a worker only ever touches this object and a key. The queued connection
    runs ``_on_completed`` on the thread the relay lives on (a lambda would run on the
    worker instead).
    """

    completed = Signal(object, object, object)  # (key, result, error), from a worker

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, Task] = {}
        self._keys = itertools.count(1)
        self.completed.connect(self._on_completed, Qt.ConnectionType.QueuedConnection)

    def register(self, task: Task) -> int:
        key = next(self._keys)
        self.waiting[key] = task
        return key

    @Slot(object, object, object)
    def _on_completed(self, key: int, result: object, error: object) -> None:
        task = self.waiting.pop(key, None)
        if task is not None:
            task.deliver(result, error)


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()
    return _relay


class _Runnable(QRunnable):
    """What a worker runs: the callable and the key of its task, nothing of Qt's but the
    relay (which outlives every worker)."""

    def __init__(self, work: Callable[[], Any], key: int, relay: _Relay) -> None:
        super().__init__()
        self._work: Callable[[], Any] | None = work
        self._key = key
        self._relay = relay

    def run(self) -> None:
        work, self._work = self._work, None
        assert work is not None
        result: object = None
        error: object = None
        try:
            result = work()
        except Exception as raised:  # logged on the GUI thread, then handed to the caller
            error = raised
        # The callable may hold GUI objects (a bound method): its task, still waiting on
        # the GUI thread, keeps them; the worker lets go before the outcome is sent.
        del work
        self._relay.completed.emit(self._key, result, error)


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
        relay = _the_relay()
        self._pool.start(_Runnable(work, relay.register(task), relay))
        return task

    @property
    def busy(self) -> bool:
        return bool(self._in_flight)

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until every worker has returned (results may still be queued)."""
        return self._pool.waitForDone(msecs)
