"""Read-only lookups a client needs to fill its forms: people, groups, types, codes.

Nothing here is a ticket, but people and queues are still not everyone's business: an
independent customer sees only themselves, and each caller sees the groups where they
hold some access (super-admins: all).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from desktopdesk.domain import workflow
from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.fields import fields_for_type
from desktopdesk.models import (
    CustomField,
    Group,
    Priority,
    Resolution,
    Status,
    TicketType,
    TicketTypeGroup,
    User,
)
from desktopdesk.server.api.models import CodeLabel, code_label
from desktopdesk.server.api.reads import usernames_by_id
from desktopdesk.server.deps import CurrentUser, StoreDep
from desktopdesk.server.errors import error_responses

router = APIRouter(tags=["lookups"])


class UserOut(BaseModel):
    username: str
    full_name: str
    company: str | None
    enabled: bool


class GroupAccess(BaseModel):
    view: bool
    edit: bool
    manage: bool
    escalate: bool
    qa: bool


class GroupOut(BaseModel):
    id: uuid.UUID
    name: str
    parent: uuid.UUID | None
    default_owner: str | None = Field(description="Username of the default owner.")
    access: GroupAccess = Field(description="What you may do with its tickets.")


class LinkedValue(BaseModel):
    parent: str = Field(description="The parent field's value...")
    value: str = Field(description="...under which this value is offered.")


class FieldOut(BaseModel):
    id: uuid.UUID
    label: str
    kind: str
    required: bool
    show_in_list: bool
    help_text: str
    is_global: bool = Field(description="Every type has it (and tickets without a type).")
    options: list[str] = Field(description="A combo's options, a root linked field's values.")
    parent_field: uuid.UUID | None = Field(description="A linked field's parent field.")
    linked_values: list[LinkedValue]
    numeric_min: float | None
    numeric_max: float | None


class TicketTypeOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    groups: list[uuid.UUID] = Field(description="Offered only in these groups; empty: all.")
    fields: list[FieldOut] = Field(description="Global fields first, then the type's own.")


class StatusOut(CodeLabel):
    open: bool
    at_creation: bool = Field(description="A new ticket may start in it.")
    next: list[int] = Field(description="Statuses the status mapping allows next.")


@router.get("/users", response_model=list[UserOut], summary="People, by username",
            responses=error_responses(401))
def list_users(store: StoreDep, user_id: CurrentUser) -> list[UserOut]:
    """Independent users see only themselves."""
    with store.read() as session:
        perms = load_permissions(session, user_id)
        query = select(User).order_by(User.username)
        if perms.is_independent and not perms.is_superadmin:
            query = query.where(User.id == user_id)
        return [UserOut(username=user.username, full_name=user.full_name,
                        company=user.company.name if user.company else None,
                        enabled=user.enabled)
                for user in session.scalars(query)]


@router.get("/groups", response_model=list[GroupOut],
            summary="The groups where you hold some access", responses=error_responses(401))
def list_groups(store: StoreDep, user_id: CurrentUser) -> list[GroupOut]:
    with store.read() as session:
        perms = load_permissions(session, user_id)
        query = select(Group).order_by(Group.name)
        if not perms.is_superadmin:
            query = query.where(Group.id.in_(set(perms.by_group)))
        groups = session.scalars(query).all()
        owners = usernames_by_id(session, (group.default_owner_id for group in groups))
        out = []
        for group in groups:
            access = perms.access(group.id)
            out.append(GroupOut(
                id=group.id, name=group.name, parent=group.parent_id,
                default_owner=owners.get(group.default_owner_id)
                if group.default_owner_id else None,
                access=GroupAccess(view=access.view, edit=access.edit, manage=access.manage,
                                   escalate=access.escalate, qa=access.qa)))
        return out


@router.get("/types", response_model=list[TicketTypeOut],
            summary="Ticket types with their custom fields", responses=error_responses(401))
def list_types(store: StoreDep, _user_id: CurrentUser) -> list[TicketTypeOut]:
    with store.read() as session:
        offered: dict[uuid.UUID, list[uuid.UUID]] = {}
        for type_id, group_id in session.execute(
                select(TicketTypeGroup.ticket_type_id, TicketTypeGroup.group_id)):
            offered.setdefault(type_id, []).append(group_id)
        return [
            TicketTypeOut(id=ticket_type.id, name=ticket_type.name,
                          description=ticket_type.description,
                          groups=sorted(offered.get(ticket_type.id, []), key=str),
                          fields=[_field_out(f) for f in fields_for_type(session,
                                                                         ticket_type.id)])
            for ticket_type in session.scalars(select(TicketType).order_by(TicketType.name))
        ]


def _field_out(field: CustomField) -> FieldOut:
    return FieldOut(
        id=field.id, label=field.label, kind=str(field.kind), required=field.required,
        show_in_list=field.show_in_list, help_text=field.help_text, is_global=field.is_global,
        options=list(field.options), parent_field=field.parent_field_id,
        linked_values=[LinkedValue(parent=parent, value=value)
                       for parent, value in field.linked_values],
        numeric_min=field.numeric_min, numeric_max=field.numeric_max,
    )


@router.get("/statuses", response_model=list[StatusOut],
            summary="Statuses and the moves the status mapping allows",
            responses=error_responses(401))
def list_statuses(store: StoreDep, _user_id: CurrentUser) -> list[StatusOut]:
    with store.read() as session:
        at_creation = set(workflow.creation_statuses(session))
        return [StatusOut(code=int(status), label=status.label, open=status.is_open,
                          at_creation=status in at_creation,
                          next=[int(s) for s in workflow.allowed_next_statuses(session, status)])
                for status in Status]


@router.get("/resolutions", response_model=list[CodeLabel],
            summary="Resolutions a ticket is closed with", responses=error_responses(401))
def list_resolutions(_user_id: CurrentUser) -> list[CodeLabel]:
    return [code_label(resolution) for resolution in Resolution
            if resolution is not Resolution.NONE]


@router.get("/priorities", response_model=list[CodeLabel], summary="Priorities",
            responses=error_responses(401))
def list_priorities(_user_id: CurrentUser) -> list[CodeLabel]:
    return [code_label(priority) for priority in Priority]
