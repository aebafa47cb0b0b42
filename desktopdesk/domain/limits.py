"""Per-group ticket limits, counted per creator over the last 365 days.

Integria counted every ticket of the group for grouped users and only checked in the
browser; we count the creator's own tickets, and check in ``apply`` so the server
enforces it too.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktopdesk.domain.errors import GROUP_LIMIT, DomainError
from desktopdesk.models import Group, LimitMode, Status, Ticket

WINDOW = dt.timedelta(days=365)


def check_group_limits(
    session: Session, group: Group, creator_id: uuid.UUID, now: dt.datetime
) -> str | None:
    """Raise when a forced limit is reached; return a warning for a notify limit."""
    if not group.open_ticket_limit and not group.total_ticket_limit:
        return None
    since = now - WINDOW
    base = (
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.group_id == group.id,
            Ticket.creator_id == creator_id,
            Ticket.created_at >= since,
        )
    )
    message = None
    if group.total_ticket_limit:
        total = session.scalar(base) or 0
        if total >= group.total_ticket_limit:
            message = (
                f"Group '{group.name}' allows {group.total_ticket_limit} tickets per person a "
                f"year; this creator already has {total}."
            )
    if message is None and group.open_ticket_limit:
        open_count = session.scalar(base.where(Ticket.status != Status.CLOSED)) or 0
        if open_count >= group.open_ticket_limit:
            message = (
                f"Group '{group.name}' allows {group.open_ticket_limit} open tickets per "
                f"person; this creator already has {open_count}."
            )
    if message is None:
        return None
    if group.limit_mode == LimitMode.FORCED:
        raise DomainError(GROUP_LIMIT, message + " You cannot create more tickets.", "group_id")
    return message
