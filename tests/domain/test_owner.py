"""Who owns a new ticket, and escalation: ownership passes to exactly one person."""

from __future__ import annotations

from desktopdesk.domain.commands import (
    AssignOwner,
    ChangeSetting,
    ChangeStatus,
    CreateTicket,
    CreateUser,
    UpdateGroup,
)
from desktopdesk.domain.errors import FORBIDDEN, NOT_OWNER, VALIDATION
from desktopdesk.models import Status
from tests.conftest import Org
from tests.domain.support import history, new_ticket, refused, ticket


def test_a_new_ticket_goes_to_the_groups_default_owner(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)  # the manual's case: Acme tickets go to Ramón

    assert ticket(org, ticket_id).owner_id == org.ramon
    [event] = history(org, ticket_id, "owner_changed")
    assert event.new_value == str(org.ramon)


def test_owner_is_creator_overrides_the_default_owner(org: Org) -> None:
    org.do(ChangeSetting(key="owner_is_creator", value=True), org.admin)

    ticket_id = new_ticket(org, org.ana)

    assert ticket(org, ticket_id).owner_id == org.ana


def test_without_a_default_owner_the_person_filing_owns_it(org: Org) -> None:
    ticket_id = new_ticket(org, org.javi, org.support)

    assert ticket(org, ticket_id).owner_id == org.javi


def test_a_changed_default_owner_gets_new_tickets_and_must_be_active(org: Org) -> None:
    away = org.do(CreateUser(username="away", full_name="Away", enabled=False),
                  org.admin).created_id
    org.do(UpdateGroup(group_id=org.support, changes={"default_owner_id": str(org.tomas)}),
           org.admin)

    assert ticket(org, new_ticket(org, org.javi, org.support)).owner_id == org.tomas
    error = refused(org, UpdateGroup(group_id=org.support,
                                     changes={"default_owner_id": str(away)}),
                    org.admin, VALIDATION)
    assert "disabled" in error.message


def test_a_manager_may_choose_the_owner_at_creation(org: Org) -> None:
    ticket_id = new_ticket(org, org.ramon, owner_id=org.tomas)

    assert ticket(org, ticket_id).owner_id == org.tomas
    error = refused(org, CreateTicket(title="t", group_id=org.acme_group, owner_id=org.tomas),
                    org.ana, FORBIDDEN)
    assert error.field == "owner_id"


def test_the_owner_must_be_able_to_see_the_group(org: Org) -> None:
    error = refused(org, CreateTicket(title="t", group_id=org.acme_group, owner_id=org.javi),
                    org.ramon, VALIDATION)
    assert "Javi" in error.message
    assert "Acme" in error.message


def test_escalation_passes_ownership_to_exactly_one_user(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.tomas), org.ramon)

    assert ticket(org, ticket_id).owner_id == org.tomas
    error = refused(org, ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon,
                    NOT_OWNER)  # the previous owner has let go
    assert "Tomas" in error.message
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.tomas)
    events = history(org, ticket_id, "owner_changed")
    assert [(e.old_value, e.new_value) for e in events] == [
        ("", str(org.ramon)), (str(org.ramon), str(org.tomas))]
    assert events[-1].actor_id == org.ramon


def test_the_owner_may_pass_the_ticket_on(org: Org) -> None:
    ticket_id = new_ticket(org, org.tomas, org.support)  # Support has no default owner

    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.javi), org.tomas)

    assert ticket(org, ticket_id).owner_id == org.javi
    refused(org, AssignOwner(ticket_id=ticket_id, owner_id=org.tomas), org.tomas, FORBIDDEN)


def test_escalating_to_someone_who_cannot_see_the_group_is_refused(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    for outsider, name in ((org.javi, "Javi"), (org.carla, "Indie.Carla")):
        error = refused(org, AssignOwner(ticket_id=ticket_id, owner_id=outsider), org.ramon,
                        VALIDATION)
        assert name in error.message
    assert ticket(org, ticket_id).owner_id == org.ramon


def test_a_customer_never_becomes_owner_when_the_group_has_no_default(org: Org) -> None:
    from desktopdesk.domain.commands import AddMembership, CreateGroup

    walk_in = org.do(CreateGroup(name="Walk-in"), org.admin).created_id
    assert walk_in is not None
    org.do(AddMembership(user_id=org.carla, group_id=walk_in, profile_id=org.standard),
           org.admin)

    error = refused(org, CreateTicket(title="Help", group_id=walk_in), org.carla, VALIDATION)
    assert "no default owner" in error.message
    assert error.field == "group_id"


def test_owner_is_creator_falls_back_to_the_default_owner_for_customers(org: Org) -> None:
    org.do(ChangeSetting(key="owner_is_creator", value=True), org.admin)

    carlas = new_ticket(org, org.carla, org.independents)
    assert ticket(org, carlas).owner_id == org.ramon  # independents never own
    assert ticket(org, new_ticket(org, org.tomas)).owner_id == org.tomas


def test_a_default_owner_who_cannot_see_the_group_is_passed_over(org: Org) -> None:
    org.do(UpdateGroup(group_id=org.support, changes={"default_owner_id": str(org.ana)}),
           org.admin)

    assert ticket(org, new_ticket(org, org.javi, org.support)).owner_id == org.javi


def test_moving_a_ticket_needs_an_owner_who_can_work_it_there(org: Org) -> None:
    from desktopdesk.domain.commands import UpdateTicketFields

    ticket_id = new_ticket(org, org.javi, org.support)  # Javi owns it; he has no Acme access
    error = refused(org, UpdateTicketFields(ticket_id=ticket_id, changes={
        "group_id": str(org.acme_group)}), org.tomas, VALIDATION)
    assert "reassign it first" in error.message
    assert ticket(org, ticket_id).group_id == org.support
