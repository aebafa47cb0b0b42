"""Server-only proof of possession: from whom the server has received a blob's bytes.

A blob is named by its SHA-256, and a hash is not a secret: it may sit in a log, an
e-mail or another system. So knowing a hash must not be enough to attach the file (and
then download it through the ticket): on the server, a user names a blob in
``AttachFile`` only if they sent its bytes themselves (a row here, written once the
server has checked the bytes against the hash) or can already see an attachment with
those bytes.

Like the sign-in tables (``models/auth.py``), this is not ``Replicated`` and never
written through ``apply``: receipts never travel to desktops. A desktop store leaves the
table empty (its user owns its local blob folder).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base


class BlobReceipt(Base):
    """The server received (and verified) the bytes of ``sha256`` from ``user_id``."""

    __tablename__ = "blob_receipts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: When the first verified upload from this user finished (later ones change nothing).
    received_at: Mapped[dt.datetime] = mapped_column()
