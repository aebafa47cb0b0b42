"""Holding the rest of the program back while one thread replaces the store's file.

A replica is rebuilt on the sync thread while the window stays open: people go on
reading the list and may press Add. Two gates keep that safe without refusing anyone:

* ``PauseGate`` around user actions: while the rebuild holds it, an action waits (on its
  worker thread, never the GUI thread) and is then applied to the new file; nothing is
  written into the old file after its rows were counted for carrying across.
* the same class, fed by the engine's pool events, around database connections: for the
  moment of the swap, no connection is checked out by anyone else (an open connection
  would write into what becomes the backup, or leave a write-ahead log beside the wrong
  file).

Waiting, not failing, is the point: the rebuild is rare and short next to a person's
patience, and a refused action would have to be typed again.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

_THREAD_KEY = "desktopdesk_gate_thread"


class PauseGate:
    """Passages from any thread, unless one thread holds the gate.

    The holder passes freely (the rebuild itself reads and writes); holding waits until
    passages already under way on other threads have ended, so the holder never works
    beside a half-done action.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._holder: int | None = None
        self._depth = 0
        self._inside: Counter[int] = Counter()

    @property
    def is_held(self) -> bool:
        with self._changed:
            return self._holder is not None

    def enter(self) -> None:
        me = threading.get_ident()
        with self._changed:
            self._changed.wait_for(lambda: self._holder in (None, me))
            self._inside[me] += 1

    def leave(self, thread_id: int | None = None) -> None:
        """End a passage begun by ``thread_id`` (default: this thread)."""
        who = threading.get_ident() if thread_id is None else thread_id
        with self._changed:
            self._inside[who] -= 1
            if self._inside[who] <= 0:
                del self._inside[who]
            self._changed.notify_all()

    @contextmanager
    def passage(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep other threads out until the block ends; re-entrant for the holder."""
        me = threading.get_ident()
        with self._changed:
            self._changed.wait_for(lambda: self._holder in (None, me))
            self._holder = me
            self._depth += 1
            self._changed.wait_for(lambda: not (set(self._inside) - {me}))
        try:
            yield
        finally:
            with self._changed:
                self._depth -= 1
                if self._depth == 0:
                    self._holder = None
                self._changed.notify_all()


def gate_connections(engine: Engine, gate: PauseGate) -> None:
    """Make every connection checkout a passage through ``gate`` until its checkin.

    The pool keeps its listeners when it is recreated (``Engine.dispose``), so closing the
    workspace does not undo this.
    """

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_connection: object, record: ConnectionPoolEntry,
                     _proxy: PoolProxiedConnection) -> None:
        gate.enter()
        record.info[_THREAD_KEY] = threading.get_ident()

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: object, record: ConnectionPoolEntry) -> None:
        thread_id = record.info.pop(_THREAD_KEY, None)
        if thread_id is not None:
            gate.leave(thread_id)
