"""The status mapping: which status changes are allowed, checked on every change."""

from __future__ import annotations

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
