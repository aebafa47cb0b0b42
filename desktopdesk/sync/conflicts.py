"""Commands the server refused, as people see them, and what they can do about each.

sync.md's conflict table gives every refusal a way forward, and its principle 4 says a
rejected command keeps its full payload until the user resolves it. This module reads
``sync_conflicts`` into plain rows for the views (the sentence to show, the text the user
typed, which actions make sense) and performs the four actions:

- **ask the owner**: a workunit on the ticket, addressed to its current owner, carrying
  what the user typed (the closing note, the wanted status);
- **retry**: the same intention as a *new* command (new command id, next mutation id), so
  the server decides again against its current state;
- **copy to a new ticket**: for a work log the server would not add (the ticket left the
  user's view): a new ticket whose description is that text;
- **discard**: the conflict is marked resolved, nothing else.

The first three are ordinary commands, applied locally and queued in the outbox exactly
as ``Workspace.execute`` does; each action, the commands it issues and the conflict's
``resolved_at``/``resolution`` commit in one transaction, so a conflict is never marked
done without its follow-up queued, nor the follow-up queued twice. ``client_payload`` is
never cleared: a resolved conflict still holds what the user typed.

No Qt here: the window runs these on its task runner, tests call them directly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import html
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import can_create_in, load_permissions
from desktopdesk.domain.commands import AddWorkunit, Command, CreateTicket, command_from_json
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import NOT_FOUND, VALIDATION, DomainError
from desktopdesk.domain.handlers.ticket_rules import MAX_TITLE
from desktopdesk.domain.html import plain_text
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.models import (
    Group,
    OutboxEntry,
    OutboxState,
    Resolution,
    Status,
    SyncConflict,
    SyncState,
    Ticket,
    User,
    new_id,
    utc_now,
)
from desktopdesk.store.workspace import Role, Workspace

#: A refused command's work logs on the same ticket count as "saved with it" when written
#: this close to it: the same sitting of offline work (sync.md's worked example).
SAME_SITTING = dt.timedelta(hours=8)

#: Commands that change a ticket's status: sync.md offers "ask the owner" for them.
STATUS_COMMANDS = frozenset({"CloseTicket", "ChangeStatus", "ReopenTicket"})
#: Refusals the ticket's owner can settle (they may close, reassign, unlock).
OWNER_CAN_SETTLE = frozenset({"not_owner", "invalid_transition", "forbidden", "locked"})


class ConflictAction(enum.StrEnum):
    ASK_OWNER = "ask_owner"
    RETRY = "retry"
    COPY_TO_NEW_TICKET = "copy_to_new_ticket"
    DISCARD = "discard"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    ConflictAction.ASK_OWNER: "Ask the owner",
    ConflictAction.RETRY: "Retry",
    ConflictAction.COPY_TO_NEW_TICKET: "Copy to a new ticket",
    ConflictAction.DISCARD: "Discard",
}


@dataclass(frozen=True)
class ConflictRow:
    """One open conflict, ready to show (no ORM objects cross into the views)."""

    conflict_id: int
    mutation_id: int
    code: str
    command_name: str
    ticket_id: uuid.UUID | None
    #: "#812", or None when this replica no longer holds the ticket.
    ticket_label: str | None
    ticket_title: str | None
    owner_name: str | None
    #: The sentence to show: "Close of #812 not applied: owner is now Alice. ..."
    summary: str
    #: The server's own words.
    reason: str
    #: What the user typed (closing note, work log, description), as plain text.
    user_text: str
    created_at: dt.datetime
    actions: tuple[ConflictAction, ...]


@dataclass(frozen=True)
class SyncCounts:
    """The numbers a sync indicator shows, read from this replica's bookkeeping."""

    pending: int
    conflicts: int
    last_ok_at: dt.datetime | None
    last_error: str


@dataclass(frozen=True)
class TicketSyncState:
    """What a ticket's header says about sync: changes not yet sent, refusals open."""

    pending: int
    conflicts: int


@dataclass(frozen=True)
class ActionOutcome:
    conflict_id: int
    action: ConflictAction
    #: For people: "Asked Alice to close #812."
    message: str
    #: The ticket the follow-up command changed or created, for views to refresh.
    ticket_id: uuid.UUID | None
    #: Outbox position of the follow-up command, if one was queued.
    mutation_id: int | None


# --- Reading ------------------------------------------------------------------------------


