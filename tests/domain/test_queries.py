"""Read-side queries: visibility in SQL agrees with the rule, and pages tile the list."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.commands import CreateTicket
from desktopdesk.domain.queries import (
    TICKET_ORDERINGS,
    count_visible_tickets,
    find_user,
    ticket_page,
    user_summary,
)
from desktopdesk.models import Priority, Status, Ticket
from tests.conftest import Org


@pytest.fixture
def seven(org: Org) -> list[uuid.UUID]:
    """Seven Support tickets, one a minute; Acme's default owner takes the last two."""
    made = []
    for n in range(7):
        group = org.acme_group if n >= 5 else org.support
        actor = org.ana if n >= 5 else org.javi
        result = org.do(CreateTicket(title=f"Ticket {n}", group_id=group,
                                     priority=Priority.SERIOUS), actor,
                        org.now + dt.timedelta(minutes=n))
        assert result.created_id is not None
        made.append(result.created_id)
    return made


def test_pages_tile_the_list_newest_first(org: Org, seven: list[uuid.UUID]) -> None:
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.ramon)
        pages = [ticket_page(session, perms, offset=o, limit=3) for o in (0, 3, 6)]
    ids = [row.id for page in pages for row in page]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert ids == list(reversed(seven))
    first = pages[0][0]
    assert first.title == "Ticket 6"
    assert (first.status, first.status_label) == (Status.NEW, "New")
    assert (first.priority, first.priority_label) == (Priority.SERIOUS, "Serious")
    assert (first.group_name, first.owner_username, first.creator_username) == (
        "Acme", "ramon", "acme.ana")
    assert first.number_label.startswith("#")


def test_sql_visibility_matches_the_rule_for_everyone(org: Org, seven: list[uuid.UUID]) -> None:
    with org.ws.read() as session:
        tickets = list(session.scalars(select(Ticket)))
        for user in (org.ramon, org.javi, org.ana, org.carla, org.outsider, org.admin):
            perms = acl.load_permissions(session, user)
            listed = {r.id for r in ticket_page(session, perms, offset=0, limit=100)}
            assert listed == {t.id for t in tickets if acl.can_view(perms, t)}
            assert count_visible_tickets(session, perms) == len(listed)


def test_owner_filter_and_every_ordering(org: Org, seven: list[uuid.UUID]) -> None:
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.ramon)
        mine = ticket_page(session, perms, offset=0, limit=100, owner_id=org.ramon)
        assert {r.id for r in mine} == set(seven[5:])
        assert count_visible_tickets(session, perms, owner_id=org.ramon) == 2
        sort_keys = {
            "updated_at": lambda r: r.updated_at, "created_at": lambda r: r.created_at,
            "number": lambda r: int(r.number_label.lstrip("#")), "title": lambda r: r.title,
            "status": lambda r: int(r.status), "priority": lambda r: int(r.priority),
            "group": lambda r: r.group_name, "owner": lambda r: r.owner_full_name,
            "creator": lambda r: r.creator_full_name,
        }
        assert set(sort_keys) == set(TICKET_ORDERINGS)
        for key, value in sort_keys.items():
            rows = ticket_page(session, perms, offset=0, limit=100, order_by=key,
                               descending=False)
            assert len(rows) == 7, key
            assert [value(r) for r in rows] == sorted(value(r) for r in rows), key
            backwards = ticket_page(session, perms, offset=0, limit=100, order_by=key)
            assert [r.id for r in backwards] == [r.id for r in reversed(rows)], key
        oldest_first = ticket_page(session, perms, offset=0, limit=1, descending=False)
        assert oldest_first[0].id == seven[0]
        with pytest.raises(ValueError, match="cannot order tickets by 'password'"):
            ticket_page(session, perms, offset=0, limit=1, order_by="password")


def test_user_lookups(org: Org) -> None:
    with org.ws.read() as session:
        ramon = user_summary(session, org.ramon)
        assert ramon is not None
        assert (ramon.username, ramon.full_name, ramon.enabled) == ("ramon", "Ramon", True)
        assert find_user(session, "ramon") == ramon
        assert find_user(session, "nobody") is None
        assert user_summary(session, uuid.uuid4()) is None
