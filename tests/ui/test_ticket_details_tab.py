"""The Details tab, driven through its real widgets against a real store."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import (
    AddCustomField,
    AssignOwner,
    CreateInventoryObject,
    CreateTicketType,
    SetParent,
    SetStatusMapping,
    UpdateTicketFields,
)
from desktopdesk.domain.ticket_details import TicketDetails
from desktopdesk.models import FieldKind, Priority, Resolution, Status
from desktopdesk.ui import ticket_view_source
from desktopdesk.ui.combo_data import find_data
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_details_side import parse_emails
from desktopdesk.ui.ticket_details_tab import TicketDetailsTab
from tests.conftest import Org
from tests.domain.support import custom_values, history, new_ticket, ticket
from tests.ui.conftest import Tickets, pick_parent

#: The close dialog is a top-level window; the offscreen platform cannot size those and
#: says so, and that is all it says.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

MakeTab = Callable[[uuid.UUID, uuid.UUID], TicketDetailsTab]


@pytest.fixture
def make_tab(qtbot: QtBot, org: Org, shown: list[str]) -> Iterator[MakeTab]:
    """A tab in a shown window holding one ticket as ``user`` reads it."""
    runner = TaskRunner()
    hosts: list[QWidget] = []

    def make(user_id: uuid.UUID, ticket_id: uuid.UUID) -> TicketDetailsTab:
        host = QWidget()
        host.setObjectName("details_host")
        qtbot.addWidget(host)
        hosts.append(host)
        tab = TicketDetailsTab(org.ws, user_id, runner, host)
        tab.saved.connect(lambda _ids: reload(tab))
        host.resize(1100, 800)
        tab.resize(1100, 800)
        host.show()
        reload(tab, ticket_id)
        return tab

    def reload(tab: TicketDetailsTab, ticket_id: uuid.UUID | None = None) -> None:
        ticket_id = ticket_id or (tab.details.id if tab.details else None)
        assert ticket_id is not None
        tab.show_details(read(org, tab.user_id, ticket_id))

    yield make
    runner.wait_for_done()
    for host in hosts:
        host.close()


def read(org: Org, user_id: uuid.UUID, ticket_id: uuid.UUID) -> TicketDetails:
    return ticket_view_source.load_details(org.ws, user_id, ticket_id).details


def choose(combo: QComboBox, value: object) -> None:
    """As a person picking an entry: the index changes, signals and all."""
    index = find_data(combo, value)
    assert index >= 0, f"{value!r} is not offered in {combo.objectName()}"
    combo.setCurrentIndex(index)


def type_into(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    line.selectAll()
    qtbot.keyClicks(line, text)


def save(qtbot: QtBot, tab: TicketDetailsTab) -> None:
    """Click Save and wait for the answer (saved or refused)."""
    answers: list[object] = []
    tab.saved.connect(answers.append)
    tab.save_failed.connect(answers.append)
    try:
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(answers))
    finally:
        tab.saved.disconnect(answers.append)
        tab.save_failed.disconnect(answers.append)


def combo_entries(combo: QComboBox) -> list[object]:
    return [combo.itemData(i) for i in range(combo.count())]


#: The completer's popup asks the window system to raise it and grab the keyboard; the
#: offscreen platform cannot, and says so.
popup_warnings = pytest.mark.qt_log_ignore(
    r"This plugin does not support (raise\(\)|grabbing the keyboard|propagateSizeHints\(\))")


# --- Showing -----------------------------------------------------------------------------


def test_opening_a_ticket_shows_its_fields(org: Org, tickets: Tickets,
                                           make_tab: MakeTab) -> None:
    org.do(UpdateTicketFields(ticket_id=tickets.javi_assigned, changes={
        "description_html": "<p>Drops at <b>:00</b> sharp</p>", "priority": Priority.SERIOUS,
        "project_task": "Network refresh"}), org.javi)
    tab = make_tab(org.javi, tickets.javi_assigned)

    assert tab.title.text() == "VPN drops every hour"
    assert "Drops at :00 sharp" in tab.description.toPlainText()
    assert tab.side.status.currentText() == "Assigned"
    assert tab.side.priority.currentText() == "Serious"
    assert tab.side.group.currentText() == "Support"
    assert tab.side.owner.currentText() == "Javi (javi)"
    assert tab.side.creator.currentText() == "Javi (javi)"
    assert tab.side.project_task.text() == "Network refresh"
    assert tab.side.editor_text.text() == "Javi"
    assert tab.side.created_text.text()
    assert not tab.save_button.isEnabled(), "nothing changed yet"
    assert tab.epilogue_box.isHidden(), "no resolution on an open ticket"


def test_a_closed_ticket_shows_its_resolution(org: Org, tickets: Tickets,
                                              make_tab: MakeTab) -> None:
    tab = make_tab(org.ramon, tickets.bob_closed)

    assert not tab.epilogue_box.isHidden()
    assert tab.resolution_text.text() == Resolution.FIXED.label
    assert tab.side.closed_by_text.text() == "Ramon"


def test_a_non_owner_sees_the_status_read_only_with_the_reason(
        org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    tab = make_tab(org.tomas, tickets.ramon_new)
    assert tab.details is not None
    reason = tab.details.read_only_reason("status")

    assert reason, "only the owner may change the status"
    assert not tab.side.status.isEnabled()
    assert tab.side.status.toolTip() == reason
    assert "Ramon" in reason


def test_only_the_statuses_the_mapping_allows_are_offered(
        org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    org.do(SetStatusMapping(transitions=(
        (0, Status.NEW), (Status.NEW, Status.ASSIGNED), (Status.ASSIGNED, Status.CLOSED),
        (Status.NEW, Status.UNCONFIRMED))), org.admin)
    tab = make_tab(org.ramon, tickets.ramon_new)

    assert set(combo_entries(tab.side.status)) == {Status.NEW, Status.ASSIGNED, Status.UNCONFIRMED}
    assert tab.side.status.currentData() is Status.NEW


# --- Saving ------------------------------------------------------------------------------


def test_the_owner_changes_the_status_and_it_is_saved_with_its_history(
        qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    tab = make_tab(org.ramon, tickets.ramon_new)
    before = len(history(org, tickets.ramon_new))

    choose(tab.side.status, Status.ASSIGNED)
    assert tab.save_button.isEnabled()
    assert tab.changes_label.text() == "Changed: Status"
    save(qtbot, tab)

    assert ticket(org, tickets.ramon_new).status == Status.ASSIGNED
    assert len(history(org, tickets.ramon_new)) > before
    assert tab.side.status.currentData() is Status.ASSIGNED, "reloaded from the store"
    assert not tab.save_button.isEnabled()


def test_ctrl_s_saves_what_was_typed(qtbot: QtBot, org: Org, tickets: Tickets,
                                     make_tab: MakeTab) -> None:
    tab = make_tab(org.ramon, tickets.ramon_new)
    tab.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab.window())
    tab.title.setFocus()
    type_into(qtbot, tab.title, "Printer jams on duplex jobs")

    with qtbot.waitSignal(tab.saved):
        qtbot.keyClick(tab.title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert ticket(org, tickets.ramon_new).title == "Printer jams on duplex jobs"


def test_revert_puts_back_what_was_loaded(qtbot: QtBot, org: Org, tickets: Tickets,
                                          make_tab: MakeTab) -> None:
    tab = make_tab(org.ramon, tickets.ramon_new)
    type_into(qtbot, tab.title, "Something else")
    choose(tab.side.priority, Priority.VERY_SERIOUS)
    assert tab.revert_button.isEnabled()

    qtbot.mouseClick(tab.revert_button, Qt.MouseButton.LeftButton)

    assert tab.title.text() == "Printer on the second floor jams"
    assert tab.side.priority.currentData() is Priority.MEDIUM
    assert not tab.save_button.isEnabled()


def test_a_refusal_is_shown_beside_its_field_and_keeps_what_was_typed(
        qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    """While Ramón edits, his lead hands the ticket to Javi: the status change is no
    longer his to make, and nothing of the Save goes through."""
    tab = make_tab(org.ramon, tickets.ramon_new)
    type_into(qtbot, tab.title, "Printer jams on duplex jobs")
    choose(tab.side.status, Status.ASSIGNED)
    org.do(AssignOwner(ticket_id=tickets.ramon_new, owner_id=org.javi), org.admin)

    save(qtbot, tab)

    status_error = tab.error_text("status")
    assert status_error is not None
    assert "owner" in status_error.lower()
    assert tab.error_text("general") is not None
    assert tab.title.text() == "Printer jams on duplex jobs", "the typed title is kept"
    assert tab.side.status.currentData() is Status.ASSIGNED
    assert tab.save_button.isEnabled(), "it can be tried again"
    stored = ticket(org, tickets.ramon_new)
    assert stored.title == "Printer on the second floor jams", "one Save, one transaction"
    assert stored.status == Status.NEW

    choose(tab.side.status, Status.NEW)
    assert tab.error_text("status") is None, "answering the field clears its message"


def test_a_refused_custom_value_is_shown_under_that_field(
        qtbot: QtBot, org: Org, make_tab: MakeTab) -> None:
    type_id = org.do(CreateTicketType(name="Hardware"), org.admin).created_id
    assert type_id is not None
    units = org.do(AddCustomField(ticket_type_id=type_id, label="Units",
                                  kind=FieldKind.NUMERIC, numeric_min=1, numeric_max=10),
                   org.admin).created_id
    ticket_id = new_ticket(org, org.ramon, org.support, ticket_type_id=type_id,
                           custom_values={str(units): "2"})
    tab = make_tab(org.ramon, ticket_id)
    editor = tab.custom_fields.editor(str(units))
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "2"

    type_into(qtbot, editor, "40")
    save(qtbot, tab)

    problem = tab.findChild(QWidget, f"error_custom:{units}")
    assert problem is not None
    assert problem.isVisible()
    assert editor.text() == "40"
    assert custom_values(org, ticket_id)[units] == "2"

    type_into(qtbot, editor, "4")
    save(qtbot, tab)
    assert custom_values(org, ticket_id)[units] == "4"


def test_linked_fields_cascade_and_their_values_are_saved(
        qtbot: QtBot, org: Org, make_tab: MakeTab) -> None:
    type_id = org.do(CreateTicketType(name="Hardware"), org.admin).created_id
    assert type_id is not None
    kind = org.do(AddCustomField(ticket_type_id=type_id, label="Hardware type",
                                 kind=FieldKind.LINKED, options=("Laptop", "Mouse")),
                  org.admin).created_id
    brand = org.do(AddCustomField(ticket_type_id=type_id, label="Brand", kind=FieldKind.LINKED,
                                  parent_field_id=kind, linked_values=(
                                      ("Laptop", "Lenovo"), ("Laptop", "Mac"),
                                      ("Mouse", "Logi"))), org.admin).created_id
    ticket_id = new_ticket(org, org.ramon, org.support, ticket_type_id=type_id,
                           custom_values={str(kind): "Laptop", str(brand): "Mac"})
    tab = make_tab(org.ramon, ticket_id)
    kind_box = tab.custom_fields.editor(str(kind))
    brand_box = tab.custom_fields.editor(str(brand))
    assert isinstance(kind_box, QComboBox)
    assert isinstance(brand_box, QComboBox)
    assert brand_box.currentText() == "Mac"

    choose(kind_box, "Mouse")
    assert [v for v in combo_entries(brand_box) if v] == ["Logi"]
    assert brand_box.currentData() == "", "Mac is no mouse brand"
    choose(brand_box, "Logi")
    save(qtbot, tab)

    assert custom_values(org, ticket_id) == {kind: "Mouse", brand: "Logi"}


def test_changing_the_type_shows_the_new_types_fields(
        qtbot: QtBot, org: Org, make_tab: MakeTab) -> None:
    hardware = org.do(CreateTicketType(name="Hardware"), org.admin).created_id
    software = org.do(CreateTicketType(name="Software"), org.admin).created_id
    assert hardware is not None
    assert software is not None
    serial = org.do(AddCustomField(ticket_type_id=hardware, label="Serial number"),
                    org.admin).created_id
    application = org.do(AddCustomField(ticket_type_id=software, label="Application",
                                        kind=FieldKind.COMBO, options=("", "Excel", "SAP")),
                         org.admin).created_id
    ticket_id = new_ticket(org, org.ramon, org.support, ticket_type_id=hardware,
                           custom_values={str(serial): "CNB3K12345"})
    tab = make_tab(org.ramon, ticket_id)
    assert set(tab.custom_fields.values()) == {str(serial)}

    choose(tab.side.ticket_type, software)
    assert set(tab.custom_fields.values()) == {str(application)}
    app_box = tab.custom_fields.editor(str(application))
    assert isinstance(app_box, QComboBox)
    choose(app_box, "SAP")
    save(qtbot, tab)

    assert ticket(org, ticket_id).ticket_type_id == software
    assert custom_values(org, ticket_id).get(application) == "SAP"


def test_linking_inventory_and_emails_in_copy_are_saved(
        qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    printer = org.do(CreateInventoryObject(name="HP LaserJet M507"), org.admin).created_id
    tab = make_tab(org.ramon, tickets.ramon_new)
    item = next(tab.side.inventory.item(row) for row in range(tab.side.inventory.count())
                if tab.side.inventory.item(row).data(Qt.ItemDataRole.UserRole) == printer)

    item.setCheckState(Qt.CheckState.Checked)
    type_into(qtbot, tab.side.emails, "facilities@example.com; vendor@example.com")
    save(qtbot, tab)

    assert tab.details is not None
    assert [choice.id for choice in tab.details.inventory] == [printer]
    assert tab.details.emails_in_copy == ("facilities@example.com", "vendor@example.com")


def test_emails_are_split_on_commas_semicolons_and_spaces() -> None:
    assert parse_emails(" a@x.org, b@x.org;c@x.org  d@x.org ,") == (
        "a@x.org", "b@x.org", "c@x.org", "d@x.org")
    assert parse_emails("  ") == ()


# --- Parent and creator ------------------------------------------------------------------


@popup_warnings
def test_a_parent_found_by_title_words_is_saved(
        qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    tab = make_tab(org.ramon, tickets.javi_assigned)
    picker = tab.side.parent_picker
    assert picker.search_edit.isVisibleTo(tab), "no parent yet: the search field"

    pick_parent(qtbot, picker, "printer jams")
    assert picker.parent_id() == tickets.ramon_new
    assert tab.changes_label.text() == "Changed: Parent ticket"
    save(qtbot, tab)

    assert ticket(org, tickets.javi_assigned).parent_id == tickets.ramon_new
    assert picker.chip.isVisibleTo(tab)
    assert picker.chosen_text().endswith("Printer on the second floor jams")
    assert "<a " in picker.chosen_label.text(), "the saved parent opens from its link"
    assert not tab.save_button.isEnabled()


@popup_warnings
def test_a_parent_that_would_make_a_loop_is_refused_beside_the_field(
        qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    org.do(SetParent(ticket_id=tickets.ramon_new, parent_id=tickets.javi_assigned), org.ramon)
    tab = make_tab(org.ramon, tickets.javi_assigned)

    pick_parent(qtbot, tab.side.parent_picker, "printer jams")  # its own child
    save(qtbot, tab)

    assert tab.error_text("parent_id") == "That parent would make a loop of tickets."
    assert tab.side.parent_picker.parent_id() == tickets.ramon_new, "the choice is kept"
    assert ticket(org, tickets.javi_assigned).parent_id is None

    qtbot.mouseClick(tab.side.parent_picker.clear_button, Qt.MouseButton.LeftButton)
    assert tab.error_text("parent_id") is None, "answering the field clears its message"


def test_removing_the_parent_is_saved(qtbot: QtBot, org: Org, tickets: Tickets,
                                      make_tab: MakeTab) -> None:
    org.do(SetParent(ticket_id=tickets.ramon_new, parent_id=tickets.javi_assigned), org.ramon)
    tab = make_tab(org.ramon, tickets.ramon_new)
    picker = tab.side.parent_picker
    assert picker.chosen_text().endswith("VPN drops every hour")

    qtbot.mouseClick(picker.clear_button, Qt.MouseButton.LeftButton)
    assert picker.search_edit.isVisibleTo(tab)
    save(qtbot, tab)

    assert ticket(org, tickets.ramon_new).parent_id is None


def test_who_may_not_set_the_parent_sees_it_locked_with_the_reason(
        org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    org.do(SetParent(ticket_id=tickets.ramon_new, parent_id=tickets.javi_assigned), org.ramon)
    tab = make_tab(org.tomas, tickets.ramon_new)
    assert tab.details is not None
    reason = tab.details.read_only_reason("parent_id")
    picker = tab.side.parent_picker

    assert reason
    assert not picker.search_edit.isVisibleTo(tab)
    assert not picker.clear_button.isVisibleTo(tab), "it cannot be removed either"
    assert picker.chosen_text().endswith("VPN drops every hour")
    assert picker.toolTip() == reason
    assert tab.labels.locks["parent_id"].isVisibleTo(tab)


def test_the_creator_is_chosen_among_the_creator_choices(
        qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    tab = make_tab(org.ramon, tickets.javi_assigned)
    assert tab.details is not None
    offered = {person.id for person in tab.details.creator_choices}

    assert set(combo_entries(tab.side.creator)) == offered
    assert org.ana in offered, "a customer may be who the ticket is for"
    assert org.admin not in offered, "owners are not the creator's choices"
    assert tab.side.creator.isEnabled()
    choose(tab.side.creator, org.ana)
    save(qtbot, tab)

    assert ticket(org, tickets.javi_assigned).creator_id == org.ana


def test_who_may_not_change_the_creator_sees_it_read_only_with_the_reason(
        org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    tab = make_tab(org.tomas, tickets.javi_assigned)
    assert tab.details is not None
    reason = tab.details.read_only_reason("creator_id")

    assert reason
    assert not tab.side.creator.isEnabled()
    assert tab.side.creator.toolTip() == reason
    assert combo_entries(tab.side.creator) == [org.javi], "only the creator it has"


# --- Closing -----------------------------------------------------------------------------


def test_closing_asks_for_a_resolution_and_an_epilogue(
        qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    tab = make_tab(org.ramon, tickets.ramon_new)

    choose(tab.side.status, Status.CLOSED)
    dialog = tab.close_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert not dialog.ok_button.isEnabled()
    choose(dialog.resolution, Resolution.FIXED)
    assert not dialog.ok_button.isEnabled(), "an epilogue is required too"
    qtbot.keyClicks(dialog.epilogue, "Cleared a torn sheet behind door B")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert tab.close_dialog is None
    assert tab.resolution_text.text().startswith("Fixed")
    save(qtbot, tab)

    stored = ticket(org, tickets.ramon_new)
    assert stored.status == Status.CLOSED
    assert stored.resolution == Resolution.FIXED
    assert "torn sheet" in stored.epilogue_html


def test_cancelling_the_close_dialog_keeps_the_ticket_open(
        qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab) -> None:
    tab = make_tab(org.ramon, tickets.ramon_new)
    choose(tab.side.status, Status.ASSIGNED)
    choose(tab.side.status, Status.CLOSED)
    dialog = tab.close_dialog
    assert dialog is not None

    dialog.reject()

    assert tab.side.status.currentData() is Status.ASSIGNED, "back to the status chosen before"
    assert tab.epilogue_box.isHidden()
