"""The SLA pass: evaluate tickets, record their SLA standing, raise notices (authority only).

For each ticket with an SLA the engine (``sla_engine.evaluate``) works out its compliance
from history up to now; the pass then

- sets ``Ticket.affected_sla_id`` (the list's "SLA fired" flag) to the SLA while a limit
  is in breach, else clears it;
- keeps the ticket's ``TicketSlaState`` row (lifetime compliance in whole percent, the
  limits in breach and since when), written only when one of those values changes, so a
  ticket in breach does not travel to every desktop at every pass. A ticket that no
  longer has an SLA keeps its row, cleared: deleting it and adding another later would
  give desktops a new row for the ticket before the tombstone of the old one when a
  pull spans pages, and the ticket's unique key would stop their sync;
- records an ``SlaNotice`` for the owner when a limit is in breach and nobody was told
  of that limit on that ticket within the notification period
  (``desktopdesk.domain.sla_notices``; the mail comes with the notifications work);
- notes in ``SlaSchedule`` when the ticket's standing next changes by time alone
  (``desktopdesk.domain.sla_forecast``): the scheduled pass evaluates only the tickets
  due then, the ones a command never re-evaluated, and all of them when the SLAs,
  their groups, holidays or time zone change. Its results are the same as evaluating
  every open ticket each time, at a fraction of the work (``benchmarks/sla.py``).

What the pass writes is not an update of the ticket: ``updated_at`` stays as it was
(auto-close and the inactivity clock read it; the pass never feeds itself), but each
written row gets a new change version so desktops pull it. Rows are written with Core
statements, outside ``apply``, so the stamper of ``apply`` never touches them.

Who runs it: the server every five minutes (``desktopdesk.server.jobs``) and after every
command touching a ticket (``Workspace.apply_in``), and a standalone desktop on its
background runner (:func:`run_sla_pass`). A replica never does: the server's verdict
arrives by sync.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, cast

from sqlalchemy import Table, and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desktopdesk.domain import settings
from desktopdesk.domain.context import ApplyContext
from desktopdesk.domain.counters import CHANGE_SEQUENCE, next_value
from desktopdesk.domain.settings import get_setting
from desktopdesk.domain.sla_config import SlaCatalog, load_sla_catalog
from desktopdesk.domain.sla_engine import evaluate
from desktopdesk.domain.sla_forecast import next_change_at, rounded_compliance
from desktopdesk.domain.sla_model import Limit, SlaEvaluation, SlaRules
from desktopdesk.domain.sla_notices import open_cap_notices, ticket_notices
from desktopdesk.domain.sla_timeline import CHUNK, IdCache, chunks, load_timelines, raw_id
from desktopdesk.models import (
    Counter,
    Group,
    HistoryEvent,
    SlaNotice,
    SlaSchedule,
    Status,
    Ticket,
    TicketSlaState,
    WorkspaceInfo,
    new_id,
)

log = logging.getLogger("desktopdesk.domain.sla")

#: ``WorkspaceInfo`` key: the SLA catalog the last scheduled pass evaluated under.
CATALOG_FINGERPRINT = "sla_catalog_fingerprint"
#: The ``WorkspaceInfo`` role of a store that defers to a server (``store.workspace.Role``).
REPLICA_ROLE = "replica"
#: Tickets are evaluated up to just after ``now``: the engine's spans end at ``until``, so
#: a workunit written at ``now`` (the command this pass follows) would not yet answer.
#: What happened at ``now`` is in force at ``now``, as in ``TicketTimeline.status_at``.
SETTLE = dt.timedelta(microseconds=1)

_STATES = cast(Table, TicketSlaState.__table__)
_TICKETS = cast(Table, Ticket.__table__)
_NOTICES = cast(Table, SlaNotice.__table__)
_SCHEDULE = cast(Table, SlaSchedule.__table__)


class NotAuthorityError(RuntimeError):
    """The SLA pass was asked of a replica: only the authority records SLA standing."""


@dataclass(frozen=True)
class SlaPassOutcome:
    """What one pass did, for the log and the job's recorded outcome."""

    evaluated: int = 0
    #: Tickets in breach after the pass, among those evaluated.
    fired: int = 0
    #: Tickets whose "SLA fired" flag changed (set, cleared or another SLA).
    flags_changed: tuple[uuid.UUID, ...] = ()
    states_written: int = 0
    #: Rows of tickets that no longer have an SLA, emptied.
    states_cleared: int = 0
    notices: int = 0
    #: False when the store is not the authority and nothing was done.
    ran: bool = True

    @property
    def summary(self) -> str:
        if not self.ran:
            return "not the authority: the server evaluates SLAs"
        return (f"{self.evaluated} ticket(s) evaluated, {self.fired} in breach; "
                f"{len(self.flags_changed)} fired flag(s) changed, {self.states_written} "
                f"state(s) written, {self.states_cleared} cleared, {self.notices} notice(s)")


