"""Recording history events: one per change, written by the command handlers."""

from __future__ import annotations

import enum
import uuid

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


class HistoryWriter:
    """Writes the events of one command: same actor, time and command id on each.

    The time is when the command was made (``ApplyContext.event_time``): for a command
    pushed late from an offline desktop, earlier than the moment it is applied. Except
    ``file_added``: its time is how the History tab matches it to the attachment row
    (``created_at``, always ``now``) to hide files of workunits the reader may not see.
    """

    def __init__(
        self, session: Session, ctx: ApplyContext, actor_id: uuid.UUID, command_id: uuid.UUID
    ) -> None:
        self._session = session
        self._ctx = ctx
        self._actor_id = actor_id
        self._command_id = command_id

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
                at=self._ctx.now if kind is EventKind.FILE_ADDED else self._ctx.event_time,
                kind=kind.value,
                field=field,
                old_value=_text(old),
                new_value=_text(new),
                command_id=self._command_id,
            )
        )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)
