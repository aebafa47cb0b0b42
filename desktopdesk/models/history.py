"""One event per change: the History and Contacts tabs, audit and sync read it."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base, Replicated, utc_now


class HistoryEvent(Replicated, Base):
    __tablename__ = "history_events"
    __table_args__ = (Index("ix_history_ticket_at", "ticket_id", "at"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    #: What happened: a ``desktopdesk.domain.history.EventKind`` value.
    kind: Mapped[str] = mapped_column(String(40))
    #: The field changed (``status``, ``owner``, ``custom:<label>``...) or "" for events.
    field: Mapped[str] = mapped_column(String(140), default="")
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    #: The command that caused it, tying history to the command log and to sync.
    command_id: Mapped[uuid.UUID | None] = mapped_column()
