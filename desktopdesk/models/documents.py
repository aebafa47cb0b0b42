"""Work orders: the templates they are printed from, and each one printed for a ticket.

A template is configuration (it reaches every desktop). A ticket's work order is a row
beside the PDF generated from it, which is an ordinary attachment and syncs like any
file; so does the signed scan that validates it (``signed_attachment_id``).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base, Replicated


class WorkOrderTemplate(Replicated, Base):
    """A document with macros (``_incident_title_``) printed as a ticket's work order."""

    __tablename__ = "work_order_templates"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: Sanitised HTML with macros; the special blocks (``_workunits_``) stand alone.
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: "" or a ``data:image/png;base64,...`` URI: a row travels as JSON, so the picture does.
    logo_data_uri: Mapped[str] = mapped_column(Text, default="")
    #: Used for ticket types without a template of their own (at most one row).
    is_default: Mapped[bool] = mapped_column(default=False)


class WorkOrder(Replicated, Base):
    """One work order printed for a ticket, and the signed scan that validated it."""

    __tablename__ = "work_orders"

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    #: The generated PDF.
    attachment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), unique=True)
    #: Informative, no foreign key: the template may since have changed or gone;
    #: ``template_name`` is its name when this was printed (None: the system template).
    template_id: Mapped[uuid.UUID | None] = mapped_column()
    template_name: Mapped[str] = mapped_column(String(100))
    generated_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    #: When it was printed on the technician's desktop (offline work keeps its time).
    generated_at: Mapped[dt.datetime] = mapped_column()
    #: The signed scan, once someone validated this work order with it.
    signed_attachment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="SET NULL"))
    validated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    validated_at: Mapped[dt.datetime | None] = mapped_column()
