"""Quick edit's round trip: an inline change becomes a command, applied in the background.

The command is the one the ticket form sends (``AssignOwner``, ``UpdateTicketFields``,
``ChangeStatus``), so every rule applies; a refusal is told through ``messages`` and the
row is left as it was, a success re-reads the row. A refusal is an answer, not a
failure: it comes back as a value, so the task runner does not log it as an error.
"""

from __future__ import annotations

import functools
import uuid

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from desktopdesk.domain.commands import Command
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.ticket_list_query import ListedTicket
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_list_model import TicketListModel
from desktopdesk.ui.ticket_source import quick_edit_command


def attempt(workspace: Workspace, user_id: uuid.UUID,
            command: Command) -> CommandResult | DomainError:
    """Apply ``command`` as ``user_id``: its result, or the rule that refused it."""
    try:
        return workspace.execute(command, user_id)
    except DomainError as refusal:
        return refusal


class QuickEditor(QObject):
    edit_applied = Signal(object)  # the CommandResult
    edit_refused = Signal(object)  # the DomainError

    def __init__(self, runner: TaskRunner, workspace: Workspace, user_id: uuid.UUID,
                 model: TicketListModel, parent: QWidget) -> None:
        super().__init__(parent)
        self._runner = runner
        self._workspace = workspace
        self._user_id = user_id
        self._model = model
        self._window = parent
        model.edit_requested.connect(self._on_model_edit_requested)

    @Slot(object, str, object)
    def _on_model_edit_requested(self, ticket: ListedTicket, field: str,
                                 value: object) -> None:
        command = quick_edit_command(ticket, field, value)
        task = self._runner.run(functools.partial(attempt, self._workspace, self._user_id,
                                                  command))
        task.succeeded.connect(functools.partial(self._on_edit_done, ticket.id))
        task.failed.connect(self._on_edit_failed)

    def _on_edit_done(self, ticket_id: uuid.UUID,
                      outcome: CommandResult | DomainError) -> None:
        if isinstance(outcome, DomainError):
            self.edit_refused.emit(outcome)
            messages.warning(self._window, outcome.message, title="Not changed")
            return
        self._model.refresh_tickets([ticket_id, *outcome.changed_ticket_ids])
        self.edit_applied.emit(outcome)
        if outcome.warnings:
            messages.info(self._window, "\n".join(outcome.warnings))

    @Slot(object)
    def _on_edit_failed(self, error: BaseException) -> None:
        messages.error(self._window, "The change could not be saved.", details=str(error))
