"""Server settings: defaults, server.toml, environment overrides, and no secret in sight."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from desktopdesk.server.app import open_server
from desktopdesk.server.config import (
    Argon2Params,
    ConfigError,
    ServerConfig,
    load_config,
    write_config_file,
)
from desktopdesk.store.workspace import Workspace

SECRET_URL = "postgresql://desk:s3cret-pw@db.example.org/desktopdesk"


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})
    assert config.database_url == f"sqlite+pysqlite:///{tmp_path}/server.sqlite3"
    assert config.auth.token_lifetime == dt.timedelta(hours=12)
    assert config.auth.login_max_failures == 5
    assert config.auth.login_window == dt.timedelta(minutes=15)
    assert config.auth.argon2 == Argon2Params()
    assert config.max_attachment_bytes == 50 * 1024 * 1024


def test_the_written_file_reads_back_the_same(tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path, db_url=SECRET_URL,
                          auth=load_config(tmp_path, {}).auth, max_attachment_mb=7)
    path = write_config_file(config)
    assert path.stat().st_mode & 0o077 == 0  # may hold a database password: owner only
    assert load_config(tmp_path, environ={}) == config


def test_the_file_sets_and_the_environment_overrides(tmp_path: Path) -> None:
    (tmp_path / "server.toml").write_text(
        '[database]\nurl = "sqlite:///elsewhere.sqlite3"\n'
        "[auth]\ntoken_lifetime_hours = 1.5\nlogin_max_failures = 3\n"
        "[attachments]\nmax_mb = 10\n"
    )
    from_file = load_config(tmp_path, environ={})
    # A relative SQLite path is the data folder's, not the working directory's.
    assert from_file.database_url == f"sqlite+pysqlite:///{tmp_path}/elsewhere.sqlite3"
    assert from_file.auth.token_lifetime == dt.timedelta(minutes=90)
    assert from_file.auth.login_max_failures == 3
    assert from_file.max_attachment_mb == 10

    overridden = load_config(tmp_path, environ={
        "DESKTOPDESK_DB_URL": SECRET_URL,
        "DESKTOPDESK_TOKEN_LIFETIME_HOURS": "2",
        "DESKTOPDESK_LOGIN_MAX_FAILURES": "10",
        "DESKTOPDESK_LOGIN_WINDOW_MINUTES": "5",
        "DESKTOPDESK_MAX_ATTACHMENT_MB": "100",
    })
    assert overridden.database_url == SECRET_URL
    assert overridden.auth.token_lifetime == dt.timedelta(hours=2)
    assert overridden.auth.login_max_failures == 10
    assert overridden.auth.login_window == dt.timedelta(minutes=5)
    assert overridden.max_attachment_mb == 100


@pytest.mark.parametrize(("text", "environ", "complaint"), [
    ("[auth]\ntoken_lifetime = 3\n", {}, "unknown setting 'auth.token_lifetime'"),
    ("[database]\nurl = 5\n", {}, "database.url must be a string"),
    ("auth = 3\n", {}, "'auth' must be a table"),
    ("[auth]\nlogin_max_failures = 2.5\n", {}, "whole number"),
    ("[auth]\nlogin_max_failures = 0\n", {}, "above zero"),
    ("[auth.argon2]\nparallelism = 4\nmemory_kib = 16\n", {}, "at least 8 x parallelism"),
    ("not toml", {}, "not valid TOML"),
    ("", {"DESKTOPDESK_DB_URL": "mysql://x/y"}, "unsupported database 'mysql'"),
    ("", {"DESKTOPDESK_DB_URL": "not a url"}, "DESKTOPDESK_DB_URL is not a database URL"),
    ("", {"DESKTOPDESK_LOGIN_WINDOW_MINUTES": "soon"}, "must be a number"),
])
def test_bad_settings_are_refused_naming_where_they_came_from(
    tmp_path: Path, text: str, environ: dict[str, str], complaint: str
) -> None:
    (tmp_path / "server.toml").write_text(text)
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path, environ=environ)
    assert complaint in str(refused.value)


def test_the_database_password_never_shows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = ServerConfig(data_dir=tmp_path, db_url=SECRET_URL)
    assert "s3cret-pw" not in repr(secret)
    assert secret.safe_database_url == "postgresql://desk:***@db.example.org/desktopdesk"

    # Start against a local file while the settings name the PostgreSQL URL.
    local = Workspace.open(tmp_path / "local")
    opened: list[str | None] = []

    def open_local(data_dir: Path, db_url: str | None = None) -> Workspace:
        opened.append(db_url)
        return local

    monkeypatch.setattr(Workspace, "open", open_local)
    with caplog.at_level(logging.DEBUG):
        open_server(secret).workspace.close()
    assert opened == [SECRET_URL]
    assert secret.safe_database_url in caplog.text  # the startup line says which database
    assert "s3cret-pw" not in caplog.text
