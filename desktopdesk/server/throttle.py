"""Login throttling: too many failures for one username, or from one address, and we refuse.

Two buckets are counted for each failed sign-in: the username as typed (known or not, so
the answer never tells which usernames exist), and the client's address (so one address
spraying many usernames is slowed down as well). Either bucket over its limit refuses the
attempt before any password is checked.

Failures are rows in the database, not counters in memory, so every server instance
behind a load balancer sees the same count, and a restart does not reset it. Both
buckets share the ``login_failures`` table: an address is stored as ``IP:<address>``.
Usernames are counted lower-cased, so no typed username can ever land in an address's
bucket (and lock that address out).

Two attempts racing past the check at the same moment may both be verified; the limit
is a brake on guessing, not an exact quota, and that costs one extra guess at most per
concurrent request.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from desktopdesk.models import LoginFailure
from desktopdesk.server.config import Network

log = logging.getLogger("desktopdesk.server.auth")

USERNAME_MAX = 60
#: Upper case on purpose: ``throttle_key`` lower-cases, so it never produces this.
ADDRESS_PREFIX = "IP:"
#: An IPv6 client usually holds a whole /64 (SLAAC, privacy addresses): count it as one.
IPV6_PREFIX_LENGTH = 64

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def throttle_key(username: str) -> str:
    """The form a username is counted under: the way usernames are stored."""
    return username.strip().lower()[:USERNAME_MAX]


def address_key(address: str) -> str:
    """The bucket of a client address: itself for IPv4, its /64 for IPv6.

    A peer that is not an IP address (a Unix socket's name, a test client) is counted
    under its name.
    """
    ip = _parse_ip(address)
    if ip is None:
        return (ADDRESS_PREFIX + address.strip().lower())[:USERNAME_MAX]
    if isinstance(ip, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network((ip, IPV6_PREFIX_LENGTH), strict=False)
        return f"{ADDRESS_PREFIX}{network}"
    return f"{ADDRESS_PREFIX}{ip}"


def client_address(peer: str | None, forwarded_for: Iterable[str],
                   trusted_proxies: Sequence[Network]) -> str | None:
    """The address a request comes from, for throttling.

    ``X-Forwarded-For`` is believed only when the direct peer is a trusted proxy: anyone
    else could write any address there and escape (or frame another address for) the
    throttle. Each proxy appends the address it received the request from, so the list is
    walked from the right, past our own proxies, to the first address none of them is;
    that is the client. An entry that is not an address stops the walk at the proxy that
    passed it on, which then stands for the client (its bucket is shared, never skipped).
    """
    if peer is None:
        return None
    peer_ip = _parse_ip(peer)
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    if peer_ip is None or not _is_trusted(peer_ip, trusted_proxies):
        if any(hops):
            _warn_untrusted_proxy(peer)
        return peer
    address = str(peer_ip)
    for hop in reversed([hop for hop in hops if hop]):
        ip = _parse_ip(hop)
        if ip is None:
            break
        address = str(ip)
        if not _is_trusted(ip, trusted_proxies):
            break
    return address


#: Peers already warned about (once per process each: the log is for the administrator).
_warned_peers: set[str] = set()


def _warn_untrusted_proxy(peer: str) -> None:
    """A proxy not listed in ``trusted_proxies`` makes every client look like the proxy,
    so they all share one address bucket: a burst of wrong passwords from anyone would
    hold everyone's sign-in. Say so (an honest client never sends the header itself)."""
    if peer in _warned_peers:
        return
    _warned_peers.add(peer)
    log.warning("X-Forwarded-For from %s ignored: it is not in [http] trusted_proxies, so "
                "every client behind it shares one sign-in throttle. If %s is your proxy "
                "or load balancer, list it there (docs/deploy.md).", peer, peer)


def _parse_ip(text: str) -> IpAddress | None:
    """An address from a peer or a forwarded hop, which may carry a port
    (``203.0.113.7:4711``, ``[2001:db8::1]:443``); IPv4-mapped IPv6 becomes IPv4."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:text.find("]")] if "]" in text else text
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _is_trusted(ip: IpAddress, trusted_proxies: Sequence[Network]) -> bool:
    return any(ip.version == network.version and ip in network
               for network in trusted_proxies)


@dataclass(frozen=True)
class FailureLimit:
    """This many failures within ``window`` and the bucket is closed."""

    max_failures: int
    window: dt.timedelta


class LoginThrottle:
    def __init__(self, sessions: sessionmaker[Session], per_username: FailureLimit,
                 per_address: FailureLimit) -> None:
        self._sessions = sessions
        self.per_username = per_username
        self.per_address = per_address

    @property
    def longest_window(self) -> dt.timedelta:
        """How long a failure matters to either bucket; older ones can go."""
        return max(self.per_username.window, self.per_address.window)

    def retry_after(self, username: str, address: str | None, now: dt.datetime) -> int | None:
        """Seconds until this username from this address may try again, or None for now.

        When both buckets are closed the caller waits for the later one to open.
        """
        buckets = [(throttle_key(username), self.per_username)]
        if address is not None:
            buckets.append((address_key(address), self.per_address))
        with self._sessions() as session:
            waits = [_wait(session, key, limit, now) for key, limit in buckets]
        closed = [wait for wait in waits if wait is not None]
        return max(closed) if closed else None

    def record_failure(self, username: str, address: str | None, now: dt.datetime) -> None:
        """Count one failure in each bucket and forget failures no window needs.

        Forgetting here as well as in the scheduled job keeps the table small during an
        attack, when it grows fastest.
        """
        with self._sessions.begin() as session:
            session.add(LoginFailure(username=throttle_key(username), at=now))
            if address is not None:
                session.add(LoginFailure(username=address_key(address), at=now))
            forget_failures_before(session, now - self.longest_window)

    @staticmethod
    def clear(session: Session, username: str) -> None:
        """A successful sign-in wipes the username's slate, in the caller's transaction.

        Not the address's: one account of their own would otherwise let an attacker
        reset their address's count at will.
        """
        session.execute(delete(LoginFailure).where(LoginFailure.username == throttle_key(username)))


def forget_failures_before(session: Session, cutoff: dt.datetime) -> int:
    """Delete failures at or before ``cutoff``; returns how many went."""
    removed = session.scalars(
        delete(LoginFailure).where(LoginFailure.at <= cutoff).returning(LoginFailure.id)
    ).all()
    return len(removed)


def _wait(session: Session, key: str, limit: FailureLimit, now: dt.datetime) -> int | None:
    """Seconds until ``key``'s bucket has room again.

    The newest ``max_failures`` failures in the window are what keep it closed: it opens
    when the oldest of them leaves the window (even if races let in a few more).
    """
    recent = session.scalars(
        select(LoginFailure.at)
        .where(LoginFailure.username == key, LoginFailure.at > now - limit.window)
        .order_by(LoginFailure.at.desc())
        .limit(limit.max_failures)
    ).all()
    if len(recent) < limit.max_failures:
        return None
    return max(1, math.ceil((recent[-1] + limit.window - now).total_seconds()))
