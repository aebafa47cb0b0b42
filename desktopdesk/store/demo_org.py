"""The demo's organisation: the manual's practical case, built through commands.

Northwind Support (Ramón leading Tomás, Javi and Luis) serves Acme, a pool customer whose
people see each other's tickets, and independent customers who see only their own. Every
row is written by ``Workspace.execute`` as an administrator would, so the demo exercises
the same rules as real use; only the first super-admin is written directly (bootstrap).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

from desktopdesk.domain.commands import (
    AddCustomField,
    AddMembership,
    ChangeSetting,
    Command,
    CreateCompany,
    CreateGroup,
    CreateInventoryObject,
    CreateProfile,
    CreateSla,
    CreateTicketType,
    CreateUser,
)
from desktopdesk.domain.fields import parse_combo_options, parse_linked_values
from desktopdesk.models import FieldKind, LimitMode, SlaType, UserKind
from desktopdesk.store.bootstrap import create_first_admin
from desktopdesk.store.workspace import Workspace

ADMIN = "admin"
LEAD = "ramon"
TECHNICIANS = ("tomas", "javi", "luis")

#: The manual's Hardware type -> Brand example, in its own ``Parent|Child`` notation.
HARDWARE_BRANDS = (
    "Laptop|HP,Laptop|Lenovo,Laptop|Mac,PC|HP,PC|Dell,Keyboard|ES,Keyboard|UK,Keyboard|Mac,"
    "Mouse|Mac,Mouse|Logi,Mouse|HP,Mouse|Microsoft,Other|trackball"
)
#: A third level, only for brands that belong to one hardware type (a model listed under
#: "HP" would also be offered for an HP mouse, since a link only knows its parent's value).
HARDWARE_MODELS = (
    "Lenovo|ThinkPad T14,Lenovo|ThinkPad X1 Carbon,Lenovo|IdeaPad 5,Dell|OptiPlex 7010,"
    "Dell|Precision 3660,Logi|MX Master 3S,Logi|M185,Microsoft|Arc Mouse"
)


class Person(NamedTuple):
    username: str
    full_name: str
    email: str
    company: str | None
    kind: UserKind = UserKind.GROUPED


PEOPLE = (
    Person("ramon", "Ramón Ruiz", "ramon.ruiz@example.com", "northwind"),
    Person("tomas", "Tomás Ortega", "tomas.ortega@example.com", "northwind"),
    Person("javi", "Javier «Javi» Delgado", "javi.delgado@example.com", "northwind"),
    Person("luis", "Luis Peña", "luis.pena@example.com", "northwind"),
    Person("acme.ana", "Ana Martínez", "ana.martinez@example.com", "acme"),
    Person("acme.bob", "Bob Müller", "bob.muller@example.com", "acme"),
    Person("indie.carla", "Carla Núñez", "carla.nunez@example.com", None, UserKind.INDEPENDENT),
)

COMPANIES = {"northwind": "Northwind Support", "acme": "Acme"}

STANDARD, MANAGER, ESCALATE, QA, CUSTOMER, FILER = (
    "Standard user", "Incident manager", "Escalate", "QA engineer", "Customer", "Ticket filer",
)
PROFILES = (
    CreateProfile(name=STANDARD, can_view=True, can_edit=True, hourly_rate=42.0),
    CreateProfile(name=MANAGER, can_view=True, can_edit=True, can_manage=True, hourly_rate=65.0),
    CreateProfile(name=ESCALATE, can_escalate=True),
    CreateProfile(name=QA, can_view=True, can_qa=True),
    CreateProfile(name=CUSTOMER, can_view=True, can_edit=True),
    CreateProfile(name=FILER, can_edit=True),
)


class GroupSpec(NamedTuple):
    key: str
    name: str
    parent: str | None = None
    default_owner: str | None = None
    sla: str | None = None
    email_from: str = ""


#: Parents before children. Independent customers sit under Support so the whole team
#: sees them, while the customers themselves (independent users) see only their own.
GROUPS = (
    GroupSpec("support", "Support", None, LEAD, "standard", "support@example.com"),
    GroupSpec("hardware", "Support/Hardware", "support", "tomas"),
    GroupSpec("software", "Support/Software", "support", "luis"),
    GroupSpec("independent", "Independent customers", "support", "javi", "standard"),
    GroupSpec("acme", "Acme", None, LEAD, "acme", "acme-support@example.com"),
)
GROUP_DEFAULT_OWNERS = {g.key: g.default_owner for g in GROUPS}

#: (username, group key, profile): the manual's permissions, one grant per row.
MEMBERSHIPS = (
    ("ramon", "support", MANAGER), ("ramon", "acme", MANAGER), ("ramon", "support", QA),
    ("tomas", "support", STANDARD), ("tomas", "acme", STANDARD),
    ("javi", "support", STANDARD), ("javi", "acme", STANDARD),
    ("luis", "support", STANDARD), ("luis", "acme", STANDARD), ("luis", "support", ESCALATE),
    ("acme.ana", "acme", CUSTOMER), ("acme.bob", "acme", CUSTOMER),
    ("indie.carla", "independent", FILER),
)

#: Profile a person files costed workunits under.
WORK_PROFILE = {"ramon": MANAGER, "tomas": STANDARD, "javi": STANDARD, "luis": STANDARD}

#: key -> (name, serial, company key)
INVENTORY = {
    "ana-laptop": ("Lenovo ThinkPad T14 Gen 3 — Ana Martínez", "PF-3KX9Z1", "acme"),
    "acme-mac": ("MacBook Pro 14 (2023) — Acme design studio", "C02FK3LQMD6T", "acme"),
    "acme-reception-pc": ("Dell OptiPlex 7010 — Acme reception", "7TQ2K93", "acme"),
    "acme-printer": ("HP LaserJet Pro M404dn — Acme 2nd floor", "PHBQB12345", "acme"),
    "acme-ups": ("APC Smart-UPS 1500 — Acme server room", "AS1942123456", "acme"),
    "bob-mouse": ("Logitech MX Master 3S — Bob Müller", "2231LZ0ABC", "acme"),
    "carla-laptop": ("HP EliteBook 840 G8 — Carla Núñez", "5CG1234XYZ", None),
    "srv-file01": ("SRV-FILE01 (Dell PowerEdge R650)", "J8K2L93", "northwind"),
    "srv-app02": ("SRV-APP02 (HPE ProLiant DL360 Gen10)", "CZJ0123ABC", "northwind"),
    "label-printer": ("Zebra ZD421 label printer — warehouse", "D4J221900123", "northwind"),
    "workshop-pc": ("HP Z2 G9 — workshop test bench", "CZC2345QRS", "northwind"),
}


@dataclass
class DemoOrg:
    """Ids of everything the ticket stories refer to, by readable key."""

    users: dict[str, uuid.UUID] = field(default_factory=dict)
    companies: dict[str, uuid.UUID] = field(default_factory=dict)
    profiles: dict[str, uuid.UUID] = field(default_factory=dict)
    slas: dict[str, uuid.UUID] = field(default_factory=dict)
    groups: dict[str, uuid.UUID] = field(default_factory=dict)
    types: dict[str, uuid.UUID] = field(default_factory=dict)
    #: Field label -> id; labels are unique across the whole demo.
    fields: dict[str, uuid.UUID] = field(default_factory=dict)
    inventory: dict[str, uuid.UUID] = field(default_factory=dict)


class _Admin:
    """Runs setup commands as the administrator, one minute apart, starting at ``at``."""

    def __init__(self, ws: Workspace, admin_id: uuid.UUID, at: dt.datetime) -> None:
        self.ws, self.admin_id, self.at = ws, admin_id, at

    def do(self, command: Command) -> uuid.UUID:
        self.at += dt.timedelta(minutes=1)
        result = self.ws.execute(command, self.admin_id, now=self.at)
        assert result.created_id is not None, command.command_name
        return result.created_id

    def configure(self, command: Command) -> None:
        self.at += dt.timedelta(minutes=1)
        self.ws.execute(command, self.admin_id, now=self.at)


def build_org(ws: Workspace, at: dt.datetime) -> DemoOrg:
    """Everything before the first ticket: people, groups, SLAs, types, fields, assets."""
    org = DemoOrg()
    org.users[ADMIN] = create_first_admin(ws, ADMIN, "Administrator")
    admin = _Admin(ws, org.users[ADMIN], at)
    _people(admin, org)
    _groups(admin, org)
    _ticket_types(admin, org)
    for key, (name, serial, company) in INVENTORY.items():
        org.inventory[key] = admin.do(CreateInventoryObject(
            name=name, serial=serial, company_id=org.companies[company] if company else None))
    # Workunits in the demo carry a date of completion (on-site visits written up later).
    admin.configure(ChangeSetting(key="workunit_completion_date", value=True))
    return org


def _people(admin: _Admin, org: DemoOrg) -> None:
    for key, name in COMPANIES.items():
        org.companies[key] = admin.do(CreateCompany(name=name))
    for template in PROFILES:
        org.profiles[template.name] = admin.do(CreateProfile(**{
            k: v for k, v in vars(template).items() if k not in ("command_id", "profile_id")
        }))
    for person in PEOPLE:
        org.users[person.username] = admin.do(CreateUser(
            username=person.username, full_name=person.full_name, email=person.email,
            company_id=org.companies[person.company] if person.company else None,
            kind=person.kind,
        ))


def _groups(admin: _Admin, org: DemoOrg) -> None:
    org.slas["standard"] = admin.do(CreateSla(
        name="Standard (business hours)",
        description="Response within a working day, resolution within two weeks.",
        max_response_hours=8, max_resolution_hours=80, max_open_tickets=25,
        max_inactivity_hours=48,
    ))
    org.slas["acme"] = admin.do(CreateSla(
        name="Acme Gold", description="Acme's contract: 4 h response, 5 working days to fix.",
        sla_type=SlaType.BOTH, max_response_hours=4, max_resolution_hours=40,
        max_open_tickets=15, max_inactivity_hours=24, day_start_hour=8, day_end_hour=19,
    ))
    for spec in GROUPS:
        org.groups[spec.key] = admin.do(CreateGroup(
            name=spec.name,
            parent_id=org.groups[spec.parent] if spec.parent else None,
            default_owner_id=org.users[spec.default_owner] if spec.default_owner else None,
            sla_id=org.slas[spec.sla] if spec.sla else None,
            email_from=spec.email_from,
            qa_evaluation=spec.key != "hardware",
            # Independent customers get a gentle nudge, never a refusal.
            open_ticket_limit=3 if spec.key == "independent" else 0,
            total_ticket_limit=12 if spec.key == "independent" else 0,
            limit_mode=LimitMode.NOTIFY if spec.key == "independent" else LimitMode.FORCED,
        ))
    for username, group, profile in MEMBERSHIPS:
        admin.do(AddMembership(user_id=org.users[username], group_id=org.groups[group],
                               profile_id=org.profiles[profile]))


def _ticket_types(admin: _Admin, org: DemoOrg) -> None:
    org.types["hardware"] = admin.do(CreateTicketType(
        name="Hardware incident",
        description="A broken or misbehaving device: laptops, PCs, keyboards, mice, monitors.",
    ))
    org.types["software"] = admin.do(CreateTicketType(
        name="Software request",
        description="Licences, installations and access to applications.",
        group_ids=(org.groups["support"], org.groups["software"], org.groups["acme"]),
    ))
    hardware, software = org.types["hardware"], org.types["software"]

    def add(command: AddCustomField) -> None:
        org.fields[command.label] = admin.do(command)

    add(AddCustomField(ticket_type_id=None, label="Customer reference", show_in_list=True,
                       help_text="The customer's own PO or case number, if they gave one."))
    add(AddCustomField(ticket_type_id=hardware, label="Hardware type", kind=FieldKind.LINKED,
                       required=True, show_in_list=True,
                       options=("Laptop", "PC", "Keyboard", "Mouse", "Monitor", "Other")))
    add(AddCustomField(ticket_type_id=hardware, label="Brand", kind=FieldKind.LINKED,
                       show_in_list=True, parent_field_id=org.fields["Hardware type"],
                       linked_values=tuple(parse_linked_values(HARDWARE_BRANDS))))
    add(AddCustomField(ticket_type_id=hardware, label="Model", kind=FieldKind.LINKED,
                       parent_field_id=org.fields["Brand"],
                       linked_values=tuple(parse_linked_values(HARDWARE_MODELS))))
    add(AddCustomField(ticket_type_id=hardware, label="Impact", kind=FieldKind.COMBO,
                       options=tuple(parse_combo_options(
                           ",Can work normally,Can work with difficulty,Cannot work"))))
    add(AddCustomField(ticket_type_id=hardware, label="Affected users", kind=FieldKind.NUMERIC,
                       numeric_min=1, numeric_max=500))
    add(AddCustomField(ticket_type_id=hardware, label="Purchase date", kind=FieldKind.DATE))
    add(AddCustomField(ticket_type_id=hardware, label="Under warranty",
                       kind=FieldKind.CHECKBOX))
    add(AddCustomField(ticket_type_id=software, label="Application", kind=FieldKind.COMBO,
                       required=True, show_in_list=True, options=tuple(parse_combo_options(
                           ",Microsoft 365,Adobe Acrobat,Slack,VPN client,ERP (Sage),Zoom,"
                           "Other"))))
    add(AddCustomField(ticket_type_id=software, label="Licences needed",
                       kind=FieldKind.NUMERIC, numeric_min=0, numeric_max=1000))
    add(AddCustomField(ticket_type_id=software, label="Needed by", kind=FieldKind.DATE))
    add(AddCustomField(ticket_type_id=software, label="Manager approval",
                       kind=FieldKind.CHECKBOX))
