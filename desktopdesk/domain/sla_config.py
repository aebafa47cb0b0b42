"""Which SLA applies where, as ``SlaRules`` the engine reads: from the ``slas`` rows,
each group's SLA, the holiday calendar and the ``sla_time_zone`` setting.

A ticket follows the SLA of its group (as in Integria), unless the ticket has its SLA
switched off (``sla_disabled``). Tables are small (a few SLAs and groups, a few dozen
holidays), so a pass reads them all at once (``load_sla_catalog``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain import settings
from desktopdesk.domain.settings import get_setting
from desktopdesk.domain.sla_model import SlaRules, WorkingTime
from desktopdesk.models import Group, Holiday, Sla, Ticket


@dataclass(frozen=True)
class SlaCatalog:
    """Every SLA as rules, and which SLA each group applies (groups without one absent)."""

    by_sla: Mapping[uuid.UUID, SlaRules] = field(default_factory=dict, hash=False)
    group_sla: Mapping[uuid.UUID, uuid.UUID] = field(default_factory=dict, hash=False)

    def rules_for_group(self, group_id: uuid.UUID) -> SlaRules | None:
        sla_id = self.group_sla.get(group_id)
        return None if sla_id is None else self.by_sla.get(sla_id)

    def rules(self, sla_id: uuid.UUID) -> SlaRules | None:
        return self.by_sla.get(sla_id)

    @property
    def groups_with_sla(self) -> tuple[uuid.UUID, ...]:
        return tuple(group_id for group_id, sla_id in self.group_sla.items()
                     if sla_id in self.by_sla)

    @property
    def fingerprint(self) -> str:
        """Stable across processes (no salted hashes): changes exactly when an SLA, the
        group mapping, the holidays counted or the time zone change, so a scheduled pass
        knows when compliance recorded under the old rules must be worked out again."""
        lines = []
        for sla_id in sorted(self.by_sla):
            rules = self.by_sla[sla_id]
            time = rules.working_time
            lines.append("|".join(str(value) for value in (
                sla_id, rules.name, rules.sla_type.value, rules.response_hours,
                rules.resolution_hours, rules.inactivity_hours, rules.max_open_tickets,
                rules.enforced, time.day_start_hour, time.day_end_hour, time.skip_weekends,
                ",".join(sorted(day.isoformat() for day in time.holidays)), time.time_zone,
                time.wall_clock)))
        lines.extend(f"{group_id}>{self.group_sla[group_id]}"
                     for group_id in sorted(self.group_sla))
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def rules_from_row(sla: Sla, holidays: frozenset[dt.date], time_zone: str) -> SlaRules:
    """One ``slas`` row as the engine applies it; ``holidays`` count only when the SLA
    says "no SLA on holidays"."""
    return SlaRules(
        sla_id=sla.id,
        name=sla.name,
        sla_type=sla.sla_type,
        response_hours=sla.max_response_hours,
        resolution_hours=sla.max_resolution_hours,
        inactivity_hours=sla.max_inactivity_hours,
        max_open_tickets=sla.max_open_tickets,
        enforced=sla.enforced,
        working_time=WorkingTime(
            day_start_hour=sla.day_start_hour,
            day_end_hour=sla.day_end_hour,
            skip_weekends=sla.no_sla_on_weekends,
            holidays=holidays if sla.no_sla_on_holidays else frozenset(),
            time_zone=time_zone,
            wall_clock=sla.wall_clock,
        ),
    )


def load_holidays(session: Session) -> frozenset[dt.date]:
    days = set()
    for text in session.scalars(select(Holiday.day)):
        try:
            days.add(dt.date.fromisoformat(text))
        except ValueError:
            continue  # the admin screen only stores ISO days; skip anything else
    return frozenset(days)


def sla_time_zone(session: Session) -> str:
    return get_setting(session, settings.SLA_TIME_ZONE)


def load_sla_catalog(session: Session) -> SlaCatalog:
    holidays = load_holidays(session)
    time_zone = sla_time_zone(session)
    by_sla = {sla.id: rules_from_row(sla, holidays, time_zone)
              for sla in session.scalars(select(Sla))}
    group_sla = {group_id: sla_id for group_id, sla_id in session.execute(
        select(Group.id, Group.sla_id)) if sla_id is not None}
    return SlaCatalog(by_sla, group_sla)


def ticket_rules(session: Session, ticket_id: uuid.UUID) -> SlaRules | None:
    """The rules a ticket is held to; None when its group has no SLA, the ticket has its
    SLA switched off, or there is no such ticket."""
    found = session.execute(
        select(Ticket.sla_disabled, Group.sla_id)
        .join(Group, Group.id == Ticket.group_id)
        .where(Ticket.id == ticket_id)).first()
    if found is None:
        return None
    disabled, sla_id = found
    if disabled or sla_id is None:
        return None
    sla = session.get(Sla, sla_id)
    if sla is None:
        return None
    return rules_from_row(sla, load_holidays(session), sla_time_zone(session))
