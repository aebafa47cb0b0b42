"""What the SLA editor reads, sends and previews, as plain functions the task runner runs.

No Qt here: each call opens its own session on the worker and hands back frozen data.
The editor's form is a ``SlaDraft``: the command a Save sends is built from it, and so
are the rules the preview evaluates (through ``sla_config.rules_from_row``, the same
mapping the SLA pass uses), so "for this ticket, this SLA would give…" is what the
server would say once the SLA is saved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.commands import CreateSla, UpdateSla
from desktopdesk.domain.errors import NOT_FOUND, DomainError
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.domain.sla_config import load_holidays, rules_from_row, sla_time_zone
from desktopdesk.domain.sla_engine import evaluate
from desktopdesk.domain.sla_model import Limit, SlaEvaluation, SlaRules
from desktopdesk.domain.sla_timeline import timeline_for
from desktopdesk.models import Group, Sla, SlaType, Ticket
from desktopdesk.models.base import utc_now
from desktopdesk.store.workspace import Workspace

SLA_TYPE_LABELS = {
    SlaType.NORMAL: "Normal",
    SlaType.THIRD_PARTY: "Third party",
    SlaType.BOTH: "Both",
}
#: When each type's clocks run (the manual's wording, with Closed made explicit).
SLA_TYPE_HELP = {
    SlaType.NORMAL: "Counts while the ticket is in any status but Closed or Pending on a "
                    "third person (waiting for someone outside pauses it).",
    SlaType.THIRD_PARTY: "Counts only while the ticket is Pending on a third person: holds "
                         "the third party to its limits.",
    SlaType.BOTH: "Counts in every status but Closed.",
}
#: Suggested tickets for the preview, most recently changed first.
TICKET_OPTIONS = 40
_WEEKDAYS = "Monday to Friday"


# --- The list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaPage:
    slas: tuple[SlaRow, ...]
    #: The ``sla_time_zone`` setting: where working hours are read.
    time_zone: str

    def sla(self, sla_id: uuid.UUID | None) -> SlaRow | None:
        return next((row for row in self.slas if row.id == sla_id), None)


def load_slas(workspace: Workspace) -> SlaPage:
    with workspace.read() as session:
        groups: dict[uuid.UUID, list[str]] = {}
        for sla_id, name in session.execute(select(Group.sla_id, Group.name)
                                            .where(Group.sla_id.is_not(None))
                                            .order_by(Group.name)):
            if sla_id is not None:
                groups.setdefault(sla_id, []).append(name)
        rows = tuple(
            SlaRow(**{f.name: getattr(sla, f.name) for f in dataclasses.fields(SlaDraft)},
                   id=sla.id,
                   group_names=tuple(groups.get(sla.id, ())))
            for sla in session.scalars(select(Sla).order_by(Sla.name)))
        return SlaPage(rows, sla_time_zone(session))


# --- The form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaDraft:
    """The form's values as typed (saved or not)."""

    name: str = ""
    description: str = ""
    base_sla_id: uuid.UUID | None = None
    sla_type: SlaType = SlaType.NORMAL
    max_response_hours: float = 48.0
    max_resolution_hours: float = 480.0
    max_open_tickets: int = 10
    max_inactivity_hours: float = 96.0
    day_start_hour: int = 8
    day_end_hour: int = 18
    no_sla_on_weekends: bool = True
    no_sla_on_holidays: bool = True
    enforced: bool = True
    wall_clock: bool = False

    @classmethod
    def of(cls, row: SlaRow) -> SlaDraft:
        return cls(**row.draft_values())

    def draft_values(self) -> dict[str, Any]:
        """The definition alone (a stored row also carries its id and groups)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(SlaDraft)}

    def _values(self) -> dict[str, Any]:
        return {**self.draft_values(), "sla_type": int(self.sla_type)}

    def command(self, sla_id: uuid.UUID | None) -> CreateSla | UpdateSla:
        """What Save sends: a new SLA (``sla_id`` None) or the whole new definition."""
        if sla_id is None:
            return CreateSla(**self._values())
        return UpdateSla(sla_id=sla_id, **self._values())

    def rules(self, sla_id: uuid.UUID | None, holidays: frozenset[dt.date],
              time_zone: str) -> SlaRules:
        """The rules the engine would apply once saved: an unsaved row, mapped as the SLA
        pass maps stored ones."""
        row = Sla(id=sla_id or uuid.UUID(int=0), name=self.name.strip() or "New SLA",
                  **{k: v for k, v in self.draft_values().items()
                     if k not in ("name", "description", "base_sla_id")})
        return rules_from_row(row, holidays, time_zone)

    @property
    def working_hours_per_day(self) -> int:
        """How long a working day is in hours (DST days aside)."""
        start, end = self.day_start_hour, self.day_end_hour
        if start == end:
            return 24
        return end - start if start < end else 24 - start + end


@dataclass(frozen=True, kw_only=True)
class SlaRow(SlaDraft):
    """One SLA as stored (its values as the form shows them), with the groups applying it."""

    id: uuid.UUID
    group_names: tuple[str, ...] = ()


# --- How values read ------------------------------------------------------------------------


def hours_text(hours: float) -> str:
    """"2 d 4 h 30 min", as Integria shows an SLA's hours beside the number; 0 says the
    limit is not checked."""
    if hours <= 0:
        return "not checked"
    minutes = round(hours * 60)
    days, rest = divmod(minutes, 24 * 60)
    whole_hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{whole_hours} h" if whole_hours else "",
             f"{minutes} min" if minutes else ""]
    return " ".join(part for part in parts if part) or "under a minute"


def limit_text(hours: float, draft: SlaDraft) -> str:
    """A limit as a duration, and what it means in working days when only working hours
    count (48 h of a 10-hour working day is almost a week)."""
    text = hours_text(hours)
    per_day = draft.working_hours_per_day
    if hours <= 0 or draft.wall_clock or per_day == 24:
        return text
    days, rest = divmod(round(hours * 60), per_day * 60)
    if not days:
        return text
    spare = f" {hours_text(rest / 60)}" if rest else ""
    unit = "working day" if days == 1 else "working days"
    return f"{text}: {days} {unit}{spare} of {per_day} h"


def _hour(hour: int) -> str:
    return f"{hour:02d}:00"


def working_time_text(draft: SlaDraft, time_zone: str) -> str:
    """The form's working time in one sentence, as the engine will read it."""
    start, end = draft.day_start_hour, draft.day_end_hour
    if start == end:
        hours = "all day"
    elif start < end:
        hours = f"{_hour(start)}\N{EN DASH}{_hour(end)}"
    else:
        hours = f"{_hour(start)}\N{EN DASH}{_hour(end)} the next morning"
    days = _WEEKDAYS if draft.no_sla_on_weekends else "every day of the week"
    holidays = ", except holidays" if draft.no_sla_on_holidays else ", holidays included"
    if draft.wall_clock:
        return (f"Every hour counts; a breach is declared only at working times: {hours}, "
                f"{days}{holidays} ({time_zone}).")
    return (f"Counts {hours}, {days}{holidays}, in {time_zone} time: "
            f"{draft.working_hours_per_day} h a working day.")


