"""Work orders from start to end: choose the template, print the PDF, keep it on the
ticket, and attach the signed scan that validates it.

Everything here works from the local store, offline included: the PDF goes into the blob
store and a ``GenerateWorkOrder`` command names it, so it syncs like any file; the signed
scan likewise through ``ValidateWorkOrder``. Each user action is one command, in one
transaction, after its bytes are safely stored (a refusal then leaves only an unreferenced
blob, never a half-recorded work order). Nothing here touches Qt; the desktop calls these
on a worker, the command line directly.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.documents.macros import STANDARD_MACROS
from desktopdesk.documents.resources import default_work_order_template, work_order_logo
from desktopdesk.documents.scans import ScanPage, combine_scans
from desktopdesk.documents.ticket_values import read_work_order
from desktopdesk.documents.work_order_blocks import WORK_ORDER_BLOCKS
from desktopdesk.documents.work_order_pdf import RenderedWorkOrder, render_work_order
from desktopdesk.domain import acl, settings
from desktopdesk.domain.acl import Permissions, load_permissions
from desktopdesk.domain.commands import GenerateWorkOrder, ValidateWorkOrder
from desktopdesk.domain.errors import NOT_FOUND, VALIDATION, DomainError
from desktopdesk.domain.handlers.admin_work_orders import SYSTEM_TEMPLATE_NAME
from desktopdesk.domain.handlers.files import require_may_add_files, require_size_within
from desktopdesk.domain.settings import read_setting, stored_settings
from desktopdesk.models import (
    Attachment,
    CustomField,
    Ticket,
    TicketType,
    WorkOrder,
    WorkOrderTemplate,
)
from desktopdesk.models.base import utc_now
from desktopdesk.store.workspace import Workspace

__all__ = ["SYSTEM_TEMPLATE_NAME"]


class TicketsOwn(enum.Enum):
    """The template a ticket's type chooses (its own, else the default)."""

    TEMPLATE = "the ticket's own"


#: ``template_id`` argument meaning "whatever the ticket's type uses".
THE_TICKETS_OWN = TicketsOwn.TEMPLATE


@dataclass(frozen=True)
class TemplateChoice:
    """A template ready to print with: a stored one, or the system one (id None)."""

    template_id: uuid.UUID | None
    name: str
    body_html: str
    logo: bytes | None


@dataclass(frozen=True)
class WorkOrderDocument:
    """One work order printed, before or without being stored."""

    rendered: RenderedWorkOrder
    ticket_id: uuid.UUID
    #: "#812", or "#L3 (provisional)" for a ticket filed offline.
    ticket_label: str
    template: TemplateChoice
    #: What the attachment is called: ``work-order-812-20261127-101542.pdf``.
    file_name: str
    generated_at: dt.datetime


@dataclass(frozen=True)
class GeneratedWorkOrder:
    work_order_id: uuid.UUID
    attachment_id: uuid.UUID
    document: WorkOrderDocument


@dataclass(frozen=True)
class ValidatedWorkOrder:
    attachment_id: uuid.UUID
    file_name: str
    page_count: int
    size: int


@dataclass(frozen=True)
class MacroInfo:
    """One entry of the editor's macro picker."""

    #: As written between the underscores: ``incident_title``, ``Hardware type``.
    name: str
    description: str
    #: "Ticket", "Custom fields" or "Blocks": how the picker groups them.
    group: str

    @property
    def macro(self) -> str:
        return f"_{self.name}_"


# --- Templates ----------------------------------------------------------------------------


def system_template() -> TemplateChoice:
    """The template that ships in ``resources/``, with the bundled logo."""
    return TemplateChoice(None, SYSTEM_TEMPLATE_NAME, default_work_order_template(),
                          work_order_logo())


def load_template(session: Session, template_id: uuid.UUID | None) -> TemplateChoice:
    """A stored template (None: the system one); a missing id is a refusal."""
    if template_id is None:
        return system_template()
    row = session.get(WorkOrderTemplate, template_id)
    if row is None:
        raise DomainError(VALIDATION, "That work-order template does not exist (any more).",
                          "template_id")
    return _choice(row)


