"""Widget-test fixtures: a handful of tickets in several statuses, and windows to show them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import (
    AddMembership,
    ChangeStatus,
    CloseTicket,
    CreateGroup,
    CreateTicket,
)
from desktopdesk.domain.queries import user_summary
from desktopdesk.models import Resolution, Status
from desktopdesk.ui.main_window import MainWindow
from tests.conftest import Org


@dataclass
class Tickets:
    """Ids of the sample tickets, by what makes each one interesting."""

    ramon_new: uuid.UUID  # Support, owned by ramon, New
    javi_assigned: uuid.UUID  # Support, owned by javi, Assigned
    carla_first: uuid.UUID  # Support, filed by the independent customer
    carla_second: uuid.UUID
    ana_new: uuid.UUID  # Acme, default owner ramon, New
    bob_closed: uuid.UUID  # Acme, owned by ramon, Closed
    ramon_pending: uuid.UUID  # Acme, owned by ramon, pending on a third person
    tomas_unconfirmed: uuid.UUID  # Support, owned by tomas, Unconfirmed
    finance_hidden: uuid.UUID  # a group ramon has no membership in


@pytest.fixture
def tickets(org: Org) -> Tickets:
    minute = dt.timedelta(minutes=1)
    clock = iter(org.now + n * minute for n in range(1, 100))

    def create(actor: uuid.UUID, title: str, group: uuid.UUID) -> uuid.UUID:
        created = org.do(CreateTicket(title=title, group_id=group), actor, next(clock)).created_id
        assert created is not None
        return created

    def status(actor: uuid.UUID, ticket: uuid.UUID, to: Status) -> None:
        org.do(ChangeStatus(ticket_id=ticket, status=to), actor, next(clock))

    finance = org.do(CreateGroup(name="Finance"), org.admin).created_id
    assert finance is not None
    org.do(AddMembership(user_id=org.javi, group_id=finance, profile_id=org.standard), org.admin)

    ramon_new = create(org.ramon, "Printer on the second floor jams", org.support)
    javi_assigned = create(org.javi, "VPN drops every hour", org.support)
    status(org.javi, javi_assigned, Status.ASSIGNED)
    carla_first = create(org.carla, "Cannot sign in to the portal", org.independents)
    carla_second = create(org.carla, "Invoice PDF is blank", org.independents)
    ana_new = create(org.ana, "Laptop for a new starter", org.acme_group)
    bob_closed = create(org.bob, "Reset my password", org.acme_group)
    org.do(CloseTicket(ticket_id=bob_closed, resolution=Resolution.FIXED), org.ramon,
           next(clock))
    ramon_pending = create(org.ramon, "Replace the meeting-room screen", org.acme_group)
    status(org.ramon, ramon_pending, Status.PENDING_THIRD_PERSON)
    tomas_unconfirmed = create(org.tomas, "Strange noise from the server rack", org.support)
    status(org.tomas, tomas_unconfirmed, Status.UNCONFIRMED)
    finance_hidden = create(org.javi, "Payroll export fails", finance)
    return Tickets(ramon_new, javi_assigned, carla_first, carla_second, ana_new, bob_closed,
                   ramon_pending, tomas_unconfirmed, finance_hidden)


MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, org: Org) -> Iterator[MakeWindow]:
    """Open a main window for a user; it is closed (and its workers drained) afterwards."""
    windows: list[MainWindow] = []

    def make(user_id: uuid.UUID, **kwargs: object) -> MainWindow:
        with org.ws.read() as session:
            user = user_summary(session, user_id)
        assert user is not None
        window = MainWindow(org.ws, user, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        windows.append(window)
        wait_until_loaded(qtbot, window)
        return window

    yield make
    for window in windows:
        window.close()
        window.runner.wait_for_done()


def wait_until_loaded(qtbot: QtBot, window: MainWindow) -> None:
    """Until the list has no page in flight and the status bar has its count."""
    qtbot.waitUntil(lambda: not window.model.is_fetching
                    and window.count_label.text() not in ("", "Counting…"))