@dataclass
class _Plan:
    """What a pass found to write; written at the end, in a few statements."""

    evaluated: int = 0
    fired: int = 0
    flags: dict[uuid.UUID, uuid.UUID | None] = field(default_factory=dict)
    upserts: list[dict[str, Any]] = field(default_factory=list)
    cleared: int = 0
    notices: list[dict[str, Any]] = field(default_factory=list)
    #: When each evaluated ticket is next due (None: only an event changes it).
    due: dict[uuid.UUID, dt.datetime | None] = field(default_factory=dict)
    #: Tickets without an SLA any more: nothing to schedule.
    unscheduled: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class _Moment:
    """When the pass runs, and how far back a notice still counts."""

    now: dt.datetime
    period: dt.timedelta

    @property
    def told_since(self) -> dt.datetime:
        return self.now - self.period


@dataclass(frozen=True)
class _Standing:
    """The values of a ``TicketSlaState`` row that desktops show."""

    sla_id: uuid.UUID | None
    compliance_pct: int | None
    fired_limits: str
    fired_since: dt.datetime | None


#: The standing of a ticket without an SLA (its row is kept, emptied).
CLEARED = _Standing(sla_id=None, compliance_pct=None, fired_limits="", fired_since=None)


class _TicketRow(NamedTuple):
    id: uuid.UUID
    group_id: uuid.UUID
    sla_disabled: bool
    affected_sla_id: uuid.UUID | None
    owner_id: uuid.UUID


class _StateRow(NamedTuple):
    id: uuid.UUID
    standing: _Standing


def refresh_sla_states(session: Session, now: dt.datetime,
                       ticket_ids: Collection[uuid.UUID] | None = None) -> SlaPassOutcome:
    """Evaluate tickets at ``now`` and record what changed, in the caller's transaction.

    ``ticket_ids`` None is the scheduled pass: every open ticket with an SLA, every
    ticket still marked fired or holding a state row its SLA no longer explains, and
    each group's open-ticket cap; when SLAs, their groups, holidays or the time zone
    changed since the last scheduled pass (or at the first), every ticket under an SLA,
    closed ones too. Raises ``NotAuthorityError`` on a replica.
    """
    if now.tzinfo is None:
        raise ValueError("the SLA pass needs a timezone-aware 'now'")
    if is_replica(session):
        raise NotAuthorityError("only the authority evaluates SLAs; a replica gets them by sync")
    session.flush()
    scheduled = ticket_ids is None
    ids = IdCache()
    wanted: list[uuid.UUID] = []
    if ticket_ids is not None:
        wanted = _worth_evaluating(session, ticket_ids)
        if not wanted:
            return SlaPassOutcome()
    catalog = load_sla_catalog(session)
    period = dt.timedelta(hours=get_setting(session, settings.SLA_NOTIFICATION_PERIOD_HOURS))
    fingerprint = catalog.fingerprint
    # What was committed when this pass began reading; a change committed after it by a
    # command is newer than what the pass read (PostgreSQL: commands commit meanwhile).
    read_upto = current_sequence(session) if scheduled else None
    if scheduled:
        wanted = _scheduled_candidates(session, catalog, fingerprint, ids, now)
    plan, moment = _Plan(), _Moment(now, period)
    for chunk in chunks(wanted, CHUNK):
        _evaluate_chunk(session, moment, catalog, chunk, ids, plan)
    if scheduled:
        plan.notices.extend(open_cap_notices(session, catalog, now, moment.told_since))
    outcome = _write(session, now, plan, read_upto)
    if scheduled:
        session.merge(WorkspaceInfo(key=CATALOG_FINGERPRINT, value=fingerprint))
        session.flush()
    if outcome.flags_changed or outcome.notices:
        log.info("SLA pass: %s", outcome.summary)
    return outcome


