"""A ticket's history as its reader reads it: events in words, oldest first. No Qt.

Stored events hold codes and ids (``HistoryWriter.record``); people read names and labels.
Events that would show what the reader may not see (a private workunit, a file on one)
are left out here, so every list built from the history (the History tab, the people
taking part) hides the same things.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain.history import EventKind
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.domain.queries import UserSummary
from desktopdesk.models import (
    Attachment,
    CommandLogEntry,
    CustomField,
    FieldKind,
    Group,
    HistoryEvent,
    Priority,
    Resolution,
    Status,
    Ticket,
    TicketType,
)


class PeopleLookup(Protocol):
    """Names for the people events mention (the ticket view reads each user once)."""

    def get(self, user_id: uuid.UUID) -> UserSummary: ...

    def name_of(self, raw_id: str) -> str: ...


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: UserSummary
    #: ``desktopdesk.domain.history.EventKind`` value.
    kind: str
    #: What changed, for people ("Status", "Owner", "Hardware type"); "" for events.
    field_label: str
    #: Old and new values for people: status labels, names, not ids.
    old_text: str
    new_text: str

    @property
    def summary(self) -> str:
        """One line for people: "Status: New → Assigned", "Locked the ticket"."""
        if self.field_label:
            if self.old_text and self.new_text:
                return f"{self.field_label}: {self.old_text} → {self.new_text}"
            if self.new_text:
                return f"{self.field_label}: {self.new_text}"
            return f"{self.field_label}: {self.old_text} removed" if self.old_text else (
                f"{self.field_label} changed")
        sentence = EVENT_SENTENCES.get(self.kind, self.kind.replace("_", " ").capitalize())
        return f"{sentence}: {self.new_text}" if self.new_text else sentence


#: Events without a field, as a sentence.
EVENT_SENTENCES = {
    "created": "Created the ticket",
    "locked": "Locked the ticket",
    "unlocked": "Unlocked the ticket",
    "workunit_added": "Added a workunit",
}



#: How history names the fields it records (``HistoryWriter.record``'s ``field``).
FIELD_LABELS = {
    "score": "Rating",
    "title": "Title",
    "description": "Description",
    "status": "Status",
    "priority": "Priority",
    "resolution": "Resolution",
    "group": "Group",
    "owner": "Owner",
    "creator": "Creator",
    "ticket_type": "Type",
    "parent": "Parent ticket",
    "project_task": "Project task",
    "sla_disabled": "SLA disabled",
    "emails_in_copy": "E-mails in copy",
    "inventory": "Inventory",
    "file": "File",
}
#: Events of one command share its time; they are listed in the order handlers write
#: them (creation: status, priority, group, owner; an update: its fields, then custom).
_FIELD_ORDER = ("", "title", "description", "status", "priority", "project_task",
                "sla_disabled", "creator", "group", "owner", "ticket_type", "custom:",
                "resolution")


def _event_rank(event: HistoryEvent) -> tuple[int, int, str]:
    field = "custom:" if event.field.startswith("custom:") else event.field
    rank = _FIELD_ORDER.index(field) if field in _FIELD_ORDER else len(_FIELD_ORDER)
    dropped_first = 0 if event.kind == EventKind.CUSTOM_VALUE_DROPPED else 1
    return rank, dropped_first, event.field


def render_history(session: Session, ticket_id: uuid.UUID, people: PeopleLookup, *,
                   hidden_workunits: frozenset[str] = frozenset(),
                   hidden_files: list[Attachment] | None = None,
                   shown_files: list[Attachment] | None = None) -> tuple[HistoryEntry, ...]:
    """The ticket's events, oldest first, values in words; events about workunits the
    reader may not see (and the files attached to them) left out."""
    rows = [(event, seq or 0) for event, seq in session.execute(
        select(HistoryEvent, CommandLogEntry.seq)
        .outerjoin(CommandLogEntry, CommandLogEntry.command_id == HistoryEvent.command_id)
        .where(HistoryEvent.ticket_id == ticket_id))]
    hidden_names = {(a.file_name, a.created_at) for a in hidden_files or ()}
    hidden_names -= {(a.file_name, a.created_at) for a in shown_files or ()}
    words = _ValueWords(session, people)
    entries = []
    rows.sort(key=lambda row: (row[0].at, row[1], *_event_rank(row[0])))
    for event, _ in rows:
        if event.kind == EventKind.WORKUNIT_ADDED and event.new_value in hidden_workunits:
            continue
        if event.kind == EventKind.FILE_ADDED and (event.new_value, event.at) in hidden_names:
            continue
        entries.append(words.entry(event))
    return tuple(entries)


class _ValueWords:
    """Turns stored history values (codes, ids) into what people read."""

    def __init__(self, session: Session, people: PeopleLookup) -> None:
        self._session = session
        self._people = people
        self._groups = {gid: name for gid, name in session.execute(select(Group.id, Group.name))}
        self._types = {tid: name for tid, name in
                       session.execute(select(TicketType.id, TicketType.name))}
        self._checkbox_labels = set(session.scalars(
            select(CustomField.label).where(CustomField.kind == FieldKind.CHECKBOX)))

    def entry(self, event: HistoryEvent) -> HistoryEntry:
        field = event.field
        if event.kind in (EventKind.CREATED, EventKind.LOCKED, EventKind.UNLOCKED,
                          EventKind.WORKUNIT_ADDED):
            new = event.new_value if event.kind == EventKind.CREATED else ""
            return HistoryEntry(event.at, self._people.get(event.actor_id), event.kind, "",
                                "", new)
        if field.startswith("custom:"):
            label = field.removeprefix("custom:")
            old, new = (self._custom(label, event.old_value),
                        self._custom(label, event.new_value))
        else:
            label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
            old, new = self._value(field, event.old_value), self._value(field, event.new_value)
        return HistoryEntry(event.at, self._people.get(event.actor_id), event.kind, label,
                            old, new)

    def _custom(self, label: str, raw: str) -> str:
        if label in self._checkbox_labels and raw in ("0", "1"):
            return "yes" if raw == "1" else "no"
        return raw

    def _value(self, field: str, raw: str) -> str:
        if not raw:
            return ""
        try:
            match field:
                case "status":
                    return Status(int(raw)).label
                case "priority":
                    return Priority(int(raw)).label
                case "resolution":
                    return Resolution(int(raw)).label
                case "group":
                    return self._groups.get(uuid.UUID(raw), "(a deleted group)")
                case "owner" | "creator":
                    return self._people.name_of(raw)
                case "ticket_type":
                    return self._types.get(uuid.UUID(raw), "(a deleted type)")
                case "parent":
                    parent = self._session.get(Ticket, uuid.UUID(raw))
                    return (ticket_number_label(parent.number, parent.provisional_number)
                            if parent is not None else "(a deleted ticket)")
                case "sla_disabled":
                    return {"True": "yes", "False": "no"}.get(raw, raw)
        except ValueError:
            return raw
        return raw
