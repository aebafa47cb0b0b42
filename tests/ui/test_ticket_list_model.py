"""The ticket list model: Qt's model checks, lazy pages, the unattended-ticket tint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktopdesk.domain.queries import TicketRow
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_list_model import Column, TicketIdRole, TicketListModel
from desktopdesk.ui.ticket_source import ALL_TICKETS, page_loader
from tests.conftest import Org
from tests.ui.conftest import Tickets

ROOT = QModelIndex()


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.wait_for_done()


def loaded_model(qtbot: QtBot, runner: TaskRunner, org: Org, *, page_size: int,
                 user: object = None) -> TicketListModel:
    model = TicketListModel(runner, page_size=page_size)
    with qtbot.waitSignal(model.page_loaded):
        model.set_loader(page_loader(org.ws, user or org.ramon, ALL_TICKETS))  # type: ignore[arg-type]
    return model


def row_of(model: TicketListModel, ticket_id: object) -> int:
    ids = [model.ticket_id(r) for r in range(model.rowCount())]
    return ids.index(ticket_id)


def test_model_passes_qt_model_checks_while_pages_arrive(
    qtbot: QtBot, qtmodeltester: ModelTester, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = TicketListModel(runner, page_size=3)
    qtmodeltester.check(model)  # empty, no loader yet
    with qtbot.waitSignal(model.page_loaded):
        model.set_loader(page_loader(org.ws, org.ramon, ALL_TICKETS))

    def all_fetched() -> bool:  # the tester stays connected, checking every insert
        if model.canFetchMore(ROOT):
            model.fetchMore(ROOT)
        return not model.is_fetching and not model.canFetchMore(ROOT)

    qtbot.waitUntil(all_fetched)
    assert model.rowCount() == 8
    qtmodeltester.check(model)


def test_fetch_more_appends_pages_without_resetting(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=3)
    assert model.rowCount() == 3
    assert model.canFetchMore(ROOT)
    first_page = [model.ticket_id(r) for r in range(3)]
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.page_loaded):
        model.fetchMore(ROOT)
    assert inserted == [(3, 5)]
    assert [model.ticket_id(r) for r in range(3)] == first_page
    with qtbot.waitSignal(model.page_loaded) as last_page:
        model.fetchMore(ROOT)
    assert last_page.args == [2]
    assert model.rowCount() == 8
    assert not model.canFetchMore(ROOT)
    assert len({model.ticket_id(r) for r in range(8)}) == 8  # no row twice across pages


def test_a_page_for_a_list_left_behind_is_dropped(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = TicketListModel(runner, page_size=50)
    model.set_loader(page_loader(org.ws, org.ramon, ALL_TICKETS))  # in flight...
    with qtbot.waitSignal(model.page_loaded):
        model.set_loader(page_loader(org.ws, org.carla, ALL_TICKETS))  # ...and replaced
    runner.wait_for_done()
    qtbot.wait(20)  # let any stale delivery through, if it were going to come
    assert {model.ticket_id(r) for r in range(model.rowCount())} == {
        tickets.carla_first, tickets.carla_second}


def test_new_and_unconfirmed_rows_are_tinted_red_others_are_not(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=50)

    def background(ticket_id: object) -> QBrush | None:
        brush = model.index(row_of(model, ticket_id), Column.TITLE).data(
            Qt.ItemDataRole.BackgroundRole)
        assert brush is None or isinstance(brush, QBrush)
        return brush

    for unattended in (tickets.ramon_new, tickets.ana_new, tickets.tomas_unconfirmed):
        brush = background(unattended)
        assert brush is not None
        colour = brush.color()
        assert colour.red() > colour.green() + 60
        assert colour.red() > colour.blue() + 60
    for attended in (tickets.bob_closed, tickets.javi_assigned, tickets.ramon_pending):
        assert background(attended) is None


def test_cells_show_labels_and_the_id_role_gives_the_ticket(
    qtbot: QtBot, runner: TaskRunner, org: Org, tickets: Tickets
) -> None:
    model = loaded_model(qtbot, runner, org, page_size=50)
    row = row_of(model, tickets.bob_closed)

    def cell(column: Column, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> object:
        return model.index(row, column).data(role)

    assert cell(Column.TITLE) == "Reset my password"
    assert cell(Column.STATUS) == "Closed"
    assert cell(Column.PRIORITY) == "Medium"
    assert cell(Column.GROUP) == "Acme"
    assert cell(Column.OWNER) == "Ramon"
    assert cell(Column.CREATOR) == "Acme.Bob"
    assert str(cell(Column.NUMBER)).startswith("#")
    assert model.index(row, Column.NUMBER).data(TicketIdRole) == tickets.bob_closed
    assert cell(Column.OWNER, Qt.ItemDataRole.ToolTipRole) == "Ramon (ramon)"
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers == ["Number", "Title", "Status", "Priority", "Group", "Owner", "Creator",
                       "Updated"]


def test_a_failing_page_is_reported_and_leaves_the_list_as_it_was(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    model = TicketListModel(runner, page_size=5)

    def broken(offset: int, limit: int) -> list[TicketRow]:
        raise RuntimeError("disk on fire")

    with qtbot.waitSignal(model.load_failed) as failure:
        model.set_loader(broken)
    assert isinstance(failure.args[0], RuntimeError)
    assert model.rowCount() == 0
    assert not model.canFetchMore(ROOT)
