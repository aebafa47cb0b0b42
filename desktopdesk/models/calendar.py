"""The holiday calendar: days the SLA does not count (issue 6 reads it)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base, Replicated


class Holiday(Replicated, Base):
    """One non-working day.

    ``day`` is ISO text (``YYYY-MM-DD``), not a DATE column: it sorts the same, and it
    travels through sync's row codec, which knows UUIDs and UTC datetimes, unchanged.
    """

    __tablename__ = "holidays"

    day: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
