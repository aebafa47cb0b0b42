"""The REST API over PostgreSQL: the same queries must hold on the larger backend.

Keyset paging compares UUIDs and timestamps, text search lowercases, the ACL clauses
build IN lists: each behaves a little differently per database, so the demo is seeded
into a throwaway PostgreSQL database and walked through the API once.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from desktopdesk.server.app import create_app
from desktopdesk.server.auth import Auth
from desktopdesk.server.config import AuthSettings, ServerConfig
from desktopdesk.server.provision import open_store, seed_demo_server
from tests.server.conftest import API, DEMO_TODAY, FAST_ARGON2, FakeClock, login, walk_pages


@pytest.fixture
def pg_client(pg_url: str, tmp_path: Path) -> Iterator[TestClient]:
    config = ServerConfig(data_dir=tmp_path / "server", db_url=pg_url,
                          auth=AuthSettings(argon2=FAST_ARGON2))
    with open_store(config) as workspace:
        seed_demo_server(workspace, Auth(workspace.sessions, config.auth), today=DEMO_TODAY)
    with TestClient(create_app(config, clock=FakeClock())) as client:
        yield client


def test_the_api_works_the_same_on_postgresql(pg_client: TestClient) -> None:
    client = pg_client
    ramon, carla = login(client, "ramon"), login(client, "indie.carla")

    whole = walk_pages(client, ramon, status="all", limit=500)
    assert len(whole) == 48
    for order in ("asc", "desc"):
        paged = walk_pages(client, ramon, status="all", limit=7, order=order)
        assert sorted(i["id"] for i in paged) == sorted(i["id"] for i in whole)
        keys = [(i["updated_at"], i["id"]) for i in paged]
        assert keys == sorted(keys, reverse=order == "desc")
    vpn = walk_pages(client, ramon, status="all", text="vpn", owner="TOMAS")
    assert vpn
    assert all(i["owner"] == "tomas" for i in vpn)
    assert {i["creator"] for i in walk_pages(client, carla, status="all")} == {"indie.carla"}
    assert client.get(f"{API}/tickets/3", headers=carla).json()["code"] == "not_found"

    body = {"id": str(uuid.uuid4()), "title": "Disk full", "group": "Support/Hardware",
            "owner": "ramon",
            "type": "Hardware incident", "custom_values": {"Hardware type": "PC",
                                                           "Brand": "Dell"}}
    first = client.post(f"{API}/tickets", headers=ramon, json=body)
    again = client.post(f"{API}/tickets", headers=ramon, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    number = first.json()["ticket"]["number"]
    assert number == 49
    patched = client.patch(f"{API}/tickets/{number}", headers=ramon,
                           json={"custom_values": {"Brand": "HP"}}).json()
    assert patched["ticket"]["custom_values"]["Brand"] == "HP"
    closed = client.post(f"{API}/tickets/{number}/status", headers=ramon,
                         json={"status": 7, "resolution": 1})
    assert closed.json()["ticket"]["status"]["code"] == 7

    bob = login(client, "acme.bob")
    assert not [w for w in client.get(f"{API}/tickets/20/workunits", headers=bob).json()
                if w["internal"]]
    data = b"%PDF-1.7 on postgres"
    uploaded = client.post(f"{API}/tickets/{number}/attachments", headers=ramon,
                           files={"file": ("../report.pdf", data, "application/pdf")})
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["file_name"] == "report.pdf"
    download = client.get(uploaded.json()["url"], headers=ramon)
    assert hashlib.sha256(download.content).hexdigest() == uploaded.json()["sha256"]
