"""Only the owner (or a super-admin) moves a ticket's status; closing and reopening."""

from __future__ import annotations

import datetime as dt

from desktopdesk.domain.commands import (
    ChangeStatus,
    CloseTicket,
    LockTicket,
    ReopenTicket,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import (
    FORBIDDEN,
    INVALID_TRANSITION,
    LOCKED,
    NOT_OWNER,
    VALIDATION,
)
from desktopdesk.models import Resolution, Status
from tests.conftest import Org
from tests.domain.support import history, new_ticket, refused, ticket

LATER = dt.timedelta(hours=3)


def test_only_the_owner_changes_status_and_the_message_names_them(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)  # owner: Ramón

    for actor in (org.tomas, org.ana):  # EDIT on the group, the creator: not enough
        error = refused(org, ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), actor,
                        NOT_OWNER)
        assert "Ramon" in error.message
        error = refused(org, CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED),
                        actor, NOT_OWNER)
        assert "Ramon" in error.message
    assert ticket(org, ticket_id).status is Status.NEW

    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon)
    assert ticket(org, ticket_id).status is Status.ASSIGNED


def test_a_super_admin_changes_any_status(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.INVALID), org.admin)

    closed = ticket(org, ticket_id)
    assert closed.status is Status.CLOSED
    assert closed.closed_by_id == org.admin


def test_closing_needs_a_resolution(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    for command in (CloseTicket(ticket_id=ticket_id, resolution=Resolution.NONE),
                    ChangeStatus(ticket_id=ticket_id, status=Status.CLOSED)):
        error = refused(org, command, org.ramon, VALIDATION)
        assert error.field == "resolution"
        assert "resolution" in error.message
    error = refused(org, CloseTicket(ticket_id=ticket_id, resolution=42), org.ramon, VALIDATION)
    assert "42" in error.message
    assert ticket(org, ticket_id).status is Status.NEW


def test_closing_records_who_closed_when_and_why(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    closing_time = org.now + LATER

    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.WONT_FIX,
                       epilogue_html="<p>Not ours</p><script>x()</script>"),
           org.ramon, at=closing_time)

    closed = ticket(org, ticket_id)
    assert closed.status is Status.CLOSED
    assert closed.resolution is Resolution.WONT_FIX
    assert closed.closed_by_id == org.ramon
    assert closed.closed_at == closing_time
    assert closed.epilogue_html == "<p>Not ours</p>"
    [event] = history(org, ticket_id, "closed")
    assert (event.actor_id, event.at, event.old_value, event.new_value) == (
        org.ramon, closing_time, str(Status.NEW.value), str(Status.CLOSED.value))


def test_a_resolution_is_only_given_when_closing(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    error = refused(org, ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED,
                                      resolution=Resolution.FIXED), org.ramon, VALIDATION)
    assert error.field == "resolution"


def test_reopening_clears_the_closing_and_sets_reopened(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)

    org.do(ReopenTicket(ticket_id=ticket_id), org.ramon, at=org.now + LATER)

    reopened = ticket(org, ticket_id)
    assert reopened.status is Status.REOPENED
    assert reopened.resolution is Resolution.NONE
    assert reopened.closed_at is None
    assert reopened.closed_by_id is None
    [event] = history(org, ticket_id, "reopened")
    assert event.actor_id == org.ramon
    assert event.new_value == str(Status.REOPENED.value)


def test_only_the_owner_reopens(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)

    error = refused(org, ReopenTicket(ticket_id=ticket_id), org.ana, NOT_OWNER)
    assert "Ramon" in error.message
    assert ticket(org, ticket_id).status is Status.CLOSED


def test_reopening_an_open_ticket_is_refused(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    error = refused(org, ReopenTicket(ticket_id=ticket_id), org.ramon, INVALID_TRANSITION)
    assert "not closed" in error.message


def test_a_closed_ticket_leaves_closed_only_by_reopening(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)

    error = refused(org, ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon,
                    INVALID_TRANSITION)
    assert "reopened" in error.message


def test_a_locked_closed_ticket_cannot_be_reopened_or_edited(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)
    org.do(LockTicket(ticket_id=ticket_id), org.ramon)

    for command in (ReopenTicket(ticket_id=ticket_id),
                    ChangeStatus(ticket_id=ticket_id, status=Status.REOPENED),
                    UpdateTicketFields(ticket_id=ticket_id, changes={"title": "again"})):
        error = refused(org, command, org.ramon, LOCKED)
        assert "locked" in error.message
    assert ticket(org, ticket_id).status is Status.CLOSED

    refused(org, LockTicket(ticket_id=ticket_id, locked=False), org.tomas, FORBIDDEN)
    org.do(LockTicket(ticket_id=ticket_id, locked=False), org.ramon)  # a manager unlocks
    org.do(ReopenTicket(ticket_id=ticket_id), org.ramon)
    assert ticket(org, ticket_id).status is Status.REOPENED
    assert [(e.kind, e.actor_id) for e in history(org, ticket_id)
            if e.kind in ("locked", "unlocked")] == [("locked", org.ramon),
                                                      ("unlocked", org.ramon)]


def test_only_closed_tickets_can_be_locked(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    refused(org, LockTicket(ticket_id=ticket_id), org.ramon, INVALID_TRANSITION)
    assert not ticket(org, ticket_id).locked


def test_setting_the_same_status_changes_nothing(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    before = len(history(org, ticket_id))

    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.NEW), org.ramon)

    assert len(history(org, ticket_id)) == before


def test_an_unknown_status_is_refused(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    error = refused(org, ChangeStatus(ticket_id=ticket_id, status=9), org.ramon, VALIDATION)
    assert error.field == "status"
