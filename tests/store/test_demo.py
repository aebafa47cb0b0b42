"""The demo workspace: repeatable, complete, and true to the manual's practical case."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import can_view, load_permissions, visible_tickets_clause
from desktopdesk.domain.fields import linked_choices, parse_linked_values
from desktopdesk.domain.history import EventKind
from desktopdesk.models import (
    Attachment,
    CommandLogEntry,
    CustomField,
    CustomFieldValue,
    Group,
    HistoryEvent,
    InventoryObject,
    Priority,
    Resolution,
    Status,
    Ticket,
    TicketInventoryLink,
    TicketType,
    TicketTypeGroup,
    User,
    UserKind,
    Workunit,
)
from desktopdesk.store.bootstrap import WorkspaceNotEmptyError
from desktopdesk.store.demo import (
    DEMO_DIR,
    DEMO_USERNAMES,
    open_demo_workspace,
    seed_demo,
    user_id_by_username,
)
from desktopdesk.store.workspace import Workspace

TODAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MANUAL_BRANDS = ("Laptop|HP,Laptop|Lenovo,Laptop|Mac,PC|HP,PC|Dell,Keyboard|ES,Keyboard|UK,"
                 "Keyboard|Mac,Mouse|Mac,Mouse|Logi,Mouse|HP,Mouse|Microsoft,Other|trackball")


def seeded(path: Path, seed: int = 2026) -> Workspace:
    ws = Workspace.open(path)
    seed_demo(ws, seed=seed, today=TODAY)
    return ws


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = seeded(tmp_path_factory.mktemp("demo") / "ws")
    yield ws
    ws.close()


@pytest.fixture
def session(demo: Workspace) -> Iterator[Session]:
    with demo.read() as s:
        yield s


def usernames(session: Session) -> dict[uuid.UUID, str]:
    return {user_id: name for user_id, name in session.execute(select(User.id, User.username))}


def canonical_dump(ws: Workspace) -> dict[str, Any]:
    """Everything a person could notice in the demo, with row ids replaced by names."""
    with ws.read() as s:
        names = usernames(s)
        groups = {gid: name for gid, name in s.execute(select(Group.id, Group.name))}
        numbers = {tid: number for tid, number in s.execute(select(Ticket.id, Ticket.number))}
        labels = {fid: label for fid, label in s.execute(select(CustomField.id, CustomField.label))}
        tickets = []
        for t in s.scalars(select(Ticket).order_by(Ticket.number)):
            tickets.append({
                "ticket": (t.number, t.title, t.description_html, t.status, t.priority,
                           t.resolution, groups[t.group_id], names[t.creator_id],
                           names[t.owner_id], names[t.editor_id], t.locked,
                           numbers.get(t.parent_id) if t.parent_id else None, t.created_at,
                           t.updated_at, t.closed_at, t.epilogue_html, t.emails_in_copy),
                "values": sorted((labels[v.field_id], v.value) for v in s.scalars(
                    select(CustomFieldValue).where(CustomFieldValue.ticket_id == t.id))),
                "workunits": [(names[w.author_id], w.hours, w.is_private, w.is_internal,
                               w.has_cost, w.text_html, w.created_at, w.completed_at)
                              for w in s.scalars(select(Workunit).where(
                                  Workunit.ticket_id == t.id).order_by(Workunit.created_at))],
                # Ids derive from (random) command ids: break time ties by content.
                "history": sorted((e.at, e.kind, e.field, names[e.actor_id]) for e in s.scalars(
                    select(HistoryEvent).where(HistoryEvent.ticket_id == t.id))),
                "files": sorted((a.file_name, a.sha256, a.size, names[a.uploader_id])
                                for a in s.scalars(select(Attachment).where(
                                    Attachment.ticket_id == t.id))),
            })
        log = [(entry.seq, entry.name, names[entry.actor_id], entry.applied_at)
               for entry in s.scalars(select(CommandLogEntry).order_by(CommandLogEntry.seq))]
        users = sorted((u.username, u.full_name, u.email, u.kind, u.is_superadmin)
                       for u in s.scalars(select(User)))
    return {"users": users, "tickets": tickets, "log": log}


# --- Repeatable ---------------------------------------------------------------------------


def test_same_seed_and_day_give_the_same_demo(demo: Workspace, tmp_path: Path) -> None:
    with seeded(tmp_path / "again") as again:
        assert canonical_dump(again) == canonical_dump(demo)


def test_another_seed_tells_another_story(demo: Workspace, tmp_path: Path) -> None:
    with seeded(tmp_path / "other", seed=7) as other:
        mine, theirs = canonical_dump(demo), canonical_dump(other)
    assert mine["users"] == theirs["users"]
    assert mine["tickets"] != theirs["tickets"]


def test_seeding_refuses_a_workspace_with_users(demo: Workspace) -> None:
    with demo.read() as s:
        before = s.scalar(select(func.count()).select_from(Ticket))
    with pytest.raises(WorkspaceNotEmptyError, match="empty workspace"):
        seed_demo(demo, today=TODAY)
    with demo.read() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == before


def test_today_must_carry_a_time_zone(workspace: Workspace) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        seed_demo(workspace, today=dt.datetime(2026, 3, 2, 9, 0))


def test_open_demo_workspace_seeds_once(tmp_path: Path) -> None:
    with open_demo_workspace(tmp_path) as first:
        assert first.data_dir == tmp_path / DEMO_DIR
        with first.read() as s:
            tickets = set(s.scalars(select(Ticket.id)))
            commands = s.scalar(select(func.count()).select_from(CommandLogEntry))
    with open_demo_workspace(tmp_path) as second, second.read() as s:
        assert set(s.scalars(select(Ticket.id))) == tickets
        assert s.scalar(select(func.count()).select_from(CommandLogEntry)) == commands
    assert len(tickets) >= 40
    assert [p.name for p in tmp_path.iterdir()] == [DEMO_DIR]  # no half-built leftovers


# --- People -------------------------------------------------------------------------------


def test_every_demo_user_exists_with_the_right_kind(session: Session) -> None:
    users = {u.username: u for u in session.scalars(select(User))}
    assert set(DEMO_USERNAMES) == set(users)
    assert [name for name, u in users.items() if u.is_superadmin] == ["admin"]
    assert [name for name, u in users.items() if u.kind == UserKind.INDEPENDENT] == [
        "indie.carla"]
    assert users["indie.carla"].company is None
    for name in ("ramon", "tomas", "javi", "luis"):
        assert users[name].company is not None
        assert users[name].company.name == "Northwind Support"
    for name in ("acme.ana", "acme.bob"):
        assert users[name].company is not None
        assert users[name].company.name == "Acme"
    assert users["ramon"].full_name == "Ramón Ruiz"
    assert all(u.email.endswith("@example.com") for n, u in users.items() if n != "admin")


def test_user_id_by_username(demo: Workspace, session: Session) -> None:
    ana = session.scalar(select(User.id).where(User.username == "acme.ana"))
    assert user_id_by_username(demo, "acme.ana") == ana
    with pytest.raises(LookupError, match=r"known users: .*acme\.ana.*ramon"):
        user_id_by_username(demo, "nobody")


def test_pool_customers_see_each_others_tickets(session: Session) -> None:
    ids = {name: uid for uid, name in usernames(session).items()}
    acme = session.scalar(select(Group.id).where(Group.name == "Acme"))
    perms = load_permissions(session, ids["acme.ana"])
    visible = set(session.scalars(select(Ticket.id).where(visible_tickets_clause(perms))))
    by_bob = set(session.scalars(select(Ticket.id).where(Ticket.creator_id == ids["acme.bob"])))
    in_acme = set(session.scalars(select(Ticket.id).where(Ticket.group_id == acme)))
    assert by_bob
    assert by_bob <= visible
    assert visible == in_acme  # and nothing of the support team's own queues


def test_independent_customer_sees_only_her_own(session: Session) -> None:
    ids = {name: uid for uid, name in usernames(session).items()}
    carla = ids["indie.carla"]
    perms = load_permissions(session, carla)
    visible = set(session.scalars(select(Ticket.id).where(visible_tickets_clause(perms))))
    hers = set(session.scalars(select(Ticket.id).where(Ticket.creator_id == carla)))
    assert len(hers) >= 3
    assert visible == hers
    group = session.scalar(select(Group).where(Group.name == "Independent customers"))
    assert group is not None
    assert group.default_owner_id is not None
    neighbours = session.scalars(select(Ticket).where(
        Ticket.group_id == group.id, Ticket.creator_id != carla)).all()
    assert neighbours  # someone else's ticket in her own queue...
    assert not any(can_view(perms, t) for t in neighbours)  # ...that she cannot see


# --- Configuration ------------------------------------------------------------------------


def field_by_label(session: Session, label: str) -> CustomField:
    found = session.scalar(select(CustomField).where(CustomField.label == label))
    assert found is not None, label
    return found


def test_hardware_type_brand_model_chain_cascades(session: Session) -> None:
    hardware_type = field_by_label(session, "Hardware type")
    brand = field_by_label(session, "Brand")
    model = field_by_label(session, "Model")
    assert brand.parent_field_id == hardware_type.id
    assert model.parent_field_id == brand.id
    assert [tuple(pair) for pair in brand.linked_values] == parse_linked_values(MANUAL_BRANDS)
    assert "Laptop" in linked_choices(hardware_type, None)
    assert linked_choices(brand, "Laptop") == ["HP", "Lenovo", "Mac"]
    assert linked_choices(brand, "Mouse") == ["Mac", "Logi", "HP", "Microsoft"]
    assert linked_choices(brand, "Other") == ["trackball"]
    assert linked_choices(brand, "") == []
    assert "ThinkPad T14" in linked_choices(model, "Lenovo")
    assert linked_choices(model, "Keyboard") == []
    # Every stored value respects the chain it belongs to.
    checked = 0
    for ticket_id in session.scalars(select(CustomFieldValue.ticket_id).where(
            CustomFieldValue.field_id == brand.id)):
        values = {v.field_id: v.value for v in session.scalars(
            select(CustomFieldValue).where(CustomFieldValue.ticket_id == ticket_id))}
        assert values[brand.id] in linked_choices(brand, values[hardware_type.id])
        if model.id in values:
            assert values[model.id] in linked_choices(model, values[brand.id])
        checked += 1
    assert checked >= 8


def test_types_and_fields_follow_the_manual(session: Session) -> None:
    impact = field_by_label(session, "Impact")
    assert impact.kind == "combo"
    assert impact.options[0] == ""
    kinds = {f.kind for f in session.scalars(select(CustomField))}
    assert {"text", "linked", "combo", "numeric", "date", "checkbox"} <= kinds
    reference = field_by_label(session, "Customer reference")
    assert reference.is_global
    assert reference.show_in_list
    assert session.scalar(select(func.count()).select_from(CustomFieldValue).where(
        CustomFieldValue.field_id == reference.id))
    software = session.scalar(select(TicketType).where(TicketType.name == "Software request"))
    assert software is not None
    offered = set(session.scalars(select(Group.name).join(
        TicketTypeGroup, TicketTypeGroup.group_id == Group.id).where(
        TicketTypeGroup.ticket_type_id == software.id)))
    assert offered
    assert "Independent customers" not in offered
    acme = session.scalar(select(Group).where(Group.name == "Acme"))
    assert acme is not None
    assert usernames(session)[acme.default_owner_id] == "ramon"
    assert acme.sla_id is not None
    assert session.scalar(select(func.count()).select_from(Group).where(
        Group.limit_mode == "notify", Group.open_ticket_limit > 0))


# --- Tickets ------------------------------------------------------------------------------


def test_every_status_and_priority_is_shown(session: Session) -> None:
    tickets = session.scalars(select(Ticket)).all()
    assert 40 <= len(tickets) <= 60
    statuses = Counter(t.status for t in tickets)
    assert set(statuses) == set(Status)
    assert statuses[Status.NEW] >= 3
    assert statuses[Status.UNCONFIRMED] >= 2
    assert {t.priority for t in tickets} == set(Priority)
    assert sorted(t.number for t in tickets) == list(range(1, len(tickets) + 1))


def test_closed_tickets_carry_resolutions_and_one_is_locked(session: Session) -> None:
    closed = session.scalars(select(Ticket).where(Ticket.status == Status.CLOSED)).all()
    assert all(t.resolution is not Resolution.NONE and t.closed_at for t in closed)
    assert all(t.epilogue_html for t in closed)
    assert len({t.resolution for t in closed}) >= 3
    assert [t.locked for t in closed].count(True) == 1
    reopened_then_closed = session.scalars(select(HistoryEvent.ticket_id).where(
        HistoryEvent.kind == EventKind.REOPENED,
        HistoryEvent.ticket_id.in_([t.id for t in closed]))).all()
    assert reopened_then_closed


def test_only_owners_move_statuses(session: Session) -> None:
    """Replays each ticket's history: every status change was made by its owner then."""
    ids = {name: uid for uid, name in usernames(session).items()}
    moves = 0
    for ticket_id in session.scalars(select(Ticket.id)):
        owner = None
        for event in session.scalars(select(HistoryEvent).where(
                HistoryEvent.ticket_id == ticket_id).order_by(HistoryEvent.at, HistoryEvent.id)):
            if event.kind == EventKind.OWNER_CHANGED:
                owner = uuid.UUID(event.new_value)
            elif event.field == "status" and event.old_value:
                assert event.actor_id == owner
                moves += 1
    assert moves > 60
    escalations = session.scalar(select(func.count()).select_from(HistoryEvent).where(
        HistoryEvent.kind == EventKind.OWNER_CHANGED, HistoryEvent.old_value != ""))
    assert escalations >= 15
    # New Acme tickets go to Ramón first, and he escalates most of them.
    acme_by_customers = session.scalars(select(Ticket).join(Group, Group.id == Ticket.group_id)
                                        .where(Group.name == "Acme", Ticket.editor_id.in_(
                                            [ids["acme.ana"], ids["acme.bob"]]))).all()
    first_owners = {session.scalars(select(HistoryEvent.new_value).where(
        HistoryEvent.ticket_id == t.id, HistoryEvent.kind == EventKind.OWNER_CHANGED)
        .order_by(HistoryEvent.at, HistoryEvent.id)).first() for t in acme_by_customers}
    assert first_owners == {str(ids["ramon"])}
    assert sum(t.owner_id != ids["ramon"] for t in acme_by_customers) > len(acme_by_customers) / 2


