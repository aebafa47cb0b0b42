"""What the ticket view's SLA tab reads, as a plain function the task runner calls.

No Qt here (like ``ticket_view_source``): the call opens its own session on the worker,
checks the reader may see the ticket, evaluates its SLA until now and hands back frozen
data; a ticket without an SLA comes back as the reason, for the tab to say.
"""

from __future__ import annotations

import datetime as dt
import uuid

from desktopdesk.domain.acl import load_permissions, require_visible
from desktopdesk.domain.ticket_sla import (
    NoSla,
    NoSlaReason,
    TicketSlaReport,
    ticket_sla_report,
    why_no_sla,
)
from desktopdesk.models import utc_now
from desktopdesk.store.workspace import Workspace


def load_ticket_sla(workspace: Workspace, user_id: uuid.UUID, ticket_id: uuid.UUID,
                    now: dt.datetime | None = None) -> TicketSlaReport | NoSla:
    """The ticket's SLA report, or why it has none; the NOT_FOUND DomainError when the
    reader may not see the ticket."""
    with workspace.read() as session:
        require_visible(session, load_permissions(session, user_id), ticket_id)
        report = ticket_sla_report(session, ticket_id, now or utc_now())
        if report is not None:
            return report
        return why_no_sla(session, ticket_id) or NoSla(
            NoSlaReason.NO_SLA_ON_GROUP, "No SLA applies to this ticket.")
