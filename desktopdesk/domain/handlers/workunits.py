"""AddWorkunit: notes and time on a ticket."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from desktopdesk.domain import acl, settings
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import AddWorkunit
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import FORBIDDEN, VALIDATION, DomainError
from desktopdesk.domain.handlers.common import (
    require_active_user,
    require_new_id,
    require_row,
    ticket_label,
)
from desktopdesk.domain.workunit_rules import add_workunit_row
from desktopdesk.models import Membership, Profile, Workunit

#: How far ahead of the authority's clock a "date of completion" may be (clock skew).
COMPLETION_SLACK = dt.timedelta(days=1)


@handles(AddWorkunit)
def add_workunit(action: Action, cmd: AddWorkunit) -> CommandResult:
    """Append-only and accepted on closed or locked tickets too: work done is never lost."""
    session, perms = action.session, action.perms
    require_new_id(session, Workunit, cmd.workunit_id, "workunit", "workunit_id")
    ticket = acl.require_visible(session, perms, cmd.ticket_id)
    if not acl.can_edit(perms, ticket, action.setting(settings.EXTERNAL_USERS_MAY_MODIFY)):
        raise DomainError(FORBIDDEN, f"You may not add workunits to {ticket_label(ticket)}.")
    if cmd.profile_id is not None:
        profile = require_row(session, Profile, cmd.profile_id, "profile", "profile_id")
        holds = session.scalar(select(Membership.id).where(
            Membership.user_id == perms.user_id, Membership.profile_id == profile.id
        ).limit(1))
        if holds is None and not perms.is_superadmin:
            raise DomainError(VALIDATION, f"You do not work under the profile '{profile.name}'.",
                              "profile_id")
    for user_id in cmd.shared_with_ids:
        other = require_active_user(session, user_id, "shared_with_ids")
        if perms.company_id is None or other.company_id != perms.company_id:
            raise DomainError(VALIDATION, f"A workunit can only be shared with people of your "
                                          f"company; {other.full_name} is not.", "shared_with_ids")
    if cmd.completed_at is not None and cmd.completed_at > action.now + COMPLETION_SLACK:
        raise DomainError(VALIDATION, "The date of completion is in the future.", "completed_at")
    workunit = add_workunit_row(
        action,
        ticket,
        workunit_id=cmd.workunit_id,
        text_html=cmd.text_html,
        hours=cmd.hours,
        is_private=cmd.is_private,
        is_internal=cmd.is_internal,
        has_cost=cmd.has_cost,
        profile_id=cmd.profile_id,
        shared_with_ids=cmd.shared_with_ids,
        completed_at=cmd.completed_at,
    )
    return action.result(created_id=workunit.id, tickets=(ticket.id,))
