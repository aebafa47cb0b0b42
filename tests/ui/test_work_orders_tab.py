"""The ticket's Work orders tab, on a real store: generate (with the type's template or
another), list, open, save, and validate with a signed scan of three photos, offline.

Photos are made with Pillow, each a marker colour, so the signed PDF's page order and
turns can be checked by looking at its pages, as a person would.
"""

from __future__ import annotations

import dataclasses
import io
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.documents.pdf_pages import render_pages
from desktopdesk.documents.work_orders import GeneratedWorkOrder
from desktopdesk.domain.commands import (
    ChangeSetting,
    CreateTicketType,
    CreateWorkOrderTemplate,
    UpdateTicketFields,
)
from desktopdesk.models import Attachment, WorkOrder
from desktopdesk.ui import (
    scan_dialog,
    shortcuts,
    ticket_view_source,
    work_order_viewer,
    work_orders_source,
)
from desktopdesk.ui.desktop_preferences import DesktopPreferences
from desktopdesk.ui.palette import contrast_ratio
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_view import TicketView
from desktopdesk.ui.work_order_viewer import WorkOrderViewer
from desktopdesk.ui.work_orders_model import AWAITING, WorkOrdersModel
from desktopdesk.ui.work_orders_tab import WorkOrdersTab
from tests.conftest import Org
from tests.ui.conftest import Embed, Tickets, qt_modules_loaded_by
from tests.ui.test_palette import MakeAppearance, appearances
from tests.ui.test_scan_dialog import questions  # noqa: F401  (autouse: closing never asks)
from tests.ui.test_ticket_view import wait_loaded

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

RED, GREEN, BLUE = (220, 30, 30), (30, 170, 30), (30, 30, 220)
MakeTab = Callable[[uuid.UUID, uuid.UUID], WorkOrdersTab]


@pytest.fixture
def make_appearance(qapp: QApplication) -> MakeAppearance:  # type: ignore[misc]
    yield from appearances(qapp)


@pytest.fixture
def make_tab(qtbot: QtBot, org: Org, runner: TaskRunner, embed: Embed,
             shown: list[str]) -> MakeTab:
    """The tab shown for a ticket, its list read, as the ticket view hands it the ticket."""

    def make(user_id: uuid.UUID, ticket_id: uuid.UUID) -> WorkOrdersTab:
        tab = WorkOrdersTab(org.ws, user_id, runner)
        embed(tab, 1100, 500)
        details = ticket_view_source.load_details(org.ws, user_id, ticket_id).details
        with qtbot.waitSignal(tab.loaded, timeout=20_000):
            tab.show_details(details)
        return tab

    return make


def ticket_label(org: Org, ticket_id: uuid.UUID) -> str:
    return ticket_view_source.load_details(org.ws, org.ramon, ticket_id).details.number_label


def generate_and_wait(qtbot: QtBot, tab: WorkOrdersTab) -> GeneratedWorkOrder:
    results: list[GeneratedWorkOrder] = []
    tab.generated.connect(results.append)
    with qtbot.waitSignals([tab.generated, tab.loaded], timeout=30_000, order="strict"):
        qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    tab.generated.disconnect(results.append)
    return results[0]


