"""The simulated world: one server store, desktop replicas of it, one clock, stable ids.

Everything is deterministic: ids come from counters (commands, tickets, workunits, client
ids), time from a clock that moves only when the simulation says so. Building the
organisation and migrating an empty store is done once per process; each example copies
those files into its own temporary folder (opening a migrated file is cheap).
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from desktopdesk.domain.commands import (
    AddMembership,
    AddWorkunit,
    Command,
    CreateCompany,
    CreateGroup,
    CreateProfile,
    CreateTicket,
    CreateUser,
    SetStatusMapping,
)
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import (
    AT_CREATION,
    OutboxEntry,
    OutboxState,
    Status,
    SyncState,
    Ticket,
    UserKind,
)
from desktopdesk.models.base import ids_derived_from
from desktopdesk.store.bootstrap import create_first_admin
from desktopdesk.store.workspace import Role, Workspace
from desktopdesk.sync.client import SyncSummary, SyncTransport, run_sync
from tests.sim.faults import Fault, FaultyTransport, NetworkError
from tests.sync.inprocess import InProcessTransport

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

#: Who may have a desktop: technicians, a team lead, customers grouped and independent.
USERS = ("tomas", "javi", "ana", "bob", "carla", "ramon")
GROUPS = ("support", "acme", "independents")
PROFILES = ("standard", "manager", "customer", "filer", "escalate")

S = Status
#: The status workflow the server enforces (``from`` 0: allowed at creation).
MAPPING: tuple[tuple[int, int], ...] = (
    (AT_CREATION, S.NEW),
    (S.NEW, S.ASSIGNED), (S.NEW, S.CLOSED),
    (S.ASSIGNED, S.PENDING_THIRD_PERSON), (S.ASSIGNED, S.PENDING_TO_BE_CLOSED),
    (S.ASSIGNED, S.CLOSED),
    (S.PENDING_THIRD_PERSON, S.ASSIGNED),
    (S.PENDING_TO_BE_CLOSED, S.CLOSED), (S.PENDING_TO_BE_CLOSED, S.ASSIGNED),
    (S.CLOSED, S.REOPENED),
    (S.REOPENED, S.ASSIGNED), (S.REOPENED, S.CLOSED),
)


@dataclass(frozen=True)
class OrgIds:
    admin: uuid.UUID
    users: dict[str, uuid.UUID]
    groups: dict[str, uuid.UUID]
    profiles: dict[str, uuid.UUID]


def _build_org(ws: Workspace) -> OrgIds:
    """tests/conftest.py's organisation, plus a status workflow to obey."""
    with ids_derived_from(uuid.UUID(int=0x5EED)):
        admin = create_first_admin(ws)

        def do(command: Command) -> uuid.UUID:
            result = ws.execute(command, admin, now=T0)
            assert result.created_id is not None
            return result.created_id

        helpdesk = do(CreateCompany(name="Northwind Support"))
        acme = do(CreateCompany(name="Acme"))
        profiles = {
            "standard": do(CreateProfile(name="Standard user", can_view=True, can_edit=True)),
            "manager": do(CreateProfile(name="Incident manager", can_view=True, can_edit=True,
                                        can_manage=True)),
            "customer": do(CreateProfile(name="Customer", can_view=True, can_edit=True)),
            "filer": do(CreateProfile(name="Filer", can_edit=True)),
            "escalate": do(CreateProfile(name="Escalate", can_escalate=True)),
        }

        def user(name: str, company: uuid.UUID | None, kind: str = UserKind.GROUPED) -> uuid.UUID:
            return do(CreateUser(username=name, full_name=name.title(),
                                 email=f"{name}@example.com", company_id=company, kind=kind))

        users = {"ramon": user("ramon", helpdesk), "tomas": user("tomas", helpdesk),
                 "javi": user("javi", helpdesk), "ana": user("ana", acme),
                 "bob": user("bob", acme), "carla": user("carla", None, UserKind.INDEPENDENT)}
        groups = {
            "support": do(CreateGroup(name="Support")),
            "acme": do(CreateGroup(name="Acme", default_owner_id=users["ramon"])),
            "independents": do(CreateGroup(name="Independent customers",
                                           default_owner_id=users["ramon"])),
        }
        for who, group, profile in [
            ("ramon", "support", "manager"), ("ramon", "acme", "manager"),
            ("tomas", "support", "standard"), ("tomas", "acme", "standard"),
            ("javi", "support", "standard"),
            ("ana", "acme", "customer"), ("bob", "acme", "customer"),
            ("ramon", "independents", "manager"), ("carla", "independents", "filer"),
        ]:
            do(AddMembership(user_id=users[who], group_id=groups[group],
                             profile_id=profiles[profile]))
        ws.execute(SetStatusMapping(transitions=MAPPING), admin, now=T0)
        # Tickets everyone starts with, so desktops and the admin work on the same ones.
        for title, group, creator, owner in [
            ("VPN drops", "support", "javi", "tomas"), ("New laptop", "support", "tomas", "javi"),
            ("Printer", "acme", "ana", "ramon"), ("Invoices", "acme", "bob", "tomas"),
            ("Password", "independents", "carla", "ramon"),
        ]:
            ticket = do(CreateTicket(title=title, group_id=groups[group],
                                     creator_id=users[creator], owner_id=users[owner]))
            for author, private, internal in [(users[owner], False, False),
                                              (admin, True, False), (admin, False, True)]:
                ws.execute(AddWorkunit(ticket_id=ticket, text_html=f"<p>{title}</p>",
                                       is_private=private, is_internal=internal), author, now=T0)
    return OrgIds(admin, users, groups, profiles)


