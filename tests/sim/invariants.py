"""What must hold between desktops and the server (sync.md, "How we prove it", item 3).

Each check raises ``AssertionError`` with a message naming the desktop and the rows.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from desktopdesk.domain import acl
from desktopdesk.domain.history import EventKind
from desktopdesk.models import (
    AT_CREATION,
    Attachment,
    HistoryEvent,
    OutboxEntry,
    OutboxState,
    Replicated,
    SyncConflict,
    SyncMutation,
    Ticket,
    User,
    Workunit,
    WorkunitShare,
)
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.pull import TICKET_CHILDREN, config_models, entity_of_model
from desktopdesk.sync.rows import row_to_json
from tests.sim.world import MAPPING, Desktop, World

View = dict[str, dict[str, dict[str, Any]]]

#: Workunit texts the simulation writes, numbered: each may exist at most once.
SIM_TEXT = re.compile(r"<p>note \d+</p>")


def _rows(session: Session, model: type[Replicated],
          where: ColumnElement[bool] | None = None) -> dict[str, dict[str, Any]]:
    query = select(model) if where is None else select(model).where(where)
    return {str(row.id): row_to_json(row) for row in session.scalars(query)}


def server_view(server: Workspace, user: uuid.UUID) -> View:
    """What ``user``'s replica must hold: configuration, visible tickets and children."""
    with server.read() as session:
        perms = acl.load_permissions(session, user)
        view: View = {entity_of_model(m): _rows(session, m) for m in config_models()}
        visible = select(Ticket.id).where(acl.visible_tickets_clause(perms))
        view["tickets"] = _rows(session, Ticket, acl.visible_tickets_clause(perms))
        shown = select(Workunit.id).where(Workunit.ticket_id.in_(visible),
                                          acl.visible_workunits_anywhere_clause(perms))
        for model in TICKET_CHILDREN:
            where: ColumnElement[bool]
            if model is Workunit:
                where = Workunit.id.in_(shown)
            elif model is WorkunitShare:
                where = WorkunitShare.workunit_id.in_(shown)
            elif model is Attachment:
                where = Attachment.ticket_id.in_(visible) & (
                    Attachment.workunit_id.is_(None) | Attachment.workunit_id.in_(shown))
            else:
                where = model.ticket_id.in_(visible)  # type: ignore[attr-defined]
            view[entity_of_model(model)] = _rows(session, model, where)
    return view


def replica_view(ws: Workspace) -> View:
    models: list[type[Replicated]] = [*config_models(), Ticket, *TICKET_CHILDREN]
    with ws.read() as session:
        return {entity_of_model(m): _rows(session, m, true()) for m in models}


def _diff(expected: View, held: View) -> list[str]:
    problems: list[str] = []
    for entity, rows in expected.items():
        have = held.get(entity, {})
        for row_id in sorted(rows.keys() - have.keys()):
            problems.append(f"{entity} {row_id} missing: {rows[row_id]}")
        for row_id in sorted(have.keys() - rows.keys()):
            problems.append(f"{entity} {row_id} should not be held: {have[row_id]}")
        for row_id in sorted(rows.keys() & have.keys()):
            if rows[row_id] != have[row_id]:
                fields = {k: (rows[row_id][k], have[row_id].get(k)) for k in rows[row_id]
                          if rows[row_id][k] != have[row_id].get(k)}
                problems.append(f"{entity} {row_id} differs (server, replica): {fields}")
    return problems


def replica_equals_server(world: World, desktop: Desktop) -> None:
    """(1) and (5): the replica is exactly the server's view for its user."""
    problems = _diff(server_view(world.server, desktop.user), replica_view(desktop.ws))
    assert not problems, f"{desktop.name}'s replica differs from the server:\n  " + \
        "\n  ".join(problems[:20])


def holds_only_visible(world: World, desktop: Desktop) -> None:
    """(5): no server ticket the user may not see (local drafts aside)."""
    with world.server.read() as server:
        perms = acl.load_permissions(server, desktop.user)
        visible = set(server.scalars(select(Ticket.id).where(acl.visible_tickets_clause(perms))))
    with desktop.ws.read() as local:
        held = set(local.scalars(select(Ticket.id).where(Ticket.version.is_not(None))))
    assert held <= visible, f"{desktop.name} holds tickets it may not see: {held - visible}"


