"""Which files the validate dialog has among its pages, and reading new ones.

A file is known by its absolute path (two "IMG_0001.jpg" from two folders are two
files): one already among the pages, or being read, is not read again; one refused, or
whose pages were all removed, may be added again. Each batch of files is read on the
runner by ``scan_source.load_scans``, which refuses a bad file by name and keeps the
others; should the whole batch fail (a bug), its files are forgotten so they may be
added again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktopdesk.ui.scan_source import LoadOutcome, load_scans
from desktopdesk.ui.tasks import Task, TaskRunner


def file_key(path: Path) -> Path:
    """How a file is known: its absolute path, worked out without asking the disk
    (``resolve`` would, and a network share may not answer)."""
    return Path(os.path.abspath(path))


class ScanLoader(QObject):
    """Reads batches of scans on the runner for one dialog."""

    #: A batch was read: its ``LoadOutcome`` (pages to add, files refused).
    batch_loaded = Signal(object)
    #: A batch could not be read at all: (its files' names, the error).
    batch_failed = Signal(object, object)

    def __init__(self, runner: TaskRunner, thumbnail_side: int,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scan_loader")
        self.runner = runner
        self.thumbnail_side = thumbnail_side
        #: Files among the pages or being read (``file_key``).
        self._known: set[Path] = set()
        #: Batches being read, with their files.
        self._reading: dict[Task, set[Path]] = {}

    @property
    def busy(self) -> bool:
        return bool(self._reading)

    def is_loaded(self, path: Path) -> bool:
        """Whether ``path`` is among the pages already (or being read)."""
        return file_key(path) in self._known

    def add(self, paths: Sequence[Path]) -> list[str]:
        """Read the files of ``paths`` not known yet; what to say about the others."""
        fresh: list[Path] = []
        already: list[str] = []
        for path in paths:
            key = file_key(path)
            if key in self._known or key in fresh:
                already.append(f"{path.name} is already among the pages.")
            else:
                fresh.append(key)
        if fresh:
            self._known.update(fresh)
            task = self.runner.run(partial(load_scans, fresh, self.thumbnail_side))
            self._reading[task] = set(fresh)
            task.succeeded.connect(self._on_load_task_succeeded)
            task.failed.connect(self._on_load_task_failed)
        return already

    def forget(self, paths: Iterable[Path]) -> None:
        """These files are no longer among the pages: they may be added again."""
        self._known -= {file_key(path) for path in paths}

    def _batch_done(self) -> set[Path]:
        """The files of the batch whose task is answering."""
        task = self.sender()
        return self._reading.pop(task, set()) if isinstance(task, Task) else set()

    @Slot(object)
    def _on_load_task_succeeded(self, outcome: LoadOutcome) -> None:
        self._batch_done()
        self.forget(refused.path for refused in outcome.refused)  # once fixed, welcome
        self.batch_loaded.emit(outcome)

    @Slot(object)
    def _on_load_task_failed(self, error: BaseException) -> None:
        batch = self._batch_done()
        self.forget(batch)  # none of them is among the pages
        self.batch_failed.emit(sorted(path.name for path in batch), error)
