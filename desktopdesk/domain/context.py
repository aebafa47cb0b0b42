"""What ``apply`` needs besides the command and the database: the time, the role, blobs."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Protocol


class BlobLookup(Protocol):
    """Read-only view of the content-addressed file store."""

    def size_of(self, sha256: str) -> int | None:
        """Size in bytes of a stored blob, or None when it is not (yet) stored."""


class NoBlobs:
    """For callers that never attach files (benchmarks of other commands, admin tools)."""

    def size_of(self, sha256: str) -> int | None:
        return None


#: Furthest back the authority dates a change pushed late from an offline desktop
#: (``ApplyContext.made_at``): older work is dated this far back.
LATE_CHANGE_WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class ApplyContext:
    """The authority's view of "now" and of its own role.

    ``now`` comes from the authority's clock, never the client's: a command replayed on
    the server gets the server's time. ``is_authority`` is true for the server and for a
    standalone local store; only the authority assigns ticket numbers and row versions.
    """

    now: dt.datetime
    is_authority: bool = True
    blobs: BlobLookup = field(default_factory=NoBlobs)
    #: On a replica, the outbox position of the command being applied: it numbers the
    #: provisional ticket, so the number stays the same when the command is replayed.
    mutation_id: int | None = None
    #: The actor reached this authority over the network (the server's push and REST
    #: routes), not from this machine. Such an actor may name only blobs they proved to
    #: hold (``AttachFile``); whoever runs a store locally owns its blob folder anyway.
    remote_actor: bool = False
    #: When the change was made, if earlier than ``now``: a command made offline and
    #: pushed later, as the server judged it plausible (``desktopdesk.sync.push``). Its
    #: history events carry this time, so the SLA counts the work when it was done; row
    #: stamps (``created_at``, ``updated_at``, the command log) stay ``now``.
    made_at: dt.datetime | None = None

    @property
    def event_time(self) -> dt.datetime:
        """The time history records for this command."""
        return self.made_at or self.now


@dataclass(frozen=True)
class CommandResult:
    """What changed, so views refresh precisely (Anki's OpChanges, in small)."""

    command_id: uuid.UUID
    command_name: str
    created_id: uuid.UUID | None = None
    changed_ticket_ids: tuple[uuid.UUID, ...] = ()
    config_changed: bool = False
    warnings: tuple[str, ...] = ()
