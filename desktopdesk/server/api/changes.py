"""Running a route's command: ``deps.execute`` plus the API's own names in errors.

Commands speak of ``group_id`` and ``custom:<uuid>``; the REST API takes ``group`` and
custom fields by label. A refusal names the input the caller actually sent, and a ticket
that vanished between lookup and command answers exactly like any missing ticket.

Creates may carry the client's own id. A retry must not make a second ticket, nor fail:
the command id is derived from the client's id, so the command log (which the rules
already consult) recognises the retry, and the route answers with what exists.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from desktopdesk.domain.commands import Command
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import DUPLICATE, NOT_FOUND
from desktopdesk.models import CommandLogEntry, CustomField
from desktopdesk.server.api.reads import ticket_not_found
from desktopdesk.server.deps import execute
from desktopdesk.server.errors import ApiError
from desktopdesk.store.workspace import Workspace

#: Command field -> the REST input that fed it.
API_FIELDS: Mapping[str, str] = {
    "group_id": "group",
    "ticket_type_id": "type",
    "owner_id": "owner",
    "creator_id": "creator",
    "parent_id": "parent",
    "profile_id": "profile",
    "shared_with_ids": "shared_with",
    "workunit_id": "workunit",
    "is_private": "private",
    "is_internal": "internal",
    "has_cost": "cost",
    "emails": "emails_in_copy",
    "inventory_object_ids": "inventory",
    "ticket_id": "id",
}

#: Namespace of command ids derived from client-chosen ids (fixed forever: retries from
#: old clients must keep matching).
CLIENT_ID_NAMESPACE = uuid.UUID("4b1f3c52-9a0e-4d57-8f3c-2f6c1d0b7a11")


def run(store: Workspace, command: Command, actor_id: uuid.UUID, now: dt.datetime, *,
        fields: Mapping[str, str] | None = None) -> CommandResult:
    """Apply ``command`` for the caller; a refusal is an ``ApiError`` in the API's terms.

    ``fields`` renames command fields where a route's input differs from ``API_FIELDS``.
    """
    try:
        return execute(store, command, actor_id, now=now)
    except ApiError as error:
        raise in_api_terms(store, error, {**API_FIELDS, **(fields or {})}) from error


def in_api_terms(store: Workspace, error: ApiError, fields: Mapping[str, str]) -> ApiError:
    if error.code == NOT_FOUND and error.field == "ticket_id":
        return ticket_not_found()
    field = error.field
    if field is not None and field.startswith("custom:"):
        field = _custom_field_label(store, field)
    elif field is not None:
        field = fields.get(field, field)
    error.field = field
    return error


def _custom_field_label(store: Workspace, key: str) -> str:
    try:
        field_id = uuid.UUID(key.removeprefix("custom:"))
    except ValueError:
        return "custom_values"
    with store.read() as session:
        field = session.get(CustomField, field_id)
    return f"custom_values.{field.label}" if field else "custom_values"


def command_id_for(command_name: str, client_id: uuid.UUID) -> uuid.UUID:
    """The command id of "create this thing with the client's id": the same on every retry."""
    return uuid.uuid5(CLIENT_ID_NAMESPACE, f"{command_name}:{client_id}")


def earlier_attempt(store: Workspace, command_id: uuid.UUID, actor_id: uuid.UUID) -> bool:
    """True if the caller already applied this command; 409 if someone else did.

    Another person's command with this id means they chose the same client id: not a
    retry of ours, and nothing of theirs may be returned to us.
    """
    with store.read() as session:
        entry = session.get(CommandLogEntry, command_id)
        if entry is None:
            return False
        if entry.actor_id != actor_id:
            raise ApiError(409, DUPLICATE, "This id is already used; choose another.", "id")
        return True


def run_create(store: Workspace, command: Command, actor_id: uuid.UUID, now: dt.datetime, *,
               fields: Mapping[str, str] | None = None) -> CommandResult | None:
    """Apply a create whose command id came from ``command_id_for``.

    Returns None when it had been applied already (a retry, possibly racing the first
    attempt): the caller then answers with the existing row.
    """
    if earlier_attempt(store, command.command_id, actor_id):
        return None
    try:
        return run(store, command, actor_id, now, fields=fields)
    except ApiError:
        if earlier_attempt(store, command.command_id, actor_id):
            return None
        raise
