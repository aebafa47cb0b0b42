"""Business time: which moments an SLA's working hours cover, and how much of a stretch
of time they count.

A ``BusinessClock`` turns one ``WorkingTime`` into a table of working spans in UTC
epoch seconds, built a year at a time and only for the days asked about, with a
running total of working seconds at the start of each span. Every question is then a
binary search in that table, so a ticket open for years costs no more than one open
for an hour, and the SLA pass can evaluate a hundred thousand tickets in seconds.

Each local calendar day in the SLA's time zone owns at most one span: from its start
hour to its end hour, the whole day when the two are equal, or overnight to the end
hour of the next morning when the start is later (the night belongs to the day it
starts on, for weekends and holidays). Local times become UTC through ``zoneinfo``, so
a day with a daylight-saving change has the length it really has: a 0-24 window is 23
or 25 hours long on those days while an 08-18 one is still 10. A start or end hour
that does not exist (skipped by the clocks going forward) is read with the offset in
force before the change, i.e. as the moment the clocks jumped.

The epoch-second methods (``counted_at``, ``reaching_total``, ``add_counted_ts``,
``next_working_ts``) are the fast path the SLA engine and the metrics use; the
``datetime`` methods wrap them.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import threading
import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from desktopdesk.domain.sla_model import WorkingTime

#: How far ``add_counted`` and ``next_working`` look before giving up: a calendar with
#: no working time at all must answer, not hang.
HORIZON_SECONDS = 3653 * 86400.0
#: Days built at once when the table grows (plus the days actually needed).
_CHUNK_DAYS = 366
_FIRST_ORDINAL = dt.date(1, 1, 3).toordinal()
_LAST_ORDINAL = dt.date(9999, 12, 29).toordinal()


def to_epoch(moment: dt.datetime) -> float:
    """Seconds since 1970 UTC; a naive ``datetime`` is read as UTC (as SQLite returns it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def from_epoch(seconds: float) -> dt.datetime:
    """The aware UTC ``datetime`` of ``seconds`` since 1970, to the microsecond."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


@dataclass(frozen=True, slots=True)
class _Table:
    """Working spans of the local days [first_day, end_day) (ordinals), sorted and
    disjoint. ``cum[i]`` is the running total of working seconds at ``starts[i]``;
    ``cum_end[i]`` at ``ends[i]``. Totals are anchored once and never shift when the
    table grows, so values read before and after growing can be subtracted.

    The answers are exact for moments in [lo, hi): spans of earlier days end before
    ``lo`` and spans of later days start at or after ``hi``.
    """

    first_day: int
    end_day: int
    lo: float
    hi: float
    starts: tuple[float, ...]
    ends: tuple[float, ...]
    cum: tuple[float, ...]
    cum_end: tuple[float, ...]
    base: float  # the total before the first span


class BusinessClock:
    """Working time of one ``WorkingTime``: cheap to build, answers grow its table lazily.

    Safe to share between threads: the table is an immutable snapshot swapped whole
    under a lock, and the running totals never change once computed.
    """

    def __init__(self, working_time: WorkingTime) -> None:
        self.working_time = working_time
        self._wall_clock = working_time.wall_clock
        self._zone = zoneinfo.ZoneInfo(working_time.time_zone)
        self._lock = threading.Lock()
        self._table: _Table | None = None
        start, end = working_time.day_start_hour, working_time.day_end_hour
        if start == end:
            self._span_hours = (0, 24)
        elif start < end:
            self._span_hours = (start, end)
        else:
            self._span_hours = (start, end + 24)

    # --- public, datetime based ------------------------------------------------------

    def working_seconds(self, start: dt.datetime, end: dt.datetime) -> float:
        """Seconds of working time in [start, end); 0 when end is not after start."""
        a, b = to_epoch(start), to_epoch(end)
        return self._working_at(b) - self._working_at(a) if b > a else 0.0

    def counted_seconds(self, start: dt.datetime, end: dt.datetime) -> float:
        """What a limit's clock counts over [start, end): working time, or every second
        for a wall-clock SLA."""
        a, b = to_epoch(start), to_epoch(end)
        return self.counted_at(b) - self.counted_at(a) if b > a else 0.0

    def add_counted(self, start: dt.datetime, seconds: float) -> dt.datetime | None:
        """The earliest moment m >= start with ``counted_seconds(start, m) == seconds``;
        None when that is more than ten years after ``start``."""
        moment = self.add_counted_ts(to_epoch(start), seconds)
        return None if moment is None else from_epoch(moment)

    def is_working(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` is inside working hours (whatever the wall-clock option)."""
        t = to_epoch(moment)
        table = self._covering(t)
        i = bisect_right(table.starts, t) - 1
        return i >= 0 and t < table.ends[i]

    def next_working(self, moment: dt.datetime) -> dt.datetime | None:
        """``moment`` if it is working time, else the start of the next working span;
        None if there is none within ten years."""
        t = to_epoch(moment)
        found = self.next_working_ts(t)
        if found is None:
            return None
        return moment if found == t else from_epoch(found)

    def working_spans(
        self, start: dt.datetime, end: dt.datetime
    ) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The working spans overlapping [start, end), clipped to it; touching spans
        (whole days, one after the other) come as one."""
        a, b = to_epoch(start), to_epoch(end)
        if b <= a:
            return
        self._covering(a)
        table = self._covering(b)
        i = max(bisect_right(table.starts, a) - 1, 0)
        pending: tuple[float, float] | None = None
        while i < len(table.starts) and table.starts[i] < b:
            s, e = max(table.starts[i], a), min(table.ends[i], b)
            i += 1
            if e <= s:
                continue
            if pending is not None and pending[1] == s:
                pending = (pending[0], e)
                continue
            if pending is not None:
                yield self._span_out(pending, start, end, a, b)
            pending = (s, e)
        if pending is not None:
            yield self._span_out(pending, start, end, a, b)

    # --- public, epoch-second fast path ---------------------------------------------

    def counted_at(self, t: float) -> float:
        """The running total of counted seconds at epoch ``t``, from a fixed but arbitrary
        origin: only differences mean something (``counted_at(b) - counted_at(a)`` is the
        counted time in [a, b))."""
        if self._wall_clock:
            return t
        return self._working_at(t)

    def add_counted_ts(self, start: float, seconds: float) -> float | None:
        """``add_counted`` in epoch seconds; ``seconds`` <= 0 answers ``start``."""
        if seconds <= 0:
            return start
        return self.reaching_total(self.counted_at(start) + seconds, start)

    def reaching_total(self, total: float, not_before: float) -> float | None:
        """The earliest moment m >= ``not_before`` with ``counted_at(m) >= total``: the
        inverse of ``counted_at``. None if more than ten years after ``not_before``."""
        limit = not_before + HORIZON_SECONDS
        if self._wall_clock:
            moment = total if total > not_before else not_before
            return moment if moment <= limit else None
        table = self._covering(not_before)
        while not table.cum_end or table.cum_end[-1] < total:
            if table.hi >= limit:
                return None
            table = self._grow_to(min(table.hi + _CHUNK_DAYS * 86400.0, limit))
        i = bisect_left(table.cum_end, total)
        moment = table.starts[i] + (total - table.cum[i])
        if moment < not_before:
            moment = not_before
        return moment if moment <= limit else None

    def next_working_ts(self, t: float) -> float | None:
        """``next_working`` in epoch seconds."""
        limit = t + HORIZON_SECONDS
        table = self._covering(t)
        while True:
            i = bisect_right(table.starts, t) - 1
            if i >= 0 and t < table.ends[i]:
                return t
            if i + 1 < len(table.starts):
                found = table.starts[i + 1]
                return found if found <= limit else None
            if table.hi >= limit:
                return None
            table = self._grow_to(min(table.hi + _CHUNK_DAYS * 86400.0, limit))

    # --- the table ------------------------------------------------------------------

    def _working_at(self, t: float) -> float:
        table = self._table
        if table is None or not table.lo <= t < table.hi:
            table = self._covering(t)
        i = bisect_right(table.starts, t) - 1
        if i < 0:
            return table.base
        end = table.ends[i]
        return table.cum[i] + ((t if t < end else end) - table.starts[i])

    def _covering(self, t: float) -> _Table:
        table = self._table
        if table is not None and table.lo <= t < table.hi:
            return table
        return self._grow_to(t)

    def _grow_to(self, t: float) -> _Table:
        """The table, grown (under the lock) to answer exactly at ``t``."""
        with self._lock:
            table = self._table
            if table is not None and table.lo <= t < table.hi:
                return table
            day = self._local_ordinal(t)
            if table is None:
                table = self._build(day - _CHUNK_DAYS // 2, day + _CHUNK_DAYS // 2 + 1, None)
            elif t < table.lo:
                table = self._build(min(day - 1, table.first_day - _CHUNK_DAYS),
                                    table.first_day, table)
            else:
                table = self._build(table.end_day,
                                    max(day + 1, table.end_day + _CHUNK_DAYS), table)
            self._table = table
            return table

    def _local_ordinal(self, t: float) -> int:
        try:
            return dt.datetime.fromtimestamp(t, self._zone).toordinal()
        except (OverflowError, ValueError, OSError):
            return _FIRST_ORDINAL if t < 0 else _LAST_ORDINAL

    def _build(self, first: int, end: int, old: _Table | None) -> _Table:
        """``old`` grown by the spans of local days [first, end), just before or just
        after its own days (or a first table of those days)."""
        first, end = max(first, _FIRST_ORDINAL), min(end, _LAST_ORDINAL)
        spans = self._spans_of_days(first, end)
        if old is None:
            base = 0.0
        elif end <= old.first_day:  # before: count back from the old origin
            base = old.base - math.fsum(e - s for s, e in spans)
        else:
            base = old.cum_end[-1] if old.cum_end else old.base
        cum: list[float] = []
        cum_end: list[float] = []
        running = base
        for s, e in spans:
            cum.append(running)
            running += e - s
            cum_end.append(running)
        starts, ends = tuple(s for s, _ in spans), tuple(e for _, e in spans)
        if old is None:
            return self._table_of(first, end, starts, ends, tuple(cum), tuple(cum_end), base)
        if end <= old.first_day:
            return self._table_of(first, old.end_day, starts + old.starts, ends + old.ends,
                                  tuple(cum) + old.cum, tuple(cum_end) + old.cum_end, base)
        return self._table_of(old.first_day, end, old.starts + starts, old.ends + ends,
                              old.cum + tuple(cum), old.cum_end + tuple(cum_end), old.base)

    def _table_of(
        self, first: int, end: int, starts: tuple[float, ...], ends: tuple[float, ...],
        cum: tuple[float, ...], cum_end: tuple[float, ...], base: float,
    ) -> _Table:
        # Overnight spans of the day before ``first`` are missing: exact from first + 1.
        lo = -math.inf if first <= _FIRST_ORDINAL else self._local_midnight(first + 1)
        hi = math.inf if end >= _LAST_ORDINAL else self._local_midnight(end)
        return _Table(first, end, lo, hi, starts, ends, cum, cum_end, base)

    def _spans_of_days(self, first: int, end: int) -> list[tuple[float, float]]:
        """The working spans of local days [first, end), as sorted disjoint UTC pairs."""
        wt = self.working_time
        start_h, end_h = self._span_hours
        spans: list[tuple[float, float]] = []
        for ordinal in range(first, end):
            day = dt.date.fromordinal(ordinal)
            if wt.skip_weekends and day.weekday() >= 5:
                continue
            if day in wt.holidays:
                continue
            s = self._local_moment(day, start_h)
            e = self._local_moment(day, end_h)
            if spans and s < spans[-1][1]:
                s = spans[-1][1]
            if e > s:
                spans.append((s, e))
        return spans

    def _local_midnight(self, ordinal: int) -> float:
        return self._local_moment(dt.date.fromordinal(ordinal), 0)

    def _local_moment(self, day: dt.date, hours: int) -> float:
        """Epoch seconds of ``hours`` after local midnight of ``day`` (by the wall clock:
        hour 24 is the next midnight)."""
        naive = dt.datetime(day.year, day.month, day.day) + dt.timedelta(hours=hours)
        return naive.replace(tzinfo=self._zone).timestamp()

    @staticmethod
    def _span_out(
        span: tuple[float, float], start: dt.datetime, end: dt.datetime, a: float, b: float
    ) -> tuple[dt.datetime, dt.datetime]:
        s = start if span[0] == a else from_epoch(span[0])
        e = end if span[1] == b else from_epoch(span[1])
        return s, e


@functools.lru_cache(maxsize=256)
def clock_for(working_time: WorkingTime) -> BusinessClock:
    """The shared clock of ``working_time`` (its table is built once per process)."""
    return BusinessClock(working_time)