def is_replica(session: Session) -> bool:
    role = session.get(WorkspaceInfo, "role")
    return role is not None and role.value == REPLICA_ROLE


# --- Which tickets --------------------------------------------------------------------------


def _worth_evaluating(session: Session, ticket_ids: Collection[uuid.UUID]) -> list[uuid.UUID]:
    """Of ``ticket_ids``, those with an SLA, a fired flag or a state row: a command on a
    ticket of a group without SLA costs one query."""
    found: set[uuid.UUID] = set()
    for chunk in chunks(sorted(set(ticket_ids)), CHUNK):
        has_state = select(TicketSlaState.id).where(TicketSlaState.ticket_id == Ticket.id,
                                                    TicketSlaState.sla_id.is_not(None))
        found.update(session.scalars(
            select(Ticket.id).join(Group, Group.id == Ticket.group_id).where(
                Ticket.id.in_(chunk),
                or_(and_(Group.sla_id.is_not(None), Ticket.sla_disabled.is_(False)),
                    Ticket.affected_sla_id.is_not(None), has_state.exists()))))
    return sorted(found)


def _scheduled_candidates(session: Session, catalog: SlaCatalog, fingerprint: str,
                          ids: IdCache, now: dt.datetime) -> list[uuid.UUID]:
    connection = session.connection()
    stored = session.get(WorkspaceInfo, CATALOG_FINGERPRINT)
    # SLAs, their groups, holidays or the time zone changed since the last pass (or this
    # is the first): compliance is worked out again for every ticket under an SLA, closed
    # ones included, so each has a state row true to the rules in force.
    redo_all = stored is None or stored.value != fingerprint
    if redo_all:
        queries = [select(raw_id(Ticket.id)).where(Ticket.affected_sla_id.is_not(None)),
                   select(raw_id(_STATES.c.ticket_id)).where(_STATES.c.sla_id.is_not(None))]
        queries.extend(select(raw_id(Ticket.id)).where(
            Ticket.group_id.in_(chunk), Ticket.sla_disabled.is_(False))
            for chunk in chunks(catalog.groups_with_sla, CHUNK))
    else:
        unscheduled = ~select(_SCHEDULE.c.ticket_id).where(
            _SCHEDULE.c.ticket_id == Ticket.id).exists()
        # Due now; never evaluated (the pass after a command failed, a ticket from
        # before); fired or under an SLA yet not scheduled.
        queries = [select(raw_id(_SCHEDULE.c.ticket_id)).where(_SCHEDULE.c.due_at <= now),
                   select(raw_id(Ticket.id)).where(Ticket.affected_sla_id.is_not(None),
                                                   unscheduled)]
        queries.extend(select(raw_id(Ticket.id)).where(
            Ticket.group_id.in_(chunk), Ticket.sla_disabled.is_(False),
            Ticket.status != Status.CLOSED, unscheduled)
            for chunk in chunks(catalog.groups_with_sla, CHUNK))
        queries.append(
            select(raw_id(_STATES.c.ticket_id))
            .join(Ticket, Ticket.id == _STATES.c.ticket_id)
            .join(Group, Group.id == Ticket.group_id)
            .where(_STATES.c.sla_id.is_not(None),
                   or_(Ticket.sla_disabled.is_(True), Group.sla_id.is_(None),
                       _STATES.c.sla_id != Group.sla_id)))
    found = {raw for query in queries for raw in connection.execute(query).scalars()}
    return sorted(ids(raw) for raw in found)