def sync_counts(ws: Workspace) -> SyncCounts:
    with ws.read() as session:
        pending = session.scalar(select(func.count()).select_from(OutboxEntry)
                                 .where(OutboxEntry.state == OutboxState.PENDING)) or 0
        conflicts = session.scalar(select(func.count()).select_from(SyncConflict)
                                   .where(SyncConflict.resolved_at.is_(None))) or 0
        state = session.get(SyncState, 1)
        return SyncCounts(pending=pending, conflicts=conflicts,
                          last_ok_at=state.last_ok_at if state is not None else None,
                          last_error=state.last_error if state is not None else "")


def ticket_sync_state(ws: Workspace, ticket_id: uuid.UUID) -> TicketSyncState:
    with ws.read() as session:
        pending = session.scalar(select(func.count()).select_from(OutboxEntry).where(
            OutboxEntry.ticket_id == ticket_id,
            OutboxEntry.state == OutboxState.PENDING)) or 0
        conflicts = session.scalar(
            select(func.count()).select_from(SyncConflict)
            .join(OutboxEntry, OutboxEntry.mutation_id == SyncConflict.mutation_id)
            .where(OutboxEntry.ticket_id == ticket_id,
                   SyncConflict.resolved_at.is_(None))) or 0
    return TicketSyncState(pending=pending, conflicts=conflicts)


def list_conflicts(ws: Workspace, actor_id: uuid.UUID,
                   ticket_id: uuid.UUID | None = None) -> list[ConflictRow]:
    """Open conflicts, oldest first; only those about ``ticket_id`` when given."""
    with ws.read() as session:
        query = (select(SyncConflict, OutboxEntry)
                 .join(OutboxEntry, OutboxEntry.mutation_id == SyncConflict.mutation_id)
                 .where(SyncConflict.resolved_at.is_(None))
                 .order_by(SyncConflict.id))
        if ticket_id is not None:
            query = query.where(OutboxEntry.ticket_id == ticket_id)
        return [_row(session, conflict, entry, actor_id)
                for conflict, entry in session.execute(query)]


def _row(session: Session, conflict: SyncConflict, entry: OutboxEntry,
         actor_id: uuid.UUID) -> ConflictRow:
    payload = conflict.client_payload
    ticket_id = _ticket_of(entry, payload)
    ticket = session.get(Ticket, ticket_id) if ticket_id is not None else None
    owner = session.get(User, ticket.owner_id) if ticket is not None else None
    label = (ticket_number_label(ticket.number, ticket.provisional_number)
             if ticket is not None else None)
    return ConflictRow(
        conflict_id=conflict.id,
        mutation_id=conflict.mutation_id,
        code=conflict.code,
        command_name=entry.command_name,
        ticket_id=ticket_id,
        ticket_label=label,
        ticket_title=ticket.title if ticket is not None else None,
        owner_name=owner.full_name if owner is not None else None,
        summary=_summary(session, conflict, entry, label, owner),
        reason=conflict.message,
        user_text=_user_text(payload),
        created_at=entry.created_at,
        actions=_actions(entry.command_name, conflict.code, ticket, actor_id),
    )


def _ticket_of(entry: OutboxEntry, payload: dict[str, Any]) -> uuid.UUID | None:
    """The ticket the local apply changed, as the outbox noted it; else the one the
    payload names (a command whose local effect touched no ticket row)."""
    if entry.ticket_id is not None:
        return entry.ticket_id
    raw = payload.get("args", {}).get("ticket_id")
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def _actions(command_name: str, code: str, ticket: Ticket | None,
             actor_id: uuid.UUID) -> tuple[ConflictAction, ...]:
    """sync.md's conflict table: what makes sense for this refusal, as things stand now."""
    actions: list[ConflictAction] = []
    owned_by_someone_else = ticket is not None and ticket.owner_id != actor_id
    if (command_name in STATUS_COMMANDS | {"AssignOwner"} and code in OWNER_CAN_SETTLE
            and owned_by_someone_else):
        actions.append(ConflictAction.ASK_OWNER)
    # A command about a ticket this replica no longer holds would be refused locally.
    if ticket is not None or command_name == "CreateTicket":
        actions.append(ConflictAction.RETRY)
    if command_name == "AddWorkunit":
        actions.append(ConflictAction.COPY_TO_NEW_TICKET)
    actions.append(ConflictAction.DISCARD)
    return tuple(actions)


# --- Wording ------------------------------------------------------------------------------