# --- The preview --------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketOption:
    id: uuid.UUID
    label: str
    title: str

    @property
    def text(self) -> str:
        return f"{self.label} {self.title}"


def load_ticket_options(workspace: Workspace, user_id: uuid.UUID,
                        sla_id: uuid.UUID | None) -> tuple[TicketOption, ...]:
    """Tickets to try the SLA on: those of the groups applying it (any visible ticket
    when none does), most recently changed first."""
    with workspace.read() as session:
        perms = acl.load_permissions(session, user_id)
        query = (select(Ticket.id, Ticket.number, Ticket.provisional_number, Ticket.title)
                 .where(acl.visible_tickets_clause(perms))
                 .order_by(Ticket.updated_at.desc(), Ticket.id).limit(TICKET_OPTIONS))
        if sla_id is not None:
            groups = list(session.scalars(select(Group.id).where(Group.sla_id == sla_id)))
            if groups:
                query = query.where(Ticket.group_id.in_(groups))
        return tuple(TicketOption(ticket_id, ticket_number_label(number, provisional), title)
                     for ticket_id, number, provisional, title in session.execute(query))


_NUMBER = re.compile(r"^\s*#?\s*(L)?\s*(\d+)", re.IGNORECASE)


def parse_ticket_number(text: str) -> tuple[int, bool] | None:
    """(number, provisional) from "#812", "812 Printer…" or "#L3"; None if no number."""
    found = _NUMBER.match(text)
    return (int(found.group(2)), bool(found.group(1))) if found else None


