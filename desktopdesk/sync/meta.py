"""The first step of every sync: ask the server where it stands (sync.md, ``/sync/meta``).

Decided here, before anything is pushed or pulled:

- the protocol: a server that no longer speaks ours (426) or does not speak it yet (a
  range without it) ends the sync with a message and leaves everything local as it was;
  the outbox simply waits for the update;
- the epoch, recorded on first contact;
- whether the server is still the one this replica copied. Three signs say it is not: a
  new epoch (an administrator rotated it after restoring a backup), a change sequence
  below the one in our pull cookie (restored without rotating), and fewer of our
  mutations processed than it once answered (restored, and busy enough since to have
  passed our cookie again). Any of them means the replica is rebuilt (``sync.rebuild``).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.orm import Session

from desktopdesk.models import SyncState
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.client_http import ServerError
from desktopdesk.sync.outbox import answered_up_to
from desktopdesk.sync.pull import decode_cookie

log = logging.getLogger("desktopdesk.sync")

#: The sync protocol this desktop speaks (push, pull and command formats, and the rows a
#: pull brings); ``desktopdesk.server.api.sync`` says what each version added.
CLIENT_PROTOCOL = 2
NEEDS_NEWER_APP = ("This server needs a newer DesktopDesk; your work is kept and will sync "
                   "after you update.")
#: sync.md: client clocks order nothing, but people read them; warn beyond this.
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)


class ProtocolRefusedError(Exception):
    """The server and this desktop share no sync protocol; nothing was sent or changed."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        #: What the server itself said, for the log.
        self.detail = detail


def needs_newer_server(low: int, high: int, ours: int) -> str:
    return (f"This server is older than this DesktopDesk (it speaks sync protocol "
            f"{low}-{high}, this DesktopDesk {ours}); your work is kept and will sync once "
            "the server is updated.")


@runtime_checkable
class MetaTransport(Protocol):
    def meta(self, client_id: uuid.UUID, protocol: int) -> dict[str, Any]:
        """``{epoch, protocol_min, protocol_max, server_time, change_sequence,
        last_mutation_id}``; a 426 answer raises ``ProtocolRefusedError``."""


@dataclass(frozen=True)
class ServerMeta:
    epoch: str
    protocol_min: int
    protocol_max: int
    server_time: dt.datetime
    change_sequence: int
    #: Our last mutation the server processed; None when it does not know this client.
    last_mutation_id: int | None
    #: Whether the answer says anything about this client at all: a server from before
    #: ``last_mutation_id`` was added to meta leaves it out, which is not "unknown".
    reports_client: bool = True

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any]) -> ServerMeta:
        try:
            last = answer.get("last_mutation_id")
            meta = cls(epoch=str(answer["epoch"]), protocol_min=int(answer["protocol_min"]),
                       protocol_max=int(answer["protocol_max"]),
                       server_time=dt.datetime.fromisoformat(str(answer["server_time"])),
                       change_sequence=int(answer["change_sequence"]),
                       last_mutation_id=None if last is None else int(last),
                       reports_client="last_mutation_id" in answer)
        except (KeyError, TypeError, ValueError) as error:
            raise ServerError("bad_response", "The server's answer is not understood: its "
                              f"sync meta lacks {error}.", None, 200) from None
        if not meta.epoch:
            raise ServerError("bad_response", "The server's answer is not understood: its "
                              "sync meta has no epoch.", None, 200)
        return meta


@dataclass(frozen=True)
class ServerCheck:
    meta: ServerMeta
    #: Why the replica must be rebuilt before this sync goes on; empty if it need not be.
    rebuild_reason: str = ""
    #: The server no longer has mutations it answered us: they must be sent again under
    #: a new client id (see ``sync.rebuild``).
    lost_mutations: bool = False


def check_server(ws: Workspace, transport: MetaTransport, state: SyncState,
                 clock: Callable[[], dt.datetime]) -> ServerCheck:
    """Ask the server's meta and judge it; raises ``ProtocolRefusedError`` (recorded as
    the replica's last error) when there is no protocol in common."""
    ours = CLIENT_PROTOCOL
    try:
        meta = ServerMeta.from_answer(transport.meta(state.client_id, ours))
        if ours < meta.protocol_min:
            raise ProtocolRefusedError(NEEDS_NEWER_APP, f"the server speaks "
                                       f"{meta.protocol_min}-{meta.protocol_max}")
        if ours > meta.protocol_max:
            raise ProtocolRefusedError(needs_newer_server(meta.protocol_min,
                                                          meta.protocol_max, ours))
    except ProtocolRefusedError as refusal:
        log.warning("sync refused: %s %s", refusal.message, refusal.detail)
        record_error(ws, refusal.message)
        raise
    _warn_about_clock(meta.server_time, clock())
    with ws.read() as session:
        answered = answered_up_to(session)
    lost = answered > 0 and meta.reports_client and (
        meta.last_mutation_id is None or meta.last_mutation_id < answered)
    reason = _rebuild_reason(state, meta, answered, lost)
    if reason:
        log.warning("the replica will be rebuilt: the server was restored or reset (%s)",
                    reason)
    else:
        with ws.sessions.begin() as session:
            _adopt(session, meta)
    return ServerCheck(meta, reason, lost)


def _rebuild_reason(state: SyncState, meta: ServerMeta, answered: int, lost: bool) -> str:
    """Why the server is not the one this replica copied, in words for people."""
    if state.server_epoch and meta.epoch != state.server_epoch:
        return "it started a new sync epoch"
    seen = _seen_sequence(state.pull_cookie)
    if seen is not None and meta.change_sequence < seen:
        return (f"it is back at change {meta.change_sequence}, before change {seen} that "
                "this copy had seen")
    if lost:
        held = "none" if meta.last_mutation_id is None else meta.last_mutation_id
        return f"it has {held} of this computer's changes but had confirmed {answered}"
    return ""


def _seen_sequence(cookie: str) -> int | None:
    """The change sequence our last complete pull reached (sync.pull's cookie)."""
    try:
        return decode_cookie(cookie)
    except ValueError:
        log.warning("the pull cookie is not understood; a restored server may go unnoticed")
        return None


def _adopt(session: Session, meta: ServerMeta) -> None:
    row = session.get(SyncState, 1)
    assert row is not None
    if row.server_epoch != meta.epoch:
        log.info("server sync epoch %s", meta.epoch)
    row.server_epoch = meta.epoch
    row.protocol_version = CLIENT_PROTOCOL


def _warn_about_clock(server_time: dt.datetime, now: dt.datetime) -> None:
    skew = now - server_time
    if abs(skew) > MAX_CLOCK_SKEW:
        direction = "ahead of" if skew > dt.timedelta(0) else "behind"
        log.warning("this computer's clock is %d minutes %s the server's; times shown "
                    "here may be off", abs(skew) // dt.timedelta(minutes=1), direction)


def record_error(ws: Workspace, message: str) -> None:
    """Keep why the last sync failed, for the status bar (cleared by the next good pull)."""
    with ws.sessions.begin() as session:
        row = session.get(SyncState, 1)
        if row is not None:
            row.last_error = message
