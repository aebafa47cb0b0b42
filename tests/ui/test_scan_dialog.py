"""The signed-scan dialog: files in (chosen or dropped; the scanner folder has
test_scanner_folder.py), a bad one refused by name while the rest of its batch comes in,
pages reordered, turned and removed, then handed over in that order.

Pictures are made with Pillow; each page carries a marker colour so its place and turn
can be told apart, as a person checking the thumbnails would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from desktopdesk.documents.pdf_pages import PdfUnreadable
from desktopdesk.documents.scans import ScanPage
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import scan_dialog, scan_loader, scan_source, shortcuts
from desktopdesk.ui.scan_dialog import ScanDialog
from desktopdesk.ui.shortcuts import SHORTCUTS
from desktopdesk.ui.tasks import TaskRunner
from tests.documents.test_pdf_pages import two_pages, with_a_missing_page
from tests.ui.test_work_order_viewer import unnamed_controls

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

RED, GREEN, BLUE = (220, 30, 30), (30, 170, 30), (30, 30, 220)


def card(colour: tuple[int, int, int], size: tuple[int, int] = (300, 400)) -> Image.Image:
    """A page in ``colour`` with a black top band: its turn shows where the band is."""
    image = Image.new("RGB", size, colour)
    image.paste((0, 0, 0), (0, 0, size[0], size[1] // 6))
    return image


def write_photo(path: Path, colour: tuple[int, int, int], fmt: str = "JPEG") -> Path:
    card(colour).save(path, fmt)
    return path


def photos(folder: Path) -> list[Path]:
    return [write_photo(folder / f"IMG_000{n}.jpg", colour)
            for n, colour in enumerate((RED, GREEN, BLUE), start=1)]


class Recorder:
    """The ``validate`` the tab would pass: records the pages it is handed."""

    def __init__(self) -> None:
        self.calls: list[list[ScanPage]] = []

    def __call__(self, pages: Sequence[ScanPage]) -> str:
        self.calls.append(list(pages))
        return "attached"


MakeScanDialog = Callable[..., ScanDialog]


def scan_dialogs(qtbot: QtBot, workspace: Workspace,
                 runner: TaskRunner) -> Iterator[MakeScanDialog]:
    """Dialogs on ``workspace``, closed (and their workers drained) afterwards."""
    dialogs: list[ScanDialog] = []

    def make(validate: Callable[[Sequence[ScanPage]], object] | None = None,
             **options: object) -> ScanDialog:
        dialog = ScanDialog(workspace, runner, validate or Recorder(),
                            work_order_name="work-order-812-20260302-1015.pdf",
                            thumbnail_side=96, **options)  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    yield make
    runner.wait_for_done()
    for dialog in dialogs:
        dialog.done(QDialog.DialogCode.Rejected)  # close() would ask about the pages


class Questions:
    """The questions the dialog asked, and the answer each gets (True: the action)."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answer = True

    def __call__(self, _parent: object, _title: str, text: str, _action: str) -> bool:
        self.asked.append(text)
        return self.answer


@pytest.fixture(autouse=True)
def questions() -> Iterator[Questions]:
    """The dialog's questions, recorded and answered "Discard" unless a test says
    otherwise (a real one would wait for a click, and pytest-qt closes the dialogs a
    test leaves open, pages and all). A patch of its own: a test's
    ``monkeypatch.undo()`` leaves it. Import it into a module that opens scan dialogs."""
    answers = Questions()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan_dialog, "confirm", answers)
        yield answers


@pytest.fixture
def make_scan_dialog(qtbot: QtBot, workspace: Workspace,
                     runner: TaskRunner) -> Iterator[MakeScanDialog]:
    yield from scan_dialogs(qtbot, workspace, runner)


def add_and_wait(qtbot: QtBot, dialog: ScanDialog, paths: list[Path]) -> tuple[int, int]:
    with qtbot.waitSignal(dialog.files_loaded, timeout=20_000) as loaded:
        dialog.add_files(paths)
    added, refused = loaded.args
    return added, refused


