"""Three-way merge of a field update made against an older view of the ticket.

A command carries the values the user saw (``base``) beside the values they typed. When
it is applied later (an offline edit synced hours after), each field falls in one of
three cases (sync.md, "update fields"):

- nobody else changed it (current == base): apply the user's value;
- someone already made the same change (current == new): nothing to do;
- someone changed it differently: a short field takes the value that arrives last (the
  value it replaces stays in history); a long text keeps what is there, and the
  caller preserves the user's text elsewhere (a workunit), so nothing typed is lost.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Fields whose concurrent edits are not overwritten but kept side by side.
LONG_TEXT_FIELDS = frozenset({"description_html"})


@dataclass(frozen=True)
class MergeOutcome:
    #: The changes to apply now.
    apply: dict[str, Any] = field(default_factory=dict)
    #: Long-text fields whose user value was not applied (the caller preserves it).
    kept_theirs: tuple[str, ...] = ()
    #: Short fields where the user's value replaced someone else's newer one.
    overwrote: tuple[str, ...] = ()


def comparable(value: Any) -> Any:
    """One form for values that arrive as JSON and values read from the database."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.IntEnum):
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def three_way(
    current: Mapping[str, Any], changes: Mapping[str, Any], base: Mapping[str, Any]
) -> MergeOutcome:
    """Decide per field; fields without a base value are applied as given."""
    apply: dict[str, Any] = {}
    kept_theirs: list[str] = []
    overwrote: list[str] = []
    for key, new in changes.items():
        if key not in base:
            apply[key] = new
            continue
        now, seen, wanted = comparable(current.get(key)), comparable(base[key]), comparable(new)
        if now == seen:
            apply[key] = new
        elif now == wanted:
            continue
        elif key in LONG_TEXT_FIELDS:
            kept_theirs.append(key)
        else:
            apply[key] = new
            overwrote.append(key)
    return MergeOutcome(apply, tuple(kept_theirs), tuple(overwrote))
