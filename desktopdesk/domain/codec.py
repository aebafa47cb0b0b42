"""JSON encoding of commands, driven by their type hints.

Commands cross process boundaries (outbox, sync push, REST), so a command and its JSON
form must round-trip exactly. Only the value types commands use are supported.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
import uuid
from typing import Any


def encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("commands carry aware datetimes only")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    raise TypeError(f"cannot encode {type(value).__name__} in a command")


def decode(raw: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if raw is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return decode(raw, option)
            except (TypeError, ValueError) as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors))
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(raw, list):
            raise TypeError(f"expected a list, got {type(raw).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(item, args[0]) for item in raw)
        if len(args) != len(raw):
            raise ValueError(f"expected {len(args)} items, got {len(raw)}")
        return tuple(decode(item, arg) for item, arg in zip(raw, args, strict=True))
    if origin is dict:
        _, value_hint = typing.get_args(hint)
        if not isinstance(raw, dict):
            raise TypeError(f"expected an object, got {type(raw).__name__}")
        return {str(key): decode(item, value_hint) for key, item in raw.items()}
    if hint is Any:
        return raw
    if hint is uuid.UUID:
        if not isinstance(raw, str):
            raise TypeError("expected a UUID string")
        return uuid.UUID(raw)
    if hint is dt.datetime:
        if not isinstance(raw, str):
            raise TypeError("expected an ISO datetime string")
        parsed = dt.datetime.fromisoformat(raw)
        if parsed.tzinfo is None:
            raise ValueError("datetime without a time zone")
        return parsed.astimezone(dt.UTC)
    if hint is float and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if hint in (bool, int, float, str):
        if not isinstance(raw, hint) or (hint is not bool and isinstance(raw, bool)):
            raise TypeError(f"expected {hint.__name__}, got {type(raw).__name__}")
        return raw
    raise TypeError(f"unsupported command field type {hint!r}")
