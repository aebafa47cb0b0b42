"""Signing in and out over HTTP: tokens, expiry, logout, throttling, disabled accounts."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select, update

from desktopdesk.models import ApiToken, User
from desktopdesk.server.auth import Auth
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import API, DEMO_TODAY, FakeClock, login, user_id

ERROR_KEYS = {"code", "message", "field"}


def token_request(client: TestClient, username: str, password: str) -> Response:
    return client.post(f"{API}/auth/token", json={"username": username, "password": password})


def test_a_token_from_a_form_signs_requests_in(client: TestClient) -> None:
    response = client.post(f"{API}/auth/token", data={"username": "Ramon", "password": "demo",
                                                      "grant_type": "password"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert dt.datetime.fromisoformat(body["expires_at"]) == DEMO_TODAY + dt.timedelta(hours=12)
    assert response.headers["cache-control"] == "no-store"

    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {"id": me.json()["id"], "username": "ramon", "full_name": "Ramón Ruiz",
                         "email": "ramon.ruiz@example.com", "is_superadmin": False}


def test_a_json_sign_in_works_too_and_keeps_the_client_label(
    client: TestClient, server_store: Workspace
) -> None:
    response = client.post(f"{API}/auth/token", json={"username": "admin", "password": "demo",
                                                      "client": "desktop on laptop-12"})
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert client.get(f"{API}/me", headers=headers).json()["is_superadmin"] is True
    with server_store.read() as session:
        labels = session.scalars(select(ApiToken.client_label)).all()
    assert labels == ["desktop on laptop-12"]


def test_a_token_expires_after_its_lifetime(client: TestClient, clock: FakeClock) -> None:
    headers = login(client, "tomas")
    clock.advance(dt.timedelta(hours=12) - dt.timedelta(seconds=1))
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    clock.advance(dt.timedelta(seconds=1))
    expired = client.get(f"{API}/me", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["code"] == "unauthorized"
    assert expired.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_logout_revokes_only_the_calling_token(client: TestClient) -> None:
    laptop = login(client, "tomas")
    phone = login(client, "tomas")
    assert client.post(f"{API}/auth/logout", headers=laptop).status_code == 204
    assert client.get(f"{API}/me", headers=laptop).status_code == 401
    assert client.post(f"{API}/auth/logout", headers=laptop).status_code == 401
    assert client.get(f"{API}/me", headers=phone).status_code == 200


def test_a_revoked_token_is_refused(client: TestClient, auth: Auth) -> None:
    headers = login(client, "javi")
    token = headers["Authorization"].removeprefix("Bearer ")
    assert auth.revoke(token) is True
    assert auth.revoke(token) is False  # already revoked
    assert client.get(f"{API}/me", headers=headers).status_code == 401


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Basic YWRtaW46ZGVtbw=="},
    {"Authorization": "Bearer ddt_made-up"},
    {"Authorization": "Bearer "},
])
def test_requests_without_a_live_token_get_401_and_a_challenge(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get(f"{API}/me", headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == ERROR_KEYS
    assert response.json()["code"] == "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_wrong_password_is_401_in_the_error_shape(client: TestClient) -> None:
    response = client.post(f"{API}/auth/token", json={"username": "ramon", "password": "nope"})
    assert response.status_code == 401
    assert response.json() == {"code": "invalid_credentials",
                               "message": "Wrong username or password.", "field": None}
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unknown_user_gets_the_same_answer_and_a_dummy_verify(
    client: TestClient, auth: Auth
) -> None:
    known = client.post(f"{API}/auth/token", json={"username": "ramon", "password": "nope"})
    with mock.patch.object(auth, "hasher", wraps=auth.hasher) as hasher:
        unknown = client.post(f"{API}/auth/token",
                              json={"username": "nobody", "password": "nope"})
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    hasher.verify.assert_called_once_with(auth.dummy_hash, "nope")


def test_a_disabled_user_cannot_sign_in_and_loses_live_tokens(
    client: TestClient, server_store: Workspace
) -> None:
    headers = login(client, "luis")
    with server_store.sessions.begin() as session:
        session.execute(update(User).where(User.username == "luis").values(enabled=False))
    assert client.get(f"{API}/me", headers=headers).status_code == 401
    refused = client.post(f"{API}/auth/token", json={"username": "luis", "password": "demo"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    wrong = client.post(f"{API}/auth/token", json={"username": "luis", "password": "nope"})
    assert wrong.status_code == 401  # a wrong password does not learn the account state


def test_repeated_failures_throttle_that_username_until_the_window_passes(
    client: TestClient, clock: FakeClock
) -> None:
    for attempt in range(5):
        clock.advance(dt.timedelta(seconds=10))
        assert token_request(client, "tomas", f"guess-{attempt}").status_code == 401
    first_failure = DEMO_TODAY + dt.timedelta(seconds=10)

    throttled = client.post(f"{API}/auth/token", json={"username": "tomas", "password": "demo"})
    assert throttled.status_code == 429  # even the right password: nothing is checked
    assert throttled.json()["code"] == "throttled"
    wait = int(throttled.headers["retry-after"])
    assert wait == (first_failure + dt.timedelta(minutes=15) - clock()).total_seconds()

    assert login(client, "javi")  # other usernames are not affected

    clock.advance(dt.timedelta(seconds=wait))
    assert login(client, "tomas")


def test_a_successful_sign_in_resets_the_failure_count(client: TestClient) -> None:
    for _ in range(4):
        assert token_request(client, "tomas", "nope").status_code == 401
    login(client, "tomas")
    for _ in range(4):
        assert token_request(client, "tomas", "nope").status_code == 401
    assert token_request(client, "tomas", "demo").status_code == 200


def test_failures_count_per_username_whatever_its_case(client: TestClient) -> None:
    for name in ("Ghost", "ghost", "GHOST ", "ghost", "gHost"):
        assert token_request(client, name, "nope").status_code == 401
    assert token_request(client, "ghost", "nope").status_code == 429


@pytest.mark.parametrize(("body", "field"), [
    ({"username": "ramon"}, "password"),
    ({"password": "demo"}, "username"),
    ({"username": "", "password": "demo"}, "username"),
    ({"username": "ramon", "password": "x" * 1025}, "password"),
])
def test_bad_sign_in_input_is_422_naming_the_field(
    client: TestClient, body: dict[str, str], field: str
) -> None:
    response = client.post(f"{API}/auth/token", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation"
    assert response.json()["field"] == field
    assert set(response.json()) == ERROR_KEYS


def test_malformed_json_and_other_media_types_are_refused(client: TestClient) -> None:
    broken = client.post(f"{API}/auth/token", content=b'{"username": ',
                         headers={"Content-Type": "application/json"})
    assert (broken.status_code, broken.json()["code"]) == (422, "validation")
    xml = client.post(f"{API}/auth/token", content=b"<login/>",
                      headers={"Content-Type": "application/xml"})
    assert (xml.status_code, xml.json()["code"]) == (415, "unsupported_media_type")
    huge = client.post(f"{API}/auth/token", content=b"a" * 20_000,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (huge.status_code, huge.json()["code"]) == (413, "too_large")


def test_last_use_is_recorded_without_writing_on_every_request(
    client: TestClient, clock: FakeClock, server_store: Workspace
) -> None:
    headers = login(client, "ramon")

    def last_used() -> dt.datetime | None:
        with server_store.read() as session:
            return session.scalar(select(ApiToken.last_used_at))

    client.get(f"{API}/me", headers=headers)
    assert last_used() == DEMO_TODAY
    clock.advance(dt.timedelta(seconds=30))
    client.get(f"{API}/me", headers=headers)
    assert last_used() == DEMO_TODAY
    clock.advance(dt.timedelta(seconds=30))
    client.get(f"{API}/me", headers=headers)
    assert last_used() == DEMO_TODAY + dt.timedelta(minutes=1)


def test_the_store_keeps_only_a_digest_of_each_token(
    client: TestClient, server_store: Workspace
) -> None:
    token = login(client, "ramon")["Authorization"].removeprefix("Bearer ")
    with server_store.read() as session:
        row = session.scalars(select(ApiToken)).one()
    assert token not in (row.token_sha256, row.client_label)
    assert len(row.token_sha256) == 64
    assert row.user_id == user_id(server_store, "ramon")
