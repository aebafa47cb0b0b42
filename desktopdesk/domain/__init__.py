"""Domain rules and commands: pure Python over the models, no Qt.

The public surface: build a command from :mod:`desktopdesk.domain.commands`, then
``apply(session, command, actor_id, ctx)`` inside one transaction.
"""

from desktopdesk.domain.apply import apply
from desktopdesk.domain.context import ApplyContext, CommandResult
from desktopdesk.domain.errors import DomainError

__all__ = ["ApplyContext", "CommandResult", "DomainError", "apply"]
