"""The SLA notices the authority records (``SlaNotice``): whom to tell of which breach.

An owner is told of a limit in breach on their ticket, and a group's default owner of
the group going over its SLA's open-ticket cap, each at most once per notification period
(setting ``sla_notification_period_hours``); ``mail_wanted`` is the SLA's "enforced". The
mail itself comes with the notifications work: until then a notice records the intent.
Rows to insert are plain dicts, written by the pass (``sla_state``) with its other rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktopdesk.domain.sla_config import SlaCatalog
from desktopdesk.domain.sla_model import Limit, SlaEvaluation, SlaRules
from desktopdesk.domain.sla_timeline import IdCache, raw_id
from desktopdesk.models import Group, SlaNotice, Status, Ticket, new_id

#: ``SlaNotice.limit_kind`` of a group over its SLA's open-ticket cap.
MAX_OPEN = "max_open"
#: Statuses that do not count towards a group's open-ticket cap (as in Integria).
NOT_COUNTED_AS_OPEN = (Status.PENDING_THIRD_PERSON, Status.CLOSED)

#: One ``sla_notices`` row to insert.
Notice = dict[str, Any]


def ticket_notices(session: Session, now: dt.datetime, told_since: dt.datetime,
                   owners: Mapping[uuid.UUID, uuid.UUID],
                   fired: Mapping[uuid.UUID, tuple[SlaRules, SlaEvaluation]],
                   ids: IdCache) -> list[Notice]:
    """A notice for each limit in breach on each ticket of ``fired`` that nobody was told
    of since ``told_since``, to the ticket's owner (``owners``)."""
    if not fired:
        return []
    told = {(ids(raw_ticket), kind) for raw_ticket, kind in session.connection().execute(
        select(raw_id(SlaNotice.ticket_id), SlaNotice.limit_kind)
        .where(SlaNotice.ticket_id.in_(list(fired)), SlaNotice.at > told_since))}
    notices: list[Notice] = []
    for ticket_id, (rules, evaluation) in fired.items():
        for limit in Limit:
            if limit not in evaluation.fired_limits or (ticket_id, limit.value) in told:
                continue
            notices.append({
                "id": new_id(), "ticket_id": ticket_id, "group_id": None,
                "sla_id": rules.sla_id, "limit_kind": limit.value, "at": now,
                "recipient_id": owners[ticket_id], "mail_wanted": rules.enforced,
                "mailed_at": None, "detail": breach_detail(limit, rules, evaluation),
            })
    return notices


def breach_detail(limit: Limit, rules: SlaRules, evaluation: SlaEvaluation) -> str:
    """The breach in words: the limit, its hours and since when (in the SLA time zone)."""
    hours = {Limit.RESPONSE: rules.response_hours, Limit.RESOLUTION: rules.resolution_hours,
             Limit.INACTIVITY: rules.inactivity_hours}[limit]
    unit = "hours" if rules.working_time.wall_clock else "working hours"
    open_breaches = [v.start for v in evaluation.violations if v.limit is limit and v.end is None]
    since = min(open_breaches) if open_breaches else evaluation.fired_since
    said = f"{limit.label} over {hours:g} {unit} (SLA \u201c{rules.name}\u201d)"
    if since is not None:
        said += f", in breach since {_local(since, rules.working_time.time_zone)}"
    return said + "."


def _local(moment: dt.datetime, time_zone: str) -> str:
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone, time_zone = dt.UTC, "UTC"
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({time_zone})"


def open_cap_notices(session: Session, catalog: SlaCatalog, now: dt.datetime,
                     told_since: dt.datetime) -> list[Notice]:
    """Integria's "max tickets at the same time": per group, its tickets with the SLA on
    and not waiting on a third person nor closed; over the cap, one notice per period to
    the group's default owner. It never marks tickets fired."""
    capped = {group_id: rules for group_id in catalog.groups_with_sla
              if (rules := catalog.rules_for_group(group_id)) is not None
              and rules.max_open_tickets > 0}
    if not capped:
        return []
    counts: dict[uuid.UUID, int] = {group_id: count for group_id, count in session.execute(
        select(Ticket.group_id, func.count())
        .where(Ticket.group_id.in_(list(capped)), Ticket.sla_disabled.is_(False),
               Ticket.status.not_in(NOT_COUNTED_AS_OPEN))
        .group_by(Ticket.group_id))}
    over = {group_id: count for group_id, count in counts.items()
            if count > capped[group_id].max_open_tickets}
    if not over:
        return []
    told = set(session.scalars(select(SlaNotice.group_id).where(
        SlaNotice.group_id.in_(list(over)), SlaNotice.limit_kind == MAX_OPEN,
        SlaNotice.at > told_since)))
    notices: list[Notice] = []
    for group_id, name, owner_id in session.execute(
            select(Group.id, Group.name, Group.default_owner_id)
            .where(Group.id.in_([g for g in over if g not in told])).order_by(Group.name)):
        rules = capped[group_id]
        notices.append({
            "id": new_id(), "ticket_id": None, "group_id": group_id, "sla_id": rules.sla_id,
            "limit_kind": MAX_OPEN, "at": now, "recipient_id": owner_id,
            "mail_wanted": rules.enforced, "mailed_at": None,
            "detail": (f"{name} has {over[group_id]} open tickets, over the "
                       f"{rules.max_open_tickets} its SLA \u201c{rules.name}\u201d allows "
                       "at the same time."),
        })
    return notices
