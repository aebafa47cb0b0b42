"""The status mapping editor's helpers: presets, and warnings naming dead ends."""

from __future__ import annotations

import itertools
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desktopdesk.domain import workflow
from desktopdesk.domain.admin_queries import mapping_state, problems_of
from desktopdesk.domain.commands import ChangeStatus, CloseTicket, ReopenTicket, SetStatusMapping
from desktopdesk.domain.errors import INVALID_TRANSITION
from desktopdesk.domain.workflow import (
    CLOSED_UNREACHABLE,
    NEVER_CLOSES,
    NO_CREATION_STATUS,
    NO_WAY_OUT,
    UNREACHABLE,
    manual_example,
    mapping_problems,
    open_workflow,
)
from desktopdesk.models import AT_CREATION, Resolution, Status, StatusTransition
from tests.conftest import Org
from tests.domain.support import new_ticket, reading, refused, ticket

S = Status


def problems(moves: list[tuple[Status, Status]], creation: list[Status] | None = None,
             ) -> dict[str, tuple[Status, ...]]:
    found = mapping_problems([(int(a), int(b)) for a, b in moves],
                             [int(s) for s in creation or []])
    return {p.kind: p.statuses for p in found}


def move(ticket_id: uuid.UUID, status: Status) -> ChangeStatus:
    return ChangeStatus(ticket_id=ticket_id, status=status,
                        resolution=Resolution.FIXED if status is S.CLOSED else None)


def test_the_manuals_preset_is_its_four_rules(org: Org) -> None:
    org.do(SetStatusMapping(transitions=manual_example()), org.admin)
    ticket_id = new_ticket(org, org.ana)

    assert ticket(org, ticket_id).status is S.NEW
    with reading(org) as session:
        assert workflow.allowed_next_statuses(session, S.NEW) == [
            S.ASSIGNED, S.PENDING_THIRD_PERSON]
        assert workflow.allowed_next_statuses(session, S.ASSIGNED) == [S.PENDING_TO_BE_CLOSED]
        assert workflow.allowed_next_statuses(session, S.PENDING_THIRD_PERSON) == [
            S.PENDING_TO_BE_CLOSED]
        assert workflow.allowed_next_statuses(session, S.PENDING_TO_BE_CLOSED) == [S.CLOSED]
        assert workflow.allowed_next_statuses(session, S.CLOSED) == [S.REOPENED]
        assert workflow.creation_statuses(session) == [S.NEW]
    refused(org, move(ticket_id, S.CLOSED), org.ramon, INVALID_TRANSITION)
    for status in (S.PENDING_THIRD_PERSON, S.PENDING_TO_BE_CLOSED):
        org.do(move(ticket_id, status), org.ramon)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)
    org.do(ReopenTicket(ticket_id=ticket_id), org.ramon)


def test_the_manuals_preset_warns_of_what_it_leaves_open() -> None:
    found = {p.kind: p for p in workflow.mapping_problems(
        manual_example(), [to for frm, to in manual_example() if frm == AT_CREATION])}

    assert set(found) == {UNREACHABLE, NO_WAY_OUT}
    assert found[UNREACHABLE].message == (
        "Never reached from the creation statuses: Unconfirmed.")
    assert found[NO_WAY_OUT].message == "No way out of Reopened: tickets there stay there."


def test_the_open_workflow_allows_everything_like_no_mapping(org: Org) -> None:
    org.do(SetStatusMapping(transitions=manual_example()), org.admin)
    org.do(SetStatusMapping(transitions=open_workflow()), org.admin)

    with reading(org) as session:
        for status in Status:
            expected = [S.REOPENED] if status is S.CLOSED else [s for s in S if s is not status]
            assert workflow.allowed_next_statuses(session, status) == expected
        assert workflow.creation_statuses(session) == [s for s in S if s is not S.CLOSED]
        assert mapping_state(session).problems == ()
    assert problems_of(open_workflow()) == ()


