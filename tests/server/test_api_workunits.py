"""Workunits over REST: each person gets exactly the notes the ACL allows, and adds them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from desktopdesk.domain.acl import can_see_workunit, load_permissions
from desktopdesk.domain.commands import AddWorkunit, ChangeSetting
from desktopdesk.models import Ticket, Workunit, WorkunitShare
from desktopdesk.server.api.changes import command_id_for
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import (
    API,
    FakeClock,
    login,
    run_as,
    ticket_id,
    user_id,
    visible_numbers,
)

PEOPLE = ("admin", "ramon", "tomas", "javi", "acme.ana", "acme.bob", "indie.carla")


def allowed_workunits(store: Workspace, username: str, number: int) -> set[str]:
    """``can_see_workunit`` (the Python rule) for every workunit of the ticket."""
    with store.read() as session:
        perms = load_permissions(session, user_id(store, username))
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        allowed = set()
        for workunit in session.scalars(select(Workunit).where(Workunit.ticket_id == ticket.id)):
            shared = frozenset(session.scalars(select(WorkunitShare.user_id).where(
                WorkunitShare.workunit_id == workunit.id)))
            if can_see_workunit(perms, ticket, workunit, shared):
                allowed.add(str(workunit.id))
        return allowed


@pytest.mark.parametrize("username", PEOPLE)
def test_each_person_gets_exactly_the_workunits_the_acl_allows(
    client: TestClient, server_store: Workspace, username: str
) -> None:
    headers = login(client, username)
    for number in sorted(visible_numbers(server_store, username)):
        response = client.get(f"{API}/tickets/{number}/workunits", headers=headers)
        assert response.status_code == 200
        thread = response.json()
        assert {w["id"] for w in thread} == allowed_workunits(server_store, username, number)
        stamps = [w["created_at"] for w in thread]
        assert stamps == sorted(stamps, reverse=True)  # newest first


@pytest.mark.parametrize("customer", ["acme.ana", "acme.bob", "indie.carla"])
def test_a_customer_never_sees_internal_notes_on_tickets_they_filed(
    client: TestClient, server_store: Workspace, clock: FakeClock, customer: str
) -> None:
    with server_store.read() as session:
        filed = session.scalars(select(Ticket.number).where(
            Ticket.creator_id == user_id(server_store, customer))).all()
    assert filed
    for number in filed:  # at least one internal and one private note on each
        for flag in ("is_internal", "is_private"):
            run_as(server_store, "ramon", AddWorkunit(
                ticket_id=ticket_id(server_store, number), text_html="<p>staff only</p>",
                **{flag: True}), clock)
    headers, ramon = login(client, customer), login(client, "ramon")
    for number in filed:
        thread = client.get(f"{API}/tickets/{number}/workunits", headers=headers).json()
        assert "staff only" not in str(thread)
        assert "staff only" in client.get(f"{API}/tickets/{number}/workunits",
                                          headers=ramon).text
        assert not [w for w in thread if w["internal"] and w["author"] != customer]
        assert not [w for w in thread if w["private"] and w["author"] != customer
                    and customer not in w["shared_with"]]


def test_a_workunit_added_over_the_api_is_listed_first_with_its_details(
    client: TestClient, server_store: Workspace
) -> None:
    headers = login(client, "tomas")
    response = client.post(f"{API}/tickets/20/workunits", headers=headers, json={
        "text_html": "<p>Called the ISP.<script>steal()</script></p>", "hours": 1.5,
        "cost": True, "profile": "Standard user", "completed_at": "2026-03-01T17:00:00Z"})
    assert response.status_code == 201, response.text
    added = response.json()
    assert added["text_html"] == "<p>Called the ISP.</p>"
    assert (added["author"], added["hours"], added["cost"]) == ("tomas", 1.5, True)
    assert added["profile"]["name"] == "Standard user"
    assert (added["private"], added["internal"], added["shared_with"]) == (False, False, [])
    assert added["completed_at"] == "2026-03-01T17:00:00Z"
    assert added["created_at"] == "2026-03-02T09:00:00Z"
    thread = client.get(f"{API}/tickets/20/workunits", headers=headers).json()
    assert thread[0] == added
    ticket = client.get(f"{API}/tickets/20", headers=headers).json()
    assert ticket["updated_at"] == added["created_at"]


def test_an_internal_note_reaches_the_team_but_not_the_customer_who_filed(
    client: TestClient
) -> None:
    note = client.post(f"{API}/tickets/20/workunits", headers=login(client, "tomas"), json={
        "text_html": "<p>Customer's router is the culprit.</p>", "internal": True}).json()
    assert note["hours"] == 0.25  # the default time, from the settings
    bob = client.get(f"{API}/tickets/20/workunits", headers=login(client, "acme.bob")).json()
    assert note["id"] not in {w["id"] for w in bob}
    javi = client.get(f"{API}/tickets/20/workunits", headers=login(client, "javi")).json()
    assert note["id"] in {w["id"] for w in javi}


def test_a_private_note_shared_with_a_colleague_reaches_only_them(client: TestClient) -> None:
    """Ana shares a private note with Bob (same company); Javi (no MANAGE) never sees it."""
    note = client.post(f"{API}/tickets/22/workunits", headers=login(client, "acme.ana"), json={
        "text_html": "<p>Bob, the password is on the sticky note.</p>", "private": True,
        "shared_with": ["acme.bob"]})
    assert note.status_code == 201, note.text
    assert note.json()["shared_with"] == ["acme.bob"]
    seen = {name: {w["id"] for w in client.get(f"{API}/tickets/22/workunits",
                                                headers=login(client, name)).json()}
            for name in ("acme.bob", "javi", "ramon")}
    assert note.json()["id"] in seen["acme.bob"]
    assert note.json()["id"] not in seen["javi"]
    assert note.json()["id"] in seen["ramon"]  # MANAGE on Acme


def test_a_retried_add_with_the_same_id_returns_the_first_workunit(
    client: TestClient, server_store: Workspace
) -> None:
    headers = login(client, "tomas")
    body = {"id": str(uuid.uuid4()), "text_html": "<p>Once only</p>"}
    first = client.post(f"{API}/tickets/20/workunits", headers=headers, json=body)
    again = client.post(f"{API}/tickets/20/workunits", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    with server_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Workunit).where(
            Workunit.id == uuid.UUID(body["id"]))) == 1


def test_work_on_a_closed_and_locked_ticket_is_still_recorded(client: TestClient) -> None:
    response = client.post(f"{API}/tickets/2/workunits", headers=login(client, "javi"),
                           json={"text_html": "<p>Customer called back: all good.</p>"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(("username", "body", "http", "code", "field"), [
    ("tomas", {"text_html": "<p> </p>"}, 422, "validation", "text_html"),
    ("tomas", {"text_html": "<script>only()</script>"}, 422, "validation", "text_html"),
    ("tomas", {"text_html": "<p>x</p>", "hours": -1}, 422, "validation", "hours"),
    ("tomas", {"text_html": "<p>x</p>", "shared_with": ["acme.bob"]}, 422, "validation",
     "shared_with"),
    ("tomas", {"text_html": "<p>x</p>", "shared_with": ["nobody"]}, 422, "validation",
     "shared_with"),
    ("tomas", {"text_html": "<p>x</p>", "profile": "Incident manager"}, 422, "validation",
     "profile"),
    ("tomas", {"text_html": "<p>x</p>", "profile": "No such profile"}, 422, "validation",
     "profile"),
    ("tomas", {"text_html": "<p>x</p>", "completed_at": "2026-03-09T00:00:00Z"}, 422,
     "validation", "completed_at"),
    ("tomas", {"text_html": "<p>x</p>", "completed_at": "2026-03-01T00:00:00"}, 422,
     "validation", "completed_at"),
    ("tomas", {"text_html": "<p>x</p>", "public": True}, 422, "validation", "public"),
    ("tomas", {}, 422, "validation", "text_html"),
    ("indie.carla", {"text_html": "<p>x</p>"}, 404, "not_found", "number"),
])
def test_refused_workunits_name_the_input_at_fault(
    client: TestClient, server_store: Workspace, username: str, body: dict[str, Any],
    http: int, code: str, field: str
) -> None:
    response = client.post(f"{API}/tickets/20/workunits", headers=login(client, username),
                           json=body)
    assert response.status_code == http, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    with server_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Workunit).where(
            Workunit.text_html == "<p>x</p>")) == 0


def test_a_customer_may_not_comment_when_the_setting_forbids_it(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    run_as(server_store, "admin", ChangeSetting(key="external_users_may_modify", value=False),
           clock)
    response = client.post(f"{API}/tickets/45/workunits", headers=login(client, "indie.carla"),
                           json={"text_html": "<p>Any news?</p>"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_someone_elses_workunit_id_is_not_a_retry(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    chosen = uuid.uuid4()
    run_as(server_store, "javi", AddWorkunit(
        command_id=command_id_for("AddWorkunit", chosen), workunit_id=chosen,
        ticket_id=ticket_id(server_store, 20), text_html="<p>Javi's</p>"), clock)
    response = client.post(f"{API}/tickets/20/workunits", headers=login(client, "tomas"),
                           json={"id": str(chosen), "text_html": "<p>Tomás's</p>"})
    assert (response.status_code, response.json()["code"]) == (409, "duplicate")
    assert "Javi" not in response.text
