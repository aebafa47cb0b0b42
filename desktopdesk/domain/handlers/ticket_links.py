"""Parent tickets, inventory links, e-mails in copy, and deleting a ticket."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    DeleteTicket,
    LinkInventory,
    SetEmailsInCopy,
    SetParent,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import (
    FORBIDDEN,
    DomainError,
)
from desktopdesk.domain.handlers.common import (
    normalise_emails,
    require_row,
    require_unlocked,
    touch,
)
from desktopdesk.domain.handlers.ticket_rules import (
    check_inventory_in_scope,
    check_parent,
    editable_ticket,
    inventory_scope,
    may_set_parent,
)
from desktopdesk.domain.history import EventKind
from desktopdesk.models import (
    Attachment,
    CustomFieldValue,
    HistoryEvent,
    InventoryObject,
    Ticket,
    TicketInventoryLink,
    Workunit,
    WorkunitShare,
)


@handles(SetParent)
def set_parent(action: Action, cmd: SetParent) -> CommandResult:
    perms = action.perms
    ticket = acl.require_visible(action.session, perms, cmd.ticket_id)
    require_unlocked(ticket)
    if not may_set_parent(perms, ticket.group_id):
        raise DomainError(FORBIDDEN, "You need MANAGE or escalate to set a parent ticket.",
                          "parent_id")
    parent_id = check_parent(action, ticket.id, cmd.parent_id)
    if parent_id == ticket.parent_id:
        return action.result(tickets=(ticket.id,))
    action.history.record(ticket.id, EventKind.PARENT_CHANGED, "parent", ticket.parent_id,
                          parent_id)
    ticket.parent_id = parent_id
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))


@handles(LinkInventory)
def link_inventory(action: Action, cmd: LinkInventory) -> CommandResult:
    session = action.session
    ticket = editable_ticket(action, cmd.ticket_id)
    item = require_row(session, InventoryObject, cmd.inventory_object_id, "inventory object",
                       "inventory_object_id")
    link = session.scalar(select(TicketInventoryLink).where(
        TicketInventoryLink.ticket_id == ticket.id,
        TicketInventoryLink.inventory_object_id == item.id,
    ))
    if cmd.linked and link is None:
        scope = inventory_scope(action, ticket.group_id, ticket.creator_id)
        check_inventory_in_scope(scope, item, "inventory_object_id")
        session.add(TicketInventoryLink(ticket_id=ticket.id, inventory_object_id=item.id))
        action.history.record(ticket.id, EventKind.INVENTORY_LINKED, "inventory", "", item.name)
    elif not cmd.linked and link is not None:
        session.delete(link)
        action.history.record(ticket.id, EventKind.INVENTORY_UNLINKED, "inventory", item.name, "")
    else:
        return action.result(tickets=(ticket.id,))
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))


@handles(SetEmailsInCopy)
def set_emails_in_copy(action: Action, cmd: SetEmailsInCopy) -> CommandResult:
    ticket = editable_ticket(action, cmd.ticket_id)
    emails = normalise_emails(cmd.emails, "emails")
    if emails == list(ticket.emails_in_copy):
        return action.result(tickets=(ticket.id,))
    action.history.record(ticket.id, EventKind.EMAILS_IN_COPY_CHANGED, "emails_in_copy",
                          ticket.emails_in_copy, emails)
    ticket.emails_in_copy = emails
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))


@handles(DeleteTicket)
def delete_ticket(action: Action, cmd: DeleteTicket) -> CommandResult:
    session = action.session
    ticket = acl.require_visible(session, action.perms, cmd.ticket_id)
    if not acl.can_manage(action.perms, ticket):
        raise DomainError(FORBIDDEN, "Only a manager of the group can delete a ticket.")
    # Children survive as top-level tickets; rows hanging off the ticket go with it.
    for child in session.scalars(select(Ticket).where(Ticket.parent_id == ticket.id)):
        action.history.record(child.id, EventKind.PARENT_CHANGED, "parent", ticket.id, None)
        child.parent_id = None
    # Deleted through the ORM, dependants first, so every removed row is seen by the
    # flush hooks (tombstones on the server, undo shadows on a replica).
    workunit_ids = select(Workunit.id).where(Workunit.ticket_id == ticket.id)
    stages: list[list[Any]] = [
        [WorkunitShare, WorkunitShare.workunit_id.in_(workunit_ids)],
        [Attachment, Attachment.ticket_id == ticket.id],
        [Workunit, Workunit.ticket_id == ticket.id],
        [HistoryEvent, HistoryEvent.ticket_id == ticket.id],
        [CustomFieldValue, CustomFieldValue.ticket_id == ticket.id],
        [TicketInventoryLink, TicketInventoryLink.ticket_id == ticket.id],
    ]
    for model, condition in stages:
        for row in session.scalars(select(model).where(condition)):
            session.delete(row)
        session.flush()
    session.delete(ticket)
    return action.result(tickets=(cmd.ticket_id,))
