"""``desktopdesk``: open a workspace, sign someone in, show the main window.

Qt is imported only once the arguments check out, so ``--version`` and bad input
answer at once and this module stays importable headless. The user lookups here are
the only database reads outside the task runner: one small query each, before Qt starts.
The subcommands that link a workspace to a server (login, logout, sync) are in
``cli_account``; without one, the window opens as before.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from desktopdesk import __version__, cli_account, cli_documents, paths
from desktopdesk.domain.queries import UserSummary, find_user, user_summary, usernames
from desktopdesk.models import User
from desktopdesk.store.workspace import Role, Workspace
from desktopdesk.sync.account import SERVER_USERNAME

log = logging.getLogger("desktopdesk.cli")

PROG = "desktopdesk"
BAD_INPUT = 2
DEMO_USER = "ramon"
LOG_FILE = "desktopdesk.log"


class BadInputError(Exception):
    """Something the person typed is wrong: one line on stderr, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Offline-first desktop help desk.")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help=f"the workspace folder (default: {paths.default_data_dir()})")
    parser.add_argument("--demo", action="store_true",
                        help="open the demo workspace, filled with sample tickets")
    parser.add_argument("--user", metavar="USERNAME",
                        help=f"who to sign in as (default: {DEMO_USER} in the demo, "
                             "admin in a new workspace)")
    parser.add_argument("--self-check", action="store_true",
                        help="open the window, print what it shows once loaded, and quit")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    cli_documents.add_commands(cli_account.add_commands(parser))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir: Path = args.data_dir or paths.default_data_dir()
    log_dir = data_dir / "logs" if args.data_dir else paths.default_log_dir()
    try:
        _check_data_dir(data_dir)
        with _logging_to(log_dir / LOG_FILE) as log_file:
            log.info("DesktopDesk %s starting on %s", __version__, data_dir)
            if args.command is not None:
                return _run_command(args, data_dir)
            workspace = _open_workspace(data_dir, demo=args.demo)
            demo = args.demo
            try:
                if _is_first_start(workspace, args):
                    from desktopdesk.ui.app import choose_first_start

                    choice = choose_first_start(workspace)
                    if choice is None:
                        log.info("first start: closed without choosing; nothing created")
                        return 0
                    if choice.demo:
                        workspace.close()
                        workspace, demo = _open_workspace(data_dir, demo=True), True
                user = _sign_in(workspace, args.user, demo=demo)
                from desktopdesk.ui.app import run

                return run(workspace, user, log_file=log_file, self_check=args.self_check)
            finally:
                workspace.close()
    except BadInputError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return BAD_INPUT


def _run_command(args: argparse.Namespace, data_dir: Path) -> int:
    """``login``, ``logout`` or ``sync`` (cli_account), or ``work-order``
    (cli_documents), on the workspace in ``data_dir``."""
    if args.command == "work-order":
        return _print_work_orders(args, data_dir)
    if args.demo or args.user or args.self_check:
        raise BadInputError(f"--demo, --user and --self-check are for opening the window; "
                            f"leave them out of {args.command}.")
    workspace = _open_workspace(data_dir, demo=False)
    try:
        return cli_account.run_command(args, workspace)
    except cli_account.CommandError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return error.status
    finally:
        workspace.close()


def _print_work_orders(args: argparse.Namespace, data_dir: Path) -> int:
    """As ``--user`` (or the workspace's own user) sees the tickets; ``--demo`` prints
    from the demo workspace."""
    if args.self_check:
        raise BadInputError("--self-check is for opening the window; leave it out of "
                            "work-order.")
    workspace = _open_workspace(data_dir, demo=args.demo)
    try:
        if not args.demo and _is_empty(workspace):
            raise BadInputError(f"{data_dir} holds no tickets yet; there is nothing to print.")
        user = _sign_in(workspace, args.user, demo=args.demo)
        for line in cli_documents.print_work_orders(args, workspace, user.id):
            print(line)
        return 0
    except cli_documents.PrintError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return error.status
    finally:
        workspace.close()


