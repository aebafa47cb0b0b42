"""A desktop replica in tests: its own store file, syncing with the `org` server store."""

from __future__ import annotations

import uuid
from pathlib import Path

from desktopdesk.domain.commands import Command
from desktopdesk.models import Ticket
from desktopdesk.store.workspace import Role, Workspace
from desktopdesk.sync.client import SyncSummary, SyncTransport, run_sync
from tests.conftest import Org
from tests.sync.inprocess import InProcessTransport


class Desktop:
    def __init__(self, org: Org, user: uuid.UUID, folder: Path,
                 transport: SyncTransport | None = None) -> None:
        self.org = org
        self.user = user
        self.ws = Workspace.open(folder)
        self.ws.set_info("role", Role.REPLICA)
        self.transport = transport or InProcessTransport(org.ws, user, lambda: org.now)

    def sync(self) -> SyncSummary:
        return run_sync(self.ws, self.transport, self.user, lambda: self.org.now)

    def do(self, command: Command) -> None:
        self.ws.execute(command, self.user, now=self.org.now)

    def ticket(self, ticket_id: uuid.UUID) -> Ticket:
        with self.ws.read() as session:
            found = session.get(Ticket, ticket_id)
            assert found is not None
            return found
