"""Throttling sign-ins by client address, and believing X-Forwarded-For only from proxies.

The app here trusts one proxy, 10.0.0.1. Requests "from" a client pass through it with
an ``X-Forwarded-For`` header naming the client; requests straight from a client come
from its own address (TestClient's ``client=``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from desktopdesk.server import throttle
from desktopdesk.server.app import create_app
from desktopdesk.server.config import ConfigError, ServerConfig, load_config, write_config_file
from desktopdesk.server.throttle import address_key, client_address, throttle_key
from tests.server.conftest import API, FakeClock

PROXY = "10.0.0.1"
ADDRESS_LIMIT = 4
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def config(server_config: ServerConfig) -> ServerConfig:
    """A low address limit (the username limit stays 5), behind one trusted proxy."""
    return dataclasses.replace(
        server_config,
        auth=dataclasses.replace(server_config.auth, address_max_failures=ADDRESS_LIMIT),
        trusted_proxies=(ipaddress.ip_network(PROXY),),
    )


@pytest.fixture
def via_proxy(config: ServerConfig, clock: FakeClock) -> Iterator[TestClient]:
    """Requests arriving from the trusted proxy."""
    with TestClient(create_app(config, clock=clock), client=(PROXY, 40000)) as client:
        yield client


def sign_in(client: TestClient, username: str, password: str, *,
            forwarded_for: str | None = None) -> Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    return client.post(f"{API}/auth/token", headers=headers,
                       json={"username": username, "password": password})


def spray(client: TestClient, forwarded_for: str | None, count: int = ADDRESS_LIMIT) -> None:
    """``count`` failed sign-ins, each for another username: no username bucket fills."""
    for attempt in range(count):
        response = sign_in(client, f"nobody-{attempt}", "guess", forwarded_for=forwarded_for)
        assert response.status_code == 401, response.text


def test_one_address_spraying_usernames_is_throttled(
    via_proxy: TestClient, clock: FakeClock
) -> None:
    attacker = "198.51.100.7"
    clock.advance(MINUTE)
    first_failure = clock()
    spray(via_proxy, attacker)

    refused = sign_in(via_proxy, "tomas", "demo", forwarded_for=attacker)
    assert refused.status_code == 429  # even a right password: nothing is checked
    assert refused.json() == {
        "code": "throttled", "field": None,
        "message": f"Too many failed sign-ins; try again in {15 * 60} seconds."}
    assert refused.headers["retry-after"] == str(15 * 60)

    # Another address, and the usernames the attacker used, are not affected.
    assert sign_in(via_proxy, "tomas", "demo", forwarded_for="198.51.100.8").status_code == 200
    assert sign_in(via_proxy, "nobody-0", "x", forwarded_for="198.51.100.8").status_code == 401

    clock.now = first_failure + dt.timedelta(minutes=15)
    assert sign_in(via_proxy, "tomas", "demo", forwarded_for=attacker).status_code == 200


def test_a_successful_sign_in_does_not_reset_the_address_count(via_proxy: TestClient) -> None:
    attacker = "198.51.100.7"
    spray(via_proxy, attacker, ADDRESS_LIMIT - 1)
    # The attacker's own account signs in fine, and wipes only its own username's count.
    assert sign_in(via_proxy, "tomas", "demo", forwarded_for=attacker).status_code == 200
    assert sign_in(via_proxy, "ghost", "guess", forwarded_for=attacker).status_code == 401
    assert sign_in(via_proxy, "javi", "demo", forwarded_for=attacker).status_code == 429


def test_an_ipv6_client_is_counted_by_its_slash_64(via_proxy: TestClient) -> None:
    for host in range(ADDRESS_LIMIT):
        response = sign_in(via_proxy, f"nobody-{host}", "guess",
                           forwarded_for=f"2001:db8:1:2::{host + 1:x}")
        assert response.status_code == 401
    assert sign_in(via_proxy, "tomas", "demo",
                   forwarded_for="2001:db8:1:2:ffff::9").status_code == 429
    assert sign_in(via_proxy, "tomas", "demo",
                   forwarded_for="2001:db8:1:3::1").status_code == 200


def test_the_username_limit_still_applies_from_many_addresses(via_proxy: TestClient) -> None:
    for attempt in range(5):
        response = sign_in(via_proxy, "tomas", "guess", forwarded_for=f"192.0.2.{attempt + 1}")
        assert response.status_code == 401
    assert sign_in(via_proxy, "tomas", "demo", forwarded_for="192.0.2.99").status_code == 429


def test_a_typed_username_cannot_lock_an_address_out(via_proxy: TestClient) -> None:
    victim = "203.0.113.7"
    for _ in range(ADDRESS_LIMIT):
        sign_in(via_proxy, f"IP:{victim}", "guess", forwarded_for="198.51.100.7")
    assert sign_in(via_proxy, "tomas", "demo", forwarded_for=victim).status_code == 200


def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    config: ServerConfig, clock: FakeClock
) -> None:
    direct = "192.0.2.50"
    with TestClient(create_app(config, clock=clock), client=(direct, 40000)) as client:
        # Claiming a new address each time does not escape the count of the real peer.
        for attempt in range(ADDRESS_LIMIT):
            response = sign_in(client, f"nobody-{attempt}", "guess",
                               forwarded_for=f"198.51.100.{attempt + 1}")
            assert response.status_code == 401
        assert sign_in(client, "tomas", "demo",
                       forwarded_for="198.51.100.200").status_code == 429


def test_without_trusted_proxies_the_header_is_never_believed(
    server_config: ServerConfig, clock: FakeClock
) -> None:
    config = dataclasses.replace(server_config, auth=dataclasses.replace(
        server_config.auth, address_max_failures=ADDRESS_LIMIT))
    assert config.trusted_proxies == ()
    with TestClient(create_app(config, clock=clock), client=(PROXY, 40000)) as client:
        spray(client, forwarded_for="198.51.100.7")
        assert sign_in(client, "tomas", "demo", forwarded_for="198.51.100.8").status_code == 429


# --- Which address a request comes from ---------------------------------------------------

TRUSTED = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


@pytest.mark.parametrize(("peer", "forwarded_for", "expected"), [
    ("192.0.2.1", ["198.51.100.7"], "192.0.2.1"),  # not a proxy of ours: the peer
    ("10.0.0.1", [], "10.0.0.1"),  # a proxy that says nothing stands for the client
    ("10.0.0.1", ["198.51.100.7"], "198.51.100.7"),
    ("10.0.0.1", ["198.51.100.7:4711"], "198.51.100.7"),  # a port is not part of it
    # Whatever the client wrote itself is left of what our proxies appended.
    ("10.0.0.1", ["6.6.6.6, 198.51.100.7"], "198.51.100.7"),
    ("10.0.0.1", ["6.6.6.6", "198.51.100.7, 10.0.0.2"], "198.51.100.7"),  # two proxies
    ("10.0.0.1", ["10.0.0.3, 10.0.0.2"], "10.0.0.3"),  # all ours: the farthest
    ("10.0.0.1", ["198.51.100.7, not-an-address"], "10.0.0.1"),  # garbage: the proxy
    ("10.0.0.1", ["[2001:db8::5]:443"], "2001:db8::5"),
    ("fd00::1", ["::ffff:198.51.100.7"], "198.51.100.7"),
    ("::ffff:10.0.0.1", ["198.51.100.7"], "198.51.100.7"),  # a mapped proxy address
    ("testclient", ["198.51.100.7"], "testclient"),  # not an address: never a proxy
    (None, ["198.51.100.7"], None),
])
def test_the_client_address_is_taken_from_trusted_proxies_only(
    peer: str | None, forwarded_for: list[str], expected: str | None
) -> None:
    assert client_address(peer, forwarded_for, TRUSTED) == expected


def test_address_keys_never_collide_with_usernames() -> None:
    assert address_key("198.51.100.7") == "IP:198.51.100.7"
    assert address_key("::ffff:198.51.100.7") == "IP:198.51.100.7"
    assert address_key("2001:db8:1:2:3:4:5:6") == "IP:2001:db8:1:2::/64"
    assert address_key("testclient") == "IP:testclient"
    assert throttle_key("IP:198.51.100.7") != address_key("198.51.100.7")
    assert len(address_key("x" * 100)) == 60


# --- Settings -----------------------------------------------------------------------------


def test_address_limits_proxies_and_jobs_come_from_the_file_and_the_environment(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path
    defaults = load_config(data_dir, environ={})
    assert (defaults.auth.address_max_failures, defaults.auth.address_window) == (
        20, dt.timedelta(minutes=15))
    assert defaults.trusted_proxies == ()
    assert defaults.jobs_interval_s == 60

    (data_dir / "server.toml").write_text(
        "[auth]\naddress_max_failures = 50\naddress_window_minutes = 30\n"
        '[http]\ntrusted_proxies = ["10.0.0.7", "10.1.0.0/16", "fd00::/8"]\n'
        "[jobs]\ninterval_seconds = 0\n")
    from_file = load_config(data_dir, environ={})
    assert from_file.auth.address_max_failures == 50
    assert from_file.auth.address_window == dt.timedelta(minutes=30)
    assert [str(n) for n in from_file.trusted_proxies] == ["10.0.0.7/32", "10.1.0.0/16",
                                                           "fd00::/8"]
    assert from_file.jobs_interval_s == 0
    write_config_file(from_file)  # and it reads back the same
    assert load_config(data_dir, environ={}) == from_file

    overridden = load_config(data_dir, environ={
        "DESKTOPDESK_ADDRESS_MAX_FAILURES": "7",
        "DESKTOPDESK_ADDRESS_WINDOW_MINUTES": "5",
        "DESKTOPDESK_TRUSTED_PROXIES": "192.0.2.1, 192.0.2.128/25",
        "DESKTOPDESK_JOBS_INTERVAL_SECONDS": "300",
    })
    assert overridden.auth.address_max_failures == 7
    assert overridden.auth.address_window == dt.timedelta(minutes=5)
    assert [str(n) for n in overridden.trusted_proxies] == ["192.0.2.1/32", "192.0.2.128/25"]
    assert overridden.jobs_interval_s == 300
    assert load_config(data_dir, environ={"DESKTOPDESK_TRUSTED_PROXIES": ""}
                       ).trusted_proxies == ()


@pytest.mark.parametrize(("text", "environ", "complaint"), [
    ('[http]\ntrusted_proxies = "10.0.0.1"\n', {}, "must be a list of addresses"),
    ('[http]\ntrusted_proxies = ["lb.example.org"]\n', {}, "'lb.example.org' is not an IP"),
    ("[jobs]\ninterval_seconds = -1\n", {}, "0 for off"),
    ("[jobs]\ninterval_seconds = 1.5\n", {}, "whole number of seconds"),
    ("[auth]\naddress_max_failures = 0\n", {}, "above zero"),
    ("[jobs]\nevery = 3\n", {}, "unknown setting 'jobs.every'"),
    ("", {"DESKTOPDESK_TRUSTED_PROXIES": "10.0.0.1, nope"}, "DESKTOPDESK_TRUSTED_PROXIES"),
    ("", {"DESKTOPDESK_JOBS_INTERVAL_SECONDS": "often"}, "must be a number"),
])
def test_bad_address_proxy_and_job_settings_are_refused(
    tmp_path: Path, text: str, environ: dict[str, str], complaint: str
) -> None:
    (tmp_path / "server.toml").write_text(text)
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path, environ=environ)
    assert complaint in str(refused.value)


def test_a_proxy_missing_from_the_trusted_list_is_reported_once(
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "_warned_peers", set())
    for client in ("203.0.113.7", "198.51.100.9"):
        assert client_address("127.0.0.1", [client], ()) == "127.0.0.1"
    assert client_address("127.0.0.1", [], ()) == "127.0.0.1"
    warnings = [r.getMessage() for r in caplog.records if "trusted_proxies" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].startswith("X-Forwarded-For from 127.0.0.1 ignored")