def default_template(session: Session) -> TemplateChoice:
    """The template for ticket types without one: the stored default, else the system's."""
    row = session.scalar(select(WorkOrderTemplate).where(WorkOrderTemplate.is_default.is_(True))
                         .order_by(WorkOrderTemplate.name).limit(1))
    return _choice(row) if row is not None else system_template()


def template_for_ticket(session: Session, ticket_id: uuid.UUID) -> TemplateChoice:
    """The template the ticket's type uses, else the default one."""
    chosen = session.scalar(
        select(TicketType.work_order_template_id)
        .join(Ticket, Ticket.ticket_type_id == TicketType.id)
        .where(Ticket.id == ticket_id))
    if chosen is not None:
        row = session.get(WorkOrderTemplate, chosen)
        if row is not None:
            return _choice(row)
    return default_template(session)


def _choice(row: WorkOrderTemplate) -> TemplateChoice:
    return TemplateChoice(row.id, row.name, row.body_html, logo_bytes(row.logo_data_uri))


def logo_bytes(data_uri: str) -> bytes | None:
    """The picture of a stored ``data:`` URI (checked when it was saved), or None."""
    _head, comma, payload = data_uri.partition(",")
    if not comma:
        return None
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None


def macro_catalogue(session: Session, ticket_type_ids: Sequence[uuid.UUID] = ()
                    ) -> list[MacroInfo]:
    """What a template may use: the ticket's macros, the custom fields of the given types
    and the global ones (by label), and the work-order blocks."""
    entries = [MacroInfo(name, description, "Ticket")
               for name, description in STANDARD_MACROS.items()]
    query = select(CustomField.label, TicketType.name).outerjoin(
        TicketType, TicketType.id == CustomField.ticket_type_id).where(
        CustomField.ticket_type_id.is_(None) | CustomField.ticket_type_id.in_(
            list(ticket_type_ids))).order_by(CustomField.label)
    seen: set[str] = set(STANDARD_MACROS)
    for label, type_name in session.execute(query):
        if label in seen:
            continue
        seen.add(label)
        where = f"custom field of {type_name}" if type_name else "custom field of every type"
        entries.append(MacroInfo(label, f"The ticket's '{label}' ({where})", "Custom fields"))
    entries += [MacroInfo(name, description, "Blocks")
                for name, description in WORK_ORDER_BLOCKS.items()]
    return entries


# --- Printing -----------------------------------------------------------------------------


def make_work_order(session: Session, perms: Permissions, ticket_id: uuid.UUID, *,
                    template: TemplateChoice | None = None,
                    generated_at: dt.datetime | None = None,
                    zone: dt.tzinfo | None = None) -> WorkOrderDocument:
    """The work order of a ticket, as ``perms``' person may see it (raises NOT_FOUND when
    they may not see the ticket). ``template`` None: the ticket's own. Times print in
    ``zone`` (None: this computer's)."""
    chosen = template if template is not None else template_for_ticket(session, ticket_id)
    stored = stored_settings(session)
    data = read_work_order(session, perms, ticket_id,
                           site_name=read_setting(stored, settings.SITE_NAME),
                           base_url=read_setting(stored, settings.TICKET_WEB_URL), zone=zone)
    moment = generated_at or utc_now()
    rendered = render_work_order(chosen.body_html, data.values, data.workunits,
                                 ticket_label=data.ticket_label, generated_at=moment,
                                 logo=chosen.logo, zone=zone)
    return WorkOrderDocument(rendered, ticket_id, data.ticket_label, chosen,
                             work_order_file_name(session, ticket_id, moment, zone), moment)


def work_order_file_name(session: Session, ticket_id: uuid.UUID, moment: dt.datetime,
                         zone: dt.tzinfo | None = None) -> str:
    """``work-order-812-20261127-101542.pdf`` (``L3`` for a ticket still numbered locally):
    sorts by ticket then time in any file manager, and two printed in one minute differ."""
    number, provisional = session.execute(
        select(Ticket.number, Ticket.provisional_number).where(Ticket.id == ticket_id)).one()
    label = str(number) if number is not None else f"L{provisional}"
    local = moment.astimezone(zone) if zone is not None else moment.astimezone()
    return f"work-order-{label}-{local:%Y%m%d-%H%M%S}.pdf"


