"""Shared fixtures: a fresh workspace on a temporary file, and a small organisation."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktopdesk.domain.commands import (
    AddMembership,
    Command,
    CreateCompany,
    CreateGroup,
    CreateProfile,
    CreateUser,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.models import UserKind
from desktopdesk.store.bootstrap import create_first_admin
from desktopdesk.store.workspace import Workspace

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path / "ws")
    yield ws
    ws.close()


@dataclass
class Org:
    """The manual's practical case in miniature, with ids for every piece."""

    ws: Workspace
    admin: uuid.UUID
    ramon: uuid.UUID  # team lead: MANAGE on Support and Acme
    tomas: uuid.UUID  # technician: standard (VIEW+EDIT) on Support and Acme
    javi: uuid.UUID  # technician on Support only
    ana: uuid.UUID  # Acme customer, grouped: VIEW+EDIT on Acme
    bob: uuid.UUID  # Acme customer, grouped
    carla: uuid.UUID  # independent customer: EDIT (to file) on Independents
    outsider: uuid.UUID  # grouped user with no memberships
    support: uuid.UUID
    acme_group: uuid.UUID
    independents: uuid.UUID  # queue of independent customers, default owner ramon
    acme_company: uuid.UUID
    helpdesk_company: uuid.UUID
    standard: uuid.UUID
    manager: uuid.UUID
    escalate: uuid.UUID
    now: dt.datetime = T0

    def do(self, command: Command, actor: uuid.UUID,
           at: dt.datetime | None = None) -> CommandResult:
        return self.ws.execute(command, actor, now=at or self.now)


@pytest.fixture
def org(workspace: Workspace) -> Org:
    admin = create_first_admin(workspace)

    def do(command: Command) -> uuid.UUID:
        result = workspace.execute(command, admin, now=T0)
        assert result.created_id is not None
        return result.created_id

    helpdesk = do(CreateCompany(name="Northwind Support"))
    acme = do(CreateCompany(name="Acme"))
    standard = do(CreateProfile(name="Standard user", can_view=True, can_edit=True,
                                hourly_rate=40.0))
    manager = do(CreateProfile(name="Incident manager", can_view=True, can_edit=True,
                               can_manage=True, hourly_rate=60.0))
    escalate = do(CreateProfile(name="Escalate", can_escalate=True))
    customer = do(CreateProfile(name="Customer", can_view=True, can_edit=True))
    filer = do(CreateProfile(name="Filer", can_edit=True))

    def user(username: str, company: uuid.UUID | None, kind: str = UserKind.GROUPED) -> uuid.UUID:
        return do(CreateUser(username=username, full_name=username.title(),
                             email=f"{username}@example.com", company_id=company, kind=kind))

    ramon = user("ramon", helpdesk)
    tomas = user("tomas", helpdesk)
    javi = user("javi", helpdesk)
    ana = user("acme.ana", acme)
    bob = user("acme.bob", acme)
    carla = user("indie.carla", None, UserKind.INDEPENDENT)
    outsider = user("outsider", None)
    support = do(CreateGroup(name="Support"))
    acme_group = do(CreateGroup(name="Acme", default_owner_id=ramon))
    independents = do(CreateGroup(name="Independent customers", default_owner_id=ramon))
    for u, g, p in [
        (ramon, support, manager), (ramon, acme_group, manager),
        (tomas, support, standard), (tomas, acme_group, standard),
        (javi, support, standard),
        (ana, acme_group, customer), (bob, acme_group, customer),
        (ramon, independents, manager),
        (carla, independents, filer),
    ]:
        do(AddMembership(user_id=u, group_id=g, profile_id=p))
    return Org(workspace, admin, ramon, tomas, javi, ana, bob, carla, outsider, support,
               acme_group, independents, acme, helpdesk, standard, manager, escalate)

pytest_plugins = ["tests.pg_fixtures"]