def test_workunits_show_every_kind_of_note(session: Session) -> None:
    workunits = session.scalars(select(Workunit)).all()
    assert len(workunits) >= 100
    assert any(w.is_private for w in workunits)
    assert any(w.is_internal for w in workunits)
    costed = [w for w in workunits if w.has_cost]
    assert costed
    assert all(w.profile_id is not None for w in costed)
    assert all(0.25 <= w.hours <= 3 for w in workunits)
    ids = {name: uid for uid, name in usernames(session).items()}
    authors = {w.author_id for w in workunits}
    writers = ("ramon", "tomas", "javi", "luis", "acme.ana", "indie.carla")
    assert {ids[name] for name in writers} <= authors
    assert any(w.completed_at is not None and w.completed_at < w.created_at for w in workunits)


def test_tickets_link_assets_parents_and_people_in_copy(session: Session) -> None:
    assert session.scalar(select(func.count()).select_from(TicketInventoryLink)) >= 5
    assert session.scalar(select(func.count()).select_from(InventoryObject)) >= 5
    tickets = session.scalars(select(Ticket)).all()
    assert sum(t.parent_id is not None for t in tickets) >= 3
    assert sum(bool(t.emails_in_copy) for t in tickets) >= 3
    assert any(t.editor_id != t.creator_id for t in tickets)  # typed in during a phone call
    assert any("ñ" in t.title or "«" in t.title for t in tickets)


def test_attachments_are_real_files_in_the_blob_store(demo: Workspace, session: Session) -> None:
    attachments = session.scalars(select(Attachment)).all()
    assert len(attachments) >= 5
    assert {a.mime_type for a in attachments} >= {"image/png", "text/plain", "text/csv"}
    for attachment in attachments:
        assert demo.blobs.size_of(attachment.sha256) == attachment.size
        assert demo.blobs.verify(attachment.sha256)
    png = next(a for a in attachments if a.mime_type == "image/png")
    assert demo.blobs.read_bytes(png.sha256).startswith(b"\x89PNG\r\n\x1a\n")
    assert any(a.workunit_id is not None for a in attachments)


def test_history_spans_weeks_and_ends_before_today(session: Session) -> None:
    first = session.scalar(select(func.min(HistoryEvent.at)))
    last = session.scalar(select(func.max(HistoryEvent.at)))
    assert first is not None
    assert last is not None
    assert last - first > dt.timedelta(days=14)
    assert last < TODAY
    assert session.scalar(select(func.max(CommandLogEntry.applied_at))) < TODAY
    newest = session.scalars(select(Ticket).where(Ticket.status == Status.NEW)).all()
    assert all(TODAY - t.created_at < dt.timedelta(days=7) for t in newest)
