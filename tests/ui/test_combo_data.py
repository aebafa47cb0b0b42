"""Choices carried by ids read again from the store: found by value, not by identity."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from desktopdesk.domain.ticket_list_lookups import Choice, ListLookups
from desktopdesk.store.drafts import WorkunitDraft
from desktopdesk.ui.combo_data import find_data
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_filter_bar import TicketFilterBar
from desktopdesk.ui.workunit_fields import WorkunitFields
from desktopdesk.ui.workunit_source import EditorContext


def copy_of(value: uuid.UUID) -> uuid.UUID:
    """An equal id that is another object, as a second read of the store gives."""
    return uuid.UUID(str(value))


def test_find_data_compares_values(qtbot: QtBot) -> None:
    combo = QComboBox()
    qtbot.addWidget(combo)
    wanted = uuid.uuid4()
    combo.addItem("Any", None)
    combo.addItem("Acme", wanted)
    assert combo.findData(copy_of(wanted)) == -1  # why the helper exists
    assert find_data(combo, copy_of(wanted)) == 1
    assert find_data(combo, uuid.uuid4()) == -1


def test_the_group_filter_stays_chosen_when_the_lists_are_read_again(qtbot: QtBot) -> None:
    bar = TicketFilterBar()
    qtbot.addWidget(bar)
    acme, support = uuid.uuid4(), uuid.uuid4()
    bar.set_lookups(ListLookups(groups=(Choice(acme, "Acme"), Choice(support, "Support"))))
    bar.group.setCurrentIndex(bar.group.findText("Support"))
    # After a sync the lookups are read again: equal ids, new objects.
    bar.set_lookups(ListLookups(groups=(Choice(copy_of(acme), "Acme"),
                                        Choice(copy_of(support), "Support"))))
    assert bar.group.currentText() == "Support"
    assert bar.ticket_filter().group_ids == frozenset({support})


def test_a_restored_draft_gets_its_profile_back(qtbot: QtBot) -> None:
    runner = TaskRunner()
    fields = WorkunitFields(runner, lambda _text: ())
    qtbot.addWidget(fields)
    technician, manager = uuid.uuid4(), uuid.uuid4()
    fields.set_context(EditorContext(
        default_hours=0.25, completion_date_enabled=False,
        profiles=(Choice(technician, "Technician"), Choice(manager, "Manager")), draft=None))
    fields.apply_draft(WorkunitDraft(ticket_id=uuid.uuid4(), text_html="",
                                     saved_at=dt.datetime.now(dt.UTC),
                                     profile_id=copy_of(manager)))
    assert fields.profile.currentText() == "Manager"
