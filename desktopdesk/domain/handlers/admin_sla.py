"""SLA definitions: create, change and delete them (issue 6).

Anyone holding MANAGE on a group (or a super-admin) defines SLAs, as in Integria; which
SLA a group applies is the group's setting (super-admins). Create and Update share one
check of the whole definition, so the server refuses the same values whichever command
brings them. Deleting is refused while a group applies the SLA: its tickets would lose
their SLA without anyone deciding it.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from sqlalchemy import select, update

from desktopdesk.domain import acl
from desktopdesk.domain.apply import Action, change_version, handles
from desktopdesk.domain.commands import CreateSla, DeleteSla, UpdateSla
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.domain.handlers.admin_common import require_unique
from desktopdesk.domain.handlers.common import require_new_id, require_row, require_text
from desktopdesk.models import Group, Sla, SlaType, Ticket, TicketSlaState

MAX_NAME = 100
MAX_DESCRIPTION = 500
#: The limits in hours, each with the words a refusal uses.
HOUR_LIMITS = (
    ("max_response_hours", "The response time"),
    ("max_resolution_hours", "The resolution time"),
    ("max_inactivity_hours", "The inactivity time"),
)
#: How many groups a refusal names before it says "and N more".
NAMED_GROUPS = 5


def sla_values(action: Action, cmd: CreateSla | UpdateSla) -> dict[str, Any]:
    """The checked columns of the SLA ``cmd`` defines (``cmd.sla_id`` its own id), or
    the refusal naming the first field that is wrong."""
    name = require_text(cmd.name, "The SLA name", "name", MAX_NAME)
    require_unique(action, Sla, Sla.name, name, "SLA", "name", except_id=cmd.sla_id)
    description = cmd.description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(VALIDATION, f"The description is too long ({len(description)} "
                                      f"characters, at most {MAX_DESCRIPTION}).", "description")
    try:
        sla_type = SlaType(cmd.sla_type)
    except ValueError:
        raise DomainError(VALIDATION, "The SLA type is 0 (normal), 1 (third party) or 2 (both).",
                          "sla_type") from None
    for key, words in HOUR_LIMITS:
        hours = getattr(cmd, key)
        if not math.isfinite(hours) or hours < 0:
            raise DomainError(VALIDATION, f"{words} is a number of hours, 0 or more (0: not "
                                          "checked).", key)
    if not 0 <= cmd.day_start_hour <= 23:
        raise DomainError(VALIDATION, "The working day starts at an hour from 0 to 23.",
                          "day_start_hour")
    if not 0 <= cmd.day_end_hour <= 24:
        raise DomainError(VALIDATION, "The working day ends at an hour from 0 to 24.",
                          "day_end_hour")
    if cmd.max_open_tickets < 0:
        raise DomainError(VALIDATION, "The most open tickets at once is 0 (not checked) or "
                                      "more.", "max_open_tickets")
    _check_base(action, cmd.sla_id, cmd.base_sla_id)
    return {
        "name": name, "description": description, "base_sla_id": cmd.base_sla_id,
        "sla_type": sla_type, "max_response_hours": float(cmd.max_response_hours),
        "max_resolution_hours": float(cmd.max_resolution_hours),
        "max_inactivity_hours": float(cmd.max_inactivity_hours),
        "max_open_tickets": cmd.max_open_tickets, "day_start_hour": cmd.day_start_hour,
        "day_end_hour": cmd.day_end_hour, "no_sla_on_weekends": cmd.no_sla_on_weekends,
        "no_sla_on_holidays": cmd.no_sla_on_holidays, "enforced": cmd.enforced,
        "wall_clock": cmd.wall_clock,
    }


def _check_base(action: Action, sla_id: uuid.UUID, base_id: uuid.UUID | None) -> None:
    """The base SLA exists and does not lead back to ``sla_id``: the link is informative,
    but a loop would leave lists of "parents" with no top."""
    if base_id is None:
        return
    if base_id == sla_id:
        raise DomainError(VALIDATION, "An SLA cannot be its own base.", "base_sla_id")
    base = require_row(action.session, Sla, base_id, "base SLA", "base_sla_id")
    seen: set[uuid.UUID] = set()
    node: Sla | None = base
    while node is not None and node.id not in seen:
        seen.add(node.id)
        if node.base_sla_id == sla_id:
            raise DomainError(VALIDATION, f"'{base.name}' is based on this SLA (directly or "
                                          "through others); choose another base.",
                              "base_sla_id")
        node = action.session.get(Sla, node.base_sla_id) if node.base_sla_id else None


@handles(CreateSla)
def create_sla(action: Action, cmd: CreateSla) -> CommandResult:
    acl.require_manager(action.perms, "define SLAs")
    require_new_id(action.session, Sla, cmd.sla_id, "SLA", "sla_id")
    action.session.add(Sla(id=cmd.sla_id, **sla_values(action, cmd)))
    return action.result(created_id=cmd.sla_id, config_changed=True)


@handles(UpdateSla)
def update_sla(action: Action, cmd: UpdateSla) -> CommandResult:
    acl.require_manager(action.perms, "change SLAs")
    sla = require_row(action.session, Sla, cmd.sla_id, "SLA", "sla_id")
    for key, value in sla_values(action, cmd).items():
        if getattr(sla, key) != value:  # an untouched row sends nothing to the desktops
            setattr(sla, key, value)
    return action.result(config_changed=True)


@handles(DeleteSla)
def delete_sla(action: Action, cmd: DeleteSla) -> CommandResult:
    acl.require_manager(action.perms, "delete SLAs")
    session = action.session
    sla = require_row(session, Sla, cmd.sla_id, "SLA", "sla_id")
    users = list(session.scalars(select(Group.name).where(Group.sla_id == sla.id)
                                 .order_by(Group.name)))
    if users:
        raise DomainError(VALIDATION, _in_use_message(sla.name, users), "sla_id")
    # Through the rows, not the foreign keys' ON DELETE: each changed row is versioned
    # and reaches every desktop.
    for derived in session.scalars(select(Sla).where(Sla.base_sla_id == sla.id)):
        derived.base_sla_id = None
    for state in session.scalars(select(TicketSlaState).where(TicketSlaState.sla_id == sla.id)):
        # Emptied, as the SLA pass empties the row of a ticket without an SLA.
        state.sla_id, state.compliance_pct, state.fired_limits, state.fired_since = (
            None, None, "", None)
    fired = tuple(sorted(session.scalars(
        select(Ticket.id).where(Ticket.affected_sla_id == sla.id))))
    version = change_version(session)
    if version is None:
        # A replica: through the ORM, so a rebase can undo it; the server's answer
        # replaces the local time stamp.
        for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(fired))):
            ticket.affected_sla_id = None
    elif fired:
        # The authority: versioned for the desktops, but not an update of those tickets
        # (``updated_at`` drives auto-close and the list's "Updated"), as in the SLA pass.
        session.execute(update(Ticket).where(Ticket.id.in_(fired))
                        .values(affected_sla_id=None, version=version)
                        .execution_options(synchronize_session="fetch"))
    session.flush()
    session.delete(sla)
    return action.result(tickets=fired, config_changed=True)


def _in_use_message(sla_name: str, groups: list[str]) -> str:
    named = ", ".join(f"'{name}'" for name in groups[:NAMED_GROUPS])
    if len(groups) > NAMED_GROUPS:
        named += f" and {len(groups) - NAMED_GROUPS} more"
    count = "1 group applies" if len(groups) == 1 else f"{len(groups)} groups apply"
    return (f"{count} '{sla_name}' ({named}); give "
            f"{'it' if len(groups) == 1 else 'them'} another SLA (or none) in Groups first.")
