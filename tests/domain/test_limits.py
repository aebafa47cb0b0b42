"""Group ticket limits: per creator, over the last 365 days; forced refuses, notify warns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from desktopdesk.domain.commands import CloseTicket, CreateTicket, UpdateGroup
from desktopdesk.domain.errors import GROUP_LIMIT, VALIDATION
from desktopdesk.models import Resolution
from tests.conftest import Org
from tests.domain.support import new_ticket, refused, snapshot

DAY = dt.timedelta(days=1)


def limit(org: Org, **changes: Any) -> None:
    org.do(UpdateGroup(group_id=org.acme_group, changes=changes), org.admin)


def file_for(org: Org, **kwargs: Any) -> CreateTicket:
    return CreateTicket(title="One more", group_id=org.acme_group, **kwargs)


def test_a_forced_total_limit_refuses_with_a_clear_message(org: Org) -> None:
    limit(org, total_ticket_limit=2)
    new_ticket(org, org.ana)
    new_ticket(org, org.ana)
    before = snapshot(org)

    error = refused(org, file_for(org), org.ana, GROUP_LIMIT)

    assert "Acme" in error.message
    assert "2 tickets" in error.message
    assert "cannot create" in error.message
    assert error.field == "group_id"
    assert snapshot(org) == before


def test_limits_count_each_creators_own_tickets(org: Org) -> None:
    limit(org, total_ticket_limit=1)
    new_ticket(org, org.ana)

    new_ticket(org, org.bob)  # Bob has filed nothing yet
    refused(org, file_for(org), org.ana, GROUP_LIMIT)
    # Filing on Ana's behalf counts against Ana, not against the manager typing it.
    refused(org, file_for(org, creator_id=org.ana), org.ramon, GROUP_LIMIT)
    new_ticket(org, org.ramon)


def test_a_forced_open_limit_frees_up_when_a_ticket_closes(org: Org) -> None:
    limit(org, open_ticket_limit=1)
    first = new_ticket(org, org.ana)

    error = refused(org, file_for(org), org.ana, GROUP_LIMIT)
    assert "1 open tickets" in error.message

    org.do(CloseTicket(ticket_id=first, resolution=Resolution.FIXED), org.ramon)
    new_ticket(org, org.ana)


def test_tickets_older_than_a_year_do_not_count(org: Org) -> None:
    new_ticket(org, org.ana, at=org.now - 366 * DAY)
    limit(org, total_ticket_limit=1, open_ticket_limit=1)

    new_ticket(org, org.ana)  # the old one is outside the window
    refused(org, file_for(org), org.ana, GROUP_LIMIT)

    new_ticket(org, org.bob, at=org.now - 364 * DAY)  # inside the window: it counts
    refused(org, file_for(org), org.bob, GROUP_LIMIT)


def test_notify_mode_allows_and_warns(org: Org) -> None:
    limit(org, total_ticket_limit=1, limit_mode="notify")
    first = org.do(file_for(org), org.ana)
    assert first.warnings == ()

    second = org.do(file_for(org), org.ana)

    assert second.created_id is not None
    [warning] = second.warnings
    assert "Acme" in warning
    assert "1 tickets" in warning


def test_zero_means_no_limit(org: Org) -> None:
    limit(org, total_ticket_limit=1, open_ticket_limit=1)
    new_ticket(org, org.ana)
    limit(org, total_ticket_limit=0, open_ticket_limit=0)

    for _ in range(4):
        assert org.do(file_for(org), org.ana).warnings == ()


@pytest.mark.parametrize(("existing", "total"), [(0, 1), (1, 1), (2, 3), (3, 3), (4, 3)])
def test_the_limit_bites_exactly_when_reached(org: Org, existing: int, total: int) -> None:
    for _ in range(existing):
        new_ticket(org, org.ana)
    limit(org, total_ticket_limit=total)

    if existing >= total:
        refused(org, file_for(org), org.ana, GROUP_LIMIT)
    else:
        new_ticket(org, org.ana)


@pytest.mark.parametrize("changes", [
    {"total_ticket_limit": -1}, {"open_ticket_limit": True}, {"open_ticket_limit": "5"},
    {"limit_mode": "sometimes"},
])
def test_bad_limits_are_refused(org: Org, changes: dict[str, Any]) -> None:
    error = refused(org, UpdateGroup(group_id=org.acme_group, changes=changes), org.admin,
                    VALIDATION)
    assert error.field == next(iter(changes))


def test_moving_an_open_ticket_in_counts_against_the_limit(org: Org) -> None:
    from desktopdesk.domain.commands import UpdateGroup, UpdateTicketFields
    from desktopdesk.domain.errors import GROUP_LIMIT
    from tests.domain.support import new_ticket, refused, ticket

    org.do(UpdateGroup(group_id=org.acme_group, changes={"open_ticket_limit": 1}), org.admin)
    new_ticket(org, org.ramon)  # Ramón's one open ticket in Acme
    elsewhere = new_ticket(org, org.ramon, org.support)

    error = refused(org, UpdateTicketFields(ticket_id=elsewhere, changes={
        "group_id": str(org.acme_group)}), org.ramon, GROUP_LIMIT)
    assert "Acme" in error.message
    assert ticket(org, elsewhere).group_id == org.support
