"""The status mapping: which status changes are allowed, checked on every change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain.errors import INVALID_TRANSITION, DomainError
from desktopdesk.models import AT_CREATION, Status, StatusTransition


def _mapping(session: Session) -> set[tuple[int, int]]:
    rows = session.execute(select(StatusTransition.from_status, StatusTransition.to_status))
    # Unpacking rows (not ``Result.tuples()``, deprecated in SQLAlchemy 2.1) suits 2.0 and 2.1.
    return {(frm, to) for frm, to in rows}


def allowed_next_statuses(session: Session, current: Status) -> list[Status]:
    """Statuses offered from ``current`` (``current`` itself excluded).

    With no transition rows at all every move is open. A closed ticket can only go to
    Reopened, whatever the mapping says, since reopening is what leaving Closed means.
    """
    if current is Status.CLOSED:
        candidates = [Status.REOPENED]
    else:
        candidates = [s for s in Status if s is not current]
    pairs = {p for p in _mapping(session) if p[0] != AT_CREATION}
    if not pairs:
        return candidates
    return [s for s in candidates if (current, s) in pairs]


def creation_statuses(session: Session) -> list[Status]:
    """Statuses a new ticket may start in, the default first.

    Without creation rows every open status is allowed (a technician logging a call
    they are already handling files it as Assigned), with New as the default.
    """
    initial = sorted(Status(to) for frm, to in _mapping(session) if frm == AT_CREATION)
    return initial or [s for s in Status if s is not Status.CLOSED]


def check_transition(session: Session, current: Status, target: Status) -> None:
    if target in allowed_next_statuses(session, current):
        return
    # Reopening refused by the mapping must say so, not "can only be reopened".
    if current is Status.CLOSED and target is not Status.REOPENED:
        message = "A closed ticket can only be reopened."
    else:
        message = f"The status mapping does not allow {current.label} -> {target.label}."
    raise DomainError(INVALID_TRANSITION, message, "status")


def check_creation_status(session: Session, status: Status) -> None:
    allowed = creation_statuses(session)
    if status not in allowed:
        names = ", ".join(s.label for s in allowed)
        raise DomainError(
            INVALID_TRANSITION,
            f"A new ticket cannot start as {status.label}; allowed: {names}.",
            "status",
        )


# --- The status mapping editor ------------------------------------------------------------

#: A mapping as stored: (from, to) pairs, ``from`` ``AT_CREATION`` (0) for creation rows.
Mapping = tuple[tuple[int, int], ...]


def stored_mapping(session: Session) -> Mapping:
    """The mapping as the editor shows it: every row, sorted (empty: the open workflow)."""
    return tuple(sorted(_mapping(session)))


def _possible_moves() -> list[tuple[Status, Status]]:
    """Every move a mapping may allow: any status to any other, but from Closed only to
    Reopened (leaving Closed is reopening)."""
    return [(a, b) for a in Status for b in Status
            if a is not b and (a is not Status.CLOSED or b is Status.REOPENED)]


def open_workflow() -> Mapping:
    """Every move allowed and every open status allowed at creation, written out.

    Behaves exactly like an empty mapping (Integria's default, "open" cycle), but as
    explicit rows the editor's grid shows every box ticked.
    """
    creation = [(AT_CREATION, int(s)) for s in Status if s is not Status.CLOSED]
    return tuple(sorted(creation + [(int(a), int(b)) for a, b in _possible_moves()]))


def manual_example() -> Mapping:
    """The manual's practical example, as a preset.

    1. New can only go to Assigned or Pending on a third person;
    2. from either, only to Pending to be closed;
    3. only from Pending to be closed to Closed;
    4. from Closed only back to Reopened.

    The manual names no creation statuses; tickets start New, so New is the one creation
    status here (otherwise an owner could file a ticket straight into any status and skip
    the order the example exists to enforce). It says nothing about leaving Reopened
    either, so nothing leaves it: ``mapping_problems`` names that dead end.
    """
    s = Status
    return tuple(sorted((int(a), int(b)) for a, b in (
        (AT_CREATION, s.NEW),
        (s.NEW, s.ASSIGNED), (s.NEW, s.PENDING_THIRD_PERSON),
        (s.ASSIGNED, s.PENDING_TO_BE_CLOSED), (s.PENDING_THIRD_PERSON, s.PENDING_TO_BE_CLOSED),
        (s.PENDING_TO_BE_CLOSED, s.CLOSED),
        (s.CLOSED, s.REOPENED),
    )))


NO_CREATION_STATUS = "no_creation_status"
UNREACHABLE = "unreachable"
CLOSED_UNREACHABLE = "closed_unreachable"
NO_WAY_OUT = "no_way_out"
NEVER_CLOSES = "never_closes"


@dataclass(frozen=True)
class MappingProblem:
    """One warning about a mapping, for the editor to show before saving."""

    #: ``no_creation_status``, ``unreachable``, ``closed_unreachable``, ``no_way_out`` or
    #: ``never_closes``.
    kind: str
    statuses: tuple[Status, ...]
    message: str


def mapping_problems(transitions: Iterable[tuple[int, int]],
                     creation_statuses: Iterable[int]) -> tuple[MappingProblem, ...]:
    """Dead ends of a mapping, as warnings naming the statuses.

    ``transitions`` are the moves (rows from ``AT_CREATION`` among them are ignored);
    ``creation_statuses`` the statuses allowed at creation (none: every open one, as
    :func:`creation_statuses` reads it). Judged the way the rules are applied: no moves at
    all is the open workflow (nothing to warn about), and from Closed only Reopened counts.
    Warns about restricted moves with no creation status ticked (every open status is
    then a start, which is rarely what was meant), statuses never reached from the
    creation statuses, Closed never reached, reached statuses with no way out, and reached
    statuses from which Closed cannot be reached.
    """
    possible = set(_possible_moves())
    moves = {(Status(a), Status(b)) for a, b in transitions
             if a != AT_CREATION and (Status(a), Status(b)) in possible}
    if not moves:
        return ()
    problems: list[MappingProblem] = []
    starts = {Status(s) for s in creation_statuses
              if s != AT_CREATION and Status(s) is not Status.CLOSED}
    if not starts:
        starts = {s for s in Status if s is not Status.CLOSED}
        problems.append(MappingProblem(
            NO_CREATION_STATUS, (),
            "No status is allowed at creation, so a new ticket may start in any open status."))
    reached = _reachable(starts, moves)
    unreachable = tuple(s for s in Status if s not in reached and s is not Status.CLOSED)
    if unreachable:
        problems.append(MappingProblem(
            UNREACHABLE, unreachable,
            f"Never reached from the creation statuses: {_names(unreachable)}."))
    if Status.CLOSED not in reached:
        problems.append(MappingProblem(
            CLOSED_UNREACHABLE, (Status.CLOSED,),
            "Closed cannot be reached: tickets could never be closed."))
    stuck = tuple(s for s in Status if s in reached and s is not Status.CLOSED
                  and not any(a is s for a, _ in moves))
    if stuck:
        problems.append(MappingProblem(
            NO_WAY_OUT, stuck,
            f"No way out of {_names(stuck)}: tickets there stay there."))
    if Status.CLOSED in reached:
        closing = _reachable({Status.CLOSED}, {(b, a) for a, b in moves})
        trapped = tuple(s for s in Status if s in reached and s not in closing
                        and s not in stuck and s is not Status.CLOSED)
        if trapped:
            problems.append(MappingProblem(
                NEVER_CLOSES, trapped,
                f"Tickets in {_names(trapped)} can never reach Closed."))
    return tuple(problems)


def _reachable(starts: set[Status], moves: set[tuple[Status, Status]]) -> set[Status]:
    reached = set(starts)
    frontier = list(starts)
    while frontier:
        current = frontier.pop()
        for a, b in moves:
            if a is current and b not in reached:
                reached.add(b)
                frontier.append(b)
    return reached


def _names(statuses: Iterable[Status]) -> str:
    return ", ".join(s.label for s in statuses)
