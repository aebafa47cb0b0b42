"""What the Create Ticket dialog reads and writes, as plain functions the runner calls.

No Qt here (like ``workunit_source``): each call opens its own session on the worker's
thread and hands back frozen data. The options the dialog offers are read by
``ticket_view_source.load_create_options``, and a parent is found with
``ticket_view_source.find_parent_tickets`` (the Details tab's picker uses it too). Filing
a ticket is one user action, so the ticket, the pictures in its description and the
files chosen are one ``execute_all``: a refusal of any of them files nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from desktopdesk.domain.commands import CreateTicket
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.domain.html import sanitize_html
from desktopdesk.models import Priority
from desktopdesk.store.drafts import InlineImage
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.attachment_files import file_attachments, image_attachments

log = logging.getLogger("desktopdesk.ui.tickets")


@dataclass(frozen=True)
class TicketSubmission:
    """What the person typed and chose, as they left it; HTML not yet sanitised."""

    title: str
    #: None: no group chosen (none offered, or not picked yet).
    group_id: uuid.UUID | None
    description_html: str = ""
    priority: int = Priority.MEDIUM
    ticket_type_id: uuid.UUID | None = None
    #: Custom field id (as a string) -> value as typed.
    custom_values: Mapping[str, str] = field(default_factory=dict)
    creator_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    created_at: dt.datetime | None = None
    #: Names and types of pictures pasted or dropped into the description.
    images: tuple[InlineImage, ...] = ()
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class CreatedTicket:
    ticket_id: uuid.UUID
    attachment_ids: tuple[uuid.UUID, ...]
    #: What the rules allowed but want said (a group's "notify" limit reached).
    warnings: tuple[str, ...]


def submit_ticket(workspace: Workspace, actor_id: uuid.UUID, submission: TicketSubmission,
                  image_bytes: Mapping[str, bytes] | None = None) -> CreatedTicket:
    """Store the bytes, then file the ticket and its attachments in one transaction.

    Pictures in the description become attachments of the ticket, so whoever may see it
    may fetch them. ``image_bytes`` holds pictures whose background write may not have
    finished yet.
    """
    if submission.group_id is None:
        raise DomainError(VALIDATION, "Choose the group the ticket goes to.", "group_id")
    html = sanitize_html(submission.description_html)
    ticket = CreateTicket(
        title=submission.title, group_id=submission.group_id, description_html=html,
        priority=submission.priority, ticket_type_id=submission.ticket_type_id,
        custom_values=dict(submission.custom_values), creator_id=submission.creator_id,
        parent_id=submission.parent_id, created_at=submission.created_at)
    attachments = [
        *image_attachments(workspace.blobs, ticket.ticket_id, html, submission.images,
                           image_bytes or {}, description="Image in the ticket description"),
        *file_attachments(workspace.blobs, ticket.ticket_id, submission.files),
    ]
    results = workspace.execute_all([ticket, *attachments], actor_id)
    warnings = tuple(dict.fromkeys(w for result in results for w in result.warnings))
    return CreatedTicket(ticket.ticket_id, tuple(a.attachment_id for a in attachments),
                         warnings)
