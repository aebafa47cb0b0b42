"""``desktopdesk login / logout / sync`` against a real server process on loopback.

One server per module (seeding takes a few seconds). Each test gets its own workspace
folder and an in-memory keyring, so nothing touches the machine's real vault.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from keyring.backends import fail

import desktopdesk.sync.client
from desktopdesk import cli
from desktopdesk.cli_account import MASTER_PASSWORD_ENV, PASSWORD_ENV
from desktopdesk.domain.queries import UserSummary, usernames
from desktopdesk.store.bootstrap import create_first_admin, initialise_workspace
from desktopdesk.store.workspace import Role, Workspace
from desktopdesk.sync.client import SyncSummary
from desktopdesk.sync.client_http import ServerClient, ServerError, Token
from desktopdesk.sync.credentials import CREDENTIALS_FILE, CredentialStore
from desktopdesk.sync.http_transport import HttpTransport
from tests.sync.live_server import closed_loopback_url, running_demo_server
from tests.sync.memory_keyring import MemoryKeyring, installed

TIMEOUT = (3.05, 10)
MASTER = "correct horse battery staple"


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo_server(tmp_path_factory.mktemp("live")) as url:
        yield url


@pytest.fixture(autouse=True)
def vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """An OS vault stand-in, and the demo password in the environment."""
    monkeypatch.setenv(PASSWORD_ENV, "demo")
    monkeypatch.delenv(MASTER_PASSWORD_ENV, raising=False)
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "desk"


def run_cli(data_dir: Path, *args: str) -> int:
    return cli.main(["--data-dir", str(data_dir), *args])


def info(data_dir: Path) -> dict[str, str | None]:
    with Workspace.open(data_dir) as workspace:
        return {key: workspace.info(key) for key in
                ("server_url", "server_username", "server_user_id", "role")}


def kept_token(data_dir: Path, url: str, username: str) -> Token | None:
    return CredentialStore.open(data_dir).load(url, username)


def me_status(url: str, token: str) -> tuple[int, dict[str, object]]:
    response = requests.get(f"{url}/api/v1/me", timeout=TIMEOUT,
                            headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# --- login ------------------------------------------------------------------------------


def test_login_keeps_a_working_token_and_makes_the_workspace_a_replica(
    server_url: str, data_dir: Path, vault: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(data_dir, "login", server_url, "ramon") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Signed in to {server_url} as ramon; the token is kept in "
                          "the OS keyring (")

    facts = info(data_dir)
    assert facts["server_url"] == server_url
    assert facts["server_username"] == "ramon"
    assert facts["role"] == Role.REPLICA
    token = kept_token(data_dir, server_url, "ramon")
    assert token is not None
    status, me = me_status(server_url, token.access_token)
    assert (status, me["username"], me["id"]) == (200, "ramon", facts["server_user_id"])
    [secret] = vault.secrets.values()
    assert set(json.loads(secret)) == {"access_token", "expires_at", "token_type"}

    # Signing in again (say, after the token expired) is fine: same server, same user.
    assert run_cli(data_dir, "login", f"{server_url}/", "Ramon") == 0
    assert kept_token(data_dir, server_url, "ramon") != token


def test_a_wrong_password_exits_1_with_the_servers_message(
    server_url: str, data_dir: Path, vault: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    assert run_cli(data_dir, "login", server_url, "tomas") == 1
    assert one_line(capsys.readouterr().err) == (
        f"desktopdesk: {server_url} refused the sign-in: Wrong username or password.")
    assert vault.secrets == {}
    assert info(data_dir) == {"server_url": None, "server_username": None,
                              "server_user_id": None, "role": None}


def test_an_unreachable_server_exits_1_saying_it_could_not_be_reached(
    data_dir: Path, vault: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    url = closed_loopback_url()
    assert run_cli(data_dir, "login", url, "ramon") == 1
    assert one_line(capsys.readouterr().err) == (
        f"desktopdesk: the server at {url} could not be reached: the connection was refused "
        "(is the server running?)")
    assert vault.secrets == {}
    assert info(data_dir)["server_url"] is None


@pytest.mark.parametrize(("url", "complaint"), [
    ("desk.example.org", "give an http:// or https:// URL"),
    ("ftp://desk.example.org", "give an http:// or https:// URL"),
    ("https://", "has no host name"),
])
def test_a_bad_url_exits_2_saying_what_is_wrong(
    data_dir: Path, url: str, complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(data_dir, "login", url, "ramon") == 2
    assert complaint in one_line(capsys.readouterr().err)


def test_the_client_reads_the_servers_json_errors(server_url: str) -> None:
    with ServerClient(server_url) as client:
        with pytest.raises(ServerError) as wrong:
            client.login("javi", "not-the-password")
        with pytest.raises(ServerError) as invalid:
            client.login("x" * 61, "demo")
        with pytest.raises(ServerError) as anonymous:
            client.me()
    assert (wrong.value.code, wrong.value.status) == ("invalid_credentials", 401)
    assert (invalid.value.code, invalid.value.field, invalid.value.status) == (
        "validation", "username", 422)
    assert anonymous.value.needs_sign_in


# --- What a workspace may become ----------------------------------------------------------


def test_a_standalone_workspace_with_data_is_not_turned_into_a_replica(
    server_url: str, data_dir: Path, vault: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace.open(data_dir) as workspace:
        initialise_workspace(workspace)
    assert run_cli(data_dir, "login", server_url, "ramon") == 2
    err = one_line(capsys.readouterr().err)
    assert "a standalone workspace cannot become a replica of a server" in err
    assert "fresh data folder" in err
    assert vault.secrets == {}  # refused before any password was sent
    assert info(data_dir)["role"] is None  # still standalone


def test_a_replica_with_data_stays_with_its_user(
    server_url: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(data_dir, "login", server_url, "ramon") == 0
    with Workspace.open(data_dir) as workspace:
        create_first_admin(workspace)  # stands in for rows a sync brought
    capsys.readouterr()
    assert run_cli(data_dir, "login", server_url, "tomas") == 2
    assert "a replica belongs to one server and one user" in capsys.readouterr().err
    assert run_cli(data_dir, "login", server_url, "ramon") == 0


def test_the_window_does_not_open_on_a_replica_that_has_not_synced(
    server_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import desktopdesk.ui.app

    opened: list[UserSummary] = []

    def run(_workspace: Workspace, user: UserSummary, **_kwargs: object) -> int:
        opened.append(user)
        return 0

    monkeypatch.setattr(desktopdesk.ui.app, "run", run)
    assert run_cli(data_dir, "login", server_url, "ramon") == 0
    assert run_cli(data_dir) == 2
    assert f"--data-dir {data_dir} sync" in capsys.readouterr().err
    assert opened == []
    with Workspace.open(data_dir) as workspace, workspace.read() as session:
        assert usernames(session) == []  # no local administrator was made up


def test_window_options_do_not_mix_with_commands(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--data-dir", str(data_dir), "--demo", "logout"]) == 2
    assert "leave them out of logout" in one_line(capsys.readouterr().err)


# --- logout -----------------------------------------------------------------------------


def test_logout_revokes_the_token_on_the_server_and_forgets_it(
    server_url: str, data_dir: Path, vault: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(data_dir, "login", server_url, "ramon") == 0
    token = kept_token(data_dir, server_url, "ramon")
    assert token is not None
    assert run_cli(data_dir, "logout") == 0
    assert capsys.readouterr().out.endswith(
        f"Signed out of {server_url} as ramon; the token was revoked on the server.\n")
    assert me_status(server_url, token.access_token)[0] == 401
    assert vault.secrets == {}
    assert run_cli(data_dir, "logout") == 0  # again: nothing left to do, no error
    assert "no token was kept here" in capsys.readouterr().out


def test_logout_while_offline_still_forgets_the_token(
    data_dir: Path, vault: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    url = closed_loopback_url()
    with Workspace.open(data_dir) as workspace:
        workspace.set_info("server_url", url)
        workspace.set_info("server_username", "ramon")
    CredentialStore.open(data_dir).save(
        url, "ramon", Token("ddt_offline", expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC)))
    assert run_cli(data_dir, "logout") == 0
    out = capsys.readouterr().out
    assert "could not be reached" in out
    assert "stays valid there until 2099-01-01 00:00 UTC" in out
    assert vault.secrets == {}


def test_logout_on_a_workspace_that_never_signed_in_says_so(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(data_dir, "logout") == 1
    assert "is not linked to a server; sign in first" in one_line(capsys.readouterr().err)


# --- Where the token goes without an OS vault ---------------------------------------------


def test_without_a_vault_a_master_password_keeps_the_token_in_an_encrypted_file(
    server_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = data_dir / CREDENTIALS_FILE
    with installed(fail.Keyring()):
        monkeypatch.setenv(MASTER_PASSWORD_ENV, MASTER)
        assert run_cli(data_dir, "login", server_url, "ramon") == 0
        assert capsys.readouterr().out.strip().endswith(
            f"the token is kept in an encrypted file, {path}")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        token = CredentialStore.open(data_dir, master_password=MASTER).load(server_url,
                                                                             "ramon")
        assert token is not None
        assert token.access_token.encode() not in path.read_bytes()

        monkeypatch.setenv(MASTER_PASSWORD_ENV, "wrong master")
        assert run_cli(data_dir, "logout") == 1
        assert "master password does not open" in capsys.readouterr().err
        assert me_status(server_url, token.access_token)[0] == 200

        monkeypatch.setenv(MASTER_PASSWORD_ENV, MASTER)
        assert run_cli(data_dir, "logout") == 0
        assert me_status(server_url, token.access_token)[0] == 401


def test_with_nowhere_safe_to_keep_it_the_token_lasts_the_command_only(
    server_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    issued: list[Token] = []
    real_login = ServerClient.login

    def recording_login(client: ServerClient, *args: str) -> Token:
        issued.append(real_login(client, *args))
        return issued[-1]

    monkeypatch.setattr(ServerClient, "login", recording_login)
    with installed(fail.Keyring()):
        assert run_cli(data_dir, "login", server_url, "ramon") == 0
        assert CredentialStore.open(data_dir).load(server_url, "ramon") is None
    captured = capsys.readouterr()
    assert "the token is kept in memory for this session only (this computer has no OS " \
           "keyring" in captured.out
    assert f"set {MASTER_PASSWORD_ENV} to keep it" in captured.err
    assert not (data_dir / CREDENTIALS_FILE).exists()
    [token] = issued
    assert me_status(server_url, token.access_token)[0] == 401  # held by no one: revoked
    assert info(data_dir)["server_url"] == server_url  # the link itself is kept


# --- sync (the command; the protocol is tested with the sync client) ------------------------


@pytest.fixture
def fake_run_sync(monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    """Stands in for the protocol (tested in test_client_sync.py): checks that the command
    hands it an HTTP transport signed in as the workspace's user."""
    seen: list[uuid.UUID] = []

    def run_sync(workspace: Workspace, transport: HttpTransport,
                 actor_id: uuid.UUID) -> SyncSummary:
        me = transport.client.me()
        assert str(me.id) == workspace.info("server_user_id") == str(actor_id)
        seen.append(actor_id)
        return SyncSummary(pushed=2, applied=1, rejected=1, pulled_rows=40, pages=1,
                           conflicts=["Only the owner can close ticket #7."])

    monkeypatch.setattr(desktopdesk.sync.client, "run_sync", run_sync)
    return seen


