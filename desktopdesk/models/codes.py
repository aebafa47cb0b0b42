"""Integria's numeric codes, kept so imports and API users can use the numbers they know."""

from __future__ import annotations

import enum


class Status(enum.IntEnum):
    NEW = 1
    UNCONFIRMED = 2
    ASSIGNED = 3
    REOPENED = 4
    PENDING_TO_BE_CLOSED = 5
    PENDING_THIRD_PERSON = 6
    CLOSED = 7

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self is not Status.CLOSED

    @property
    def is_unattended(self) -> bool:
        """Nobody has picked it up yet: the manual's reddish rows."""
        return self in (Status.NEW, Status.UNCONFIRMED)


_STATUS_LABELS = {
    Status.NEW: "New",
    Status.UNCONFIRMED: "Unconfirmed",
    Status.ASSIGNED: "Assigned",
    Status.REOPENED: "Reopened",
    Status.PENDING_TO_BE_CLOSED: "Pending to be closed",
    Status.PENDING_THIRD_PERSON: "Pending on a third person",
    Status.CLOSED: "Closed",
}

#: Pseudo-status used as the "from" side of a status mapping row that allows a status
#: at creation (Integria's ``initial`` flag).
AT_CREATION = 0


class Resolution(enum.IntEnum):
    NONE = 0
    FIXED = 1
    INVALID = 2
    WONT_FIX = 3
    DUPLICATE = 4
    WORKS_FOR_ME = 5
    INCOMPLETE = 6
    EXPIRED = 7
    MOVED = 8
    IN_PROCESS = 9

    @property
    def label(self) -> str:
        return _RESOLUTION_LABELS[self]


_RESOLUTION_LABELS = {
    Resolution.NONE: "None",
    Resolution.FIXED: "Fixed",
    Resolution.INVALID: "Invalid",
    Resolution.WONT_FIX: "Won't fix",
    Resolution.DUPLICATE: "Duplicate",
    Resolution.WORKS_FOR_ME: "Works for me",
    Resolution.INCOMPLETE: "Incomplete",
    Resolution.EXPIRED: "Expired",
    Resolution.MOVED: "Moved",
    Resolution.IN_PROCESS: "In process",
}


class Priority(enum.IntEnum):
    """Stored codes; Integria shows 0..4 as 1..5 and 10 as "0 (Maintenance)"."""

    INFORMATIVE = 0
    LOW = 1
    MEDIUM = 2
    SERIOUS = 3
    VERY_SERIOUS = 4
    MAINTENANCE = 10

    @property
    def label(self) -> str:
        return _PRIORITY_LABELS[self]


_PRIORITY_LABELS = {
    Priority.INFORMATIVE: "Informative",
    Priority.LOW: "Low",
    Priority.MEDIUM: "Medium",
    Priority.SERIOUS: "Serious",
    Priority.VERY_SERIOUS: "Very serious",
    Priority.MAINTENANCE: "Maintenance",
}


class UserKind(enum.StrEnum):
    """Grouped users work through profiles per group; independent ones see only their own."""

    GROUPED = "grouped"
    INDEPENDENT = "independent"


class LimitMode(enum.StrEnum):
    FORCED = "forced"
    NOTIFY = "notify"


class FieldKind(enum.StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    DATE = "date"
    NUMERIC = "numeric"
    CHECKBOX = "checkbox"
    COMBO = "combo"
    LINKED = "linked"


class SlaType(enum.IntEnum):
    NORMAL = 0
    THIRD_PARTY = 1
    BOTH = 2
