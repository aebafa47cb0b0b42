"""Ticket types and their custom fields."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base, Replicated, StrCode
from desktopdesk.models.codes import FieldKind


class TicketType(Replicated, Base):
    __tablename__ = "ticket_types"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: The work-order template for tickets of this type (None: the default template).
    #: No ON DELETE rule (see migration 0009): deleting a template clears it here first.
    work_order_template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("work_order_templates.id"))


class TicketTypeGroup(Replicated, Base):
    """Groups a type is offered to. A type with no rows here is offered to every group."""

    __tablename__ = "ticket_type_groups"
    __table_args__ = (UniqueConstraint("ticket_type_id", "group_id"),)

    ticket_type_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ticket_types.id", ondelete="CASCADE")
    )
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))


class CustomField(Replicated, Base):
    """A field of a ticket type; ``ticket_type_id`` NULL makes it global (every type has it).

    ``options`` holds a combo's choices or a root linked field's values. A child linked
    field names its ``parent_field_id`` and lists ``[parent value, child value]`` pairs in
    ``linked_values`` (the manual's ``Parent|Child`` entries).
    """

    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("ticket_type_id", "label"),)

    ticket_type_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ticket_types.id", ondelete="CASCADE")
    )
    label: Mapped[str] = mapped_column(String(100))
    kind: Mapped[FieldKind] = mapped_column(StrCode(FieldKind, 20))
    required: Mapped[bool] = mapped_column(default=False)
    show_in_list: Mapped[bool] = mapped_column(default=False)
    help_text: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_field_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("custom_fields.id"))
    linked_values: Mapped[list[Any]] = mapped_column(JSON, default=list)
    numeric_min: Mapped[float | None] = mapped_column(Float)
    numeric_max: Mapped[float | None] = mapped_column(Float)

    @property
    def is_global(self) -> bool:
        return self.ticket_type_id is None


class CustomFieldValue(Replicated, Base):
    __tablename__ = "custom_field_values"
    __table_args__ = (UniqueConstraint("ticket_id", "field_id"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    field_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("custom_fields.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text, default="")
