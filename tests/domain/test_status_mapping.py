"""The status mapping is enforced on every status change, creation included."""

from __future__ import annotations

import itertools
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktopdesk.domain.commands import (
    ChangeStatus,
    CloseTicket,
    CreateTicket,
    ReopenTicket,
    SetStatusMapping,
)
from desktopdesk.domain.errors import INVALID_TRANSITION, NOT_OWNER, VALIDATION
from desktopdesk.models import AT_CREATION, Resolution, Status
from tests.conftest import Org
from tests.domain.support import new_ticket, refused, ticket

NEW, ASSIGNED, REOPENED, PENDING_CLOSE, THIRD, CLOSED = (
    Status.NEW, Status.ASSIGNED, Status.REOPENED, Status.PENDING_TO_BE_CLOSED,
    Status.PENDING_THIRD_PERSON, Status.CLOSED,
)
#: The manual's practical example.
MANUAL_EXAMPLE = (
    (NEW, ASSIGNED), (NEW, THIRD),
    (ASSIGNED, PENDING_CLOSE), (THIRD, PENDING_CLOSE),
    (PENDING_CLOSE, CLOSED),
    (CLOSED, REOPENED),
)
OPEN = [s for s in Status if s is not CLOSED]


def move(status: Status, ticket_id: uuid.UUID) -> ChangeStatus:
    resolution = Resolution.FIXED if status is CLOSED else None
    return ChangeStatus(ticket_id=ticket_id, status=status, resolution=resolution)


def set_mapping(org: Org, pairs: tuple[tuple[int, int], ...]) -> None:
    org.do(SetStatusMapping(transitions=tuple((int(a), int(b)) for a, b in pairs)), org.admin)


def test_the_manuals_example(org: Org) -> None:
    set_mapping(org, MANUAL_EXAMPLE)
    ticket_id = new_ticket(org, org.ana)
    assert ticket(org, ticket_id).status is NEW

    for forbidden in (PENDING_CLOSE, CLOSED, REOPENED):
        error = refused(org, move(forbidden, ticket_id), org.ramon, INVALID_TRANSITION)
        assert f"New -> {forbidden.label}" in error.message
    org.do(move(ASSIGNED, ticket_id), org.ramon)
    refused(org, move(CLOSED, ticket_id), org.ramon, INVALID_TRANSITION)
    refused(org, move(THIRD, ticket_id), org.ramon, INVALID_TRANSITION)
    org.do(move(PENDING_CLOSE, ticket_id), org.ramon)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)
    org.do(ReopenTicket(ticket_id=ticket_id), org.ramon)
    assert ticket(org, ticket_id).status is REOPENED
    # The example says nothing about leaving Reopened: nothing is allowed from it.
    refused(org, move(ASSIGNED, ticket_id), org.ramon, INVALID_TRANSITION)

    other = new_ticket(org, org.ana)
    org.do(move(THIRD, other), org.ramon)
    org.do(move(PENDING_CLOSE, other), org.ramon)


def test_without_closed_to_reopened_a_closed_ticket_stays_closed(org: Org) -> None:
    set_mapping(org, ((NEW, CLOSED),))
    ticket_id = new_ticket(org, org.ana)
    org.do(move(CLOSED, ticket_id), org.ramon)

    error = refused(org, ReopenTicket(ticket_id=ticket_id), org.ramon, INVALID_TRANSITION)

    assert "Closed -> Reopened" in error.message
    assert ticket(org, ticket_id).status is CLOSED


@pytest.mark.parametrize(("start", "target"), list(itertools.permutations(OPEN, 2)))
def test_an_empty_mapping_allows_every_move(org: Org, start: Status, target: Status) -> None:
    ticket_id = new_ticket(org, org.ana)

    if start is not NEW:
        org.do(move(start, ticket_id), org.ramon)
    org.do(move(target, ticket_id), org.ramon)
    org.do(move(CLOSED, ticket_id), org.ramon)

    assert ticket(org, ticket_id).status is CLOSED


