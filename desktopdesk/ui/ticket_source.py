"""What the ticket list reads and changes, as plain calls the task runner runs on a worker.

Each call opens its own session on the worker's thread and recomputes the user's
permissions, so the list always reflects memberships as they are now. No Qt here: the
model and widgets only ever see the frozen values these return.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from desktopdesk.domain import settings
from desktopdesk.domain.acl import Permissions, load_permissions
from desktopdesk.domain.commands import AssignOwner, ChangeStatus, Command, UpdateTicketFields
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.settings import get_setting
from desktopdesk.domain.ticket_list_lookups import ListLookups, list_lookups
from desktopdesk.domain.ticket_list_query import (
    ListedTicket,
    PageCursor,
    TicketFilter,
    TicketPage,
    TicketSort,
    count_listed,
    search_cap,
    ticket_list_page,
    tickets_by_id,
)
from desktopdesk.models import Priority, Status
from desktopdesk.store.planner_stats import refresh_if_stale
from desktopdesk.store.workspace import Workspace


@dataclass(frozen=True)
class TicketCounts:
    listed: int  # in the list being shown, filters applied
    visible: int  # everything the user may see
    #: A text search matched more than the ``max_search_results`` cap: the list shows
    #: only this many (and ``listed`` counted one past it); 0: not cut.
    capped_at: int = 0


@dataclass(frozen=True)
class TicketListScope:
    """One entry of the navigation: which tickets a list shows."""

    key: str
    label: str
    owned_by_me: bool = False


MY_TICKETS = TicketListScope("my_tickets", "My tickets", owned_by_me=True)
ALL_TICKETS = TicketListScope("all_tickets", "All tickets")
SCOPES = (MY_TICKETS, ALL_TICKETS)

_EMPTY = TicketPage(rows=(), next_cursor=None)


@dataclass(frozen=True)
class TicketListSource:
    """One person's view of one list; safe to call from any thread.

    Permissions are worked out when the list is opened and kept while it is shown, for
    every page, sort and filter: one list is cut with one visibility, and a page costs
    three queries fewer. The window makes a new source on every refresh (F5, a sync
    that brought changes, another list chosen), so a membership changed elsewhere shows
    from the next refresh.
    """

    workspace: Workspace
    user_id: uuid.UUID
    scope: TicketListScope = ALL_TICKETS
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def _prepare(self) -> None:
        """Once per list shown: make sure SQLite knows the store's shape (``ANALYZE`` after
        a sync brought a lot), before the first page needs it. Outside any read session,
        so the pages read after it see the new statistics."""
        if "prepared" not in self._cache:
            refresh_if_stale(self.workspace.engine)
            self._cache["prepared"] = True

    def _permissions(self, session: Session) -> Permissions:
        cached = self._cache.get("list")
        if not isinstance(cached, Permissions):  # two workers may both compute it: no harm
            cached = self._cache["list"] = load_permissions(session, self.user_id)
        return cached

    def _max_matches(self, session: Session) -> int:
        """The ``max_search_results`` setting, read once per list like the permissions."""
        cached = self._cache.get("max_matches")
        if not isinstance(cached, int):
            cached = self._cache["max_matches"] = get_setting(session,
                                                              settings.MAX_SEARCH_RESULTS)
        return cached

    def _scoped(self, ticket_filter: TicketFilter) -> TicketFilter | None:
        """The filter with the scope applied; None when nothing can match."""
        if not self.scope.owned_by_me:
            return ticket_filter
        if ticket_filter.owner_id not in (None, self.user_id):
            return None  # "my tickets" owned by someone else
        return dataclasses.replace(ticket_filter, owner_id=self.user_id)

    def load_page(self, ticket_filter: TicketFilter, sort: TicketSort,
                  after: PageCursor | None, limit: int) -> TicketPage:
        scoped = self._scoped(ticket_filter)
        if scoped is None:
            return _EMPTY
        self._prepare()
        with self.workspace.read() as session:
            perms = self._permissions(session)
            return ticket_list_page(session, perms, scoped, sort, limit=limit, after=after,
                                    max_matches=self._max_matches(session))

    def load_rows(self, ticket_filter: TicketFilter,
                  ticket_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ListedTicket]:
        scoped = self._scoped(ticket_filter)
        if scoped is None:
            return {}
        with self.workspace.read() as session:
            return tickets_by_id(session, self._permissions(session), scoped, ticket_ids)

    def count(self, ticket_filter: TicketFilter, *, with_visible: bool = True) -> TicketCounts:
        """``listed`` always; ``visible`` (a longer count) only when asked, else -1."""
        scoped = self._scoped(ticket_filter)
        with self.workspace.read() as session:
            perms = self._permissions(session)
            max_matches = self._max_matches(session)
            listed = (0 if scoped is None else
                      count_listed(session, perms, scoped, max_matches=max_matches))
            visible = (count_listed(session, perms, TicketFilter(statuses=frozenset()))
                       if with_visible else -1)
            cap = 0 if scoped is None else search_cap(scoped, max_matches)
            return TicketCounts(listed=listed, visible=visible,
                                capped_at=cap if cap and listed > cap else 0)

    def load_lookups(self) -> ListLookups:
        with self.workspace.read() as session:
            return list_lookups(session, load_permissions(session, self.user_id))


# --- Quick edit ----------------------------------------------------------------------------


def quick_edit_command(ticket: ListedTicket, field: str, value: Any) -> Command:
    """The command an inline edit stands for: the very one the ticket form would send.

    ``field`` is "owner" (a user id), "priority" or "status" (their codes).
    """
    match field:
        case "owner":
            return AssignOwner(ticket_id=ticket.id, owner_id=uuid.UUID(str(value)))
        case "priority":
            return UpdateTicketFields(ticket_id=ticket.id,
                                      changes={"priority": int(Priority(value))},
                                      base={"priority": int(ticket.priority)})
        case "status":
            return ChangeStatus(ticket_id=ticket.id, status=int(Status(value)))
    raise ValueError(f"{field!r} cannot be edited in the list")


def run_command(workspace: Workspace, user_id: uuid.UUID, command: Command) -> CommandResult:
    """One user action, in its own transaction (``Workspace.execute``); for the runner."""
    return workspace.execute(command, user_id)
