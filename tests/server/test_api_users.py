"""A super-admin sets someone's password over the API: ``POST /users/{id}/password``."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from desktopdesk.store.workspace import Workspace
from tests.server.conftest import API, login, user_id

NEW_PASSWORD = "a fresh start 42"


def password_url(store: Workspace, username: str) -> str:
    return f"{API}/users/{user_id(store, username)}/password"


def test_a_super_admin_resets_a_password_and_signs_the_person_out(
    client: TestClient, server_store: Workspace, caplog: pytest.LogCaptureFixture,
) -> None:
    admin = login(client, "admin")
    laptop = login(client, "tomas")
    phone = login(client, "tomas")
    with caplog.at_level(logging.DEBUG):
        response = client.post(password_url(server_store, "tomas"),
                               json={"password": NEW_PASSWORD}, headers=admin)

    assert response.status_code == 204, response.text
    for headers in (laptop, phone):
        assert client.get(f"{API}/me", headers=headers).status_code == 401
    old = client.post(f"{API}/auth/token", json={"username": "tomas", "password": "demo"})
    assert old.status_code == 401
    assert client.get(f"{API}/me", headers=login(client, "tomas", NEW_PASSWORD)) \
        .json()["username"] == "tomas"
    assert client.get(f"{API}/me", headers=admin).status_code == 200  # only Tomás's went
    assert NEW_PASSWORD not in caplog.text
    assert "password set for user 'tomas'" in caplog.text


def test_someone_who_is_not_a_super_admin_is_refused(
    client: TestClient, server_store: Workspace,
) -> None:
    ramon = login(client, "ramon")
    response = client.post(password_url(server_store, "tomas"),
                           json={"password": NEW_PASSWORD}, headers=ramon)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "super-admin" in response.json()["message"]
    login(client, "tomas")  # the old password still works


def test_without_a_token_the_call_is_unauthorised(
    client: TestClient, server_store: Workspace,
) -> None:
    response = client.post(password_url(server_store, "tomas"), json={"password": NEW_PASSWORD})
    assert response.status_code == 401


@pytest.mark.parametrize("password", ["short", "", "       "])
def test_a_weak_password_is_refused_naming_the_field(
    client: TestClient, server_store: Workspace, password: str,
) -> None:
    admin = login(client, "admin")
    tomas = login(client, "tomas")
    response = client.post(password_url(server_store, "tomas"), json={"password": password},
                           headers=admin)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "password"
    assert body["code"] == "validation"
    assert set(body) == {"code", "message", "field"}
    assert client.get(f"{API}/me", headers=tomas).status_code == 200  # nothing changed


def test_an_unknown_user_is_not_found(client: TestClient) -> None:
    response = client.post(f"{API}/users/00000000-0000-4000-8000-000000000000/password",
                           json={"password": NEW_PASSWORD}, headers=login(client, "admin"))
    assert response.status_code == 404
    assert response.json()["field"] == "user_id"


def test_the_route_is_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    operation = paths[f"{API}/users/{{user_id}}/password"]["post"]
    assert "super-admin" in operation["summary"].lower()
    assert {"204", "403", "422"} <= set(operation["responses"])
