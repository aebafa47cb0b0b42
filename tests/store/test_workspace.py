"""A workspace applies each user action in one transaction and stamps what it writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktopdesk.domain.commands import AddWorkunit, CreateGroup, CreateTicket
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import CommandLogEntry, HistoryEvent, OutboxEntry, Ticket, Workunit
from desktopdesk.store.bootstrap import (
    STANDARD_PROFILES,
    WorkspaceNotEmptyError,
    initialise_workspace,
)
from desktopdesk.store.workspace import Role, Workspace

NOW = dt.datetime(2026, 5, 4, 10, 30, tzinfo=dt.UTC)


def test_initialise_creates_admin_and_standard_profiles(workspace: Workspace) -> None:
    initialise_workspace(workspace)
    from desktopdesk.models import Profile, User

    with workspace.read() as session:
        admin = session.scalar(select(User))
        assert admin is not None
        assert admin.is_superadmin
        assert admin.username == "admin"
        assert session.scalar(select(func.count()).select_from(Profile)) == len(STANDARD_PROFILES)
    with pytest.raises(WorkspaceNotEmptyError):
        initialise_workspace(workspace)


def test_standalone_store_is_the_authority_numbers_and_versions(workspace: Workspace) -> None:
    admin = initialise_workspace(workspace)
    group = workspace.execute(CreateGroup(name="Support"), admin, now=NOW).created_id
    assert group is not None
    first = workspace.execute(CreateTicket(title="One", group_id=group), admin, now=NOW)
    second = workspace.execute(CreateTicket(title="Two", group_id=group), admin, now=NOW)
    with workspace.read() as session:
        one = session.get(Ticket, first.created_id)
        two = session.get(Ticket, second.created_id)
        assert one is not None
        assert two is not None
        assert (one.number, two.number) == (1, 2)
        assert one.provisional_number is None
        assert one.version is not None
        assert two.version is not None
        assert two.version > one.version  # versions follow the change sequence
        assert one.created_at == NOW
        assert one.updated_at == NOW


def test_replica_gives_provisional_numbers_and_no_versions(workspace: Workspace) -> None:
    admin = initialise_workspace(workspace)
    group = workspace.execute(CreateGroup(name="Support"), admin, now=NOW).created_id
    assert group is not None
    workspace.set_info("role", Role.REPLICA)
    result = workspace.execute(CreateTicket(title="Offline", group_id=group), admin, now=NOW)
    with workspace.read() as session:
        ticket = session.get(Ticket, result.created_id)
        assert ticket is not None
        assert ticket.number is None
        assert ticket.provisional_number == 1
        assert ticket.version is None


def test_refused_action_writes_nothing(workspace: Workspace) -> None:
    admin = initialise_workspace(workspace)
    group = workspace.execute(CreateGroup(name="Support"), admin, now=NOW).created_id
    assert group is not None
    ticket = workspace.execute(CreateTicket(title="T", group_id=group), admin, now=NOW)
    assert ticket.created_id is not None

    def counts() -> tuple[int, ...]:
        with workspace.read() as session:
            return tuple(
                session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Workunit, HistoryEvent, CommandLogEntry)
            )

    before = counts()
    with pytest.raises(DomainError) as refused:
        workspace.execute(
            AddWorkunit(ticket_id=ticket.created_id, text_html="<p>x</p>", hours=-1), admin
        )
    assert refused.value.field == "hours"
    assert counts() == before


def test_reopening_a_workspace_keeps_its_data(tmp_path: Path) -> None:
    with Workspace.open(tmp_path) as first:
        admin = initialise_workspace(first)
        first.execute(CreateGroup(name="Support"), admin)
    with Workspace.open(tmp_path) as again, again.read() as session:
        assert session.scalar(select(func.count()).select_from(CommandLogEntry)) == 5


@pytest.mark.parametrize("role", [Role.STANDALONE, Role.REPLICA])
def test_one_action_of_several_commands_is_written_whole_or_not_at_all(
        workspace: Workspace, role: Role) -> None:
    admin = initialise_workspace(workspace)
    group = workspace.execute(CreateGroup(name="Support"), admin, now=NOW).created_id
    assert group is not None
    ticket = workspace.execute(CreateTicket(title="T", group_id=group), admin, now=NOW)
    assert ticket.created_id is not None
    workspace.set_info("role", role)

    def written() -> tuple[int, int]:
        with workspace.read() as session:
            return (session.scalar(select(func.count()).select_from(Workunit)) or 0,
                    session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)

    good = AddWorkunit(ticket_id=ticket.created_id, text_html="<p>first</p>")
    bad = AddWorkunit(ticket_id=ticket.created_id, text_html="<p>second</p>", hours=-1)
    with pytest.raises(DomainError):
        workspace.execute_all([good, bad], admin, now=NOW)
    assert written() == (0, 0)

    also = AddWorkunit(ticket_id=ticket.created_id, text_html="<p>second</p>")
    results = workspace.execute_all([good, also], admin, now=NOW)

    assert [r.changed_ticket_ids for r in results] == [(ticket.created_id,)] * 2
    queued = 2 if role is Role.REPLICA else 0  # a replica sends both, in order
    assert written() == (2, queued)
