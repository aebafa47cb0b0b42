"""Server settings: ``DATA/server.toml`` (written by ``init``), then environment overrides.

Settings are declared once here, with their types and defaults. The environment wins
over the file so a deployment can keep the database password out of the data folder
(``DESKTOPDESK_DB_URL``) and containers can be configured without editing files. Nothing
here is ever logged with its secret: ``safe_database_url`` hides the password.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeAlias

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from desktopdesk.store.engine import sqlite_url

CONFIG_FILE = "server.toml"
DEFAULT_DB_FILE = "server.sqlite3"

ENV_DB_URL = "DESKTOPDESK_DB_URL"
ENV_TOKEN_HOURS = "DESKTOPDESK_TOKEN_LIFETIME_HOURS"
ENV_MAX_FAILURES = "DESKTOPDESK_LOGIN_MAX_FAILURES"
ENV_WINDOW_MINUTES = "DESKTOPDESK_LOGIN_WINDOW_MINUTES"
ENV_MAX_ATTACHMENT_MB = "DESKTOPDESK_MAX_ATTACHMENT_MB"
ENV_ADDRESS_MAX_FAILURES = "DESKTOPDESK_ADDRESS_MAX_FAILURES"
ENV_ADDRESS_WINDOW_MINUTES = "DESKTOPDESK_ADDRESS_WINDOW_MINUTES"
ENV_TRUSTED_PROXIES = "DESKTOPDESK_TRUSTED_PROXIES"
ENV_JOBS_INTERVAL = "DESKTOPDESK_JOBS_INTERVAL_SECONDS"

#: How often each instance looks for scheduled jobs that are due (``[jobs]``).
DEFAULT_JOBS_INTERVAL_S = 60

Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the file or variable at fault."""


@dataclass(frozen=True)
class Argon2Params:
    """argon2id cost. The defaults are RFC 9106's low-memory profile (argon2-cffi's own).

    Raising them later is safe: each password is rehashed at its owner's next sign-in.
    Tests lower them to stay fast; a production server should never need to.
    """

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4

    @property
    def weaker_than_default(self) -> bool:
        default = Argon2Params()
        return self.time_cost < default.time_cost or self.memory_kib < default.memory_kib


@dataclass(frozen=True)
class AuthSettings:
    token_lifetime: dt.timedelta = dt.timedelta(hours=12)
    #: This many failed sign-ins for one username within ``login_window`` -> HTTP 429.
    login_max_failures: int = 5
    login_window: dt.timedelta = dt.timedelta(minutes=15)
    #: This many failed sign-ins from one client address (any usernames) -> HTTP 429.
    #: Higher than the per-username limit: an office behind one NAT address shares it.
    address_max_failures: int = 20
    address_window: dt.timedelta = dt.timedelta(minutes=15)
    argon2: Argon2Params = field(default_factory=Argon2Params)


