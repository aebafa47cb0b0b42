"""Status and owner over REST: the owner's workflow, escalation, and the 409 conflicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from desktopdesk.domain.commands import SetStatusMapping
from desktopdesk.models import CommandLogEntry
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import API, FakeClock, login, run_as


def status(client: TestClient, headers: dict[str, str], number: int,
           **body: Any) -> Any:
    return client.post(f"{API}/tickets/{number}/status", headers=headers, json=body)


def last_command(store: Workspace) -> str:
    with store.read() as session:
        return session.scalars(select(CommandLogEntry.name)
                               .order_by(CommandLogEntry.seq.desc())).first() or ""


def test_the_owner_moves_closes_and_reopens_a_ticket(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    tomas = login(client, "tomas")  # owns #48 (New)
    assigned = status(client, tomas, 48, status=3)
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["ticket"]["status"] == {"code": 3, "label": "Assigned"}
    assert last_command(server_store) == "ChangeStatus"

    clock.advance(dt.timedelta(hours=2))
    closed = status(client, tomas, 48, status=7, resolution=1,
                    epilogue_html="<p>Replaced the keyboard.<script>x()</script></p>")
    assert closed.status_code == 200, closed.text
    ticket = closed.json()["ticket"]
    assert last_command(server_store) == "CloseTicket"
    assert ticket["status"]["code"] == 7
    assert ticket["resolution"] == {"code": 1, "label": "Fixed"}
    assert ticket["epilogue_html"] == "<p>Replaced the keyboard.</p>"
    assert (ticket["closed_by"], ticket["closed_at"]) == ("tomas", "2026-03-02T11:00:00Z")

    reopened = status(client, tomas, 48, status=4)
    assert reopened.status_code == 200, reopened.text
    assert last_command(server_store) == "ReopenTicket"
    ticket = reopened.json()["ticket"]
    assert ticket["status"]["code"] == 4
    assert (ticket["resolution"]["code"], ticket["closed_at"], ticket["closed_by"]) == (
        0, None, None)


def test_a_non_owner_closing_gets_409_naming_the_owner(
    client: TestClient, server_store: Workspace
) -> None:
    """Ramón manages the group and sees #48, but Tomás owns it: only he closes it."""
    response = status(client, login(client, "ramon"), 48, status=7, resolution=1)
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["field"]) == ("not_owner", "status")
    assert "Tomás Ortega" in body["message"]
    assert client.get(f"{API}/tickets/48", headers=login(client, "tomas")).json()[
        "status"]["code"] == 1


@pytest.mark.parametrize(("username", "number", "body", "http", "code", "field"), [
    ("tomas", 48, {"status": 7}, 422, "validation", "resolution"),
    ("tomas", 48, {"status": 3, "resolution": 1}, 422, "validation", "resolution"),
    ("tomas", 48, {"status": 9}, 422, "validation", "status"),
    ("tomas", 48, {"status": 3, "colour": "red"}, 422, "validation", "colour"),
    ("tomas", 18, {"status": 3}, 409, "invalid_transition", "status"),  # closed: reopen only
    ("javi", 2, {"status": 4}, 409, "locked", None),
    ("acme.ana", 40, {"status": 7, "resolution": 1}, 409, "not_owner", "status"),
    ("indie.carla", 20, {"status": 3}, 404, "not_found", "number"),
])
def test_refused_status_changes_have_stable_codes(
    client: TestClient, username: str, number: int, body: dict[str, Any], http: int,
    code: str, field: str | None
) -> None:
    response = status(client, login(client, username), number, **body)
    assert response.status_code == http, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_the_status_mapping_is_enforced(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    run_as(server_store, "admin", SetStatusMapping(transitions=((0, 1), (1, 3), (3, 7),
                                                                (7, 4), (4, 3))), clock)
    tomas = login(client, "tomas")
    refused = status(client, tomas, 48, status=6)
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")
    assert "New -> Pending on a third person" in refused.json()["message"]
    assert status(client, tomas, 48, status=3).status_code == 200
    listed = client.get(f"{API}/statuses", headers=tomas).json()
    assert next(s for s in listed if s["code"] == 3)["next"] == [7]


def test_escalation_hands_the_ticket_and_its_workflow_to_the_new_owner(
    client: TestClient, server_store: Workspace
) -> None:
    tomas, ramon = login(client, "tomas"), login(client, "ramon")
    escalated = client.post(f"{API}/tickets/48/owner", headers=tomas, json={"owner": "Ramon"})
    assert escalated.status_code == 200, escalated.text
    assert escalated.json()["ticket"]["owner"] == "ramon"
    assert last_command(server_store) == "AssignOwner"

    refused = status(client, tomas, 48, status=7, resolution=1)
    assert (refused.status_code, refused.json()["code"]) == (409, "not_owner")
    assert "Ramón Ruiz" in refused.json()["message"]
    assert status(client, ramon, 48, status=7, resolution=1).status_code == 200

    back = client.post(f"{API}/tickets/44/owner", headers=ramon, json={"owner": "luis"})
    assert back.json()["ticket"]["owner"] == "luis"  # a manager reassigns what he owns


@pytest.mark.parametrize(("username", "number", "owner", "http", "code", "field"), [
    ("tomas", 31, "javi", 403, "forbidden", "owner"),  # luis owns it; tomas no manager
    ("tomas", 31, "nobody", 403, "forbidden", "owner"),  # same answer: nothing leaks
    ("ramon", 44, "nobody", 422, "validation", "owner"),
    ("ramon", 44, "indie.carla", 422, "validation", "owner"),  # cannot own: independent
    ("javi", 2, "tomas", 409, "locked", None),
    ("indie.carla", 44, "javi", 404, "not_found", "number"),
])
def test_refused_reassignments_have_stable_codes(
    client: TestClient, username: str, number: int, owner: str, http: int, code: str,
    field: str | None
) -> None:
    response = client.post(f"{API}/tickets/{number}/owner", headers=login(client, username),
                           json={"owner": owner})
    assert response.status_code == http, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_assigning_the_current_owner_changes_nothing(client: TestClient) -> None:
    before = client.get(f"{API}/tickets/44", headers=login(client, "ramon")).json()
    same = client.post(f"{API}/tickets/44/owner", headers=login(client, "ramon"),
                       json={"owner": "ramon"})
    assert same.status_code == 200
    assert same.json()["ticket"] == before