def click_page(qtbot: QtBot, dialog: ScanDialog, row: int) -> None:
    """Click page ``row``'s picture, as a person picks one page."""
    dialog.pages.doItemsLayout()
    where = dialog.pages.visualRect(dialog.model.index(row)).center()
    qtbot.mouseClick(dialog.pages.viewport(), Qt.MouseButton.LeftButton, pos=where)


def page_colours(pages: Sequence[ScanPage]) -> list[str]:
    names = {"IMG_0001.jpg": "red", "IMG_0002.jpg": "green", "IMG_0003.jpg": "blue"}
    return [names.get(page.source.name, page.source.name) for page in pages]


def test_three_photos_go_out_in_the_order_and_turn_the_person_chose(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = Recorder()
    dialog = make_scan_dialog(recorder)
    chosen = photos(tmp_path)
    monkeypatch.setattr(scan_dialog, "choose_scan_files", lambda _parent, _start: chosen)
    assert not dialog.attach_button.isEnabled()  # nothing to attach yet

    with qtbot.waitSignal(dialog.files_loaded, timeout=20_000):
        qtbot.mouseClick(dialog.findChild(QWidget, "scan_add_button"),
                         Qt.MouseButton.LeftButton)
    assert page_colours(dialog.model.pages()) == ["red", "green", "blue"]
    assert dialog.summary.text().startswith("3 pages, about ")
    assert dialog.summary.text().endswith(" after reduction")

    # The blue page first (keyboard), then the green one turned right.
    click_page(qtbot, dialog, 2)
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert page_colours(dialog.model.pages()) == ["blue", "red", "green"]
    assert dialog.selected_rows() == [0]  # the selection went with the page
    assert not dialog.page_actions.move_up.isEnabled()
    click_page(qtbot, dialog, 2)
    assert dialog.selected_rows() == [2]
    qtbot.mouseClick(dialog.findChild(QWidget, "scan_rotate_right_button"),
                     Qt.MouseButton.LeftButton)
    turned = dialog.model.picture(2)
    assert turned.width() > turned.height()  # the portrait page now lies on its side
    assert dialog.model.data(dialog.model.index(2)).startswith("3. IMG_0002.jpg")

    with qtbot.waitSignal(dialog.validated, timeout=20_000) as done:
        qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)

    assert done.args == ["attached"]
    assert len(recorder.calls) == 1
    assert page_colours(recorder.calls[0]) == ["blue", "red", "green"]
    assert [page.rotation for page in recorder.calls[0]] == [0, 0, 90]
    assert not dialog.isVisible()  # closed once attached


def test_a_png_renamed_pdf_is_refused_with_its_message_and_not_added(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path,
) -> None:
    dialog = make_scan_dialog()
    fake = write_photo(tmp_path / "signed.pdf", RED, fmt="PNG")
    good = write_photo(tmp_path / "IMG_0001.jpg", RED)

    added, refused = add_and_wait(qtbot, dialog, [fake, good])

    assert (added, refused) == (1, 1)
    assert dialog.refusals.isVisible()
    assert dialog.refusals.text() == ("signed.pdf is not a PDF: its contents are a PNG image. "
                                      "Choose the original file, or rename it to end in .png.")
    assert page_colours(dialog.model.pages()) == ["red"]
    assert dialog.summary.text().startswith("1 page, about ")


def test_a_file_already_among_the_pages_is_not_added_twice(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path,
) -> None:
    dialog = make_scan_dialog()
    photo = write_photo(tmp_path / "IMG_0001.jpg", RED)
    add_and_wait(qtbot, dialog, [photo])

    dialog.add_files([photo])

    assert dialog.refusals.text() == "IMG_0001.jpg is already among the pages."
    assert dialog.model.rowCount() == 1


def test_removing_pages_updates_the_summary_and_lets_the_file_come_back(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path,
) -> None:
    dialog = make_scan_dialog()
    chosen = photos(tmp_path)
    add_and_wait(qtbot, dialog, chosen)
    click_page(qtbot, dialog, 1)

    qtbot.keyClick(dialog.pages, Qt.Key.Key_Delete)

    assert page_colours(dialog.model.pages()) == ["red", "blue"]
    assert dialog.summary.text().startswith("2 pages, about ")
    assert add_and_wait(qtbot, dialog, [chosen[1]]) == (1, 0)
    assert page_colours(dialog.model.pages()) == ["red", "blue", "green"]