def resolve_template(session: Session, ticket_id: uuid.UUID,
                     template_id: uuid.UUID | TicketsOwn | None) -> TemplateChoice:
    if template_id is THE_TICKETS_OWN:
        return template_for_ticket(session, ticket_id)
    return load_template(session, template_id)


def generate_work_order(workspace: Workspace, actor_id: uuid.UUID, ticket_id: uuid.UUID, *,
                        template_id: uuid.UUID | TicketsOwn | None = THE_TICKETS_OWN,
                        zone: dt.tzinfo | None = None) -> GeneratedWorkOrder:
    """Print the ticket's work order and keep it on the ticket (offline too).

    The rules of files are asked first (who may add them, the size limit), so a refusal
    leaves nothing behind; then the PDF's bytes go to the blob store and one command
    records it, which checks everything again.
    """
    with workspace.read() as session:
        perms = load_permissions(session, actor_id)
        limit_mb = _require_may_attach(session, perms, ticket_id)
        template = resolve_template(session, ticket_id, template_id)
        document = make_work_order(session, perms, ticket_id, template=template, zone=zone)
    require_size_within(document.file_name, len(document.rendered.pdf), limit_mb)
    stored = workspace.blobs.put_bytes(document.rendered.pdf)
    command = GenerateWorkOrder(
        ticket_id=ticket_id, template_id=template.template_id, template_name=template.name,
        file_name=document.file_name, size=stored.size, sha256=stored.sha256)
    workspace.execute(command, actor_id)
    return GeneratedWorkOrder(command.work_order_id, command.attachment_id, document)


def validate_work_order(workspace: Workspace, actor_id: uuid.UUID, work_order_id: uuid.UUID,
                        pages: Sequence[ScanPage]) -> ValidatedWorkOrder:
    """The signed pages, in the order given, as one PDF attached as the work order's
    validation (photos reduced for sync; see ``scan_pdf``)."""
    if not pages:
        raise DomainError(VALIDATION, "Add the signed pages first: there is nothing to "
                                      "attach.", "pages")
    with workspace.read() as session:
        found = session.execute(
            select(WorkOrder.ticket_id, Attachment.file_name)
            .join(Attachment, Attachment.id == WorkOrder.attachment_id)
            .where(WorkOrder.id == work_order_id)).one_or_none()
        if found is None:
            raise DomainError(NOT_FOUND, "That work order does not exist (any more).",
                              "work_order_id")
        ticket_id, printed_name = found
        limit_mb = _require_may_attach(session, load_permissions(session, actor_id), ticket_id)
    file_name = signed_file_name(printed_name)
    combined = combine_scans(pages)
    require_size_within(file_name, len(combined.data), limit_mb)
    stored = workspace.blobs.put_bytes(combined.data)
    command = ValidateWorkOrder(work_order_id=work_order_id, ticket_id=ticket_id,
                                file_name=file_name, size=stored.size, sha256=stored.sha256)
    workspace.execute(command, actor_id)
    return ValidatedWorkOrder(command.attachment_id, file_name, combined.pages, stored.size)


def _require_may_attach(session: Session, perms: Permissions, ticket_id: uuid.UUID) -> int:
    """The files rules the command will apply, asked before any bytes are made and
    stored; the attachment size limit in MB, for the file once made."""
    ticket = acl.require_visible(session, perms, ticket_id)
    stored = stored_settings(session)
    require_may_add_files(perms, ticket, read_setting(stored, settings.EXTERNAL_USERS_MAY_MODIFY))
    return read_setting(stored, settings.MAX_ATTACHMENT_MB)


def signed_file_name(printed_name: str) -> str:
    """``work-order-812-20261127-101542-signed.pdf``: named after the printed one, so the
    two sit side by side in the ticket's files."""
    return f"{printed_name.removesuffix('.pdf')}-signed.pdf"
