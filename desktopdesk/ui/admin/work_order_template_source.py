"""What the work-order template editor reads, checks, previews and sends. No Qt.

Plain functions the task runner calls on a worker (each opens its own session) and the
form's values as a frozen ``TemplateDraft``: the command a Save sends is built from it,
and so is the template the preview prints with, so the preview is the work order the
ticket would get once the template is saved.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from desktopdesk.documents.macros import find_macros, unknown_macro_message
from desktopdesk.documents.resources import default_work_order_template
from desktopdesk.documents.work_order_pdf import WorkOrderError
from desktopdesk.documents.work_order_queries import (
    TemplateRow,
    TicketTypeChoice,
    list_templates,
    ticket_type_choices,
)
from desktopdesk.documents.work_orders import (
    MacroInfo,
    TemplateChoice,
    logo_bytes,
    macro_catalogue,
    make_work_order,
    work_order_logo,
)
from desktopdesk.domain import acl
from desktopdesk.domain.commands import CreateWorkOrderTemplate, UpdateWorkOrderTemplate
from desktopdesk.domain.errors import NOT_FOUND, VALIDATION, DomainError
from desktopdesk.domain.handlers.admin_work_orders import (
    MAX_LOGO_BYTES,
    SYSTEM_TEMPLATE_NAME,
    check_logo,
)
from desktopdesk.domain.numbers import ticket_number_label
from desktopdesk.models import Ticket
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.sla_source import TicketOption, parse_ticket_number
from desktopdesk.ui.admin.work_order_template_html import tidy_template_html

#: Suggested tickets for the preview, those of the template's types first.
TICKET_OPTIONS = 40
#: Picture files a logo may come from, by their first bytes.
LOGO_KINDS = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
STANDARD_DESCRIPTION = "A copy of the standard work order that comes with DesktopDesk."


# --- The list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplatesPage:
    """Every template and every ticket type, in one read."""

    templates: tuple[TemplateRow, ...]
    ticket_types: tuple[TicketTypeChoice, ...]

    def template(self, template_id: uuid.UUID | None) -> TemplateRow | None:
        return next((row for row in self.templates if row.id == template_id), None)

    def type_names(self, type_ids: Collection[uuid.UUID]) -> tuple[str, ...]:
        """The names of ``type_ids``, in the types' order (by name)."""
        return tuple(choice.name for choice in self.ticket_types if choice.id in type_ids)

    def template_name(self, template_id: uuid.UUID | None) -> str:
        """What a type with this template prints with (None: the default)."""
        row = self.template(template_id)
        if row is not None:
            return row.name
        default = self.default
        return default.name if default is not None else SYSTEM_TEMPLATE_NAME

    @property
    def default(self) -> TemplateRow | None:
        return next((row for row in self.templates if row.is_default), None)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(row.name.casefold() for row in self.templates)


def load_templates(workspace: Workspace) -> TemplatesPage:
    with workspace.read() as session:
        return TemplatesPage(tuple(list_templates(session)),
                             tuple(ticket_type_choices(session)))


# --- The form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateDraft:
    """The form's values as typed (saved or not). ``body_html`` is as stored, or as the
    editor gives it back (tidied when it is sent or previewed)."""

    name: str = ""
    description: str = ""
    body_html: str = ""
    logo_data_uri: str = ""
    is_default: bool = False
    ticket_type_ids: tuple[uuid.UUID, ...] = ()

    @classmethod
    def of(cls, row: TemplateRow) -> TemplateDraft:
        return cls(row.name, row.description, row.body_html, row.logo_data_uri,
                   row.is_default, tuple(row.ticket_type_ids))

    def command(self, template_id: uuid.UUID | None
                ) -> CreateWorkOrderTemplate | UpdateWorkOrderTemplate:
        """What Save sends: a new template (``template_id`` None) or its whole new state."""
        if template_id is None:
            return CreateWorkOrderTemplate(
                name=self.name, description=self.description, body_html=self.body_html,
                logo_data_uri=self.logo_data_uri, is_default=self.is_default,
                ticket_type_ids=self.ticket_type_ids)
        return UpdateWorkOrderTemplate(
            template_id=template_id, name=self.name, description=self.description,
            body_html=self.body_html, logo_data_uri=self.logo_data_uri,
            is_default=self.is_default, ticket_type_ids=self.ticket_type_ids)

    def choice(self, template_id: uuid.UUID | None) -> TemplateChoice:
        """The template as the preview prints it (as stored once saved)."""
        return TemplateChoice(template_id, self.name.strip() or "New template",
                              self.body_html, logo_bytes(self.logo_data_uri))