# --- Evaluating -----------------------------------------------------------------------------


def _evaluate_chunk(session: Session, moment: _Moment, catalog: SlaCatalog,
                    chunk: Sequence[uuid.UUID], ids: IdCache, plan: _Plan) -> None:
    tickets, states = _read_chunk(session, chunk, ids)
    ruled: dict[uuid.UUID, SlaRules] = {}
    for ticket_id, ticket in tickets.items():
        rules = None if ticket.sla_disabled else catalog.rules_for_group(ticket.group_id)
        if rules is not None:
            ruled[ticket_id] = rules
            continue
        if ticket.affected_sla_id is not None:
            plan.flags[ticket_id] = None
        state = states.get(ticket_id)
        if state is not None and state.standing != CLEARED:
            plan.upserts.append(_state_values(state.id, ticket_id, CLEARED))
            plan.cleared += 1
        plan.unscheduled.append(ticket_id)
    timelines = load_timelines(session, list(ruled))
    fired: dict[uuid.UUID, tuple[SlaRules, SlaEvaluation]] = {}
    for ticket_id, rules in ruled.items():
        ticket = tickets[ticket_id]
        timeline = timelines[ticket_id]
        evaluation = evaluate(timeline, rules, moment.now + SETTLE)
        plan.due[ticket_id] = next_change_at(timeline, rules, evaluation)
        plan.evaluated += 1
        affected = rules.sla_id if evaluation.fired_limits else None
        if evaluation.fired_limits:
            plan.fired += 1
            fired[ticket_id] = (rules, evaluation)
        if affected != ticket.affected_sla_id:
            plan.flags[ticket_id] = affected
        standing = standing_of(evaluation, rules)
        state = states.get(ticket_id)
        if state is None or standing != state.standing:
            plan.upserts.append(_state_values(state.id if state is not None else new_id(),
                                              ticket_id, standing))
    plan.notices.extend(ticket_notices(
        session, moment.now, moment.told_since,
        {ticket_id: tickets[ticket_id].owner_id for ticket_id in fired}, fired, ids))


def _state_values(state_id: uuid.UUID, ticket_id: uuid.UUID,
                  standing: _Standing) -> dict[str, Any]:
    return {"id": state_id, "ticket_id": ticket_id, "sla_id": standing.sla_id,
            "compliance_pct": standing.compliance_pct, "fired_limits": standing.fired_limits,
            "fired_since": standing.fired_since}


def _read_chunk(session: Session, chunk: Sequence[uuid.UUID],
                ids: IdCache) -> tuple[dict[uuid.UUID, _TicketRow], dict[uuid.UUID, _StateRow]]:
    """The chunk's tickets and state rows, as plain values (Core, ids converted once)."""
    connection = session.connection()
    ids.learn(chunk)
    tickets = {}
    for raw_ticket, raw_group, disabled, raw_sla, raw_owner in connection.execute(
            select(raw_id(Ticket.id), raw_id(Ticket.group_id), Ticket.sla_disabled,
                   raw_id(Ticket.affected_sla_id), raw_id(Ticket.owner_id))
            .where(Ticket.id.in_(chunk))):
        ticket_id = ids(raw_ticket)
        tickets[ticket_id] = _TicketRow(ticket_id, ids(raw_group), bool(disabled),
                                        ids.optional(raw_sla), ids(raw_owner))
    states = {}
    for raw_state, raw_ticket, raw_sla, pct, limits, since in connection.execute(
            select(raw_id(_STATES.c.id), raw_id(_STATES.c.ticket_id), raw_id(_STATES.c.sla_id),
                   _STATES.c.compliance_pct, _STATES.c.fired_limits, _STATES.c.fired_since)
            .where(_STATES.c.ticket_id.in_(chunk))):
        states[ids(raw_ticket)] = _StateRow(ids(raw_state), _Standing(
            ids.optional(raw_sla), pct, limits, since))
    return tickets, states


