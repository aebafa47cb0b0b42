"""Passwords at rest: argon2id only, rehashed when the cost changes, changed outside sync."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from desktopdesk.domain.errors import DomainError
from desktopdesk.models import CommandLogEntry, Credential
from desktopdesk.server.auth import Auth, InvalidCredentialsError
from desktopdesk.server.config import Argon2Params, AuthSettings
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import API, FAST_ARGON2, FakeClock, login, user_id

CANARY = "Plaintext-Canary-7731"


def stored_hash(store: Workspace, username: str) -> str:
    with store.read() as session:
        credential = session.get(Credential, user_id(store, username))
    assert credential is not None
    return credential.password_hash


def test_no_file_of_the_server_holds_a_password_in_plain_text(
    server_store: Workspace, auth: Auth, server_dir: Path
) -> None:
    auth.set_password(user_id(server_store, "ramon"), CANARY)
    auth.authenticate("ramon", CANARY)
    server_store.close()  # checkpoint the WAL into the main file, as a backup would see it

    assert stored_hash(server_store, "ramon").startswith("$argon2id$")
    for path in server_dir.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path


def test_a_password_is_rehashed_at_sign_in_when_the_cost_changes(
    server_store: Workspace, clock: FakeClock
) -> None:
    cheap = Auth(server_store.sessions, AuthSettings(argon2=FAST_ARGON2), clock)
    cheap.set_password(user_id(server_store, "tomas"), CANARY)
    before = stored_hash(server_store, "tomas")
    assert "t=1," in before

    stronger = dataclasses.replace(FAST_ARGON2, time_cost=2)
    raised = Auth(server_store.sessions, AuthSettings(argon2=stronger), clock)
    with pytest.raises(InvalidCredentialsError):
        raised.authenticate("tomas", "wrong password")
    assert stored_hash(server_store, "tomas") == before  # only a verified password rehashes

    raised.authenticate("tomas", CANARY)
    after = stored_hash(server_store, "tomas")
    assert "t=2," in after
    assert not raised.hasher.check_needs_rehash(after)
    raised.authenticate("tomas", CANARY)  # the new hash verifies
    assert stored_hash(server_store, "tomas") == after  # and is not rehashed again


def test_setting_a_password_signs_the_user_out_everywhere(
    client: TestClient, server_store: Workspace, auth: Auth
) -> None:
    headers = login(client, "javi")
    auth.set_password(user_id(server_store, "javi"), CANARY)
    assert client.get(f"{API}/me", headers=headers).status_code == 401
    assert client.post(f"{API}/auth/token",
                       json={"username": "javi", "password": "demo"}).status_code == 401
    assert login(client, "javi", CANARY)


def test_a_password_change_is_audited_but_not_a_replicated_command(
    server_store: Workspace, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    def commands() -> int:
        with server_store.read() as session:
            return session.scalar(select(func.count()).select_from(CommandLogEntry)) or 0

    before = commands()
    admin = user_id(server_store, "admin")
    with caplog.at_level(logging.INFO, logger="desktopdesk.server.audit"):
        auth.set_password(user_id(server_store, "luis"), CANARY, changed_by=admin)

    assert commands() == before
    audit = [r for r in caplog.records if r.name == "desktopdesk.server.audit"]
    assert len(audit) == 1
    assert "'luis'" in audit[0].getMessage()
    assert str(admin) in audit[0].getMessage()
    assert all(CANARY not in record.getMessage() for record in caplog.records)
    with server_store.read() as session:
        credential = session.get(Credential, user_id(server_store, "luis"))
    assert credential is not None
    assert credential.changed_by == admin


@pytest.mark.parametrize("password", ["", "   ", "x" * 1025])
def test_unusable_passwords_are_refused(
    server_store: Workspace, auth: Auth, password: str
) -> None:
    before = stored_hash(server_store, "ramon")
    with pytest.raises(DomainError) as refused:
        auth.set_password(user_id(server_store, "ramon"), password)
    assert (refused.value.code, refused.value.field) == ("validation", "password")
    assert stored_hash(server_store, "ramon") == before


def test_the_production_default_cost_is_rfc_9106s_low_memory_profile() -> None:
    assert Argon2Params() == Argon2Params(time_cost=3, memory_kib=65536, parallelism=4)
    assert not Argon2Params().weaker_than_default
    assert FAST_ARGON2.weaker_than_default
