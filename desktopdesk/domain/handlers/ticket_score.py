"""ScoreTicket: the creator rates how their closed ticket was handled (Integria's Q/A
satisfaction score, 1 to 10; 0 on the ticket means "not rated").

Asked only where evaluation is on: not switched off for everyone (the
``qa_evaluation_disabled`` setting) and on for the ticket's group (its ``qa_evaluation``
flag). The history says that the ticket was rated, not the score: everyone who reads the
ticket reads its history, and the manual keeps the score from the people who handled it.
"""

from __future__ import annotations

from desktopdesk.domain import acl, settings
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import ScoreTicket
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import (
    DUPLICATE,
    FORBIDDEN,
    INVALID_TRANSITION,
    VALIDATION,
    DomainError,
)
from desktopdesk.domain.handlers.common import ticket_label
from desktopdesk.domain.handlers.ticket_rules import RuleView
from desktopdesk.domain.history import EventKind
from desktopdesk.models import Group, Status, Ticket

LOWEST_SCORE = 1
HIGHEST_SCORE = 10
#: What each score says, as Integria words the ones it offers.
SCORE_WORDS = {
    10: "Very good, excellent",
    8: "Good, very satisfied",
    6: "It's OK, but could be better",
    5: "Average: not bad, not good",
    4: "Bad, it must get better",
    2: "Very bad",
    1: "Horrible, it needs to change",
}


def evaluation_refusal(view: RuleView, ticket: Ticket) -> DomainError | None:
    """Why the reader may not rate ``ticket`` now, or None when they may (and have not
    yet): the handler's own decision, which the view also asks to offer the control."""
    if ticket.creator_id != view.perms.user_id:
        return DomainError(FORBIDDEN, "Only the ticket's creator rates how it was handled.",
                           "score")
    if ticket.status != Status.CLOSED:
        return DomainError(INVALID_TRANSITION, f"{ticket_label(ticket)} is rated once it is "
                                               "closed.", "score")
    if view.setting(settings.QA_EVALUATION_DISABLED):
        return DomainError(FORBIDDEN, "Evaluation of tickets is switched off in the settings.",
                           "score")
    group = view.session.get(Group, ticket.group_id)
    if group is None or not group.qa_evaluation:
        name = f"'{group.name}'" if group is not None else "this group"
        return DomainError(FORBIDDEN, f"Evaluation is switched off for the tickets of {name}.",
                           "score")
    if ticket.score:
        return DomainError(DUPLICATE, f"{ticket_label(ticket)} has already been rated.",
                           "score")
    return None


def may_see_score(view: RuleView, ticket: Ticket) -> bool:
    """The creator, and those with Q/A on the group (super-admins too), see the score;
    the owner and the rest of the help desk do not."""
    perms = view.perms
    return ticket.creator_id == perms.user_id or perms.access(ticket.group_id).qa


@handles(ScoreTicket)
def score_ticket(action: Action, cmd: ScoreTicket) -> CommandResult:
    ticket = acl.require_visible(action.session, action.perms, cmd.ticket_id)
    if isinstance(cmd.score, bool) or not LOWEST_SCORE <= cmd.score <= HIGHEST_SCORE:
        raise DomainError(VALIDATION, f"A score is a whole number from {LOWEST_SCORE} to "
                                      f"{HIGHEST_SCORE}.", "score")
    refusal = evaluation_refusal(action, ticket)
    if refusal is not None:
        raise refusal
    ticket.score = cmd.score
    action.history.record(ticket.id, EventKind.FIELD_CHANGED, "score")
    return action.result(tickets=(ticket.id,))
