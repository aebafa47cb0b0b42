"""Writing a workunit row: shared by AddWorkunit and the automatic workunits."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import TYPE_CHECKING

from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.html import plain_text, sanitize_html
from desktopdesk.models import Ticket, Workunit, WorkunitShare, new_id

if TYPE_CHECKING:
    from desktopdesk.domain.apply import Action

MAX_HOURS = 1000.0


def check_hours(hours: float) -> float:
    if not math.isfinite(hours) or hours < 0:
        raise DomainError(VALIDATION, "Time used must be zero or more hours.", "hours")
    if hours > MAX_HOURS:
        raise DomainError(VALIDATION, f"Time used cannot exceed {MAX_HOURS:g} hours in one "
                                      "workunit.", "hours")
    return round(hours, 2)


def add_workunit_row(
    action: Action,
    ticket: Ticket,
    *,
    text_html: str,
    hours: float,
    workunit_id: uuid.UUID | None = None,
    is_private: bool = False,
    is_internal: bool = False,
    has_cost: bool = False,
    profile_id: uuid.UUID | None = None,
    shared_with_ids: tuple[uuid.UUID, ...] = (),
    completed_at: dt.datetime | None = None,
) -> Workunit:
    html = sanitize_html(text_html)
    if not plain_text(html) and "<img" not in html:
        raise DomainError(VALIDATION, "A workunit needs some text.", "text_html")
    workunit = Workunit(
        id=workunit_id or new_id(),
        ticket_id=ticket.id,
        author_id=action.actor_id,
        completed_at=completed_at,
        hours=check_hours(hours),
        text_html=html,
        is_private=is_private,
        is_internal=is_internal,
        has_cost=has_cost,
        profile_id=profile_id,
        created_at=action.now,
        updated_at=action.now,
    )
    action.session.add(workunit)
    for user_id in dict.fromkeys(shared_with_ids):
        action.session.add(WorkunitShare(workunit_id=workunit.id, user_id=user_id))
    action.history.record(ticket.id, EventKind.WORKUNIT_ADDED, "workunit", "", workunit.id)
    ticket.updated_at = action.now
    return workunit