def editor_body(editor_html: str) -> str:
    """The editor's HTML as it is stored (``work_order_template_html``)."""
    return tidy_template_html(editor_html)


def copy_name(base: str, taken: Collection[str]) -> str:
    """"Standard work order (copy)", or "(copy 2)"… when that name is taken."""
    taken_folded = {name.casefold() for name in taken}
    number = 1
    while True:
        name = f"{base} (copy)" if number == 1 else f"{base} (copy {number})"
        if name.casefold() not in taken_folded:
            return name
        number += 1


def data_uri(picture: bytes) -> str:
    """A PNG or JPEG picture as the ``data:`` URI a template stores."""
    kind = next((mime for magic, mime in LOGO_KINDS.items() if picture.startswith(magic)),
                "image/png")
    return f"data:{kind};base64,{base64.b64encode(picture).decode('ascii')}"


def standard_draft(page: TemplatesPage) -> TemplateDraft:
    """A copy of the system template (its text and logo) to start from, under a name no
    template has."""
    return TemplateDraft(name=copy_name(SYSTEM_TEMPLATE_NAME, page.names),
                         description=STANDARD_DESCRIPTION,
                         body_html=default_work_order_template(),
                         logo_data_uri=data_uri(work_order_logo()))


def read_logo(path: Path) -> str:
    """On a worker: the picture at ``path`` as a ``data:`` URI, or a refusal naming the
    logo (not a PNG or JPEG, too large, unreadable)."""
    try:
        size = path.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise DomainError(VALIDATION, f"{path.name} is too large for a logo "
                                          f"({size // 1024} KB, at most "
                                          f"{MAX_LOGO_BYTES // 1024} KB); use a smaller "
                                          "picture.", "logo_data_uri")
        picture = path.read_bytes()
    except OSError as error:
        raise DomainError(VALIDATION, f"{path.name} cannot be read ({error.strerror}).",
                          "logo_data_uri") from None
    if not any(picture.startswith(magic) for magic in LOGO_KINDS):
        raise DomainError(VALIDATION, f"{path.name} is not a PNG or JPEG picture.",
                          "logo_data_uri")
    return check_logo(data_uri(picture))


# --- Macros -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MacroCatalogue:
    """What the template may use, for the picker and the check of what is typed."""

    entries: tuple[MacroInfo, ...]

    @property
    def known(self) -> frozenset[str]:
        return frozenset(entry.name for entry in self.entries)


def catalogue_types(page: TemplatesPage, draft: TemplateDraft,
                    template_id: uuid.UUID | None) -> tuple[uuid.UUID, ...]:
    """The types whose custom fields the template may print: those it is chosen for and,
    as the default, those with no template of their own (or with this one)."""
    chosen = set(draft.ticket_type_ids)
    if draft.is_default:
        chosen |= {choice.id for choice in page.ticket_types
                   if choice.template_id is None or choice.template_id == template_id}
    return tuple(sorted(chosen, key=str))


def load_macros(workspace: Workspace, type_ids: Sequence[uuid.UUID]) -> MacroCatalogue:
    with workspace.read() as session:
        return MacroCatalogue(tuple(macro_catalogue(session, tuple(type_ids))))


@dataclass(frozen=True)
class MacroProblem:
    """A name written like a macro that the template's tickets do not have."""

    name: str
    message: str


def macro_problems(body_html: str, known: Collection[str]) -> tuple[MacroProblem, ...]:
    """Each unknown macro once, in order of first use, with the likely intended name."""
    seen: dict[str, MacroProblem] = {}
    for use in find_macros(body_html, known):
        if not use.known and use.name not in seen:
            seen[use.name] = MacroProblem(use.name, unknown_macro_message(use.name, known))
    return tuple(seen.values())