#: How people name a refused change: "Close" (of #812).
_CHANGE_NAMES = {
    "CloseTicket": ("Close", "of"),
    "ReopenTicket": ("Reopening", "of"),
    "ChangeStatus": ("Status change", "of"),
    "AssignOwner": ("New owner", "of"),
    "ScoreTicket": ("Rating", "of"),
    "AddWorkunit": ("Work log", "on"),
    "AttachFile": ("Attachment", "on"),
    "GenerateWorkOrder": ("Work order", "for"),
    "ValidateWorkOrder": ("Signed work order", "for"),
    "UpdateTicketFields": ("Edit", "of"),
    "LockTicket": ("Lock", "of"),
    "SetParent": ("New parent", "of"),
    "SetEmailsInCopy": ("Emails in copy", "of"),
    "LinkInventory": ("Inventory link", "on"),
    "DeleteTicket": ("Deletion", "of"),
}


def _what(command_name: str, payload: dict[str, Any], label: str | None) -> str:
    """The refused change, named as people think of it: "Close of #812" (or just "Close"
    when the ticket is no longer here to name)."""
    args = payload.get("args", {})
    if command_name == "CreateTicket":
        return f"New ticket \u201c{args.get('title', '')}\u201d"
    if command_name == "ChangeStatus" and args.get("status") == Status.CLOSED:
        command_name = "CloseTicket"
    noun, preposition = _CHANGE_NAMES.get(command_name, (command_name, "on"))
    return noun if label is None else f"{noun} {preposition} {label}"


def _summary(session: Session, conflict: SyncConflict, entry: OutboxEntry,
             label: str | None, owner: User | None) -> str:
    """sync.md's worked example: "Close of #812 not applied: owner is now Alice. Your work
    log was saved." The reason is this replica's current view when it has one (the pull
    after the refusal brought the server's state), otherwise the server's own words."""
    what = _what(entry.command_name, conflict.client_payload, label)
    if conflict.code == "not_owner" and owner is not None:
        sentence = f"{what} not applied: owner is now {owner.full_name}."
    elif conflict.code in ("not_visible", "not_found") and label is None:
        sentence = f"{what} not applied: the ticket is no longer visible to you."
    elif conflict.code == "dependency_rejected":
        sentence = f"{what} not applied: it depended on a change that was not applied."
    else:
        sentence = f"{what} not applied. {conflict.message}"
    if entry.command_name != "AddWorkunit" and _work_logs_saved(session, entry):
        sentence += " Your work log was saved."
    return sentence


def _work_logs_saved(session: Session, entry: OutboxEntry) -> bool:
    """Whether a work log written in the same sitting on the same ticket was accepted."""
    if entry.ticket_id is None:
        return False
    accepted = session.scalar(select(OutboxEntry.mutation_id).where(
        OutboxEntry.ticket_id == entry.ticket_id,
        OutboxEntry.command_name == AddWorkunit.command_name,
        OutboxEntry.state == OutboxState.ACKED,
        OutboxEntry.created_at >= entry.created_at - SAME_SITTING,
        OutboxEntry.created_at <= entry.created_at + SAME_SITTING).limit(1))
    return accepted is not None


def _user_text_html(payload: dict[str, Any]) -> str:
    """The rich text the user typed into the refused command, if it carried any."""
    args = payload.get("args", {})
    name = payload.get("command")
    if name == "AddWorkunit":
        return str(args.get("text_html") or "")
    if name in STATUS_COMMANDS:
        return str(args.get("epilogue_html") or "")
    if name == "CreateTicket":
        return str(args.get("description_html") or "")
    if name == "UpdateTicketFields":
        changes = args.get("changes") or {}
        return str(changes.get("description_html") or "")
    return ""


def _user_text(payload: dict[str, Any]) -> str:
    return html.unescape(plain_text(_user_text_html(payload)))


# --- Acting -------------------------------------------------------------------------------


def ask_owner(ws: Workspace, conflict_id: int, actor_id: uuid.UUID,
              now: dt.datetime | None = None) -> ActionOutcome:
    """A workunit to the ticket's current owner asking them to do what the server refused
    this user, quoting what the user typed. Hours 0: asking is not work on the ticket."""
    now = now or utc_now()
    with ws.user_action() as session:
        conflict, entry = _open_conflict(session, conflict_id)
        row = _row(session, conflict, entry, actor_id)
        if ConflictAction.ASK_OWNER not in row.actions or row.ticket_id is None:
            raise DomainError(VALIDATION, "There is no other owner to ask about this change.")
        ticket = session.get(Ticket, row.ticket_id)
        assert ticket is not None
        assert row.owner_name is not None
        assert row.ticket_label is not None
        request = AddWorkunit(
            ticket_id=ticket.id, hours=0.0,
            text_html=_request_html(conflict.client_payload, row.owner_name, row.ticket_label,
                                    _name_of(session, actor_id), session),
            # Internal keeps a note between staff from the customer who filed the ticket,
            # unless the owner is that person (they would not see it).
            is_internal=ticket.owner_id != ticket.creator_id)
        _queue(ws, session, request, actor_id, now)
        _resolve(conflict, ConflictAction.ASK_OWNER, now)
        message = f"Asked {row.owner_name} about {row.ticket_label}; the note goes with the " \
                  "next sync."
        return ActionOutcome(conflict_id, ConflictAction.ASK_OWNER, message, ticket.id,
                             _mutation_of(session, request))


