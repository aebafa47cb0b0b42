"""The main window, driven as a user would: which tickets each person sees, and how."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QTableView, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.ticket_list_query import ListedTicket, TicketPage
from desktopdesk.models import Ticket
from desktopdesk.ui import messages
from desktopdesk.ui.main_window import MainWindow
from desktopdesk.ui.ticket_source import ALL_TICKETS, MY_TICKETS
from tests.conftest import Org
from tests.ui.conftest import MakeWindow, Tickets, wait_until_loaded


def listed_ids(window: MainWindow) -> set[uuid.UUID]:
    model = window.model
    return {model.ticket_id(r) for r in range(model.rowCount())}


def acl_visible_ids(org: Org, user_id: uuid.UUID, *, owned: bool = False,
                    open_only: bool = False) -> set[uuid.UUID]:
    """What the Python rule (not the SQL clause the list uses) says the user may see."""
    with org.ws.read() as session:
        perms = acl.load_permissions(session, user_id)
        return {t.id for t in session.scalars(select(Ticket))
                if acl.can_view(perms, t) and (not owned or t.owner_id == user_id)
                and (not open_only or t.status.is_open)}


def choose_list(qtbot: QtBot, window: MainWindow, label: str) -> None:
    navigation = window.findChild(QListWidget, "navigation")
    assert navigation is not None
    item = navigation.findItems(label, Qt.MatchFlag.MatchExactly)[0]
    rect = navigation.visualItemRect(item)
    qtbot.mouseClick(navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_until_loaded(qtbot, window)


def test_ramon_sees_exactly_what_acl_allows(
    make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    assert window.scope is ALL_TICKETS
    expected = acl_visible_ids(org, org.ramon)
    assert listed_ids(window) == acl_visible_ids(org, org.ramon, open_only=True)  # default
    assert tickets.bob_closed not in listed_ids(window)
    assert tickets.finance_hidden not in expected
    assert len(expected) == 8
    assert window.count_label.text() == "7 listed · 8 tickets visible"


def test_an_independent_customer_sees_only_her_own(
    make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.carla)
    assert listed_ids(window) == {tickets.carla_first, tickets.carla_second}
    assert listed_ids(window) == acl_visible_ids(org, org.carla)
    assert window.count_label.text() == "2 listed · 2 tickets visible"


def test_my_tickets_lists_only_what_i_own(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    choose_list(qtbot, window, "My tickets")
    assert window.scope is MY_TICKETS
    assert listed_ids(window) == {tickets.ramon_new, tickets.ana_new,
                                  tickets.ramon_pending, tickets.carla_first,
                                  tickets.carla_second}  # bob_closed too, were it open
    assert listed_ids(window) == acl_visible_ids(org, org.ramon, owned=True, open_only=True)
    assert window.count_label.text() == "5 of yours listed · 8 tickets visible"
    choose_list(qtbot, window, "All tickets")
    assert len(listed_ids(window)) == 7


# The offscreen platform says so whenever a main window is shown; nothing of ours.
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_scrolling_down_pages_in_the_rest(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon, page_size=2)
    window.resize(900, 300)
    window.show()
    qtbot.waitExposed(window)
    table = window.findChild(QTableView, "ticket_table")
    assert table is not None

    def scrolled_to_the_end() -> bool:
        table.scrollToBottom()
        return window.model.rowCount() == 7 and not window.model.canFetchMore(
            table.rootIndex())

    qtbot.waitUntil(scrolled_to_the_end)
    assert listed_ids(window) == acl_visible_ids(org, org.ramon, open_only=True)


def test_window_names_the_user_and_every_control_is_named(
    make_window: MakeWindow, org: Org, tickets: Tickets
) -> None:
    window = make_window(org.ramon)
    assert window.windowTitle() == "DesktopDesk — Ramon"
    user_label = window.findChild(QLabel, "status_user")
    assert user_label is not None
    assert "Ramon" in user_label.text()
    for name in ("navigation", "ticket_table", "ticket_filter_bar", "filter_text",
                 "filter_status", "filter_priority", "filter_group", "filter_owner",
                 "filter_creator", "filter_type", "filter_clear"):
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name


def test_a_list_that_cannot_be_read_is_reported(
    qtbot: QtBot, make_window: MakeWindow, org: Org, tickets: Tickets,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(org.ramon)
    shown: list[str] = []
    monkeypatch.setattr(messages, "error", lambda _parent, text, **_kw: shown.append(text))
    class Broken:
        def load_page(self, *_args: object) -> TicketPage:
            raise RuntimeError("disk on fire")

        def load_rows(self, *_args: object) -> dict[uuid.UUID, ListedTicket]:
            return {}

    with qtbot.waitSignal(window.model.load_failed):
        window.model.set_source(Broken())
    assert shown == ["The ticket list could not be read."]
