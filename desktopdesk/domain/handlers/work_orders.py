"""Work orders on a ticket: one printed (its PDF attached), one validated (the signed
scan attached and linked to it).

Both attach their file through ``files.add_attachment``, so every rule of files holds:
who may add files, the size limit, and on the server the proof that the sender holds
the bytes. The times stored are the history's for the same event (when the technician
did it, offline included), so the ticket's work-order list and its history agree.
"""

from __future__ import annotations

from desktopdesk.domain import acl
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import GenerateWorkOrder, ValidateWorkOrder
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.domain.handlers.common import require_new_id, require_text, touch
from desktopdesk.domain.handlers.files import FileToAttach, add_attachment
from desktopdesk.domain.history import EventKind
from desktopdesk.models import Attachment, Ticket, WorkOrder

PDF = "application/pdf"
#: What a signed scan may be: one PDF (what DesktopDesk makes of photos), or a picture.
SIGNED_MIME_TYPES = frozenset({PDF, "image/jpeg", "image/png", "image/tiff"})


@handles(GenerateWorkOrder)
def generate_work_order(action: Action, cmd: GenerateWorkOrder) -> CommandResult:
    session = action.session
    ticket = acl.require_visible(session, action.perms, cmd.ticket_id)
    require_new_id(session, WorkOrder, cmd.work_order_id, "work order", "work_order_id")
    template_name = require_text(cmd.template_name, "The template name", "template_name", 100)
    attachment = add_attachment(action, ticket, FileToAttach(
        cmd.attachment_id, cmd.file_name, cmd.size, cmd.sha256, PDF,
        f"Work order ({template_name})"))
    session.flush()  # the attachment first: without relationships the ORM does not order them
    session.add(WorkOrder(
        id=cmd.work_order_id, ticket_id=ticket.id, attachment_id=attachment.id,
        template_id=cmd.template_id, template_name=template_name,
        generated_by_id=action.actor_id,
        generated_at=action.history.time_of(ticket.id, EventKind.WORK_ORDER_GENERATED)))
    action.history.record(ticket.id, EventKind.WORK_ORDER_GENERATED, "", "",
                          attachment.file_name)
    touch(action, ticket)
    return action.result(created_id=cmd.work_order_id, tickets=(ticket.id,))


@handles(ValidateWorkOrder)
def validate_work_order(action: Action, cmd: ValidateWorkOrder) -> CommandResult:
    session = action.session
    work_order = session.get(WorkOrder, cmd.work_order_id)
    ticket = session.get(Ticket, work_order.ticket_id) if work_order is not None else None
    # One message whether it is missing or on a ticket hidden from the actor: ids must
    # not tell what exists.
    if (work_order is None or ticket is None or ticket.id != cmd.ticket_id
            or not acl.can_view(action.perms, ticket)):
        raise DomainError(VALIDATION, "That work order does not exist (any more).",
                          "work_order_id")
    mime = cmd.mime_type.strip().lower()
    if mime not in SIGNED_MIME_TYPES:
        raise DomainError(VALIDATION, "A signed work order is a PDF, JPEG, PNG or TIFF "
                                      f"file, not {cmd.mime_type!r}.", "mime_type")
    printed = session.get(Attachment, work_order.attachment_id)
    printed_name = printed.file_name if printed is not None else work_order.template_name
    signed = add_attachment(action, ticket, FileToAttach(
        cmd.attachment_id, cmd.file_name, cmd.size, cmd.sha256, mime,
        f"Signed copy of {printed_name}"))
    session.flush()
    work_order.signed_attachment_id = signed.id
    work_order.validated_by_id = action.actor_id
    work_order.validated_at = action.history.time_of(ticket.id, EventKind.WORK_ORDER_VALIDATED)
    action.history.record(ticket.id, EventKind.WORK_ORDER_VALIDATED, "",
                          printed_name, signed.file_name)
    touch(action, ticket)
    return action.result(tickets=(ticket.id,))
