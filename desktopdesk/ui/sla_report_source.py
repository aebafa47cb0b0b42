"""What the SLA report window reads, as plain functions the task runner calls, and the
date ranges its period presets stand for.

No Qt here: each call opens its own session on the worker, loads the signed-in person's
permissions (only tickets they may see count) and hands back frozen data. The figures
are ``sla_metrics``'s, computed from this desktop's copy of the tickets, so the report
works offline; it says when it was computed and, on a copy linked to a server, when
that copy last synced.

A period is whole days of this desktop's calendar (the person's days, as every date on
screen is local): from the first day's midnight to the midnight after the last.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import Permissions, load_permissions
from desktopdesk.domain.queries import UserSummary
from desktopdesk.domain.sla_metrics import SlaMetrics, SlaMetricsQuery, sla_metrics
from desktopdesk.domain.ticket_list_lookups import filter_groups, picker_people
from desktopdesk.models import Group, SyncState, utc_now
from desktopdesk.store.workspace import Role, Workspace


class DatePreset(enum.Enum):
    LAST_7_DAYS = "last_7_days"
    LAST_30_DAYS = "last_30_days"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    #: The days picked by hand.
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return _PRESET_LABELS[self]


_PRESET_LABELS = {
    DatePreset.LAST_7_DAYS: "Last 7 days",
    DatePreset.LAST_30_DAYS: "Last 30 days",
    DatePreset.THIS_MONTH: "This month",
    DatePreset.LAST_MONTH: "Last month",
    DatePreset.CUSTOM: "Custom",
}


def preset_days(preset: DatePreset, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day (both included) that ``preset`` covers on ``today``.
    "This month" runs to today: nothing after it has happened yet."""
    match preset:
        case DatePreset.LAST_7_DAYS:
            return today - dt.timedelta(days=6), today
        case DatePreset.LAST_30_DAYS:
            return today - dt.timedelta(days=29), today
        case DatePreset.THIS_MONTH:
            return today.replace(day=1), today
        case DatePreset.LAST_MONTH:
            last = today.replace(day=1) - dt.timedelta(days=1)
            return last.replace(day=1), last
    raise ValueError("a custom period has no preset days")


def local_midnight(day: dt.date, zone: dt.tzinfo | None) -> dt.datetime:
    """The start of ``day`` in ``zone`` (this computer's zone when None), aware."""
    wall = dt.datetime.combine(day, dt.time())
    return wall.replace(tzinfo=zone) if zone is not None else wall.astimezone()


def period_query(first: dt.date, last: dt.date, zone: dt.tzinfo | None, *,
                 group_id: uuid.UUID | None = None,
                 owner_id: uuid.UUID | None = None) -> SlaMetricsQuery:
    """The metrics query for the days ``first`` to ``last`` (included) of ``zone``."""
    if last < first:
        raise ValueError("the period ends before it starts")
    return SlaMetricsQuery(group_id=group_id, owner_id=owner_id,
                           start=local_midnight(first, zone),
                           end=local_midnight(last + dt.timedelta(days=1), zone))


# --- What the filters offer ---------------------------------------------------------------


@dataclass(frozen=True)
class GroupChoice:
    id: uuid.UUID
    name: str
    #: Without one, none of the group's tickets is counted.
    has_sla: bool


@dataclass(frozen=True)
class ReportChoices:
    """The groups whose tickets the reader may see, and the people they may pick."""

    groups: tuple[GroupChoice, ...] = ()
    people: tuple[UserSummary, ...] = ()

    @property
    def any_sla(self) -> bool:
        return any(group.has_sla for group in self.groups)


def _group_choices(session: Session, perms: Permissions) -> tuple[GroupChoice, ...]:
    groups = filter_groups(session, perms)
    with_sla = set(session.scalars(
        select(Group.id).where(Group.id.in_([group.id for group in groups]),
                               Group.sla_id.is_not(None)))) if groups else set()
    return tuple(GroupChoice(group.id, group.name, group.id in with_sla) for group in groups)


def load_report_choices(workspace: Workspace, user_id: uuid.UUID) -> ReportChoices:
    with workspace.read() as session:
        perms = load_permissions(session, user_id)
        return ReportChoices(_group_choices(session, perms), picker_people(session, perms))


# --- The figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaReport:
    """The figures of one query, and what the report says about where they come from."""

    query: SlaMetricsQuery
    metrics: SlaMetrics
    computed_at: dt.datetime
    #: Some group the reader may see has an SLA (else there is nothing to measure at all).
    any_sla: bool
    #: This desktop's tickets are a copy of a server's (else they are its own).
    replica: bool
    #: When that copy last synced; None for a copy never synced, or no copy.
    last_sync_at: dt.datetime | None = None


def load_sla_report(workspace: Workspace, user_id: uuid.UUID, query: SlaMetricsQuery,
                    now: dt.datetime | None = None) -> SlaReport:
    """The report of the tickets ``user_id`` may see that ``query`` selects, at ``now``."""
    now = now or utc_now()
    replica = workspace.role is Role.REPLICA
    with workspace.read() as session:
        perms = load_permissions(session, user_id)
        metrics = sla_metrics(session, perms, query, now)
        any_sla = any(group.has_sla for group in _group_choices(session, perms))
        state = session.get(SyncState, 1) if replica else None
        return SlaReport(query=query, metrics=metrics, computed_at=now, any_sla=any_sla,
                         replica=replica,
                         last_sync_at=state.last_ok_at if state is not None else None)
