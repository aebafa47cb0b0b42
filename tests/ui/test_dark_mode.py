"""Every main screen reads in light and in dark, built in either and after a live switch.

What is measured is what is drawn: each screen is grabbed to an image, and each visible
label's (and button's) text colour, as its palette and style sheet make it, is compared
with the background actually painted behind it (WCAG: 4.5:1 for text, 3:1 for icons).
The "live" case builds the screen light and switches to dark before looking, as the View
menu does while the window is open.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import AddWorkunit, SetParent
from desktopdesk.domain.ticket_form import CustomFieldSpec
from desktopdesk.models import FieldKind, Priority
from desktopdesk.sync.conflicts import ConflictAction, ConflictRow
from desktopdesk.sync.credential_access import (
    CredentialAccess,
    MasterPasswordPurpose,
    MasterPasswordRequest,
)
from desktopdesk.ui import palette, ticket_icons
from desktopdesk.ui.custom_field_form import CustomFieldForm
from desktopdesk.ui.main_window import MainWindow
from desktopdesk.ui.master_password_dialog import MasterPasswordDialog
from desktopdesk.ui.palette import DARK, LIGHT, Appearance, contrast_ratio
from desktopdesk.ui.sync_controller import SyncStatus
from desktopdesk.ui.sync_indicator import SyncIndicator
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_conflicts import ConflictCard
from desktopdesk.ui.ticket_create_dialog import TicketCreateDialog
from desktopdesk.ui.ticket_header import TicketHeader
from desktopdesk.ui.ticket_view import TicketView
from desktopdesk.ui.workunit_editor import WorkunitEditor
from tests.conftest import Org
from tests.ui.conftest import MakeWindow, Tickets
from tests.ui.test_palette import MakeAppearance, appearances

#: Showing windows offscreen: the platform plugin says it cannot pass size hints on.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

TEXT = 4.5
GRAPHIC = 3.0
#: How far (per channel) a drawn pixel may be from the text colour to count as it.
NEAR = 28
SCHEMES = ["light", "dark", "live"]


# --- Measuring what is drawn ----------------------------------------------------------------


class Schemes:
    """Builds a screen in the scheme asked for; ``settle`` makes it the one to check."""

    def __init__(self, appearance: Appearance, scheme: str) -> None:
        self.appearance = appearance
        self.scheme = scheme
        appearance.set_preference("dark" if scheme == "dark" else "light")

    def settle(self) -> None:
        if self.scheme == "live":
            self.appearance.set_preference("dark")
        QApplication.processEvents()

    @property
    def dark(self) -> bool:
        return self.scheme != "light"


@pytest.fixture
def make_appearance(qapp: QApplication) -> Iterator[MakeAppearance]:
    yield from appearances(qapp)


@pytest.fixture(params=SCHEMES)
def schemes(request: pytest.FixtureRequest, make_appearance: MakeAppearance) -> Schemes:
    return Schemes(make_appearance("light"), request.param)


def _close(first: QColor, second: QColor) -> bool:
    return max(abs(first.red() - second.red()), abs(first.green() - second.green()),
               abs(first.blue() - second.blue())) <= NEAR


def _pixels(image: QImage, rect: QRect) -> Counter[int]:
    return Counter(image.pixel(x, y) for y in range(rect.top(), rect.bottom() + 1)
                   for x in range(rect.left(), rect.right() + 1))


def _text_colour(widget: QWidget) -> QColor:
    if isinstance(widget, QLabel) and "<a " in widget.text():
        return widget.palette().color(QPalette.ColorRole.Link)
    return widget.palette().color(widget.foregroundRole())


def _name(widget: QWidget, text: str) -> str:
    return f"{widget.objectName() or type(widget).__name__} ({text[:40]!r})"


def unreadable(window: QWidget) -> list[str]:
    """Visible, enabled labels and buttons of ``window`` whose text does not read at 4.5:1
    on what is painted behind it (or whose colour is not the one drawn), and icon labels
    that do not stand out at 3:1."""
    window.repaint()
    image = window.grab().toImage()
    found: list[str] = []
    checked = 0
    widgets: list[QLabel | QAbstractButton] = [*window.findChildren(QLabel),
                                               *window.findChildren(QAbstractButton)]
    for widget in widgets:
        if not (widget.isVisible() and widget.isEnabled()):
            continue
        visible = widget.visibleRegion().boundingRect()
        rect = QRect(widget.mapTo(window, visible.topLeft()), visible.size()) & image.rect()
        if rect.width() < 6 or rect.height() < 6:
            continue
        pixels = _pixels(image, rect)
        inside = _pixels(image, rect.adjusted(3, 3, -3, -3)) or pixels  # not a frame
        background = QColor.fromRgb(inside.most_common(1)[0][0])
        text = widget.text().strip()
        if text:
            checked += 1
            colour = _text_colour(widget)
            ratio = contrast_ratio(colour, background)
            if ratio < TEXT:
                found.append(f"{_name(widget, text)}: {colour.name()} on "
                             f"{background.name()} is {ratio:.2f}:1")
            elif not any(_close(QColor.fromRgb(pixel), colour) for pixel in pixels):
                found.append(f"{_name(widget, text)}: {colour.name()} is not what is drawn")
        elif isinstance(widget, QLabel) and not widget.pixmap().isNull():
            # An icon may fill its label: the background is what lies around it.
            ring = _pixels(image, rect.adjusted(-3, -3, 3, 3) & image.rect()) - pixels
            background = QColor.fromRgb((ring or pixels).most_common(1)[0][0])
            best = max(contrast_ratio(QColor.fromRgb(pixel), background) for pixel in pixels)
            if best < GRAPHIC:
                found.append(f"{_name(widget, 'icon')}: at most {best:.2f}:1 on "
                             f"{background.name()}")
    assert checked, "no text to check: is the window shown?"
    return found


def painted(widget: QWidget, x: int, y: int) -> QColor:
    return widget.grab().toImage().pixelColor(x, y)


def assert_scheme(widget: QWidget, schemes: Schemes) -> None:
    """The screen really is in the scheme checked (not a light one measured as dark)."""
    image = widget.grab().toImage()
    most = QColor.fromRgb(_pixels(image, image.rect()).most_common(1)[0][0])
    assert (most.lightnessF() < 0.5) == schemes.dark, most.name()


# --- Screens -------------------------------------------------------------------------------


def open_ticket(qtbot: QtBot, window: MainWindow, ticket_id: uuid.UUID) -> TicketView:
    window.list_panel.select_ticket(ticket_id)
    qtbot.waitUntil(lambda: window.ticket_view is not None
                    and window.ticket_view.details is not None
                    and window.ticket_view.details.id == ticket_id
                    and not window.ticket_view.is_loading
                    and window.ticket_view.workunit_editor is not None
                    and window.ticket_view.workunit_editor.is_ready)
    assert window.ticket_view is not None
    return window.ticket_view


def test_the_main_window_with_a_ticket_and_each_of_its_tabs_reads(
    qtbot: QtBot, schemes: Schemes, make_window: MakeWindow, org: Org, tickets: Tickets,
    shown: list[str],
) -> None:
    """Tomás's Unconfirmed ticket as Ramón sees it: a tinted row, a red chip, fields he may
    not change (locks), workunits with badges, a child he may see and one he may not."""
    ticket = tickets.tomas_unconfirmed
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>Checked the fans.</p>", hours=1,
                       has_cost=True, is_private=True, is_internal=True), org.tomas)
    org.do(AddWorkunit(ticket_id=ticket, text_html="<p>Still noisy.</p>"), org.ramon)
    org.do(SetParent(ticket_id=tickets.javi_assigned, parent_id=ticket), org.admin)
    org.do(SetParent(ticket_id=tickets.finance_hidden, parent_id=ticket), org.admin)
    window = make_window(org.ramon, appearance=schemes.appearance)
    window.resize(1200, 800)
    window.show()
    view = open_ticket(qtbot, window, ticket)
    schemes.settle()
    assert_scheme(window, schemes)
    locks = [lock for lock in view.findChildren(QLabel) if lock.objectName().startswith("lock_")]
    assert any(lock.isVisible() for lock in locks), "no lock to look at"
    assert unreadable(window) == [], "details"
    for tab in ("workunits", "files", "contacts", "history", "children"):
        view.set_current_tab(tab)
        assert unreadable(window) == [], tab
    assert view.findChild(QLabel, "badge_text") is not None
    assert shown == []


def test_the_workunit_editor_with_its_notices_and_an_error_reads(
    qtbot: QtBot, schemes: Schemes, org: Org, tickets: Tickets,
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    editor = WorkunitEditor(org.ws, org.ramon, tickets.ramon_new, parent=host)
    host.resize(760, 600)
    editor.resize(760, 600)
    with qtbot.waitSignal(editor.context_loaded):
        host.show()
    editor.draft_bar.label.setText("A draft from yesterday was kept. Restore it?")
    editor.draft_bar.show()
    editor.remote_bar.label.setText("This text shows a picture from the web. Load it?")
    editor.remote_bar.show()
    error = editor.findChild(QLabel, "error_text")
    assert error is not None
    error.setText("A workunit needs some text.")
    error.show()
    schemes.settle()
    assert_scheme(host, schemes)
    assert unreadable(host) == []
    notice = palette.semantic_colors().notice_background
    assert painted(editor.draft_bar, 6, 6).name() == notice
    host.close()
    editor.runner.wait_for_done()


def conflict_row(conflict_id: int = 1) -> ConflictRow:
    return ConflictRow(
        conflict_id=conflict_id, mutation_id=7, code="not_allowed", command_name="CloseTicket",
        ticket_id=uuid.uuid4(), ticket_label="#14", ticket_title="Acrobat crashes",
        owner_name="Javi", summary="Close of #14 not applied: owner is now Javi.",
        reason="Only the owner can change the status of #14.",
        user_text="Fixed on site and tested with the user.",
        created_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC),
        actions=(ConflictAction.ASK_OWNER, ConflictAction.DISCARD))


def test_conflict_cards_read(qtbot: QtBot, schemes: Schemes) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    card = ConflictCard(conflict_row(), host)
    host.resize(640, 220)
    card.resize(640, 220)
    host.show()
    schemes.settle()
    assert_scheme(host, schemes)
    assert unreadable(host) == []


def test_the_sync_indicator_in_error_reads(qtbot: QtBot, schemes: Schemes) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    indicator = SyncIndicator(host)
    indicator.show_status(SyncStatus(online=True, pending=3, conflicts=2,
                                     last_error="The server did not answer."))
    host.resize(indicator.sizeHint().width() + 10, indicator.sizeHint().height() + 10)
    host.show()
    schemes.settle()
    assert_scheme(host, schemes)
    assert indicator.conflict_badge.isVisible()
    assert unreadable(host) == []


def test_the_create_dialog_with_errors_reads(
    qtbot: QtBot, schemes: Schemes, org: Org, shown: list[str],
) -> None:
    runner = TaskRunner()
    dialog = TicketCreateDialog(org.ws, org.ramon, runner)
    qtbot.addWidget(dialog)
    dialog.resize(720, 640)
    with qtbot.waitSignal(dialog.options_loaded, timeout=10_000):
        dialog.show()
    dialog.show_error("title", "A ticket needs a title.")
    dialog.show_error("", "The ticket could not be created.")
    schemes.settle()
    assert_scheme(dialog, schemes)
    assert unreadable(dialog) == []
    dialog.close()
    runner.wait_for_done()


@pytest.fixture
def master_dialog(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[[], MasterPasswordDialog]]:
    runner = TaskRunner()

    def make() -> MasterPasswordDialog:
        access = CredentialAccess(tmp_path)
        request = MasterPasswordRequest(MasterPasswordPurpose.CREATE, access.path)
        dialog = MasterPasswordDialog(access, request, runner)
        qtbot.addWidget(dialog)
        dialog.resize(560, 400)
        dialog.show()
        return dialog

    yield make
    runner.wait_for_done()


def test_the_master_password_dialog_reads(
    schemes: Schemes, master_dialog: Callable[[], MasterPasswordDialog],
) -> None:
    dialog = master_dialog()
    dialog.master_edit.setText("correct horse battery staple")  # strong: the green words
    dialog.repeat_edit.setText("something else")
    dialog.open_button.click()  # the repeat does not match: an error under it
    schemes.settle()
    assert_scheme(dialog, schemes)
    assert dialog.error_for("repeat")
    assert unreadable(dialog) == []


# --- A live switch redoes what was baked --------------------------------------------------


def test_a_switch_recolours_built_notices_cards_and_chips(
    qtbot: QtBot, make_appearance: MakeAppearance, org: Org, tickets: Tickets,
) -> None:
    appearance = make_appearance("light")
    host = QWidget()
    qtbot.addWidget(host)
    editor = WorkunitEditor(org.ws, org.ramon, tickets.ramon_new, parent=host)
    card = ConflictCard(conflict_row(), host)
    header = TicketHeader(host)
    header.status_chip.show_chip("New", "#b3261e")
    editor.draft_bar.show()
    host.resize(800, 900)
    editor.setGeometry(0, 0, 800, 500)
    card.setGeometry(0, 500, 800, 200)
    header.setGeometry(0, 700, 800, 120)
    with qtbot.waitSignal(editor.context_loaded):
        host.show()

    def looks() -> tuple[str, str, str, str]:
        chip = header.status_chip
        return (painted(editor.draft_bar, 6, 6).name(),
                painted(card, 1, card.height() // 2).name(),  # the refused-change stripe
                card.context_label.palette().color(QPalette.ColorRole.WindowText).name(),
                painted(chip, chip.width() // 2, 2).name())

    assert looks()[:3] == (LIGHT.notice_background, LIGHT.danger, LIGHT.muted_text)
    light_chip = looks()[3]
    appearance.set_preference("dark")
    dark_chip = palette.chip_colors(QColor("#b3261e"))[1].name()
    assert looks() == (DARK.notice_background, DARK.danger, DARK.muted_text, dark_chip)
    assert light_chip != dark_chip
    appearance.set_preference("light")
    assert looks() == (LIGHT.notice_background, LIGHT.danger, LIGHT.muted_text, light_chip)
    host.close()
    editor.runner.wait_for_done()


def _ink(icon: QIcon) -> QColor:
    """The colour an icon is drawn in: its opaque pixel farthest from grey."""
    image = icon.pixmap(QSize(24, 24)).toImage()
    opaque = [image.pixelColor(x, y) for x in range(24) for y in range(24)
              if image.pixelColor(x, y).alpha() == 255]
    assert opaque
    return max(opaque, key=lambda colour: colour.hslSaturationF())


def test_list_rows_and_icons_are_drawn_for_the_palette_of_the_moment(
    qtbot: QtBot, make_appearance: MakeAppearance, make_window: MakeWindow, org: Org,
    tickets: Tickets,
) -> None:
    """Row tints come from the palette at each paint, and the list's icons (made once and
    cached) are drawn in colours that stand out 3:1 from the rows, light or dark."""
    appearance = make_appearance("light")
    window = make_window(org.ramon, appearance=appearance)
    row = next(r for r in range(window.model.rowCount())
               if window.model.ticket_id(r) == tickets.ramon_new)
    index = window.model.index(row, 0)
    marks = [*(ticket_icons.priority_icon(p) for p in Priority), ticket_icons.sla_fired_icon(),
             ticket_icons.ball_in_our_court_icon()]
    light_inks = [_ink(icon) for icon in marks]
    assert index.data(Qt.ItemDataRole.BackgroundRole).color() == QColor(LIGHT.new_row_tint)
    appearance.set_preference("dark")
    assert index.data(Qt.ItemDataRole.BackgroundRole).color() == QColor(DARK.new_row_tint)
    dark_inks = [_ink(icon) for icon in marks]
    for inks, shown in ((light_inks, palette.light_palette()),
                        (dark_inks, palette.dark_palette())):
        for ink in inks:
            for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
                assert contrast_ratio(ink, shown.color(role)) >= GRAPHIC, ink.name()
    assert light_inks != dark_inks
    for light, dark in zip(light_inks, dark_inks, strict=True):
        if light.hslSaturationF() > 0.3:  # the same colour, lighter or darker
            assert abs(light.hslHueF() - dark.hslHueF()) < 0.03, (light.name(), dark.name())


def test_a_stale_custom_field_choice_is_recoloured_by_a_switch(
    qtbot: QtBot, make_appearance: MakeAppearance,
) -> None:
    """Item data holds a colour, not a role: the form sets it again."""
    appearance = make_appearance("light")
    site = uuid.UUID(int=1)
    host = QWidget()
    qtbot.addWidget(host)
    form = CustomFieldForm(host)
    form.set_fields((CustomFieldSpec(site, "Site", FieldKind.COMBO, options=("", "HQ")),),
                    {str(site): "Basement"})
    editor = form.editor(site)
    assert isinstance(editor, QComboBox)
    stale = editor.findData("Basement")

    def colour() -> QColor:
        return editor.itemData(stale, Qt.ItemDataRole.ForegroundRole).color()

    assert colour() == QColor(LIGHT.warning_text)
    appearance.set_preference("dark")
    assert colour() == QColor(DARK.warning_text)
    assert editor.itemData(editor.findData("HQ"), Qt.ItemDataRole.ForegroundRole) is None