def standing_of(evaluation: SlaEvaluation, rules: SlaRules) -> _Standing:
    limits = evaluation.fired_limits
    return _Standing(
        sla_id=rules.sla_id,
        compliance_pct=whole_percent(evaluation),
        fired_limits=",".join(limit.value for limit in Limit if limit in limits),
        fired_since=evaluation.fired_since,
    )


def whole_percent(evaluation: SlaEvaluation) -> int | None:
    """Compliance rounded to a whole percent, where 100 means never in breach and 0 never
    compliant (99.7 % with a breach shows 99, not 100)."""
    return rounded_compliance(evaluation.ok_seconds, evaluation.violated_seconds)


# --- Writing --------------------------------------------------------------------------------


def _write(session: Session, now: dt.datetime, plan: _Plan,
           read_upto: int | None) -> SlaPassOutcome:
    """Everything found, under one new change version taken last (on PostgreSQL the
    counter row stays locked until commit: commands wait for the writes, not the
    evaluation).

    ``read_upto``: the change sequence when the scheduled pass began reading. Holding the
    counter, no command can commit any more before this transaction does; tickets a
    command changed since ``read_upto`` were evaluated again by that command, with their
    newer history, so what this pass found for them is dropped, not written over it.
    """
    if read_upto is not None and (plan.flags or plan.upserts or plan.due or plan.notices):
        version: int | None = next_value(session, CHANGE_SEQUENCE)
        _drop_changed_meanwhile(session, plan, read_upto)
    else:
        version = None
    if plan.flags or plan.upserts:
        if version is None:
            version = next_value(session, CHANGE_SEQUENCE)
        if plan.flags:
            session.execute(
                update(_TICKETS).where(_TICKETS.c.id == bindparam("b_ticket"))
                .values(affected_sla_id=bindparam("b_sla"), version=version),
                [{"b_ticket": ticket_id, "b_sla": sla_id}
                 for ticket_id, sla_id in plan.flags.items()])
        if plan.upserts:
            _upsert_states(session, now, version, plan.upserts)
        _forget_stale_objects(session, plan)
    if plan.notices:
        session.execute(insert(_NOTICES), plan.notices)
    _write_schedule(session, plan)
    return SlaPassOutcome(
        evaluated=plan.evaluated, fired=plan.fired, flags_changed=tuple(plan.flags),
        states_written=len(plan.upserts) - plan.cleared, states_cleared=plan.cleared,
        notices=len(plan.notices))


def current_sequence(session: Session) -> int:
    """The change sequence as committed (read, not advanced)."""
    with session.no_autoflush:
        value = session.scalar(select(Counter.value).where(Counter.name == CHANGE_SEQUENCE))
    return value or 0


def _drop_changed_meanwhile(session: Session, plan: _Plan, read_upto: int) -> None:
    """Forget what the plan says of tickets changed by a command since ``read_upto``."""
    planned = set(plan.flags) | set(plan.due) | {row["ticket_id"] for row in plan.upserts}
    changed: set[uuid.UUID] = set()
    for chunk in chunks(sorted(planned), CHUNK):
        changed.update(session.scalars(
            select(HistoryEvent.ticket_id).where(HistoryEvent.ticket_id.in_(chunk),
                                                 HistoryEvent.version > read_upto)
            .union(select(Ticket.id).where(Ticket.id.in_(chunk), Ticket.version > read_upto))))
    if not changed:
        return
    log.info("SLA pass: %d ticket(s) changed while it ran; their commands evaluated them",
             len(changed))
    for ticket_id in changed:
        plan.flags.pop(ticket_id, None)
        plan.due.pop(ticket_id, None)
    kept = [row for row in plan.upserts if row["ticket_id"] not in changed]
    plan.cleared -= sum(1 for row in plan.upserts
                        if row["ticket_id"] in changed and row["sla_id"] is None)
    plan.upserts[:] = kept
    plan.notices[:] = [notice for notice in plan.notices if notice["ticket_id"] not in changed]


