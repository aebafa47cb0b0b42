"""Widget-test fixtures: a handful of tickets in several statuses, windows to show them,
and the helpers several widget tests drive their screens with."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
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
from desktopdesk.ui import messages
from desktopdesk.ui.main_window import MainWindow
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_create_dialog import TicketCreateDialog
from desktopdesk.ui.ticket_picker import ParentPicker
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


# --- Runners, messages, hosts, pictures -------------------------------------------------------


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    """A task runner of the test's own, drained when the test ends."""
    made = TaskRunner()
    yield made
    made.wait_for_done()


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages the UI would show in a dialog, recorded instead (a dialog would block)."""
    seen: list[str] = []
    for kind in ("info", "warning", "error"):
        monkeypatch.setattr(messages, kind, lambda _parent, text, **_kw: seen.append(text))
    return seen


Embed = Callable[..., QWidget]


@pytest.fixture
def embed(qtbot: QtBot) -> Embed:
    """Show a widget inside a plain window, as the ticket view and the dialogs hold theirs
    (a top-level one would have the offscreen platform warn as its minimum size changes)."""
    hosts: list[QWidget] = []  # qtbot holds widgets weakly

    def show(widget: QWidget, width: int = 800, height: int = 500) -> QWidget:
        host = QWidget()
        host.setObjectName("embed_host")
        qtbot.addWidget(host)
        hosts.append(host)
        widget.setParent(host)
        host.resize(width, height)
        widget.resize(width, height)
        host.show()
        qtbot.waitExposed(host)
        return widget

    return show


MakeDialog = Callable[[uuid.UUID], TicketCreateDialog]


@pytest.fixture
def make_dialog(qtbot: QtBot, org: Org, runner: TaskRunner) -> Iterator[MakeDialog]:
    """The Create Ticket dialog as ``user_id`` opens it: shown, active and loaded; closed
    with its workers drained afterwards."""
    dialogs: list[TicketCreateDialog] = []

    def make(user_id: uuid.UUID) -> TicketCreateDialog:
        dialog = TicketCreateDialog(org.ws, user_id, runner)
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        with qtbot.waitSignal(dialog.options_loaded, timeout=10_000):
            dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        return dialog

    yield make
    runner.wait_for_done()
    for dialog in dialogs:
        dialog.close()
    runner.wait_for_done()


def red_square() -> QImage:
    """A picture to paste or store, easy to find again on screen (#d93025)."""
    image = QImage(64, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#d93025"))
    return image


def qt_modules_loaded_by(module: str) -> list[str]:
    """The PySide6 modules that importing ``module`` loads, in a fresh interpreter: none
    for the plain functions the runner calls on a worker."""
    script = (f"import sys, {module}; "
              "print(' '.join(sorted(m for m in sys.modules if m.startswith('PySide6'))))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


# --- Driving inputs --------------------------------------------------------------------------


def offered(box: QComboBox) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def choose(qtbot: QtBot, box: QComboBox, text: str) -> None:
    """Pick ``text`` with the keyboard, as a person tabbing through the form would."""
    target = box.findText(text)
    assert target >= 0, f"{text!r} is not offered: {offered(box)}"
    box.setFocus()
    if box.currentIndex() < 0:
        qtbot.keyClick(box, Qt.Key.Key_Down)
    while box.currentIndex() != target:
        key = Qt.Key.Key_Down if box.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(box, key)


#: A popup (a completer's, a calendar's) asks the window system to raise it and grab the
#: keyboard; the offscreen platform cannot, and says so. Mark each test that opens one.
popup_warnings = pytest.mark.qt_log_ignore(
    r"This plugin does not support (raise\(\)|grabbing the keyboard)")


def pick_parent(qtbot: QtBot, picker: ParentPicker, words: str) -> int:
    """Type ``words`` into the picker and take the first ticket it suggests; how many it
    suggested."""
    with qtbot.waitSignal(picker.suggestions_shown, timeout=10_000) as found:
        qtbot.keyClicks(picker.search_edit, words)
    count: int = found.args[0]
    assert count > 0, f"nothing found for {words!r}"
    popup = picker.completer.popup()
    assert popup is not None
    popup.setCurrentIndex(picker.completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    return count
