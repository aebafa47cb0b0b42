"""Business time: working hours, weekends, holidays, overnight windows and DST, each
expected value worked out by hand from a calendar; then properties over many calendars."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktopdesk.domain.business_time import BusinessClock, clock_for
from desktopdesk.domain.sla_model import WorkingTime

UTC = dt.UTC
MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
HOUR = 3600.0
# January 2025: Monday the 6th (Epiphany, a holiday in Spain) to Friday the 10th; the
# 11th/12th a weekend.
EPIPHANY = dt.date(2025, 1, 6)


def utc(day: int, hour: int, minute: int = 0, month: int = 1) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=UTC)


def local(zone: zoneinfo.ZoneInfo, month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=zone)


OFFICE = WorkingTime(day_start_hour=8, day_end_hour=18)
EVERY_DAY = WorkingTime(day_start_hour=8, day_end_hour=18, skip_weekends=False)
WITH_EPIPHANY = WorkingTime(day_start_hour=8, day_end_hour=18, holidays=frozenset({EPIPHANY}))
ALL_DAY = WorkingTime(day_start_hour=9, day_end_hour=9)
NIGHTS = WorkingTime(day_start_hour=22, day_end_hour=6)
NIGHTS_NO_TUESDAY = WorkingTime(day_start_hour=22, day_end_hour=6,
                                holidays=frozenset({dt.date(2025, 1, 7)}))
WALL = WorkingTime(day_start_hour=8, day_end_hour=18, wall_clock=True)


def madrid(start: int, end: int) -> WorkingTime:
    return WorkingTime(start, end, skip_weekends=False, time_zone="Europe/Madrid")


def new_york(start: int, end: int) -> WorkingTime:
    return WorkingTime(start, end, skip_weekends=False, time_zone="America/New_York")


@pytest.mark.parametrize(
    ("working_time", "start", "end", "hours"),
    [
        pytest.param(OFFICE, utc(7, 8), utc(7, 18), 10, id="a whole working day"),
        pytest.param(OFFICE, utc(7, 7), utc(7, 8), 0, id="the hour before opening"),
        pytest.param(OFFICE, utc(7, 18), utc(7, 19), 0, id="the hour after closing"),
        pytest.param(OFFICE, utc(7, 7, 59), utc(7, 8, 1), 1 / 60, id="across the start hour"),
        pytest.param(OFFICE, utc(7, 17, 59), utc(7, 18, 1), 1 / 60, id="across the end hour"),
        pytest.param(OFFICE, utc(7, 17), utc(8, 9), 2, id="across midnight"),
        pytest.param(OFFICE, utc(10, 17), utc(13, 9), 2, id="across a weekend"),
        pytest.param(OFFICE, utc(11, 0), utc(13, 0), 0, id="a weekend counts nothing"),
        pytest.param(EVERY_DAY, utc(11, 0), utc(13, 0), 20, id="unless weekends count"),
        pytest.param(OFFICE, utc(6, 0), utc(13, 0), 50, id="a working week"),
        pytest.param(WITH_EPIPHANY, utc(6, 0), utc(7, 0), 0, id="a holiday counts nothing"),
        pytest.param(WITH_EPIPHANY, utc(3, 17), utc(7, 9), 2, id="weekend then holiday"),
        pytest.param(WITH_EPIPHANY, utc(6, 0), utc(13, 0), 40, id="a week with a holiday"),
        pytest.param(ALL_DAY, utc(7, 0), utc(8, 0), 24, id="equal hours: the whole day"),
        pytest.param(ALL_DAY, utc(10, 12), utc(13, 12), 24, id="whole days skip weekends"),
        pytest.param(NIGHTS, utc(6, 0), utc(7, 0), 2,
                     id="overnight: Sunday's night is not counted, Monday's starts at 22"),
        pytest.param(NIGHTS, utc(7, 0), utc(8, 0), 8, id="overnight: a weekday"),
        pytest.param(NIGHTS, utc(10, 22), utc(11, 6), 8,
                     id="overnight: Friday night belongs to Friday"),
        pytest.param(NIGHTS, utc(11, 22), utc(12, 6), 0, id="overnight: Saturday night"),
        pytest.param(NIGHTS_NO_TUESDAY, utc(7, 0), utc(8, 12), 6,
                     id="overnight: a holiday's night is off, the night before it is not"),
        pytest.param(OFFICE, utc(7, 12), utc(7, 12), 0, id="an empty range"),
        pytest.param(OFFICE, utc(7, 12), utc(7, 10), 0, id="a reversed range"),
        pytest.param(WorkingTime(8, 18, time_zone="Europe/Madrid"), utc(7, 6), utc(7, 8), 1,
                     id="hours are read in the SLA time zone (08:00 CET is 07:00 UTC)"),
        pytest.param(OFFICE, utc(1, 0, month=1).replace(year=2022), utc(1, 0).replace(year=2025),
                     7820, id="three years: 156 weeks and two weekdays"),
    ],
)
def test_working_seconds(
    working_time: WorkingTime, start: dt.datetime, end: dt.datetime, hours: float
) -> None:
    clock = BusinessClock(working_time)
    assert clock.working_seconds(start, end) == pytest.approx(hours * HOUR)
    assert clock.counted_seconds(start, end) == pytest.approx(hours * HOUR)


@pytest.mark.parametrize(
    ("working_time", "start", "end", "hours"),
    [
        # Europe/Madrid springs forward on Sunday 30 March 2025 at 02:00 (to 03:00) and
        # falls back on Sunday 26 October at 03:00 (to 02:00).
        pytest.param(madrid(0, 0), local(MADRID, 3, 30), local(MADRID, 3, 31), 23,
                     id="Madrid spring forward: the whole day is 23 h"),
        pytest.param(madrid(0, 24), local(MADRID, 3, 30), local(MADRID, 3, 31), 23,
                     id="Madrid spring forward: a 0-24 window is 23 h"),
        pytest.param(madrid(8, 18), local(MADRID, 3, 30), local(MADRID, 3, 31), 10,
                     id="Madrid spring forward: 08-18 is still 10 h"),
        pytest.param(madrid(1, 4), local(MADRID, 3, 30), local(MADRID, 3, 31), 2,
                     id="Madrid spring forward: 01-04 lost its 02:00 hour"),
        pytest.param(madrid(2, 3), local(MADRID, 3, 30), local(MADRID, 3, 31), 0,
                     id="Madrid spring forward: 02-03 does not exist"),
        pytest.param(madrid(22, 6), local(MADRID, 3, 29, 12), local(MADRID, 3, 30, 12), 7,
                     id="Madrid spring forward: the night of the change is 7 h"),
        pytest.param(madrid(0, 0), local(MADRID, 10, 26), local(MADRID, 10, 27), 25,
                     id="Madrid fall back: the whole day is 25 h"),
        pytest.param(madrid(8, 18), local(MADRID, 10, 26), local(MADRID, 10, 27), 10,
                     id="Madrid fall back: 08-18 is still 10 h"),
        pytest.param(madrid(1, 4), local(MADRID, 10, 26), local(MADRID, 10, 27), 4,
                     id="Madrid fall back: 01-04 has 02:00 twice"),
        pytest.param(madrid(22, 6), local(MADRID, 10, 25, 12), local(MADRID, 10, 26, 12), 9,
                     id="Madrid fall back: the night of the change is 9 h"),
        pytest.param(madrid(0, 0), local(MADRID, 10, 1), local(MADRID, 11, 1), 31 * 24 + 1,
                     id="Madrid: October has one hour more"),
        # America/New_York: Sunday 9 March 2025 and Sunday 2 November 2025, at 02:00.
        pytest.param(new_york(0, 0), local(NEW_YORK, 3, 9), local(NEW_YORK, 3, 10), 23,
                     id="New York spring forward: the whole day is 23 h"),
        pytest.param(new_york(8, 18), local(NEW_YORK, 3, 9), local(NEW_YORK, 3, 10), 10,
                     id="New York spring forward: 08-18 is still 10 h"),
        pytest.param(new_york(0, 0), local(NEW_YORK, 11, 2), local(NEW_YORK, 11, 3), 25,
                     id="New York fall back: the whole day is 25 h"),
        pytest.param(new_york(0, 24), local(NEW_YORK, 11, 2), local(NEW_YORK, 11, 3), 25,
                     id="New York fall back: a 0-24 window is 25 h"),
        pytest.param(new_york(8, 18), local(NEW_YORK, 11, 2), local(NEW_YORK, 11, 3), 10,
                     id="New York fall back: 08-18 is still 10 h"),
        pytest.param(new_york(8, 18), dt.datetime(2025, 11, 2, 12, tzinfo=UTC),
                     dt.datetime(2025, 11, 2, 14, tzinfo=UTC), 1,
                     id="New York fall back: 08:00 EST is 13:00 UTC"),
    ],
)
def test_daylight_saving_days_have_their_real_length(
    working_time: WorkingTime, start: dt.datetime, end: dt.datetime, hours: float
) -> None:
    assert BusinessClock(working_time).working_seconds(start, end) == pytest.approx(hours * HOUR)


def test_a_wall_clock_sla_counts_every_second_but_keeps_its_working_hours() -> None:
    clock = BusinessClock(WALL)

    assert clock.counted_seconds(utc(10, 17), utc(13, 9)) == 64 * HOUR
    assert clock.working_seconds(utc(10, 17), utc(13, 9)) == 2 * HOUR
    assert clock.add_counted(utc(10, 17), 3 * HOUR) == utc(10, 20)
    assert not clock.is_working(utc(11, 12))
    assert clock.next_working(utc(10, 20)) == utc(13, 8)


@pytest.mark.parametrize(
    ("working_time", "start", "hours", "expected"),
    [
        pytest.param(OFFICE, utc(7, 10), 2, utc(7, 12), id="inside one day"),
        pytest.param(OFFICE, utc(7, 17), 2, utc(8, 9), id="over the night"),
        pytest.param(OFFICE, utc(10, 17), 2, utc(13, 9), id="over the weekend"),
        pytest.param(OFFICE, utc(10, 17), 1, utc(10, 18),
                     id="reached at closing time, not next opening"),
        pytest.param(OFFICE, utc(11, 10), 1, utc(13, 9), id="from a Saturday"),
        pytest.param(OFFICE, utc(11, 10), 0, utc(11, 10), id="nothing to add"),
        pytest.param(OFFICE, utc(7, 6), 10, utc(7, 18), id="from before opening"),
        pytest.param(WITH_EPIPHANY, utc(3, 17), 4, utc(7, 11), id="over weekend and holiday"),
        pytest.param(OFFICE, utc(6, 8), 50, utc(10, 18), id="a working week"),
        pytest.param(OFFICE, utc(6, 8), 51, utc(13, 9), id="a working week and an hour"),
        pytest.param(ALL_DAY, utc(10, 20), 5, utc(13, 1), id="whole days skip the weekend"),
        pytest.param(NIGHTS, utc(10, 21), 9, utc(13, 23), id="overnight: Friday then Monday"),
        pytest.param(WorkingTime(8, 18, time_zone="Europe/Madrid"),
                     local(MADRID, 3, 28, 16), 4, dt.datetime(2025, 3, 31, 8, tzinfo=UTC),
                     id="Madrid: Friday 16:00 CET + 4 h is Monday 10:00 CEST"),
        pytest.param(WorkingTime(8, 18, time_zone="America/New_York"),
                     local(NEW_YORK, 10, 31, 17), 2, dt.datetime(2025, 11, 3, 14, tzinfo=UTC),
                     id="New York: Friday 17:00 EDT + 2 h is Monday 09:00 EST"),
        pytest.param(OFFICE, dt.datetime(2021, 1, 4, 8, tzinfo=UTC), 7820,
                     dt.datetime(2024, 1, 2, 18, tzinfo=UTC),
                     id="156 weeks and two days from a Monday morning"),
    ],
)
def test_add_counted(
    working_time: WorkingTime, start: dt.datetime, hours: float, expected: dt.datetime
) -> None:
    clock = BusinessClock(working_time)
    reached = clock.add_counted(start, hours * HOUR)
    assert reached == expected
    assert clock.counted_seconds(start, reached) == pytest.approx(hours * HOUR)


def test_a_calendar_that_never_works_gives_up_after_ten_years() -> None:
    # Every weekday for eleven years is a holiday: there is nothing to count.
    first = dt.date(2025, 1, 1)
    holidays = frozenset(first + dt.timedelta(days=n) for n in range(11 * 366))
    clock = BusinessClock(WorkingTime(8, 18, holidays=holidays))

    assert clock.add_counted(utc(7, 10), 1) is None
    assert clock.next_working(utc(7, 10)) is None
    assert clock.working_seconds(utc(7, 10), utc(7, 10).replace(year=2030)) == 0
    assert clock.add_counted(utc(7, 10), 0) == utc(7, 10)


def test_a_deadline_past_ten_years_is_not_given() -> None:
    clock = BusinessClock(OFFICE)
    ten_years = 10 * 52 * 50 * HOUR

    assert clock.add_counted(utc(6, 8), ten_years) is not None
    assert clock.add_counted(utc(6, 8), ten_years + 52 * 50 * HOUR) is None


@pytest.mark.parametrize(
    ("working_time", "moment", "working", "next_start"),
    [
        pytest.param(OFFICE, utc(7, 8), True, utc(7, 8), id="the start hour is working"),
        pytest.param(OFFICE, utc(7, 17, 59), True, utc(7, 17, 59), id="a minute before end"),
        pytest.param(OFFICE, utc(7, 18), False, utc(8, 8), id="the end hour is not"),
        pytest.param(OFFICE, utc(7, 7, 59), False, utc(7, 8), id="just before opening"),
        pytest.param(OFFICE, utc(11, 12), False, utc(13, 8), id="Saturday"),
        pytest.param(WITH_EPIPHANY, utc(3, 18), False, utc(7, 8), id="weekend and holiday"),
        pytest.param(NIGHTS, utc(11, 3), True, utc(11, 3), id="Friday night on Saturday"),
        pytest.param(NIGHTS, utc(12, 23), False, utc(13, 22), id="Sunday night"),
        pytest.param(ALL_DAY, utc(12, 23), False, utc(13, 0), id="whole days: Sunday"),
    ],
)
def test_is_working_and_next_working(
    working_time: WorkingTime, moment: dt.datetime, working: bool, next_start: dt.datetime
) -> None:
    clock = BusinessClock(working_time)
    assert clock.is_working(moment) is working
    assert clock.next_working(moment) == next_start


def test_working_spans_are_clipped_and_touching_days_join() -> None:
    assert list(BusinessClock(OFFICE).working_spans(utc(10, 17), utc(14, 9))) == [
        (utc(10, 17), utc(10, 18)),
        (utc(13, 8), utc(13, 18)),
        (utc(14, 8), utc(14, 9)),
    ]
    every_hour = WorkingTime(0, 0, skip_weekends=False)
    assert list(BusinessClock(every_hour).working_spans(utc(6, 12), utc(9, 12))) == [
        (utc(6, 12), utc(9, 12)),
    ]
    assert list(BusinessClock(OFFICE).working_spans(utc(11, 0), utc(12, 0))) == []


def test_clocks_are_shared_per_working_time() -> None:
    assert clock_for(WorkingTime(8, 18)) is clock_for(WorkingTime(8, 18))
    assert clock_for(WorkingTime(8, 18)) is not clock_for(WorkingTime(8, 17))


def test_answers_do_not_depend_on_the_order_questions_were_asked() -> None:
    """The table grows forwards and backwards; totals read before growing stay valid."""
    later_first = BusinessClock(WITH_EPIPHANY)
    start = dt.datetime(2021, 1, 4, 10, tzinfo=UTC)
    end = dt.datetime(2029, 1, 22, 10, tzinfo=UTC)  # a Monday morning
    in_2030 = (utc(7, 10).replace(year=2030), utc(7, 12).replace(year=2030))
    assert later_first.working_seconds(*in_2030) == 2 * HOUR
    grown = later_first.working_seconds(start, end)
    fresh = BusinessClock(WITH_EPIPHANY).working_seconds(start, end)

    assert grown == fresh
    assert later_first.add_counted(start, grown) == end


# --- properties -----------------------------------------------------------------------

ZONES = ("UTC", "Europe/Madrid", "America/New_York", "Asia/Kolkata")
BASE = dt.datetime(2025, 1, 1, tzinfo=UTC)


@st.composite
def working_times(draw: st.DrawFn, wall_clock: bool | None = None) -> WorkingTime:
    days = draw(st.lists(st.integers(0, 400), max_size=12))
    return WorkingTime(
        day_start_hour=draw(st.integers(0, 23)),
        day_end_hour=draw(st.integers(0, 24)),
        skip_weekends=draw(st.booleans()),
        holidays=frozenset(BASE.date() + dt.timedelta(days=d) for d in days),
        time_zone=draw(st.sampled_from(ZONES)),
        wall_clock=draw(st.booleans()) if wall_clock is None else wall_clock,
    )


moments = st.integers(0, 400 * 24 * 60).map(lambda m: BASE + dt.timedelta(minutes=m))


@settings(max_examples=100, deadline=None)
@given(working_times(), moments, moments, moments)
def test_counted_time_adds_up_and_never_exceeds_elapsed_time(
    working_time: WorkingTime, a: dt.datetime, b: dt.datetime, c: dt.datetime
) -> None:
    a, b, c = sorted((a, b, c))
    clock = BusinessClock(working_time)
    ab, bc, ac = (clock.counted_seconds(a, b), clock.counted_seconds(b, c),
                  clock.counted_seconds(a, c))

    assert ac == pytest.approx(ab + bc, abs=1e-6)
    assert 0 <= ab <= (b - a).total_seconds() + 1e-6
    worked = sum((e - s).total_seconds() for s, e in clock.working_spans(a, c))
    assert clock.working_seconds(a, c) == pytest.approx(worked, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(working_times(), moments, st.integers(0, 2000 * 60))
def test_add_counted_is_the_earliest_inverse_of_counted_seconds(
    working_time: WorkingTime, start: dt.datetime, minutes: int
) -> None:
    clock = BusinessClock(working_time)
    seconds = minutes * 60.0
    reached = clock.add_counted(start, seconds)
    assert reached is not None
    assert clock.counted_seconds(start, reached) == pytest.approx(seconds, abs=1e-5)
    if reached > start:  # the earliest: a moment sooner has not counted it all yet
        sooner = reached - dt.timedelta(milliseconds=1)
        assert clock.counted_seconds(start, sooner) < seconds


@settings(max_examples=100, deadline=None)
@given(working_times(wall_clock=False), st.integers(0, 400), moments, moments)
def test_holidays_never_count(
    working_time: WorkingTime, holiday_offset: int, a: dt.datetime, b: dt.datetime
) -> None:
    a, b = sorted((a, b))
    holiday = BASE.date() + dt.timedelta(days=holiday_offset)
    with_holiday = WorkingTime(
        working_time.day_start_hour, working_time.day_end_hour, working_time.skip_weekends,
        working_time.holidays | {holiday}, working_time.time_zone)
    clock = BusinessClock(with_holiday)
    zone = zoneinfo.ZoneInfo(working_time.time_zone)
    # The stretch a day owns: its local day, or from its start hour to the next
    # morning's end hour for an overnight window.
    day = dt.datetime.combine(holiday, dt.time(), tzinfo=zone)
    start, end = working_time.day_start_hour, working_time.day_end_hour
    if start > end:
        owned = (day + dt.timedelta(hours=start), day + dt.timedelta(days=1, hours=end))
    else:
        owned = (day, dt.datetime.combine(holiday + dt.timedelta(days=1), dt.time(), tzinfo=zone))

    assert clock.working_seconds(*owned) == 0
    assert not any(clock.working_spans(*owned))
    assert clock.working_seconds(a, b) <= BusinessClock(working_time).working_seconds(a, b)


def test_one_clock_answers_threads_alike() -> None:
    """The server's pass and the desktop's workers share clocks across threads."""
    shared = BusinessClock(WITH_EPIPHANY)
    questions = [(dt.datetime(year, 1, 5, 12, tzinfo=UTC), dt.datetime(year + 1, 7, 1, tzinfo=UTC))
                 for year in (2031, 2019, 2025, 2012, 2036, 2022, 2015, 2028)]
    expected = [BusinessClock(WITH_EPIPHANY).working_seconds(a, b) for a, b in questions]

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda q: shared.working_seconds(*q), questions))

    assert answers == expected
