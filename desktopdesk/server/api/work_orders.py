"""A ticket's work orders over REST: which were printed, and which are validated.

Read-only: work orders are printed and validated on desktops (offline included) and
arrive through sync; this is where support staff and other systems see them. The files
themselves are the ticket's attachments (the ``url`` fields point there).
"""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter
from pydantic import BaseModel, Field

from desktopdesk.documents.work_order_queries import ticket_work_orders
from desktopdesk.domain.acl import load_permissions
from desktopdesk.server.api.attachments import attachment_url
from desktopdesk.server.api.models import TicketNumber
from desktopdesk.server.api.reads import visible_ticket
from desktopdesk.server.deps import CurrentUser, StoreDep
from desktopdesk.server.errors import error_responses

router = APIRouter(tags=["work orders"])


class WorkOrderOut(BaseModel):
    id: uuid.UUID
    file_name: str
    template: str = Field(description="The template's name when it was printed.")
    generated_by: str = Field(description="Who printed it (full name).")
    generated_at: dt.datetime
    url: str = Field(description="Where to download the printed PDF.")
    validated: bool
    signed_file_name: str | None
    signed_url: str | None = Field(description="Where to download the signed scan.")
    validated_by: str | None
    validated_at: dt.datetime | None


@router.get(
    "/tickets/{number}/work-orders", response_model=list[WorkOrderOut],
    summary="The work orders of a ticket you may see, newest first",
    responses=error_responses(401, 404, 422),
)
def list_work_orders(number: TicketNumber, store: StoreDep,
                     user_id: CurrentUser) -> list[WorkOrderOut]:
    with store.read() as session:
        perms = load_permissions(session, user_id)
        ticket = visible_ticket(session, perms, number)
        rows = ticket_work_orders(session, perms, ticket.id)
    return [WorkOrderOut(
        id=row.id, file_name=row.file_name, template=row.template_name,
        generated_by=row.generated_by, generated_at=row.generated_at,
        url=attachment_url(number, row.attachment_id), validated=row.validated,
        signed_file_name=row.signed_file_name,
        signed_url=(attachment_url(number, row.signed_attachment_id)
                    if row.signed_attachment_id is not None else None),
        validated_by=row.validated_by, validated_at=row.validated_at) for row in rows]