def _write_schedule(session: Session, plan: _Plan) -> None:
    """When each evaluated ticket is next due; tickets without an SLA leave the schedule."""
    for chunk in chunks(plan.unscheduled, CHUNK):
        session.execute(delete(_SCHEDULE).where(_SCHEDULE.c.ticket_id.in_(chunk)))
    _schedule(session, plan.due)


def mark_due(session: Session, ticket_ids: Collection[uuid.UUID], at: dt.datetime) -> None:
    """Have the next scheduled pass evaluate ``ticket_ids`` (whose evaluation after a
    command failed): without this, a ticket whose clocks were stopped would wait for the
    next command."""
    _schedule(session, dict.fromkeys(ticket_ids, at))


def _schedule(session: Session, due: dict[uuid.UUID, dt.datetime | None]) -> None:
    """Insert or update each ticket's next due moment."""
    if not due:
        return
    dialect = session.get_bind().dialect.name
    make_insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = make_insert(_SCHEDULE)
    session.execute(
        statement.on_conflict_do_update(index_elements=[_SCHEDULE.c.ticket_id],
                                        set_={"due_at": statement.excluded.due_at}),
        [{"ticket_id": ticket_id, "due_at": at} for ticket_id, at in due.items()])


def _upsert_states(session: Session, now: dt.datetime, version: int,
                   rows: list[dict[str, Any]]) -> None:
    """Insert or update by ticket: a command's hook and the scheduled pass may meet on
    PostgreSQL, and neither must fail the other on the unique ticket id."""
    dialect = session.get_bind().dialect.name
    make_insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = [{**row, "version": version, "created_at": now, "updated_at": now}
              for row in rows]
    statement = make_insert(_STATES)
    upsert = statement.on_conflict_do_update(
        index_elements=[_STATES.c.ticket_id],
        set_={name: statement.excluded[name] for name in (
            "sla_id", "compliance_pct", "fired_limits", "fired_since", "version",
            "updated_at")})
    session.execute(upsert, values)


def _forget_stale_objects(session: Session, plan: _Plan) -> None:
    """Rows changed behind the ORM's back are reloaded when next read in this session."""
    written = {row["ticket_id"] for row in plan.upserts}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Ticket) and obj.id in plan.flags:
            session.expire(obj, ["affected_sla_id", "version"])
        elif isinstance(obj, TicketSlaState) and obj.ticket_id in written:
            session.expire(obj)


# --- A standalone desktop -------------------------------------------------------------------


class Store(Protocol):
    """What a pass needs of a store (``desktopdesk.store.workspace.Workspace`` is one)."""

    def context(self, now: dt.datetime | None = None) -> ApplyContext: ...

    def user_action(self) -> AbstractContextManager[Session]: ...


def run_sla_pass(store: Store, now: dt.datetime | None = None) -> SlaPassOutcome:
    """The scheduled pass on a standalone store, in one transaction of its own; a replica
    does nothing (``ran`` False): the server runs it and its verdict arrives by sync."""
    moment = now or dt.datetime.now(dt.UTC)
    if not store.context(moment).is_authority:
        return SlaPassOutcome(ran=False)
    try:
        with store.user_action() as session:
            return refresh_sla_states(session, moment)
    except OperationalError:
        # SQLite: the pass reads first and writes last; a change the person saved in
        # between makes its snapshot too old to write from. Once more, from a fresh one.
        log.info("SLA pass met a concurrent change; evaluating again")
        with store.user_action() as session:
            return refresh_sla_states(session, moment)
