"""Setting up an empty workspace: its first super-admin and the standard profiles.

The first administrator cannot be created by a command (a command needs an actor who
may create users), so it is the one row written directly; everything after it goes
through ``Workspace.execute``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from desktopdesk.domain.commands import CreateProfile
from desktopdesk.models import User, utc_now
from desktopdesk.store.workspace import Workspace

#: Integria's seed profiles, with the ticket bits that matter here.
STANDARD_PROFILES = (
    CreateProfile(name="Standard user", can_view=True, can_edit=True),
    CreateProfile(name="Incident manager", can_view=True, can_edit=True, can_manage=True),
    CreateProfile(name="Escalate", can_escalate=True),
    CreateProfile(name="QA engineer", can_view=True, can_qa=True),
)


class WorkspaceNotEmptyError(Exception):
    pass


def create_first_admin(
    workspace: Workspace, username: str = "admin", full_name: str = "Administrator"
) -> uuid.UUID:
    with workspace.sessions.begin() as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise WorkspaceNotEmptyError("this workspace already has users")
        now = utc_now()
        admin = User(username=username, full_name=full_name, is_superadmin=True,
                     created_at=now, updated_at=now, version=0)
        session.add(admin)
        session.flush()
        return admin.id


def initialise_workspace(workspace: Workspace, username: str = "admin",
                         full_name: str = "Administrator") -> uuid.UUID:
    """First admin plus the standard profiles; returns the admin's id."""
    admin_id = create_first_admin(workspace, username, full_name)
    for template in STANDARD_PROFILES:
        # Fresh command ids: the templates are shared, their ids must not be.
        workspace.execute(CreateProfile(**{
            k: v for k, v in vars(template).items() if k not in ("command_id", "profile_id")
        }), admin_id)
    return admin_id
