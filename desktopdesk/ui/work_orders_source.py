"""The Work orders tab's work off the GUI thread: read the list, fetch and save PDFs.
Plain functions (no Qt) the task runner calls; each opens its own session.

Generating and validating are ``documents.work_orders.generate_work_order`` and
``validate_work_order`` themselves (one command each, after the bytes are in the blob
store, so they work offline and sync like any file): the tab runs them directly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from desktopdesk.documents.work_order_pdf import write_pdf_atomically
from desktopdesk.documents.work_order_queries import (
    WorkOrderRow,
    list_templates,
    ticket_work_orders,
)
from desktopdesk.documents.work_orders import SYSTEM_TEMPLATE_NAME, template_for_ticket
from desktopdesk.domain.acl import load_permissions
from desktopdesk.store.workspace import Workspace


@dataclass(frozen=True)
class WorkOrderItem:
    """A work order as the tab lists it: the stored row, and which of its two PDFs are
    on this computer (a work order printed on another desktop comes before its bytes)."""

    row: WorkOrderRow
    pdf_available: bool
    signed_available: bool


@dataclass(frozen=True)
class TemplateOption:
    """One entry of the template drop-down; ``template_id`` None is the system template."""

    template_id: uuid.UUID | None
    name: str
    #: The template the ticket's type uses (or the default one for it).
    tickets_own: bool


@dataclass(frozen=True)
class WorkOrdersData:
    ticket_id: uuid.UUID
    items: tuple[WorkOrderItem, ...]
    #: The ticket's own template first, then the others by name.
    templates: tuple[TemplateOption, ...]


def load_work_orders(workspace: Workspace, user_id: uuid.UUID,
                     ticket_id: uuid.UUID) -> WorkOrdersData:
    """The ticket's work orders (newest first) and the templates it may print with."""
    with workspace.read() as session:
        perms = load_permissions(session, user_id)
        rows = ticket_work_orders(session, perms, ticket_id)
        own = template_for_ticket(session, ticket_id)
        stored = list_templates(session)
    blobs = workspace.blobs
    items = tuple(WorkOrderItem(
        row, blobs.size_of(row.sha256) is not None,
        row.signed_sha256 is not None and blobs.size_of(row.signed_sha256) is not None)
        for row in rows)
    options = [TemplateOption(own.template_id, own.name, True)]
    others = [(None, SYSTEM_TEMPLATE_NAME)] + [(t.id, t.name) for t in stored]
    options += [TemplateOption(template_id, name, False)
                for template_id, name in sorted(others, key=lambda o: o[1].casefold())
                if template_id != own.template_id]
    return WorkOrdersData(ticket_id, items, tuple(options))


def read_pdf(workspace: Workspace, sha256: str) -> bytes:
    """A stored PDF's bytes (``BlobNotFoundError`` when they have not come down yet)."""
    return workspace.blobs.read_bytes(sha256)


def save_pdf(workspace: Workspace, sha256: str, target: Path) -> Path:
    """Write a stored PDF to ``target``, whole or not at all."""
    return write_pdf_atomically(target, workspace.blobs.read_bytes(sha256))