@dataclass(frozen=True)
class Template:
    server: Path
    replica: Path
    org: OrgIds


_template: Template | None = None


def template() -> Template:
    """The migrated server (with the organisation) and replica files, built once."""
    global _template
    if _template is None:
        root = Path(tempfile.mkdtemp(prefix="desktopdesk-sim-template-"))
        atexit.register(shutil.rmtree, root, True)
        with Workspace.open(root / "server") as server:
            org = _build_org(server)
        with Workspace.open(root / "replica") as replica:
            replica.set_info("role", Role.REPLICA)
        _template = Template(root / "server", root / "replica", org)
    return _template


class Ids:
    """Deterministic, increasing UUIDs (the order of keyset pages stays the same)."""

    def __init__(self, namespace: int) -> None:
        self._namespace = namespace
        self._n = 0

    def __call__(self) -> uuid.UUID:
        self._n += 1
        return uuid.UUID(int=(self._namespace << 96) | self._n)

    @property
    def count(self) -> int:
        return self._n


class Desktop:
    """One replica: its folder survives crashes, its Workspace object does not."""

    def __init__(self, world: World, name: str, client_id: uuid.UUID) -> None:
        self.world = world
        self.name = name
        self.user = world.org.users[name]
        self.folder = world.root / f"desktop-{name}"
        shutil.copytree(template().replica, self.folder)
        self.ws = Workspace.open(self.folder)
        with self.ws.sessions.begin() as session:
            session.add(SyncState(id=1, client_id=client_id))
        self.client_id = client_id
        self.transport = FaultyTransport(world.server_transport(self.user), world.page_rows)

    def __repr__(self) -> str:
        return f"<desktop of {self.name}>"

    def do(self, command: Command) -> bool:
        """Apply locally (and queue); False when the replica itself refuses it."""
        try:
            self.ws.execute(command, self.user, now=self.world.now)
        except DomainError:
            return False
        return True

    def sync(self, faults: tuple[Fault, ...] = ()) -> SyncSummary | None:
        """One sync with these faults armed; None when a fault broke it off."""
        self.transport.arm(faults)
        try:
            return run_sync(self.ws, self.transport, self.user, self.world.clock)
        except NetworkError:
            return None

    def crash(self) -> None:
        self.ws.close()
        self.ws = Workspace.open(self.folder)


@dataclass
class World:
    page_rows: int
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="desktopdesk-sim-")))
    now: dt.datetime = T0 + dt.timedelta(days=1)
    ids: Ids = field(default_factory=lambda: Ids(0xD0C))
    desktops: list[Desktop] = field(default_factory=list)

    def __post_init__(self) -> None:
        tpl = template()
        self.org = tpl.org
        shutil.copytree(tpl.server, self.root / "server")
        self.server = Workspace.open(self.root / "server")

    def clock(self) -> dt.datetime:
        return self.now

    def tick(self) -> None:
        self.now += dt.timedelta(minutes=1)

    def add_desktop(self, name: str) -> Desktop:
        desktop = Desktop(self, name, self.ids())
        self.desktops.append(desktop)
        return desktop

    def pending_ticket_ids(self) -> set[uuid.UUID]:
        """Tickets some desktop has commands for that the server has not answered yet."""
        found: set[uuid.UUID] = set()
        for desktop in self.desktops:
            with desktop.ws.read() as session:
                found.update(session.scalars(select(OutboxEntry.ticket_id).where(
                    OutboxEntry.state == OutboxState.PENDING,
                    OutboxEntry.ticket_id.is_not(None))))
        return found

    def has_closed_tickets(self) -> bool:
        with self.server.read() as session:
            return session.scalar(select(Ticket.id).where(
                Ticket.status == Status.CLOSED).limit(1)) is not None

    def names(self) -> list[str]:
        return [desktop.name for desktop in self.desktops]

    def server_transport(self, user: uuid.UUID) -> Callable[[], SyncTransport]:
        """The server's functions for ``user``, looked up per call (it may restart)."""
        return lambda: InProcessTransport(self.server, user, self.clock)

    def admin_do(self, command: Command) -> bool:
        try:
            self.server.execute(command, self.org.admin, now=self.now)
        except DomainError:
            return False
        return True

    def restart_server(self) -> None:
        """A fresh Workspace over the same database file (the old one is let go)."""
        self.server.close()
        self.server = Workspace.open(self.root / "server")

    def close(self) -> None:
        for desktop in self.desktops:
            desktop.ws.close()
        self.server.close()
        shutil.rmtree(self.root, ignore_errors=True)
