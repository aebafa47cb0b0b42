"""The sign-in and sync steps the CLI and the window share: outcomes a status can show."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.account import (
    NotLinkedError,
    ServerLink,
    attempt_sync,
    credential_store_once,
    server_link,
)
from desktopdesk.sync.client_http import Token
from desktopdesk.sync.credentials import CredentialStore
from tests.sync.live_server import closed_loopback_url
from tests.sync.memory_keyring import MemoryKeyring, installed


@pytest.fixture(autouse=True)
def vault() -> Iterator[None]:
    with installed(MemoryKeyring()):
        yield


def test_without_a_token_the_attempt_asks_to_sign_in_again(workspace: Workspace) -> None:
    link = ServerLink(closed_loopback_url(), "tomas", uuid.uuid4())
    attempt = attempt_sync(workspace, link, credential_store_once(workspace.data_dir))
    assert (attempt.summary, attempt.reachable, attempt.needs_sign_in) == (None, True, True)
    assert attempt.problem.startswith(f"Not signed in to {link.url}")


def test_an_unreachable_server_is_offline_not_an_error(workspace: Workspace) -> None:
    link = ServerLink(closed_loopback_url(), "tomas", uuid.uuid4())
    CredentialStore.open(workspace.data_dir).save(
        link.url, "tomas", Token("ddt_x", dt.datetime(2099, 1, 1, tzinfo=dt.UTC)))
    attempt = attempt_sync(workspace, link, credential_store_once(workspace.data_dir))
    assert (attempt.summary, attempt.reachable, attempt.needs_sign_in) == (None, False, False)
    assert attempt.problem == ("Offline: the connection was refused (is the server running?). "
                               "Your work is kept and will be sent when the server can be "
                               "reached.")


def test_a_workspace_never_signed_in_has_no_link(workspace: Workspace) -> None:
    with pytest.raises(NotLinkedError):
        server_link(workspace)


def test_the_shared_steps_load_no_qt(tmp_path: Path) -> None:
    script = ("import sys, desktopdesk.sync.account, desktopdesk.sync.conflicts; "
              "print(any(m.startswith('PySide6') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60, cwd=tmp_path)
    assert result.stdout.strip() == "False", result.stderr
