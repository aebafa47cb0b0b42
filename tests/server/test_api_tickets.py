"""Tickets over REST: hidden is missing, create and read back, retries, field updates."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from desktopdesk.domain.commands import (
    AddMembership,
    ChangeSetting,
    CreateGroup,
    SetParent,
)
from desktopdesk.models import CustomField, InventoryObject, Profile, Ticket, Workunit
from desktopdesk.server.app import ROUTERS
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import API, FakeClock, login, run_as, ticket_id, user_id

MISSING_TICKET = {"code": "not_found", "message": "Ticket not found.", "field": "number"}
ACME_TICKET = 3  # filed by acme.ana: hidden from indie.carla
NO_TICKET = 9999

TICKET_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/tickets/{n}", {}),
    ("PATCH", "/tickets/{n}", {"json": {"title": "Mine now"}}),
    ("POST", "/tickets/{n}/status", {"json": {"status": 3}}),
    ("POST", "/tickets/{n}/owner", {"json": {"owner": "javi"}}),
    ("GET", "/tickets/{n}/workunits", {}),
    ("POST", "/tickets/{n}/workunits", {"json": {"text_html": "<p>hello</p>"}}),
    ("GET", "/tickets/{n}/attachments", {}),
    ("POST", "/tickets/{n}/attachments", {"files": {"file": ("a.txt", b"hello")}}),
    ("GET", "/tickets/{n}/attachments/0190a4b2-7c1e-7d3f-9a8b-5c6d7e8f9a0b", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), TICKET_ROUTES,
                         ids=[f"{m} {p}" for m, p, _ in TICKET_ROUTES])
def test_a_hidden_ticket_answers_exactly_like_a_missing_one(
    client: TestClient, server_store: Workspace, method: str, path: str,
    kwargs: dict[str, Any]
) -> None:
    headers = login(client, "indie.carla")
    before = _row_counts(server_store)
    hidden = client.request(method, API + path.format(n=ACME_TICKET), headers=headers, **kwargs)
    missing = client.request(method, API + path.format(n=NO_TICKET), headers=headers, **kwargs)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert hidden.json() == MISSING_TICKET
    assert _row_counts(server_store) == before


def _row_counts(store: Workspace) -> tuple[int, ...]:
    with store.read() as session:
        return tuple(session.scalar(select(func.count()).select_from(model)) or 0
                     for model in (Ticket, Workunit))


def test_every_route_but_sign_in_needs_a_token(client: TestClient) -> None:
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 19
    for route in routes:
        if route.path == "/auth/token":
            continue
        path = API + route.path.format(number=20, attachment_id=uuid.uuid4(),
                                       user_id=uuid.uuid4(), sha256="0" * 64)
        for method in route.methods:
            response = client.request(method, path)
            assert response.status_code == 401, (method, path)
            if method != "HEAD":  # an answer to HEAD has no body
                assert response.json()["code"] == "unauthorized"


def _hardware_fields(store: Workspace) -> dict[str, uuid.UUID]:
    with store.read() as session:
        return {field.label: field.id for field in session.scalars(select(CustomField))}


def test_a_created_ticket_reads_back_with_every_field(
    client: TestClient, server_store: Workspace
) -> None:
    headers = login(client, "ramon")
    fields = _hardware_fields(server_store)
    with server_store.read() as session:
        laptop = session.scalars(select(InventoryObject).where(
            InventoryObject.name.startswith("Lenovo ThinkPad T14"))).one()
        laptop_id, laptop_name = laptop.id, laptop.name
    body = {
        "title": "Docking station flickers",
        "group": "Support/Hardware",
        "description_html": "<p>The <b>dock</b> drops the external screen.</p>",
        "priority": 3,
        "type": "hardware incident",
        "custom_values": {"Hardware type": "Laptop", "brand": "Lenovo",
                          str(fields["Model"]): "ThinkPad T14", "Affected users": 2,
                          "Under warranty": True, "Customer reference": "PO-77"},
        "owner": "tomas",
        "parent": 29,
        "emails_in_copy": ["Boss@Example.com"],
        "inventory": [str(laptop_id)],
        "project_task": "DOCK-1",
    }
    response = client.post(f"{API}/tickets", headers=headers, json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["warnings"] == []
    ticket = created["ticket"]
    assert response.headers["location"] == f"{API}/tickets/{ticket['number']}"

    read = client.get(response.headers["location"], headers=headers)
    assert read.status_code == 200
    assert read.json() == ticket
    assert ticket["number"] == 49
    assert ticket["title"] == body["title"]
    assert ticket["description_html"] == body["description_html"]
    assert ticket["status"] == {"code": 1, "label": "New"}
    assert ticket["priority"] == {"code": 3, "label": "Serious"}
    assert ticket["resolution"] == {"code": 0, "label": "None"}
    assert ticket["group"]["name"] == ticket["creator_group"]["name"] == "Support/Hardware"
    assert ticket["type"]["name"] == "Hardware incident"
    assert ticket["custom_values"] == {"Customer reference": "PO-77", "Hardware type": "Laptop",
                                       "Brand": "Lenovo", "Model": "ThinkPad T14",
                                       "Affected users": "2", "Under warranty": "1"}
    assert (ticket["owner"], ticket["creator"], ticket["editor"]) == ("tomas", "ramon", "ramon")
    assert ticket["parent"] == 29
    assert ticket["emails_in_copy"] == ["Boss@example.com"]
    assert ticket["inventory"] == [{"id": str(laptop_id), "name": laptop_name,
                                    "serial": "PF-3KX9Z1"}]
    assert ticket["project_task"] == "DOCK-1"
    assert (ticket["locked"], ticket["sla_disabled"], ticket["closed_by"]) == (False, False,
                                                                               None)
    assert ticket["created_at"] == ticket["updated_at"] == "2026-03-02T09:00:00Z"
    parent = client.get(f"{API}/tickets/29", headers=headers).json()
    assert 49 in parent["children"]


def test_related_tickets_the_caller_may_not_see_are_left_out(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    """Carla's ticket under an Acme parent: she sees her ticket, not the parent's number."""
    run_as(server_store, "ramon", SetParent(ticket_id=ticket_id(server_store, 45),
                                           parent_id=ticket_id(server_store, ACME_TICKET)),
           clock)
    carla = client.get(f"{API}/tickets/45", headers=login(client, "indie.carla")).json()
    assert carla["parent"] is None
    ramon = client.get(f"{API}/tickets/45", headers=login(client, "ramon")).json()
    assert ramon["parent"] == ACME_TICKET
    acme = client.get(f"{API}/tickets/{ACME_TICKET}", headers=login(client, "acme.ana")).json()
    assert 45 not in acme["children"]


def test_a_retried_create_with_the_same_id_returns_the_first_ticket(
    client: TestClient, server_store: Workspace
) -> None:
    headers = login(client, "tomas")
    body = {"id": str(uuid.uuid4()), "title": "Printer jam", "group": "Support"}
    first = client.post(f"{API}/tickets", headers=headers, json=body)
    again = client.post(f"{API}/tickets", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ticket"] == first.json()["ticket"]
    assert first.json()["ticket"]["id"] == body["id"]
    assert again.headers["location"] == first.headers["location"]
    with server_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)
                              .where(Ticket.title == "Printer jam")) == 1

    someone_else = client.post(f"{API}/tickets", headers=login(client, "javi"), json=body)
    assert someone_else.status_code == 409
    assert (someone_else.json()["code"], someone_else.json()["field"]) == ("duplicate", "id")
    assert "Printer jam" not in someone_else.text


@pytest.mark.parametrize(("username", "body", "status", "code", "field"), [
    ("ramon", {"type": "Hardware incident", "custom_values": {"Hardware type": "Laptop",
                                                              "Impact": "Mildly annoyed"}},
     422, "validation", "custom_values.Impact"),
    ("ramon", {"type": "Hardware incident", "custom_values": {"Hardware type": "Laptop",
                                                              "Colour": "red"}},
     422, "validation", "custom_values.Colour"),
    ("ramon", {"type": "Hardware incident"}, 422, "validation", "custom_values.Hardware type"),
    ("ramon", {"type": "No such type"}, 422, "validation", "type"),
    ("ramon", {"group": "No such group"}, 422, "validation", "group"),
    ("ramon", {"title": "   "}, 422, "validation", "title"),
    ("ramon", {"priority": 7}, 422, "validation", "priority"),
    ("ramon", {"colour": "red"}, 422, "validation", "colour"),
    ("ramon", {"owner": "nobody"}, 422, "validation", "owner"),
    ("ramon", {"parent": NO_TICKET}, 422, "validation", "parent"),
    ("indie.carla", {"group": "Independent customers", "parent": ACME_TICKET},
     422, "validation", "parent"),
    ("acme.ana", {}, 403, "forbidden", "group"),
    ("tomas", {"owner": "javi"}, 403, "forbidden", "owner"),
    ("tomas", {"status": 3, "owner": "luis"}, 403, "forbidden", "owner"),
])
def test_refused_creates_name_the_input_at_fault(
    client: TestClient, server_store: Workspace, username: str, body: dict[str, Any],
    status: int, code: str, field: str
) -> None:
    request = {"title": "Something broke", "group": "Support", **body}
    before = _row_counts(server_store)
    response = client.post(f"{API}/tickets", headers=login(client, username), json=request)
    assert response.status_code == status, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert _row_counts(server_store) == before


def test_a_bad_custom_value_names_the_field_in_words(client: TestClient) -> None:
    response = client.post(f"{API}/tickets", headers=login(client, "ramon"), json={
        "title": "Mouse", "group": "Support", "type": "Hardware incident",
        "custom_values": {"Hardware type": "Mouse", "Brand": "Lenovo"}})
    assert response.status_code == 422
    assert response.json()["field"] == "custom_values.Brand"
    assert response.json()["message"] == "'Lenovo' is not a valid 'Brand' for 'Mouse'."


def test_a_full_queue_still_takes_the_ticket_but_says_so(client: TestClient) -> None:
    """Independent customers have a notify-only limit of 3 open tickets; Carla has 4."""
    response = client.post(f"{API}/tickets", headers=login(client, "indie.carla"), json={
        "title": "Scanner offline", "group": "Independent customers"})
    assert response.status_code == 201
    assert len(response.json()["warnings"]) == 1
    assert response.json()["ticket"]["owner"] == "javi"


def test_rich_text_is_sanitised_on_the_way_in(client: TestClient) -> None:
    headers = login(client, "tomas")
    dirty = ('<p onclick="steal()">Hi<script>alert(1)</script>'
             '<img src="x" onerror="steal()"><a href="javascript:steal()">link</a></p>')
    created = client.post(f"{API}/tickets", headers=headers, json={
        "title": "XSS", "group": "Support", "description_html": dirty}).json()["ticket"]
    patched = client.patch(f"{API}/tickets/{created['number']}", headers=headers,
                           json={"description_html": dirty + "<style>*{}</style>"})
    for html in (created["description_html"],
                 patched.json()["ticket"]["description_html"],
                 client.get(f"{API}/tickets/{created['number']}", headers=headers).text):
        lowered = html.lower()
        for dangerous in ("<script", "alert(1)", "onerror", "onclick", "javascript:", "<style"):
            assert dangerous not in lowered
    assert "Hi" in created["description_html"]


def test_patch_changes_only_the_fields_sent(client: TestClient) -> None:
    headers = login(client, "tomas")
    before = client.get(f"{API}/tickets/48", headers=headers).json()
    response = client.patch(f"{API}/tickets/48", headers=headers, json={
        "title": "Coffee on the keyboard", "priority": 4, "group": "Support",
        "custom_values": {"impact": "Cannot work", "Affected users": 1}})
    assert response.status_code == 200, response.text
    after = response.json()["ticket"]
    assert response.json()["warnings"] == []
    assert after["title"] == "Coffee on the keyboard"
    assert after["priority"]["code"] == 4
    assert after["group"]["name"] == "Support"
    assert after["custom_values"] == {**before["custom_values"], "Impact": "Cannot work",
                                      "Affected users": "1"}
    assert after["description_html"] == before["description_html"]
    assert after["updated_at"] == "2026-03-02T09:00:00Z"
    assert client.get(f"{API}/tickets/48", headers=headers).json() == after

    assert client.patch(f"{API}/tickets/48", headers=headers, json={}).json()["ticket"] == after


def test_patch_merges_with_what_others_changed_meanwhile(client: TestClient) -> None:
    tomas, ramon = login(client, "tomas"), login(client, "ramon")
    seen = client.get(f"{API}/tickets/48", headers=tomas).json()
    base = {"title": seen["title"], "description_html": seen["description_html"],
            "priority": seen["priority"]["code"]}
    client.patch(f"{API}/tickets/48", headers=ramon, json={
        "title": "Ramón's title", "description_html": "<p>Ramón's words</p>"})

    response = client.patch(f"{API}/tickets/48", headers=tomas, json={
        "title": "Tomás's title", "description_html": "<p>Tomás's words</p>", "priority": 1,
        "base": base})
    assert response.status_code == 200, response.text
    ticket, warnings = response.json()["ticket"], response.json()["warnings"]
    assert ticket["title"] == "Tomás's title"  # short field: the last one wins, with a warning
    assert ticket["description_html"] == "<p>Ramón's words</p>"  # long text: kept...
    assert ticket["priority"]["code"] == 1  # nobody else touched it: no warning
    assert any("title" in w for w in warnings)
    assert any("description" in w for w in warnings)
    thread = client.get(f"{API}/tickets/48/workunits", headers=tomas).json()
    assert "Tomás's words" in thread[0]["text_html"]  # ...and Tomás's text kept as a note


@pytest.mark.parametrize(("username", "number", "body", "status", "code", "field"), [
    ("tomas", 48, {"title": None}, 422, "validation", "title"),
    ("tomas", 48, {"base": None}, 422, "validation", "base"),
    ("tomas", 48, {"owner": "javi"}, 422, "validation", "owner"),
    ("tomas", 48, {"type": "Software request"}, 422, "validation", "type"),
    ("tomas", 48, {"group": "Nowhere"}, 422, "validation", "group"),
    ("tomas", 48, {"custom_values": {"Affected users": 9000}}, 422, "validation",
     "custom_values.Affected users"),
    ("tomas", 48, {"type": None, "custom_values": {"Impact": "Cannot work"}}, 422,
     "validation", "custom_values.Impact"),
    ("tomas", 48, {"base": {"custom_values": {"Flavour": "x"}}, "title": "x"}, 422,
     "validation", "base.custom_values.Flavour"),
    ("tomas", 48, {"creator": "nobody"}, 403, "forbidden", "creator"),
    ("ramon", 48, {"creator": "nobody"}, 422, "validation", "creator"),
    ("tomas", 20, {"sla_disabled": True}, 403, "forbidden", "sla_disabled"),
    ("acme.ana", 48, {"title": "x"}, 404, "not_found", "number"),
    ("javi", 2, {"title": "Still loud"}, 409, "locked", None),
])
def test_refused_patches_name_the_input_at_fault(
    client: TestClient, username: str, number: int, body: dict[str, Any], status: int,
    code: str, field: str | None
) -> None:
    headers = login(client, username)
    response = client.patch(f"{API}/tickets/{number}", headers=headers, json=body)
    assert response.status_code == status, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_when_independent_users_may_not_modify_their_tickets_are_read_only(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    run_as(server_store, "admin", ChangeSetting(key="external_users_may_modify", value=False),
           clock)
    headers = login(client, "indie.carla")
    response = client.patch(f"{API}/tickets/45", headers=headers, json={"title": "Edited"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert client.get(f"{API}/tickets/45", headers=headers).status_code == 200


def test_moving_a_ticket_out_of_your_own_sight_answers_with_no_ticket(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    """Tomás may file into "Vault" (escalate) without seeing it; Ramón works it there."""
    vault = run_as(server_store, "admin", CreateGroup(name="Vault"), clock).created_id
    assert vault is not None
    with server_store.read() as session:
        profiles = dict(session.execute(select(Profile.name, Profile.id)).all())
    for username, profile in (("ramon", "Incident manager"), ("tomas", "Escalate")):
        run_as(server_store, "admin", AddMembership(
            user_id=user_id(server_store, username), group_id=vault,
            profile_id=profiles[profile]), clock)
    response = client.patch(f"{API}/tickets/44", headers=login(client, "tomas"),
                            json={"group": "Vault"})
    assert response.status_code == 200, response.text
    assert response.json() == {"ticket": None, "warnings": []}
    assert client.get(f"{API}/tickets/44", headers=login(client, "tomas")).status_code == 404
    bob = client.get(f"{API}/tickets/44", headers=login(client, "acme.bob")).json()
    assert bob["group"]["name"] == "Vault"  # the creator keeps sight of his ticket