def drop_on(widget: QWidget, mime: QMimeData, at: QPoint,
            action: Qt.DropAction = Qt.DropAction.CopyAction) -> QDropEvent:
    enter = QDragEnterEvent(at, action, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(at), action, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop


def file_urls(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


def test_files_dropped_on_the_pages_or_the_dialog_are_added(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path,
) -> None:
    dialog = make_scan_dialog()
    red, green, blue = photos(tmp_path)

    with qtbot.waitSignals([dialog.pages.files_dropped, dialog.files_loaded],
                           timeout=20_000):
        drop = drop_on(dialog.pages.viewport(), file_urls([red, green, tmp_path]),
                       dialog.pages.viewport().rect().center())
    assert drop.isAccepted()
    with qtbot.waitSignal(dialog.files_loaded, timeout=20_000):
        drop_on(dialog, file_urls([blue]), dialog.heading.geometry().center())

    assert page_colours(dialog.model.pages()) == ["red", "green", "blue"]  # no folder


def test_dragging_a_page_moves_it_where_it_is_dropped(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path,
) -> None:
    dialog = make_scan_dialog()
    add_and_wait(qtbot, dialog, photos(tmp_path))
    dialog.pages.doItemsLayout()
    first = dialog.model.index(0)
    mime = dialog.model.mimeData([first])
    last = dialog.pages.visualRect(dialog.model.index(2))
    past_the_middle = QPoint(last.right() - 2, last.center().y())

    drop = drop_on(dialog.pages.viewport(), mime, past_the_middle, Qt.DropAction.MoveAction)

    assert drop.isAccepted()
    assert page_colours(dialog.model.pages()) == ["green", "blue", "red"]
    assert dialog.model.rowCount() == 3  # moved, never removed


def test_a_drag_from_another_dialogs_pages_is_not_a_reorder(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path,
) -> None:
    one, other = make_scan_dialog(), make_scan_dialog()
    add_and_wait(qtbot, one, photos(tmp_path))
    mime = other.model.mimeData([])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.MoveAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(one.pages.viewport(), enter)
    assert not enter.isAccepted()


def test_the_page_list_is_a_sound_model(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path, qtmodeltester: object,
) -> None:
    dialog = make_scan_dialog()
    add_and_wait(qtbot, dialog, photos(tmp_path))
    dialog.model.rotate([1], -90)
    dialog.model.move_to([0, 2], 1)
    assert page_colours(dialog.model.pages()) == ["red", "blue", "green"]
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]


# --- One bad file, one batch ----------------------------------------------------------------


def test_a_file_that_fails_in_an_unforeseen_way_costs_only_itself(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    """A PDF page PDFium refuses after the checks passed (or any other surprise while
    reading one file): that file is refused by name, the rest of the batch is added."""
    good = write_photo(tmp_path / "IMG_0001.jpg", RED)
    bad = tmp_path / "signed.pdf"
    bad.write_bytes(two_pages())
    real = scan_source.scan_thumbnail

    def thumbnail(page: ScanPage, side: int) -> object:
        if page.source.name == "signed.pdf":
            raise PdfUnreadable("The PDF cannot be read (Failed to load page).")
        return real(page, side)

    monkeypatch.setattr(scan_source, "scan_thumbnail", thumbnail)
    dialog = make_scan_dialog()

    assert add_and_wait(qtbot, dialog, [good, bad]) == (1, 1)

    assert page_colours(dialog.model.pages()) == ["red"]
    assert dialog.refusals.text().startswith("signed.pdf is damaged and cannot be read")
    assert shown == []  # a refusal beside the pages, not an error dialog
    monkeypatch.setattr(scan_source, "scan_thumbnail", real)
    assert add_and_wait(qtbot, dialog, [bad]) == (2, 0)  # once fixed it may come again


def test_a_damaged_pdf_page_is_refused_and_the_photo_beside_it_added(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path, shown: list[str],
) -> None:
    good = write_photo(tmp_path / "IMG_0001.jpg", RED)
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(with_a_missing_page(two_pages()))  # pypdf counts a page, PDFium not
    dialog = make_scan_dialog()

    assert add_and_wait(qtbot, dialog, [bad, good]) == (1, 1)

    assert page_colours(dialog.model.pages()) == ["red"]
    assert dialog.refusals.text().startswith("scan.pdf is damaged")
    assert shown == []


def test_a_batch_whose_reading_failed_may_be_added_again(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    chosen = photos(tmp_path)

    def broken(_paths: object, _side: int) -> object:
        raise MemoryError("out of memory")

    monkeypatch.setattr(scan_loader, "load_scans", broken)
    dialog = make_scan_dialog()
    dialog.add_files(chosen)
    qtbot.waitUntil(lambda: bool(shown) and not dialog.is_busy, timeout=10_000)
    assert shown == ["These files could not be read: IMG_0001.jpg, IMG_0002.jpg, "
                     "IMG_0003.jpg."]
    monkeypatch.undo()

    assert add_and_wait(qtbot, dialog, chosen) == (3, 0)  # not "already among the pages"
    assert dialog.refusals.text() == ""


def test_a_file_is_known_by_its_folder_as_well_as_its_name(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path,
) -> None:
    """Two phones both name their first photo IMG_0001.jpg."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    mine = write_photo(tmp_path / "a" / "IMG_0001.jpg", RED)
    theirs = write_photo(tmp_path / "b" / "IMG_0001.jpg", BLUE)
    dialog = make_scan_dialog()
    assert add_and_wait(qtbot, dialog, [mine, theirs]) == (2, 0)

    click_page(qtbot, dialog, 0)
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Delete)
    assert [page.source.name for page in dialog.model.pages()] == ["IMG_0001.jpg"]

    assert add_and_wait(qtbot, dialog, [mine]) == (1, 0)  # removed, so welcome again
    dialog.add_files([theirs])
    assert dialog.refusals.text() == "IMG_0001.jpg is already among the pages."
    assert dialog.model.rowCount() == 2


# --- Keys --------------------------------------------------------------------------------


def test_the_dialog_s_keys_are_the_registry_s(make_scan_dialog: MakeScanDialog) -> None:
    dialog = make_scan_dialog()
    found = {action.objectName(): action for action in dialog.findChildren(QAction)
             if action.shortcuts()}
    registered = {f"action_{entry.key}": entry for entry in SHORTCUTS
                  if entry.scope in (shortcuts.SCAN_DIALOG, shortcuts.SCAN_PAGES)}
    assert set(found) == set(registered)
    for name, action in found.items():
        entry = registered[name]
        assert [k.toString() for k in action.shortcuts()] == [
            k.toString() for k in entry.sequences()], name
        assert action.shortcutContext() == entry.scope.context, name
    assert dialog.page_actions.move_up in dialog.pages.actions()  # the pages' keys
    assert dialog.page_actions.add in dialog.actions()


# --- Leaving ----------------------------------------------------------------------------------


def test_cancel_esc_or_closing_asks_before_the_pages_are_discarded(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, tmp_path: Path, questions: Questions,
) -> None:
    dialog = make_scan_dialog()
    add_and_wait(qtbot, dialog, photos(tmp_path))
    questions.answer = False  # "Cancel": keep the pages
    rejected: list[bool] = []
    dialog.rejected.connect(lambda: rejected.append(True))

    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Escape)
    dialog.close()  # the window's close button

    assert questions.asked == [
        "The 3 pages added will not be attached to work-order-812-20260302-1015.pdf. "
        "Discard them?"] * 3
    assert dialog.isVisible()
    assert dialog.model.rowCount() == 3
    assert rejected == []

    questions.answer = True
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert rejected == [True]


def test_with_no_pages_the_dialog_closes_without_asking(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog, questions: Questions,
) -> None:
    dialog = make_scan_dialog()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert questions.asked == []


def test_the_status_line_and_every_control_are_named(
    qtbot: QtBot, make_scan_dialog: MakeScanDialog,
) -> None:
    dialog = make_scan_dialog()
    assert unnamed_controls(dialog) == []
    assert dialog.status.accessibleName() == "Scan status"