def test_setting_a_mapping_keeps_the_rows_that_stay(org: Org) -> None:
    """Rows are replaced one by one (each removal leaves a tombstone for desktops)."""
    org.do(SetStatusMapping(transitions=manual_example()), org.admin)
    with reading(org) as session:
        before = {(r.from_status, r.to_status): r.id
                  for r in session.scalars(select(StatusTransition))}
    wider = (*manual_example(), (int(S.REOPENED), int(S.ASSIGNED)))

    org.do(SetStatusMapping(transitions=wider), org.admin)

    with reading(org) as session:
        after = {(r.from_status, r.to_status): r.id
                 for r in session.scalars(select(StatusTransition))}
        assert mapping_state(session).transitions == tuple(sorted(wider))
    assert set(after) == set(wider)
    assert all(after[pair] == row_id for pair, row_id in before.items())


def test_unreachable_statuses_are_named() -> None:
    found = problems([(S.NEW, S.CLOSED), (S.ASSIGNED, S.CLOSED)], [S.NEW])

    assert found[UNREACHABLE] == (S.UNCONFIRMED, S.ASSIGNED, S.REOPENED,
                                  S.PENDING_TO_BE_CLOSED, S.PENDING_THIRD_PERSON)


def test_closed_out_of_reach_is_named() -> None:
    found = problems([(S.NEW, S.ASSIGNED), (S.ASSIGNED, S.NEW)], [S.NEW])

    assert found[CLOSED_UNREACHABLE] == (S.CLOSED,)
    assert NEVER_CLOSES not in found  # said once, as Closed being out of reach


def test_a_status_without_a_way_out_is_named() -> None:
    found = problems([(S.NEW, S.ASSIGNED), (S.NEW, S.CLOSED)], [S.NEW])

    assert found[NO_WAY_OUT] == (S.ASSIGNED,)


def test_a_loop_that_never_closes_is_named() -> None:
    found = problems([(S.NEW, S.ASSIGNED), (S.ASSIGNED, S.PENDING_THIRD_PERSON),
                      (S.PENDING_THIRD_PERSON, S.ASSIGNED), (S.NEW, S.CLOSED)], [S.NEW])

    assert found[NEVER_CLOSES] == (S.ASSIGNED, S.PENDING_THIRD_PERSON)
    assert NO_WAY_OUT not in found


def test_without_creation_rows_every_open_status_is_a_start() -> None:
    found = problems([(S.ASSIGNED, S.CLOSED)])  # nothing reaches Assigned, yet it is a start

    assert found[NO_CREATION_STATUS] == ()
    assert UNREACHABLE not in found
    assert found[NO_WAY_OUT] == (S.NEW, S.UNCONFIRMED, S.REOPENED, S.PENDING_TO_BE_CLOSED,
                                 S.PENDING_THIRD_PERSON)


@pytest.mark.parametrize("creation", [[], [S.NEW]])
def test_no_moves_at_all_is_the_open_workflow(creation: list[Status]) -> None:
    assert problems([], creation) == {}


MOVES = [(a, b) for a, b in itertools.permutations(Status, 2)
         if a is not S.CLOSED or b is S.REOPENED]


@settings(max_examples=150, deadline=None)
@given(moves=st.sets(st.sampled_from(MOVES), max_size=16),
       creation=st.sets(st.sampled_from([s for s in Status if s is not S.CLOSED]), max_size=3))
def test_warnings_agree_with_walking_the_mapping(moves: set[tuple[Status, Status]],
                                                 creation: set[Status]) -> None:
    """No warnings exactly when, walking the allowed moves from the creation statuses,
    every status is reached, and from every reached status Closed can be reached."""
    found = problems(sorted(moves), sorted(creation))
    if not moves:
        assert found == {}
        return
    starts = creation or {s for s in Status if s is not S.CLOSED}
    reached, frontier = set(starts), list(starts)
    while frontier:
        current = frontier.pop()
        for a, b in moves:
            if a is current and b not in reached:
                reached.add(b)
                frontier.append(b)

    def closes(status: Status) -> bool:
        seen, todo = {status}, [status]
        while todo:
            here = todo.pop()
            if here is S.CLOSED:
                return True
            for a, b in moves:
                if a is here and b not in seen:
                    seen.add(b)
                    todo.append(b)
        return False

    healthy = bool(creation) and reached == set(Status) and all(closes(s) for s in reached)
    assert (found == {}) == healthy
    named = {s for statuses in found.values() for s in statuses}
    assert named <= set(Status)
