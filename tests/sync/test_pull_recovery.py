"""Pulls that survive lost pages and changing access (found by tests/sim's simulation)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain.commands import (
    AddMembership,
    AddWorkunit,
    CreateGroup,
    UpdateGroup,
    UpdateTicketFields,
)
from desktopdesk.models import Ticket, Workunit
from desktopdesk.sync import pull as pull_module
from desktopdesk.sync.client import sync_state
from desktopdesk.sync.pull import pull_page
from tests.conftest import Org
from tests.domain.support import new_ticket
from tests.sync.desktop import Desktop
from tests.sync.test_pull import flat, ids, pull_all, register


def page(org: Org, user: uuid.UUID, client: uuid.UUID, cookie: str = "",
         token: str | None = None) -> Any:
    with org.ws.sessions.begin() as session:
        return pull_page(session, user, client, cookie=cookie, token=token)


def test_a_first_pull_sends_the_first_administrator(org: Org) -> None:
    """The first admin is written directly, at version 0: history names them."""
    ops = flat(pull_all(org, org.ana, register(org, org.ana))[0])
    assert org.admin in ids(ops, "users")


def test_a_parent_group_comes_before_its_child_across_pages(
        org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    child = org.do(CreateGroup(name="Older child"), org.admin).created_id
    parent = org.do(CreateGroup(name="Newer parent"), org.admin).created_id
    assert child is not None
    assert parent is not None
    org.do(UpdateGroup(group_id=child, changes={"parent_id": parent}), org.admin)
    monkeypatch.setattr(pull_module, "PAGE_ROWS", 2)

    pages = pull_all(org, org.ana, register(org, org.ana))[0]

    order = [uuid.UUID(o["row"]["id"]) for o in flat(pages) if o["entity"] == "groups"]
    assert order.index(parent) < order.index(child)
    for one in pages:  # and never twice in one page (a page is applied in bulk)
        assert len({(o["entity"], o["row"]["id"]) for o in one}) == len(one)


def test_a_move_in_whose_page_was_lost_is_sent_again(org: Org) -> None:
    client = register(org, org.bob)
    _, cookie = pull_all(org, org.bob, client)
    ticket = new_ticket(org, org.ana, title="Arrives while Bob's answer is lost")
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>detail</p>"), org.ana)

    lost = page(org, org.bob, client, cookie)  # the answer never reaches the desktop
    assert ticket in ids(lost.operations, "tickets")
    again = flat(pull_all(org, org.bob, client, cookie)[0])

    assert ticket in ids(again, "tickets")
    assert ids(lost.operations, "workunits") <= ids(again, "workunits")


def test_a_removal_is_sent_until_the_desktop_confirms_it(org: Org) -> None:
    ticket = new_ticket(org, org.ana, title="Moving away from Bob")
    client = register(org, org.bob)
    _, cookie = pull_all(org, org.bob, client)
    org.do(UpdateTicketFields(ticket_id=ticket, changes={"group_id": str(org.support)}),
           org.ramon)

    lost = page(org, org.bob, client, cookie)
    assert ticket in ids(lost.operations, "tickets", op="delete")
    pages, confirmed = pull_all(org, org.bob, client, cookie)

    assert ticket in ids(flat(pages), "tickets", op="delete")  # sent again
    assert flat(pull_all(org, org.bob, client, confirmed)[0]) == []  # then done


def test_asking_twice_for_a_page_gives_the_same_page(
        org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(4):
        new_ticket(org, org.ana, title=f"Ticket {n}")
    monkeypatch.setattr(pull_module, "PAGE_ROWS", 8)
    client = register(org, org.ana)
    token = page(org, org.ana, client).next_token
    while token is not None:
        first = page(org, org.ana, client, token=token)
        second = page(org, org.ana, client, token=token)  # a retried request
        assert second.operations == first.operations
        token = second.next_token


def test_private_workunits_follow_the_users_access(org: Org) -> None:
    ticket = new_ticket(org, org.ana, title="With a private note")
    private = org.do(AddWorkunit(ticket_id=ticket, text_html="<p>managers only</p>",
                                 is_private=True), org.ramon).created_id
    client = register(org, org.tomas)
    _, cookie = pull_all(org, org.tomas, client)
    assert private not in ids(flat(pull_all(org, org.tomas, register(org, org.tomas))[0]),
                              "workunits")

    org.do(AddMembership(user_id=org.tomas, group_id=org.acme_group,
                         profile_id=org.manager), org.admin)
    pages, cookie = pull_all(org, org.tomas, client, cookie)
    assert private in ids(flat(pages), "workunits")  # Tomás now manages Acme

    org.do(UpdateTicketFields(ticket_id=ticket, changes={"group_id": str(org.support)}),
           org.ramon)
    ops = flat(pull_all(org, org.tomas, client, cookie)[0])
    assert private in ids(ops, "workunits", op="delete")  # he does not manage Support


def test_a_ticket_never_received_and_now_out_of_sight_sends_no_children(
        org: Org, tmp_path: Path) -> None:
    """Support comes into Bob's sight through the group tree, the page bringing its
    ticket is lost, then it leaves his sight again: only its removal may go out (its
    workunits would name a ticket the desktop never got)."""
    ticket = new_ticket(org, org.javi, org.support, title="Support only")
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>internal</p>", is_internal=True),
           org.ramon)
    desktop = Desktop(org, org.bob, tmp_path / "bob")
    desktop.sync()
    state = sync_state(desktop.ws)
    client, cookie = state.client_id, state.pull_cookie
    org.do(UpdateGroup(group_id=org.support, changes={"parent_id": org.acme_group}), org.admin)
    lost = page(org, org.bob, client, cookie)
    assert ticket in ids(lost.operations, "tickets")  # never applied
    org.do(UpdateGroup(group_id=org.support, changes={"parent_id": None}), org.admin)

    desktop.sync()  # applies every page: a workunit of a ticket it lacks would fail here

    with desktop.ws.read() as session:
        assert session.get(Ticket, ticket) is None
        assert session.scalars(select(Workunit).where(Workunit.ticket_id == ticket)).all() == []
    desktop.ws.close()
