"""Tickets and what hangs off them: workunits, attachments, inventory links."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base, Replicated
from desktopdesk.models.codes import Priority, Resolution, Status


class InventoryObject(Replicated, Base):
    """An asset a ticket can affect (laptop, printer, ...): enough to link and trace."""

    __tablename__ = "inventory_objects"

    name: Mapped[str] = mapped_column(String(200))
    serial: Mapped[str] = mapped_column(String(100), default="")
    company_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("companies.id"))


class Ticket(Replicated, Base):
    __tablename__ = "tickets"
    #: The ticket list pages on (sort key, id) for every column it sorts by (migration
    #: 0006); a trailing status lets the default "not closed" filter skip closed tickets
    #: without reading their rows. Group, owner and creator sorts walk (key, status, id).
    __table_args__ = (
        Index("ix_tickets_group_status_id", "group_id", "status", "id"),
        Index("ix_tickets_owner_status_id", "owner_id", "status", "id"),
        Index("ix_tickets_creator_status_id", "creator_id", "status", "id"),
        Index("ix_tickets_updated_at_id", "updated_at", "id", "status"),
        Index("ix_tickets_created_at_id", "created_at", "id", "status"),
        Index("ix_tickets_title_id", "title", "id", "status"),
        Index("ix_tickets_status_id", "status", "id"),
        Index("ix_tickets_priority_id", "priority", "id", "status"),
        Index("ix_tickets_affected_sla_id", "affected_sla_id", "id", "status"),
    )

    #: The human number (#1234), assigned by the authority; NULL until then.
    number: Mapped[int | None] = mapped_column(unique=True)
    #: Local number shown, marked provisional, while ``number`` is still NULL.
    provisional_number: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(String(500))
    description_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[Status] = mapped_column(default=Status.NEW)
    priority: Mapped[Priority] = mapped_column(default=Priority.MEDIUM)
    resolution: Mapped[Resolution] = mapped_column(default=Resolution.NONE)
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id"))
    creator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    #: Who typed it in (or, with "ticket editor is the first to edit it" on, the first
    #: person other than the creator who changed it).
    editor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    #: The group the ticket came from; fixed at creation.
    creator_group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id"))
    ticket_type_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ticket_types.id"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    emails_in_copy: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Reference to a task in the project tool (projects are outside DesktopDesk).
    project_task: Mapped[str] = mapped_column(String(200), default="")
    sla_disabled: Mapped[bool] = mapped_column(default=False)
    #: The SLA currently fired on the ticket, if any.
    affected_sla_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("slas.id"))
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    epilogue_html: Mapped[str] = mapped_column(Text, default="")
    locked: Mapped[bool] = mapped_column(default=False)
    #: Creator's satisfaction score 1..10; 0 = not scored.
    score: Mapped[int] = mapped_column(default=0)


class TicketInventoryLink(Replicated, Base):
    __tablename__ = "ticket_inventory_links"
    __table_args__ = (UniqueConstraint("ticket_id", "inventory_object_id"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    inventory_object_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inventory_objects.id", ondelete="CASCADE")
    )


class Workunit(Replicated, Base):
    """A note on a ticket, with the time spent on it (Integria's "workunit")."""

    __tablename__ = "workunits"
    __table_args__ = (Index("ix_workunits_ticket_created", "ticket_id", "created_at"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    #: When the work was done, if the author says it differs from ``created_at``.
    completed_at: Mapped[dt.datetime | None] = mapped_column()
    hours: Mapped[float] = mapped_column(default=0.0)
    text_html: Mapped[str] = mapped_column(Text, default="")
    is_private: Mapped[bool] = mapped_column(default=False)
    #: Never shown to the ticket's creator.
    is_internal: Mapped[bool] = mapped_column(default=False)
    has_cost: Mapped[bool] = mapped_column(default=False)
    profile_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("profiles.id"))


class WorkunitShare(Replicated, Base):
    __tablename__ = "workunit_shares"
    __table_args__ = (UniqueConstraint("workunit_id", "user_id"),)

    workunit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workunits.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class Attachment(Replicated, Base):
    """A file's metadata; its bytes live content-addressed (by SHA-256) beside the database."""

    __tablename__ = "attachments"

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    workunit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workunits.id", ondelete="SET NULL")
    )
    file_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    mime_type: Mapped[str] = mapped_column(String(127))
    description: Mapped[str] = mapped_column(Text, default="")
    uploader_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
