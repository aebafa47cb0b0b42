"""A ticket's SLA as its view shows it: the rules in words, the evaluation, and the
compliance over each range the histogram offers (today, 2 days, ... lifetime).

The ticket is evaluated here, from the history this store holds, until ``now``: the
desktop reads the same answer offline as the server does. A ticket without an SLA gets
no report and no percentage at all (never 0 % nor 100 %); ``why_no_sla`` says why, so
the view can tell people instead of showing an empty chart.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain.sla_config import ticket_rules
from desktopdesk.domain.sla_engine import counted_split, evaluate
from desktopdesk.domain.sla_model import SlaEvaluation, SlaRules, WorkingTime
from desktopdesk.domain.sla_state import SETTLE
from desktopdesk.domain.sla_timeline import timeline_for
from desktopdesk.models import Group, Ticket
from desktopdesk.models.codes import SlaType


class RangePreset(enum.StrEnum):
    """The stretches of time the histogram offers, each ending now."""

    TODAY = "today"
    TWO_DAYS = "two_days"
    WEEK = "week"
    FIFTEEN_DAYS = "fifteen_days"
    MONTH = "month"
    LIFETIME = "lifetime"

    @property
    def label(self) -> str:
        return _PRESET_LABELS[self]

    @property
    def description(self) -> str:
        return _PRESET_DESCRIPTIONS[self]


_PRESET_LABELS = {
    RangePreset.TODAY: "Today", RangePreset.TWO_DAYS: "2 days", RangePreset.WEEK: "1 week",
    RangePreset.FIFTEEN_DAYS: "15 days", RangePreset.MONTH: "1 month",
    RangePreset.LIFETIME: "Lifetime",
}
_PRESET_DESCRIPTIONS = {
    RangePreset.TODAY: "Since midnight",
    RangePreset.TWO_DAYS: "The last 48 hours",
    RangePreset.WEEK: "The last 7 days",
    RangePreset.FIFTEEN_DAYS: "The last 15 days",
    RangePreset.MONTH: "The last 30 days",
    RangePreset.LIFETIME: "Since the ticket was opened",
}
_PRESET_DAYS = {RangePreset.TWO_DAYS: 2, RangePreset.WEEK: 7, RangePreset.FIFTEEN_DAYS: 15,
                RangePreset.MONTH: 30}


class NoSlaReason(enum.StrEnum):
    NO_SLA_ON_GROUP = "no_sla_on_group"
    SLA_DISABLED = "sla_disabled"


@dataclass(frozen=True)
class NoSla:
    """Why a ticket has no SLA, in a sentence for people."""

    reason: NoSlaReason
    message: str


@dataclass(frozen=True)
class RangeCompliance:
    """Counted time OK and in breach within one range of the histogram."""

    preset: RangePreset
    start: dt.datetime
    end: dt.datetime
    ok_seconds: float
    violated_seconds: float

    @property
    def compliance_pct(self) -> float | None:
        """None when nothing was counted in the range (all paused, or outside working
        hours): no percentage rather than a made-up one."""
        counted = self.ok_seconds + self.violated_seconds
        return None if counted <= 0 else 100.0 * self.ok_seconds / counted


@dataclass(frozen=True)
class TicketSlaReport:
    ticket_id: uuid.UUID
    rules: SlaRules
    evaluation: SlaEvaluation
    opened_at: dt.datetime
    now: dt.datetime
    group_name: str
    #: Counted time OK over counted time, since opening; None while nothing counted.
    lifetime_pct: float | None
    #: One per limit checked: "Response within 4 h".
    limit_texts: tuple[str, ...]
    #: When the clocks run: "Counted in working hours: 08:00-18:00, Monday to Friday ...".
    working_time_text: str
    #: Which statuses count: "Paused while pending on a third person, and once closed."
    counting_text: str
    #: "The owner is told of a breach." or "Informative: ...".
    notice_text: str
    #: One per ``RangePreset``, in their order.
    ranges: tuple[RangeCompliance, ...]

    def range_for(self, preset: RangePreset) -> RangeCompliance:
        return next(r for r in self.ranges if r.preset is preset)


def ticket_sla_report(session: Session, ticket_id: uuid.UUID, now: dt.datetime, *,
                      day_zone: dt.tzinfo | None = None) -> TicketSlaReport | None:
    """The ticket's SLA evaluated until ``now``; None when it has none (``why_no_sla``
    says why) or does not exist. ``day_zone``: where "Today" starts at midnight (None:
    this computer's zone, as the histogram reads times)."""
    rules = ticket_rules(session, ticket_id)
    if rules is None:
        return None
    timeline = timeline_for(session, ticket_id)
    if timeline is None:
        return None
    now = max(now, timeline.opened_at)
    # Just after now, as the authority's pass does: what happened at ``now`` is in force.
    evaluation = evaluate(timeline, rules, now + SETTLE)
    group_name = session.scalar(
        select(Group.name).join(Ticket, Ticket.group_id == Group.id)
        .where(Ticket.id == ticket_id)) or ""
    return TicketSlaReport(
        ticket_id=ticket_id,
        rules=rules,
        evaluation=evaluation,
        opened_at=timeline.opened_at,
        now=now,
        group_name=group_name,
        lifetime_pct=evaluation.compliance_pct,
        limit_texts=limit_texts(rules),
        working_time_text=working_time_text(rules.working_time),
        counting_text=counting_text(rules.sla_type),
        notice_text=notice_text(rules),
        ranges=tuple(
            _range(evaluation, rules, preset, start, now)
            for preset, start in preset_starts(timeline.opened_at, now, day_zone).items()),
    )


def why_no_sla(session: Session, ticket_id: uuid.UUID) -> NoSla | None:
    """Why ``ticket_sla_report`` gave nothing; None when the ticket has an SLA (or does
    not exist)."""
    found = session.execute(
        select(Ticket.sla_disabled, Group.sla_id, Group.name)
        .join(Group, Group.id == Ticket.group_id).where(Ticket.id == ticket_id)).first()
    if found is None:
        return None
    disabled, sla_id, group_name = found
    if disabled:
        return NoSla(NoSlaReason.SLA_DISABLED,
                     "The SLA is disabled on this ticket: its times are not checked. A "
                     "manager of its group can switch it back on in the details.")
    if sla_id is None:
        return NoSla(NoSlaReason.NO_SLA_ON_GROUP,
                     f"The group {group_name} has no SLA, so this ticket's times are not "
                     "checked. An administrator can give the group one.")
    return None


def preset_starts(opened_at: dt.datetime, now: dt.datetime,
                  day_zone: dt.tzinfo | None = None) -> dict[RangePreset, dt.datetime]:
    """Where each range starts (each ends at ``now``); before opening is allowed: the
    histogram shows that stretch empty."""
    local_now = now.astimezone(day_zone) if day_zone is not None else now.astimezone()
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    today = (midnight.replace(tzinfo=day_zone) if day_zone is not None
             else midnight.astimezone())
    starts = {RangePreset.TODAY: today.astimezone(dt.UTC)}
    for preset, days in _PRESET_DAYS.items():
        starts[preset] = now - dt.timedelta(days=days)
    starts[RangePreset.LIFETIME] = opened_at
    return {preset: starts[preset] for preset in RangePreset}


def _range(evaluation: SlaEvaluation, rules: SlaRules, preset: RangePreset,
           start: dt.datetime, now: dt.datetime) -> RangeCompliance:
    start = min(start, now)
    ok, violated = counted_split(evaluation, rules, start, now)
    return RangeCompliance(preset, start, now, ok, violated)


# --- The rules in words -------------------------------------------------------------------


def hours_text(hours: float) -> str:
    """"4 h", "1 h 30 min", "45 min": a limit as people set it."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    if not whole:
        return f"{rest} min"
    return f"{whole} h {rest} min" if rest else f"{whole} h"


def limit_texts(rules: SlaRules) -> tuple[str, ...]:
    texts = []
    if rules.response_hours > 0:
        texts.append(f"Response within {hours_text(rules.response_hours)}")
    if rules.resolution_hours > 0:
        texts.append(f"Resolution within {hours_text(rules.resolution_hours)}")
    if rules.inactivity_hours > 0:
        texts.append(f"No more than {hours_text(rules.inactivity_hours)} without a change")
    return tuple(texts) or ("No limit is checked.",)


def _days_text(working: WorkingTime) -> str:
    days = "Monday to Friday" if working.skip_weekends else "every day"
    return f"{days}, not on holidays" if working.holidays else days


def _hours_of_day(working: WorkingTime) -> str:
    start, end = working.day_start_hour, working.day_end_hour
    if start == end:
        return "all day"
    overnight = " (overnight)" if start > end else ""
    return f"{start:02d}:00-{end:02d}:00{overnight}"


def working_time_text(working: WorkingTime) -> str:
    """When the clocks run, and in which time zone the hours are read."""
    hours, days = _hours_of_day(working), _days_text(working)
    zone = f" ({working.time_zone})"
    if working.wall_clock:
        return ("Every hour counts (wall clock, as in Integria); a breach is declared only "
                f"in working hours: {hours}, {days}{zone}.")
    if hours == "all day" and days == "every day":
        return f"Counted around the clock, every day{zone}."
    return f"Counted in working hours: {hours}, {days}{zone}."


def counting_text(sla_type: SlaType) -> str:
    if sla_type == SlaType.THIRD_PARTY:
        return "Counts only while the ticket is pending on a third person."
    if sla_type == SlaType.BOTH:
        return "Counts in every status until the ticket is closed."
    return "Paused while pending on a third person, and once closed."


def notice_text(rules: SlaRules) -> str:
    if rules.enforced:
        return "The owner is notified of a breach."
    return "Informative: a breach is shown but nobody is notified."
