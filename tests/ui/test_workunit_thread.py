"""The workunit thread, driven through its real widgets: order, badges, Read more, images."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktopdesk.domain.commands import AddWorkunit
from desktopdesk.domain.queries import UserSummary
from desktopdesk.domain.ticket_details import TicketDetails, WorkunitEntry
from desktopdesk.ui import workunit_thread_card
from desktopdesk.ui.inline_images import png_bytes
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_view_source import load_details
from desktopdesk.ui.workunit_thread import BATCH_SIZE, EMPTY_TEXT, WorkunitThread
from desktopdesk.ui.workunit_thread_card import COLLAPSED_HEIGHT, WorkunitCard
from tests.conftest import T0, Org
from tests.ui.conftest import Tickets, red_square
from tests.ui.test_ticket_tabs import ANA, RAMON, handmade_details

MakeThread = Callable[..., WorkunitThread]
LONG_HTML = "".join(f"<p>Step {n}: checked the duplex unit and the rollers again.</p>"
                    for n in range(40))


def workunit(author: UserSummary = RAMON, html: str = "<p>Cleaned the rollers.</p>",
             minutes: int = 0, **changes: object) -> WorkunitEntry:
    entry = WorkunitEntry(
        id=uuid.uuid4(), author=author, created_at=T0 + dt.timedelta(minutes=minutes),
        completed_at=None, hours=0.25, text_html=html, is_private=False, is_internal=False,
        has_cost=False, profile_name=None, shared_with=(), by_creator=author == ANA)
    return dataclasses.replace(entry, **changes)  # type: ignore[arg-type]


@pytest.fixture
def make_thread(qtbot: QtBot, org: Org) -> Iterator[MakeThread]:
    """A thread inside a plain window, as the ticket view embeds it (a top-level one would
    have the offscreen platform warn as its minimum size changes)."""
    hosts: list[QWidget] = []
    runners: list[TaskRunner] = []

    def make(details: TicketDetails, user_id: uuid.UUID = RAMON.id) -> WorkunitThread:
        host = QWidget()
        host.setObjectName("thread_host")
        qtbot.addWidget(host)
        hosts.append(host)
        runner = TaskRunner()
        runners.append(runner)
        thread = WorkunitThread(org.ws, user_id, runner, parent=host)
        host.resize(760, 600)
        thread.resize(760, 600)
        host.show()
        thread.show_details(details)
        qtbot.waitExposed(host)
        return thread

    yield make
    for runner in runners:
        runner.wait_for_done()


def card_heading(card: WorkunitCard) -> str:
    return card.author.text()


def test_the_thread_shows_workunits_in_the_order_given_with_their_badges(
    make_thread: MakeThread,
) -> None:
    newest = workunit(RAMON, minutes=30, is_private=True, has_cost=True,
                      profile_name="Incident manager", shared_with=("Tomas", "Javi"),
                      file_names=("roller.png",), hours=1.5)
    middle = workunit(ANA, minutes=20)
    oldest = workunit(RAMON, minutes=10, is_internal=True,
                      completed_at=T0 + dt.timedelta(days=1, minutes=10))
    thread = make_thread(handmade_details(workunits=(newest, middle, oldest)))

    cards = thread.cards
    assert [card_heading(card) for card in cards] == [
        "Ramon Ruiz (you)", "Ana Acme", "Ramon Ruiz (you)"]
    assert cards[0].badge_texts() == ["Private", "Cost", "Incident manager",
                                      "Shared with Tomas, Javi"]
    assert cards[0].hours.text() == "1.5 h"
    assert cards[0].files.isVisible()
    assert "roller.png" in cards[0].files.text()
    assert cards[1].badge_texts() == ["From the creator"]
    assert not cards[1].files.isVisible()
    assert cards[2].badge_texts() == ["Internal"]
    assert "completed" in cards[2].when.text()
    assert "completed" not in cards[1].when.text()
    assert thread.summary.text() == "3 workunits, 2 h in all"
    assert not thread.empty.isVisible()


def test_a_long_workunit_is_collapsed_until_read_more_is_pressed(
    qtbot: QtBot, make_thread: MakeThread,
) -> None:
    thread = make_thread(handmade_details(workunits=(workunit(html=LONG_HTML),
                                                     workunit(html="<p>Short.</p>"))))
    long_card, short_card = thread.cards
    assert long_card.read_more.isVisible()
    assert long_card.read_more.text() == "Read more"
    assert long_card.body.height() == COLLAPSED_HEIGHT
    assert not short_card.read_more.isVisible()
    assert short_card.body.height() < COLLAPSED_HEIGHT

    qtbot.mouseClick(long_card.read_more, Qt.MouseButton.LeftButton)
    assert long_card.read_more.text() == "Show less"
    assert long_card.body.height() == long_card.body.full_height() > COLLAPSED_HEIGHT * 2

    qtbot.mouseClick(long_card.read_more, Qt.MouseButton.LeftButton)
    assert long_card.read_more.text() == "Read more"
    assert long_card.body.height() == COLLAPSED_HEIGHT


def test_showing_the_same_ticket_again_keeps_what_was_expanded_and_adds_the_new_one(
    qtbot: QtBot, make_thread: MakeThread,
) -> None:
    old = workunit(html=LONG_HTML)
    details = handmade_details(workunits=(old,))
    thread = make_thread(details)
    first_card = thread.cards[0]
    qtbot.mouseClick(first_card.read_more, Qt.MouseButton.LeftButton)

    new = workunit(ANA, html="<p>It works now, thanks!</p>", minutes=5)
    thread.show_details(dataclasses.replace(details, workunits=(new, old)))

    assert [card_heading(card) for card in thread.cards] == ["Ana Acme", "Ramon Ruiz (you)"]
    assert thread.cards[1] is first_card
    assert thread.cards[1].read_more.text() == "Show less"

    other_ticket = handmade_details(workunits=(dataclasses.replace(old, id=uuid.uuid4()),))
    thread.show_details(other_ticket)
    assert thread.cards[0].read_more.text() == "Read more"


def test_thousands_of_workunits_come_in_batches(qtbot: QtBot, make_thread: MakeThread) -> None:
    count = BATCH_SIZE * 2 + 7
    entries = tuple(workunit(html=f"<p>Note {n}</p>", minutes=-n) for n in range(count))
    thread = make_thread(handmade_details(workunits=entries))
    assert len(thread.cards) == BATCH_SIZE
    assert thread.more_button.isVisible()
    left = count - BATCH_SIZE
    assert thread.more_button.text() == f"Show {BATCH_SIZE} more ({left} not shown yet)"

    qtbot.mouseClick(thread.more_button, Qt.MouseButton.LeftButton)
    assert len(thread.cards) == BATCH_SIZE * 2
    assert thread.more_button.text() == "Show 7 more (7 not shown yet)"

    qtbot.mouseClick(thread.more_button, Qt.MouseButton.LeftButton)
    assert len(thread.cards) == count
    assert not thread.more_button.isVisible()
    assert thread.cards[-1].body.toPlainText() == f"Note {count - 1}"


def test_a_ticket_without_workunits_says_so(make_thread: MakeThread) -> None:
    thread = make_thread(handmade_details())
    assert thread.empty.isVisible()
    assert thread.empty.text() == EMPTY_TEXT
    assert not thread.scroll_area.isVisible()
    assert thread.cards == []


def red_pixels(widget: QWidget) -> int:
    image = widget.grab().toImage()
    return sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
               if image.pixelColor(x, y).name() == "#d93025")


def test_inline_images_come_from_the_blob_store_and_web_images_are_never_fetched(
    qtbot: QtBot, org: Org, make_thread: MakeThread,
) -> None:
    data = png_bytes(red_square())
    sha = hashlib.sha256(data).hexdigest()
    org.ws.blobs.put_bytes(data)
    web = "https://tracker.example.com/pixel.png"
    html = f'<p>Before:</p><p><img src="attachment:{sha}"></p><p><img src="{web}"></p>'
    thread = make_thread(handmade_details(workunits=(workunit(html=html),)))
    body = thread.cards[0].body
    qtbot.waitUntil(lambda: red_pixels(body) > 100)  # read on the runner, then shown
    assert body.image_document.blocked_remote_urls == frozenset({web})

    missing = workunit(html=f'<p><img src="attachment:{"0" * 64}"></p>')
    thread.show_details(handmade_details(workunits=(missing,)))
    missing_body = thread.cards[0].body
    with qtbot.waitSignal(missing_body.image_document.stored_image_loaded):
        pass  # delivered through the event loop, so not before this waits
    assert red_pixels(missing_body) == 0


def test_clicking_a_web_link_opens_it_and_other_schemes_are_not_followed(
    qtbot: QtBot, make_thread: MakeThread, monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(workunit_thread_card, "open_link", lambda url: opened.append(
        url.toString()))
    html = ('<p>See <a href="https://example.com/guide">the guide</a> or '
            '<a href="file:///etc/passwd">this file</a>.</p>')
    thread = make_thread(handmade_details(workunits=(workunit(html=html),)))
    body = thread.cards[0].body

    def click_on(text: str) -> None:
        cursor = body.document().find(text)
        assert not cursor.isNull()
        cursor.setPosition(cursor.selectionStart() + 2)
        rect = body.cursorRect(cursor)
        qtbot.mouseClick(body.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(rect.center().x() + 2, rect.center().y()))

    click_on("the guide")
    click_on("this file")
    assert opened == ["https://example.com/guide"]
    assert QUrl(opened[0]).scheme() == "https"


def test_a_private_workunit_is_shown_to_its_author_and_managers_only(
    make_thread: MakeThread, org: Org, tickets: Tickets,
) -> None:
    org.do(AddWorkunit(ticket_id=tickets.ramon_new, text_html="<p>Public note.</p>"),
           org.ramon)
    org.do(AddWorkunit(ticket_id=tickets.ramon_new, text_html="<p>Vendor price: 40 €.</p>",
                       is_private=True, hours=0.5), org.tomas, at=T0 + dt.timedelta(hours=1))

    def thread_for(user_id: uuid.UUID) -> WorkunitThread:
        details = load_details(org.ws, user_id, tickets.ramon_new,
                               sort_by_completion=False).details
        return make_thread(details, user_id)

    author = thread_for(org.tomas).cards
    assert [card.author.text() for card in author] == ["Tomas (you)", "Ramon"]
    assert author[0].badge_texts() == ["Private"]
    assert author[0].body.toPlainText() == "Vendor price: 40 €."

    manager = thread_for(org.ramon).cards
    assert [card.author.text() for card in manager] == ["Tomas", "Ramon (you)"]
    assert manager[0].badge_texts() == ["Private"]

    colleague = thread_for(org.javi).cards
    assert [card.body.toPlainText() for card in colleague] == ["Public note."]
