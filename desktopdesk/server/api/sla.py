"""SLA metrics (``GET /sla/metrics``): compliance, violations, first response and
resolution times over the tickets the caller may see, as Integria's API offers them.

Filters name things as people do: a ticket by number, a group by id or name, an owner by
username or id, and the range in ISO 8601 (a time without a zone is UTC, as Integria's
timestamps are). A ticket, group or person the caller cannot see answers exactly like
one that does not exist (404), so the answer never tells which is the case.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import Permissions, load_permissions
from desktopdesk.domain.errors import NOT_FOUND, VALIDATION
from desktopdesk.domain.sla_metrics import (
    DurationFigure,
    SlaFigures,
    SlaMetricsQuery,
    sla_metrics,
)
from desktopdesk.models import User
from desktopdesk.server.api import resolve
from desktopdesk.server.api.models import Ref
from desktopdesk.server.deps import ClockDep, CurrentUser, StoreDep
from desktopdesk.server.errors import ApiError, error_responses

router = APIRouter(tags=["sla"])


# --- Response -------------------------------------------------------------------------


class ViolationsOut(BaseModel):
    response: int
    resolution: int
    inactivity: int
    total: int


class DurationOut(BaseModel):
    count: int = Field(description="Tickets that reached the moment inside the range.")
    mean_seconds: float | None = Field(
        description="Their mean counted (business) time to it; null when count is 0.")


class FiguresOut(BaseModel):
    tickets: int = Field(description="Tickets with an SLA whose life overlaps the range.")
    tickets_counted: int = Field(description="Of those, the ones with counted time in it.")
    ok_seconds: float = Field(description="Counted time within the SLA.")
    violated_seconds: float = Field(description="Counted time in breach of a limit.")
    compliance_pct: float | None = Field(
        description="ok / (ok + violated) x 100, over all tickets' time; null if nothing "
                    "was counted.")
    mean_ticket_compliance_pct: float | None = Field(
        description="Mean of each ticket's compliance (Integria's figure); tickets with no "
                    "counted time are left out, not counted as 0 %.")
    violations: ViolationsOut = Field(description="Breaches that began inside the range.")
    first_response: DurationOut = Field(
        description="From opening to the first workunit by someone other than the creator, "
                    "for tickets first answered inside the range.")
    resolution: DurationOut = Field(
        description="Counted time over the ticket's life, for tickets closed inside the "
                    "range.")


class GroupFiguresOut(FiguresOut):
    group: Ref


class OwnerFiguresOut(FiguresOut):
    owner: str = Field(description="Username.")
    full_name: str


class SlaMetricsOut(FiguresOut):
    from_: dt.datetime | None = Field(serialization_alias="from",
                                      description="Start of the range; null: whole lives.")
    to: dt.datetime = Field(description="End of the range (never after now).")
    by_group: list[GroupFiguresOut] = Field(description="By the tickets' current group.")
    by_owner: list[OwnerFiguresOut] = Field(description="By the tickets' current owner.")


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _duration(figure: DurationFigure) -> DurationOut:
    mean = figure.mean_seconds
    return DurationOut(count=figure.count, mean_seconds=None if mean is None else round(mean, 3))


def _figures(figures: SlaFigures) -> dict[str, Any]:
    counts = figures.violations
    return {
        "tickets": figures.tickets,
        "tickets_counted": figures.tickets_counted,
        "ok_seconds": round(figures.ok_seconds, 3),
        "violated_seconds": round(figures.violated_seconds, 3),
        "compliance_pct": _pct(figures.compliance_pct),
        "mean_ticket_compliance_pct": _pct(figures.mean_ticket_compliance_pct),
        "violations": ViolationsOut(response=counts.response, resolution=counts.resolution,
                                    inactivity=counts.inactivity, total=counts.total),
        "first_response": _duration(figures.first_response),
        "resolution": _duration(figures.resolution),
    }


# --- Parameters -----------------------------------------------------------------------


def parse_moment(value: str, name: str) -> dt.datetime:
    """ISO 8601 (``2026-03-01``, ``2026-03-01T09:00``, ``...Z``, ``...+01:00``); no zone
    means UTC."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(422, VALIDATION, f"'{name}' must be a date or date and time in ISO "
                                        f"8601 (e.g. 2026-03-01T09:00:00Z), not '{value}'.",
                       name) from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _not_found(what: str, field: str) -> ApiError:
    return ApiError(404, NOT_FOUND, f"{what} not found.", field)


