"""``desktopdesk-server``: create, seed, run and administer the shared server.

Only the standard library and the core package are imported up front; the server's own
dependencies (FastAPI, uvicorn, argon2) are checked before any command runs, so a
desktop-only install answers with what to install instead of a traceback. Bad input is
one line on stderr and exit status 2, as for ``desktopdesk``.
"""

from __future__ import annotations

import argparse
import importlib
import ipaddress
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from desktopdesk import __version__
from desktopdesk.server.config import (
    CONFIG_FILE,
    ConfigError,
    ServerConfig,
    load_config,
    resolve_db_url,
    write_config_file,
)
from desktopdesk.server.console import BadInputError, logging_to, read_new_password

if TYPE_CHECKING:
    from desktopdesk.store.workspace import Workspace

log = logging.getLogger("desktopdesk.server")

PROG = "desktopdesk-server"
BAD_INPUT = 2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
SERVER_EXTRAS = ("fastapi", "uvicorn", "argon2")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="The DesktopDesk shared server.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser("init", help="create a server store and its administrator")
    _data_dir_argument(init)
    init.add_argument("--db", metavar="URL",
                      help="database URL (default: server.sqlite3 in the data folder), "
                           "e.g. postgresql://desktopdesk@db.example.org/desktopdesk")
    init.add_argument("--admin-password-file", type=Path, metavar="FILE",
                      help="read the administrator's password from FILE (one line) "
                           "instead of asking")

    serve = commands.add_parser("serve", help="run the server (one process)")
    _data_dir_argument(serve)
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default: {DEFAULT_HOST})")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT,
                       help=f"port to listen on (default: {DEFAULT_PORT})")

    demo = commands.add_parser("seed-demo",
                               help="create a server store filled with the demo workspace "
                                    "(every demo account's password is 'demo')")
    _data_dir_argument(demo)

    password = commands.add_parser("set-password",
                                   help="set a user's password (asked for, or read from "
                                        "standard input) and revoke their tokens")
    _data_dir_argument(password)
    password.add_argument("username")

    rotate = commands.add_parser(
        "rotate-epoch", help="after restoring a backup: make every desktop rebuild its copy "
                             "and send again the work the backup lost",
        description="Start a new sync epoch. Run it once after putting back a backup of the "
                    "database (with the server stopped or running): at their next sync, "
                    "desktops rebuild their copy from the restored data and send again "
                    "their changes the backup does not have.")
    _data_dir_argument(rotate)
    return parser


def _data_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, metavar="DIR", required=True,
                        help=f"the server's data folder ({CONFIG_FILE}, database, blobs)")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1-65535, not {port}")
    return port


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = COMMANDS[args.command]
    try:
        _require_server_extras()
        _check_data_dir(args.data_dir)
        with logging_to(args.data_dir, verbose=args.command == "serve"):
            return command(args)
    except BadInputError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return BAD_INPUT


# --- Commands ---------------------------------------------------------------------------


def _init(args: argparse.Namespace) -> int:
    from desktopdesk.server.auth import Auth
    from desktopdesk.server.provision import ensure_config_file, initialise_server, user_count

    config, recorded = _new_server_config(args.data_dir, args.db)
    with _open(config) as workspace:
        if user_count(workspace):
            raise BadInputError(
                f"{args.data_dir} already holds an initialised server; to change a password "
                f"use: {PROG} set-password --data-dir {args.data_dir} USERNAME")
        password = read_new_password(args.admin_password_file, "the administrator")
        initialise_server(workspace, Auth(workspace.sessions, config.auth), password)
    if args.db is not None:  # a prepared server.toml is rewritten to record the database
        write_config_file(recorded)
    else:
        ensure_config_file(recorded)
    print(f"Initialised the DesktopDesk server in {args.data_dir} (database "
          f"{config.safe_database_url}); sign in as 'admin'. Start it with: "
          f"{PROG} serve --data-dir {args.data_dir}")
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    from desktopdesk.server.auth import Auth
    from desktopdesk.server.provision import ensure_config_file, seed_demo_server, user_count

    config, recorded = _new_server_config(args.data_dir)
    with _open(config) as workspace:
        if user_count(workspace):
            raise BadInputError(f"{args.data_dir} already holds a server with users; the "
                                "demo needs a new data folder")
        usernames = seed_demo_server(workspace, Auth(workspace.sessions, config.auth))
    ensure_config_file(recorded)
    print(f"Seeded the demo server in {args.data_dir}: {len(usernames)} accounts "
          f"({', '.join(usernames)}), each with the password 'demo'. Not for real data.")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    from desktopdesk.domain.queries import find_user
    from desktopdesk.server.auth import Auth

    config = _initialised_config(args.data_dir)
    with _open(config) as workspace:
        with workspace.read() as session:
            user = find_user(session, args.username.strip().lower())
        if user is None:
            raise BadInputError(f"no user named {args.username!r} on the server in "
                                f"{args.data_dir}")
        password = read_new_password(None, repr(user.username))
        Auth(workspace.sessions, config.auth).set_password(user.id, password)
    print(f"Password set for {user.username!r}; their existing tokens were revoked.")
    return 0