def _check_data_dir(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise BadInputError(f"{data_dir} is not a folder; give --data-dir a folder.")
    if data_dir.is_dir() and not os.access(data_dir, os.R_OK | os.W_OK | os.X_OK):
        raise BadInputError(f"cannot read and write the data folder {data_dir}.")


@contextmanager
def _logging_to(log_file: Path) -> Iterator[Path | None]:
    """A rotating log file for everything from INFO up, and stderr for warnings.

    Handlers are removed again on the way out, so calling ``main`` twice (as tests do)
    leaves logging as it found it.
    """
    root = logging.getLogger()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(formatter)
    stderr.addFilter(_for_the_terminal)
    handlers: list[logging.Handler] = [stderr]
    written: Path | None = log_file
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5,
                                           encoding="utf-8", delay=True)
        file_handler.setFormatter(formatter)
        handlers.append(file_handler)
    except OSError as error:
        written = None
        print(f"{PROG}: not logging to a file ({error})", file=sys.stderr)
    previous_level = root.level
    root.setLevel(min(previous_level or logging.INFO, logging.INFO))
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield written
    finally:
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(previous_level)


def _for_the_terminal(record: logging.LogRecord) -> bool:
    """urllib3 warns at each retry; the command's own one-line outcome says enough."""
    return not record.name.startswith("urllib3") or record.levelno >= logging.ERROR


def _open_workspace(data_dir: Path, *, demo: bool) -> Workspace:
    try:
        if demo:
            from desktopdesk.store import demo as demo_store

            return demo_store.open_demo_workspace(data_dir)
        return Workspace.open(data_dir)
    except (OSError, SQLAlchemyError) as error:
        # The traceback goes to the log file only; the terminal gets the one-line reason.
        log.info("could not open the workspace in %s", data_dir, exc_info=True)
        raise BadInputError(
            f"cannot open the workspace in {data_dir}: {_reason(error)}"
        ) from error


def _reason(error: Exception) -> str:
    """The driver's own words ("file is not a database"), without SQL or links."""
    original = getattr(error, "orig", None)
    if isinstance(original, Exception):
        return str(original)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0]


def _is_first_start(workspace: Workspace, args: argparse.Namespace) -> bool:
    """An empty folder opened without ``--demo`` or ``--user``: ask whether to connect to a
    server or open the demo (``--user admin`` starts a standalone workspace instead)."""
    return (not args.demo and args.user is None and not args.self_check
            and workspace.role is Role.STANDALONE and _is_empty(workspace))


def _sign_in(workspace: Workspace, username: str | None, *, demo: bool) -> UserSummary:
    if demo:
        from desktopdesk.store import demo as demo_store

        wanted = username or DEMO_USER
        try:
            user_id = demo_store.user_id_by_username(workspace, wanted)
        except LookupError as error:
            raise BadInputError(str(error)) from None
        return _summary(workspace, user_id, wanted)
    if workspace.role is Role.REPLICA and _is_empty(workspace):
        # A local administrator in a replica would be a second authority beside the server.
        raise BadInputError(f"{workspace.data_dir} is a replica of "
                            f"{workspace.info('server_url')} and holds nothing yet; fetch its "
                            f"data first with: {PROG} --data-dir {workspace.data_dir} sync")
    if _is_empty(workspace):
        from desktopdesk.store.bootstrap import initialise_workspace

        admin_id = initialise_workspace(workspace)
        log.info("new workspace in %s: created the first administrator", workspace.data_dir)
        if username is None:
            return _summary(workspace, admin_id, "admin")
    # A replica opens as the account it was signed in with (the first-start dialog or
    # ``desktopdesk login``); a standalone workspace as its administrator.
    wanted = username or workspace.info(SERVER_USERNAME) or "admin"
    with workspace.read() as session:
        user = find_user(session, wanted)
        known = usernames(session)
    if user is None:
        raise BadInputError(f"no user named {wanted!r} in {workspace.data_dir} "
                            f"(users: {', '.join(known)}).")
    return _enabled(user)


def _summary(workspace: Workspace, user_id: uuid.UUID, username: str) -> UserSummary:
    with workspace.read() as session:
        user = user_summary(session, user_id)
    if user is None:
        raise BadInputError(f"no user named {username!r} in {workspace.data_dir}.")
    return _enabled(user)


def _enabled(user: UserSummary) -> UserSummary:
    if not user.enabled:
        raise BadInputError(f"user {user.username!r} is disabled and cannot sign in.")
    return user


def _is_empty(workspace: Workspace) -> bool:
    with workspace.read() as session:
        return not session.scalar(select(func.count()).select_from(User))
