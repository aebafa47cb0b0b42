"""Recording and asking the server's blob receipts (``models.blob_receipts``).

A receipt is written once the server has checked bytes a user sent against their hash:
at the end of a resumable or whole upload (``partial_uploads``) and of a multipart
attachment upload (``api.attachments``). Receipts are what let a user skip sending a
blob the server already holds; everyone else sends the bytes, which are verified and
dropped, and gets a receipt of their own.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from desktopdesk.models import BlobReceipt, utc_now
from desktopdesk.store.blobs import check_sha256


class UserReceipts:
    """One user's receipts, each call in its own short transaction.

    Recording is idempotent: the first verified upload's time is kept.
    """

    def __init__(self, sessions: sessionmaker[Session], user_id: uuid.UUID,
                 now: Callable[[], dt.datetime] = utc_now) -> None:
        self.sessions = sessions
        self.user_id = user_id
        self.now = now

    def holds(self, sha256: str) -> bool:
        with self.sessions() as session:
            return session.get(BlobReceipt, (check_sha256(sha256), self.user_id)) is not None

    def record(self, sha256: str) -> None:
        check_sha256(sha256)
        try:
            with self.sessions.begin() as session:
                if session.get(BlobReceipt, (sha256, self.user_id)) is None:
                    session.add(BlobReceipt(sha256=sha256, user_id=self.user_id,
                                            received_at=self.now()))
        except IntegrityError:
            if not self.holds(sha256):  # not a concurrent twin of this request: a real fault
                raise
