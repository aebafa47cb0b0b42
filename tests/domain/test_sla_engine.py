"""The SLA engine: hand-worked tickets for each SLA type, limit and calendar case, then
properties over generated tickets, including a minute-stepping reference model."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
import zoneinfo
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktopdesk.domain.business_time import clock_for
from desktopdesk.domain.sla_engine import compliance_between, counted_split, evaluate
from desktopdesk.domain.sla_model import (
    Limit,
    SlaEvaluation,
    SlaRules,
    SpanState,
    StatusChange,
    TicketTimeline,
    WorkingTime,
    WorkunitMark,
)
from desktopdesk.models.codes import SlaType, Status

UTC = dt.UTC
HOUR = 3600.0
CREATOR = uuid.UUID(int=1)
AGENT = uuid.UUID(int=2)
SLA_ID = uuid.UUID(int=3)
TICKET_ID = uuid.UUID(int=4)

# Calendar used below (2025, UTC unless said): Fri 01-03, Sat 01-04, Sun 01-05,
# Mon 01-06 ... Fri 01-10, Sat 01-11, Sun 01-12, Mon 01-13.
OFFICE = WorkingTime(day_start_hour=8, day_end_hour=18)
WITH_EPIPHANY = WorkingTime(8, 18, holidays=frozenset({dt.date(2025, 1, 6)}))
WALL = WorkingTime(8, 18, wall_clock=True)


def at(text: str) -> dt.datetime:
    """``"01-06 09:00"``: a UTC moment in 2025."""
    return dt.datetime.strptime(f"2025-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def shown(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%m-%d %H:%M")


def describe(evaluation: SlaEvaluation) -> list[str]:
    """The spans as a person reads them: ``01-06 09:00 > 01-06 13:00 violated response``."""
    lines = []
    for span in evaluation.spans:
        text = f"{shown(span.start)} > {shown(span.end)} {span.state.value}"
        if span.limits:
            text += " " + "+".join(sorted(limit.value for limit in span.limits))
        lines.append(text)
    return lines


def breaches(evaluation: SlaEvaluation) -> list[str]:
    return [
        f"{v.limit.value} {shown(v.start)} > {'now' if v.end is None else shown(v.end)}"
        for v in evaluation.violations
    ]


# --- timelines ------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:  # a workunit by someone other than the creator
    when: str


@dataclass(frozen=True)
class FollowUp:  # a workunit by the creator
    when: str


@dataclass(frozen=True)
class Move:  # a status change
    when: str
    status: Status


@dataclass(frozen=True)
class Touch:  # any other change by a person (a field edit)
    when: str


Event = Answer | FollowUp | Move | Touch


def ticket(opened: str, *events: Event, status: Status = Status.NEW) -> TicketTimeline:
    ordered = sorted(events, key=lambda e: at(e.when))
    return TicketTimeline(
        ticket_id=TICKET_ID,
        opened_at=at(opened),
        creator_id=CREATOR,
        initial_status=status,
        status_changes=tuple(StatusChange(at(e.when), e.status)
                             for e in ordered if isinstance(e, Move)),
        workunits=tuple(WorkunitMark(at(e.when), CREATOR if isinstance(e, FollowUp) else AGENT)
                        for e in ordered if isinstance(e, Answer | FollowUp)),
        activity=tuple(at(e.when) for e in ordered),
    )


def sla(response: float = 0, resolution: float = 0, inactivity: float = 0,
        sla_type: SlaType = SlaType.NORMAL, working_time: WorkingTime = OFFICE) -> SlaRules:
    return SlaRules(SLA_ID, "Gold", sla_type=sla_type, response_hours=response,
                    resolution_hours=resolution, inactivity_hours=inactivity,
                    working_time=working_time)


@dataclass(frozen=True)
class Case:
    rules: SlaRules
    timeline: TicketTimeline
    until: str
    spans: list[str]
    violations: list[str]
    ok_hours: float
    violated_hours: float


CASES = {
    "response: breached while nobody answers": Case(
        sla(response=4), ticket("01-06 09:00"), "01-06 17:00",
        ["01-06 09:00 > 01-06 13:00 ok", "01-06 13:00 > 01-06 17:00 violated response"],
        ["response 01-06 13:00 > now"], 4, 4),
    "response: an answer by someone else stops the clock": Case(
        sla(response=4), ticket("01-06 09:00", Answer("01-06 12:00")), "01-07 17:00",
        ["01-06 09:00 > 01-07 17:00 ok"], [], 18, 0),
    "response: a late answer ends the breach": Case(
        sla(response=4), ticket("01-06 09:00", Answer("01-06 15:00")), "01-06 17:00",
        ["01-06 09:00 > 01-06 13:00 ok", "01-06 13:00 > 01-06 15:00 violated response",
         "01-06 15:00 > 01-06 17:00 ok"],
        ["response 01-06 13:00 > 01-06 15:00"], 6, 2),
    "response: a follow-up by the creator restarts the clock": Case(
        sla(response=4),
        ticket("01-06 09:00", FollowUp("01-06 12:00"), Answer("01-06 17:00")), "01-07 10:00",
        ["01-06 09:00 > 01-06 16:00 ok", "01-06 16:00 > 01-06 17:00 violated response",
         "01-06 17:00 > 01-07 10:00 ok"],
        ["response 01-06 16:00 > 01-06 17:00"], 10, 1),
    "response: the creator writing after an answer waits for a new one": Case(
        sla(response=4),
        ticket("01-06 09:00", Answer("01-06 10:00"), FollowUp("01-06 16:00")), "01-07 12:00",
        ["01-06 09:00 > 01-07 10:00 ok", "01-07 10:00 > 01-07 12:00 violated response"],
        ["response 01-07 10:00 > now"], 11, 2),
    "resolution: paused by closing, breached again when reopened": Case(
        sla(resolution=20),
        ticket("01-06 09:00", Move("01-08 11:00", Status.CLOSED),
               Move("01-09 10:00", Status.REOPENED)), "01-09 12:00",
        ["01-06 09:00 > 01-08 09:00 ok", "01-08 09:00 > 01-08 11:00 violated resolution",
         "01-08 11:00 > 01-09 10:00 paused", "01-09 10:00 > 01-09 12:00 violated resolution"],
        ["resolution 01-08 09:00 > 01-08 11:00", "resolution 01-09 10:00 > now"], 20, 4),
    "closed: nothing accrues after closing": Case(
        sla(resolution=20, inactivity=2),
        ticket("01-06 09:00", Move("01-06 10:00", Status.CLOSED)), "01-10 18:00",
        ["01-06 09:00 > 01-06 10:00 ok", "01-06 10:00 > 01-10 18:00 paused"], [], 1, 0),
    "normal SLA: paused while pending on a third person": Case(
        sla(resolution=10),
        ticket("01-06 09:00", Move("01-06 12:00", Status.PENDING_THIRD_PERSON),
               Move("01-07 12:00", Status.ASSIGNED)), "01-08 12:00",
        ["01-06 09:00 > 01-06 12:00 ok", "01-06 12:00 > 01-07 12:00 paused",
         "01-07 12:00 > 01-08 09:00 ok", "01-08 09:00 > 01-08 12:00 violated resolution"],
        ["resolution 01-08 09:00 > now"], 10, 3),
    "third-party SLA: counts only while pending on a third person": Case(
        sla(resolution=8, sla_type=SlaType.THIRD_PARTY),
        ticket("01-06 09:00", Move("01-06 12:00", Status.PENDING_THIRD_PERSON),
               Move("01-07 12:00", Status.ASSIGNED)), "01-08 12:00",
        ["01-06 09:00 > 01-06 12:00 paused", "01-06 12:00 > 01-07 10:00 ok",
         "01-07 10:00 > 01-07 12:00 violated resolution", "01-07 12:00 > 01-08 12:00 paused"],
        ["resolution 01-07 10:00 > 01-07 12:00"], 8, 2),
    "both: counts every status but closed": Case(
        sla(resolution=10, sla_type=SlaType.BOTH),
        ticket("01-06 09:00", Move("01-06 12:00", Status.PENDING_THIRD_PERSON),
               Move("01-07 12:00", Status.ASSIGNED)), "01-08 12:00",
        ["01-06 09:00 > 01-07 09:00 ok", "01-07 09:00 > 01-08 12:00 violated resolution"],
        ["resolution 01-07 09:00 > now"], 10, 13),
    "inactivity: restarts at every change by anyone": Case(
        sla(inactivity=3),
        ticket("01-06 09:00", Touch("01-06 11:00"), Answer("01-06 16:00")), "01-07 12:00",
        ["01-06 09:00 > 01-06 14:00 ok", "01-06 14:00 > 01-06 16:00 violated inactivity",
         "01-06 16:00 > 01-07 09:00 ok", "01-07 09:00 > 01-07 12:00 violated inactivity"],
        ["inactivity 01-06 14:00 > 01-06 16:00", "inactivity 01-07 09:00 > now"], 8, 5),
    "two limits in breach at once": Case(
        sla(resolution=10, inactivity=5), ticket("01-06 09:00", Touch("01-06 12:00")),
        "01-07 12:00",
        ["01-06 09:00 > 01-06 17:00 ok", "01-06 17:00 > 01-07 09:00 violated inactivity",
         "01-07 09:00 > 01-07 12:00 violated inactivity+resolution"],
        ["inactivity 01-06 17:00 > now", "resolution 01-07 09:00 > now"], 8, 5),
    "weekend: skipped": Case(
        sla(response=4), ticket("01-10 16:00"), "01-13 12:00",
        ["01-10 16:00 > 01-13 10:00 ok", "01-13 10:00 > 01-13 12:00 violated response"],
        ["response 01-13 10:00 > now"], 4, 2),
    "weekend: a breach on Friday stays red over it, counting nothing": Case(
        sla(response=1), ticket("01-10 16:00"), "01-13 10:00",
        ["01-10 16:00 > 01-10 17:00 ok", "01-10 17:00 > 01-13 10:00 violated response"],
        ["response 01-10 17:00 > now"], 1, 3),
    "holiday: skipped like a weekend": Case(
        sla(response=4, working_time=WITH_EPIPHANY), ticket("01-03 17:00"), "01-07 12:00",
        ["01-03 17:00 > 01-07 11:00 ok", "01-07 11:00 > 01-07 12:00 violated response"],
        ["response 01-07 11:00 > now"], 4, 1),
    "working hours: opened before the start hour": Case(
        sla(response=2), ticket("01-06 07:00"), "01-06 12:00",
        ["01-06 07:00 > 01-06 10:00 ok", "01-06 10:00 > 01-06 12:00 violated response"],
        ["response 01-06 10:00 > now"], 2, 2),
    "working hours: reached exactly at the end hour": Case(
        sla(response=2), ticket("01-06 16:00"), "01-07 09:00",
        ["01-06 16:00 > 01-06 18:00 ok", "01-06 18:00 > 01-07 09:00 violated response"],
        ["response 01-06 18:00 > now"], 2, 1),
    "working hours: opened at the end hour waits for the morning": Case(
        sla(response=2), ticket("01-06 18:00"), "01-07 11:00",
        ["01-06 18:00 > 01-07 10:00 ok", "01-07 10:00 > 01-07 11:00 violated response"],
        ["response 01-07 10:00 > now"], 2, 1),
    "DST: Madrid springs forward over the weekend (Fri 16:00 CET + 4 h = Mon 10:00 CEST)": Case(
        sla(response=4, working_time=WorkingTime(8, 18, time_zone="Europe/Madrid")),
        ticket("03-28 15:00"), "03-31 10:00",
        ["03-28 15:00 > 03-31 08:00 ok", "03-31 08:00 > 03-31 10:00 violated response"],
        ["response 03-31 08:00 > now"], 4, 2),
    "DST: New York falls back (Fri 17:00 EDT + 2 h = Mon 09:00 EST)": Case(
        sla(inactivity=2, working_time=WorkingTime(8, 18, time_zone="America/New_York")),
        ticket("10-31 21:00"), "11-03 15:00",
        ["10-31 21:00 > 11-03 14:00 ok", "11-03 14:00 > 11-03 15:00 violated inactivity"],
        ["inactivity 11-03 14:00 > now"], 2, 1),
    "wall clock: every hour counts, the breach waits for working hours": Case(
        sla(response=4, working_time=WALL), ticket("01-10 16:00"), "01-13 10:00",
        ["01-10 16:00 > 01-13 08:00 ok", "01-13 08:00 > 01-13 10:00 violated response"],
        ["response 01-13 08:00 > now"], 64, 2),
    "wall clock: a breach in working hours is declared at once": Case(
        sla(response=4, working_time=WALL), ticket("01-06 09:00"), "01-06 15:00",
        ["01-06 09:00 > 01-06 13:00 ok", "01-06 13:00 > 01-06 15:00 violated response"],
        ["response 01-06 13:00 > now"], 4, 2),
    "wall clock: paused time does not count": Case(
        sla(resolution=5, working_time=WALL),
        ticket("01-06 09:00", Move("01-06 10:00", Status.PENDING_THIRD_PERSON),
               Move("01-06 20:00", Status.ASSIGNED)), "01-07 12:00",
        ["01-06 09:00 > 01-06 10:00 ok", "01-06 10:00 > 01-06 20:00 paused",
         "01-06 20:00 > 01-07 08:00 ok", "01-07 08:00 > 01-07 12:00 violated resolution"],
        ["resolution 01-07 08:00 > now"], 13, 4),
    "a limit of zero hours is not checked": Case(
        sla(), ticket("01-06 09:00"), "01-24 00:00",
        ["01-06 09:00 > 01-24 00:00 ok"], [], 139, 0),
    "events before opening count at opening, events after until do not count": Case(
        sla(response=4),
        ticket("01-06 09:00", Answer("01-06 08:00"), Move("01-07 10:00", Status.CLOSED)),
        "01-06 17:00", ["01-06 09:00 > 01-06 17:00 ok"], [], 8, 0),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_hand_worked_tickets(case: Case) -> None:
    evaluation = evaluate(case.timeline, case.rules, at(case.until))

    assert describe(evaluation) == case.spans
    assert breaches(evaluation) == case.violations
    assert evaluation.ok_seconds == pytest.approx(case.ok_hours * HOUR)
    assert evaluation.violated_seconds == pytest.approx(case.violated_hours * HOUR)
    total = case.ok_hours + case.violated_hours
    assert evaluation.compliance_pct == pytest.approx(100 * case.ok_hours / total)
    assert evaluation.ticket_id == TICKET_ID
    assert evaluation.sla_id == SLA_ID


def test_what_is_in_breach_now_is_what_the_last_span_says() -> None:
    case = CASES["two limits in breach at once"]
    evaluation = evaluate(case.timeline, case.rules, at(case.until))
    assert evaluation.fired_limits == {Limit.INACTIVITY, Limit.RESOLUTION}

    answered = CASES["response: a late answer ends the breach"]
    assert evaluate(answered.timeline, answered.rules, at(answered.until)).fired_limits == set()


@pytest.mark.parametrize(
    ("rules", "timeline", "until"),
    [
        pytest.param(sla(response=1, resolution=1, inactivity=1),
                     ticket("01-06 09:00", status=Status.PENDING_THIRD_PERSON), "01-07 18:00",
                     id="paused all its life"),
        pytest.param(sla(resolution=1, sla_type=SlaType.THIRD_PARTY),
                     ticket("01-06 09:00", Move("01-06 12:00", Status.ASSIGNED)), "01-08 12:00",
                     id="third-party SLA, never pending on a third person"),
        pytest.param(sla(response=4), ticket("01-11 10:00"), "01-12 20:00",
                     id="opened on a Saturday, looked at on Sunday"),
    ],
)
def test_no_counted_time_means_no_compliance_figure(
    rules: SlaRules, timeline: TicketTimeline, until: str
) -> None:
    evaluation = evaluate(timeline, rules, at(until))

    assert evaluation.compliance_pct is None  # neither 0 % nor 100 %
    assert evaluation.violations == ()
    assert evaluation.ok_seconds == evaluation.violated_seconds == 0
    assert evaluation.spans[0].start == timeline.opened_at
    assert evaluation.spans[-1].end == at(until)


def test_first_response_and_resolution_moments() -> None:
    timeline = ticket("01-06 09:00", FollowUp("01-06 10:00"), Answer("01-06 11:00"),
                      Answer("01-06 12:00"), Move("01-07 09:00", Status.CLOSED),
                      Move("01-07 11:00", Status.REOPENED), Move("01-08 15:00", Status.CLOSED))

    closed = evaluate(timeline, sla(response=4), at("01-09 09:00"))
    assert closed.first_response_at == at("01-06 11:00")
    assert closed.resolved_at == at("01-08 15:00")

    reopened = evaluate(timeline, sla(response=4), at("01-08 09:00"))
    assert reopened.resolved_at is None
    assert evaluate(timeline, sla(response=4), at("01-06 10:30")).first_response_at is None


def test_an_offline_workunit_counts_when_it_was_written() -> None:
    """A workunit written at 10:00 and synced at 16:00 answered the ticket at 10:00."""
    before_sync = evaluate(ticket("01-06 09:00"), sla(response=4), at("01-06 15:00"))
    assert before_sync.fired_limits == {Limit.RESPONSE}

    after_sync = evaluate(ticket("01-06 09:00", Answer("01-06 10:00")), sla(response=4),
                          at("01-06 16:00"))
    assert describe(after_sync) == ["01-06 09:00 > 01-06 16:00 ok"]
    assert after_sync.compliance_pct == 100


def test_an_evaluation_before_opening_is_empty() -> None:
    evaluation = evaluate(ticket("01-06 09:00"), sla(response=4), at("01-06 08:00"))
    assert evaluation.spans == ()
    assert evaluation.compliance_pct is None


def test_counted_split_and_compliance_of_a_range() -> None:
    case = CASES["response: a late answer ends the breach"]  # ok 9-13, red 13-15, ok 15-17
    evaluation = evaluate(case.timeline, case.rules, at(case.until))

    assert counted_split(evaluation, case.rules, at("01-06 12:00"),
                         at("01-06 14:00")) == pytest.approx((HOUR, HOUR))
    assert compliance_between(evaluation, case.rules, at("01-06 12:00"),
                              at("01-06 14:00")) == pytest.approx(50)
    assert compliance_between(evaluation, case.rules, at("01-06 00:00"),
                              at("01-07 00:00")) == pytest.approx(75)
    assert compliance_between(evaluation, case.rules, at("01-06 13:30"),
                              at("01-06 14:30")) == pytest.approx(0)
    assert compliance_between(evaluation, case.rules, at("01-11 00:00"),
                              at("01-12 00:00")) is None
    assert counted_split(evaluation, case.rules, at("01-06 14:00"), at("01-06 12:00")) == (0, 0)


def test_a_range_counts_business_time_only() -> None:
    case = CASES["weekend: a breach on Friday stays red over it, counting nothing"]
    evaluation = evaluate(case.timeline, case.rules, at(case.until))

    ok, violated = counted_split(evaluation, case.rules, at("01-10 00:00"), at("01-13 00:00"))
    assert (ok, violated) == pytest.approx((HOUR, HOUR))


# --- properties -----------------------------------------------------------------------

STEP = dt.timedelta(minutes=15)
ZONES = ("UTC", "Europe/Madrid", "America/New_York", "Asia/Kolkata")
#: Fridays before a weekend with a DST change in Madrid (March, October) and New York
#: (March, November), and an ordinary one.
FRIDAYS = tuple(dt.datetime(2025, m, d, tzinfo=UTC)
                for m, d in ((1, 3), (3, 7), (3, 28), (10, 24), (10, 31)))
HOURS = (0, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 24)


@st.composite
def rules_strategy(draw: st.DrawFn) -> SlaRules:
    working_time = WorkingTime(
        day_start_hour=draw(st.integers(0, 23)),
        day_end_hour=draw(st.integers(0, 24)),
        skip_weekends=draw(st.booleans()),
        holidays=frozenset(draw(st.lists(
            st.sampled_from(FRIDAYS).map(lambda d: d.date())
            .flatmap(lambda d: st.integers(-3, 12).map(lambda n: d + dt.timedelta(days=n))),
            max_size=3))),
        time_zone=draw(st.sampled_from(ZONES)),
        wall_clock=draw(st.booleans()),
    )
    return SlaRules(
        SLA_ID, "Generated", sla_type=draw(st.sampled_from(SlaType)),
        response_hours=draw(st.sampled_from(HOURS)),
        resolution_hours=draw(st.sampled_from(HOURS)),
        inactivity_hours=draw(st.sampled_from(HOURS)),
        working_time=working_time,
    )


@st.composite
def tickets_strategy(draw: st.DrawFn) -> tuple[TicketTimeline, dt.datetime]:
    """A timeline on a 15-minute grid over a few days, and a moment to evaluate it at."""
    opened = draw(st.sampled_from(FRIDAYS)) + draw(st.integers(-96, 96)) * STEP
    offsets = sorted(draw(st.lists(st.integers(-8, 8 * 96), max_size=12)))
    kinds = [draw(st.sampled_from(("status", "creator", "agent", "touch"))) for _ in offsets]
    changes, workunits, activity = [], [], []
    for offset, kind in zip(offsets, kinds, strict=True):
        moment = opened + offset * STEP
        activity.append(moment)
        if kind == "status":
            changes.append(StatusChange(moment, draw(st.sampled_from(Status))))
        elif kind != "touch":
            workunits.append(WorkunitMark(moment, CREATOR if kind == "creator" else AGENT))
    timeline = TicketTimeline(
        TICKET_ID, opened, CREATOR, draw(st.sampled_from(Status)), tuple(changes),
        tuple(workunits), tuple(activity))
    return timeline, opened + draw(st.integers(0, 8 * 96)) * STEP


def reference_model(
    timeline: TicketTimeline, rules: SlaRules, until: dt.datetime
) -> tuple[list[tuple[dt.datetime, dt.datetime, SpanState, frozenset[Limit]]], float, float]:
    """The contract's semantics stepped 15 minutes at a time, with its own calendar."""
    wt = rules.working_time
    zone = zoneinfo.ZoneInfo(wt.time_zone)

    def works(day: dt.date) -> bool:
        return not (wt.skip_weekends and day.weekday() >= 5) and day not in wt.holidays

    def working(moment: dt.datetime) -> bool:
        local = moment.astimezone(zone)
        hour, day = local.hour, local.date()
        start, end = wt.day_start_hour, wt.day_end_hour
        if start == end:
            return works(day)
        if start < end:
            return start <= hour < end and works(day)
        return (hour >= start and works(day)) or (
            hour < end and works(day - dt.timedelta(days=1)))

    limits = {Limit.RESPONSE: rules.response_hours, Limit.RESOLUTION: rules.resolution_hours,
              Limit.INACTIVITY: rules.inactivity_hours}
    clocks = dict.fromkeys(limits, 0.0)
    running = dict.fromkeys(limits, True)
    declared = dict.fromkeys(limits, False)
    opened = timeline.opened_at
    steps: list[tuple[dt.datetime, SpanState, frozenset[Limit]]] = []
    ok = violated = 0.0
    moment = opened
    while moment < until:
        for workunit in timeline.workunits:
            if max(workunit.at, opened) == moment:
                by_creator = workunit.author_id == CREATOR
                clocks[Limit.RESPONSE], running[Limit.RESPONSE] = 0.0, by_creator
                declared[Limit.RESPONSE] = False
        if any(max(a, opened) == moment for a in timeline.activity) and moment > opened:
            clocks[Limit.INACTIVITY], declared[Limit.INACTIVITY] = 0.0, False
        counting = rules.counts(timeline.status_at(moment))
        in_breach: set[Limit] = set()
        for limit, hours in limits.items():
            if not counting or not running[limit]:
                declared[limit] = False
            elif hours > 0 and clocks[limit] >= hours * HOUR and (
                    declared[limit] or not wt.wall_clock or working(moment)):
                declared[limit] = True
            if declared[limit]:
                in_breach.add(limit)
        accrued = STEP.total_seconds() if counting and (wt.wall_clock or working(moment)) else 0
        for limit in limits:
            if running[limit]:
                clocks[limit] += accrued
        if not counting:
            steps.append((moment, SpanState.PAUSED, frozenset()))
        elif in_breach:
            steps.append((moment, SpanState.VIOLATED, frozenset(in_breach)))
            violated += accrued
        else:
            steps.append((moment, SpanState.OK, frozenset()))
            ok += accrued
        moment += STEP
    spans: list[tuple[dt.datetime, dt.datetime, SpanState, frozenset[Limit]]] = []
    for start, state, in_breach_now in steps:
        if spans and spans[-1][2:] == (state, in_breach_now):
            spans[-1] = (spans[-1][0], start + STEP, state, in_breach_now)
        else:
            spans.append((start, start + STEP, state, in_breach_now))
    return spans, ok, violated


