"""What the ticket view reads and writes, as plain functions the task runner calls.

No Qt here (like ``workunit_source``): each call opens its own session on the worker's
thread, recomputes the reader's permissions and hands back frozen data, so the view is
tested without a QApplication and never holds an ORM object. A Save is one user action:
its commands run in one ``execute_all``, all written or none.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, or_, select

from desktopdesk.atomic_file import write_atomically
from desktopdesk.domain.acl import load_permissions, visible_tickets_clause
from desktopdesk.domain.commands import LockTicket
from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.domain.settings import SORT_WORKUNITS_BY_COMPLETION
from desktopdesk.domain.ticket_details import TicketDetails, load_ticket_details
from desktopdesk.domain.ticket_edit import TicketEdit, commands_for_edit
from desktopdesk.domain.ticket_form import CreateFormOptions, load_create_form
from desktopdesk.domain.ticket_list_query import (
    SortKey,
    TicketFilter,
    TicketSort,
    ticket_list_page,
)
from desktopdesk.models import Ticket
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.conflicts import TicketSyncState, ticket_sync_state
from desktopdesk.ui.attachment_files import file_attachments
from desktopdesk.ui.desktop_preferences import DesktopPreferences

#: How many tickets the parent chooser offers at once.
PARENT_CHOICES = 12
_NUMBER = re.compile(r"#?\s*(L)?\s*([0-9]+)", re.IGNORECASE)


@dataclass(frozen=True)
class TicketViewData:
    """One read of a ticket for its view: the ticket, and what sync says about it."""

    details: TicketDetails
    sync: TicketSyncState


@dataclass(frozen=True)
class SavedEdit:
    """What a Save changed, for views to refresh; empty when there was nothing to save."""

    changed_ticket_ids: tuple[uuid.UUID, ...] = ()
    warnings: tuple[str, ...] = ()
    #: How many commands the save applied (0: nothing had changed).
    commands: int = 0


def load_details(workspace: Workspace, user_id: uuid.UUID, ticket_id: uuid.UUID, *,
                 sort_by_completion: bool | None = None) -> TicketViewData:
    """The ticket as ``user_id`` may see it; NOT_FOUND DomainError when they may not.

    ``sort_by_completion`` None: this desktop's "sort workunits by completion" preference.
    """
    if sort_by_completion is None:
        sort_by_completion = DesktopPreferences(workspace.data_dir).setting(
            SORT_WORKUNITS_BY_COMPLETION)
    blobs = workspace.blobs
    with workspace.read() as session:
        details = load_ticket_details(
            session, load_permissions(session, user_id), ticket_id,
            has_blob=lambda sha256: blobs.size_of(sha256) is not None,
            sort_workunits_by_completion=sort_by_completion)
    return TicketViewData(details=details, sync=ticket_sync_state(workspace, ticket_id))


def save_edit(workspace: Workspace, user_id: uuid.UUID, details: TicketDetails,
              edit: TicketEdit) -> SavedEdit:
    """Apply the Details tab's changes as one action; a refusal (DomainError) writes
    nothing and names the field at fault."""
    commands = commands_for_edit(details, edit)
    if not commands:
        return SavedEdit()
    results = workspace.execute_all(commands, user_id)
    changed = dict.fromkeys(t for result in results for t in result.changed_ticket_ids)
    warnings = dict.fromkeys(w for result in results for w in result.warnings)
    return SavedEdit(changed_ticket_ids=tuple(changed), warnings=tuple(warnings),
                     commands=len(commands))


def attempt_save(workspace: Workspace, user_id: uuid.UUID, details: TicketDetails,
                 edit: TicketEdit) -> SavedEdit | DomainError:
    """``save_edit``, with a refusal handed back as a value: a refusal is an answer, not a
    failure, so the runner does not log it as one."""
    try:
        return save_edit(workspace, user_id, details, edit)
    except DomainError as refusal:
        return refusal


def set_locked(workspace: Workspace, user_id: uuid.UUID, ticket_id: uuid.UUID,
               locked: bool) -> tuple[uuid.UUID, ...]:
    """Lock a closed ticket (or unlock one) as one action; the tickets it changed.
    LockTicket's refusal (DomainError) writes nothing."""
    result = workspace.execute(LockTicket(ticket_id=ticket_id, locked=locked), user_id)
    return tuple(result.changed_ticket_ids)


def attach_files(workspace: Workspace, user_id: uuid.UUID, ticket_id: uuid.UUID,
                 paths: Sequence[Path]) -> tuple[uuid.UUID, ...]:
    """Store the files' bytes, then attach them all in one action; the new ids."""
    commands = file_attachments(workspace.blobs, ticket_id, paths)
    if not commands:
        return ()
    workspace.execute_all(commands, user_id)
    return tuple(command.attachment_id for command in commands)


def export_attachment(workspace: Workspace, sha256: str, target: Path) -> Path:
    """Write a file's bytes to ``target`` whole or not at all (temporary file, then
    rename); ``BlobNotFoundError`` when they are not on this desktop yet."""
    chunks = workspace.blobs.open_range(sha256)  # raises now when the blob is missing
    return write_atomically(target, chunks)


def load_create_options(workspace: Workspace, user_id: uuid.UUID) -> CreateFormOptions:
    """What the create dialog offers this person, in one read."""
    with workspace.read() as session:
        return load_create_form(session, load_permissions(session, user_id))


# --- Finding a ticket to link -------------------------------------------------------------


@dataclass(frozen=True)
class TicketChoice:
    """A ticket offered by the parent picker: its id and "#812 Title"."""

    id: uuid.UUID
    label: str


def find_parent_tickets(workspace: Workspace, user_id: uuid.UUID, text: str,
                        limit: int = PARENT_CHOICES, *,
                        excluding: uuid.UUID | None = None) -> tuple[TicketChoice, ...]:
    """Tickets the person may see whose number is ``text`` ("812", "#812", "#L3") or whose
    title or text has its words, the number match first and most recent next.

    ``excluding``: the ticket being edited, which is never its own parent (whether another
    choice would make a loop is SetParent's to say, when it is saved)."""
    needle = text.strip()
    if not needle:
        return ()
    with workspace.read() as session:
        perms = load_permissions(session, user_id)
        found: dict[uuid.UUID, TicketChoice] = {}
        if match := _NUMBER.fullmatch(needle):
            query = (select(Ticket.id, Ticket.number, Ticket.provisional_number, Ticket.title)
                     .where(visible_tickets_clause(perms), _number_is(match))
                     .order_by(Ticket.updated_at.desc()).limit(limit + 1))
            for ticket_id, number, provisional, title in session.execute(query):
                found[ticket_id] = TicketChoice(
                    ticket_id, f"{ticket_number_label(number, provisional)} {title}")
        page = ticket_list_page(
            session, perms, TicketFilter(text=needle, statuses=frozenset()),
            TicketSort(SortKey.UPDATED, descending=True), limit=limit + 1)
        for row in page.rows:
            found.setdefault(row.id, TicketChoice(row.id, f"{row.number_label} {row.title}"))
        if excluding is not None:
            found.pop(excluding, None)
        return tuple(found.values())[:limit]


def _number_is(match: re.Match[str]) -> ColumnElement[bool]:
    """"#L3" is a provisional number, "#812" a real one; a bare "812" may be either."""
    number = int(match.group(2))
    if match.group(1):
        return Ticket.provisional_number == number
    if match.group(0).startswith("#"):
        return Ticket.number == number
    return or_(Ticket.number == number, Ticket.provisional_number == number)
