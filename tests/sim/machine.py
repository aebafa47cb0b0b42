"""The state machine: desktops working offline, an admin on the server, faulty syncs.

Rules draw what to act on from the current state (``st.data()``), so every step is a
real action on a real ticket. A desktop's own replica decides whether a command applies
locally (a refused one is simply not queued, as in the app); the server decides again
when it is pushed. ``STATS`` counts what ran, for the soak benchmark.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import select

from desktopdesk.domain import acl, workflow
from desktopdesk.domain.commands import (
    AddMembership,
    AddWorkunit,
    AssignOwner,
    ChangeStatus,
    CloseTicket,
    CreateTicket,
    LockTicket,
    ReopenTicket,
    UpdateGroup,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import Priority, Resolution, Status, SyncConflict, Ticket
from tests.sim import invariants
from tests.sim.faults import Fault, fault_plans
from tests.sim.world import GROUPS, PROFILES, USERS, Desktop, World

STATS: Counter[str] = Counter()

#: Rounds of fault-free syncs allowed to reach quiescence (each round syncs every desktop).
QUIESCENCE_ROUNDS = 4

OPEN_STATUSES = [s for s in Status if s is not Status.CLOSED]


def _coin(data: st.DataObject, label: str) -> bool:
    return data.draw(st.booleans(), label=label)


class SyncSimulation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._world: World | None = None

    @property
    def world(self) -> World:
        assert self._world is not None
        return self._world

    # --- Setting up -----------------------------------------------------------------------

    @initialize(names=st.lists(st.sampled_from(USERS), min_size=3, max_size=5, unique=True),
                rows_per_page=st.sampled_from([4, 11, 1000]))
    def start(self, names: list[str], rows_per_page: int) -> None:
        self._world = World(rows_per_page)
        for name in names:
            # Signing in syncs once (in one page: small pages come with later syncs and
            # with desktops that join later), so desktops know their user and groups.
            desktop = self.world.add_desktop(name)
            desktop.transport.rows_per_page = 1000
            assert desktop.sync() is not None
            desktop.transport.rows_per_page = rows_per_page
        STATS["examples"] += 1

    @precondition(lambda self: len(self.world.desktops) < len(USERS))
    @rule(data=st.data())
    def join(self, data: st.DataObject) -> None:
        """Another user's desktop appears: its first pull is a normal, faulty sync."""
        name = data.draw(st.sampled_from([n for n in USERS if n not in self.world.names()]),
                         label="user")
        STATS["steps"] += 1
        STATS["desktops joining later"] += 1
        self.world.add_desktop(name)

    def _desktop(self, data: st.DataObject) -> Desktop:
        return data.draw(st.sampled_from(self.world.desktops), label="desktop")

    def _local_ticket(self, data: st.DataObject, desktop: Desktop) -> Ticket | None:
        """A ticket the replica holds; often one its user owns (owners change statuses)."""
        with desktop.ws.read() as session:
            tickets = list(session.scalars(select(Ticket).order_by(Ticket.id)))
        owned = [t for t in tickets if t.owner_id == desktop.user]
        if owned and _coin(data, "one of mine"):
            tickets = owned
        if not tickets:
            return None
        return data.draw(st.sampled_from(tickets), label="ticket")

    def _server_ticket(self, data: st.DataObject, **where: Any) -> Ticket | None:
        """A ticket on the server; often one a desktop has offline work on (conflicts)."""
        with self.world.server.read() as session:
            tickets = list(session.scalars(select(Ticket).filter_by(**where).order_by(Ticket.id)))
        contested = [t for t in tickets if t.id in self.world.pending_ticket_ids()]
        if contested and _coin(data, "one with offline work"):
            tickets = contested
        if not tickets:
            return None
        return data.draw(st.sampled_from(tickets), label="server ticket")

    def _offline(self, desktop: Desktop, command: Any) -> None:
        self.world.tick()
        STATS["steps"] += 1
        done = desktop.do(command)
        STATS[f"local {command.command_name} {'queued' if done else 'refused'}"] += 1

    def _admin(self, command: Any) -> None:
        self.world.tick()
        STATS["steps"] += 1
        done = self.world.admin_do(command)
        STATS[f"admin {command.command_name} {'applied' if done else 'refused'}"] += 1

    # --- Desktops, offline ----------------------------------------------------------------

    @rule(data=st.data(), priority=st.sampled_from(list(Priority)))
    def create_ticket(self, data: st.DataObject, priority: Priority) -> None:
        desktop = self._desktop(data)
        with desktop.ws.read() as session:
            try:
                perms = acl.load_permissions(session, desktop.user)
            except DomainError:  # never synced: the replica does not know its user yet
                perms = None
            groups = [g for g in self.world.org.groups.values()
                      if perms is None or acl.can_create_in(perms, g)]
        group = data.draw(st.sampled_from(groups or list(self.world.org.groups.values())),
                          label="group")
        n = self.world.ids.count
        self._offline(desktop, CreateTicket(
            command_id=self.world.ids(), ticket_id=self.world.ids(), title=f"Ticket {n}",
            group_id=group, priority=priority))

    @rule(data=st.data(), private=st.booleans(), internal=st.booleans(),
          hours=st.sampled_from([0.0, 0.25, 1.5]))
    def add_workunit(self, data: st.DataObject, private: bool, internal: bool,
                     hours: float) -> None:
        desktop = self._desktop(data)
        ticket = self._local_ticket(data, desktop)
        if ticket is None:
            return
        command_id, workunit_id = self.world.ids(), self.world.ids()
        self._offline(desktop, AddWorkunit(
            command_id=command_id, workunit_id=workunit_id, ticket_id=ticket.id,
            text_html=f"<p>note {workunit_id.int & 0xFFFFFFFF}</p>", hours=hours,
            is_private=private, is_internal=internal))

    @rule(data=st.data(), field=st.sampled_from(["title", "priority"]),
          priority=st.sampled_from(list(Priority)))
    def change_field(self, data: st.DataObject, field: str, priority: Priority) -> None:
        desktop = self._desktop(data)
        ticket = self._local_ticket(data, desktop)
        if ticket is None:
            return
        value: Any = f"{ticket.title} +" if field == "title" else int(priority)
        base: Any = ticket.title if field == "title" else int(ticket.priority)
        self._offline(desktop, UpdateTicketFields(
            command_id=self.world.ids(), ticket_id=ticket.id, changes={field: value},
            base={field: base}))

    @rule(data=st.data(), how=st.sampled_from(["status", "close", "reopen"]),
          resolution=st.sampled_from([r for r in Resolution if r is not Resolution.NONE]))
    def change_status(self, data: st.DataObject, how: str, resolution: Resolution) -> None:
        """Mostly moves the local mapping allows; any move at all now and then."""
        desktop = self._desktop(data)
        ticket = self._local_ticket(data, desktop)
        if ticket is None:
            return
        command_id = self.world.ids()
        command: Any
        if how == "status":
            with desktop.ws.read() as session:
                allowed = workflow.allowed_next_statuses(session, Status(ticket.status))
            choices = [s for s in allowed if s is not Status.CLOSED] or OPEN_STATUSES
            status = data.draw(st.sampled_from(choices) | st.sampled_from(OPEN_STATUSES),
                               label="status")
            command = ChangeStatus(command_id=command_id, ticket_id=ticket.id, status=status)
        elif how == "close":
            command = CloseTicket(command_id=command_id, ticket_id=ticket.id,
                                  resolution=resolution)
        else:
            command = ReopenTicket(command_id=command_id, ticket_id=ticket.id)
        self._offline(desktop, command)

    @rule(data=st.data(), owner=st.sampled_from(USERS))
    def reassign(self, data: st.DataObject, owner: str) -> None:
        desktop = self._desktop(data)
        ticket = self._local_ticket(data, desktop)
        if ticket is None:
            return
        self._offline(desktop, AssignOwner(command_id=self.world.ids(), ticket_id=ticket.id,
                                           owner_id=self.world.org.users[owner]))

    # --- Desktops: syncing and crashing ---------------------------------------------------

    @rule(data=st.data())
    def sync(self, data: st.DataObject) -> None:
        """The one single-argument rule: Hypothesis favours it, and syncs are the point."""
        self._sync(self._desktop(data), data.draw(fault_plans(), label="faults"))

    def _sync(self, desktop: Desktop, faults: tuple[Fault, ...]) -> None:
        self.world.tick()
        STATS["steps"] += 1
        STATS["syncs"] += 1
        summary = desktop.sync(faults)
        for fault in desktop.transport.fired:
            STATS[f"fault: {fault.kind} {fault.op}"] += 1
        if summary is None:
            STATS["syncs broken off"] += 1
            return
        STATS["server rejections"] += summary.rejected
        # Nothing happens between the pull's snapshot and now: the replica must be exact.
        invariants.replica_equals_server(self.world, desktop)

    @rule(data=st.data(), rounds=st.integers(1, 2))
    def sync_everyone(self, data: st.DataObject, rounds: int) -> None:
        """Every desktop syncs in turn, each with its own faults."""
        for _ in range(rounds):
            for desktop in self.world.desktops:
                self._sync(desktop, data.draw(fault_plans(), label=f"{desktop.name}'s faults"))

    @rule(data=st.data(), what=st.sampled_from(["desktop crash", "server restart"]))
    def disrupt(self, data: st.DataObject, what: str) -> None:
        """A desktop closes and reopens its store (between two steps), or the server's."""
        STATS["steps"] += 1
        STATS[what] += 1
        if what == "server restart":
            self.world.restart_server()
        else:
            self._desktop(data).crash()

    # --- The administrator, on the server -------------------------------------------------

    @rule(data=st.data(), owner=st.sampled_from(USERS))
    def admin_reassigns(self, data: st.DataObject, owner: str) -> None:
        ticket = self._server_ticket(data)
        if ticket is not None:
            self._admin(AssignOwner(command_id=self.world.ids(), ticket_id=ticket.id,
                                    owner_id=self.world.org.users[owner]))

    @rule(data=st.data())
    def admin_changes_status(self, data: st.DataObject) -> None:
        """Along the mapping, as a super-admin may (a queued status change may then fail)."""
        ticket = self._server_ticket(data)
        if ticket is None:
            return
        with self.world.server.read() as session:
            allowed = workflow.allowed_next_statuses(session, Status(ticket.status))
        if not allowed:
            return
        status = data.draw(st.sampled_from(allowed), label="status")
        self._admin(ChangeStatus(
            command_id=self.world.ids(), ticket_id=ticket.id, status=status,
            resolution=Resolution.FIXED if status is Status.CLOSED else None))

    @rule(data=st.data(), group=st.sampled_from(GROUPS))
    def admin_moves_ticket(self, data: st.DataObject, group: str) -> None:
        ticket = self._server_ticket(data)
        if ticket is not None:
            self._admin(UpdateTicketFields(
                command_id=self.world.ids(), ticket_id=ticket.id,
                changes={"group_id": str(self.world.org.groups[group])}))

    @rule(user=st.sampled_from(USERS), group=st.sampled_from(GROUPS),
          profile=st.sampled_from(PROFILES))
    def admin_grants(self, user: str, group: str, profile: str) -> None:
        org = self.world.org
        self._admin(AddMembership(
            command_id=self.world.ids(), membership_id=self.world.ids(),
            user_id=org.users[user], group_id=org.groups[group],
            profile_id=org.profiles[profile]))

    @rule(group=st.sampled_from(GROUPS), parent=st.sampled_from([None, *GROUPS]))
    def admin_reparents_group(self, group: str, parent: str | None) -> None:
        """Grants held on a parent group reach its children: visibility moves with it."""
        groups = self.world.org.groups
        self._admin(UpdateGroup(command_id=self.world.ids(), group_id=groups[group],
                                changes={"parent_id": groups[parent] if parent else None}))

    @precondition(lambda self: self.world.has_closed_tickets())
    @rule(data=st.data(), locked=st.booleans())
    def admin_locks(self, data: st.DataObject, locked: bool) -> None:
        ticket = self._server_ticket(data, status=Status.CLOSED)
        if ticket is not None:
            self._admin(LockTicket(command_id=self.world.ids(), ticket_id=ticket.id,
                                   locked=locked))

    # --- Checks ---------------------------------------------------------------------------

    @invariant()
    def always(self) -> None:
        if self._world is not None:
            invariants.check_always(self.world)

    def teardown(self) -> None:
        if self._world is None:
            return
        try:
            if sys.exc_info()[0] is None:  # a failing step is reported as it is
                self._settle()
                invariants.check_quiescent(self.world)
                for desktop in self.world.desktops:
                    with desktop.ws.read() as session:
                        for code in session.scalars(select(SyncConflict.code)):
                            STATS[f"conflict: {code}"] += 1
        finally:
            self.world.close()

    def _settle(self) -> None:
        """Sync every desktop without faults until a whole round changes nothing."""
        for _ in range(QUIESCENCE_ROUNDS):
            quiet = True
            for desktop in self.world.desktops:
                summary = desktop.sync()
                assert summary is not None
                STATS["settling syncs"] += 1
                STATS["server rejections"] += summary.rejected
                quiet = quiet and summary.pushed == 0 and summary.still_pending == 0
            if quiet:
                return
        raise AssertionError(f"no quiescence after {QUIESCENCE_ROUNDS} rounds of syncs")