def _rotate_epoch(args: argparse.Namespace) -> int:
    from desktopdesk.server.api.sync import rotate_epoch

    config = _initialised_config(args.data_dir)
    with _open(config) as workspace:
        old, new = rotate_epoch(workspace)
    log.warning("sync epoch rotated from %s to %s", old or "(none)", new)
    print(f"New sync epoch {new} (was {old or 'none yet'}). Each desktop rebuilds its copy at "
          "its next sync and sends again the changes this database does not have.")
    return 0


def _serve(args: argparse.Namespace) -> int:
    config = _initialised_config(args.data_dir)

    import uvicorn

    from desktopdesk.server.app import create_app

    if not _is_loopback(args.host):
        log.warning("listening on %s over plain HTTP: put a TLS-terminating proxy in front",
                    args.host)
    # One worker: SQLite wants one writing process; scale out with more instances instead.
    # proxy_headers off: which peers may name the client (X-Forwarded-For) is our own
    # trusted_proxies setting alone, not also uvicorn's loopback default.
    uvicorn.run(create_app(config), host=args.host, port=args.port, workers=1,
                log_level="info", server_header=False, proxy_headers=False)
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": _init,
    "serve": _serve,
    "seed-demo": _seed_demo,
    "set-password": _set_password,
    "rotate-epoch": _rotate_epoch,
}


# --- Checks and helpers -----------------------------------------------------------------


def _require_server_extras() -> None:
    missing = []
    for name in SERVER_EXTRAS:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise BadInputError(f"the server needs packages that are not installed "
                            f"({', '.join(missing)}); install them with: "
                            "pip install 'desktopdesk[server]'")


def _check_data_dir(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise BadInputError(f"{data_dir} is not a folder; give --data-dir a folder.")


def _config(data_dir: Path) -> ServerConfig:
    try:
        return load_config(data_dir)
    except ConfigError as error:
        raise BadInputError(str(error)) from None


def _new_server_config(
    data_dir: Path, db_url: str | None = None
) -> tuple[ServerConfig, ServerConfig]:
    """The settings to run with, and those to record in server.toml.

    The second leaves out the environment: a URL given in ``DESKTOPDESK_DB_URL`` (to
    keep its password out of the folder) must not end up written into the file. An
    explicit ``--db`` is recorded, unless an existing server.toml names another one.
    """
    try:
        effective = load_config(data_dir)
        recorded = load_config(data_dir, environ={})
        chosen = resolve_db_url(db_url, effective.data_dir, "--db")
    except ConfigError as error:
        raise BadInputError(str(error)) from None
    if chosen is None:
        return effective, recorded
    with_db = replace(recorded, db_url=chosen)
    if recorded.db_url is not None and recorded.database_url != with_db.database_url:
        raise BadInputError(f"{recorded.config_file} already names another database; edit "
                            "its [database] url or leave out --db")
    return replace(effective, db_url=chosen), with_db


def _initialised_config(data_dir: Path) -> ServerConfig:
    from desktopdesk.server.provision import user_count

    config = _config(data_dir)
    if not config.config_file.exists():
        raise BadInputError(f"{data_dir} is not an initialised server (no {CONFIG_FILE}); "
                            f"create one with: {PROG} init --data-dir {data_dir}")
    with _open(config) as workspace:
        if not user_count(workspace):
            raise BadInputError(f"the server in {data_dir} has no users yet; run: "
                                f"{PROG} init --data-dir {data_dir}")
    return config


@contextmanager
def _open(config: ServerConfig) -> Iterator[Workspace]:
    from desktopdesk.server.provision import open_store

    try:
        workspace = open_store(config)
    except (OSError, SQLAlchemyError, ValueError) as error:
        log.info("could not open %s", config.safe_database_url, exc_info=True)
        raise BadInputError(f"cannot open the server database {config.safe_database_url}: "
                            f"{_reason(error)}") from None
    try:
        yield workspace
    finally:
        workspace.close()


def _reason(error: Exception) -> str:
    """The driver's own words ("file is not a database"), without SQL or links."""
    original = getattr(error, "orig", None)
    if isinstance(original, Exception):
        error = original
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return (str(error).splitlines() or [type(error).__name__])[0]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