@dataclass(frozen=True)
class ServerConfig:
    data_dir: Path
    #: None means the SQLite file ``server.sqlite3`` in ``data_dir``. Kept out of repr.
    db_url: str | None = field(default=None, repr=False)
    auth: AuthSettings = field(default_factory=AuthSettings)
    max_attachment_mb: int = 50
    #: Peers whose ``X-Forwarded-For`` names the real client (load balancers, proxies).
    trusted_proxies: tuple[Network, ...] = ()
    #: Seconds between looks for due scheduled jobs; 0 runs none in this process.
    jobs_interval_s: int = DEFAULT_JOBS_INTERVAL_S

    @property
    def database_url(self) -> str:
        if self.db_url is None:
            return sqlite_url(self.data_dir / DEFAULT_DB_FILE)
        return self.db_url

    @property
    def safe_database_url(self) -> str:
        """The database URL with any password masked, for logs and messages."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "sqlite"

    @property
    def max_attachment_bytes(self) -> int:
        return self.max_attachment_mb * 1024 * 1024

    @property
    def config_file(self) -> Path:
        return self.data_dir / CONFIG_FILE


def load_config(data_dir: Path, environ: Mapping[str, str] | None = None) -> ServerConfig:
    """The settings for ``data_dir``: defaults, then its ``server.toml``, then ``environ``."""
    environ = os.environ if environ is None else environ
    data_dir = data_dir.absolute()
    path = data_dir / CONFIG_FILE
    table = _read_toml(path) if path.is_file() else {}
    config = _from_table(data_dir, table, source=str(path))
    return _with_environment(config, environ)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None


#: The tables of server.toml and the keys each may hold ("" is the top level).
_TABLES: dict[str, set[str]] = {
    "": {"database", "auth", "attachments", "http", "jobs"},
    "database": {"url"},
    "auth": {"token_lifetime_hours", "login_max_failures", "login_window_minutes",
             "address_max_failures", "address_window_minutes", "argon2"},
    "auth.argon2": {"time_cost", "memory_kib", "parallelism"},
    "attachments": {"max_mb"},
    "http": {"trusted_proxies"},
    "jobs": {"interval_seconds"},
}


def _check_known(table: Mapping[str, Any], prefix: str, source: str) -> None:
    """Unknown keys are refused: a typo must not silently fall back to a default."""
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if key not in _TABLES[prefix]:
            raise ConfigError(f"{source}: unknown setting {name!r}")
        if name in _TABLES:
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: {name!r} must be a table ([{name}])")
            _check_known(value, name, source)


def _from_table(data_dir: Path, table: Mapping[str, Any], source: str) -> ServerConfig:
    _check_known(table, "", source)
    database = table.get("database", {})
    auth = table.get("auth", {})
    argon2 = auth.get("argon2", {})
    attachments = table.get("attachments", {})
    http = table.get("http", {})
    jobs = table.get("jobs", {})
    defaults = AuthSettings()
    db_url = database.get("url")
    if db_url is not None and not isinstance(db_url, str):
        raise ConfigError(f"{source}: database.url must be a string")
    return ServerConfig(
        data_dir=data_dir,
        db_url=resolve_db_url(db_url, data_dir, f"{source}: database.url"),
        auth=AuthSettings(
            token_lifetime=_hours(auth.get("token_lifetime_hours"), defaults.token_lifetime,
                                  f"{source}: auth.token_lifetime_hours"),
            login_max_failures=_positive_int(auth.get("login_max_failures"),
                                             defaults.login_max_failures,
                                             f"{source}: auth.login_max_failures"),
            login_window=_minutes(auth.get("login_window_minutes"), defaults.login_window,
                                  f"{source}: auth.login_window_minutes"),
            address_max_failures=_positive_int(auth.get("address_max_failures"),
                                               defaults.address_max_failures,
                                               f"{source}: auth.address_max_failures"),
            address_window=_minutes(auth.get("address_window_minutes"),
                                    defaults.address_window,
                                    f"{source}: auth.address_window_minutes"),
            argon2=_argon2(argon2, f"{source}: auth.argon2"),
        ),
        max_attachment_mb=_positive_int(attachments.get("max_mb"), 50,
                                        f"{source}: attachments.max_mb"),
        trusted_proxies=_networks(http.get("trusted_proxies", []),
                                  f"{source}: http.trusted_proxies"),
        jobs_interval_s=_seconds_or_off(jobs.get("interval_seconds"),
                                        f"{source}: jobs.interval_seconds"),
    )


def _with_environment(config: ServerConfig, environ: Mapping[str, str]) -> ServerConfig:
    auth = config.auth
    if (url := environ.get(ENV_DB_URL)) is not None:
        config = replace(config, db_url=resolve_db_url(url, config.data_dir, ENV_DB_URL))
    if (hours := environ.get(ENV_TOKEN_HOURS)) is not None:
        auth = replace(auth, token_lifetime=_hours(_number(hours, ENV_TOKEN_HOURS),
                                                   auth.token_lifetime, ENV_TOKEN_HOURS))
    if (failures := environ.get(ENV_MAX_FAILURES)) is not None:
        auth = replace(auth, login_max_failures=_positive_int(
            _number(failures, ENV_MAX_FAILURES), auth.login_max_failures, ENV_MAX_FAILURES))
    if (minutes := environ.get(ENV_WINDOW_MINUTES)) is not None:
        auth = replace(auth, login_window=_minutes(_number(minutes, ENV_WINDOW_MINUTES),
                                                   auth.login_window, ENV_WINDOW_MINUTES))
    if (failures := environ.get(ENV_ADDRESS_MAX_FAILURES)) is not None:
        auth = replace(auth, address_max_failures=_positive_int(
            _number(failures, ENV_ADDRESS_MAX_FAILURES), auth.address_max_failures,
            ENV_ADDRESS_MAX_FAILURES))
    if (minutes := environ.get(ENV_ADDRESS_WINDOW_MINUTES)) is not None:
        auth = replace(auth, address_window=_minutes(
            _number(minutes, ENV_ADDRESS_WINDOW_MINUTES), auth.address_window,
            ENV_ADDRESS_WINDOW_MINUTES))
    if (megabytes := environ.get(ENV_MAX_ATTACHMENT_MB)) is not None:
        config = replace(config, max_attachment_mb=_positive_int(
            _number(megabytes, ENV_MAX_ATTACHMENT_MB), 50, ENV_MAX_ATTACHMENT_MB))
    if (proxies := environ.get(ENV_TRUSTED_PROXIES)) is not None:
        entries = [entry.strip() for entry in proxies.split(",") if entry.strip()]
        config = replace(config, trusted_proxies=_networks(entries, ENV_TRUSTED_PROXIES))
    if (seconds := environ.get(ENV_JOBS_INTERVAL)) is not None:
        config = replace(config, jobs_interval_s=_seconds_or_off(
            _number(seconds, ENV_JOBS_INTERVAL), ENV_JOBS_INTERVAL))
    return replace(config, auth=auth)


def resolve_db_url(url: str | None, data_dir: Path, source: str) -> str | None:
    """A checked URL (None for the default); a relative SQLite path is taken relative to
    the data folder, so the folder can move."""
    if url is None or not url.strip():
        return None
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        raise ConfigError(f"{source} is not a database URL (e.g. "
                          "postgresql://user@host/desktopdesk)") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"{source}: unsupported database {backend!r}; use sqlite or "
                          "postgresql")
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ConfigError(f"{source}: a SQLite database needs a file path")
        path = Path(parsed.database)
        if not path.is_absolute():
            return sqlite_url(data_dir / path)
    return url.strip()


def _number(text: str, source: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{source} must be a number, not {text!r}") from None


def _positive(value: object, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{source} must be a number above zero, not {value!r}")
    return float(value)


def _positive_int(value: object, default: int, source: str) -> int:
    if value is None:
        return default
    number = _positive(value, source)
    if number != int(number):
        raise ConfigError(f"{source} must be a whole number, not {value!r}")
    return int(number)


def _hours(value: object, default: dt.timedelta, source: str) -> dt.timedelta:
    return default if value is None else dt.timedelta(hours=_positive(value, source))


def _minutes(value: object, default: dt.timedelta, source: str) -> dt.timedelta:
    return default if value is None else dt.timedelta(minutes=_positive(value, source))


def _seconds_or_off(value: object, source: str) -> int:
    """A whole number of seconds, where 0 means "off" (the jobs interval)."""
    if value is None:
        return DEFAULT_JOBS_INTERVAL_S
    if (isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            or value != int(value)):
        raise ConfigError(f"{source} must be a whole number of seconds (0 for off), "
                          f"not {value!r}")
    return int(value)


def _networks(value: object, source: str) -> tuple[Network, ...]:
    """Addresses or networks (``10.0.0.7``, ``10.1.0.0/16``, ``fd00::/8``).

    Host names are refused: the peer of a connection is an address, and resolving names
    at start-up would make trust depend on DNS.
    """
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{source} must be a list of addresses or networks, e.g. "
                          '["10.0.0.7", "10.1.0.0/16"]')
    networks: list[Network] = []
    for item in value:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ConfigError(f"{source}: {item!r} is not an IP address or network") from None
    return tuple(networks)


def _argon2(table: Mapping[str, Any], source: str) -> Argon2Params:
    default = Argon2Params()
    params = Argon2Params(
        time_cost=_positive_int(table.get("time_cost"), default.time_cost,
                                f"{source}.time_cost"),
        memory_kib=_positive_int(table.get("memory_kib"), default.memory_kib,
                                 f"{source}.memory_kib"),
        parallelism=_positive_int(table.get("parallelism"), default.parallelism,
                                  f"{source}.parallelism"),
    )
    if params.memory_kib < 8 * params.parallelism:
        raise ConfigError(f"{source}.memory_kib must be at least 8 x parallelism")
    return params


def write_config_file(config: ServerConfig) -> Path:
    """Write ``server.toml`` for ``config`` atomically, readable by its owner only.

    The database URL is written only when one was chosen (the default SQLite file then
    follows the folder if it moves), and argon2 costs only when they differ from the
    default, so a later release's stronger default reaches servers that never chose.
    """
    path = config.config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(config_file_text(config))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def config_file_text(config: ServerConfig) -> str:
    auth = config.auth
    lines = [
        "# DesktopDesk server settings, written by `desktopdesk-server init`.",
        "# Environment variables override them (DESKTOPDESK_DB_URL, ...): see docs/deploy.md.",
        "",
        "[database]",
        "# Default: server.sqlite3 in this folder. For PostgreSQL, e.g.",
        '# url = "postgresql://desktopdesk@db.example.org/desktopdesk"',
        "# and keep any password out of this file with DESKTOPDESK_DB_URL.",
    ]
    if config.db_url is not None:
        lines.append(f"url = {_toml_string(config.db_url)}")
    lines += [
        "",
        "[auth]",
        f"token_lifetime_hours = {_toml_number(auth.token_lifetime / dt.timedelta(hours=1))}",
        f"login_max_failures = {auth.login_max_failures}",
        f"login_window_minutes = {_toml_number(auth.login_window / dt.timedelta(minutes=1))}",
        "# Failed sign-ins from one client address, whatever the usernames.",
        f"address_max_failures = {auth.address_max_failures}",
        "address_window_minutes = "
        f"{_toml_number(auth.address_window / dt.timedelta(minutes=1))}",
        "",
    ]
    argon2 = auth.argon2
    prefix = "" if argon2 != Argon2Params() else "# "
    lines += [
        "# argon2id password hashing cost: raise it, never lower it (passwords are",
        "# rehashed at the next sign-in).",
        f"{prefix}[auth.argon2]",
        f"{prefix}time_cost = {argon2.time_cost}",
        f"{prefix}memory_kib = {argon2.memory_kib}",
        f"{prefix}parallelism = {argon2.parallelism}",
        "",
        "[attachments]",
        f"max_mb = {config.max_attachment_mb}",
        "",
        "[http]",
        "# Load balancers or proxies whose X-Forwarded-For names the client (addresses or",
        '# networks, e.g. ["10.0.0.7", "10.1.0.0/16"]); from anyone else it is ignored.',
        "trusted_proxies = ["
        + ", ".join(_toml_string(str(network)) for network in config.trusted_proxies) + "]",
        "",
        "[jobs]",
        "# Seconds between looks for due scheduled jobs (0: none run in this instance).",
        f"interval_seconds = {config.jobs_interval_s}",
        "",
    ]
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    # A JSON string without ASCII escaping is a valid TOML basic string.
    return json.dumps(text, ensure_ascii=False)


def _toml_number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)
