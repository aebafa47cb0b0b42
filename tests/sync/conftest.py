"""Fixtures of the tests that sync with a real server over HTTP (opt in by name)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktopdesk.cli_account import MASTER_PASSWORD_ENV, PASSWORD_ENV
from tests.sync.live_server import running_demo_server
from tests.sync.memory_keyring import MemoryKeyring, installed


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo server of the module's own, on loopback."""
    with running_demo_server(tmp_path_factory.mktemp("live")) as url:
        yield url


@pytest.fixture
def demo_vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every demo password is "demo"; tokens go to a keyring in memory."""
    monkeypatch.setenv(PASSWORD_ENV, "demo")
    monkeypatch.delenv(MASTER_PASSWORD_ENV, raising=False)
    with installed(MemoryKeyring()):
        yield
