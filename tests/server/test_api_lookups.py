"""Read-only lookups (people, groups, types, codes) and the OpenAPI document."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from desktopdesk.models import Priority, Resolution, Status
from desktopdesk.server.api import API_PREFIX
from desktopdesk.server.app import ROUTERS
from desktopdesk.store.demo_org import PEOPLE
from tests.server.conftest import API, login


def test_people_are_listed_by_username_without_their_addresses(client: TestClient) -> None:
    users = client.get(f"{API}/users", headers=login(client, "tomas")).json()
    assert [u["username"] for u in users] == sorted(["admin", *(p.username for p in PEOPLE)])
    ana = next(u for u in users if u["username"] == "acme.ana")
    assert ana == {"username": "acme.ana", "full_name": "Ana Martínez", "company": "Acme",
                   "enabled": True}
    assert "example.com" not in str(users)


def test_an_independent_customer_sees_only_herself(client: TestClient) -> None:
    users = client.get(f"{API}/users", headers=login(client, "indie.carla")).json()
    assert users == [{"username": "indie.carla", "full_name": "Carla Núñez", "company": None,
                      "enabled": True}]


@pytest.mark.parametrize(("username", "groups"), [
    ("admin", ["Acme", "Independent customers", "Support", "Support/Hardware",
               "Support/Software"]),
    ("tomas", ["Acme", "Independent customers", "Support", "Support/Hardware",
               "Support/Software"]),
    ("acme.ana", ["Acme"]),
    ("indie.carla", ["Independent customers"]),
])
def test_groups_are_those_where_the_caller_holds_access(
    client: TestClient, username: str, groups: list[str]
) -> None:
    listed = client.get(f"{API}/groups", headers=login(client, username)).json()
    assert [g["name"] for g in listed] == groups


def test_a_group_says_what_the_caller_may_do_in_it(client: TestClient) -> None:
    listed = client.get(f"{API}/groups", headers=login(client, "indie.carla")).json()
    assert listed[0]["access"] == {"view": False, "edit": True, "manage": False,
                                   "escalate": False, "qa": False}
    assert listed[0]["default_owner"] == "javi"
    tomas = {g["name"]: g for g in client.get(f"{API}/groups",
                                              headers=login(client, "tomas")).json()}
    assert tomas["Support/Hardware"]["parent"] == tomas["Support"]["id"]
    assert tomas["Support/Hardware"]["access"]["edit"] is True  # inherited from Support
    assert tomas["Support"]["access"]["manage"] is False


def test_types_come_with_their_fields_options_and_linked_values(client: TestClient) -> None:
    types = {t["name"]: t for t in client.get(f"{API}/types",
                                              headers=login(client, "acme.ana")).json()}
    assert list(types) == ["Hardware incident", "Software request"]
    hardware = types["Hardware incident"]
    assert hardware["groups"] == []  # offered everywhere
    fields = {f["label"]: f for f in hardware["fields"]}
    assert next(iter(fields)) == "Customer reference"  # global fields first
    assert fields["Customer reference"]["is_global"] is True
    assert fields["Hardware type"]["kind"] == "linked"
    assert fields["Hardware type"]["required"] is True
    assert "Laptop" in fields["Hardware type"]["options"]
    brand = fields["Brand"]
    assert brand["parent_field"] == fields["Hardware type"]["id"]
    assert {"parent": "Laptop", "value": "Lenovo"} in brand["linked_values"]
    assert fields["Affected users"]["numeric_min"] == 1
    assert fields["Affected users"]["numeric_max"] == 500
    assert fields["Impact"]["options"][0] == ""  # the manual's leading empty option
    assert len(types["Software request"]["groups"]) == 3


def test_codes_come_with_their_labels(client: TestClient) -> None:
    headers = login(client, "acme.bob")
    statuses = client.get(f"{API}/statuses", headers=headers).json()
    assert [s["code"] for s in statuses] == [int(s) for s in Status]
    closed = statuses[-1]
    assert closed == {"code": 7, "label": "Closed", "open": False, "at_creation": False,
                      "next": [4]}
    assert statuses[0]["at_creation"] is True
    resolutions = client.get(f"{API}/resolutions", headers=headers).json()
    assert resolutions[0] == {"code": 1, "label": "Fixed"}
    assert len(resolutions) == len(Resolution) - 1
    priorities = client.get(f"{API}/priorities", headers=headers).json()
    assert priorities[-1] == {"code": 10, "label": "Maintenance"}
    assert len(priorities) == len(Priority)


def _operations() -> list[tuple[str, str, APIRoute]]:
    return [(method.lower(), API_PREFIX + route.path, route)
            for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)
            for method in route.methods]


REQUIRED = {
    ("get", "/tickets"), ("post", "/tickets"), ("get", "/tickets/{number}"),
    ("patch", "/tickets/{number}"), ("post", "/tickets/{number}/status"),
    ("post", "/tickets/{number}/owner"), ("get", "/tickets/{number}/workunits"),
    ("post", "/tickets/{number}/workunits"), ("get", "/tickets/{number}/attachments"),
    ("post", "/tickets/{number}/attachments"),
    ("get", "/tickets/{number}/attachments/{attachment_id}"), ("get", "/users"),
    ("get", "/groups"), ("get", "/types"), ("get", "/statuses"), ("get", "/resolutions"),
    ("get", "/priorities"),
}


def test_the_openapi_document_lists_every_route_with_its_answers(client: TestClient) -> None:
    document: dict[str, Any] = client.get(f"{API}/openapi.json").json()
    documented = {(method, path) for path, item in document["paths"].items()
                  for method in item}
    operations = _operations()
    assert {(method, path) for method, path, _ in operations} == documented
    assert {(m, API_PREFIX + p) for m, p in REQUIRED} <= documented
    for method, path, _ in operations:
        operation = document["paths"][path][method]
        answers = operation["responses"]
        if path != f"{API}/auth/token":
            assert "401" in answers, (method, path)
        if "{number}" in path:
            assert "404" in answers, (method, path)
        for code, answer in answers.items():
            if code.startswith(("4", "5")):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, code)
        success = next(answers[c] for c in ("200", "201", "204") if c in answers)
        if "content" in success and "application/json" in success["content"]:
            assert success["content"]["application/json"]["schema"], (method, path)
    upload = document["paths"][f"{API}/tickets/{{number}}/attachments"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["file"] == {"type": "string", "format": "binary",
                                          "description": form["properties"]["file"][
                                              "description"]}
    patch_fields = document["components"]["schemas"]["TicketPatch"]["properties"]
    assert patch_fields["title"]["type"] == "string"  # may be left out, never null


def test_every_route_is_a_plain_function(client: TestClient) -> None:
    """Routes run in the thread pool: a blocking database call never stalls the loop."""
    for _, path, route in _operations():
        assert not inspect.iscoroutinefunction(route.endpoint), path
