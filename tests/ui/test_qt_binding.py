"""The Qt binding must not leak references to Python's singletons.

PySide6 6.12.0 on Python 3.11 drops one reference to None per call of a method returning
nothing, and one to True per signal emit; a long session then aborts the interpreter
("deallocating None"). This fails loudly if such a release is installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QSize, Signal

CALLS = 2000


class _Emitter(QObject):
    fired = Signal()


def test_void_calls_keep_none_alive() -> None:
    size = QSize()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        size.setWidth(3)
    assert sys.getrefcount(None) >= before - 10


def test_signal_emits_keep_true_alive() -> None:
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(CALLS):
        emitter.fired.emit()
    assert sys.getrefcount(True) >= before - 10
