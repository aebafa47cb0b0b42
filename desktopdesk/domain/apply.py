"""The one function that changes anything: ``apply(session, command, actor_id, ctx)``.

It checks permission and rules against current state, writes rows, history and the
command log in the caller's transaction, and returns what changed or raises
``DomainError``. The caller owns the transaction (``with session.begin(): apply(...)``),
so a refusal leaves nothing written. The desktop and the server call this same code.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import Permissions, load_permissions
from desktopdesk.domain.commands import Command
from desktopdesk.domain.context import ApplyContext, CommandResult
from desktopdesk.domain.counters import CHANGE_SEQUENCE, COMMAND_LOG, next_value
from desktopdesk.domain.errors import DUPLICATE, FORBIDDEN, VALIDATION, DomainError
from desktopdesk.domain.history import HistoryWriter
from desktopdesk.domain.settings import Setting, read_setting, stored_settings
from desktopdesk.models import CommandLogEntry, Replicated
from desktopdesk.models.base import ids_derived_from

C = TypeVar("C", bound=Command)
T = TypeVar("T", bool, int, float, str)
Handler = Callable[["Action", Any], CommandResult]

_HANDLERS: dict[type[Command], Handler] = {}

_NOW_KEY = "desktopdesk.apply.now"
_VERSION_KEY = "desktopdesk.apply.version"


@dataclass
class Action:
    """Everything a handler needs for one command, computed once."""

    session: Session
    ctx: ApplyContext
    perms: Permissions
    history: HistoryWriter
    command: Command
    _settings: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def actor_id(self) -> uuid.UUID:
        return self.perms.user_id

    @property
    def now(self) -> dt.datetime:
        return self.ctx.now

    def setting(self, setting: Setting[T]) -> T:
        """A setting's value, read once per action (settings change by their own command)."""
        if self._settings is None:
            self._settings = stored_settings(self.session)
        return read_setting(self._settings, setting)

    def result(
        self,
        *,
        created_id: uuid.UUID | None = None,
        tickets: tuple[uuid.UUID, ...] = (),
        config_changed: bool = False,
        warnings: tuple[str, ...] = (),
    ) -> CommandResult:
        return CommandResult(
            command_id=self.command.command_id,
            command_name=self.command.command_name,
            created_id=created_id,
            changed_ticket_ids=tickets,
            config_changed=config_changed,
            warnings=warnings,
        )


def handles(command_type: type[C]) -> Callable[[Callable[[Action, C], CommandResult]], Handler]:
    def register(func: Callable[[Action, C], CommandResult]) -> Handler:
        _HANDLERS[command_type] = func
        return func

    return register


def apply(
    session: Session, command: Command, actor_id: uuid.UUID, ctx: ApplyContext
) -> CommandResult:
    # Handlers register themselves on import; importing here keeps `apply` self-contained.
    from desktopdesk.domain import handlers  # noqa: F401

    handler = _HANDLERS.get(type(command))
    if handler is None:
        raise DomainError(VALIDATION, f"No rule applies {command.command_name}.", "command")
    if ctx.now.tzinfo is None:
        raise ValueError("ApplyContext.now must be timezone-aware")
    if session.get(CommandLogEntry, command.command_id) is not None:
        raise DomainError(DUPLICATE, "This change has already been applied.")
    perms = load_permissions(session, actor_id)
    if not perms.enabled:
        raise DomainError(FORBIDDEN, "This account is disabled.")
    session.info[_NOW_KEY] = ctx.now
    if ctx.is_authority:
        session.info[_VERSION_KEY] = next_value(session, CHANGE_SEQUENCE)
    try:
        action = Action(
            session, ctx, perms, HistoryWriter(session, ctx, actor_id, command.command_id), command
        )
        with ids_derived_from(command.command_id):
            result = handler(action, command)
            session.flush()  # rows get their derived ids here, inside the scope
        session.add(
            CommandLogEntry(
                command_id=command.command_id,
                seq=next_value(session, COMMAND_LOG),
                name=command.command_name,
                actor_id=actor_id,
                applied_at=ctx.now,
                payload=command.to_json(),
            )
        )
        session.flush()
    finally:
        session.info.pop(_NOW_KEY, None)
        session.info.pop(_VERSION_KEY, None)
    return result


def change_version(session: Session) -> int | None:
    """The change-sequence value the authority is stamping in this flush, if any."""
    version = session.info.get(_VERSION_KEY)
    return version if isinstance(version, int) else None


@event.listens_for(Session, "before_flush")
def _stamp_rows(session: Session, _flush_context: object, _instances: object) -> None:
    """Stamp timestamps (and, on the authority, the change version) on touched rows.

    Done at flush so no handler can forget it; only inside ``apply``.
    """
    now = session.info.get(_NOW_KEY)
    if now is None:
        return
    version = session.info.get(_VERSION_KEY)
    for obj in session.new:
        if isinstance(obj, Replicated):
            if obj.created_at is None:
                obj.created_at = now
            if obj.updated_at is None:
                obj.updated_at = now
            if version is not None:
                obj.version = version
    for obj in session.dirty:
        if isinstance(obj, Replicated) and session.is_modified(obj, include_collections=False):
            obj.updated_at = now
            if version is not None:
                obj.version = version
