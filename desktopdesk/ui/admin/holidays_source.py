"""What the holiday calendar reads and writes, as plain functions the runner calls.

No Qt here: each call opens its own session on the worker. Adding is one
``AddHolidays`` (a pasted or imported list is one user action: a bad line refuses the
lot), removing several days is one ``execute_all``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select

from desktopdesk.domain.admin_queries import HolidayRow, holidays, parse_holiday_list
from desktopdesk.domain.commands import AddHolidays, RemoveHoliday
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import Holiday
from desktopdesk.store.workspace import Workspace

#: A list of dates is a few kilobytes; anything this big was the wrong file.
MAX_LIST_BYTES = 1024 * 1024

T = TypeVar("T")


@dataclass(frozen=True)
class HolidayYear:
    year: int
    rows: tuple[HolidayRow, ...]


@dataclass(frozen=True)
class AddedHolidays:
    """What an Add or an import did, for the message under the calendar."""

    #: The (day, name) pairs asked for, in the order given.
    asked: tuple[tuple[str, str], ...]
    #: How many days are new in the calendar.
    added: int

    @property
    def skipped(self) -> int:
        return len(self.asked) - self.added

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({int(day[:4]) for day, _ in self.asked}))

    @property
    def message(self) -> str:
        if len(self.asked) == 1:
            day, name = self.asked[0]
            if not self.added:
                return f"{day} is already in the calendar."
            return f"Added {day}" + (f" ({name})." if name else ".")
        added = "1 day" if self.added == 1 else f"{self.added} days"
        if not self.skipped:
            return f"Added {added}."
        skipped = ("1 was" if self.skipped == 1 else f"{self.skipped} were")
        return (f"Added {added}; {skipped} already in the calendar or repeated in the list, "
                "and skipped.")


def load_year(workspace: Workspace, year: int) -> HolidayYear:
    with workspace.read() as session:
        return HolidayYear(year, holidays(session, year))


def _count(workspace: Workspace) -> int:
    with workspace.read() as session:
        return session.scalar(select(func.count()).select_from(Holiday)) or 0


def add_holidays(workspace: Workspace, user_id: uuid.UUID,
                 pairs: Sequence[tuple[str, str]]) -> AddedHolidays:
    """One ``AddHolidays``; the days already there are skipped by the command. How many
    were new is counted around it, for the message only."""
    asked = tuple(pairs)
    before = _count(workspace)
    workspace.execute(AddHolidays(holidays=asked), user_id)
    return AddedHolidays(asked, _count(workspace) - before)


def import_holidays(workspace: Workspace, user_id: uuid.UUID, text: str) -> AddedHolidays:
    """A pasted (or read) list, one date per line with an optional name; a bad line is
    refused naming it, and nothing is added."""
    return add_holidays(workspace, user_id, parse_holiday_list(text))


def remove_holidays(workspace: Workspace, user_id: uuid.UUID, days: Sequence[str]) -> None:
    workspace.execute_all([RemoveHoliday(day=day) for day in days], user_id)


class ListFileError(Exception):
    """A file that cannot be a list of dates; the message says why, for the person."""


def read_list_file(path: Path) -> str:
    """A list file's text (UTF-8, or Latin-1 as spreadsheets on Windows save it)."""
    try:
        size = path.stat().st_size
        if size > MAX_LIST_BYTES:
            raise ListFileError(f"{path.name} is {size // 1024} KB: too big for a list of "
                                "dates.")
        data = path.read_bytes()
    except OSError as error:
        raise ListFileError(f"{path.name} could not be read: "
                            f"{error.strerror or error}.") from error
    if b"\0" in data:
        raise ListFileError(f"{path.name} is not a text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def answered(work: Callable[[], T]) -> T | DomainError | ListFileError:
    """``work()``, with a refusal handed back as a value: a refusal is an answer, not a
    failure, so the runner does not log it as one."""
    try:
        return work()
    except (DomainError, ListFileError) as refusal:
        return refusal
