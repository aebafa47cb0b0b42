"""What the ticket view must not tell a reader: who did work they may not see, and what a
ticket they may not open is about."""

from __future__ import annotations

import uuid

import pytest

from desktopdesk.domain.commands import ChangeStatus, CloseTicket, SetParent
from desktopdesk.domain.ticket_details import HIDDEN_LINK_STATUS
from desktopdesk.models import Resolution, Status
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.domain.test_ticket_details import HOUR, attach, details, workunit


def participants(org: Org, reader: uuid.UUID, ticket_id: uuid.UUID) -> dict[str, tuple[str, ...]]:
    return {c.person.full_name: c.roles for c in details(org, reader, ticket_id).contacts}


def test_people_whose_only_work_is_hidden_from_the_reader_are_not_listed(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)  # Acme: Ana's ticket, owned by Ramon
    internal = workunit(org, org.ramon, ticket_id, "Supplier is late", org.now + HOUR,
                        is_internal=True)  # hidden from Ana, the creator
    attach(org, org.bob, ticket_id, "delivery-note.pdf", b"note", internal, org.now + 2 * HOUR)
    workunit(org, org.tomas, ticket_id, "Price looks high", org.now + 3 * HOUR,
             is_private=True)  # only Tomas and Acme's managers

    assert participants(org, org.ana, ticket_id) == {
        "Acme.Ana": ("creator", "editor"), "Ramon": ("owner",)}
    assert participants(org, org.bob, ticket_id) == {
        "Acme.Ana": ("creator", "editor"), "Ramon": ("owner",), "Acme.Bob": ("participant",)}
    assert participants(org, org.ramon, ticket_id) == {
        "Acme.Ana": ("creator", "editor"), "Ramon": ("owner",), "Acme.Bob": ("participant",),
        "Tomas": ("participant",)}


def test_a_person_with_visible_work_too_is_still_listed(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    workunit(org, org.tomas, ticket_id, "Price looks high", org.now + HOUR, is_private=True)
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon,
           org.now + 2 * HOUR)
    workunit(org, org.tomas, ticket_id, "Laptop ordered", org.now + 3 * HOUR)

    assert participants(org, org.ana, ticket_id)["Tomas"] == ("participant",)


@pytest.mark.parametrize("status", [Status.ASSIGNED, Status.CLOSED])
def test_a_linked_ticket_the_reader_may_not_see_gives_away_neither_title_nor_status(
        org: Org, status: Status) -> None:
    parent = new_ticket(org, org.ramon, org.acme_group, title="Acme office move")
    child = new_ticket(org, org.ramon, org.support, title="Move the payroll server")
    org.do(SetParent(ticket_id=child, parent_id=parent), org.ramon)
    for hidden in (parent, child):
        if status is Status.CLOSED:
            org.do(CloseTicket(ticket_id=hidden, resolution=Resolution.FIXED), org.ramon)
        else:
            org.do(ChangeStatus(ticket_id=hidden, status=status), org.ramon)

    # Ana sees the Acme parent, not the Support child; Javi the other way round.
    hidden_child = details(org, org.ana, parent).children[0]
    hidden_parent = details(org, org.javi, child).parent
    assert hidden_parent is not None

    for link in (hidden_child, hidden_parent):
        assert not link.visible
        assert link.title == ""
        assert link.status is HIDDEN_LINK_STATUS
    assert (hidden_child.number_label, hidden_parent.number_label) == ("#2", "#1")
    assert details(org, org.ramon, parent).children[0].status is status