def texts(model: WorkOrdersModel, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_a_generated_work_order_is_listed_awaiting_signature(
    qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab, shown: list[str],
) -> None:
    tab = make_tab(org.ramon, tickets.ramon_new)
    assert tab.message.text().startswith("No work orders yet.")
    assert tab.template_box.currentText() == "Standard work order (this ticket's type)"
    assert not tab.open_action.isEnabled()

    generated = generate_and_wait(qtbot, tab)

    model = tab.model
    assert model.rowCount() == 1
    file_name = texts(model, WorkOrdersModel.FILE)[0]
    assert file_name.startswith("work-order-")
    assert file_name.endswith(".pdf")
    assert texts(model, WorkOrdersModel.TEMPLATE) == ["Standard work order"]
    assert texts(model, WorkOrdersModel.GENERATED_BY) == ["Ramon"]
    assert texts(model, WorkOrdersModel.STATE) == [AWAITING]
    assert tab.current_item() is not None  # the new one is selected, ready to open
    assert tab.open_action.isEnabled()
    assert not tab.open_signed_action.isEnabled()
    assert tab.status.text().startswith(f"Generated {file_name} (")
    assert not tab.problems.isVisible()
    assert generated.document.file_name == file_name
    with org.ws.read() as session:
        stored = session.scalars(select(Attachment.file_name)
                                 .where(Attachment.ticket_id == tickets.ramon_new)).all()
    assert stored == [file_name]  # kept on the ticket, as a file that syncs
    assert shown == []


def test_another_template_can_be_chosen_and_its_problems_are_shown(
    qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab,
) -> None:
    org.do(CreateWorkOrderTemplate(name="Quick note",
                                   body_html="<p>_incident_title_ for _customer_ref_</p>"),
           org.ramon)
    tab = make_tab(org.ramon, tickets.ramon_new)
    offered = [tab.template_box.itemText(i) for i in range(tab.template_box.count())]
    assert offered == ["Standard work order (this ticket's type)", "Quick note"]

    tab.template_box.setCurrentIndex(1)
    tab.template_box.activated.emit(1)
    generate_and_wait(qtbot, tab)

    assert texts(tab.model, WorkOrdersModel.TEMPLATE) == ["Quick note"]
    assert tab.problems.isVisible()
    assert "_customer_ref_" in tab.problems.text.text()
    assert tab.template_box.currentText() == "Quick note"  # kept for the next one
    qtbot.mouseClick(tab.problems.close_button, Qt.MouseButton.LeftButton)
    assert not tab.problems.isVisible()


def test_the_type_s_own_template_is_the_one_offered_first(
    qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab,
) -> None:
    hardware = org.do(CreateTicketType(name="Hardware"), org.ramon).created_id
    assert hardware is not None
    org.do(CreateWorkOrderTemplate(name="Hardware delivery", body_html="<p>_incident_id_</p>",
                                   ticket_type_ids=(hardware,)), org.ramon)
    org.do(UpdateTicketFields(ticket_id=tickets.ramon_new,
                              changes={"ticket_type_id": str(hardware)}), org.ramon)
    tab = make_tab(org.ramon, tickets.ramon_new)

    assert tab.template_box.itemText(0) == "Hardware delivery (this ticket's type)"
    generate_and_wait(qtbot, tab)
    assert texts(tab.model, WorkOrdersModel.TEMPLATE) == ["Hardware delivery"]


def write_photo(path: Path, colour: tuple[int, int, int]) -> Path:
    image = Image.new("RGB", (600, 800), colour)
    image.paste((0, 0, 0), (0, 0, 600, 130))  # a black band at the top
    image.save(path, "JPEG", quality=90)
    return path


def centre_colour(png: Image.Image) -> tuple[int, int, int]:
    pixel = png.getpixel((png.width // 2, png.height // 2))
    assert isinstance(pixel, tuple)
    return (int(pixel[0]), int(pixel[1]), int(pixel[2]))


def near(colour: tuple[int, int, int], wanted: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 45 for a, b in zip(colour, wanted, strict=True))


def test_three_photos_validate_the_work_order_in_the_order_chosen(
    qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    tab = make_tab(org.ramon, tickets.ramon_new)
    generate_and_wait(qtbot, tab)
    photos = [write_photo(tmp_path / f"IMG_{n}.jpg", colour)
              for n, colour in enumerate((RED, GREEN, BLUE), start=1)]
    monkeypatch.setattr(scan_dialog, "choose_scan_files", lambda _parent, _start: photos)

    qtbot.mouseClick(tab.validate_button, Qt.MouseButton.LeftButton)
    dialog = tab.scan_dialog
    assert dialog is not None
    assert not tab.validate_action.isEnabled()  # one signed scan at a time
    with qtbot.waitSignal(dialog.files_loaded, timeout=20_000):
        dialog.page_actions.add.trigger()
    dialog.pages.selectionModel().clearSelection()
    dialog.pages.setCurrentIndex(dialog.model.index(2))
    dialog.page_actions.move_up.trigger()  # red, blue, green
    dialog.pages.selectionModel().clearSelection()
    dialog.pages.setCurrentIndex(dialog.model.index(0))
    dialog.page_actions.rotate_right.trigger()  # the red page on its side
    with qtbot.waitSignal(tab.loaded, timeout=30_000):
        qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)

    state = texts(tab.model, WorkOrdersModel.STATE)[0]
    assert state.startswith("Validated by Ramon on ")
    assert tab.open_signed_action.isEnabled()
    assert tab.validate_action.text() == "Validate again with signed scan…"
    assert tab.status.text() == "Validated: the signed copy (3 pages) is attached."
    with org.ws.read() as session:
        order = session.scalars(select(WorkOrder)).one()
        assert order.validated_by_id == org.ramon
        signed = session.get(Attachment, order.signed_attachment_id)
        assert signed is not None
        sha = signed.sha256
    pdf = org.ws.blobs.read_bytes(sha)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 3
    pictures = [page.to_pil() for page in render_pages(pdf, dpi=30)]
    assert [near(centre_colour(p), c) for p, c in zip(pictures, (RED, BLUE, GREEN),
                                                      strict=True)] == [True] * 3
    assert pictures[0].width > pictures[0].height  # turned
    assert pictures[1].width < pictures[1].height
    assert shown == []


def test_open_shows_the_pdf_and_save_as_writes_it(
    qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab, tmp_path: Path,
) -> None:
    tab = make_tab(org.ramon, tickets.ramon_new)
    generate_and_wait(qtbot, tab)

    with qtbot.waitSignal(tab.viewer_opened, timeout=10_000) as opened:
        tab.table.setFocus()
        qtbot.keyClick(tab.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    viewer = opened.args[0]
    assert isinstance(viewer, WorkOrderViewer)
    # Its pages, waited for by state: ``rendered`` may have fired while the viewer opened.
    qtbot.waitUntil(lambda: viewer.view.page_count >= 1 and not viewer.view.is_busy
                    and bool(viewer.view.drawn_pages()), timeout=20_000)
    assert viewer.file_name == texts(tab.model, WorkOrdersModel.FILE)[0]
    viewer.close()

    target = tmp_path / "copy.pdf"
    tab.save_selected(target)
    qtbot.waitUntil(lambda: tab.status.text().startswith("Saved as"), timeout=10_000)
    saved = PdfReader(target)
    assert len(saved.pages) >= 1
    assert "Printer on the second floor jams" in saved.pages[0].extract_text()


def test_the_ticket_view_has_the_tab_and_generates_from_anywhere(
    qtbot: QtBot, org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
    shown: list[str],
) -> None:
    view = TicketView(org.ws, org.ramon, runner, tickets.ramon_new)
    embed(view, 1200, 800)
    wait_loaded(qtbot, view)
    assert view.tab_title("work_orders") == "Work orders"
    view.set_current_tab("details")
    view.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view.window())
    view.details_tab.title.setFocus()
    focused = QApplication.focusWidget()
    assert focused is not None

    with qtbot.waitSignals([view.work_orders_tab.generated, view.ticket_changed],
                           timeout=30_000):
        qtbot.keyClick(focused, Qt.Key.Key_P,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert view.current_tab() == "work_orders"
    qtbot.waitUntil(lambda: view.work_orders_tab.model.rowCount() == 1
                    and view.files_tab.model.rowCount() == 1, timeout=20_000)
    assert view.tab_title("files") == "Files (1)"  # the PDF is one of the ticket's files


def test_someone_who_may_not_add_files_is_told_why_and_nothing_is_listed(
    qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab, shown: list[str],
) -> None:
    org.do(ChangeSetting(key="external_users_may_modify", value=False), org.admin)
    tab = make_tab(org.carla, tickets.carla_first)  # her own ticket: she sees it

    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)

    assert shown == [f"You may not add files to {ticket_label(org, tickets.carla_first)}."]
    assert tab.generate_action.isEnabled()  # ready to try again once allowed
    assert tab.model.rowCount() == 0
    assert tab.status.text() == ""


def test_the_list_is_a_sound_model_and_the_state_reads_in_light_and_dark(
    qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab, qtmodeltester: object,
    make_appearance: MakeAppearance,
) -> None:
    tab = make_tab(org.ramon, tickets.ramon_new)
    generate_and_wait(qtbot, tab)
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]
    state = tab.model.index(0, WorkOrdersModel.STATE)

    for scheme in ("light", "dark"):
        make_appearance(scheme)
        colour = state.data(Qt.ItemDataRole.ForegroundRole).color()
        base = QApplication.palette().color(QPalette.ColorRole.Base)
        assert contrast_ratio(QColor(colour), base) >= 4.5, scheme


def test_the_workers_functions_do_not_load_qt() -> None:
    assert qt_modules_loaded_by("desktopdesk.ui.work_orders_source") == []
    assert work_orders_source.load_work_orders.__module__ == "desktopdesk.ui.work_orders_source"


def test_print_from_the_list_opens_the_work_order_and_prints_it(
    qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tab = make_tab(org.ramon, tickets.ramon_new)
    generate_and_wait(qtbot, tab)
    out = tmp_path / "printed.pdf"

    def answer(_parent: object, printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(100)
        return True

    monkeypatch.setattr(work_order_viewer, "choose_printer", answer)
    menu = tab.context_menu()
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Open", "Print…", "Save as…", "Validate with signed scan…", "Open signed scan",
        "Generate work order"]
    menu.deleteLater()

    with qtbot.waitSignal(tab.viewer_opened, timeout=10_000) as opened:
        qtbot.mouseClick(tab.print_button, Qt.MouseButton.LeftButton)
    viewer = opened.args[0]
    with qtbot.waitSignal(viewer.printed, timeout=30_000) as printed:
        pass

    assert printed.args[0] >= 1
    assert len(PdfReader(out).pages) == printed.args[0]
    viewer.close()


def test_the_tab_s_keys_come_from_the_registry(
    org: Org, tickets: Tickets, make_tab: MakeTab, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Declared once: change the registry and the tab follows (and so does F1)."""
    moved = dataclasses.replace(shortcuts.shortcut("validate_work_order"),
                                keys=("Ctrl+Alt+V",))
    monkeypatch.setitem(shortcuts._BY_KEY, "validate_work_order", moved)
    tab = make_tab(org.ramon, tickets.ramon_new)

    assert tab.validate_action.shortcut().toString() == "Ctrl+Alt+V"
    assert tab.validate_action.statusTip() == moved.description
    assert tab.validate_action.shortcutContext() == shortcuts.WORK_ORDERS_TAB.context


def test_validating_offers_no_recent_scan_that_is_already_the_ticket_s(
    qtbot: QtBot, org: Org, tickets: Tickets, make_tab: MakeTab, tmp_path: Path,
) -> None:
    """The dialog knows its ticket: the work order's own PDF, saved into the scanner
    folder, is not offered as a scan of the signed paper."""
    folder = tmp_path / "Scans"
    folder.mkdir()
    DesktopPreferences(org.ws.data_dir).set_scanner_folder(folder)
    tab = make_tab(org.ramon, tickets.ramon_new)
    generated = generate_and_wait(qtbot, tab)
    (folder / "unsigned.pdf").write_bytes(generated.document.rendered.pdf)
    write_photo(folder / "IMG_1.jpg", RED)

    dialog = tab.validate_selected()
    assert dialog is not None
    qtbot.waitUntil(dialog.scanner.recent.isVisible, timeout=20_000)

    assert dialog.scanner.recent.offered == [folder / "IMG_1.jpg"]
    dialog.close()


def test_a_template_chosen_on_one_ticket_does_not_print_the_next_one(
    qtbot: QtBot, org: Org, tickets: Tickets, runner: TaskRunner, embed: Embed,
    shown: list[str],
) -> None:
    """"Installation" chosen on ticket A; ticket B opened while on Details; Ctrl+Shift+P
    prints B before its list is read: with B's own template, not A's choice."""
    org.do(CreateWorkOrderTemplate(name="Installation", body_html="<p>_incident_title_</p>"),
           org.ramon)
    view = TicketView(org.ws, org.ramon, runner, tickets.ramon_new)
    embed(view, 1200, 800)
    wait_loaded(qtbot, view)
    tab = view.work_orders_tab
    with qtbot.waitSignal(tab.loaded, timeout=20_000):
        view.set_current_tab("work_orders")
    box = tab.template_box
    box.setCurrentIndex(box.findText("Installation"))
    box.activated.emit(box.currentIndex())
    assert box.currentText() == "Installation"

    view.set_current_tab("details")
    assert view.show_ticket(tickets.ramon_pending)
    wait_loaded(qtbot, view)
    assert view.details is not None
    assert view.details.id == tickets.ramon_pending
    view.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view.window())
    view.details_tab.title.setFocus()
    focused = QApplication.focusWidget()
    assert focused is not None
    printed: list[GeneratedWorkOrder] = []
    tab.generated.connect(printed.append)
    with qtbot.waitSignal(tab.generated, timeout=30_000):
        qtbot.keyClick(focused, Qt.Key.Key_P,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    document = printed[0].document
    assert document.ticket_id == tickets.ramon_pending
    assert document.template.name == "Standard work order"
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=20_000)
    assert texts(tab.model, WorkOrdersModel.TEMPLATE) == ["Standard work order"]
    assert box.currentText() == "Standard work order (this ticket's type)"
    assert shown == []