def outbox_agrees_with_server(world: World, desktop: Desktop, *, quiescent: bool) -> None:
    """(2) and (3): answered commands match the server's record, rejections are kept as
    conflicts with their payload, accepted workunits exist on the server exactly once.
    At quiescence nothing is pending and the server knows nothing the desktop does not."""
    with desktop.ws.read() as local:
        entries = {e.mutation_id: e for e in local.scalars(select(OutboxEntry))}
        conflicts = {c.mutation_id: c for c in local.scalars(select(SyncConflict))}
    with world.server.read() as server:
        outcomes = {m.mutation_id: m for m in server.scalars(
            select(SyncMutation).where(SyncMutation.client_id == desktop.client_id))}
        for mid, entry in entries.items():
            where = f"{desktop.name} mutation {mid} ({entry.command_name})"
            outcome = outcomes.get(mid)
            if entry.state == OutboxState.PENDING:
                assert not quiescent, f"{where} still pending at quiescence"
                continue
            assert outcome is not None, f"{where} is {entry.state} but the server never saw it"
            assert outcome.command_id == entry.command_id, f"{where}: another command"
            assert outcome.outcome == entry.state.replace("acked", "applied"), \
                f"{where} is {entry.state} locally, {outcome.outcome} on the server"
            if entry.state == OutboxState.REJECTED:
                conflict = conflicts.get(mid)
                assert conflict is not None, f"{where} was rejected but is not in sync_conflicts"
                assert conflict.client_payload == entry.payload, f"{where}: payload not kept"
                assert conflict.code == outcome.code, f"{where}: conflict code differs"
            elif entry.command_name == "AddWorkunit":
                workunit_id = uuid.UUID(entry.payload["args"]["workunit_id"])
                found = server.scalars(select(Workunit.id).where(Workunit.id == workunit_id))
                assert len(list(found)) == 1, f"{where}: workunit not on the server exactly once"
        if quiescent:
            unknown = sorted(outcomes.keys() - entries.keys())
            assert not unknown, f"the server processed {desktop.name} mutations {unknown} " \
                                "the desktop does not have"
        texts = Counter(server.scalars(select(Workunit.text_html)))
    repeated = [t for t, n in texts.items() if n > 1 and SIM_TEXT.fullmatch(t)]
    assert not repeated, f"workunits applied more than once: {repeated}"


STATUS_KINDS = (EventKind.STATUS_CHANGED, EventKind.CLOSED, EventKind.REOPENED)


def status_history_is_lawful(world: World) -> None:
    """(4): every status change was the owner's of record (or a super-admin's) at that
    moment, and a move the mapping allows."""
    allowed = {(int(a), int(b)) for a, b in MAPPING}
    with world.server.read() as session:
        superadmins = set(session.scalars(select(User.id).where(User.is_superadmin)))
        events = session.scalars(
            select(HistoryEvent)
            .where(HistoryEvent.kind.in_([*STATUS_KINDS, EventKind.OWNER_CHANGED]))
            .order_by(HistoryEvent.ticket_id, HistoryEvent.version))
        owner: dict[uuid.UUID, str] = {}
        for event in events:
            if event.kind == EventKind.OWNER_CHANGED:
                owner[event.ticket_id] = event.new_value
                continue
            label = f"{event.kind} {event.old_value or '-'}->{event.new_value} on ticket " \
                    f"{event.ticket_id} (version {event.version})"
            if not event.old_value:  # the starting status, recorded at creation
                assert (AT_CREATION, int(event.new_value)) in allowed, f"{label}: not allowed"
                continue
            assert (int(event.old_value), int(event.new_value)) in allowed, \
                f"{label}: the mapping does not allow it"
            by_owner = owner.get(event.ticket_id) == str(event.actor_id)
            assert by_owner or event.actor_id in superadmins, \
                f"{label}: made by {event.actor_id}, owner of record {owner.get(event.ticket_id)}"


def check_always(world: World) -> None:
    """What holds after every step, whatever faults happened."""
    status_history_is_lawful(world)
    for desktop in world.desktops:
        outbox_agrees_with_server(world, desktop, quiescent=False)


def check_quiescent(world: World) -> None:
    """Everything, once every desktop has synced without faults and nothing is pending."""
    status_history_is_lawful(world)
    for desktop in world.desktops:
        outbox_agrees_with_server(world, desktop, quiescent=True)
        replica_equals_server(world, desktop)
        holds_only_visible(world, desktop)
