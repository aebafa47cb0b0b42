"""``desktopdesk-server`` through ``main([...])``: init, seed-demo, set-password, serve.

Each new data folder gets a prepared server.toml with the cheap argon2 cost first (an
administrator may prepare one the same way), so the commands hash quickly.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktopdesk.server import cli, console
from desktopdesk.server.auth import Auth, InvalidCredentialsError
from desktopdesk.server.config import load_config
from desktopdesk.server.provision import open_store, user_count
from desktopdesk.store.demo import DEMO_USERNAMES
from tests.server.conftest import write_fast_config

PASSWORD = "correct horse battery"


def can_sign_in(data_dir: Path, username: str, password: str) -> bool:
    config = load_config(data_dir, environ={})
    with open_store(config) as workspace:
        try:
            Auth(workspace.sessions, config.auth).authenticate(username, password)
        except InvalidCredentialsError:
            return False
    return True


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("desktopdesk-server: ")
    return err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def new_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "new-server"
    write_fast_config(data_dir)
    return data_dir


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "admin-password"
    path.write_text(PASSWORD + "\n")
    return path


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What the administrator types at getpass prompts, in order."""
    answers: list[str] = []
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(console.getpass, "getpass", lambda _prompt: answers.pop(0))
    yield answers
    assert not answers, "not every answer was asked for"


def test_init_creates_the_store_and_an_administrator_who_can_sign_in(
    new_dir: Path, password_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["init", "--data-dir", str(new_dir), "--admin-password-file", str(password_file)]
    assert cli.main(args) == 0
    assert "desktopdesk-server serve --data-dir" in capsys.readouterr().out
    assert (new_dir / "server.sqlite3").is_file()
    assert can_sign_in(new_dir, "admin", PASSWORD)
    assert "password set for user 'admin'" in (new_dir / "logs" / "audit.log").read_text()

    assert cli.main(args) == 2
    assert "already holds an initialised server" in one_error_line(capsys)


def test_init_asks_twice_on_a_terminal(new_dir: Path, typed: list[str]) -> None:
    typed += [PASSWORD, PASSWORD]
    assert cli.main(["init", "--data-dir", str(new_dir)]) == 0
    assert can_sign_in(new_dir, "admin", PASSWORD)


def test_init_with_differing_or_short_passwords_changes_nothing(
    new_dir: Path, typed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    typed += [PASSWORD, PASSWORD + "!"]
    assert cli.main(["init", "--data-dir", str(new_dir)]) == 2
    assert "the two passwords differ" in one_error_line(capsys)
    typed += ["short", "short"]
    assert cli.main(["init", "--data-dir", str(new_dir)]) == 2
    assert "at least 8 characters" in one_error_line(capsys)
    with open_store(load_config(new_dir, environ={})) as workspace:
        assert user_count(workspace) == 0
    typed += [PASSWORD, PASSWORD]
    assert cli.main(["init", "--data-dir", str(new_dir)]) == 0  # so it can simply be rerun


def test_init_records_a_chosen_database_and_keeps_prepared_settings(
    new_dir: Path, tmp_path: Path, password_file: Path
) -> None:
    database = tmp_path / "elsewhere" / "desk.sqlite3"
    database.parent.mkdir()
    assert cli.main(["init", "--data-dir", str(new_dir), "--db", f"sqlite:///{database}",
                     "--admin-password-file", str(password_file)]) == 0
    config = load_config(new_dir, environ={})
    assert config.database_url == f"sqlite:///{database}"
    assert config.auth.argon2.time_cost == 1  # the prepared cost survived the rewrite
    assert database.is_file()
    assert not (new_dir / "server.sqlite3").exists()
    assert can_sign_in(new_dir, "admin", PASSWORD)


def test_a_database_url_from_the_environment_is_not_written_down(
    new_dir: Path, tmp_path: Path, password_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESKTOPDESK_DB_URL", f"sqlite:///{tmp_path}/from-env.sqlite3")
    assert cli.main(["init", "--data-dir", str(new_dir),
                     "--admin-password-file", str(password_file)]) == 0
    assert (tmp_path / "from-env.sqlite3").is_file()
    assert "from-env" not in (new_dir / "server.toml").read_text()


def test_seed_demo_gives_every_demo_account_the_demo_password(
    new_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["seed-demo", "--data-dir", str(new_dir)]) == 0
    assert "password 'demo'" in capsys.readouterr().out
    for username in ("admin", "ramon", "acme.ana", "indie.carla"):
        assert username in DEMO_USERNAMES
        assert can_sign_in(new_dir, username, "demo")

    assert cli.main(["seed-demo", "--data-dir", str(new_dir)]) == 2
    assert "needs a new data folder" in one_error_line(capsys)


def test_set_password_reads_standard_input_and_replaces_the_old_one(
    server_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["set-password", "--data-dir", str(server_dir), "Tomas"]) == 0
    assert "'tomas'" in capsys.readouterr().out
    assert can_sign_in(server_dir, "tomas", PASSWORD)
    assert not can_sign_in(server_dir, "tomas", "demo")


def test_set_password_for_an_unknown_user_exits_2(
    server_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["set-password", "--data-dir", str(server_dir), "nobody"]) == 2
    assert "no user named 'nobody'" in one_error_line(capsys)


@pytest.mark.parametrize("command", [["serve"], ["set-password", "admin"]])
def test_commands_on_an_uninitialised_folder_say_to_run_init(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    assert cli.main([command[0], "--data-dir", str(empty), *command[1:]]) == 2
    assert "desktopdesk-server init --data-dir" in one_error_line(capsys)
    assert not empty.exists()  # nothing was created on the way


def test_serve_runs_uvicorn_with_one_worker_on_the_given_address(
    server_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    assert cli.main(["serve", "--data-dir", str(server_dir), "--port", "9999"]) == 0
    assert [(c["host"], c["port"], c["workers"]) for c in calls] == [("127.0.0.1", 9999, 1)]


def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, server_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("hello")
    assert cli.main(["serve", "--data-dir", str(a_file)]) == 2
    assert "is not a folder" in one_error_line(capsys)

    missing = tmp_path / "missing-password"
    assert cli.main(["init", "--data-dir", str(tmp_path / "x"),
                     "--admin-password-file", str(missing)]) == 2
    assert "cannot read the password file" in one_error_line(capsys)

    monkeypatch.setenv("DESKTOPDESK_LOGIN_MAX_FAILURES", "many")
    assert cli.main(["serve", "--data-dir", str(server_dir)]) == 2
    assert "DESKTOPDESK_LOGIN_MAX_FAILURES must be a number" in one_error_line(capsys)


def test_a_desktop_only_install_is_told_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "fastapi", None)  # as if not installed
    assert cli.main(["serve", "--data-dir", str(tmp_path)]) == 2
    err = one_error_line(capsys)
    assert "(fastapi)" in err
    assert "pip install 'desktopdesk[server]'" in err
