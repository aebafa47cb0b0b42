"""What the ticket view's Statistics tab reads, as a plain function the task runner calls.

No Qt here: the call opens its own session on the worker and hands back the frozen
``TicketStatistics`` as the reader may see them.
"""

from __future__ import annotations

import datetime as dt
import uuid

from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.ticket_statistics import TicketStatistics, ticket_statistics
from desktopdesk.models import utc_now
from desktopdesk.store.workspace import Workspace


def load_ticket_statistics(workspace: Workspace, user_id: uuid.UUID, ticket_id: uuid.UUID,
                           now: dt.datetime | None = None) -> TicketStatistics:
    """The NOT_FOUND DomainError when the reader may not see the ticket."""
    with workspace.read() as session:
        return ticket_statistics(session, load_permissions(session, user_id), ticket_id,
                                 now or utc_now())
