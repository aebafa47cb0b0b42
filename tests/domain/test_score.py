"""ScoreTicket: the creator of a closed ticket rates how it was handled, where evaluation is
on; what the ticket view offers follows the same rules."""

from __future__ import annotations

import uuid

import pytest

from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.commands import (
    AddMembership,
    ChangeSetting,
    CloseTicket,
    CreateProfile,
    ReopenTicket,
    ScoreTicket,
    UpdateGroup,
)
from desktopdesk.domain.errors import (
    DUPLICATE,
    FORBIDDEN,
    INVALID_TRANSITION,
    NOT_FOUND,
    VALIDATION,
)
from desktopdesk.domain.history import EventKind
from desktopdesk.domain.ticket_details import TicketDetails, load_ticket_details
from desktopdesk.models import Resolution
from tests.conftest import Org
from tests.domain.support import history, new_ticket, refused, snapshot, ticket


def closed_ticket(org: Org) -> uuid.UUID:
    """Filed by ana in Acme, owned and closed by ramon."""
    ticket_id = new_ticket(org, org.ana)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)
    return ticket_id


def details(org: Org, reader: uuid.UUID, ticket_id: uuid.UUID) -> TicketDetails:
    with org.ws.read() as session:
        return load_ticket_details(session, load_permissions(session, reader), ticket_id)


def test_the_creator_rates_a_closed_ticket_and_the_history_says_so(org: Org) -> None:
    ticket_id = closed_ticket(org)
    assert details(org, org.ana, ticket_id).may_score

    org.do(ScoreTicket(ticket_id=ticket_id, score=8), org.ana)

    assert ticket(org, ticket_id).score == 8
    (event,) = [e for e in history(org, ticket_id, EventKind.FIELD_CHANGED)
                if e.field == "score"]
    assert event.actor_id == org.ana
    assert (event.old_value, event.new_value) == ("", ""), "the owner reads the history too"
    after = details(org, org.ana, ticket_id)
    assert not after.may_score
    assert after.score == 8


def test_only_the_creator_may_rate(org: Org) -> None:
    ticket_id = closed_ticket(org)
    for other in (org.ramon, org.bob, org.admin):
        assert not details(org, other, ticket_id).may_score
        error = refused(org, ScoreTicket(ticket_id=ticket_id, score=5), other, FORBIDDEN)
        assert error.message == "Only the ticket's creator rates how it was handled."
        assert error.field == "score"


def test_only_a_closed_ticket_is_rated(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    assert not details(org, org.ana, ticket_id).may_score
    refused(org, ScoreTicket(ticket_id=ticket_id, score=5), org.ana, INVALID_TRANSITION)


def test_a_ticket_is_rated_once(org: Org) -> None:
    ticket_id = closed_ticket(org)
    org.do(ScoreTicket(ticket_id=ticket_id, score=3), org.ana)
    before = snapshot(org)
    refused(org, ScoreTicket(ticket_id=ticket_id, score=10), org.ana, DUPLICATE)
    assert ticket(org, ticket_id).score == 3
    assert snapshot(org) == before


@pytest.mark.parametrize("score", [0, 11, -1])
def test_a_score_is_one_to_ten(org: Org, score: int) -> None:
    ticket_id = closed_ticket(org)
    error = refused(org, ScoreTicket(ticket_id=ticket_id, score=score), org.ana, VALIDATION)
    assert error.message == "A score is a whole number from 1 to 10."


def test_the_setting_switches_evaluation_off_everywhere(org: Org) -> None:
    ticket_id = closed_ticket(org)
    org.do(ChangeSetting(key="qa_evaluation_disabled", value=True), org.admin)
    assert not details(org, org.ana, ticket_id).may_score
    error = refused(org, ScoreTicket(ticket_id=ticket_id, score=8), org.ana, FORBIDDEN)
    assert error.message == "Evaluation of tickets is switched off in the settings."


def test_a_group_switches_evaluation_off_for_its_tickets(org: Org) -> None:
    ticket_id = closed_ticket(org)
    org.do(UpdateGroup(group_id=org.acme_group, changes={"qa_evaluation": False}), org.admin)
    assert not details(org, org.ana, ticket_id).may_score
    error = refused(org, ScoreTicket(ticket_id=ticket_id, score=8), org.ana, FORBIDDEN)
    assert error.message == "Evaluation is switched off for the tickets of 'Acme'."
    other = new_ticket(org, org.ramon, org.support)
    org.do(CloseTicket(ticket_id=other, resolution=Resolution.FIXED), org.ramon)
    assert details(org, org.ramon, other).may_score, "Support still asks"


def test_a_hidden_ticket_is_not_found(org: Org) -> None:
    ticket_id = closed_ticket(org)
    refused(org, ScoreTicket(ticket_id=ticket_id, score=8), org.javi, NOT_FOUND)


def test_the_score_is_kept_from_the_owner_but_not_from_qa(org: Org) -> None:
    ticket_id = closed_ticket(org)
    org.do(ScoreTicket(ticket_id=ticket_id, score=2), org.ana)
    assert details(org, org.ramon, ticket_id).score == 0, "ramon owns it"
    assert details(org, org.admin, ticket_id).score == 2
    qa = org.do(CreateProfile(name="Quality", can_view=True, can_qa=True), org.admin).created_id
    assert qa is not None
    org.do(AddMembership(user_id=org.tomas, group_id=org.acme_group, profile_id=qa),
           org.admin)
    assert details(org, org.tomas, ticket_id).score == 2


def test_a_reopened_ticket_is_not_rated_meanwhile(org: Org) -> None:
    ticket_id = closed_ticket(org)
    org.do(ReopenTicket(ticket_id=ticket_id), org.ramon)
    assert not details(org, org.ana, ticket_id).may_score


def test_reopening_clears_the_rating_so_the_next_close_is_rated_afresh(org: Org) -> None:
    ticket_id = closed_ticket(org)
    org.do(ScoreTicket(ticket_id=ticket_id, score=2), org.ana)
    org.do(ReopenTicket(ticket_id=ticket_id), org.ramon)
    assert ticket(org, ticket_id).score == 0
    # Rated, then cleared: the history says both, never the score itself.
    assert len([e for e in history(org, ticket_id)
                if e.kind == EventKind.FIELD_CHANGED and e.field == "score"]) == 2

    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)
    assert details(org, org.ana, ticket_id).may_score
    org.do(ScoreTicket(ticket_id=ticket_id, score=9), org.ana)
    assert ticket(org, ticket_id).score == 9
