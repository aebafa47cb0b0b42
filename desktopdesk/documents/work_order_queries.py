"""What the screens show of work orders: a ticket's list, and the templates to edit.

Plain reads returning frozen rows, so the desktop runs them on a worker and hands the
result to the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from desktopdesk.domain import acl
from desktopdesk.domain.acl import Permissions
from desktopdesk.models import Attachment, TicketType, User, WorkOrder, WorkOrderTemplate


@dataclass(frozen=True)
class WorkOrderRow:
    """One work order of a ticket, with its PDF and, once validated, its signed scan."""

    id: uuid.UUID
    ticket_id: uuid.UUID
    attachment_id: uuid.UUID
    file_name: str
    sha256: str
    size: int
    template_name: str
    #: Display names ("Ana García", or the username when there is no full name).
    generated_by: str
    generated_at: dt.datetime
    signed_attachment_id: uuid.UUID | None = None
    signed_file_name: str | None = None
    signed_sha256: str | None = None
    signed_size: int | None = None
    validated_by: str | None = None
    validated_at: dt.datetime | None = None

    @property
    def validated(self) -> bool:
        return self.signed_attachment_id is not None


@dataclass(frozen=True)
class TemplateRow:
    id: uuid.UUID
    name: str
    description: str
    body_html: str
    logo_data_uri: str
    is_default: bool
    #: The ticket types that print with this template.
    ticket_type_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class TicketTypeChoice:
    id: uuid.UUID
    name: str
    #: The template the type uses (None: the default one).
    template_id: uuid.UUID | None


def ticket_work_orders(session: Session, perms: Permissions,
                       ticket_id: uuid.UUID) -> list[WorkOrderRow]:
    """The ticket's work orders, newest first (raises NOT_FOUND if the ticket is hidden)."""
    acl.require_visible(session, perms, ticket_id)
    printed, signed = aliased(Attachment), aliased(Attachment)
    generator, validator = aliased(User), aliased(User)
    query = (
        select(WorkOrder, printed, generator, signed, validator)
        .join(printed, printed.id == WorkOrder.attachment_id)
        .join(generator, generator.id == WorkOrder.generated_by_id)
        .outerjoin(signed, signed.id == WorkOrder.signed_attachment_id)
        .outerjoin(validator, validator.id == WorkOrder.validated_by_id)
        .where(WorkOrder.ticket_id == ticket_id)
        .order_by(WorkOrder.generated_at.desc(), WorkOrder.id.desc()))
    rows: list[WorkOrderRow] = []
    for order, pdf, by, scan, checker in session.execute(query):
        rows.append(WorkOrderRow(
            id=order.id, ticket_id=order.ticket_id, attachment_id=pdf.id,
            file_name=pdf.file_name, sha256=pdf.sha256, size=pdf.size,
            template_name=order.template_name, generated_by=_name(by),
            generated_at=order.generated_at,
            signed_attachment_id=scan.id if scan is not None else None,
            signed_file_name=scan.file_name if scan is not None else None,
            signed_sha256=scan.sha256 if scan is not None else None,
            signed_size=scan.size if scan is not None else None,
            validated_by=_name(checker) if scan is not None and checker is not None else None,
            validated_at=order.validated_at if scan is not None else None))
    return rows


def list_templates(session: Session) -> list[TemplateRow]:
    """Every stored template by name, each with the types that use it."""
    types_of: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for type_id, template_id in session.execute(
            select(TicketType.id, TicketType.work_order_template_id)
            .order_by(TicketType.name)):
        types_of.setdefault(template_id, []).append(type_id)
    return [TemplateRow(row.id, row.name, row.description, row.body_html, row.logo_data_uri,
                        row.is_default, tuple(types_of.get(row.id, ())))
            for row in session.scalars(select(WorkOrderTemplate)
                                       .order_by(WorkOrderTemplate.name))]


def ticket_type_choices(session: Session) -> list[TicketTypeChoice]:
    """Every ticket type by name, with the template it uses."""
    return [TicketTypeChoice(type_id, name, template_id)
            for type_id, name, template_id in session.execute(
                select(TicketType.id, TicketType.name, TicketType.work_order_template_id)
                .order_by(TicketType.name))]


def _name(user: User) -> str:
    return user.full_name or user.username
