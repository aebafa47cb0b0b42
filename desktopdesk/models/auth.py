"""Server-only sign-in tables: password hashes, API tokens and recent login failures.

None of these rows is ``Replicated`` and none is written through ``apply``: credentials
never travel to desktops and never appear in the command log that sync replays. They are
in the one schema (a desktop store simply leaves them empty) so that there is a single
migration history for every database.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base, new_id


class Credential(Base):
    """A user's argon2id password hash (the PHC string carries salt and parameters)."""

    __tablename__ = "credentials"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    changed_at: Mapped[dt.datetime] = mapped_column()
    #: The administrator who set it; NULL when set from the server console (the CLI).
    changed_by: Mapped[uuid.UUID | None] = mapped_column()


class ApiToken(Base):
    """A bearer token, stored only as its SHA-256: a copy of the table signs nobody in."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: What the client called itself at sign-in ("desktop on laptop-12"), for support.
    client_label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    last_used_at: Mapped[dt.datetime | None] = mapped_column()


class LoginFailure(Base):
    """One failed sign-in for a username (known or not), kept for the throttling window.

    In the database rather than in memory so that several server instances behind a
    load balancer throttle together.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60))
    at: Mapped[dt.datetime] = mapped_column(index=True)
