"""Filling a new server store: the first administrator (``init``) or the demo (``seed-demo``).

Both refuse a store that already has users, so neither can overwrite a live server. The
CLI and the test fixtures share these functions, so the tests exercise what ``init`` and
``seed-demo`` really do.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from desktopdesk.models import User
from desktopdesk.server.auth import Auth
from desktopdesk.server.config import ServerConfig, write_config_file
from desktopdesk.store.bootstrap import WorkspaceNotEmptyError, initialise_workspace
from desktopdesk.store.demo import DEMO_PASSWORD, DEMO_USERNAMES, seed_demo
from desktopdesk.store.workspace import Workspace


def open_store(config: ServerConfig) -> Workspace:
    """The server's store (created and migrated to head if need be)."""
    return Workspace.open(config.data_dir, config.database_url)


def user_count(workspace: Workspace) -> int:
    with workspace.read() as session:
        return session.scalar(select(func.count()).select_from(User)) or 0


def ensure_config_file(config: ServerConfig) -> bool:
    """Write ``server.toml`` unless one exists (an administrator may have prepared it)."""
    if config.config_file.exists():
        return False
    write_config_file(config)
    return True


def initialise_server(workspace: Workspace, auth: Auth, admin_password: str) -> uuid.UUID:
    """The first super-admin ("admin") with its password, plus the standard profiles."""
    _require_empty(workspace)
    admin_id = initialise_workspace(workspace)
    auth.set_password(admin_id, admin_password)
    return admin_id


def seed_demo_server(
    workspace: Workspace, auth: Auth, *, today: dt.datetime | None = None
) -> tuple[str, ...]:
    """The desktop's demo workspace, with every demo account's password set to "demo"."""
    _require_empty(workspace)
    seed_demo(workspace, today=today)
    with workspace.read() as session:
        rows = session.execute(
            select(User.username, User.id).where(User.username.in_(DEMO_USERNAMES)))
        ids = {username: user_id for username, user_id in rows}
    for username in DEMO_USERNAMES:
        auth.set_password(ids[username], DEMO_PASSWORD)
    return DEMO_USERNAMES


def _require_empty(workspace: Workspace) -> None:
    users = user_count(workspace)
    if users:
        raise WorkspaceNotEmptyError(
            f"the server store in {workspace.data_dir} is already initialised ({users} "
            "users)")
