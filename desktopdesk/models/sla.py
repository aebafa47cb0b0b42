"""SLA definitions (the engine that evaluates them lives in the domain, issue 6)."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base, Replicated
from desktopdesk.models.codes import SlaType


class Sla(Replicated, Base):
    __tablename__ = "slas"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: Informative link only, as in Integria.
    base_sla_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("slas.id"))
    sla_type: Mapped[SlaType] = mapped_column(default=SlaType.NORMAL)
    max_response_hours: Mapped[float] = mapped_column(default=48.0)
    max_resolution_hours: Mapped[float] = mapped_column(default=480.0)
    max_open_tickets: Mapped[int] = mapped_column(default=10)
    max_inactivity_hours: Mapped[float] = mapped_column(default=96.0)
    day_start_hour: Mapped[int] = mapped_column(default=8)
    day_end_hour: Mapped[int] = mapped_column(default=18)
    no_sla_on_weekends: Mapped[bool] = mapped_column(default=True)
    no_sla_on_holidays: Mapped[bool] = mapped_column(default=True)
    enforced: Mapped[bool] = mapped_column(default=True)
