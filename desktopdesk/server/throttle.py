"""Login throttling: after N failures for one username within a window, refuse for a while.

Failures are rows in the database, not counters in memory, so every server instance
behind a load balancer sees the same count, and a restart does not reset it. Keyed on
the username as typed (known or not), so the answer never tells which usernames exist.

Two attempts racing past the check at the same moment may both be verified; the limit
is a brake on guessing, not an exact quota, and that costs one extra guess at most per
concurrent request.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from desktopdesk.models import LoginFailure

USERNAME_MAX = 60


def throttle_key(username: str) -> str:
    """The form a username is counted under: the way usernames are stored."""
    return username.strip().lower()[:USERNAME_MAX]


class LoginThrottle:
    def __init__(
        self, sessions: sessionmaker[Session], max_failures: int, window: dt.timedelta
    ) -> None:
        self._sessions = sessions
        self.max_failures = max_failures
        self.window = window

    def retry_after(self, username: str, now: dt.datetime) -> int | None:
        """Seconds until ``username`` may try again, or None when it may try now.

        The wait ends when the oldest failure in the window leaves it, which brings the
        count below the limit again.
        """
        since = now - self.window
        with self._sessions() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(LoginFailure.at)).where(
                    LoginFailure.username == throttle_key(username), LoginFailure.at > since
                )
            ).one()
        if count < self.max_failures or oldest is None:
            return None
        return max(1, math.ceil((oldest + self.window - now).total_seconds()))

    def record_failure(self, username: str, now: dt.datetime) -> None:
        """Count one failure and forget everyone's failures older than the window."""
        with self._sessions.begin() as session:
            session.add(LoginFailure(username=throttle_key(username), at=now))
            session.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.window))

    @staticmethod
    def clear(session: Session, username: str) -> None:
        """A successful sign-in wipes the slate, in the caller's transaction."""
        session.execute(delete(LoginFailure).where(LoginFailure.username == throttle_key(username)))