def find_problems(body_html: str, body_from_editor: bool,
                  known: Collection[str]) -> tuple[MacroProblem, ...]:
    """On a worker: the unknown macros of the text as a Save would store it
    (``body_from_editor``: the editor's HTML, tidied first)."""
    return macro_problems(editor_body(body_html) if body_from_editor else body_html, known)


# --- The preview --------------------------------------------------------------------------


def load_preview_tickets(workspace: Workspace, user_id: uuid.UUID,
                         type_ids: Sequence[uuid.UUID]) -> tuple[TicketOption, ...]:
    """Tickets to print the template for: those of its types (any the person may see
    when it has none, or too few), most recently changed first."""
    with workspace.read() as session:
        perms = acl.load_permissions(session, user_id)
        base = (select(Ticket.id, Ticket.number, Ticket.provisional_number, Ticket.title)
                .where(acl.visible_tickets_clause(perms))
                .order_by(Ticket.updated_at.desc(), Ticket.id).limit(TICKET_OPTIONS))
        found: dict[uuid.UUID, TicketOption] = {}
        queries = [base.where(Ticket.ticket_type_id.in_(list(type_ids)))] if type_ids else []
        for query in [*queries, base]:
            for ticket_id, number, provisional, title in session.execute(query):
                found.setdefault(ticket_id, TicketOption(
                    ticket_id, ticket_number_label(number, provisional), title))
        return tuple(found.values())[:TICKET_OPTIONS]


@dataclass(frozen=True)
class TemplatePreview:
    """The work order one ticket would get from the form's template."""

    ticket_id: uuid.UUID
    ticket_label: str
    pdf: bytes
    page_count: int
    #: What the renderer had to say (unknown macros, pictures left out).
    problems: tuple[str, ...]


def find_ticket(workspace: Workspace, user_id: uuid.UUID, ticket_text: str) -> uuid.UUID:
    """The ticket "#12" (or "#L3", "12 Printer…") names, if the person may see it."""
    wanted = parse_ticket_number(ticket_text)
    if wanted is None:
        raise DomainError(NOT_FOUND, "Type a ticket number, such as #12.", "ticket")
    number, provisional = wanted
    with workspace.read() as session:
        perms = acl.load_permissions(session, user_id)
        column = Ticket.provisional_number if provisional else Ticket.number
        found = session.scalar(select(Ticket.id).where(column == number)
                               .where(acl.visible_tickets_clause(perms)))
    if found is None:
        label = ticket_number_label(None if provisional else number,
                                    number if provisional else None)
        raise DomainError(NOT_FOUND, f"There is no ticket {label} you can see.", "ticket")
    return found


def preview_template(workspace: Workspace, user_id: uuid.UUID, draft: TemplateDraft,
                     template_id: uuid.UUID | None, ticket_text: str,
                     body_from_editor: bool) -> TemplatePreview:
    """Print the ticket ``ticket_text`` names with the draft's template, unsaved as it is.
    ``body_from_editor``: the body is the editor's HTML, to tidy as a Save would."""
    ticket_id = find_ticket(workspace, user_id, ticket_text)
    body = editor_body(draft.body_html) if body_from_editor else draft.body_html
    if not body.strip():
        raise DomainError(VALIDATION, "The template is empty: write what the work order "
                                      "prints.", "body_html")
    choice = TemplateDraft(draft.name, draft.description, body, draft.logo_data_uri,
                           draft.is_default, draft.ticket_type_ids).choice(template_id)
    with workspace.read() as session:
        perms = acl.load_permissions(session, user_id)
        try:
            document = make_work_order(session, perms, ticket_id, template=choice)
        except WorkOrderError as error:
            raise DomainError(VALIDATION, str(error), "body_html") from None
    rendered = document.rendered
    return TemplatePreview(ticket_id, document.ticket_label, rendered.pdf,
                           rendered.page_count, rendered.problems)
