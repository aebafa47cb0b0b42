"""What the ticket routes take and give, as pydantic models (so the OpenAPI is exact).

Inputs name things the way people do (a group by name or id, people by username, a
ticket by number, custom fields by label or id); the routes turn them into the ids the
commands carry. Unknown keys are refused, so a misspelt field is a 422, not ignored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from desktopdesk.models import Priority, Resolution, Status
from desktopdesk.server.api.models import CodeLabel, CustomValue, Ref, optional


class TicketSummary(BaseModel):
    """One ticket in a list."""

    number: int
    id: uuid.UUID
    title: str
    status: CodeLabel
    priority: CodeLabel
    group: Ref
    owner: str = Field(description="The owner's username.")
    creator: str = Field(description="The creator's username.")
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None


class TicketPage(BaseModel):
    items: list[TicketSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page.")


class InventoryRef(BaseModel):
    id: uuid.UUID
    name: str
    serial: str


class TicketDetail(TicketSummary):
    """Everything about one ticket except its thread (workunits) and files."""

    description_html: str
    resolution: CodeLabel
    type: Ref | None
    custom_values: dict[str, str] = Field(
        description="Custom field values by field label (fields left empty are absent).")
    inventory: list[InventoryRef]
    emails_in_copy: list[str]
    parent: int | None = Field(description="The parent ticket's number, if you may see it.")
    children: list[int] = Field(description="Numbers of the child tickets you may see.")
    editor: str = Field(description="Who typed the ticket in.")
    creator_group: Ref
    project_task: str
    sla_disabled: bool
    locked: bool
    closed_by: str | None
    epilogue_html: str
    score: int = Field(description="The creator's satisfaction score 1-10; 0: not scored.")


class TicketChange(BaseModel):
    """A ticket after a change, with what the rules want the caller to know."""

    ticket: TicketDetail | None = Field(
        description="Null only when the change took the ticket out of your sight (e.g. you "
                    "moved it to a group you cannot see).")
    warnings: list[str] = Field(
        description="E.g. a group's ticket limit reached, or a field someone else had "
                    "changed meanwhile.")


class NewTicket(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(
        None, description="Your own id for the new ticket (a UUID): retrying the same "
                          "create with it returns the ticket made the first time (200).")
    title: str
    group: str = Field(description="The group's id or name.")
    description_html: str = Field("", description="Rich text; sanitised by the server.")
    priority: Priority = Priority.MEDIUM
    type: str | None = Field(None, description="The ticket type's id or name.")
    status: Status | None = Field(
        None, description="Leave out for New (or the status mapping's first one).")
    custom_values: dict[str, CustomValue] = Field(
        default_factory=dict, description="Custom field values by field label or id.")
    owner: str | None = Field(
        None, description="The owner's username; left out: the group's default owner.")
    creator: str | None = Field(
        None, description="Who it is for (username); left out: you.")
    parent: int | None = Field(None, description="The parent ticket's number.")
    emails_in_copy: list[str] = Field(default_factory=list)
    inventory: list[uuid.UUID] = Field(default_factory=list,
                                       description="Inventory object ids to link.")
    project_task: str = ""


_NOT_NULL = ("title", "description_html", "priority", "group", "creator", "sla_disabled",
             "project_task", "custom_values")


class TicketFields(BaseModel):
    """The fields a PATCH may change. Leave a field out to keep it as it is."""

    model_config = ConfigDict(extra="forbid")

    title: str | SkipJsonSchema[None] = optional()
    description_html: str | SkipJsonSchema[None] = optional("Rich text; sanitised.")
    priority: Priority | SkipJsonSchema[None] = optional()
    group: str | SkipJsonSchema[None] = optional("The group's id or name.")
    type: str | None = Field(None, description="The type's id or name; null: no type.")
    creator: str | SkipJsonSchema[None] = optional("The creator's username.")
    sla_disabled: bool | SkipJsonSchema[None] = optional()
    project_task: str | SkipJsonSchema[None] = optional()
    custom_values: dict[str, CustomValue] | SkipJsonSchema[None] = optional(
        "Custom field values by label or id; null or \"\" empties a field.")

    @field_validator(*_NOT_NULL)
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class TicketPatch(TicketFields):
    base: TicketFields | SkipJsonSchema[None] = optional(
        "The values you last saw, for a three-way merge: a field someone else changed "
        "meanwhile is overwritten (short fields) or kept, with your text saved as a "
        "workunit (the description), and a warning says so.")

    @field_validator("base")
    @classmethod
    def _base_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status = Field(description="7 closes the ticket; 4 reopens a closed one.")
    resolution: Resolution | None = Field(None, description="Required when closing.")
    epilogue_html: str = Field("", description="How it was solved, when closing.")


class OwnerChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner: str = Field(description="The new owner's username.")
