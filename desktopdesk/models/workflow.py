"""The status mapping: which status changes are allowed."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base, Replicated


class StatusTransition(Replicated, Base):
    """One allowed move. ``from_status`` 0 (``AT_CREATION``) allows a status at creation.

    With no rows at all, every transition is allowed (Integria's open workflow).
    """

    __tablename__ = "status_transitions"
    __table_args__ = (UniqueConstraint("from_status", "to_status"),)

    from_status: Mapped[int] = mapped_column()
    to_status: Mapped[int] = mapped_column()