@dataclass(frozen=True)
class SlaPreview:
    """One ticket evaluated under the form's SLA, as of ``evaluation.until``."""

    ticket_id: uuid.UUID
    ticket_label: str
    title: str
    #: The SLA its group applies today (None: none), to compare with.
    current_sla: str | None
    rules: SlaRules
    evaluation: SlaEvaluation

    @property
    def opened_at(self) -> dt.datetime:
        spans = self.evaluation.spans
        return spans[0].start if spans else self.evaluation.until

    @property
    def breaches(self) -> tuple[tuple[Limit, int], ...]:
        """Breaches by limit, in the limits' order, those with none left out."""
        counts = Counter(violation.limit for violation in self.evaluation.violations)
        return tuple((limit, counts[limit]) for limit in Limit if counts[limit])

    @property
    def summary(self) -> str:
        """"For ticket #12, this SLA would give: compliance 82 % over its life, 3 breaches
        (response x2, inactivity x1), fired now: no"."""
        pct = self.evaluation.compliance_pct
        compliance = ("no counted time yet" if pct is None
                      else f"compliance {pct:.0f} % over its life")
        total = sum(count for _, count in self.breaches)
        if total:
            kinds = ", ".join(f"{limit.value} \N{MULTIPLICATION SIGN}{count}"
                              for limit, count in self.breaches)
            breaches = f"{total} {'breach' if total == 1 else 'breaches'} ({kinds})"
        else:
            breaches = "no breaches"
        fired = self.evaluation.fired_limits
        now = ("yes (" + ", ".join(limit.value for limit in Limit if limit in fired) + ")"
               if fired else "no")
        return (f"For ticket {self.ticket_label}, this SLA would give: {compliance}, "
                f"{breaches}, fired now: {now}")


def breach_lines(preview: SlaPreview, most: int = 8) -> tuple[str, ...]:
    """The breaches one by one ("Response time: 2026-03-02 11:00 until 13:00"), in local
    time, the first ``most`` of them and how many more."""
    lines = []
    for violation in preview.evaluation.violations[:most]:
        start = violation.start.astimezone()
        if violation.end is None:
            until = "still in breach"
        else:
            end = violation.end.astimezone()
            until = f"until {end:%H:%M}" if end.date() == start.date() else \
                f"until {end:%Y-%m-%d %H:%M}"
        lines.append(f"{violation.limit.label}: {start:%Y-%m-%d %H:%M} {until}")
    hidden = len(preview.evaluation.violations) - most
    if hidden > 0:
        lines.append(f"and {hidden} more")
    return tuple(lines)


def preview_sla(workspace: Workspace, user_id: uuid.UUID, draft: SlaDraft,
                sla_id: uuid.UUID | None, ticket_text: str,
                now: dt.datetime | None = None) -> SlaPreview:
    """Evaluate the ticket ``ticket_text`` names (one the person may see) under the
    draft's rules, with the holidays and time zone in force, as of ``now``."""
    wanted = parse_ticket_number(ticket_text)
    if wanted is None:
        raise DomainError(NOT_FOUND, "Type a ticket number, such as #12.", "ticket")
    number, provisional = wanted
    with workspace.read() as session:
        perms = acl.load_permissions(session, user_id)
        column = Ticket.provisional_number if provisional else Ticket.number
        ticket = session.scalar(select(Ticket).where(column == number)
                                .where(acl.visible_tickets_clause(perms)))
        label = ticket_number_label(None if provisional else number,
                                    number if provisional else None)
        timeline = timeline_for(session, ticket.id) if ticket is not None else None
        if ticket is None or timeline is None:
            raise DomainError(NOT_FOUND, f"There is no ticket {label} you can see.", "ticket")
        group = session.get(Group, ticket.group_id)
        current = session.get(Sla, group.sla_id) if group and group.sla_id else None
        rules = draft.rules(sla_id, load_holidays(session), sla_time_zone(session))
        evaluation = evaluate(timeline, rules, now or utc_now())
        return SlaPreview(ticket.id, ticket_number_label(ticket.number,
                                                         ticket.provisional_number),
                          ticket.title, current.name if current else None, rules, evaluation)
