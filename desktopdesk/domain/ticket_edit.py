"""From what the Details tab holds to the commands that make it so. No Qt.

The tab keeps a ``TicketEdit`` (the form's values); ``commands_for_edit`` compares it with
the ``TicketDetails`` it was loaded from and returns only the commands for what changed,
each carrying the value the user saw as its merge base. They run in one transaction
(``Workspace.execute_all``): one Save is one user action.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from desktopdesk.domain.commands import (
    AssignOwner,
    ChangeStatus,
    Command,
    LinkInventory,
    ReopenTicket,
    SetEmailsInCopy,
    SetParent,
    UpdateTicketFields,
)
from desktopdesk.domain.ticket_details import TicketDetails
from desktopdesk.models import Priority, Resolution, Status


@dataclass(frozen=True)
class TicketEdit:
    title: str
    description_html: str
    priority: Priority
    status: Status
    group_id: uuid.UUID
    ticket_type_id: uuid.UUID | None
    owner_id: uuid.UUID
    creator_id: uuid.UUID
    parent_id: uuid.UUID | None
    project_task: str
    sla_disabled: bool
    emails_in_copy: tuple[str, ...]
    inventory_ids: frozenset[uuid.UUID]
    #: (field id as a string, value) for every custom field shown.
    custom_values: tuple[tuple[str, str], ...]
    #: Needed when closing; ignored otherwise.
    resolution: Resolution = Resolution.NONE
    epilogue_html: str = ""

    @classmethod
    def of(cls, details: TicketDetails) -> TicketEdit:
        """The form as loaded: no changes."""
        return cls(
            title=details.title,
            description_html=details.description_html,
            priority=details.priority,
            status=details.status,
            group_id=details.group.id,
            ticket_type_id=details.ticket_type.id if details.ticket_type else None,
            owner_id=details.owner.id,
            creator_id=details.creator.id,
            parent_id=details.parent.id if details.parent else None,
            project_task=details.project_task,
            sla_disabled=details.sla_disabled,
            emails_in_copy=details.emails_in_copy,
            inventory_ids=frozenset(choice.id for choice in details.inventory),
            custom_values=tuple((str(spec.id), details.custom_value(spec.id))
                                for spec in details.custom_fields),
            resolution=details.resolution,
            epilogue_html=details.epilogue_html,
        )


def commands_for_edit(details: TicketDetails, edit: TicketEdit) -> list[Command]:
    """The commands that turn ``details`` into ``edit``, in an order that works.

    - Fields in one ``UpdateTicketFields``: its handler moves group and type before it
      checks custom values, against the new type's fields.
    - Parent, inventory and e-mails in copy next, while the reader still edits as before.
    - The status before the owner: only the owner may change the status, so an owner
      who sets "Assigned" and hands the ticket over in one save needs that order. A
      closed ticket is reopened with ``ReopenTicket`` (the way out of Closed).
    - Moving the ticket to another group and handing it to someone who can own it here
      hands it over first (the move is refused while the owner cannot see the new group).
    """
    fields = _fields_command(details, edit)
    links = _link_commands(details, edit)
    status = _status_commands(details, edit)
    owner: list[Command] = []
    if edit.owner_id != details.owner.id:
        owner.append(AssignOwner(ticket_id=details.id, owner_id=edit.owner_id))
    hand_over_first = bool(owner) and edit.group_id != details.group.id and any(
        person.id == edit.owner_id for person in details.owner_choices)
    if hand_over_first:
        return [*links, *status, *owner, *fields]
    return [*fields, *links, *status, *owner]


def _fields_command(details: TicketDetails, edit: TicketEdit) -> list[Command]:
    changes, base = _field_changes(details, edit)
    if not changes:
        return []
    return [UpdateTicketFields(ticket_id=details.id, changes=changes, base=base)]


def _status_commands(details: TicketDetails, edit: TicketEdit) -> list[Command]:
    if edit.status is details.status:
        return []
    if details.status is Status.CLOSED and edit.status is Status.REOPENED:
        return [ReopenTicket(ticket_id=details.id)]
    if edit.status is Status.CLOSED:
        return [ChangeStatus(ticket_id=details.id, status=int(edit.status),
                             resolution=int(edit.resolution), epilogue_html=edit.epilogue_html)]
    return [ChangeStatus(ticket_id=details.id, status=int(edit.status))]


def _link_commands(details: TicketDetails, edit: TicketEdit) -> list[Command]:
    ticket_id = details.id
    commands: list[Command] = []
    current_parent = details.parent.id if details.parent else None
    if edit.parent_id != current_parent:
        commands.append(SetParent(ticket_id=ticket_id, parent_id=edit.parent_id))
    linked = frozenset(choice.id for choice in details.inventory)
    commands.extend(LinkInventory(ticket_id=ticket_id, inventory_object_id=object_id)
                    for object_id in sorted(edit.inventory_ids - linked, key=str))
    commands.extend(LinkInventory(ticket_id=ticket_id, inventory_object_id=object_id,
                                  linked=False)
                    for object_id in sorted(linked - edit.inventory_ids, key=str))
    if _emails(edit.emails_in_copy) != _emails(details.emails_in_copy):
        commands.append(SetEmailsInCopy(ticket_id=ticket_id, emails=tuple(
            e.strip() for e in edit.emails_in_copy if e.strip())))
    return commands


def _field_changes(details: TicketDetails,
                   edit: TicketEdit) -> tuple[dict[str, Any], dict[str, Any]]:
    """UpdateTicketFields' ``changes`` and ``base`` (what the user saw), JSON-ready."""
    seen: dict[str, Any] = {
        "title": details.title,
        "description_html": details.description_html,
        "priority": int(details.priority),
        "group_id": str(details.group.id),
        "ticket_type_id": str(details.ticket_type.id) if details.ticket_type else None,
        "creator_id": str(details.creator.id),
        "sla_disabled": details.sla_disabled,
        "project_task": details.project_task,
    }
    wanted: dict[str, Any] = {
        "title": edit.title,
        "description_html": edit.description_html,
        "priority": int(edit.priority),
        "group_id": str(edit.group_id),
        "ticket_type_id": str(edit.ticket_type_id) if edit.ticket_type_id else None,
        "creator_id": str(edit.creator_id),
        "sla_disabled": edit.sla_disabled,
        "project_task": edit.project_task,
    }
    changes = {key: value for key, value in wanted.items() if value != seen[key]}
    if "title" in changes and edit.title.strip() == details.title.strip():
        del changes["title"]
    if "project_task" in changes and edit.project_task.strip() == details.project_task.strip():
        del changes["project_task"]
    type_changed = "ticket_type_id" in changes
    # The fields the ticket will have: a changed type brings its own (and drops values of
    # fields it lacks, which the handler records in the history).
    fields = details.fields_for_type(edit.ticket_type_id) if type_changed else (
        details.custom_fields)
    field_ids = {str(spec.id) for spec in fields}
    for key, value in edit.custom_values:
        if key not in field_ids:
            continue
        was = details.custom_value(uuid.UUID(key))
        if value.strip() != was.strip():
            changes[f"custom:{key}"] = value
    base = {key: seen[key] if key in seen else
            details.custom_value(uuid.UUID(key.removeprefix("custom:")))
            for key in changes}
    return changes, base


def _emails(emails: tuple[str, ...]) -> list[str]:
    return [e.strip().casefold() for e in emails if e.strip()]
