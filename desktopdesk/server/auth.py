"""Passwords and bearer tokens: who is calling, decided once per request.

Passwords are argon2id hashes (argon2-cffi), rehashed at sign-in when the configured
cost changes. Tokens are random strings handed out once; the database keeps only their
SHA-256, so a leaked backup signs nobody in. The slow hash runs outside any transaction
(on SQLite a write transaction would block every other writer for its duration).

Password changes are administrator actions on the server, not commands: credentials
never travel to desktops, so they stay out of the replicated command log. Each change
writes a line to the ``desktopdesk.server.audit`` log instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from desktopdesk.domain.errors import NOT_FOUND, VALIDATION, DomainError
from desktopdesk.models import ApiToken, Credential, User, new_id, utc_now
from desktopdesk.server.config import Argon2Params, AuthSettings
from desktopdesk.server.throttle import FailureLimit, LoginThrottle, throttle_key

log = logging.getLogger("desktopdesk.server.auth")
audit = logging.getLogger("desktopdesk.server.audit")

Clock = Callable[[], dt.datetime]

PASSWORD_MAX = 1024
#: What administrators must choose (the demo's "demo" is set by code, not typed).
PASSWORD_MIN_CHOSEN = 8
TOKEN_PREFIX = "ddt_"
#: ``last_used_at`` is refreshed at most this often, so reads do not all become writes.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
#: Expired and revoked tokens are deleted this long after they stopped working (kept a
#: while for support questions: "which device was signed in last week?").
EXPIRED_TOKEN_RETENTION = dt.timedelta(days=30)


class AuthError(Exception):
    """A sign-in that did not succeed; the message is safe to show the caller."""


class InvalidCredentialsError(AuthError):
    def __init__(self) -> None:
        super().__init__("Wrong username or password.")


class AccountDisabledError(AuthError):
    def __init__(self) -> None:
        super().__init__("This account is disabled.")


class LoginThrottledError(AuthError):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"Too many failed sign-ins; try again in {retry_after_s} seconds.")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class IssuedToken:
    """The token itself exists only here, on its way to the caller."""

    token: str
    token_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: dt.datetime

    def __repr__(self) -> str:
        return f"IssuedToken(token_id={self.token_id}, user_id={self.user_id})"


def password_hasher(params: Argon2Params) -> PasswordHasher:
    return PasswordHasher(time_cost=params.time_cost, memory_cost=params.memory_kib,
                          parallelism=params.parallelism, type=Type.ID)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_chosen_password(password: str) -> None:
    """The rule for a password a person chooses (at ``init`` or ``set-password``)."""
    if len(password) < PASSWORD_MIN_CHOSEN:
        raise DomainError(VALIDATION, f"A password needs at least {PASSWORD_MIN_CHOSEN} "
                                      "characters.", "password")


class Auth:
    """Sign-in and token checks over one store's sessions, with an injectable clock."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: AuthSettings, clock: Clock = utc_now
    ) -> None:
        self._sessions = sessions
        self.settings = settings
        self.clock = clock
        self.hasher = password_hasher(settings.argon2)
        self.throttle = LoginThrottle(
            sessions,
            per_username=FailureLimit(settings.login_max_failures, settings.login_window),
            per_address=FailureLimit(settings.address_max_failures, settings.address_window),
        )

    @cached_property
    def dummy_hash(self) -> str:
        """Verified against when the username is unknown, so that costs the same time."""
        return self.hasher.hash(secrets.token_urlsafe(16))

    # --- Passwords ------------------------------------------------------------------------

    def set_password(
        self, user_id: uuid.UUID, password: str, *, changed_by: uuid.UUID | None = None
    ) -> None:
        """Store a new hash and sign the user out everywhere (their tokens are revoked)."""
        if not password.strip():
            raise DomainError(VALIDATION, "The password cannot be empty.", "password")
        if len(password) > PASSWORD_MAX:
            raise DomainError(VALIDATION, f"A password has at most {PASSWORD_MAX} characters.",
                              "password")
        password_hash = self.hasher.hash(password)
        now = self.clock()
        with self._sessions.begin() as session:
            user = session.get(User, user_id)
            if user is None:
                raise DomainError(NOT_FOUND, "Unknown user.", "user_id")
            session.merge(Credential(user_id=user_id, password_hash=password_hash,
                                     changed_at=now, changed_by=changed_by))
            revoked = _revoke_user_tokens(session, user_id, now)
            username = user.username
        audit.info("password set for user %r (%s) by %s; %d token(s) revoked", username,
                   user_id, changed_by or "the server console", revoked)

    def has_password(self, user_id: uuid.UUID) -> bool:
        with self._sessions() as session:
            return session.get(Credential, user_id) is not None

    # --- Signing in -----------------------------------------------------------------------

    def authenticate(self, username: str, password: str, *, client_label: str = "",
                     address: str | None = None) -> IssuedToken:
        """A new token for the right password; raises an ``AuthError`` subclass otherwise.

        Throttling is checked before the password, so a throttled guess learns nothing.
        An unknown user costs one verify against ``dummy_hash``, like a known one.
        ``address`` is the client's (``throttle.client_address``); None (the console, or
        a peer we cannot name) throttles by username only.
        """
        name = throttle_key(username)
        now = self.clock()
        retry_after = self.throttle.retry_after(name, address, now)
        if retry_after is not None:
            audit.warning("sign-in throttled for %r from %s (%d s left)", name,
                          address or "an unknown address", retry_after)
            raise LoginThrottledError(retry_after)
        found = self._credential_of(name)
        if found is None:
            self._verify(self.dummy_hash, password)
            self.throttle.record_failure(name, address, now)
            log.info("sign-in failed from %s: unknown username or no password set",
                     address or "an unknown address")
            raise InvalidCredentialsError()
        user_id, enabled, stored_hash = found
        if not self._verify(stored_hash, password):
            self.throttle.record_failure(name, address, now)
            log.info("sign-in failed for %r from %s: wrong password", name,
                     address or "an unknown address")
            raise InvalidCredentialsError()
        if not enabled:
            log.info("sign-in refused for %r: account disabled", name)
            raise AccountDisabledError()
        rehashed = None
        if self.hasher.check_needs_rehash(stored_hash):
            rehashed = self.hasher.hash(password)
        issued = IssuedToken(token=TOKEN_PREFIX + secrets.token_urlsafe(32), token_id=new_id(),
                             user_id=user_id, expires_at=now + self.settings.token_lifetime)
        with self._sessions.begin() as session:
            session.add(ApiToken(id=issued.token_id, token_sha256=token_digest(issued.token),
                                 user_id=user_id, client_label=client_label[:100],
                                 created_at=now, expires_at=issued.expires_at))
            if rehashed is not None:
                # Only if unchanged meanwhile: never overwrite a password set concurrently.
                session.execute(update(Credential)
                                .where(Credential.user_id == user_id,
                                       Credential.password_hash == stored_hash)
                                .values(password_hash=rehashed))
            LoginThrottle.clear(session, name)
        audit.info("token %s issued to %r (client %r)%s", issued.token_id, name,
                   client_label[:100], "; password rehashed" if rehashed else "")
        return issued

    def _credential_of(self, username: str) -> tuple[uuid.UUID, bool, str] | None:
        with self._sessions() as session:
            found = session.execute(
                select(User.id, User.enabled, Credential.password_hash)
                .join(Credential, Credential.user_id == User.id)
                .where(User.username == username)
            ).one_or_none()
        return None if found is None else (found[0], found[1], found[2])

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # --- Tokens ---------------------------------------------------------------------------

    def resolve_token(self, token: str) -> uuid.UUID | None:
        """The user a token speaks for; None if unknown, expired, revoked or disabled.

        Looking a token up by its SHA-256 gives nothing away through timing: a caller
        cannot steer the digest towards a stored one.
        """
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        now = self.clock()
        with self._sessions() as session:
            found = session.execute(
                select(ApiToken.id, ApiToken.user_id, ApiToken.expires_at, ApiToken.revoked_at,
                       ApiToken.last_used_at, User.enabled)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_sha256 == token_digest(token))
            ).one_or_none()
        if found is None:
            return None
        token_id, user_id, expires_at, revoked_at, last_used_at, enabled = found
        if revoked_at is not None or expires_at <= now or not enabled:
            return None
        if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
            with self._sessions.begin() as session:
                session.execute(update(ApiToken).where(ApiToken.id == token_id)
                                .values(last_used_at=now))
        return user_id

    def revoke(self, token: str) -> bool:
        """Revoke one token (logout); False if it was unknown or already revoked."""
        now = self.clock()
        with self._sessions.begin() as session:
            token_id = session.scalar(
                update(ApiToken)
                .where(ApiToken.token_sha256 == token_digest(token),
                       ApiToken.revoked_at.is_(None))
                .values(revoked_at=now)
                .returning(ApiToken.id)
            )
        if token_id is not None:
            audit.info("token %s revoked", token_id)
        return token_id is not None

    def revoke_user_tokens(self, user_id: uuid.UUID) -> int:
        """Sign a user out everywhere; returns how many live tokens were revoked."""
        with self._sessions.begin() as session:
            revoked = _revoke_user_tokens(session, user_id, self.clock())
        audit.info("all %d token(s) of user %s revoked", revoked, user_id)
        return revoked


def purge_old_tokens(session: Session, now: dt.datetime) -> int:
    """Delete tokens expired or revoked more than ``EXPIRED_TOKEN_RETENTION`` ago.

    A scheduled job (``desktopdesk.server.jobs``), so sign-in stays a small transaction.
    Returns how many went.
    """
    cutoff = now - EXPIRED_TOKEN_RETENTION
    purged = session.scalars(
        delete(ApiToken)
        .where(or_(ApiToken.expires_at < cutoff, ApiToken.revoked_at < cutoff))
        .returning(ApiToken.id)
    ).all()
    return len(purged)


def _revoke_user_tokens(session: Session, user_id: uuid.UUID, now: dt.datetime) -> int:
    revoked = session.scalars(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiToken.id)
    ).all()
    return len(revoked)
