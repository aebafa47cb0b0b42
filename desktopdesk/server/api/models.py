"""Small response and request pieces shared by the routers.

Codes travel with their labels (``{"code": 3, "label": "Assigned"}``) so an integration
shows what people see without a second lookup, and keeps the numbers Integria users know.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, Field

from desktopdesk.models import Priority, Resolution, Status

#: A value typed into a custom field. JSON numbers and booleans are accepted for
#: convenience and stored as the text the desktop would store ("3", "1"/"0").
CustomValue = str | bool | int | float | None

TicketNumber = Annotated[int, Path(ge=1, description="The ticket's number (#812 is 812).")]


class CodeLabel(BaseModel):
    code: int
    label: str


class Ref(BaseModel):
    """Something with an id and a name (a group, a type, a profile)."""

    id: uuid.UUID
    name: str


def code_label(value: Status | Priority | Resolution) -> CodeLabel:
    return CodeLabel(code=int(value), label=value.label)


def custom_value_text(value: CustomValue) -> str:
    """The stored text of a custom value: ``True`` -> "1", ``3`` -> "3", null -> ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(description: str | None = None, **kwargs: Any) -> Any:
    """A field that may be left out but not sent as null (``SkipJsonSchema[None]`` hides
    the null from the schema; a validator refuses it)."""
    return Field(None, description=description, json_schema_extra=_no_default, **kwargs)