def test_sync_runs_with_the_kept_token_and_prints_the_summary(
    server_url: str, data_dir: Path, fake_run_sync: list[uuid.UUID],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_cli(data_dir, "login", server_url, "ramon") == 0
    capsys.readouterr()
    assert run_cli(data_dir, "sync") == 0
    assert capsys.readouterr().out == (
        f"Synced with {server_url}: sent 2 changes (1 applied, 1 rejected), received 40 rows "
        "in 1 page; 0 changes still to send.\n"
        "  not applied: Only the owner can close ticket #7.\n")
    assert len(fake_run_sync) == 1


def test_sync_without_signing_in_says_how_to(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(data_dir, "sync") == 1
    assert "is not linked to a server; sign in first" in one_line(capsys.readouterr().err)


def test_sync_with_a_token_the_server_revoked_exits_1_and_forgets_it(
    server_url: str, data_dir: Path, vault: MemoryKeyring, fake_run_sync: list[uuid.UUID],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_cli(data_dir, "login", server_url, "ramon") == 0
    token = kept_token(data_dir, server_url, "ramon")
    assert token is not None
    with ServerClient(server_url, token.access_token) as elsewhere:
        elsewhere.logout()  # e.g. an administrator revoked it
    capsys.readouterr()
    assert run_cli(data_dir, "sync") == 1
    assert one_line(capsys.readouterr().err).startswith(
        f"desktopdesk: {server_url} refused the sync: ")
    assert vault.secrets == {}
    assert run_cli(data_dir, "sync") == 1
    assert "sign in again with: desktopdesk --data-dir" in capsys.readouterr().err
    assert fake_run_sync == []