def test_creation_statuses_come_from_rows_from_zero(org: Org) -> None:
    set_mapping(org, ((AT_CREATION, ASSIGNED), (AT_CREATION, THIRD), (ASSIGNED, CLOSED)))

    assert ticket(org, new_ticket(org, org.ana)).status is ASSIGNED  # the first allowed
    assert ticket(org, new_ticket(org, org.ramon, status=THIRD)).status is THIRD  # the owner
    error = refused(org, CreateTicket(title="t", group_id=org.acme_group, status=NEW),
                    org.ana, INVALID_TRANSITION)
    assert "New" in error.message
    assert "Assigned, Pending on a third person" in error.message


def test_without_creation_rows_tickets_start_new_or_in_any_open_status(org: Org) -> None:
    set_mapping(org, MANUAL_EXAMPLE)

    assert ticket(org, new_ticket(org, org.ana)).status is NEW
    handled = org.do(CreateTicket(title="t", group_id=org.acme_group, status=ASSIGNED),
                     org.ramon)
    assert handled.created_id is not None
    assert ticket(org, handled.created_id).status is ASSIGNED


def test_only_the_owner_to_be_or_a_manager_picks_another_starting_status(org: Org) -> None:
    error = refused(org, CreateTicket(title="t", group_id=org.acme_group, status=ASSIGNED),
                    org.ana, NOT_OWNER)
    assert "Ramon" in error.message
    javi_files = org.do(CreateTicket(title="t", group_id=org.support, status=ASSIGNED), org.javi)
    assert javi_files.created_id is not None  # Support has no default owner: Javi owns it
    assert ticket(org, javi_files.created_id).status is ASSIGNED


def test_creation_rows_restrict_the_starting_status(org: Org) -> None:
    set_mapping(org, (*MANUAL_EXAMPLE, (AT_CREATION, NEW)))

    error = refused(org, CreateTicket(title="t", group_id=org.acme_group, status=ASSIGNED),
                    org.ana, INVALID_TRANSITION)
    assert "cannot start as Assigned" in error.message


def test_from_closed_the_mapping_only_offers_reopening(org: Org) -> None:
    error = refused(org, SetStatusMapping(transitions=((int(CLOSED), int(NEW)),)), org.admin,
                    VALIDATION)
    assert "only be reopened" in error.message


def test_nothing_is_created_closed(org: Org) -> None:
    refused(org, CreateTicket(title="t", group_id=org.acme_group, status=CLOSED), org.ana,
            INVALID_TRANSITION)


def test_a_new_mapping_replaces_the_old_one(org: Org) -> None:
    set_mapping(org, MANUAL_EXAMPLE)
    set_mapping(org, ((NEW, CLOSED),))
    ticket_id = new_ticket(org, org.ana)

    refused(org, move(ASSIGNED, ticket_id), org.ramon, INVALID_TRANSITION)
    org.do(move(CLOSED, ticket_id), org.ramon)
    set_mapping(org, ())
    org.do(ReopenTicket(ticket_id=ticket_id), org.ramon)  # empty again: all open


TRANSITIONS = [
    (a, b) for a, b in itertools.permutations(Status, 2) if a is not CLOSED or b is REOPENED
]
CREATIONS = [(AT_CREATION, s) for s in OPEN]


def expected_allowed(moves: set[tuple[int, int]], current: Status, target: Status) -> bool:
    """The rule, stated plainly: rows say which moves exist; none at all means all do."""
    if current is CLOSED and target is not REOPENED:
        return False
    return not moves or (current, target) in moves


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    mapping=st.frozensets(st.sampled_from(TRANSITIONS + CREATIONS), max_size=14),
    path=st.lists(st.sampled_from(list(Status)), min_size=1, max_size=6),
)
def test_every_change_follows_the_mapping(
    org: Org, mapping: frozenset[tuple[int, int]], path: list[Status]
) -> None:
    set_mapping(org, tuple(sorted(mapping)))
    moves = {(a, b) for a, b in mapping if a != AT_CREATION}
    at_creation = sorted(Status(b) for a, b in mapping if a == AT_CREATION) or [NEW]
    ticket_id = new_ticket(org, org.ramon, org.support)  # Ramón files it and owns it
    current = at_creation[0]
    assert ticket(org, ticket_id).status is current

    for target in path:
        if target is current or expected_allowed(moves, current, target):
            org.do(move(target, ticket_id), org.ramon)
            current = target
        else:
            refused(org, move(target, ticket_id), org.ramon, INVALID_TRANSITION)
        assert ticket(org, ticket_id).status is current
