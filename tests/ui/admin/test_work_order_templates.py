"""The work-order template editor, driven through its real widgets over the ``org``
workspace: the list, creating (empty or from the standard template), editing and saving
with the ticket types, refusals beside the input, deletion, the macro picker, the
problems found, the logo, and the live preview of a ticket printed from the form."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.documents.resources import default_work_order_template
from desktopdesk.domain.commands import (
    AddCustomField,
    CreateTicket,
    CreateTicketType,
    CreateWorkOrderTemplate,
    DeleteWorkOrderTemplate,
)
from desktopdesk.domain.html import sanitize_html
from desktopdesk.models import TicketType, WorkOrderTemplate
from desktopdesk.ui.admin import (
    org_source,
    work_order_template_form,
    work_order_template_live,
    work_order_template_source,
    work_order_templates,
)
from desktopdesk.ui.admin.admin_window import AdminAccess, AdminWindow
from desktopdesk.ui.admin.work_order_template_html import tidy_template_html
from desktopdesk.ui.admin.work_order_template_models import (
    ProblemListModel,
    TemplateTableModel,
    TypeChecklistModel,
)
from desktopdesk.ui.admin.work_order_template_source import (
    MacroProblem,
    copy_name,
    load_templates,
)
from desktopdesk.ui.admin.work_order_templates import WorkOrderTemplatesSection
from desktopdesk.ui.inline_images import png_bytes
from desktopdesk.ui.tasks import TaskRunner
from tests.conftest import Org
from tests.ui.conftest import qt_modules_loaded_by

#: The offscreen platform says so when a top-level window with a splitter is shown.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


class Setup:
    """Two ticket types (one with a custom field), a ticket of each, and a template."""

    def __init__(self, org: Org) -> None:
        self.hardware = self._type(org, "Hardware repair")
        self.software = self._type(org, "Software request")
        org.do(AddCustomField(ticket_type_id=self.hardware, label="Serial number"), org.admin)
        self.hardware_ticket = self._ticket(org, "Printer jams on tray 2", self.hardware)
        self.software_ticket = self._ticket(org, "Install the VPN client", self.software)
        created = org.do(CreateWorkOrderTemplate(
            name="Field service", description="For visits",
            body_html="<p>_header_</p><h1>_incident_title_</h1><p>_Serial number_</p>",
            ticket_type_ids=(self.hardware,)), org.ramon).created_id
        assert created is not None
        self.field_service = created

    @staticmethod
    def _type(org: Org, name: str) -> uuid.UUID:
        created = org.do(CreateTicketType(name=name), org.admin).created_id
        assert created is not None
        return created

    @staticmethod
    def _ticket(org: Org, title: str, type_id: uuid.UUID) -> uuid.UUID:
        created = org.do(CreateTicket(title=title, group_id=org.support,
                                      ticket_type_id=type_id), org.ramon).created_id
        assert created is not None
        return created


@pytest.fixture
def setup(org: Org) -> Setup:
    return Setup(org)


OpenSection = Callable[..., WorkOrderTemplatesSection]


@pytest.fixture
def open_section(qtbot: QtBot, org: Org, runner: TaskRunner,
                 setup: Setup) -> OpenSection:
    """The section as the team lead (MANAGE) opens it, read and shown."""

    def open_it(user_id: uuid.UUID | None = None) -> WorkOrderTemplatesSection:
        made = WorkOrderTemplatesSection(org.ws, user_id or org.ramon, runner)
        qtbot.addWidget(made)
        made.resize(1400, 900)
        made.show()
        with qtbot.waitSignal(made.loaded, timeout=10_000):
            made.reload()
        return made

    return open_it


def choose(qtbot: QtBot, section: WorkOrderTemplatesSection, name: str) -> None:
    """Click the template ``name`` and wait until its macros are in."""
    with qtbot.waitSignal(section.macros_loaded, timeout=10_000):
        section.select_template(name)


def type_into(qtbot: QtBot, widget: QLineEdit, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def save(qtbot: QtBot, section: WorkOrderTemplatesSection) -> None:
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        qtbot.mouseClick(section.template_form.save_button, Qt.MouseButton.LeftButton)


def stored(org: Org, name: str) -> WorkOrderTemplate | None:
    with org.ws.read() as session:
        row = session.scalar(select(WorkOrderTemplate).where(WorkOrderTemplate.name == name))
        if row is not None:
            session.expunge(row)
        return row


def type_template(org: Org, type_id: uuid.UUID) -> uuid.UUID | None:
    with org.ws.read() as session:
        chosen = session.get(TicketType, type_id)
        assert chosen is not None
        return chosen.work_order_template_id


def put_cursor(section: WorkOrderTemplatesSection, position: int) -> None:
    body = section.template_form.body
    cursor = body.textCursor()
    cursor.setPosition(position)
    body.setTextCursor(cursor)


# --- The list -------------------------------------------------------------------------------


def test_the_list_shows_each_template_with_the_types_printing_it(
    qtmodeltester: ModelTester, open_section: OpenSection, org: Org, setup: Setup,
) -> None:
    org.do(CreateWorkOrderTemplate(name="Quick note", body_html="<p>_incident_title_</p>",
                                   is_default=True), org.ramon)
    section = open_section()
    model = section.templates_model
    qtmodeltester.check(model)
    rows = [[model.data(model.index(row, column)) for column in range(2)]
            for row in range(model.rowCount())]
    assert rows == [["Field service", "Hardware repair"], ["Quick note", "Default"]]
    assert section.default_note.text() == (
        "Ticket types without a template of their own print with 'Quick note'.")
    assert section.template_form.heading.text() == "Choose a template, or create one"
    assert not section.template_form.isEnabled()


def test_the_checklist_and_problem_models_pass_the_model_tester(
    qtmodeltester: ModelTester, org: Org, setup: Setup,
) -> None:
    page = load_templates(org.ws)
    types = TypeChecklistModel()
    types.set_types(page, None, (setup.software,))
    qtmodeltester.check(types)
    assert [types.data(types.index(row)) for row in range(types.rowCount())] == [
        "Hardware repair  (now: Field service)", "Software request"]
    types.set_checked(setup.hardware, True)
    assert types.checked_ids() == (setup.hardware, setup.software)
    qtmodeltester.check(ProblemListModel())
    qtmodeltester.check(TemplateTableModel())


# --- Creating, changing, deleting -----------------------------------------------------------


def test_new_from_standard_creates_a_copy_of_the_system_template(
    qtbot: QtBot, open_section: OpenSection, org: Org,
) -> None:
    section = open_section()
    form = section.template_form
    qtbot.mouseClick(section.standard_button, Qt.MouseButton.LeftButton)
    assert form.name_edit.text() == "Standard work order (copy)"
    assert form.changes_label.text() == "● Not created yet"
    assert form.save_button.text() == "Create template"
    assert "_incident_title_" in form.body.toPlainText()
    assert not form.logo_label.pixmap().isNull(), "the standard logo comes along"

    save(qtbot, section)

    row = stored(org, "Standard work order (copy)")
    assert row is not None
    assert row.body_html == sanitize_html(default_work_order_template()), "copied as it is"
    assert row.logo_data_uri.startswith("data:image/png;base64,")
    assert form.heading.text() == "Standard work order (copy)"
    assert form.save_button.text() == "Save"
    assert form.changes_label.text() == ""
    assert copy_name("Standard work order", ["Standard work order (copy)"]) == (
        "Standard work order (copy 2)")


def test_edit_the_template_and_its_types_then_save(
    qtbot: QtBot, open_section: OpenSection, org: Org, setup: Setup,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    type_into(qtbot, form.name_edit, "Field visit")
    form.types_model.set_checked(setup.hardware, False)
    form.types_model.set_checked(setup.software, True)
    form.default_check.click()
    put_cursor(section, len(form.body.toPlainText()))
    qtbot.keyClicks(form.body, " checked")
    assert form.changes_label.text() == "● Unsaved changes"
    assert form.revert_button.isEnabled()

    save(qtbot, section)

    row = stored(org, "Field visit")
    assert row is not None
    assert row.id == setup.field_service
    assert row.is_default
    assert "_Serial number_ checked" in row.body_html
    assert type_template(org, setup.software) == setup.field_service
    assert type_template(org, setup.hardware) is None, "back to the default"
    assert form.changes_label.text() == ""
    assert section.templates_model.data(section.templates_model.index(0, 1)) == (
        "Default, Software request")


def test_revert_shows_the_template_as_saved(
    qtbot: QtBot, open_section: OpenSection, setup: Setup,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    type_into(qtbot, form.name_edit, "Something else")
    form.body.selectAll()
    qtbot.keyClicks(form.body, "All gone")
    assert form.body.toPlainText() == "All gone"
    qtbot.mouseClick(form.revert_button, Qt.MouseButton.LeftButton)
    assert form.name_edit.text() == "Field service"
    assert "_Serial number_" in form.body.toPlainText()
    assert not form.is_dirty()


def test_a_refusal_is_shown_beside_the_field_it_names(
    qtbot: QtBot, open_section: OpenSection, org: Org,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    type_into(qtbot, form.name_edit, "Standard work order")
    with qtbot.waitSignal(section.save_failed, timeout=10_000) as failed:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "comes with DesktopDesk" in failed.args[0]
    assert form.errors.text("name") == failed.args[0]
    assert form.name_edit.text() == "Standard work order", "what was typed stays"
    assert stored(org, "Field service") is not None

    form.body.setFocus()
    form.body.selectAll()
    qtbot.keyClick(form.body, Qt.Key.Key_Delete)
    type_into(qtbot, form.name_edit, "Field service")
    with qtbot.waitSignal(section.save_failed, timeout=10_000) as failed:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.errors.text("body_html") == failed.args[0]
    assert "empty" in failed.args[0]


def test_delete_asks_then_its_types_print_with_the_default(
    qtbot: QtBot, open_section: OpenSection, org: Org, setup: Setup,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    asked: list[str] = []

    def refuse(_parent: object, _title: str, text: str, _action: str) -> bool:
        asked.append(text)
        return False

    monkeypatch.setattr(work_order_templates, "confirm", refuse)
    qtbot.mouseClick(section.template_form.delete_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    assert "Hardware repair will print with the default" in asked[0]
    assert stored(org, "Field service") is not None, "Cancel deletes nothing"

    monkeypatch.setattr(work_order_templates, "confirm", lambda *_args: True)
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        qtbot.mouseClick(section.template_form.delete_button, Qt.MouseButton.LeftButton)
    assert stored(org, "Field service") is None
    assert type_template(org, setup.hardware) is None
    assert section.templates_model.rowCount() == 0
    assert not section.template_form.isEnabled()


def test_leaving_unsaved_changes_asks_first(
    qtbot: QtBot, open_section: OpenSection, monkeypatch: pytest.MonkeyPatch,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    type_into(qtbot, form.name_edit, "Half typed")
    monkeypatch.setattr(work_order_templates, "confirm", lambda *_args: False)
    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    assert form.name_edit.text() == "Half typed", "kept: the person said Cancel"
    assert form.heading.text() == "Field service"

    monkeypatch.setattr(work_order_templates, "confirm", lambda *_args: True)
    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    assert form.heading.text() == "New template"
    assert form.name_edit.text() == ""


def test_a_re_read_keeps_what_is_typed_and_shows_the_rest_fresh(
    qtbot: QtBot, open_section: OpenSection, org: Org,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    type_into(qtbot, form.description_edit, "Typed, not saved")
    org.do(CreateWorkOrderTemplate(name="Another", body_html="<p>x</p>"), org.ramon)
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()  # as after a sync
    assert form.description_edit.text() == "Typed, not saved"
    assert form.changes_label.text() == "● Unsaved changes"
    assert [row.name for row in section.templates_model.entries] == ["Another",
                                                                     "Field service"]
    assert section.table.currentIndex().row() == 1, "the template edited stays chosen"

    qtbot.mouseClick(form.revert_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()
    assert form.description_edit.text() == "For visits"


# --- Macros and problems --------------------------------------------------------------------


def test_a_macro_is_inserted_where_the_cursor_is(
    qtbot: QtBot, open_section: OpenSection,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    form.body.setPlainText("Ticket  closed")
    put_cursor(section, len("Ticket "))
    assert form.macros.select("incident_id")
    qtbot.mouseClick(form.macros.insert_button, Qt.MouseButton.LeftButton)
    assert form.body.toPlainText() == "Ticket _incident_id_ closed"

    # The custom fields of the template's types are offered; Enter in the search inserts.
    qtbot.keyClicks(form.macros.search, "serial")
    assert [m.macro for m in form.macros.macros()] == ["_Serial number_"]
    put_cursor(section, 0)
    qtbot.keyClick(form.macros.search, Qt.Key.Key_Return)
    assert form.body.toPlainText() == "_Serial number_Ticket _incident_id_ closed"

    # A block goes on a line of its own.
    form.macros.search.clear()
    assert form.macros.select("signatures")
    form.macros.insert_chosen()
    assert form.body.toPlainText().splitlines()[-1] == "_signatures_"


def test_an_unknown_macro_is_listed_with_what_was_meant(
    qtbot: QtBot, open_section: OpenSection,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    assert form.problems_model.rowCount() == 0
    put_cursor(section, 0)
    with qtbot.waitSignal(section.problems_checked, timeout=10_000):
        qtbot.keyClicks(form.body, "_incident_titel_ ")
    problems = [form.problems_model.entry(row) for row in range(form.problems_model.rowCount())]
    assert [p.macro for p in problems if not p.from_preview] == ["incident_titel"]
    assert problems[0].text == ("_incident_titel_ is not a known macro; it is printed as it "
                                "was typed. Did you mean _incident_title_?")
    assert form.tabs.tabText(form.tabs.indexOf(form.problems_tab)) == f"Problems ({len(problems)})"
    assert len(form.body.extraSelections()) == 1, "underlined in the text"
    assert form.find_macro("incident_titel")
    assert form.body.textCursor().selectedText() == "_incident_titel_"


def test_problems_are_looked_for_on_a_worker_once_for_each_text(
    qtbot: QtBot, open_section: OpenSection, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sanitising, parsing and tidying a long template is too slow for the GUI thread
    after every pause in typing: it runs on the runner, and not again for the same text."""
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    checked_on: list[threading.Thread] = []
    macro_problems = work_order_template_source.macro_problems

    def spy(body_html: str, known: Collection[str]) -> tuple[MacroProblem, ...]:
        checked_on.append(threading.current_thread())
        return macro_problems(body_html, known)

    monkeypatch.setattr(work_order_template_source, "macro_problems", spy)
    monkeypatch.setattr(work_order_templates, "macro_problems", spy, raising=False)
    put_cursor(section, 0)
    with qtbot.waitSignal(section.problems_checked, timeout=10_000):
        qtbot.keyClicks(form.body, "_incident_titel_ ")
    assert [p.macro for p in form.problems_model.entries if not p.from_preview] == [
        "incident_titel"]
    assert checked_on, "the text was checked"
    assert threading.main_thread() not in checked_on, "not on the GUI thread"

    checks = len(checked_on)
    with qtbot.waitSignal(section.problems_checked, timeout=10_000):
        section.check_problems()  # as after a preview: the text is as it was
    assert len(checked_on) == checks
    assert [p.macro for p in form.problems_model.entries if not p.from_preview] == [
        "incident_titel"]


