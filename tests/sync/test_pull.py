"""Pull pages: what changed for one desktop, only what its user may see (sync.md, Pull)."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.commands import AddWorkunit, DeleteTicket, UpdateTicketFields
from desktopdesk.models import Ticket, Workunit
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync import pull as pull_module
from desktopdesk.sync.pull import Cursor, pull_page
from desktopdesk.sync.push import process_push
from desktopdesk.sync.rows import upsert
from tests.conftest import Org
from tests.domain.support import new_ticket


def register(org: Org, user: uuid.UUID) -> uuid.UUID:
    client_id = uuid.uuid4()
    process_push(org.ws, user, client_id, [], lambda: org.now)
    return client_id


def pull_all(org: Org, user: uuid.UUID, client: uuid.UUID,
             cookie: str = "") -> tuple[list[list[dict[str, Any]]], str]:
    """Every page of one pull, and the cookie the last page hands back."""
    pages: list[list[dict[str, Any]]] = []
    token = None
    while True:
        with org.ws.sessions.begin() as session:
            page = pull_page(session, user, client, cookie=cookie, token=token)
        pages.append(page.operations)
        if page.next_token is None:
            assert page.cookie is not None
            return pages, page.cookie
        assert page.cookie is None  # the cookie comes only with the last page
        token = page.next_token


def flat(pages: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [op for page in pages for op in page]


def ids(ops: list[dict[str, Any]], entity: str, op: str = "put") -> set[uuid.UUID]:
    return {uuid.UUID(o["row"]["id"] if op == "put" else o["id"])
            for o in ops if o["entity"] == entity and o["op"] == op}


def visible_ticket_ids(org: Org, user: uuid.UUID) -> set[uuid.UUID]:
    with org.ws.read() as session:
        perms = acl.load_permissions(session, user)
        return set(session.scalars(select(Ticket.id).where(acl.visible_tickets_clause(perms))))


@pytest.fixture
def busy(org: Org) -> dict[str, uuid.UUID]:
    """Tickets in several groups, with public, internal and private workunits."""
    acme = new_ticket(org, org.ana, title="Acme laptop")
    support = new_ticket(org, org.javi, org.support, title="Support only")
    carla = new_ticket(org, org.carla, org.independents, title="Carla's")
    internal = org.do(AddWorkunit(ticket_id=acme, text_html="<p>internal</p>",
                                  is_internal=True), org.ramon).created_id
    private = org.do(AddWorkunit(ticket_id=acme, text_html="<p>private</p>",
                                 is_private=True), org.tomas).created_id
    public = org.do(AddWorkunit(ticket_id=acme, text_html="<p>public</p>"), org.ramon).created_id
    assert internal
    assert private
    assert public
    return {"acme": acme, "support": support, "carla": carla, "internal": internal,
            "private": private, "public": public}


def test_the_first_pull_holds_exactly_what_the_user_may_see(
        org: Org, busy: dict[str, uuid.UUID]) -> None:
    client = register(org, org.ana)
    ops = flat(pull_all(org, org.ana, client)[0])

    assert ids(ops, "tickets") == visible_ticket_ids(org, org.ana)
    assert busy["support"] not in ids(ops, "tickets")
    workunits = ids(ops, "workunits")
    assert busy["public"] in workunits
    assert busy["internal"] not in workunits  # never shown to the ticket's creator
    assert busy["private"] not in workunits  # Ana does not manage Acme
    assert {"users", "groups", "profiles", "memberships"} <= {o["entity"] for o in ops}


def test_a_manager_gets_private_workunits_too(org: Org, busy: dict[str, uuid.UUID]) -> None:
    client = register(org, org.ramon)
    workunits = ids(flat(pull_all(org, org.ramon, client)[0]), "workunits")
    assert {busy["internal"], busy["private"], busy["public"]} <= workunits


def test_small_pages_carry_the_same_rows_and_never_split_a_ticket(
        org: Org, busy: dict[str, uuid.UUID], monkeypatch: pytest.MonkeyPatch) -> None:
    whole = flat(pull_all(org, org.ramon, register(org, org.ramon))[0])
    monkeypatch.setattr(pull_module, "PAGE_ROWS", 4)

    pages, _ = pull_all(org, org.ramon, register(org, org.ramon))

    assert len(pages) > 3
    assert sorted(map(repr, flat(pages))) == sorted(map(repr, whole))
    for page in pages:
        tickets_here = ids(page, "tickets")
        for op in page:
            if op["entity"] == "workunits":
                assert uuid.UUID(op["row"]["ticket_id"]) in tickets_here


def test_the_next_pull_carries_only_what_changed(org: Org, busy: dict[str, uuid.UUID]) -> None:
    client = register(org, org.ana)
    _, cookie = pull_all(org, org.ana, client)

    org.do(UpdateTicketFields(ticket_id=busy["acme"], changes={"title": "Acme laptop (2)"}),
           org.ramon)
    note = org.do(AddWorkunit(ticket_id=busy["acme"], text_html="<p>ordered</p>"),
                  org.ramon).created_id
    ops = flat(pull_all(org, org.ana, client, cookie)[0])

    assert ids(ops, "tickets") == {busy["acme"]}
    assert ids(ops, "workunits") == {note}
    assert {o["entity"] for o in ops} <= {"tickets", "workunits", "history_events"}
    again = flat(pull_all(org, org.ana, client, pull_all(org, org.ana, client, cookie)[1])[0])
    assert again == []


def test_tickets_moving_out_of_and_into_view(org: Org, busy: dict[str, uuid.UUID]) -> None:
    bob = register(org, org.bob)
    _, cookie = pull_all(org, org.bob, bob)
    org.do(UpdateTicketFields(ticket_id=busy["acme"], changes={"group_id": str(org.support)}),
           org.ramon)

    ops = flat(pull_all(org, org.bob, bob, cookie)[0])
    assert ids(ops, "tickets", op="delete") == {busy["acme"]}  # Bob no longer sees it

    _, cookie = pull_all(org, org.bob, bob, cookie)
    org.do(UpdateTicketFields(ticket_id=busy["acme"], changes={"group_id": str(org.acme_group)}),
           org.ramon)
    ops = flat(pull_all(org, org.bob, bob, cookie)[0])
    assert busy["acme"] in ids(ops, "tickets")
    assert busy["public"] in ids(ops, "workunits")  # old children come with a move-in


def test_deletions_arrive_as_tombstones(org: Org, busy: dict[str, uuid.UUID]) -> None:
    client = register(org, org.ramon)
    _, cookie = pull_all(org, org.ramon, client)
    org.do(DeleteTicket(ticket_id=busy["acme"]), org.ramon)

    ops = flat(pull_all(org, org.ramon, client, cookie)[0])

    assert busy["acme"] in ids(ops, "tickets", op="delete")
    assert busy["public"] in ids(ops, "workunits", op="delete")


def test_a_pull_rebuilds_the_users_view_in_an_empty_store(
        org: Org, busy: dict[str, uuid.UUID], tmp_path: Path) -> None:
    pages, _ = pull_all(org, org.ana, register(org, org.ana))
    with Workspace.open(tmp_path / "desktop") as desktop:
        for _ in range(2):  # re-applying every page changes nothing the second time
            written = 0
            with desktop.sessions.begin() as session:
                for op in flat(pages):
                    written += upsert(session, op["entity"], op["row"])
            assert written == (len(flat(pages)) if _ == 0 else 0)
        with desktop.read() as session:
            assert set(session.scalars(select(Ticket.id))) == visible_ticket_ids(org, org.ana)
            assert busy["internal"] not in set(session.scalars(select(Workunit.id)))


def test_a_parent_the_user_may_not_see_stays_unknown(org: Org, busy: dict[str, uuid.UUID]) -> None:
    from desktopdesk.domain.commands import SetParent

    org.do(SetParent(ticket_id=busy["acme"], parent_id=busy["support"]), org.ramon)
    ops = flat(pull_all(org, org.ana, register(org, org.ana))[0])

    (acme,) = [o["row"] for o in ops if o["entity"] == "tickets"
               and o["row"]["id"] == str(busy["acme"])]
    assert acme["parent_id"] is None  # Ana may not see the Support ticket
    with_parent = flat(pull_all(org, org.ramon, register(org, org.ramon))[0])
    (seen,) = [o["row"] for o in with_parent if o["entity"] == "tickets"
               and o["row"]["id"] == str(busy["acme"])]
    assert seen["parent_id"] == str(busy["support"])


def test_a_visible_parent_arrives_before_its_child_across_pages(
        org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktopdesk.domain.commands import SetParent

    child = new_ticket(org, org.ana, title="Older child")
    parent = new_ticket(org, org.ana, title="Newer parent")  # a larger id: sent later
    org.do(SetParent(ticket_id=child, parent_id=parent), org.ramon)
    monkeypatch.setattr(pull_module, "PAGE_ROWS", 2)

    order = [uuid.UUID(o["row"]["id"]) for o in flat(pull_all(org, org.ana,
             register(org, org.ana))[0]) if o["entity"] == "tickets"]

    assert order.index(parent) < order.index(child)


def test_page_tokens_round_trip_and_bad_ones_are_refused() -> None:
    cursor = Cursor(since=3, upto=9, phase="move_in", entity=0, after=str(uuid.uuid4()),
                    rows_per_ticket=22)
    assert Cursor.decode(cursor.encode()) == cursor
    # A token from before the rows-per-ticket hint (a server upgraded mid-pull) still works.
    older = base64.urlsafe_b64encode(json.dumps([3, 9, "changes", 1, ""]).encode()).decode()
    assert Cursor.decode(older) == Cursor(3, 9, "changes", 1, "", 0)
    for bad in ([3, 9, "nowhere", 0, ""], [3, 9, "changes", 0, "", "x"],
                [3, 9, "changes", 0, "", 1, 2], "garbage"):
        token = base64.urlsafe_b64encode(json.dumps(bad).encode()).decode()
        with pytest.raises(ValueError, match="not a pull page token"):
            Cursor.decode(token)