def retry(ws: Workspace, conflict_id: int, actor_id: uuid.UUID,
          now: dt.datetime | None = None) -> ActionOutcome:
    """The refused command again, as a new command the server decides on afresh.

    Only the command id is new. Ids of rows it creates (a ticket, a workunit) are kept:
    commands refused with it (``dependency_rejected``) name them, so retrying those next
    still finds them, and the refused original made nothing on the server to clash with.
    If the command would be refused here too (say the ticket is someone else's now), the
    local rules say so at once and nothing is written.
    """
    now = now or utc_now()
    with ws.user_action() as session:
        conflict, _entry = _open_conflict(session, conflict_id)
        original = command_from_json(conflict.client_payload)
        again = dataclasses.replace(original, command_id=new_id())
        result = _queue(ws, session, again, actor_id, now)
        _resolve(conflict, ConflictAction.RETRY, now)
        ticket_id = result.changed_ticket_ids[0] if result.changed_ticket_ids else None
        return ActionOutcome(conflict_id, ConflictAction.RETRY,
                             "Sent again: the server decides at the next sync.", ticket_id,
                             _mutation_of(session, again))


def copy_to_new_ticket(ws: Workspace, conflict_id: int, actor_id: uuid.UUID,
                       group_id: uuid.UUID | None = None,
                       now: dt.datetime | None = None) -> ActionOutcome:
    """A new ticket holding a work log the server would not add (sync.md: "the text
    kept, with copy to a new ticket"), in ``group_id`` or, by default, the original
    ticket's group if the user may still file there, else their first such group."""
    now = now or utc_now()
    with ws.user_action() as session:
        conflict, entry = _open_conflict(session, conflict_id)
        if entry.command_name != AddWorkunit.command_name:
            raise DomainError(VALIDATION, "Only a work log can be copied to a new ticket.")
        row = _row(session, conflict, entry, actor_id)
        group = _group_for_copy(session, actor_id, row.ticket_id, group_id)
        source = row.ticket_label or "a ticket no longer visible to you"
        title = f"Work log kept from {source}"[:MAX_TITLE]
        text_html = str(conflict.client_payload.get("args", {}).get("text_html") or "")
        hours = conflict.client_payload.get("args", {}).get("hours") or 0
        intro = (f"<p><em>Copied from a work log ({_hours(hours)}) written "
                 f"{entry.created_at:%Y-%m-%d %H:%M} UTC that the server would not add to "
                 f"{html.escape(source)}.</em></p>")
        create = CreateTicket(title=title, group_id=group, description_html=intro + text_html)
        _queue(ws, session, create, actor_id, now)
        _resolve(conflict, ConflictAction.COPY_TO_NEW_TICKET, now)
        created = session.get(Ticket, create.ticket_id)
        assert created is not None
        label = ticket_number_label(created.number, created.provisional_number)
        return ActionOutcome(conflict_id, ConflictAction.COPY_TO_NEW_TICKET,
                             f"Copied to the new ticket {label}.", create.ticket_id,
                             _mutation_of(session, create))


def discard(ws: Workspace, conflict_id: int, now: dt.datetime | None = None) -> ActionOutcome:
    """Mark the conflict resolved, and do nothing else.

    This is not a second write path for tickets: a conflict is this desktop's own
    bookkeeping (``sync_conflicts`` is not replicated, never pushed, and not a command),
    and discarding it changes no ticket row. The refused command's local effects were
    already undone by the pull that followed the refusal, so the ticket already shows the
    server's truth; all that changes is that the desktop stops asking. The payload stays
    in the conflict, and the outbox row it names is kept, so the text is never lost.
    """
    now = now or utc_now()
    with ws.user_action() as session:
        conflict, _entry = _open_conflict(session, conflict_id)
        _resolve(conflict, ConflictAction.DISCARD, now)
    return ActionOutcome(conflict_id, ConflictAction.DISCARD,
                         "Discarded. What you typed stays in this desktop's sync records.",
                         None, None)


