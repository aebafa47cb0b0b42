"""A workspace's link to a server: signing in and syncing, shared by the CLI and the window.

Both front ends call these steps and only differ in how they ask for a password and how
they word a failure: the command line names the command to run next, the window puts the
text next to the field at fault. So nothing here prints, prompts or imports Qt, and the
errors carry facts (URL, username, which input) rather than finished sentences, except
``attempt_sync``, whose outcome is meant to be shown as it is.

Every function blocks on the network or the keyring: call them off the GUI thread.
"""

from __future__ import annotations

import logging
import platform
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from keyring.errors import KeyringError
from sqlalchemy import func, select

from desktopdesk import __version__
from desktopdesk.models import Ticket, User
from desktopdesk.store.workspace import Role, Workspace
from desktopdesk.sync import client as sync_client
from desktopdesk.sync.client import SyncSummary
from desktopdesk.sync.client_http import (
    ServerClient,
    ServerClientError,
    ServerError,
    ServerUnreachable,
    ServerUser,
)
from desktopdesk.sync.credentials import CredentialError, CredentialStore, StoreKind
from desktopdesk.sync.http_transport import HttpTransport
from desktopdesk.sync.meta import ProtocolRefusedError
from desktopdesk.sync.rebuild import RebuildError

log = logging.getLogger("desktopdesk.sync")

#: workspace_info keys recording the link.
SERVER_URL = "server_url"
SERVER_USERNAME = "server_username"
SERVER_USER_ID = "server_user_id"


class AccountError(Exception):
    """The link to a server cannot be made or used as things stand."""


class StandaloneWorkspaceError(AccountError):
    """A standalone workspace with data of its own: its tickets were never on a server."""


class OtherReplicaError(AccountError):
    """The workspace already copies another server, or the same server for someone else."""

    def __init__(self, known_url: str, known_username: str) -> None:
        super().__init__(f"this workspace holds {known_username}'s copy of {known_url}")
        self.known_url = known_url
        self.known_username = known_username


class NotLinkedError(AccountError):
    """The workspace has never been signed in to a server."""


class UnknownSyncUserError(AccountError):
    """Linked, but who it syncs for was not recorded (a sign-in from an older version)."""

    def __init__(self, url: str, username: str) -> None:
        super().__init__(f"the workspace does not record who it syncs for at {url}")
        self.url = url
        self.username = username


class NoTokenError(AccountError):
    """No usable token: signed out, expired, or it was kept in memory by a past session."""

    def __init__(self, url: str, username: str) -> None:
        super().__init__(f"no valid token for {username} at {url}")
        self.url = url
        self.username = username


@dataclass(frozen=True)
class ServerLink:
    """Which server and account a replica syncs with (from ``workspace_info``)."""

    url: str
    username: str
    user_id: uuid.UUID


@dataclass(frozen=True)
class SignedIn:
    url: str
    user: ServerUser
    #: Where the token went, in words ("the OS keyring (...)").
    store_where: str
    store_kind: StoreKind
    #: False when there was nowhere to keep it and it was revoked again at once.
    token_kept: bool


def client_label() -> str:
    """How the server's token list names this client: program, version and computer."""
    return f"DesktopDesk {__version__} on {platform.node() or 'an unnamed computer'}"[:100]


# --- Signing in ---------------------------------------------------------------------------


def has_local_data(workspace: Workspace) -> bool:
    with workspace.read() as session:
        return any(session.scalar(select(func.count()).select_from(model))
                   for model in (User, Ticket))


def check_can_become_replica(workspace: Workspace, url: str, username: str) -> None:
    """Refuse before any password is sent, so a refused sign-in leaves no token behind.

    Only an empty workspace, or the same server and user's own replica, may sign in: a
    replica holds one user's view of one server.
    """
    if not has_local_data(workspace):
        return
    if workspace.role is Role.STANDALONE:
        raise StandaloneWorkspaceError("a standalone workspace cannot become a replica of a "
                                       "server (its tickets were never on the server)")
    known_url = workspace.info(SERVER_URL) or ""
    known_user = workspace.info(SERVER_USERNAME) or ""
    if known_url != url or known_user.lower() != username.lower():
        raise OtherReplicaError(known_url, known_user)


