"""The ticket list model: Qt's model checks, lazy keyset pages, sorting and filtering in
the store, precise updates after a change, and how cells read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QIcon
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import ChangeStatus, CreateTicket, UpdateTicketFields
from desktopdesk.domain.sla_model import Limit
from desktopdesk.domain.ticket_list_query import (
    ListedTicket,
    PageCursor,
    SortKey,
    TicketFilter,
    TicketPage,
    TicketSort,
)
from desktopdesk.models import Priority, Status
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_list_format import ListDisplay
from desktopdesk.ui.ticket_list_model import (
    BallInOurCourtRole,
    Column,
    TicketIdRole,
    TicketListModel,
)
from desktopdesk.ui.ticket_source import ALL_TICKETS, TicketListSource
from tests.conftest import Org
from tests.ui.conftest import Tickets

ROOT = QModelIndex()
EVERY_STATUS = TicketFilter(statuses=frozenset())


def loaded_model(qtbot: QtBot, runner: TaskRunner, org: Org, *, page_size: int,
                 user: uuid.UUID | None = None,
                 ticket_filter: TicketFilter = EVERY_STATUS) -> TicketListModel:
    model = TicketListModel(runner, page_size=page_size)
    model.set_filter(ticket_filter)  # no source yet: nothing read
    with qtbot.waitSignal(model.page_loaded):
        model.set_source(TicketListSource(org.ws, user or org.ramon, ALL_TICKETS))
    return model


def fetch_all(qtbot: QtBot, model: TicketListModel) -> None:
    def all_fetched() -> bool:
        if model.canFetchMore(ROOT):
            model.fetchMore(ROOT)
        return not model.is_fetching and not model.canFetchMore(ROOT)

    qtbot.waitUntil(all_fetched)


def listed(model: TicketListModel) -> list[uuid.UUID]:
    return [model.ticket_id(r) for r in range(model.rowCount())]


def test_model_passes_qt_model_checks_through_pages_sorts_filters_and_edits(
    qtbot: QtBot, qtmodeltester: ModelTester, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = TicketListModel(runner, page_size=3)
    qtmodeltester.check(model)  # empty, no source yet
    model.set_filter(EVERY_STATUS)
    with qtbot.waitSignal(model.page_loaded):
        model.set_source(TicketListSource(org.ws, org.ramon, ALL_TICKETS))
    fetch_all(qtbot, model)  # the tester stays connected, checking every insert
    assert model.rowCount() == 8
    with qtbot.waitSignal(model.page_loaded):
        model.sort(Column.TITLE, Qt.SortOrder.AscendingOrder)
    with qtbot.waitSignal(model.page_loaded):
        model.set_filter(TicketFilter())  # back to open tickets only
    fetch_all(qtbot, model)
    assert model.rowCount() == 7
    model.set_display(ListDisplay(full_names=True, approximate_dates=True))
    org.do(ChangeStatus(ticket_id=tickets.ramon_new, status=Status.ASSIGNED), org.ramon)
    org.do(ChangeStatus(ticket_id=tickets.ramon_pending, status=Status.ASSIGNED), org.ramon)
    task = model.refresh_tickets([tickets.ramon_new, tickets.ramon_pending])
    assert task is not None
    with qtbot.waitSignal(model.rows_refreshed):
        pass
    qtmodeltester.check(model)


def test_fetch_more_appends_keyset_pages_without_resetting(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=3)
    assert model.rowCount() == 3
    assert model.canFetchMore(ROOT)
    first_page = listed(model)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.page_loaded):
        model.fetchMore(ROOT)
    assert inserted == [(3, 5)]
    assert listed(model)[:3] == first_page
    with qtbot.waitSignal(model.page_loaded) as last_page:
        model.fetchMore(ROOT)
    assert last_page.args == [2]
    assert model.rowCount() == 8
    assert not model.canFetchMore(ROOT)  # the store said so: no empty round trip at the end
    assert len(set(listed(model))) == 8


def test_a_page_for_a_list_left_behind_is_dropped(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = TicketListModel(runner, page_size=50)
    model.set_filter(EVERY_STATUS)
    model.set_source(TicketListSource(org.ws, org.ramon, ALL_TICKETS))  # in flight...
    with qtbot.waitSignal(model.page_loaded):
        model.set_source(TicketListSource(org.ws, org.carla, ALL_TICKETS))  # ...replaced
    runner.wait_for_done()
    qtbot.wait(20)  # let any stale delivery through, if it were going to come
    assert set(listed(model)) == {tickets.carla_first, tickets.carla_second}


def test_sorting_asks_the_store_in_the_new_order_keeping_rows_until_it_answers(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=50)
    before = listed(model)
    model.sort(Column.TITLE, Qt.SortOrder.AscendingOrder)
    assert model.is_fetching
    assert listed(model) == before  # no blank list while the store sorts
    qtbot.waitUntil(lambda: not model.is_fetching)
    assert model.ticket_sort == TicketSort(SortKey.TITLE, descending=False)
    titles = [model.ticket_row(r).title for r in range(model.rowCount())]
    assert titles == sorted(titles)
    with qtbot.waitSignal(model.page_loaded):
        model.sort(Column.TITLE, Qt.SortOrder.DescendingOrder)
    assert [model.ticket_row(r).title for r in range(model.rowCount())] == sorted(
        titles, reverse=True)


def test_filters_are_applied_by_the_store(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=50, ticket_filter=TicketFilter())
    assert tickets.bob_closed not in listed(model)  # default: not closed
    with qtbot.waitSignal(model.page_loaded):
        model.set_filter(TicketFilter(text="printer"))
    assert listed(model) == [tickets.ramon_new]
    with qtbot.waitSignal(model.page_loaded):
        model.set_filter(TicketFilter(statuses=frozenset({Status.CLOSED})))
    assert listed(model) == [tickets.bob_closed]


def test_new_and_unconfirmed_rows_are_tinted_red_others_are_not(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=50)

    def background(ticket_id: uuid.UUID, column: Column) -> QBrush | None:
        brush = model.index(listed(model).index(ticket_id), column).data(
            Qt.ItemDataRole.BackgroundRole)
        assert brush is None or isinstance(brush, QBrush)
        return brush

    for unattended in (tickets.ramon_new, tickets.ana_new, tickets.tomas_unconfirmed):
        for column in Column:  # the whole row, not one cell
            brush = background(unattended, column)
            assert brush is not None
            colour = brush.color()
            assert colour.red() > colour.green() + 60
            assert colour.red() > colour.blue() + 60
    for attended in (tickets.bob_closed, tickets.javi_assigned, tickets.ramon_pending):
        assert background(attended, Column.TITLE) is None


def test_cells_read_as_the_settings_say(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=50)
    row = listed(model).index(tickets.bob_closed)

    def cell(column: Column, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> object:
        return model.index(row, column).data(role)

    assert cell(Column.TITLE) == "Reset my password"
    assert cell(Column.STATUS) == "Closed"
    assert cell(Column.PRIORITY) == "Medium"
    assert isinstance(cell(Column.PRIORITY, Qt.ItemDataRole.DecorationRole), QIcon)
    assert cell(Column.GROUP) == "Acme"
    assert cell(Column.OWNER) == "ramon"  # usernames unless the desktop asks for names
    assert cell(Column.CREATOR) == "acme.bob"
    assert str(cell(Column.NUMBER)).startswith("#")
    assert cell(Column.SLA) == ""
    assert cell(Column.SLA, Qt.ItemDataRole.DecorationRole) is None  # no SLA fired
    assert re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d", str(cell(Column.UPDATED)))
    assert model.index(row, Column.NUMBER).data(TicketIdRole) == tickets.bob_closed
    assert cell(Column.OWNER, Qt.ItemDataRole.ToolTipRole) == "Ramon (ramon)"
    changed: list[int] = []
    model.dataChanged.connect(lambda first, last, _roles: changed.append(last.row()))
    model.set_display(ListDisplay(full_names=True, approximate_dates=True))
    assert changed == [model.rowCount() - 1]  # one signal for every row, no reset
    assert (cell(Column.OWNER), cell(Column.CREATOR)) == ("Ramon", "Acme.Bob")
    assert re.fullmatch(r"(\d+ (year|month|week|day|hour|minute)s?(, )?)+|just now",
                        str(cell(Column.UPDATED)))
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers == ["Number", "", "Title", "Group", "Status", "Priority", "Owner",
                       "Creator", "Updated", "Created"]
    assert isinstance(model.headerData(Column.SLA, Qt.Orientation.Horizontal,
                                       Qt.ItemDataRole.DecorationRole), QIcon)


def test_sla_fired_and_ball_in_our_court_are_marked(
    qtbot: QtBot, runner: TaskRunner, org: Org
) -> None:
    fired = dataclasses.replace(_listed_ticket(), sla_name="Gold", ball_in_our_court=True,
                                sla_fired_limits=(Limit.RESPONSE, Limit.INACTIVITY))

    class OneRow:
        def load_page(self, *_args: object) -> TicketPage:
            return TicketPage(rows=(fired,), next_cursor=None)

        def load_rows(self, *_args: object) -> dict[uuid.UUID, ListedTicket]:
            return {}

    model = TicketListModel(runner)
    with qtbot.waitSignal(model.page_loaded):
        model.set_source(OneRow())
    sla = model.index(0, Column.SLA)
    assert isinstance(sla.data(Qt.ItemDataRole.DecorationRole), QIcon)
    assert sla.data(Qt.ItemDataRole.ToolTipRole) == (
        "SLA fired: Gold (Response time, Inactivity)")
    title = model.index(0, Column.TITLE)
    assert title.data(BallInOurCourtRole) is True
    assert isinstance(title.data(Qt.ItemDataRole.DecorationRole), QIcon)
    assert "Ball in our court" in title.data(Qt.ItemDataRole.ToolTipRole)
    assert title.data() == "Laptop will not boot · Hardware · Customer reference: CN-12"


def _listed_ticket() -> ListedTicket:
    moment = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    return ListedTicket(
        id=uuid.uuid4(), number=12, number_label="#12", title="Laptop will not boot",
        type_name="Hardware", list_fields=(("Customer reference", "CN-12"),),
        status=Status.ASSIGNED, priority=Priority.SERIOUS, group_name="Support",
        owner_username="ramon", owner_full_name="Ramon", creator_username="javi",
        creator_full_name="Javi", sla_name=None, updated_at=moment, created_at=moment,
        ball_in_our_court=False)


def test_a_changed_row_is_updated_in_place_and_one_leaving_the_filter_is_removed(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=50, ticket_filter=TicketFilter())
    org.do(UpdateTicketFields(ticket_id=tickets.ramon_new,
                              changes={"priority": int(Priority.VERY_SERIOUS)}), org.ramon)
    org.do(ChangeStatus(ticket_id=tickets.ramon_pending, status=Status.CLOSED,
                        resolution=1), org.ramon)
    changed: list[uuid.UUID] = []
    removed: list[int] = []
    model.dataChanged.connect(
        lambda first, _last, _roles: changed.append(model.ticket_id(first.row())))
    model.rowsRemoved.connect(lambda _parent, first, _last: removed.append(first))
    pending_row = listed(model).index(tickets.ramon_pending)
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.rows_refreshed):
        model.refresh_tickets([tickets.ramon_new, tickets.ramon_pending])
    assert removed == [pending_row]
    assert tickets.ramon_pending not in listed(model)
    assert changed == [tickets.ramon_new]
    new_row = listed(model).index(tickets.ramon_new)
    assert model.index(new_row, Column.PRIORITY).data() == "Very serious"


def test_a_failing_page_is_reported_and_leaves_the_list_as_it_was(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    class Broken:
        def load_page(self, _f: TicketFilter, _s: TicketSort, _a: PageCursor | None,
                      _limit: int) -> TicketPage:
            raise RuntimeError("disk on fire")

        def load_rows(self, *_args: object) -> dict[uuid.UUID, ListedTicket]:
            return {}

    model = TicketListModel(runner, page_size=5)
    with qtbot.waitSignal(model.load_failed) as failure:
        model.set_source(Broken())
    assert isinstance(failure.args[0], RuntimeError)
    assert model.rowCount() == 0
    assert not model.canFetchMore(ROOT)


def test_quick_edit_is_off_unless_switched_on(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=50)
    status = model.index(0, Column.STATUS)
    assert not model.flags(status) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(status, Status.ASSIGNED)
    model.set_editable(True)
    assert model.flags(status) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, Column.TITLE)) & Qt.ItemFlag.ItemIsEditable
    new_status = next(s for s in Status if s is not model.ticket_row(0).status)
    with qtbot.waitSignal(model.edit_requested) as request:
        assert model.setData(status, new_status)
    assert request.args[1:] == ["status", new_status]
    assert model.index(0, Column.STATUS).data() == model.ticket_row(0).status.label  # not yet


def test_a_new_ticket_does_not_disturb_the_pages_still_to_come(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=3)
    org.do(CreateTicket(title="Arrives meanwhile", group_id=org.support), org.ramon,
           org.now + dt.timedelta(days=1))
    fetch_all(qtbot, model)
    assert len(listed(model)) == len(set(listed(model))) == 8  # newest first: it is above
