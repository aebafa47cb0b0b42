"""``desktopdesk login``, ``logout`` and ``sync``: the workspace's link to a server.

The steps themselves (sign in, sync) are ``desktopdesk.sync.account``, which the window
calls from its background tasks too; this module asks for passwords in a terminal and
words failures as one-line command errors. The network and keyring modules are imported
inside the handlers, so ``--version`` and the window's start-up never load them.

A workspace is either standalone (its own authority) or a replica of one server, for one
user. Only an empty workspace can become a replica: a standalone store's tickets have no
place on a server that never issued them, and a replica holds one user's view only.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from desktopdesk.store.workspace import Workspace

if TYPE_CHECKING:
    from desktopdesk.sync.client import SyncSummary
    from desktopdesk.sync.credentials import CredentialStore

log = logging.getLogger("desktopdesk.sync")

PASSWORD_ENV = "DESKTOPDESK_PASSWORD"
MASTER_PASSWORD_ENV = "DESKTOPDESK_MASTER_PASSWORD"
FAILED = 1
BAD_INPUT = 2

T = TypeVar("T")


class CommandError(Exception):
    """A command could not do its job: one line on stderr, and ``status`` as exit code."""

    def __init__(self, message: str, status: int = FAILED) -> None:
        super().__init__(message)
        self.status = status


def add_commands(parser: argparse.ArgumentParser) -> Any:
    """Optional subcommands: without one, ``desktopdesk`` opens the window as before.
    Returns the subcommands, for other modules' commands (argparse's private type)."""
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     title="commands (optional: without one, the window opens)")
    login = commands.add_parser(
        "login", help="sign in to a DesktopDesk server; this workspace becomes its replica",
        description=f"Sign in and keep the server's token (never the password). The "
                    f"password comes from {PASSWORD_ENV} or is asked for; where there is no "
                    f"OS keyring, {MASTER_PASSWORD_ENV} opens an encrypted credential file.")
    login.add_argument("url", metavar="URL", help="the server, e.g. https://desk.example.org")
    login.add_argument("username", metavar="USERNAME")
    commands.add_parser("logout", help="revoke the token on the server and forget it here")
    commands.add_parser("sync", help="synchronise once with the server and print a summary")
    return commands


def run_command(args: argparse.Namespace, workspace: Workspace) -> int:
    handlers: dict[str, Callable[[argparse.Namespace, Workspace], int]] = {
        "login": _login, "logout": _logout, "sync": _sync,
    }
    return handlers[args.command](args, workspace)


# --- Commands ---------------------------------------------------------------------------


def _login(args: argparse.Namespace, workspace: Workspace) -> int:
    from desktopdesk.sync.account import sign_in
    from desktopdesk.sync.client_http import (
        BadServerUrlError,
        normalise_server_url,
        sends_secrets_in_clear,
    )

    try:
        url = normalise_server_url(args.url)
    except BadServerUrlError as error:
        raise CommandError(str(error), BAD_INPUT) from None
    username = args.username.strip()
    if not username:
        raise CommandError("the username is empty", BAD_INPUT)
    _check_can_become_replica(workspace, url, username)
    if sends_secrets_in_clear(url):
        print(f"desktopdesk: warning: {url} is plain http: the password and token cross "
              "the network unencrypted; use https:// unless this network is trusted",
              file=sys.stderr)
    password = _password(username, url)
    store = _credential_store(workspace)  # before signing in: no token without a home

    with _server_errors(url, "refused the sign-in"):
        # Nothing outlives this command to hold a memory-only token: it is revoked again.
        signed_in = _with_credential_errors(lambda: sign_in(
            workspace, url, username, password, store, keep_session_token=False))
    print(f"Signed in to {url} as {signed_in.user.username}; the token is kept in "
          f"{signed_in.store_where}")
    if not signed_in.token_kept:
        print(f"desktopdesk: note: with nowhere to keep it, the token was revoked "
              f"again; set {MASTER_PASSWORD_ENV} to keep it in an encrypted file",
              file=sys.stderr)
    return 0


def _logout(_args: argparse.Namespace, workspace: Workspace) -> int:
    from desktopdesk.sync.client_http import ServerClient, ServerError, ServerUnreachable

    url, username = _server_of(workspace)
    store = _credential_store(workspace)
    token = _with_credential_errors(lambda: store.load(url, username))
    outcome = "no token was kept here"
    if token is not None:
        with ServerClient(url, token.access_token) as client:
            try:
                client.logout()
                outcome = "the token was revoked on the server"
            except ServerUnreachable as error:
                outcome = (f"the server could not be reached ({error.reason}), so the token "
                           f"stays valid there until {token.expires_at:%Y-%m-%d %H:%M} UTC")
            except ServerError as error:
                outcome = ("the server had already ended the token" if error.needs_sign_in
                           else f"the server did not revoke the token: {error.message}")
        _with_credential_errors(lambda: store.forget(url, username))
    print(f"Signed out of {url} as {username}; {outcome}.")
    return 0


def _sync(_args: argparse.Namespace, workspace: Workspace) -> int:
    from desktopdesk.sync.account import NoTokenError, UnknownSyncUserError, server_link
    from desktopdesk.sync.account import sync_with_server as sync_once
    from desktopdesk.sync.meta import ProtocolRefusedError
    from desktopdesk.sync.rebuild import RebuildError

    url, username = _server_of(workspace)
    try:
        link = server_link(workspace)
    except UnknownSyncUserError:
        raise CommandError(f"{workspace.data_dir} does not record who it syncs for; sign in "
                           f"again with: desktopdesk --data-dir {workspace.data_dir} login "
                           f"{url} {username}") from None
    store = _credential_store(workspace)
    try:
        with _server_errors(url, "refused the sync"):
            summary = _with_credential_errors(lambda: sync_once(workspace, link, store))
    except NoTokenError:
        raise CommandError(f"no valid token for {username} at {url} (signed out, expired, "
                           f"or kept only in memory); sign in again with: desktopdesk "
                           f"--data-dir {workspace.data_dir} login {url} {username}") from None
    except (ProtocolRefusedError, RebuildError) as refusal:
        raise CommandError(f"{url}: {refusal}") from None
    print(_describe(url, summary))
    return 0


def _describe(url: str, summary: SyncSummary) -> str:
    """The summary for people; rejected changes are listed (they wait as conflicts)."""
    lines = [f"Synced with {url}: sent {_count(summary.pushed, 'change')} ({summary.applied} "
             f"applied, {summary.rejected} rejected), received "
             f"{_count(summary.pulled_rows, 'row')} in {_count(summary.pages, 'page')}; "
             f"{_count(summary.still_pending, 'change')} still to send."]
    lines += [f"  not applied: {message}" for message in summary.conflicts]
    if summary.rebuilt is not None:
        rebuilt = summary.rebuilt
        resent = (f"; {_count(rebuilt.resent, 'change')} it had lost went to it again"
                  if rebuilt.resent else "")
        lines.append(f"  The server was restored or reset ({rebuilt.reason}): this copy was "
                     f"rebuilt from it{resent}. The previous copy is kept as "
                     f"{rebuilt.backup}.")
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# --- Pieces -----------------------------------------------------------------------------


def _check_can_become_replica(workspace: Workspace, url: str, username: str) -> None:
    """Refuse before any password is sent, so a refused login leaves no token behind."""
    from desktopdesk.sync.account import (
        OtherReplicaError,
        StandaloneWorkspaceError,
        check_can_become_replica,
    )

    try:
        check_can_become_replica(workspace, url, username)
    except StandaloneWorkspaceError:
        raise CommandError(
            f"{workspace.data_dir} holds a standalone workspace with its own data; a "
            "standalone workspace cannot become a replica of a server (its tickets were "
            "never on the server). Sign in with a fresh data folder: desktopdesk "
            f"--data-dir NEW_FOLDER login {url} {username}", BAD_INPUT) from None
    except OtherReplicaError as other:
        raise CommandError(
            f"{workspace.data_dir} holds {other.known_username}'s copy of {other.known_url}; "
            f"a replica belongs to one server and one user. Use a fresh data folder for "
            f"{username} at {url}", BAD_INPUT) from None


def _server_of(workspace: Workspace) -> tuple[str, str]:
    url, username = workspace.info("server_url"), workspace.info("server_username")
    if not url or not username:
        raise CommandError(f"{workspace.data_dir} is not linked to a server; sign in first "
                           f"with: desktopdesk --data-dir {workspace.data_dir} login URL "
                           "USERNAME")
    return url, username


def _password(username: str, url: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not _interactive():
            raise CommandError(f"no password: set {PASSWORD_ENV} or run in a terminal to "
                               "be asked", BAD_INPUT)
        try:
            password = getpass.getpass(f"Password for {username} at {url}: ")
        except EOFError:
            password = ""
    if not password:
        raise CommandError("the password is empty", BAD_INPUT)
    return password


def _credential_store(workspace: Workspace) -> CredentialStore:
    from desktopdesk.sync.credentials import CredentialStore, credentials_file, find_os_vault

    def open_store() -> CredentialStore:
        master = os.environ.get(MASTER_PASSWORD_ENV) or None
        if master is None and _interactive() and find_os_vault() is None:
            master = _ask_master_password(credentials_file(workspace.data_dir).exists())
        return CredentialStore.open(workspace.data_dir, master_password=master)

    return _with_credential_errors(open_store)


def _ask_master_password(file_exists: bool) -> str | None:
    """In a terminal with no OS keyring: a master password, or None for memory only."""
    action = "that opens" if file_exists else "to create"
    master = getpass.getpass(f"There is no OS keyring here. Master password {action} the "
                             "encrypted credential file (empty: keep the token for this "
                             "command only): ")
    if master and not file_exists and getpass.getpass("Repeat it: ") != master:
        raise CommandError("the two master passwords differ", BAD_INPUT)
    return master or None


def _with_credential_errors(call: Callable[[], T]) -> T:
    from keyring.errors import KeyringError

    from desktopdesk.sync.credentials import CredentialError

    try:
        return call()
    except (CredentialError, KeyringError) as error:
        raise CommandError(str(error)) from None


@contextmanager
def _server_errors(url: str, refused: str) -> Iterator[None]:
    """The client's two failure kinds as one-line command errors."""
    from desktopdesk.sync.client_http import ServerError, ServerUnreachable

    try:
        yield
    except ServerUnreachable as error:
        raise CommandError(f"the server at {url} could not be reached: {error.reason}") \
            from None
    except ServerError as error:
        raise CommandError(f"{url} {refused}: {error.message}") from None


def _interactive() -> bool:
    """Someone at a terminal who can answer a prompt (stdin is None under pythonw)."""
    return sys.stdin is not None and sys.stdin.isatty()

