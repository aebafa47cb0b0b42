"""How the ticket view's read-mostly tabs word things: sizes, hours, roles, history. No Qt.

Kept apart from the widgets so the wording is tested with plain asserts; dates go through
``ticket_list_format`` so a ticket reads the same in the list and in its own view.
"""

from __future__ import annotations

from desktopdesk.domain.history import EventKind
from desktopdesk.domain.queries import UserSummary
from desktopdesk.domain.ticket_details import HistoryEntry, WorkunitEntry
from desktopdesk.ui.ticket_list_format import long_date

_SIZE_UNITS = ("KB", "MB", "GB", "TB")
ARROW = "→"

#: What an event without a field label did, for people.
_EVENT_TEXTS = {
    EventKind.CREATED: "Ticket created",
    EventKind.FIELD_CHANGED: "Field changed",
    EventKind.STATUS_CHANGED: "Status",
    EventKind.OWNER_CHANGED: "Owner",
    EventKind.GROUP_CHANGED: "Group",
    EventKind.PRIORITY_CHANGED: "Priority",
    EventKind.CLOSED: "Closed",
    EventKind.REOPENED: "Reopened",
    EventKind.LOCKED: "Locked",
    EventKind.UNLOCKED: "Unlocked",
    EventKind.WORKUNIT_ADDED: "Workunit added",
    EventKind.FILE_ADDED: "File added",
    EventKind.INVENTORY_LINKED: "Inventory object linked",
    EventKind.INVENTORY_UNLINKED: "Inventory object unlinked",
    EventKind.PARENT_CHANGED: "Parent ticket",
    EventKind.EMAILS_IN_COPY_CHANGED: "Emails in copy",
    EventKind.CUSTOM_VALUE_DROPPED: "Custom field value dropped",
    EventKind.WORK_ORDER_GENERATED: "Work order printed",
    EventKind.WORK_ORDER_VALIDATED: "Work order validated",
}


def human_size(size: int) -> str:
    """Bytes as people read them: "512 bytes", "1.5 KB", "12 MB" (1 KB = 1024 bytes)."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    value = size / 1024
    unit = 0
    while value >= 1024 and unit < len(_SIZE_UNITS) - 1:
        value /= 1024
        unit += 1
    return f"{value:.1f} {_SIZE_UNITS[unit]}" if value < 10 else f"{value:.0f} {_SIZE_UNITS[unit]}"


def hours_text(hours: float) -> str:
    """"0.25 h", "2 h": the editor's unit, without trailing zeros."""
    return f"{round(hours, 2):g} h"


def person_name(person: UserSummary) -> str:
    """The full name, or the username for accounts that have none."""
    return person.full_name or person.username


def workunit_when(entry: WorkunitEntry) -> str:
    """When it was written; the date of completion too, when it says something else."""
    written = long_date(entry.created_at)
    if entry.completed_at is None:
        return written
    completed = long_date(entry.completed_at)
    return written if completed == written else f"{written} · completed {completed}"


def roles_text(roles: tuple[str, ...]) -> str:
    return ", ".join(role.capitalize() for role in roles)


def history_what(entry: HistoryEntry) -> str:
    """The field that changed, or what happened for events that change no field."""
    if entry.field_label:
        return entry.field_label
    try:
        return _EVENT_TEXTS[EventKind(entry.kind)]
    except ValueError:
        return entry.kind.replace("_", " ").capitalize()


def change_text(old: str, new: str) -> str:
    """"Old → New"; a value set from nothing or cleared still says which side was empty."""
    if not old:
        return new
    return f"{old} {ARROW} {new or '(none)'}"


def history_change(entry: HistoryEntry) -> str:
    return change_text(entry.old_text, entry.new_text)
