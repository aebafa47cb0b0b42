"""Who sees and does what: VIEW/EDIT/MANAGE per group, inherited down the tree.

Every visibility check compares ``acl.can_view`` with the SQL ``visible_tickets_clause``
(lists and counts use the latter), so the two can never drift apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.commands import (
    AddMembership,
    AddWorkunit,
    AssignOwner,
    AttachFile,
    ChangeStatus,
    CloseTicket,
    Command,
    CreateGroup,
    CreateProfile,
    CreateTicket,
    CreateUser,
    DeleteTicket,
    LinkInventory,
    LockTicket,
    ReopenTicket,
    SetEmailsInCopy,
    SetParent,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import FORBIDDEN, NOT_FOUND
from desktopdesk.models import Ticket
from tests.conftest import Org
from tests.domain.support import new_ticket, reading, refused


def visible(org: Org, user: uuid.UUID) -> set[uuid.UUID]:
    """Ticket ids ``user`` sees, after checking the Python and SQL rules agree."""
    with reading(org) as session:
        perms = acl.load_permissions(session, user)
        by_sql = set(session.scalars(select(Ticket.id).where(acl.visible_tickets_clause(perms))))
        by_python = {t.id for t in session.scalars(select(Ticket)) if acl.can_view(perms, t)}
    assert by_sql == by_python
    return by_sql


def grant(org: Org, user: uuid.UUID, group: uuid.UUID, profile: uuid.UUID) -> None:
    org.do(AddMembership(user_id=user, group_id=group, profile_id=profile), org.admin)


def new_user(org: Org, username: str, company: uuid.UUID | None = None) -> uuid.UUID:
    result = org.do(CreateUser(username=username, full_name=username.title(),
                               company_id=company), org.admin)
    assert result.created_id is not None
    return result.created_id


def test_view_grant_decides_who_sees_a_groups_tickets(org: Org) -> None:
    acme_ticket = new_ticket(org, org.ana)
    support_ticket = new_ticket(org, org.javi, org.support)

    assert visible(org, org.bob) == {acme_ticket}  # VIEW on Acme only
    assert visible(org, org.javi) == {support_ticket}  # VIEW on Support only
    assert visible(org, org.tomas) == {acme_ticket, support_ticket}
    assert visible(org, org.ramon) == {acme_ticket, support_ticket}
    assert visible(org, org.outsider) == set()


def test_edit_without_view_files_tickets_but_sees_only_own(org: Org) -> None:
    filer = org.do(CreateProfile(name="Filer only", can_edit=True), org.admin).created_id
    assert filer is not None
    dana = new_user(org, "dana", org.acme_company)
    grant(org, dana, org.acme_group, filer)
    others = new_ticket(org, org.ana)

    mine = new_ticket(org, dana)

    assert visible(org, dana) == {mine}
    assert others not in visible(org, dana)


def test_creating_needs_edit_or_escalate_in_the_group(org: Org) -> None:
    viewer = org.do(CreateProfile(name="Viewer", can_view=True), org.admin).created_id
    assert viewer is not None
    vera = new_user(org, "vera")
    grant(org, vera, org.acme_group, viewer)
    error = refused(org, CreateTicket(title="t", group_id=org.acme_group), vera, FORBIDDEN)
    assert "Acme" in error.message
    assert error.field == "group_id"
    refused(org, CreateTicket(title="t", group_id=org.support), org.outsider, FORBIDDEN)

    eric = new_user(org, "eric")
    grant(org, eric, org.acme_group, org.escalate)
    assert new_ticket(org, eric, org.acme_group)  # escalate alone may file (for Ramón)


def test_reassigning_and_deleting_need_manage(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)  # owned by Ramón, Acme's default owner

    refused(org, AssignOwner(ticket_id=ticket_id, owner_id=org.tomas), org.tomas, FORBIDDEN)
    refused(org, DeleteTicket(ticket_id=ticket_id), org.tomas, FORBIDDEN)
    refused(org, DeleteTicket(ticket_id=ticket_id), org.ana, FORBIDDEN)  # even its creator

    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.tomas), org.ramon)
    org.do(DeleteTicket(ticket_id=ticket_id), org.ramon)
    assert visible(org, org.ramon) == set()


def test_grants_inherit_down_the_group_tree_not_up(org: Org) -> None:
    acme_eu = org.do(CreateGroup(name="Acme EU", parent_id=org.acme_group), org.admin).created_id
    assert acme_eu is not None
    in_child = new_ticket(org, org.tomas, acme_eu)  # EDIT on Acme holds in Acme EU
    in_parent = new_ticket(org, org.tomas)

    assert in_child in visible(org, org.ana)  # VIEW on Acme reaches Acme EU
    assert in_child not in visible(org, org.javi)
    grant(org, org.javi, acme_eu, org.standard)
    assert visible(org, org.javi) == {in_child}  # a grant on the child stays there
    assert in_parent not in visible(org, org.javi)

    org.do(DeleteTicket(ticket_id=in_child), org.ramon)  # MANAGE on Acme reaches Acme EU


def test_independent_users_see_only_their_own_tickets(org: Org) -> None:
    theirs = new_ticket(org, org.javi, org.support)
    acme = new_ticket(org, org.ana)
    mine = new_ticket(org, org.carla, org.independents)
    # Even a VIEW grant does not widen what an independent user sees.
    customer = org.do(CreateProfile(name="Viewer", can_view=True), org.admin).created_id
    assert customer is not None
    grant(org, org.carla, org.acme_group, customer)
    grant(org, org.carla, org.independents, customer)

    assert visible(org, org.carla) == {mine}
    refused(org, AddWorkunit(ticket_id=theirs, text_html="hi"), org.carla, NOT_FOUND)
    refused(org, AddWorkunit(ticket_id=acme, text_html="hi"), org.carla, NOT_FOUND)


def test_creator_keeps_sight_of_a_ticket_moved_to_another_group(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"group_id": str(org.support)}),
           org.ramon)

    assert ticket_id in visible(org, org.ana)
    assert ticket_id not in visible(org, org.bob)  # Acme colleague: not any more
    assert ticket_id in visible(org, org.javi)  # Support technician: now yes
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="still mine"), org.ana)


def test_super_admin_sees_everything(org: Org) -> None:
    ids = {new_ticket(org, org.ana), new_ticket(org, org.javi, org.support),
           new_ticket(org, org.carla, org.independents)}

    assert visible(org, org.admin) == ids


def test_python_and_sql_visibility_agree_for_everyone(org: Org) -> None:
    acme_eu = org.do(CreateGroup(name="Acme EU", parent_id=org.acme_group), org.admin).created_id
    for actor, group in [(org.ana, org.acme_group), (org.bob, acme_eu),
                         (org.javi, org.support), (org.carla, org.independents),
                         (org.tomas, acme_eu), (org.admin, org.support)]:
        new_ticket(org, actor, group)
    moved = new_ticket(org, org.bob)
    org.do(UpdateTicketFields(ticket_id=moved, changes={"group_id": str(org.support)}),
           org.ramon)

    for user in (org.admin, org.ramon, org.tomas, org.javi, org.ana, org.bob, org.carla,
                 org.outsider):
        visible(org, user)  # asserts agreement


HiddenCommand = Callable[[Org, uuid.UUID], Command]

HIDDEN_COMMANDS: dict[str, HiddenCommand] = {
    "update": lambda org, t: UpdateTicketFields(ticket_id=t, changes={"title": "x"}),
    "status": lambda org, t: ChangeStatus(ticket_id=t, status=3),
    "close": lambda org, t: CloseTicket(ticket_id=t, resolution=1),
    "reopen": lambda org, t: ReopenTicket(ticket_id=t),
    "assign": lambda org, t: AssignOwner(ticket_id=t, owner_id=org.javi),
    "workunit": lambda org, t: AddWorkunit(ticket_id=t, text_html="hi"),
    "attach": lambda org, t: AttachFile(ticket_id=t, file_name="a.txt", size=1,
                                        sha256="0" * 64),
    "lock": lambda org, t: LockTicket(ticket_id=t),
    "parent": lambda org, t: SetParent(ticket_id=t, parent_id=None),
    "inventory": lambda org, t: LinkInventory(ticket_id=t, inventory_object_id=uuid.uuid4()),
    "emails": lambda org, t: SetEmailsInCopy(ticket_id=t, emails=("a@example.com",)),
    "delete": lambda org, t: DeleteTicket(ticket_id=t),
}


@pytest.mark.parametrize("make", HIDDEN_COMMANDS.values(), ids=HIDDEN_COMMANDS.keys())
def test_hidden_tickets_answer_not_found_like_missing_ones(org: Org,
                                                           make: HiddenCommand) -> None:
    hidden = new_ticket(org, org.ana)  # Javi works in Support only

    on_hidden = refused(org, make(org, hidden), org.javi, NOT_FOUND)
    on_missing = refused(org, make(org, uuid.uuid4()), org.javi, NOT_FOUND)

    assert on_hidden.message == on_missing.message  # nothing tells them apart


def test_a_disabled_account_can_do_nothing(org: Org) -> None:
    gone = org.do(CreateUser(username="gone", full_name="Gone", enabled=False),
                  org.admin).created_id
    assert gone is not None
    grant(org, gone, org.acme_group, org.standard)
    error = refused(org, CreateTicket(title="t", group_id=org.acme_group), gone, FORBIDDEN)
    assert "disabled" in error.message
