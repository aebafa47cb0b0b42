"""The vocabulary of change: every change a person can make is one of these.

A command is a small frozen dataclass with a client-generated ``command_id`` (and, for
commands that create something, the new row's id): the desktop applies it locally and
queues it; the server applies the very same command when it is pushed. Commands carry
intentions and the values the user typed, never derived state, so replaying one against
newer state re-checks every rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

from desktopdesk.domain import codec
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.models.base import new_id
from desktopdesk.models.codes import FieldKind, LimitMode, Priority, SlaType, UserKind
from desktopdesk.models.org import AssignmentRule

#: Bumped when a command's JSON shape changes incompatibly (sync negotiates on it).
COMMAND_FORMAT_VERSION = 1

COMMANDS: dict[str, type[Command]] = {}


@dataclass(frozen=True, kw_only=True)
class Command:
    command_name: ClassVar[str] = ""
    command_id: uuid.UUID = field(default_factory=new_id)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.command_name = cls.__name__
        COMMANDS[cls.__name__] = cls

    def to_json(self) -> dict[str, Any]:
        args = {f.name: codec.encode(getattr(self, f.name)) for f in dataclasses.fields(self)}
        return {"command": self.command_name, "format": COMMAND_FORMAT_VERSION, "args": args}


def command_from_json(payload: Any) -> Command:
    """Rebuild a command, refusing unknown names, fields or values with a clear message.

    ``payload`` is whatever JSON arrived (a list or null too), hence ``Any``.
    """
    if not isinstance(payload, dict):
        raise DomainError(VALIDATION, "A command is a JSON object.", "command")
    name = payload.get("command")
    cls = COMMANDS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise DomainError(VALIDATION, f"Unknown command {name!r}.", "command")
    raw_args = payload.get("args")
    if not isinstance(raw_args, dict):
        raise DomainError(VALIDATION, "A command needs an 'args' object.", "args")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(raw_args) - known
    if unknown:
        raise DomainError(
            VALIDATION, f"{name} has no field {', '.join(sorted(unknown))}.", sorted(unknown)[0]
        )
    args: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in raw_args:
            continue
        try:
            args[f.name] = codec.decode(raw_args[f.name], hints[f.name])
        except (TypeError, ValueError) as exc:
            raise DomainError(VALIDATION, f"{name}.{f.name}: {exc}", f.name) from None
    try:
        return cls(**args)
    except TypeError as exc:
        raise DomainError(VALIDATION, f"{name}: {exc}", None) from None


def commands_naming_blobs() -> frozenset[str]:
    """Commands that attach a file by its SHA-256: sync uploads the bytes before them."""
    return frozenset(name for name, cls in COMMANDS.items()
                     if "sha256" in {f.name for f in dataclasses.fields(cls)})


# --- Tickets ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateTicket(Command):
    ticket_id: uuid.UUID = field(default_factory=new_id)
    title: str
    group_id: uuid.UUID
    description_html: str = ""
    priority: int = Priority.MEDIUM
    ticket_type_id: uuid.UUID | None = None
    #: Custom field id (as a string) -> value as typed.
    custom_values: dict[str, str] = field(default_factory=dict)
    #: None: New, or the only status the mapping allows at creation.
    status: int | None = None
    #: None: the group's default owner (or the creator, per settings).
    owner_id: uuid.UUID | None = None
    #: None: the person typing it in.
    creator_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    emails_in_copy: tuple[str, ...] = ()
    inventory_object_ids: tuple[uuid.UUID, ...] = ()
    project_task: str = ""
    #: Only honoured when the "allow setting the creation date" setting is on.
    created_at: dt.datetime | None = None


#: Fields UpdateTicketFields may change; custom fields are keyed "custom:<field id>".
UPDATABLE_FIELDS = (
    "title",
    "description_html",
    "priority",
    "group_id",
    "ticket_type_id",
    "creator_id",
    "sla_disabled",
    "project_task",
)


@dataclass(frozen=True, kw_only=True)
class UpdateTicketFields(Command):
    ticket_id: uuid.UUID
    #: Field name -> new value (JSON: ids as strings).
    changes: dict[str, Any]
    #: Field name -> the value the user saw, for the server's 3-way merge.
    base: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ChangeStatus(Command):
    ticket_id: uuid.UUID
    status: int
    #: Required when the new status is Closed.
    resolution: int | None = None
    epilogue_html: str = ""


@dataclass(frozen=True, kw_only=True)
class CloseTicket(Command):
    ticket_id: uuid.UUID
    resolution: int
    epilogue_html: str = ""


@dataclass(frozen=True, kw_only=True)
class ReopenTicket(Command):
    ticket_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class AssignOwner(Command):
    """Escalation: ownership passes to exactly one user."""

    ticket_id: uuid.UUID
    owner_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class AddWorkunit(Command):
    workunit_id: uuid.UUID = field(default_factory=new_id)
    ticket_id: uuid.UUID
    text_html: str
    hours: float = 0.25
    is_private: bool = False
    is_internal: bool = False
    has_cost: bool = False
    profile_id: uuid.UUID | None = None
    shared_with_ids: tuple[uuid.UUID, ...] = ()
    completed_at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AttachFile(Command):
    """Metadata of a file whose bytes are already in the blob store under ``sha256``."""

    attachment_id: uuid.UUID = field(default_factory=new_id)
    ticket_id: uuid.UUID
    file_name: str
    size: int
    sha256: str
    mime_type: str = "application/octet-stream"
    description: str = ""
    workunit_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class LockTicket(Command):
    ticket_id: uuid.UUID
    locked: bool = True


@dataclass(frozen=True, kw_only=True)
class SetParent(Command):
    ticket_id: uuid.UUID
    parent_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class LinkInventory(Command):
    ticket_id: uuid.UUID
    inventory_object_id: uuid.UUID
    linked: bool = True


@dataclass(frozen=True, kw_only=True)
class SetEmailsInCopy(Command):
    ticket_id: uuid.UUID
    emails: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DeleteTicket(Command):
    ticket_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ScoreTicket(Command):
    """The creator rates how their closed ticket was handled (Integria's satisfaction
    score): 1 (horrible) to 10 (excellent)."""

    ticket_id: uuid.UUID
    score: int


# --- Administration -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateCompany(Command):
    company_id: uuid.UUID = field(default_factory=new_id)
    name: str


@dataclass(frozen=True, kw_only=True)
class CreateUser(Command):
    user_id: uuid.UUID = field(default_factory=new_id)
    username: str
    full_name: str
    email: str = ""
    company_id: uuid.UUID | None = None
    kind: str = UserKind.GROUPED
    is_superadmin: bool = False
    enabled: bool = True


@dataclass(frozen=True, kw_only=True)
class CreateProfile(Command):
    profile_id: uuid.UUID = field(default_factory=new_id)
    name: str
    can_view: bool = False
    can_edit: bool = False
    can_manage: bool = False
    can_escalate: bool = False
    can_qa: bool = False
    hourly_rate: float = 0.0


@dataclass(frozen=True, kw_only=True)
class CreateGroup(Command):
    group_id: uuid.UUID = field(default_factory=new_id)
    name: str
    parent_id: uuid.UUID | None = None
    default_owner_id: uuid.UUID | None = None
    open_ticket_limit: int = 0
    total_ticket_limit: int = 0
    limit_mode: str = LimitMode.FORCED
    qa_evaluation: bool = True
    email_from: str = ""
    sla_id: uuid.UUID | None = None
    #: The type forms propose for new tickets in this group (must be offered in it).
    default_ticket_type_id: uuid.UUID | None = None
    #: ``default_owner`` or ``round_robin`` (among holders of ``round_robin_profile_id``).
    assignment_rule: str = AssignmentRule.DEFAULT_OWNER
    round_robin_profile_id: uuid.UUID | None = None


#: Fields UpdateGroup may change.
GROUP_FIELDS = (
    "name",
    "parent_id",
    "default_owner_id",
    "open_ticket_limit",
    "total_ticket_limit",
    "limit_mode",
    "qa_evaluation",
    "email_from",
    "sla_id",
    "default_ticket_type_id",
    "assignment_rule",
    "round_robin_profile_id",
)


@dataclass(frozen=True, kw_only=True)
class UpdateGroup(Command):
    group_id: uuid.UUID
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class AddMembership(Command):
    membership_id: uuid.UUID = field(default_factory=new_id)
    user_id: uuid.UUID
    group_id: uuid.UUID
    profile_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class RemoveMembership(Command):
    membership_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ChangeMembershipProfile(Command):
    """The user keeps their place in the group under another profile."""

    membership_id: uuid.UUID
    profile_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class UpdateCompany(Command):
    company_id: uuid.UUID
    name: str


@dataclass(frozen=True, kw_only=True)
class UpdateUser(Command):
    """Every editable property of an account, as the form shows it (the username stays)."""

    user_id: uuid.UUID
    full_name: str
    email: str
    company_id: uuid.UUID | None
    kind: str
    is_superadmin: bool
    enabled: bool


@dataclass(frozen=True, kw_only=True)
class UpdateProfile(Command):
    profile_id: uuid.UUID
    name: str
    can_view: bool
    can_edit: bool
    can_manage: bool
    can_escalate: bool
    can_qa: bool
    hourly_rate: float


@dataclass(frozen=True, kw_only=True)
class AddHolidays(Command):
    """Days added to the holiday calendar: (``YYYY-MM-DD``, name) pairs, one per line of
    an imported list; days already in the calendar (or repeated) are skipped."""

    holidays: tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True)
class RemoveHoliday(Command):
    day: str


@dataclass(frozen=True, kw_only=True)
class CreateTicketType(Command):
    ticket_type_id: uuid.UUID = field(default_factory=new_id)
    name: str
    description: str = ""
    #: Empty: offered to every group.
    group_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AddCustomField(Command):
    field_id: uuid.UUID = field(default_factory=new_id)
    #: None: a global field, present in every type.
    ticket_type_id: uuid.UUID | None
    label: str
    kind: str = FieldKind.TEXT
    required: bool = False
    show_in_list: bool = False
    help_text: str = ""
    #: Combo options, or a root linked field's values.
    options: tuple[str, ...] = ()
    parent_field_id: uuid.UUID | None = None
    #: A child linked field's (parent value, child value) pairs.
    linked_values: tuple[tuple[str, str], ...] = ()
    numeric_min: float | None = None
    numeric_max: float | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateTicketType(Command):
    ticket_type_id: uuid.UUID
    name: str
    description: str = ""
    #: Empty: offered to every group.
    group_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DeleteTicketType(Command):
    """Only a type no ticket uses; its fields go with it."""

    ticket_type_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class UpdateCustomField(Command):
    """A field's whole new definition (the designer holds all of it; nothing is implied).

    The type and the id stay, so renaming keeps every value. A change tickets' values
    would no longer fit is refused, naming how many tickets hold such values.
    """

    field_id: uuid.UUID
    label: str
    kind: str
    required: bool
    show_in_list: bool
    help_text: str
    options: tuple[str, ...]
    parent_field_id: uuid.UUID | None
    linked_values: tuple[tuple[str, str], ...]
    numeric_min: float | None
    numeric_max: float | None


@dataclass(frozen=True, kw_only=True)
class RemoveCustomField(Command):
    """Each ticket holding a value keeps it as a history event; then the field goes."""

    field_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ReorderCustomFields(Command):
    """The display order of a type's own fields (None: of the global fields); every one
    of them, each once."""

    ticket_type_id: uuid.UUID | None
    field_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, kw_only=True)
class SetStatusMapping(Command):
    """Replace the whole mapping; ``from`` 0 marks statuses allowed at creation."""

    transitions: tuple[tuple[int, int], ...]


@dataclass(frozen=True, kw_only=True)
class ChangeSetting(Command):
    key: str
    value: Any


@dataclass(frozen=True, kw_only=True)
class CreateInventoryObject(Command):
    inventory_object_id: uuid.UUID = field(default_factory=new_id)
    name: str
    serial: str = ""
    company_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class CreateSla(Command):
    """A new SLA; hours of 0 leave that limit unchecked."""

    sla_id: uuid.UUID = field(default_factory=new_id)
    name: str
    description: str = ""
    #: Informative only (Integria's "SLA Base"): nothing is inherited from it.
    base_sla_id: uuid.UUID | None = None
    sla_type: int = SlaType.NORMAL
    max_response_hours: float = 48.0
    max_resolution_hours: float = 480.0
    max_open_tickets: int = 10
    max_inactivity_hours: float = 96.0
    #: Whole hours in the SLA time zone; equal: the whole day; start after end: overnight.
    day_start_hour: int = 8
    day_end_hour: int = 18
    no_sla_on_weekends: bool = True
    no_sla_on_holidays: bool = True
    enforced: bool = True
    #: Integria's counting: every hour counts, working time only delays the breach.
    wall_clock: bool = False


@dataclass(frozen=True, kw_only=True)
class UpdateSla(Command):
    """An SLA's whole new definition, as the editor holds it (nothing is implied, so a
    replay says exactly what the person saved); the id stays, and so do the groups
    applying it."""

    sla_id: uuid.UUID
    name: str
    description: str
    base_sla_id: uuid.UUID | None
    sla_type: int
    max_response_hours: float
    max_resolution_hours: float
    max_open_tickets: int
    max_inactivity_hours: float
    day_start_hour: int
    day_end_hour: int
    no_sla_on_weekends: bool
    no_sla_on_holidays: bool
    enforced: bool
    wall_clock: bool


@dataclass(frozen=True, kw_only=True)
class DeleteSla(Command):
    """Only an SLA no group applies (the refusal names the groups): a group is never left
    without its SLA by a deletion it did not see."""

    sla_id: uuid.UUID


# --- Work orders --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateWorkOrderTemplate(Command):
    """A new work-order template; the ticket types listed print their work orders with it."""

    template_id: uuid.UUID = field(default_factory=new_id)
    name: str
    #: HTML with macros; stored sanitised.
    body_html: str
    description: str = ""
    #: "" or a data: URI of a PNG or JPEG picture.
    logo_data_uri: str = ""
    #: Used for ticket types without a template of their own (replaces the previous one).
    is_default: bool = False
    ticket_type_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UpdateWorkOrderTemplate(Command):
    """A template's whole new state, as the editor holds it: types it lists use it, types
    that used it and are not listed go back to the default template."""

    template_id: uuid.UUID
    name: str
    body_html: str
    description: str
    logo_data_uri: str
    is_default: bool
    ticket_type_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, kw_only=True)
class DeleteWorkOrderTemplate(Command):
    """Its ticket types go back to the default template; printed work orders stay."""

    template_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class GenerateWorkOrder(Command):
    """A work order printed for a ticket: its PDF (in the blob store, as for AttachFile)
    becomes an attachment of the ticket, recorded as a work order from that template."""

    work_order_id: uuid.UUID = field(default_factory=new_id)
    attachment_id: uuid.UUID = field(default_factory=new_id)
    ticket_id: uuid.UUID
    #: None: the system template that ships with DesktopDesk.
    template_id: uuid.UUID | None
    template_name: str
    file_name: str
    size: int
    sha256: str


@dataclass(frozen=True, kw_only=True)
class ValidateWorkOrder(Command):
    """The signed scan of a work order (in the blob store) attached to its ticket and
    linked to it; validating again links the newer scan (the older stays attached)."""

    work_order_id: uuid.UUID
    #: The work order's ticket (a command about a ticket names it, for sync's wording).
    ticket_id: uuid.UUID
    attachment_id: uuid.UUID = field(default_factory=new_id)
    file_name: str
    size: int
    sha256: str
    mime_type: str = "application/pdf"
