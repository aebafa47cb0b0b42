"""What the status mapping editor reads and saves, as plain functions the runner calls.

No Qt here: each call opens its own session on the worker and hands back frozen data.
The warnings are worded here too (from ``workflow.mapping_problems``), so the editor only
shows them; they are computed on every tick, which is pure and cheap.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from desktopdesk.domain import workflow
from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.admin_queries import (
    MappingState,
    mapping_state,
    may_set_up,
    problems_of,
)
from desktopdesk.domain.commands import SetStatusMapping
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.models import AT_CREATION, Status
from desktopdesk.store.workspace import Workspace

#: A mapping as the editor holds it: sorted (from, to) rows, ``from`` 0 for creation.
Transitions = tuple[tuple[int, int], ...]

NO_CREATION_REFUSAL = ("Tick at least one status a new ticket may start in (the "
                       "\"At creation\" row).")
OPEN_MOVES_NOTE = "No move is ticked, so every move is allowed (the open workflow)."



@dataclass(frozen=True)
class MappingLoad:
    """One read of the mapping for the editor."""

    state: MappingState
    #: What the grid shows for it: an empty mapping (the open workflow) written out.
    shown: Transitions
    #: Whether this person's Save would go through (the command decides anyway).
    may_change: bool


def normalised(transitions: Iterable[tuple[int, int]]) -> Transitions:
    """Sorted and without repeats: two mappings compare equal when they allow the same."""
    return tuple(sorted({(int(a), int(b)) for a, b in transitions}))


def shown_mapping(stored: Transitions) -> Transitions:
    """An empty mapping allows everything; the grid says so with every box ticked."""
    return normalised(stored) if stored else workflow.open_workflow()


def load_mapping(workspace: Workspace, user_id: uuid.UUID) -> MappingLoad:
    with workspace.read() as session:
        state = mapping_state(session)
        may_change = may_set_up(load_permissions(session, user_id))
    return MappingLoad(state, shown_mapping(state.transitions), may_change)


def creation_statuses(transitions: Transitions) -> tuple[Status, ...]:
    return tuple(Status(to) for frm, to in transitions if frm == AT_CREATION)


def warning_lines(transitions: Transitions,
                  open_tickets: Mapping[Status, int]) -> tuple[str, ...]:
    """The dead ends of ``transitions`` in words, with the open tickets a status with no
    way to Closed would strand; empty when the mapping has none."""
    has_moves = any(frm != AT_CREATION for frm, _ in transitions)
    if not has_moves:
        return (OPEN_MOVES_NOTE,)
    lines = []
    for problem in problems_of(transitions):
        line = problem.message
        if problem.kind in (workflow.NO_WAY_OUT, workflow.NEVER_CLOSES):
            stranded = sum(open_tickets.get(status, 0) for status in problem.statuses)
            if stranded:
                tickets = "1 open ticket is" if stranded == 1 else f"{stranded} open tickets are"
                line += f" {tickets} there now."
        lines.append(line)
    return tuple(lines)


def save_mapping(workspace: Workspace, user_id: uuid.UUID,
                 transitions: Transitions) -> CommandResult:
    """The whole grid in one ``SetStatusMapping`` (one transaction).

    Refused before sending when no creation status is ticked: the command would read that
    as "any open status", which a grid with its creation row left empty never means.
    """
    if not creation_statuses(transitions):
        raise DomainError(VALIDATION, NO_CREATION_REFUSAL, "creation")
    return workspace.execute(SetStatusMapping(transitions=normalised(transitions)), user_id)


def attempt_save_mapping(workspace: Workspace, user_id: uuid.UUID,
                         transitions: Transitions) -> CommandResult | DomainError:
    """``save_mapping``, with a refusal handed back as a value: a refusal is an answer,
    not a failure, so the runner does not log it as one."""
    try:
        return save_mapping(workspace, user_id, transitions)
    except DomainError as refusal:
        return refusal
