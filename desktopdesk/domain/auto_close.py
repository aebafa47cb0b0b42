"""Closing idle tickets (the ``auto_close_days`` setting): no Qt, no server.

Integria's daily job closes each ticket that is New, Unconfirmed, Assigned, Reopened or
Pending to be closed (not Pending on a third person: that wait is someone else's) and
that nobody updated for the setting's number of days, as Expired, with a workunit by its
owner saying why. Integria counts days, whatever its manual says (hours).

Here that is two ordinary commands per ticket, ``AddWorkunit`` and ``CloseTicket``,
applied as the owner: every rule still holds (a status mapping without a way to Closed,
an owner who may no longer work the ticket) and refuses that ticket alone, which is then
left open with a line in the log. History, the command log and the sync see an ordinary
close. Each ticket is one unit, applied whole or not at all.

Who runs it: the server's scheduled job (``desktopdesk.server.jobs``), and a standalone
desktop (no server) once at start, on its background runner (:func:`run_auto_close`).
A desktop that syncs leaves it to the server.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain import settings
from desktopdesk.domain.commands import AddWorkunit, CloseTicket, Command
from desktopdesk.domain.context import ApplyContext, CommandResult
from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.domain.settings import get_setting
from desktopdesk.models import Resolution, Status, Ticket

log = logging.getLogger("desktopdesk.domain.auto_close")

#: Integria's ``estado IN (1,2,3,4,5)``: open, and not waiting on a third person.
CLOSABLE_STATUSES = (Status.NEW, Status.UNCONFIRMED, Status.ASSIGNED, Status.REOPENED,
                     Status.PENDING_TO_BE_CLOSED)
#: Tickets read per query: a first run on an old store may find many.
BATCH = 500

#: Applies one ticket's commands as its owner, all or nothing; raises ``DomainError``
#: when a rule refuses one of them (and then nothing of that ticket is written).
ApplyAsOwner = Callable[[Sequence[Command], uuid.UUID], object]


@dataclass(frozen=True)
class IdleTicket:
    id: uuid.UUID
    number_label: str
    owner_id: uuid.UUID


@dataclass(frozen=True)
class AutoCloseOutcome:
    """What one run did: tickets closed, and those a rule kept open (with why)."""

    days: int
    closed: tuple[uuid.UUID, ...] = ()
    skipped: tuple[tuple[uuid.UUID, str], ...] = ()

    @property
    def summary(self) -> str:
        if self.days <= 0:
            return "auto-close is off"
        said = f"{len(self.closed)} idle ticket(s) closed"
        if self.skipped:
            said += f", {len(self.skipped)} left open (refused)"
        return said


def closing_note(days: int) -> str:
    """The workunit that says why the ticket was closed."""
    unit = "day" if days == 1 else "days"
    return (f"<p>Closed automatically as Expired: nobody updated this ticket for {days} "
            f"{unit} (setting &#8220;Auto-close after (days)&#8221;).</p>")


def closing_commands(days: int, ticket_id: uuid.UUID) -> tuple[AddWorkunit, CloseTicket]:
    """The two commands that close one idle ticket, note first."""
    return (AddWorkunit(ticket_id=ticket_id, text_html=closing_note(days), hours=0.0),
            CloseTicket(ticket_id=ticket_id, resolution=Resolution.EXPIRED))


def idle_since(now: dt.datetime, days: int) -> dt.datetime:
    """Tickets last updated before this are idle."""
    return now - dt.timedelta(days=days)


def idle_tickets(session: Session, cutoff: dt.datetime, *, after: uuid.UUID | None = None,
                 limit: int = BATCH) -> list[IdleTicket]:
    """Up to ``limit`` closable tickets last updated before ``cutoff``, by id from
    ``after`` (so a run pages through them, and one left open is not read again)."""
    query = (select(Ticket.id, Ticket.number, Ticket.provisional_number, Ticket.owner_id)
             .where(Ticket.status.in_(CLOSABLE_STATUSES), Ticket.updated_at < cutoff)
             .order_by(Ticket.id).limit(limit))
    if after is not None:
        query = query.where(Ticket.id > after)
    return [IdleTicket(ticket_id, ticket_number_label(number, provisional), owner_id)
            for ticket_id, number, provisional, owner_id in session.execute(query)]


def close_idle_tickets(read: Callable[[uuid.UUID | None], list[IdleTicket]], days: int,
                       apply_as_owner: ApplyAsOwner) -> AutoCloseOutcome:
    """Close every idle ticket ``read`` pages out (by id, after the one given), one
    ticket per ``apply_as_owner``; a refused ticket is logged and left open."""
    closed: list[uuid.UUID] = []
    skipped: list[tuple[uuid.UUID, str]] = []
    after: uuid.UUID | None = None
    while batch := read(after):
        for ticket in batch:
            try:
                apply_as_owner(closing_commands(days, ticket.id), ticket.owner_id)
            except DomainError as refusal:
                log.info("auto-close left %s open: %s", ticket.number_label, refusal.message)
                skipped.append((ticket.id, refusal.message))
            else:
                closed.append(ticket.id)
        after = batch[-1].id
    outcome = AutoCloseOutcome(days, tuple(closed), tuple(skipped))
    if closed or skipped:
        log.info("auto-close (%d days): %s", days, outcome.summary)
    return outcome


def auto_close_days(session: Session) -> int:
    return get_setting(session, settings.AUTO_CLOSE_DAYS)


class Store(Protocol):
    """What a run needs of a store (``desktopdesk.store.workspace.Workspace`` is one; the
    domain does not import the store)."""

    def read(self) -> AbstractContextManager[Session]: ...

    def context(self, now: dt.datetime | None = None) -> ApplyContext: ...

    def execute_all(self, commands: Sequence[Command], actor_id: uuid.UUID, *,
                    now: dt.datetime | None = None) -> list[CommandResult]: ...


def run_auto_close(store: Store, now: dt.datetime | None = None) -> AutoCloseOutcome:
    """Close the idle tickets of a standalone store, each ticket in its own transaction
    (``execute_all``); for the desktop's background runner at start.

    A replica does nothing: the server runs the job, and its closes arrive by sync.
    """
    moment = now or dt.datetime.now(dt.UTC)
    if not store.context(moment).is_authority:
        return AutoCloseOutcome(0)
    with store.read() as session:
        days = auto_close_days(session)
    if days <= 0:
        return AutoCloseOutcome(days)
    cutoff = idle_since(moment, days)

    def read(after: uuid.UUID | None) -> list[IdleTicket]:
        with store.read() as session:
            return idle_tickets(session, cutoff, after=after)

    def apply_as_owner(commands: Sequence[Command], owner_id: uuid.UUID) -> object:
        return store.execute_all(commands, owner_id, now=moment)

    return close_idle_tickets(read, days, apply_as_owner)