# --- Pieces -------------------------------------------------------------------------------


def _open_conflict(session: Session, conflict_id: int) -> tuple[SyncConflict, OutboxEntry]:
    conflict = session.get(SyncConflict, conflict_id)
    if conflict is None:
        raise DomainError(NOT_FOUND, "This conflict no longer exists.")
    if conflict.resolved_at is not None:
        raise DomainError(VALIDATION, "This conflict was already resolved "
                                      f"({conflict.resolution}).")
    entry = session.get(OutboxEntry, conflict.mutation_id)
    assert entry is not None  # sync_conflicts.mutation_id is a foreign key
    return conflict, entry


def _queue(ws: Workspace, session: Session, command: Command, actor_id: uuid.UUID,
           now: dt.datetime) -> CommandResult:
    """Queue ``command`` for the server inside the action's transaction."""
    if ws.role is not Role.REPLICA:
        raise DomainError(VALIDATION, "Only a replica of a server has sync conflicts.")
    return ws.apply_in(session, command, actor_id, ws.context(now))


def _resolve(conflict: SyncConflict, action: ConflictAction, now: dt.datetime) -> None:
    conflict.resolved_at = now
    conflict.resolution = action.value


def _mutation_of(session: Session, command: Command) -> int | None:
    session.flush()
    return session.scalar(select(OutboxEntry.mutation_id)
                          .where(OutboxEntry.command_id == command.command_id))


def _name_of(session: Session, user_id: uuid.UUID) -> str:
    user = session.get(User, user_id)
    return user.full_name if user is not None else "A colleague"


def _request_html(payload: dict[str, Any], owner: str, label: str, me: str,
                  session: Session) -> str:
    """The note to the owner, in the owner's terms: what was wanted, and the user's text."""
    args = payload.get("args", {})
    name = payload.get("command")
    if name == "ChangeStatus" and args.get("status") == Status.CLOSED:
        name = "CloseTicket"
    if name == "CloseTicket":
        resolution = _label(Resolution, args.get("resolution"))
        wanted = f"to close {label}" + (f" as \u201c{resolution}\u201d" if resolution else "")
        ask = "Could you close it?"
    elif name == "ReopenTicket":
        wanted, ask = f"to reopen {label}", "Could you reopen it?"
    elif name == "ChangeStatus":
        status = _label(Status, args.get("status")) or "another status"
        wanted, ask = f"to set {label} to \u201c{status}\u201d", "Could you change it?"
    elif name == "AssignOwner":
        target = _user_name(session, args.get("owner_id"))
        wanted, ask = f"to pass {label} to {target}", "Could you reassign it?"
    else:
        wanted, ask = f"to change {label}", "Could you take a look?"
    parts = [f"<p>{html.escape(owner)}: {html.escape(me)} wanted {html.escape(wanted)}, "
             f"but it was yours by the time the change reached the server. "
             f"{html.escape(ask)}</p>"]
    text = _user_text_html(payload)
    if plain_text(text):
        parts.append(f"<blockquote>{text}</blockquote>")
    return "".join(parts)


def _label(kind: type[Status] | type[Resolution], code: object) -> str:
    try:
        return kind(int(str(code))).label
    except ValueError:
        return ""


def _user_name(session: Session, raw: object) -> str:
    try:
        user = session.get(User, uuid.UUID(str(raw)))
    except ValueError:
        user = None
    return user.full_name if user is not None else "someone else"


def _group_for_copy(session: Session, actor_id: uuid.UUID, ticket_id: uuid.UUID | None,
                    wanted: uuid.UUID | None) -> uuid.UUID:
    perms = load_permissions(session, actor_id)
    if wanted is not None:
        return wanted  # the handler checks it, with its own message
    ticket = session.get(Ticket, ticket_id) if ticket_id is not None else None
    if ticket is not None and can_create_in(perms, ticket.group_id):
        return ticket.group_id
    candidates: Iterable[uuid.UUID] = session.scalars(select(Group.id).order_by(Group.name))
    for candidate in candidates:
        if can_create_in(perms, candidate):
            return candidate
    raise DomainError(VALIDATION, "You may not file tickets in any group, so the work log "
                                  "cannot be copied to a new one.", "group_id")


def _hours(hours: object) -> str:
    try:
        minutes = round(float(str(hours)) * 60)
    except ValueError:
        minutes = 0
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes % 60 else f"{minutes // 60} h"