def test_a_check_answered_after_leaving_the_template_is_dropped(
    qtbot: QtBot, open_section: OpenSection, org: Org, runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org.do(CreateWorkOrderTemplate(name="Quick note", body_html="<p>_incident_title_</p>"),
           org.ramon)
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    gate = threading.Event()
    macro_problems = work_order_template_source.macro_problems

    def slow(body_html: str, known: Collection[str]) -> tuple[MacroProblem, ...]:
        gate.wait(20)
        return macro_problems(body_html, known)

    monkeypatch.setattr(work_order_template_source, "macro_problems", slow)
    monkeypatch.setattr(work_order_templates, "confirm", lambda *_args: True)
    try:
        put_cursor(section, 0)
        qtbot.keyClicks(form.body, "_incident_titel_ ")
        section.check_problems()  # on its way, held
        choose(qtbot, section, "Quick note")
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not runner.busy and not section.live.is_checking, timeout=10_000)
    assert form.heading.text() == "Quick note"
    assert [p.macro for p in form.problems_model.entries] == []
    assert form.body.extraSelections() == []


# --- Logo -----------------------------------------------------------------------------------


def test_a_logo_too_large_is_refused_and_a_small_one_shown(
    qtbot: QtBot, open_section: OpenSection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    huge = tmp_path / "poster.png"
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(600 * 1024))
    monkeypatch.setattr(work_order_template_form, "choose_logo", lambda _parent: huge)
    with qtbot.waitSignal(section.logo_read, timeout=10_000) as read:
        qtbot.mouseClick(form.logo_choose, Qt.MouseButton.LeftButton)
    assert read.args == [False]
    assert form.errors.text("logo_data_uri") == (
        "poster.png is too large for a logo (600 KB, at most 512 KB); use a smaller picture.")
    assert form.logo_data_uri == ""
    assert form.logo_label.text() == "No logo"

    picture = QImage(120, 40, QImage.Format.Format_RGB32)
    picture.fill(QColor("#1a73e8"))
    small = tmp_path / "logo.png"
    small.write_bytes(png_bytes(picture))
    monkeypatch.setattr(work_order_template_form, "choose_logo", lambda _parent: small)
    with qtbot.waitSignal(section.logo_read, timeout=10_000) as read:
        qtbot.mouseClick(form.logo_choose, Qt.MouseButton.LeftButton)
    assert read.args == [True]
    assert form.errors.text("logo_data_uri") == ""
    assert form.logo_data_uri.startswith("data:image/png;base64,")
    assert not form.logo_label.pixmap().isNull()
    assert form.changes_label.text() == "● Unsaved changes"
    qtbot.mouseClick(form.logo_remove, Qt.MouseButton.LeftButton)
    assert form.logo_data_uri == ""