@settings(max_examples=100, deadline=None)
@given(rules_strategy(), tickets_strategy())
def test_the_engine_agrees_with_a_step_by_step_reference_model(
    rules: SlaRules, ticket_and_until: tuple[TicketTimeline, dt.datetime]
) -> None:
    timeline, until = ticket_and_until
    evaluation = evaluate(timeline, rules, until)
    spans, ok, violated = reference_model(timeline, rules, until)

    assert [(s.start, s.end, s.state, s.limits) for s in evaluation.spans] == spans
    assert evaluation.ok_seconds == pytest.approx(ok, abs=1e-3)
    assert evaluation.violated_seconds == pytest.approx(violated, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(rules_strategy(), tickets_strategy())
def test_spans_cover_the_life_without_gaps_and_violations_match_them(
    rules: SlaRules, ticket_and_until: tuple[TicketTimeline, dt.datetime]
) -> None:
    timeline, until = ticket_and_until
    evaluation = evaluate(timeline, rules, until)
    spans = evaluation.spans

    if until > timeline.opened_at:
        assert spans[0].start == timeline.opened_at
        assert spans[-1].end == until
    for span in spans:
        assert span.start < span.end
        assert bool(span.limits) is (span.state is SpanState.VIOLATED)
        counts = rules.counts(timeline.status_at(span.start))
        assert (span.state is SpanState.PAUSED) is not counts
    for before, after in itertools.pairwise(spans):
        assert before.end == after.start
        assert (before.state, before.limits) != (after.state, after.limits)
    for violation in evaluation.violations:  # each breach is red where it says
        end = violation.end or until
        assert all(violation.limit in s.limits for s in spans
                   if s.start < end and s.end > violation.start)
    pct = evaluation.compliance_pct
    assert (pct is None) is (evaluation.ok_seconds + evaluation.violated_seconds <= 0)
    assert pct is None or 0 <= pct <= 100


@settings(max_examples=100, deadline=None)
@given(rules_strategy(), tickets_strategy(), st.integers(1, 4 * 96))
def test_a_later_look_only_extends_the_story(
    rules: SlaRules, ticket_and_until: tuple[TicketTimeline, dt.datetime], later_steps: int
) -> None:
    timeline, until = ticket_and_until
    now = evaluate(timeline, rules, until)
    later = evaluate(timeline, rules, until + later_steps * STEP)

    assert later.ok_seconds + later.violated_seconds >= (
        now.ok_seconds + now.violated_seconds - 1e-6)
    assert later.ok_seconds >= now.ok_seconds - 1e-6
    assert later.violated_seconds >= now.violated_seconds - 1e-6
    if now.spans:
        kept = len(now.spans) - 1
        assert later.spans[:kept] == now.spans[:kept]
        last, continued = now.spans[-1], later.spans[kept]
        assert (continued.start, continued.state, continued.limits) == (
            last.start, last.state, last.limits)
        assert continued.end >= last.end


@settings(max_examples=100, deadline=None)
@given(rules_strategy(), tickets_strategy())
def test_only_counted_statuses_accrue(
    rules: SlaRules, ticket_and_until: tuple[TicketTimeline, dt.datetime]
) -> None:
    timeline, until = ticket_and_until
    evaluation = evaluate(timeline, rules, until)
    clock = clock_for(rules.working_time)
    # Counted time recomputed from the status history alone.
    moments = [timeline.opened_at] + [max(c.at, timeline.opened_at)
                                      for c in timeline.status_changes if c.at < until]
    moments = [*sorted(set(moments)), until]
    expected = sum(clock.counted_seconds(a, b) for a, b in itertools.pairwise(moments)
                   if rules.counts(timeline.status_at(a)))

    assert evaluation.ok_seconds + evaluation.violated_seconds == pytest.approx(
        expected, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(rules_strategy(), tickets_strategy())
def test_paused_statuses_pause_everything(
    rules: SlaRules, ticket_and_until: tuple[TicketTimeline, dt.datetime]
) -> None:
    timeline, until = ticket_and_until
    resting = Status.CLOSED if rules.sla_type != SlaType.THIRD_PARTY else Status.ASSIGNED
    paused = replace(
        timeline, initial_status=resting,
        status_changes=tuple(replace(c, status=resting) for c in timeline.status_changes))
    evaluation = evaluate(paused, rules, until)

    assert all(span.state is SpanState.PAUSED for span in evaluation.spans)
    assert evaluation.ok_seconds == evaluation.violated_seconds == 0
    assert evaluation.violations == ()
    assert evaluation.compliance_pct is None


@settings(max_examples=100, deadline=None)
@given(rules_strategy(), tickets_strategy(), st.integers(-2, 10))
def test_holidays_never_count(
    rules: SlaRules, ticket_and_until: tuple[TicketTimeline, dt.datetime], day_offset: int
) -> None:
    timeline, until = ticket_and_until
    wt = rules.working_time
    holiday = timeline.opened_at.astimezone(zoneinfo.ZoneInfo(wt.time_zone)).date() + (
        dt.timedelta(days=day_offset))
    with_holiday = replace(rules, working_time=replace(wt, holidays=wt.holidays | {holiday}))

    before = evaluate(timeline, rules, until)
    after = evaluate(timeline, with_holiday, until)

    assert after.ok_seconds + after.violated_seconds <= (
        before.ok_seconds + before.violated_seconds + 1e-6)
    if not wt.wall_clock and wt.day_start_hour <= wt.day_end_hour:
        zone = zoneinfo.ZoneInfo(wt.time_zone)
        day = dt.datetime.combine(holiday, dt.time(), tzinfo=zone)
        next_day = dt.datetime.combine(holiday + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        assert counted_split(after, with_holiday, day, next_day) == (0, 0)