def sign_in(workspace: Workspace, url: str, username: str, password: str,
            store: CredentialStore, *, label: str | None = None,
            keep_session_token: bool = True) -> SignedIn:
    """Exchange the password for a token, keep the token, and make the workspace a replica.

    ``url`` is already normalised and ``check_can_become_replica`` already passed. Raises
    the client's ``ServerError``/``ServerUnreachable`` as they come, and ``CredentialError``
    when the token cannot be kept (it is revoked again first: a live token nobody holds
    is only a risk). With a memory-only store, ``keep_session_token=False`` (a command
    that exits at once) revokes the token too; a window that keeps running keeps it.
    """
    with ServerClient(url) as client:
        token = client.login(username, password, label or client_label())
        try:
            user = client.me()
        except ServerClientError:
            _revoke_quietly(client)
            raise
        try:
            store.save(url, user.username, token)
        except (CredentialError, KeyringError) as error:
            _revoke_quietly(client)
            raise CredentialError(f"{error}; the new token was revoked again") from None
        workspace.set_info(SERVER_URL, url)
        workspace.set_info(SERVER_USERNAME, user.username)
        workspace.set_info(SERVER_USER_ID, str(user.id))
        if workspace.role is not Role.REPLICA:
            workspace.set_info("role", Role.REPLICA.value)
        kept = store.persistent or keep_session_token
        if not kept:
            _revoke_quietly(client)
            store.forget(url, user.username)
    log.info("signed in to %s as %s (token in %s)", url, user.username, store.kind)
    return SignedIn(url=url, user=user, store_where=store.where, store_kind=store.kind,
                    token_kept=kept)


def _revoke_quietly(client: ServerClient) -> None:
    try:
        client.logout()
    except ServerClientError:
        log.warning("could not revoke the token at %s", client.url, exc_info=True)


# --- Syncing ------------------------------------------------------------------------------


def server_link(workspace: Workspace) -> ServerLink:
    """The server this workspace syncs with; ``NotLinkedError`` if it has none."""
    url, username = workspace.info(SERVER_URL), workspace.info(SERVER_USERNAME)
    if not url or not username:
        raise NotLinkedError("this workspace is not linked to a server")
    recorded_id = workspace.info(SERVER_USER_ID)
    if not recorded_id:
        raise UnknownSyncUserError(url, username)
    return ServerLink(url=url, username=username, user_id=uuid.UUID(recorded_id))


def sync_with_server(workspace: Workspace, link: ServerLink,
                     store: CredentialStore) -> SyncSummary:
    """One ``run_sync`` over HTTP with the kept token.

    A token the server no longer honours (401) is forgotten, so the next attempt says
    "sign in again" at once instead of asking the server each time.
    """
    token = store.load(link.url, link.username)
    if token is None:
        raise NoTokenError(link.url, link.username)
    with ServerClient(link.url, token.access_token) as client:
        try:
            # Looked up at call time, so tests can stand in for the protocol.
            return sync_client.run_sync(workspace, HttpTransport(client), link.user_id)
        except ServerError as error:
            if error.needs_sign_in:
                store.forget(link.url, link.username)
            raise


@dataclass(frozen=True)
class SyncAttempt:
    """How one background sync went, in the terms a status indicator needs."""

    summary: SyncSummary | None
    #: False only when the server gave no answer at all (offline is a state, not a bug).
    reachable: bool
    #: For people; empty when the sync went through.
    problem: str = ""
    needs_sign_in: bool = False


def attempt_sync(workspace: Workspace, link: ServerLink,
                 open_store: Callable[[], CredentialStore]) -> SyncAttempt:
    """``sync_with_server`` with every expected failure turned into an outcome.

    Only bugs escape: being offline, signed out or refused is something the app lives
    with (work stays in the outbox), so it is reported, not raised and logged as an error.
    """
    store: CredentialStore | None = None
    try:
        store = open_store()
        summary = sync_with_server(workspace, link, store)
    except ServerUnreachable as error:
        log.info("sync: offline (%s)", error.reason)
        return SyncAttempt(None, reachable=False, problem=(
            f"Offline: {error.reason}. Your work is kept and will be sent when the server "
            "can be reached."))
    except NoTokenError:
        return SyncAttempt(None, reachable=True, needs_sign_in=True,
                           problem=_not_signed_in(link.url, store))
    except ServerError as error:
        if error.needs_sign_in:
            return SyncAttempt(None, reachable=True, needs_sign_in=True, problem=(
                "The server ended this sign-in. Sign in again to sync; your work is kept."))
        return SyncAttempt(None, reachable=True,
                           problem=f"The server refused the sync: {error.message}")
    except ProtocolRefusedError as error:
        return SyncAttempt(None, reachable=True, problem=error.message)
    except RebuildError as error:
        return SyncAttempt(None, reachable=True, problem=(
            f"The server was restored, and this copy could not be rebuilt yet: {error}. "
            "The next sync tries again."))
    except (CredentialError, KeyringError) as error:
        return SyncAttempt(None, reachable=True, problem=f"The sign-in could not be read: "
                                                         f"{error}")
    return SyncAttempt(summary, reachable=True)


def _not_signed_in(url: str, store: CredentialStore | None) -> str:
    """Why there is no token, as far as the store tells: a session-only store says why."""
    if store is not None and not store.persistent:
        return (f"Not signed in to {url}: sign-ins are kept in {store.where}. Sign in again "
                "to sync; your work is kept.")
    return (f"Not signed in to {url} (signed out, expired, or the sign-in was kept only for "
            "the last session). Sign in again to sync; your work is kept.")