def test_a_logo_read_for_a_template_left_since_is_dropped(
    qtbot: QtBot, open_section: OpenSection, org: Org, runner: TaskRunner, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A logo chosen for one template from a slow share, another template clicked before
    it is read: the picture lands on neither (a Save would have written it to the other)."""
    org.do(CreateWorkOrderTemplate(name="Quick note", body_html="<p>_incident_title_</p>"),
           org.ramon)
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    gate = threading.Event()
    read_logo = work_order_templates.read_logo

    def slow_read(path: Path) -> str:
        gate.wait(20)
        return read_logo(path)

    picture = QImage(120, 40, QImage.Format.Format_RGB32)
    picture.fill(QColor("#1a73e8"))
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes(picture))
    monkeypatch.setattr(work_order_templates, "read_logo", slow_read)
    monkeypatch.setattr(work_order_template_form, "choose_logo", lambda _parent: logo)
    answers: list[bool] = []
    section.logo_read.connect(answers.append)
    try:
        qtbot.mouseClick(form.logo_choose, Qt.MouseButton.LeftButton)
        choose(qtbot, section, "Quick note")
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    assert form.heading.text() == "Quick note"
    assert form.logo_data_uri == ""
    assert form.logo_label.text() == "No logo"
    assert form.changes_label.text() == ""
    assert answers == []


# --- Preview --------------------------------------------------------------------------------


def test_the_preview_prints_a_ticket_from_the_form_as_typed(
    qtbot: QtBot, open_section: OpenSection,
) -> None:
    section = open_section()
    pages = section.preview.pages
    with qtbot.waitSignal(pages.rendered, timeout=20_000) as rendered:
        section.select_template("Field service")  # the first ticket offered is printed
    assert rendered.args == [1]
    assert pages.page_label.text() == "Page 1 of 1"
    assert "printed with the template as saved" in section.preview.summary.text()

    with qtbot.waitSignal(section.preview_shown, timeout=20_000) as shown:
        section.preview.choose("#1")
    assert shown.args[0].ticket_label == "#1"
    qtbot.waitUntil(lambda: not section.is_previewing, timeout=20_000)
    assert section.preview.ticket_text.startswith("#1 Printer jams on tray 2")
    form = section.template_form
    with qtbot.waitSignal(pages.rendered, timeout=20_000) as rendered:
        form.body.setFocus()
        qtbot.keyClick(form.body, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(form.body, Qt.Key.Key_Return)
        qtbot.keyClicks(form.body, "_page_break_")
        qtbot.keyClick(form.body, Qt.Key.Key_Return)
        qtbot.keyClicks(form.body, "Second page")
    assert rendered.args == [2], "printed again from the unsaved form"
    assert pages.page_count == 2
    assert 0 in pages.drawn_pages()
    assert "with the changes not saved yet" in section.preview.summary.text()

    section.preview.choose("#999")
    qtbot.waitUntil(lambda: section.preview.error.isVisible(), timeout=20_000)
    assert section.preview.error.text() == "There is no ticket #999 you can see."
    assert pages.page_count == 0


def test_preview_problems_are_listed_too(
    qtbot: QtBot, open_section: OpenSection, setup: Setup,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    with qtbot.waitSignal(section.preview_shown, timeout=20_000):
        section.preview.choose("#2")  # a software request: no serial number
    texts = [section.template_form.problems_model.entry(row).text
             for row in range(section.template_form.problems_model.rowCount())]
    assert texts == ["Printing #2: _Serial number_ is not a known macro; it is printed as "
                     "it was typed."]


# --- Odds and ends --------------------------------------------------------------------------


def test_the_editor_tidies_what_qt_writes_back() -> None:
    qt_html = ('<table><tr><td><p><span style="font-weight:700">Status</span></p></td>'
               '<td><p style="">_status_</p></td></tr></table>'
               '<h2><span style="font-weight:700">Work</span></h2><p>_signatures_ </p>')
    assert tidy_template_html(qt_html) == (
        "<table><tbody><tr><th>Status</th><td>_status_</td></tr></tbody></table>"
        "<h2>Work</h2><p>_signatures_</p>")


def test_the_source_module_loads_no_qt() -> None:
    assert qt_modules_loaded_by("desktopdesk.ui.admin.work_order_template_source") == []


def test_the_administration_window_offers_the_section(
    qtbot: QtBot, org: Org, runner: TaskRunner, setup: Setup,
) -> None:
    window = AdminWindow(org.ws, org.ramon, runner, AdminAccess(design=True, setup=False))
    qtbot.addWidget(window)
    titles = [window.navigation.item(row).text() for row in range(window.navigation.count())]
    assert "Work orders" in titles
    section = window.show_section(WorkOrderTemplatesSection)
    assert isinstance(section, WorkOrderTemplatesSection)
    qtbot.waitUntil(lambda: not section.is_loading, timeout=10_000)
    assert [row.name for row in section.templates_model.entries] == ["Field service"]
    window.close()
    runner.wait_for_done()


def test_a_page_shows_the_standard_copy_preview_with_text(
    qtbot: QtBot, open_section: OpenSection,
) -> None:
    """The copy of the standard template prints a page with ink on it, not a blank one."""
    section = open_section()
    pages = section.preview.pages
    with qtbot.waitSignal(pages.rendered, timeout=20_000):
        qtbot.mouseClick(section.standard_button, Qt.MouseButton.LeftButton)
    image = pages.drawn_pages()[0]
    small = image.scaled(50, 70)
    inked = sum(1 for x in range(50) for y in range(70)
                if QColor(small.pixel(x, y)).lightness() < 180)
    assert inked > 40


# --- Saving, deleting and syncing while answers are on their way ------------------------------


@pytest.fixture
def roomy_section(qtbot: QtBot, org: Org, setup: Setup) -> Iterator[WorkOrderTemplatesSection]:
    """The section on a runner with room for work held on purpose by a test and the
    work it waits for (the usual runner has two threads)."""
    runner = TaskRunner(max_threads=4)
    made = WorkOrderTemplatesSection(org.ws, org.ramon, runner)
    qtbot.addWidget(made)
    made.resize(1400, 900)
    made.show()
    with qtbot.waitSignal(made.loaded, timeout=10_000):
        made.reload()
    yield made
    runner.wait_for_done()


def test_a_preview_and_a_check_for_a_template_deleted_meanwhile_are_dropped(
    qtbot: QtBot, roomy_section: WorkOrderTemplatesSection, org: Org,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    section = roomy_section
    form = section.template_form
    with qtbot.waitSignal(section.preview.pages.rendered, timeout=20_000):
        section.select_template("Field service")  # the first ticket offered is printed
    qtbot.waitUntil(lambda: not section.is_previewing and not section.live.is_checking,
                    timeout=20_000)
    gate = threading.Event()
    preview_template = work_order_template_live.preview_template
    macro_problems = work_order_template_source.macro_problems

    def slow_preview(*args: object) -> object:
        gate.wait(20)
        return preview_template(*args)  # type: ignore[arg-type]

    def slow_check(body_html: str, known: Collection[str]) -> tuple[MacroProblem, ...]:
        gate.wait(20)
        return macro_problems(body_html, known)

    monkeypatch.setattr(work_order_template_live, "preview_template", slow_preview)
    monkeypatch.setattr(work_order_template_source, "macro_problems", slow_check)
    monkeypatch.setattr(work_order_templates, "confirm", lambda *_args: True)
    previews: list[object] = []
    section.preview_shown.connect(previews.append)
    try:
        put_cursor(section, 0)
        qtbot.keyClicks(form.body, "_incident_titel_ ")
        section.check_problems()  # on its way, held
        section.run_preview()  # on its way, held
        with qtbot.waitSignal(section.loaded, timeout=10_000):
            qtbot.mouseClick(form.delete_button, Qt.MouseButton.LeftButton)
        assert not form.isEnabled()  # deleted here: nothing is kept
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not section.runner.busy, timeout=20_000)

    assert stored(org, "Field service") is None
    assert previews == []
    assert section.preview.pages.page_count == 0
    assert section.preview.summary.text() == ""
    assert form.problems_model.rowCount() == 0
    assert form.body.extraSelections() == []


def test_nothing_typed_while_a_save_is_on_its_way_is_lost(
    qtbot: QtBot, roomy_section: WorkOrderTemplatesSection, org: Org,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The save, then the read back, fill the form again: what is typed meanwhile would
    be undone without a word, so the form takes none until the template is back."""
    section = roomy_section
    choose(qtbot, section, "Field service")
    form = section.template_form
    type_into(qtbot, form.name_edit, "Field visit")
    saving, reading = threading.Event(), threading.Event()
    save_commands = org_source.save
    load = work_order_templates.load_templates

    def slow_save(*args: object) -> object:
        saving.wait(20)
        return save_commands(*args)  # type: ignore[arg-type]

    def slow_read(workspace: object) -> object:
        reading.wait(20)
        return load(workspace)  # type: ignore[arg-type]

    monkeypatch.setattr(org_source, "save", slow_save)
    monkeypatch.setattr(work_order_templates, "load_templates", slow_read)
    try:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
        assert section.is_sending
        qtbot.keyClicks(form.name_edit, " 2")
        put_cursor(section, len(form.body.toPlainText()))
        qtbot.keyClicks(form.body, " more")
        seen = (form.name_edit.text(), form.body.toPlainText())
        assert not form.save_button.isEnabled()
        assert not form.types_view.isEnabled()
        saving.set()
        qtbot.waitUntil(lambda: not section.is_sending, timeout=10_000)
        qtbot.keyClicks(form.name_edit, " 3")  # saved, being read back
        assert form.name_edit.text() == seen[0]
        with qtbot.waitSignal(section.loaded, timeout=10_000):
            reading.set()
    finally:
        saving.set()
        reading.set()

    assert (form.name_edit.text(), form.body.toPlainText()) == seen, "nothing undone"
    assert seen[0] == "Field visit"
    row = stored(org, "Field visit")
    assert row is not None
    assert not form.name_edit.isReadOnly()
    assert not form.body.isReadOnly()
    assert form.save_button.isEnabled()
    qtbot.keyClicks(form.name_edit, " 4")
    assert form.name_edit.text() == "Field visit 4"


def test_a_template_deleted_elsewhere_while_edited_stays_as_a_new_one(
    qtbot: QtBot, open_section: OpenSection, org: Org, setup: Setup,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    form = section.template_form
    type_into(qtbot, form.description_edit, "Typed, not saved")
    org.do(DeleteWorkOrderTemplate(template_id=setup.field_service), org.ramon)
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()  # as after a sync

    assert form.isEnabled()
    assert form.notice.isVisible()
    assert form.notice.text().startswith("'Field service' was deleted elsewhere")
    assert form.heading.text() == "New template"
    assert form.name_edit.text() == "Field service"
    assert form.description_edit.text() == "Typed, not saved"
    assert form.changes_label.text() == "● Not created yet"
    assert form.save_button.text() == "Create template"
    assert not form.delete_button.isEnabled()
    assert section.templates_model.rowCount() == 0

    save(qtbot, section)
    row = stored(org, "Field service")
    assert row is not None
    assert row.id != setup.field_service
    assert row.description == "Typed, not saved"
    assert type_template(org, setup.hardware) == row.id, "its types came along"
    assert form.heading.text() == "Field service"
    assert not form.notice.isVisible()


def test_a_template_deleted_elsewhere_with_nothing_typed_just_goes(
    qtbot: QtBot, open_section: OpenSection, org: Org, setup: Setup,
) -> None:
    section = open_section()
    choose(qtbot, section, "Field service")
    org.do(DeleteWorkOrderTemplate(template_id=setup.field_service), org.ramon)
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        section.reload()
    assert not section.template_form.isEnabled()
    assert section.template_form.heading.text() == "Choose a template, or create one"
