"""Recording history events: one per change, written by the command handlers."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from desktopdesk.domain.context import ApplyContext
from desktopdesk.models import HistoryEvent


class EventKind(enum.StrEnum):
    CREATED = "created"
    FIELD_CHANGED = "field_changed"
    STATUS_CHANGED = "status_changed"
    OWNER_CHANGED = "owner_changed"
    GROUP_CHANGED = "group_changed"
    PRIORITY_CHANGED = "priority_changed"
    CLOSED = "closed"
    REOPENED = "reopened"
    LOCKED = "locked"
    UNLOCKED = "unlocked"
    WORKUNIT_ADDED = "workunit_added"
    FILE_ADDED = "file_added"
    INVENTORY_LINKED = "inventory_linked"
    INVENTORY_UNLINKED = "inventory_unlinked"
    PARENT_CHANGED = "parent_changed"
    EMAILS_IN_COPY_CHANGED = "emails_in_copy_changed"
    CUSTOM_VALUE_DROPPED = "custom_value_dropped"
    #: An administrator removed the field: its last value, kept in the ticket's history.
    FIELD_REMOVED = "field_removed"
    #: A work order printed (its PDF attached); ``new_value`` is the file's name.
    WORK_ORDER_GENERATED = "work_order_generated"
    #: A signed scan attached as a work order's validation; ``old_value`` names the work
    #: order's file, ``new_value`` the scan's.
    WORK_ORDER_VALIDATED = "work_order_validated"


#: Integria's ``tincident_track`` codes, for exports and API users who know them.
INTEGRIA_TRACK_CODES = {
    EventKind.CREATED: 0,
    EventKind.FIELD_CHANGED: 1,
    EventKind.WORKUNIT_ADDED: 2,
    EventKind.FILE_ADDED: 3,
    EventKind.PRIORITY_CHANGED: 6,
    EventKind.STATUS_CHANGED: 7,
    EventKind.CLOSED: 7,
    EventKind.REOPENED: 7,
    EventKind.INVENTORY_LINKED: 10,
    EventKind.OWNER_CHANGED: 17,
    EventKind.INVENTORY_UNLINKED: 20,
    EventKind.GROUP_CHANGED: 28,
}


#: Events that change a ticket's status.
STATUS_EVENT_KINDS = frozenset({EventKind.STATUS_CHANGED, EventKind.CLOSED, EventKind.REOPENED})


class HistoryWriter:
    """Writes the events of one command: same actor, time and command id on each.

    The time is when the command was made (``ApplyContext.event_time``): for a command
    pushed late from an offline desktop, earlier than the moment it is applied, so the
    SLA counts the work when it was done. Within limits the history itself sets: never
    before the ticket was opened, and a status change never before a status change the
    ticket already has (someone else's, made meanwhile, which this one overrides now:
    dating it earlier would rewrite the hours between). Except ``file_added``: its time
    is how the History tab matches it to the attachment row (``created_at``, always
    ``now``) to hide files of workunits the reader may not see.
    """

    def __init__(
        self, session: Session, ctx: ApplyContext, actor_id: uuid.UUID, command_id: uuid.UUID
    ) -> None:
        self._session = session
        self._ctx = ctx
        self._actor_id = actor_id
        self._command_id = command_id
        #: Per ticket: when it was opened and its latest status change, as stored.
        self._bounds: dict[uuid.UUID, tuple[dt.datetime | None, dt.datetime | None]] = {}

    def record(
        self,
        ticket_id: uuid.UUID,
        kind: EventKind,
        field: str = "",
        old: object = "",
        new: object = "",
    ) -> None:
        self._session.add(
            HistoryEvent(
                ticket_id=ticket_id,
                actor_id=self._actor_id,
                at=self.time_of(ticket_id, kind),
                kind=kind.value,
                field=field,
                old_value=_text(old),
                new_value=_text(new),
                command_id=self._command_id,
            )
        )


    def time_of(self, ticket_id: uuid.UUID, kind: EventKind) -> dt.datetime:
        """When an event of ``kind`` on the ticket is dated: also the time a handler
        stores beside it (a work order's ``generated_at``), so the two agree."""
        made_at = self._ctx.made_at
        if made_at is None or made_at >= self._ctx.now or kind is EventKind.FILE_ADDED:
            return self._ctx.now
        opened, last_status = self._bounds_of(ticket_id)
        if kind in STATUS_EVENT_KINDS and last_status is not None and last_status > made_at:
            return self._ctx.now
        return max(made_at, opened) if opened is not None else made_at

    def _bounds_of(self, ticket_id: uuid.UUID) -> tuple[dt.datetime | None, dt.datetime | None]:
        if ticket_id not in self._bounds:
            # Stored events only (no autoflush mid-handler): a ticket this command creates
            # has none, and its own events are dated as made.
            with self._session.no_autoflush:
                opened, last_status = self._session.execute(
                    select(func.min(case((HistoryEvent.kind == EventKind.CREATED.value,
                                          HistoryEvent.at))),
                           func.max(case((HistoryEvent.kind.in_(
                               [kind.value for kind in STATUS_EVENT_KINDS]), HistoryEvent.at))))
                    .where(HistoryEvent.ticket_id == ticket_id)).one()
            self._bounds[ticket_id] = (opened, last_status)
        return self._bounds[ticket_id]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)
