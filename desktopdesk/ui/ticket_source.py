"""What the ticket lists read, as plain callables the task runner runs on a worker.

Each call opens its own read session on the worker's thread and recomputes the user's
permissions, so a list always reflects memberships as they are now. No Qt here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.queries import TicketRow, count_visible_tickets, ticket_page
from desktopdesk.store.workspace import Workspace


@dataclass(frozen=True)
class TicketCounts:
    listed: int  # in the list being shown
    visible: int  # everything the user may see


@dataclass(frozen=True)
class TicketListScope:
    """One entry of the navigation: which tickets a list shows."""

    key: str
    label: str
    owned_by_me: bool = False


MY_TICKETS = TicketListScope("my_tickets", "My tickets", owned_by_me=True)
ALL_TICKETS = TicketListScope("all_tickets", "All tickets")
SCOPES = (MY_TICKETS, ALL_TICKETS)


def page_loader(workspace: Workspace, user_id: uuid.UUID,
                scope: TicketListScope) -> Callable[[int, int], list[TicketRow]]:
    owner_id = user_id if scope.owned_by_me else None

    def load(offset: int, limit: int) -> list[TicketRow]:
        with workspace.read() as session:
            perms = load_permissions(session, user_id)
            return ticket_page(session, perms, offset=offset, limit=limit, owner_id=owner_id)

    return load


def count_loader(workspace: Workspace, user_id: uuid.UUID,
                 scope: TicketListScope) -> Callable[[], TicketCounts]:
    owner_id = user_id if scope.owned_by_me else None

    def count() -> TicketCounts:
        with workspace.read() as session:
            perms = load_permissions(session, user_id)
            visible = count_visible_tickets(session, perms)
            listed = (visible if owner_id is None
                      else count_visible_tickets(session, perms, owner_id=owner_id))
            return TicketCounts(listed=listed, visible=visible)

    return count
