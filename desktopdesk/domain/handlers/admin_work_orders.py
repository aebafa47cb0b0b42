"""Work-order templates: create, change and delete them, and which ticket types use them.

Templates are configuration, defined by MANAGE holders as ticket types are. A command
carries the template's whole state, types included, so the editor's one Save is one
command and a replay says exactly what was saved. At most one template is the default
(for types without one of their own); with none, the system template that ships with
DesktopDesk is used, and its name is kept for it.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    CreateWorkOrderTemplate,
    DeleteWorkOrderTemplate,
    UpdateWorkOrderTemplate,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.domain.handlers.admin_common import require_unique
from desktopdesk.domain.handlers.common import require_new_id, require_row, require_text
from desktopdesk.domain.html import plain_text, sanitize_html
from desktopdesk.models import TicketType, WorkOrderTemplate

MAX_NAME = 100
MAX_DESCRIPTION = 500
#: A long template is a few pages of HTML; this leaves room for tables without letting a
#: pasted document bloat every desktop's copy.
MAX_BODY_CHARS = 200_000
#: The logo as stored (base64 is a third larger than the picture).
MAX_LOGO_BYTES = 512 * 1024
#: The name of the template that ships in resources/ (used when no template is default).
SYSTEM_TEMPLATE_NAME = "Standard work order"
_LOGO_KINDS = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


def _template_values(action: Action,
                     cmd: CreateWorkOrderTemplate | UpdateWorkOrderTemplate) -> dict[str, Any]:
    """The checked columns of the template ``cmd`` defines, or the first refusal."""
    name = require_text(cmd.name, "The template name", "name", MAX_NAME)
    if name.casefold() == SYSTEM_TEMPLATE_NAME.casefold():
        raise DomainError(VALIDATION, f"'{SYSTEM_TEMPLATE_NAME}' is the name of the template "
                                      "that comes with DesktopDesk; choose another name.",
                          "name")
    require_unique(action, WorkOrderTemplate, WorkOrderTemplate.name, name,
                   "work-order template", "name", except_id=cmd.template_id)
    description = cmd.description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(VALIDATION, f"The description is too long ({len(description)} "
                                      f"characters, at most {MAX_DESCRIPTION}).", "description")
    body = sanitize_html(cmd.body_html)
    if not plain_text(body).strip() and "<img" not in body:  # "<p><br></p>" is empty too
        raise DomainError(VALIDATION, "The template is empty: write what the work order "
                                      "prints.", "body_html")
    if len(body) > MAX_BODY_CHARS:
        raise DomainError(VALIDATION, f"The template is too long ({len(body):,} characters, "
                                      f"at most {MAX_BODY_CHARS:,}).", "body_html")
    return {"name": name, "description": description, "body_html": body,
            "logo_data_uri": check_logo(cmd.logo_data_uri.strip()),
            "is_default": cmd.is_default}


def check_logo(data_uri: str) -> str:
    """``data_uri`` if it is empty or a PNG or JPEG picture that is what it says."""
    if not data_uri:
        return ""
    head, comma, payload = data_uri.partition(",")
    kind = head.removeprefix("data:").removesuffix(";base64")
    if not comma or not head.startswith("data:") or not head.endswith(";base64") or (
            kind not in _LOGO_KINDS):
        raise DomainError(VALIDATION, "The logo must be a PNG or JPEG picture.",
                          "logo_data_uri")
    try:
        picture = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(VALIDATION, "The logo's data is damaged; choose the picture again.",
                          "logo_data_uri") from None
    if len(picture) > MAX_LOGO_BYTES:
        raise DomainError(VALIDATION, f"The logo is too large ({len(picture) // 1024} KB, at "
                                      f"most {MAX_LOGO_BYTES // 1024} KB); use a smaller "
                                      "picture.", "logo_data_uri")
    if not picture.startswith(_LOGO_KINDS[kind]):
        raise DomainError(VALIDATION, f"The logo is not the {kind.split('/')[1].upper()} "
                                      "picture it claims to be.", "logo_data_uri")
    return data_uri


def _apply_state(action: Action, template: WorkOrderTemplate, values: dict[str, Any],
                 ticket_type_ids: tuple[uuid.UUID, ...]) -> None:
    """Write ``values`` and the types' choice; only what changed, so an untouched row
    sends nothing to the desktops."""
    session = action.session
    wanted = set(ticket_type_ids)
    for type_id in ticket_type_ids:
        require_row(session, TicketType, type_id, "ticket type", "ticket_type_ids")
    if values["is_default"]:
        for other in session.scalars(select(WorkOrderTemplate).where(
                WorkOrderTemplate.is_default.is_(True), WorkOrderTemplate.id != template.id)):
            other.is_default = False
    for key, value in values.items():
        if getattr(template, key) != value:
            setattr(template, key, value)
    session.flush()
    for ticket_type in session.scalars(select(TicketType).where(
            (TicketType.id.in_(wanted)) | (TicketType.work_order_template_id == template.id))):
        chosen = template.id if ticket_type.id in wanted else None
        if ticket_type.work_order_template_id != chosen:
            ticket_type.work_order_template_id = chosen


@handles(CreateWorkOrderTemplate)
def create_work_order_template(action: Action, cmd: CreateWorkOrderTemplate) -> CommandResult:
    acl.require_manager(action.perms, "define work-order templates")
    require_new_id(action.session, WorkOrderTemplate, cmd.template_id, "work-order template",
                   "template_id")
    values = _template_values(action, cmd)
    template = WorkOrderTemplate(id=cmd.template_id, **values)
    action.session.add(template)
    _apply_state(action, template, values, cmd.ticket_type_ids)
    return action.result(created_id=cmd.template_id, config_changed=True)


@handles(UpdateWorkOrderTemplate)
def update_work_order_template(action: Action, cmd: UpdateWorkOrderTemplate) -> CommandResult:
    acl.require_manager(action.perms, "change work-order templates")
    template = require_row(action.session, WorkOrderTemplate, cmd.template_id,
                           "work-order template", "template_id")
    _apply_state(action, template, _template_values(action, cmd), cmd.ticket_type_ids)
    return action.result(config_changed=True)


@handles(DeleteWorkOrderTemplate)
def delete_work_order_template(action: Action, cmd: DeleteWorkOrderTemplate) -> CommandResult:
    acl.require_manager(action.perms, "delete work-order templates")
    session = action.session
    template = require_row(session, WorkOrderTemplate, cmd.template_id, "work-order template",
                           "template_id")
    # Through the rows, so each changed type is versioned and reaches every desktop.
    for ticket_type in session.scalars(select(TicketType).where(
            TicketType.work_order_template_id == template.id)):
        ticket_type.work_order_template_id = None
    session.flush()
    session.delete(template)
    return action.result(config_changed=True)