def _group_id(session: Session, perms: Permissions, value: str) -> uuid.UUID:
    """A group the caller holds some access in (what ``GET /groups`` lists them)."""
    found = resolve.group_id(session, value)
    if found == resolve.UNKNOWN_ID or not (perms.is_superadmin or found in perms.by_group):
        raise _not_found("Group", "group")
    return found


def _owner_id(session: Session, perms: Permissions, value: str) -> uuid.UUID:
    """A person by username or id, among those ``GET /users`` shows the caller."""
    wanted = value.strip()
    try:
        found = session.scalar(select(User.id).where(User.id == uuid.UUID(wanted)))
    except ValueError:
        found = None
    if found is None:
        found = session.scalar(select(User.id).where(User.username == wanted.lower()))
    hidden = perms.is_independent and not perms.is_superadmin and found != perms.user_id
    if found is None or hidden:
        raise _not_found("User", "owner")
    return found


def _ticket_id(session: Session, perms: Permissions, number: int) -> uuid.UUID:
    found = resolve.visible_ticket_id(session, perms, number)
    if found == resolve.UNKNOWN_ID:
        raise _not_found("Ticket", "ticket")
    return found


# --- Route ----------------------------------------------------------------------------


@router.get(
    "/sla/metrics", response_model=SlaMetricsOut, summary="SLA compliance metrics",
    responses=error_responses(401, 404, 422),
)
def get_sla_metrics(
    store: StoreDep,
    user_id: CurrentUser,
    clock: ClockDep,
    ticket: Annotated[int | None, Query(ge=1, description="A ticket's number.")] = None,
    group: Annotated[str | None, Query(description="A group's id or name.")] = None,
    owner: Annotated[str | None, Query(description="The owner's username or id.")] = None,
    from_: Annotated[str | None, Query(
        alias="from", description="Start of the range, ISO 8601 (no zone: UTC). Left out: "
                                  "each ticket's whole life.")] = None,
    to: Annotated[str | None, Query(
        description="End of the range (exclusive), ISO 8601 (no zone: UTC). Left out: "
                    "now.")] = None,
) -> SlaMetricsOut:
    """Figures over the tickets you may see whose life overlaps [from, to), evaluated from
    their histories: only what happened inside the range counts. Tickets without an SLA
    are left out. Also split by the tickets' current group and owner.
    """
    start = parse_moment(from_, "from") if from_ is not None else None
    end = parse_moment(to, "to") if to is not None else None
    if start is not None and end is not None and start >= end:
        raise ApiError(422, VALIDATION, "'from' must be before 'to'.", "from")
    now = clock()
    with store.read() as session:
        perms = load_permissions(session, user_id)
        query = SlaMetricsQuery(
            ticket_id=_ticket_id(session, perms, ticket) if ticket is not None else None,
            group_id=_group_id(session, perms, group) if group is not None else None,
            owner_id=_owner_id(session, perms, owner) if owner is not None else None,
            start=start,
            end=end,
        )
        metrics = sla_metrics(session, perms, query, now)
    return SlaMetricsOut(
        **_figures(metrics),
        from_=metrics.start,
        to=metrics.end or now,
        by_group=[GroupFiguresOut(**_figures(row.figures), group=Ref(id=row.id, name=row.name))
                  for row in metrics.by_group],
        by_owner=[OwnerFiguresOut(**_figures(row.figures), owner=row.name,
                                  full_name=row.display_name)
                  for row in metrics.by_owner],
    )
