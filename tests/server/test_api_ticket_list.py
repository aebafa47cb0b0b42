"""GET /tickets: who sees what, the filters, and keyset paging while tickets change."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import aliased

from desktopdesk.domain.commands import AddWorkunit, CreateTicket, UpdateTicketFields
from desktopdesk.models import Group, Priority, Status, Ticket, User
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import (
    API,
    FakeClock,
    login,
    run_as,
    ticket_id,
    visible_numbers,
    walk_pages,
)

DEMO_USERS = ("admin", "ramon", "tomas", "luis", "acme.ana", "acme.bob", "indie.carla")


@dataclass(frozen=True)
class Facts:
    """What a test needs to know of a ticket, read straight from the store."""

    number: int
    status: Status
    priority: Priority
    group: str
    owner: str
    creator: str
    title: str
    description_html: str
    updated_at: dt.datetime
    id: uuid.UUID


def all_tickets(store: Workspace) -> list[Facts]:
    owner, creator = aliased(User), aliased(User)
    with store.read() as session:
        rows = session.execute(
            select(Ticket, Group.name, owner.username, creator.username)
            .join(Group, Group.id == Ticket.group_id)
            .join(owner, owner.id == Ticket.owner_id)
            .join(creator, creator.id == Ticket.creator_id))
        return [Facts(t.number or 0, t.status, t.priority, group, owner_name, creator_name,
                      t.title, t.description_html, t.updated_at, t.id)
                for t, group, owner_name, creator_name in rows]


def numbers(items: list[dict[str, Any]]) -> list[int]:
    return [item["number"] for item in items]


@pytest.mark.parametrize("username", DEMO_USERS)
def test_each_person_lists_exactly_the_tickets_the_acl_lets_them_see(
    client: TestClient, server_store: Workspace, username: str
) -> None:
    headers = login(client, username)
    visible = visible_numbers(server_store, username)
    open_ones = {t.number for t in all_tickets(server_store) if t.status.is_open}

    assert set(numbers(walk_pages(client, headers, status="all", limit=500))) == visible
    assert set(numbers(walk_pages(client, headers, limit=7))) == visible & open_ones


def test_an_independent_customer_lists_only_her_own_tickets(
    client: TestClient, server_store: Workspace
) -> None:
    items = walk_pages(client, login(client, "indie.carla"), status="all")
    assert items
    assert {item["creator"] for item in items} == {"indie.carla"}
    mine = {t.number for t in all_tickets(server_store) if t.creator == "indie.carla"}
    assert set(numbers(items)) == mine


FILTERS: list[tuple[dict[str, Any], Callable[[Facts], bool]]] = [
    ({"status": "7"}, lambda t: t.status is Status.CLOSED),
    ({"status": ["5", "6"]},
     lambda t: t.status in (Status.PENDING_TO_BE_CLOSED, Status.PENDING_THIRD_PERSON)),
    ({"status": "closed", "priority": "3"},
     lambda t: t.status is Status.CLOSED and t.priority is Priority.SERIOUS),
    ({"status": "all", "priority": ["10", "0"]},
     lambda t: t.priority in (Priority.MAINTENANCE, Priority.INFORMATIVE)),
    ({"status": "all", "group": "acme"}, lambda t: t.group == "Acme"),
    ({"owner": "Tomas"}, lambda t: t.status.is_open and t.owner == "tomas"),
    ({"status": "all", "creator": "acme.bob"}, lambda t: t.creator == "acme.bob"),
    ({"status": "all", "text": "VPN"},
     lambda t: "vpn" in t.title.lower() or "vpn" in t.description_html.lower()),
    # LIKE wildcards in the text are literal: "9_%" matches nothing, "92 %" one ticket.
    ({"status": "all", "text": "9_%"}, lambda t: "9_%" in t.title + t.description_html),
    ({"status": "all", "text": "92 %"}, lambda t: "92 %" in t.title + t.description_html),
    ({"status": "all", "updated_since": "2026-03-01T00:00:00Z"},
     lambda t: t.updated_at >= dt.datetime(2026, 3, 1, tzinfo=dt.UTC)),
    ({"status": "all", "owner": "nobody-here"}, lambda t: False),
    ({"group": "No such group"}, lambda t: False),
]


@pytest.mark.parametrize(("params", "wanted"), FILTERS, ids=[str(p) for p, _ in FILTERS])
def test_filters_select_the_matching_tickets(
    client: TestClient, server_store: Workspace, params: dict[str, Any],
    wanted: Callable[[Facts], bool]
) -> None:
    """Ramón (MANAGE on both trees) sees every ticket, so the filter alone decides."""
    expected = {t.number for t in all_tickets(server_store) if wanted(t)}
    got = numbers(walk_pages(client, login(client, "ramon"), limit=500, **params))
    assert sorted(got) == sorted(expected)
    assert len(got) == len(set(got))


def test_a_group_is_found_by_id_as_by_name(client: TestClient, server_store: Workspace) -> None:
    headers = login(client, "ramon")
    with server_store.read() as session:
        acme = session.scalar(select(Group.id).where(Group.name == "Acme"))
    by_id = numbers(walk_pages(client, headers, status="all", group=str(acme)))
    assert by_id
    assert by_id == numbers(walk_pages(client, headers, status="all", group="Acme"))


def test_items_carry_codes_labels_people_and_utc_times(client: TestClient) -> None:
    items = walk_pages(client, login(client, "tomas"), status="all")
    item = next(i for i in items if i["number"] == 20)
    assert set(item) == {"number", "id", "title", "status", "priority", "group", "owner",
                         "creator", "created_at", "updated_at", "closed_at"}
    assert item["status"] == {"code": 6, "label": "Pending on a third person"}
    assert item["priority"] == {"code": 3, "label": "Serious"}
    assert item["group"]["name"] == "Acme"
    assert (item["owner"], item["creator"]) == ("tomas", "acme.bob")
    assert item["updated_at"] == "2026-03-01T04:16:59Z"
    assert item["closed_at"] is None
    closed = next(i for i in items if i["status"]["code"] == 7)
    assert closed["closed_at"].endswith("Z")


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_pages_follow_the_last_change_without_gaps_or_repeats(
    client: TestClient, order: str
) -> None:
    headers = login(client, "ramon")
    whole = client.get(f"{API}/tickets", headers=headers,
                       params={"status": "all", "limit": 500, "order": order}).json()
    assert whole["next_cursor"] is None
    paged = walk_pages(client, headers, status="all", limit=5, order=order)
    assert paged == whole["items"]
    keys = [(item["updated_at"], item["id"]) for item in paged]
    assert keys == sorted(keys, reverse=order == "desc")


def test_paging_misses_nothing_while_tickets_change_between_pages(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    """Oldest change first: a ticket changed before it was reached is still reached (in
    its new state); one changed after it was passed comes again; the rest come once."""
    headers = login(client, "ramon")
    first = client.get(f"{API}/tickets", headers=headers,
                       params={"status": "all", "limit": 4}).json()
    seen_numbers = numbers(first["items"])
    not_yet = next(t for t in all_tickets(server_store) if t.number not in seen_numbers)
    passed = first["items"][0]["number"]

    run_as(server_store, "tomas", AddWorkunit(ticket_id=not_yet.id, text_html="<p>news</p>"),
           clock)
    run_as(server_store, "ramon", UpdateTicketFields(
        ticket_id=ticket_id(server_store, passed), changes={"priority": 0}), clock)
    created = run_as(server_store, "ramon", CreateTicket(
        title="Filed while someone was paging", group_id=_group_id(server_store, "Support")),
        clock).created_id

    rest = walk_pages(client, headers, status="all", limit=4, cursor=first["next_cursor"])
    items = first["items"] + rest
    counts = Counter(item["id"] for item in items)
    everything = {str(t.id) for t in all_tickets(server_store)}
    assert set(counts) == everything  # no omission, the new ticket included
    assert counts[str(created)] == 1
    assert counts[str(not_yet.id)] == 1
    assert counts[str(ticket_id(server_store, passed))] == 2  # again, in its new state
    assert [n for n, c in counts.items() if c > 1] == [str(ticket_id(server_store, passed))]
    latest = [item for item in rest if item["number"] == passed][-1]
    assert latest["priority"]["code"] == 0
    changed = next(item for item in rest if item["id"] == str(not_yet.id))
    assert changed["updated_at"] > first["items"][-1]["updated_at"]


def test_newest_first_pages_do_not_repeat_when_tickets_are_filed_meanwhile(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    headers = login(client, "ramon")
    first = client.get(f"{API}/tickets", headers=headers,
                       params={"status": "all", "limit": 6, "order": "desc"}).json()
    for index in range(3):
        run_as(server_store, "ramon", CreateTicket(
            title=f"New while paging {index}", group_id=_group_id(server_store, "Support")),
            clock)
    rest = walk_pages(client, headers, status="all", limit=6, order="desc",
                      cursor=first["next_cursor"])
    got = numbers(first["items"] + rest)
    assert len(got) == len(set(got)) == 48  # the demo's tickets, each once


def _group_id(store: Workspace, name: str) -> uuid.UUID:
    with store.read() as session:
        found = session.scalar(select(Group.id).where(Group.name == name))
    assert found is not None
    return found


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "9"}, "status"),
    ({"status": "pending"}, "status"),
    ({"priority": "5"}, "priority.0"),  # the first value given
    ({"limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"cursor": "eyJ2IjoxfQ"}, "cursor"),  # base64 of {"v":1}: well-formed, incomplete
    ({"updated_since": "2026-03-01T00:00:00"}, "updated_since"),  # no zone
    ({"order": "sideways"}, "order"),
])
def test_bad_list_parameters_are_422_naming_the_parameter(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get(f"{API}/tickets", headers=login(client, "tomas"), params=params)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation"
    assert response.json()["field"] == field


def test_a_cursor_only_continues_a_list_in_its_own_order(client: TestClient) -> None:
    headers = login(client, "ramon")
    cursor = client.get(f"{API}/tickets", headers=headers,
                        params={"limit": 2}).json()["next_cursor"]
    response = client.get(f"{API}/tickets", headers=headers,
                          params={"limit": 2, "order": "desc", "cursor": cursor})
    assert (response.status_code, response.json()["field"]) == (422, "cursor")


def test_the_list_needs_a_live_token(client: TestClient) -> None:
    response = client.get(f"{API}/tickets")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
