"""Names people type (a group's name, a username, a ticket number) to the ids commands carry.

A name that matches nothing becomes ``UNKNOWN_ID``, an id no row has, rather than an
immediate error: the command then refuses it in its own order (permission checks first),
so the answer never reveals whether someone may not act or the name does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import Permissions, visible_tickets_clause
from desktopdesk.domain.errors import VALIDATION
from desktopdesk.domain.fields import fields_for_type
from desktopdesk.models import Group, Profile, Ticket, TicketType, User
from desktopdesk.server.api.models import CustomValue, custom_value_text
from desktopdesk.server.errors import ApiError

UNKNOWN_ID = uuid.UUID(int=0)


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


def _by_id_or_name(session: Session, model: type[Group] | type[TicketType] | type[Profile],
                   value: str) -> uuid.UUID:
    wanted = _as_uuid(value)
    if wanted is not None and session.get(model, wanted) is not None:
        return wanted
    name = value.strip()
    found = session.scalar(select(model.id).where(model.name == name))
    if found is None:  # names are unique as typed; forgive the case when that is unambiguous
        matches = session.scalars(
            select(model.id).where(func.lower(model.name) == name.lower()).limit(2)).all()
        found = matches[0] if len(matches) == 1 else None
    return found if found is not None else UNKNOWN_ID


def group_id(session: Session, value: str) -> uuid.UUID:
    return _by_id_or_name(session, Group, value)


def ticket_type_id(session: Session, value: str) -> uuid.UUID:
    return _by_id_or_name(session, TicketType, value)


def profile_id(session: Session, value: str) -> uuid.UUID:
    return _by_id_or_name(session, Profile, value)


def user_id(session: Session, username: str) -> uuid.UUID:
    found = session.scalar(select(User.id).where(User.username == username.strip().lower()))
    return found if found is not None else UNKNOWN_ID


def visible_ticket_id(session: Session, perms: Permissions, number: int) -> uuid.UUID:
    """A ticket the caller may not see resolves like a missing one."""
    found = session.scalar(
        select(Ticket.id).where(Ticket.number == number, visible_tickets_clause(perms)))
    return found if found is not None else UNKNOWN_ID


def custom_changes(session: Session, type_id: uuid.UUID | None,
                   values: Mapping[str, CustomValue], *, prefix: str = "") -> dict[str, str]:
    """``{"Impact": "Cannot work"}`` -> ``{"custom:<field id>": "Cannot work"}``.

    Keys are labels (any case) or field ids of the fields ``type_id`` has. Field
    definitions are no secret (``GET /types``), so an unknown one is refused here. With
    an unknown type there is nothing to resolve against: the command refuses the type.
    """
    if type_id == UNKNOWN_ID:
        return {}
    fields = fields_for_type(session, type_id)
    by_id = {str(field.id): field for field in fields}
    by_label = {field.label.casefold(): field for field in fields}
    changes: dict[str, str] = {}
    for key, value in values.items():
        field = by_id.get(key.strip().lower()) or by_label.get(key.strip().casefold())
        if field is None:
            type_name = "tickets without a type"
            if type_id is not None:
                ticket_type = session.get(TicketType, type_id)
                type_name = f"type '{ticket_type.name}'" if ticket_type else "that type"
            raise ApiError(422, VALIDATION, f"'{key}' is not a custom field of {type_name}.",
                           f"{prefix}custom_values.{key}")
        changes[f"custom:{field.id}"] = custom_value_text(value)
    return changes
