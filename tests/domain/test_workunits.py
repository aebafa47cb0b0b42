"""Workunits: who sees private and internal ones, sharing within a company, the input rules.

Every visibility check compares ``acl.can_see_workunit`` with the SQL
``visible_workunits_clause`` used to load a ticket's thread.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.commands import AddWorkunit, CloseTicket
from desktopdesk.domain.errors import VALIDATION
from desktopdesk.models import Resolution, Ticket, Workunit, WorkunitShare
from tests.conftest import Org
from tests.domain.support import history, new_ticket, reading, refused, ticket, workunits


def note(org: Org, ticket_id: uuid.UUID, author: uuid.UUID, **kwargs: Any) -> uuid.UUID:
    kwargs.setdefault("text_html", "<p>Looked into it</p>")
    result = org.do(AddWorkunit(ticket_id=ticket_id, **kwargs), author)
    assert result.created_id is not None
    return result.created_id


def seen_by(org: Org, user: uuid.UUID, ticket_id: uuid.UUID) -> set[uuid.UUID]:
    """Workunit ids ``user`` sees on the ticket, after checking Python and SQL agree."""
    with reading(org) as session:
        perms = acl.load_permissions(session, user)
        parent = session.get(Ticket, ticket_id)
        assert parent is not None
        thread = select(Workunit).where(Workunit.ticket_id == ticket_id)
        by_sql = {w.id for w in session.scalars(
            thread.where(acl.visible_workunits_clause(perms, parent)))}
        by_python = set()
        for workunit in session.scalars(thread):
            shared = frozenset(session.scalars(
                select(WorkunitShare.user_id).where(WorkunitShare.workunit_id == workunit.id)))
            if acl.can_see_workunit(perms, parent, workunit, shared):
                by_python.add(workunit.id)
    assert by_sql == by_python
    return by_sql


def test_private_and_internal_workunits_reach_the_right_people(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)  # Ana (Acme) reports; Ramón (MANAGE) owns
    public = note(org, ticket_id, org.tomas)
    private = note(org, ticket_id, org.tomas, is_private=True)
    internal = note(org, ticket_id, org.tomas, is_internal=True)
    shared = note(org, ticket_id, org.ana, is_private=True, shared_with_ids=(org.bob,))
    everything = {public, private, internal, shared}

    assert seen_by(org, org.admin, ticket_id) == everything
    assert seen_by(org, org.ramon, ticket_id) == everything  # MANAGE on the group
    assert seen_by(org, org.tomas, ticket_id) == {public, private, internal}  # author
    assert seen_by(org, org.ana, ticket_id) == {public, shared}  # creator: no internal
    assert seen_by(org, org.bob, ticket_id) == {public, internal, shared}  # shared with


def test_internal_workunits_are_hidden_from_a_creator_who_manages_the_group(org: Org) -> None:
    ticket_id = new_ticket(org, org.ramon)
    public = note(org, ticket_id, org.tomas)
    note(org, ticket_id, org.tomas, is_internal=True)

    assert seen_by(org, org.ramon, ticket_id) == {public}


def test_python_and_sql_workunit_visibility_agree(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    for author, share in ((org.tomas, (org.ramon,)), (org.ana, (org.bob,)),
                          (org.bob, ()), (org.ramon, (org.tomas,))):
        for private in (False, True):
            for internal in (False, True):
                note(org, ticket_id, author, is_private=private, is_internal=internal,
                     shared_with_ids=share if private else ())

    for user in (org.admin, org.ramon, org.tomas, org.ana, org.bob, org.javi, org.outsider):
        seen_by(org, user, ticket_id)  # asserts agreement


def test_workunits_are_shared_only_within_the_authors_company(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    error = refused(org, AddWorkunit(ticket_id=ticket_id, text_html="x", is_private=True,
                                     shared_with_ids=(org.ana,)), org.tomas, VALIDATION)
    assert "Acme.Ana" in error.message
    assert error.field == "shared_with_ids"
    carlas = new_ticket(org, org.carla, org.independents)  # Carla belongs to no company
    refused(org, AddWorkunit(ticket_id=carlas, text_html="x", shared_with_ids=(org.tomas,)),
            org.carla, VALIDATION)
    assert workunits(org, ticket_id) == []


def test_a_workunit_is_recorded_in_history_and_touches_the_ticket(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    later = org.now + dt.timedelta(hours=2)

    workunit_id = org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>ok</p>", hours=1.5),
                         org.tomas, at=later).created_id

    [event] = history(org, ticket_id, "workunit_added")
    assert (event.actor_id, event.at, event.new_value) == (org.tomas, later, str(workunit_id))
    assert ticket(org, ticket_id).updated_at == later
    [stored] = workunits(org, ticket_id)
    assert (stored.author_id, stored.hours) == (org.tomas, 1.5)


def test_work_is_accepted_on_closed_tickets(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)

    note(org, ticket_id, org.tomas)

    assert len(workunits(org, ticket_id)) == 1


def test_workunit_html_is_sanitised(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    note(org, ticket_id, org.tomas,
         text_html='<p onclick="steal()">Fixed<script>alert(1)</script></p>')

    [stored] = workunits(org, ticket_id)
    assert stored.text_html == "<p>Fixed</p>"


@pytest.mark.parametrize(("changes", "field"), [
    ({"text_html": "   "}, "text_html"),
    ({"text_html": "<p> </p><script>x</script>"}, "text_html"),
    ({"hours": -0.25}, "hours"),
    ({"hours": 1000.5}, "hours"),
    ({"hours": float("nan")}, "hours"),
])
def test_bad_workunits_are_refused(org: Org, changes: dict[str, Any], field: str) -> None:
    ticket_id = new_ticket(org, org.ana)
    values: dict[str, Any] = {"text_html": "<p>ok</p>", **changes}

    error = refused(org, AddWorkunit(ticket_id=ticket_id, **values), org.tomas, VALIDATION)

    assert error.field == field
    assert workunits(org, ticket_id) == []


def test_a_workunit_profile_must_be_one_the_author_holds(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    error = refused(org, AddWorkunit(ticket_id=ticket_id, text_html="x",
                                     profile_id=org.manager), org.tomas, VALIDATION)
    assert "Incident manager" in error.message
    note(org, ticket_id, org.tomas, profile_id=org.standard, has_cost=True)


def test_the_completion_date_cannot_be_in_the_future(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    error = refused(org, AddWorkunit(ticket_id=ticket_id, text_html="x",
                                     completed_at=org.now + dt.timedelta(days=3)),
                    org.tomas, VALIDATION)
    assert error.field == "completed_at"
    note(org, ticket_id, org.tomas, completed_at=org.now - dt.timedelta(days=3))
