"""Local bookkeeping that is not replicated: counters and the log of applied commands."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base


class Counter(Base):
    """Named monotonically increasing counters (change sequence, ticket numbers)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class WorkspaceInfo(Base):
    """Key/value facts about this store: its role (authority or replica), its id."""

    __tablename__ = "workspace_info"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class CommandLogEntry(Base):
    """Every command this store applied, in order: the audit trail and replay source."""

    __tablename__ = "command_log"

    command_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[uuid.UUID] = mapped_column()
    applied_at: Mapped[dt.datetime] = mapped_column()
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
