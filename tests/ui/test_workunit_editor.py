"""The workunit editor, driven through its real widgets against a real workspace."""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktopdesk.domain.commands import ChangeSetting
from desktopdesk.domain.html import plain_text, sanitize_html
from desktopdesk.models import Attachment, Workunit, WorkunitShare
from desktopdesk.store.blobs import StoredBlob
from desktopdesk.store.drafts import DraftSnapshot, DraftStore, InlineImage, WorkunitDraft
from desktopdesk.ui import files_to_attach, pasted_images, rich_text_toolbar
from desktopdesk.ui.attachment_files import image_hashes
from desktopdesk.ui.inline_images import PLACEHOLDER_TEXT_KEY, png_bytes
from desktopdesk.ui.workunit_editor import WorkunitEditor
from desktopdesk.ui.workunit_source import (
    WorkunitSubmission,
    find_colleagues,
    submit_workunit,
)
from tests.conftest import Org
from tests.ui.conftest import Tickets, popup_warnings, qt_modules_loaded_by, red_square

MakeEditor = Callable[..., WorkunitEditor]


@pytest.fixture
def make_editor(qtbot: QtBot, org: Org) -> Iterator[MakeEditor]:
    """An editor shown, active and loaded; closed with its workers drained afterwards."""
    editors: list[WorkunitEditor] = []
    hosts: list[QWidget] = []  # qtbot holds widgets weakly

    def make(user_id: uuid.UUID, ticket_id: uuid.UUID, **kwargs: object) -> WorkunitEditor:
        host = QWidget()
        host.setObjectName("editor_host")
        qtbot.addWidget(host)
        hosts.append(host)
        editor = embedded_editor(qtbot, host, org, user_id, ticket_id, **kwargs)
        editors.append(editor)
        host.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is host)
        editor.text.setFocus()
        return editor

    yield make
    for editor in editors:
        if _alive(editor):
            editor.runner.wait_for_done()
            editor.window().close()
            editor.runner.wait_for_done()


def embedded_editor(qtbot: QtBot, host: QWidget, org: Org, user_id: uuid.UUID,
                    ticket_id: uuid.UUID, **kwargs: object) -> WorkunitEditor:
    """Inside a plain window, as the ticket view embeds it: a top-level editor would have
    the offscreen platform warn each time its layout's minimum size changes."""
    editor = WorkunitEditor(org.ws, user_id, ticket_id, parent=host,
                            **kwargs)  # type: ignore[arg-type]
    host.resize(760, 560)
    editor.resize(760, 560)
    with qtbot.waitSignal(editor.context_loaded):
        host.show()
    return editor


def add_and_wait(qtbot: QtBot, editor: WorkunitEditor) -> uuid.UUID:
    with qtbot.waitSignal(editor.workunit_added, timeout=10_000) as added:
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    return added.args[0].workunit_id  # type: ignore[index]


def workunit(org: Org, workunit_id: uuid.UUID) -> Workunit:
    with org.ws.read() as session:
        row = session.get(Workunit, workunit_id)
        assert row is not None
        session.expunge(row)
        return row


def error_text(editor: WorkunitEditor, name: str) -> str:
    label = editor.findChild(QLabel, f"error_{name}")
    assert label is not None
    return label.text() if label.isVisible() else ""


# --- Rich text, images and Add ------------------------------------------------------------


def test_bold_text_and_a_pasted_picture_become_a_workunit_with_its_attachment(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    editor = make_editor(org.ramon, tickets.ramon_new)
    qtbot.keyClicks(editor.text, "Replaced the ")
    qtbot.keyClick(editor.text, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert editor.toolbar.bold.isChecked()
    qtbot.keyClicks(editor.text, "fuser")
    qtbot.keyClick(editor.text, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.text, " unit. ")
    picture = QMimeData()
    picture.setImageData(red_square())
    QApplication.clipboard().setMimeData(picture)
    try:
        qtbot.keyClick(editor.text, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    finally:  # mime data left on the clipboard crashes the interpreter on its way out
        QApplication.clipboard().clear()
    sha = hashlib.sha256(png_bytes(red_square())).hexdigest()
    assert image_hashes(editor.text.toHtml()) == [sha]

    workunit_id = add_and_wait(qtbot, editor)

    stored = workunit(org, workunit_id)
    assert re.search(r'font-weight:\s*700[^>]*>fuser<', stored.text_html)
    assert f'src="attachment:{sha}"' in stored.text_html
    assert stored.hours == 0.25  # the setting's default
    with org.ws.read() as session:
        files = session.scalars(select(Attachment).where(
            Attachment.workunit_id == workunit_id)).all()
        assert [(f.sha256, f.mime_type, f.ticket_id) for f in files] == [
            (sha, "image/png", tickets.ramon_new)]
    assert org.ws.blobs.read_bytes(sha) == png_bytes(red_square())
    assert editor.text.toPlainText() == ""
    qtbot.waitUntil(lambda: editor.drafts.load(tickets.ramon_new) is None)


def test_ctrl_enter_adds_the_workunit(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    editor = make_editor(org.ramon, tickets.ramon_new)
    qtbot.keyClicks(editor.text, "Called the customer back.")
    with qtbot.waitSignal(editor.workunit_added, timeout=10_000) as added:
        qtbot.keyClick(editor.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "Called the customer back." in workunit(org, added.args[0].workunit_id).text_html


def test_a_dropped_picture_file_is_inlined_and_other_files_are_attached(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor, tmp_path: Path,
) -> None:
    picture = tmp_path / "rack.png"
    picture.write_bytes(png_bytes(red_square()))
    log = tmp_path / "server.log"
    log.write_text("kernel: fan failure\n")
    editor = make_editor(org.ramon, tickets.ramon_new)
    qtbot.keyClicks(editor.text, "Photo and log: ")
    drop = QMimeData()
    drop.setUrls([QUrl.fromLocalFile(str(picture)), QUrl.fromLocalFile(str(log))])
    assert editor.text.canInsertFromMimeData(drop)
    editor.text.insertFromMimeData(drop)
    assert editor.fields.attachments.count() == 1

    workunit_id = add_and_wait(qtbot, editor)

    with org.ws.read() as session:
        files = {f.file_name: f.mime_type for f in session.scalars(
            select(Attachment).where(Attachment.workunit_id == workunit_id))}
    assert files == {"rack.png": "image/png", "server.log": "application/octet-stream"}


def test_the_image_button_inlines_a_chosen_picture(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    picture = tmp_path / "before.png"
    picture.write_bytes(png_bytes(red_square()))
    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_bytes(b"plain words, not a PNG")
    editor = make_editor(org.ramon, tickets.ramon_new)
    monkeypatch.setattr(pasted_images, "choose_image", lambda _parent: picture)
    qtbot.keyClick(editor.text, Qt.Key.Key_I,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert image_hashes(editor.text.toHtml()) == [hashlib.sha256(picture.read_bytes()).hexdigest()]
    monkeypatch.setattr(pasted_images, "choose_image", lambda _parent: not_a_picture)
    editor.toolbar.image.trigger()
    assert shown == ["'notes.png' is not a picture that can be shown."]
    assert len(image_hashes(editor.text.toHtml())) == 1


def test_files_chosen_with_the_attach_button_are_attached_to_the_workunit(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4 not really")
    monkeypatch.setattr(files_to_attach, "choose_files", lambda _parent: [invoice])
    editor = make_editor(org.ramon, tickets.ramon_new)
    qtbot.keyClicks(editor.text, "Invoice attached.")
    qtbot.mouseClick(editor.fields.attach_button, Qt.MouseButton.LeftButton)
    workunit_id = add_and_wait(qtbot, editor)
    with org.ws.read() as session:
        names = session.scalars(select(Attachment.file_name)
                                .where(Attachment.workunit_id == workunit_id)).all()
    assert names == ["invoice.pdf"]
    assert editor.fields.attachments.count() == 0


# --- Sanitising and remote images ---------------------------------------------------------


def test_pasted_html_is_sanitised_before_it_is_shown_and_before_it_is_stored(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    editor = make_editor(org.ramon, tickets.ramon_new)
    hostile = QMimeData()
    hostile.setHtml('<p>Look <img src="x" onerror="alert(1)"><script>alert(2)</script>'
                    '<a href="javascript:alert(3)">here</a> and <b>there</b></p>')
    editor.text.insertFromMimeData(hostile)
    shown_html = editor.text.toHtml()
    assert "alert" not in shown_html
    assert "javascript" not in shown_html
    workunit_id = add_and_wait(qtbot, editor)
    stored = workunit(org, workunit_id).text_html
    assert "alert" not in stored
    assert "onerror" not in stored
    assert "script" not in stored
    assert "Look" in stored
    assert "there" in stored


def test_the_sanitiser_keeps_the_inline_image_scheme() -> None:
    sha = "ab" * 32
    kept = sanitize_html(f'<p><img src="attachment:{sha}" width="480" height="270"></p>')
    assert image_hashes(kept) == [sha]
    assert sanitize_html('<img src="file:///etc/passwd">') == "<img>"


def test_remote_images_are_fetched_only_after_the_person_asks(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    url = "https://tracker.example.com/pixel.png"
    fetched: list[str] = []

    def fetch(address: str) -> bytes:
        fetched.append(address)
        return png_bytes(red_square())

    editor = make_editor(org.ramon, tickets.ramon_new, fetch_remote=fetch)
    web = QMimeData()
    web.setHtml(f'<p>From the vendor page: <img src="{url}"></p>')
    editor.text.insertFromMimeData(web)
    qtbot.waitUntil(editor.remote_bar.isVisible)
    editor.grab()  # painting asks the document for the picture again
    QApplication.processEvents()
    assert fetched == []
    assert editor.text.image_document.blocked_remote_urls == {url}
    shown = editor.text.image_document.loadResource(2, QUrl(url))
    assert shown.size() != red_square().size()  # the placeholder, not the picture

    qtbot.mouseClick(editor.load_remote_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.text.image_document.loadResource(2, QUrl(url)).size()
                    == red_square().size())
    assert fetched == [url]
    assert not editor.remote_bar.isVisible()


def test_a_remote_image_that_cannot_be_fetched_is_said_so_and_can_be_retried(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    url = "https://vendor.example.com/diagram.png"
    attempts: list[str] = []

    def unreachable(address: str) -> bytes:
        attempts.append(address)
        raise ConnectionError("no route to host")

    editor = make_editor(org.ramon, tickets.ramon_new, fetch_remote=unreachable)
    web = QMimeData()
    web.setHtml(f'<p>Wiring: <img src="{url}"></p>')
    editor.text.insertFromMimeData(web)
    qtbot.waitUntil(editor.remote_bar.isVisible)
    qtbot.mouseClick(editor.load_remote_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "could not be loaded" in editor.remote_bar.label.text())
    assert editor.remote_bar.isVisible()
    qtbot.mouseClick(editor.load_remote_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(attempts) == 2)
    assert attempts == [url, url]


# --- Fields -------------------------------------------------------------------------------


def test_fields_start_from_the_settings_and_the_authors_profiles(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    org.do(ChangeSetting(key="workunit_default_hours", value=0.5), org.admin)
    editor = make_editor(org.ramon, tickets.ramon_new)
    assert editor.fields.hours.value() == 0.5
    assert editor.fields.profile.currentText() == "Incident manager"  # the only one ramon holds
    assert not editor.fields.completed_at.isVisible()  # the setting is off
    qtbot.keyClicks(editor.text, "Two hours on site, billed.")
    editor.fields.hours.setValue(2)
    qtbot.mouseClick(editor.fields.private, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.fields.cost, Qt.MouseButton.LeftButton)
    stored = workunit(org, add_and_wait(qtbot, editor))
    assert (stored.hours, stored.is_private, stored.is_internal, stored.has_cost,
            stored.profile_id, stored.completed_at) == (2.0, True, False, True, org.manager,
                                                        None)
    assert editor.fields.hours.value() == 0.5  # ready for the next one


def test_the_date_of_completion_is_offered_when_the_setting_is_on(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    org.do(ChangeSetting(key="workunit_completion_date", value=True), org.admin)
    editor = make_editor(org.ramon, tickets.ramon_new)
    assert editor.fields.completed_at.isVisible()
    assert error_text(editor, "completed_at") == ""
    done = editor.fields.completed_at.dateTime().addDays(-2)
    editor.fields.completed_at.setDateTime(done)
    qtbot.keyClicks(editor.text, "Visit written up later.")
    stored = workunit(org, add_and_wait(qtbot, editor))
    assert stored.completed_at is not None
    assert int(stored.completed_at.timestamp()) == done.toSecsSinceEpoch()


@popup_warnings
def test_shared_with_finds_colleagues_of_the_same_company_after_two_letters(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    editor = make_editor(org.ramon, tickets.ramon_new)
    picker = editor.fields.shared_with
    qtbot.keyClicks(picker.search_edit, "t")
    qtbot.wait(300)
    assert picker.suggestions.rowCount() == 0  # one letter: no search yet
    with qtbot.waitSignal(picker.suggestions_shown) as shown_rows:
        qtbot.keyClicks(picker.search_edit, "o")
    assert shown_rows.args == [1]
    popup = picker.completer.popup()
    assert popup is not None
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picker.user_ids() == (org.tomas,)
    qtbot.waitUntil(lambda: picker.search_edit.text() == "")
    editor.text.setFocus()
    qtbot.keyClicks(editor.text, "Tomas should see this.")
    qtbot.mouseClick(editor.fields.private, Qt.MouseButton.LeftButton)
    workunit_id = add_and_wait(qtbot, editor)
    with org.ws.read() as session:
        shared = session.scalars(select(WorkunitShare.user_id)
                                 .where(WorkunitShare.workunit_id == workunit_id)).all()
    assert shared == [org.tomas]


def test_people_of_other_companies_are_never_offered(org: Org) -> None:
    assert find_colleagues(org.ws, org.ramon, "acme") == ()
    assert [c.username for c in find_colleagues(org.ws, org.ramon, "JA")] == ["javi"]
    assert find_colleagues(org.ws, org.ramon, "%") == ()  # wildcards are literal
    assert find_colleagues(org.ws, org.carla, "ra") == ()  # no company, nobody to share with


# --- Toolbar ------------------------------------------------------------------------------


def test_toolbar_lists_links_and_clear_formatting(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
    monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    editor = make_editor(org.ramon, tickets.ramon_new)
    bar = editor.toolbar
    for action in bar.actions():
        if action.isSeparator():
            continue
        button = bar.widgetForAction(action)
        assert action.objectName().startswith("action_")
        assert button.objectName().startswith("button_")
        assert button.accessibleName()
        assert not action.icon().isNull()
        assert not action.shortcut().isEmpty()

    qtbot.keyClicks(editor.text, "first step")
    qtbot.keyClick(editor.text, Qt.Key.Key_8,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert editor.text.textCursor().currentList() is not None
    assert bar.bullet_list.isChecked()
    bar.numbered_list.trigger()
    assert bar.numbered_list.isChecked()
    assert not bar.bullet_list.isChecked()
    bar.numbered_list.trigger()
    assert editor.text.textCursor().currentList() is None

    qtbot.keyClick(editor.text, Qt.Key.Key_Return)
    monkeypatch.setattr(rich_text_toolbar, "ask_link_url", lambda _p, _c: "example.com/kb/42")
    qtbot.keyClick(editor.text, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert 'href="https://example.com/kb/42"' in editor.text.toHtml()
    monkeypatch.setattr(rich_text_toolbar, "ask_link_url", lambda _p, _c: "javascript:alert(1)")
    bar.link.trigger()
    assert "javascript" not in editor.text.toHtml()
    assert shown
    assert "web pages" in shown[-1]

    editor.text.selectAll()
    bar.bold.trigger()
    picture = QMimeData()
    picture.setImageData(red_square())
    cursor = editor.text.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.text.setTextCursor(cursor)
    editor.text.insertFromMimeData(picture)
    editor.text.selectAll()
    qtbot.keyClick(editor.text, Qt.Key.Key_Backslash, Qt.KeyboardModifier.ControlModifier)
    cleaned = sanitize_html(editor.text.toHtml())
    assert "font-weight" not in cleaned
    assert "href" not in cleaned
    assert len(image_hashes(cleaned)) == 1  # the picture survives clearing


# --- Refusals -----------------------------------------------------------------------------


def test_a_refusal_keeps_the_text_and_says_why(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor, shown: list[str],
) -> None:
    # Ramón has no membership in Finance: the domain refuses, whatever the UI offered.
    editor = make_editor(org.ramon, tickets.finance_hidden)
    qtbot.keyClicks(editor.text, "Checked the payroll export.")
    with qtbot.waitSignal(editor.add_failed, timeout=10_000):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert editor.text.toPlainText() == "Checked the payroll export."
    assert shown
    assert error_text(editor, "general") == shown[-1]
    assert editor.add_button.isEnabled()
    assert not editor.text.isReadOnly()
    qtbot.waitUntil(lambda: editor.drafts.load(tickets.finance_hidden) is not None)
    draft = editor.drafts.load(tickets.finance_hidden)
    assert draft is not None
    assert "payroll export" in draft.text_html
    with org.ws.read() as session:
        assert session.scalars(select(Workunit).where(
            Workunit.ticket_id == tickets.finance_hidden)).all() == []


def test_a_refusal_naming_a_field_is_shown_beside_it(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor, shown: list[str],
) -> None:
    editor = make_editor(org.ramon, tickets.ramon_new)
    with qtbot.waitSignal(editor.add_failed, timeout=10_000):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert error_text(editor, "text") == "A workunit needs some text."
    assert shown == ["A workunit needs some text."]
    qtbot.keyClicks(editor.text, "x")
    assert error_text(editor, "text") == ""


def test_a_workunit_and_its_files_are_one_action(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, shown: list[str],
) -> None:
    org.do(ChangeSetting(key="max_attachment_mb", value=1), org.admin)
    big = tmp_path / "dump.bin"
    big.write_bytes(b"\0" * (1024 * 1024 + 1))
    monkeypatch.setattr(files_to_attach, "choose_files", lambda _parent: [big])
    editor = make_editor(org.ramon, tickets.ramon_new)
    qtbot.keyClicks(editor.text, "Memory dump attached.")
    qtbot.mouseClick(editor.fields.attach_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(editor.add_failed, timeout=10_000):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert "larger than the 1 MB limit" in error_text(editor, "attachments")
    with org.ws.read() as session:  # the refused file took the workunit with it
        assert session.scalars(select(Workunit).where(
            Workunit.ticket_id == tickets.ramon_new)).all() == []
    assert editor.text.toPlainText() == "Memory dump attached."


def test_what_the_editor_reads_and_writes_runs_without_qt() -> None:
    assert qt_modules_loaded_by("desktopdesk.ui.workunit_source") == []


def test_submitting_without_the_editor_writes_pending_image_bytes(
    org: Org, tickets: Tickets,
) -> None:
    data = png_bytes(red_square())
    sha = hashlib.sha256(data).hexdigest()
    added = submit_workunit(org.ws, org.ramon, WorkunitSubmission(
        ticket_id=tickets.ramon_new, hours=0.25,
        text_html=f'<p>See <img src="attachment:{sha}"></p>'), {sha: data})
    assert len(added.attachment_ids) == 1
    with org.ws.read() as session:
        attachment = session.get(Attachment, added.attachment_ids[0])
        assert attachment is not None
        assert (attachment.mime_type, attachment.file_name) == ("image/png",
                                                               f"image-{sha[:12]}.png")


# --- Drafts -------------------------------------------------------------------------------


def test_a_draft_is_autosaved_and_offered_back_after_the_editor_is_gone(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    drafts = DraftStore.for_user(org.ws.data_dir, org.ramon)
    host = QWidget()
    editor = embedded_editor(qtbot, host, org, org.ramon, tickets.ramon_new, autosave_ms=50)
    qtbot.keyClicks(editor.text, "Half-written note")
    picture = QMimeData()
    picture.setImageData(red_square())
    editor.text.insertFromMimeData(picture)
    editor.fields.hours.setValue(1.75)
    qtbot.mouseClick(editor.fields.internal, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (d := drafts.load(tickets.ramon_new)) is not None
                    and d.is_internal and d.hours == 1.75)
    editor.runner.wait_for_done()
    # Gone without Add and without closing, as after a crash.
    host.deleteLater()
    qtbot.waitUntil(lambda: not _alive(editor))

    again = make_editor(org.ramon, tickets.ramon_new)
    assert again.draft_bar.isVisible()
    assert again.draft_bar.label.text().startswith("Restore draft from ")
    assert again.text.toPlainText() == ""
    qtbot.keyClicks(again.text, "x")  # typing meanwhile must not overwrite the offer
    again.save_draft()
    again.flush_draft()
    again.runner.wait_for_done()
    QApplication.processEvents()
    assert "Half-written" in drafts.load(tickets.ramon_new).text_html  # type: ignore[union-attr]
    restore = again.findChild(QPushButton, "draft_restore")
    assert restore is not None
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    assert not again.draft_bar.isVisible()
    assert again.text.toPlainText().startswith("Half-written note")
    assert (again.fields.hours.value(), again.fields.internal.isChecked()) == (1.75, True)
    assert len(image_hashes(again.text.toHtml())) == 1
    url = f"attachment:{image_hashes(again.text.toHtml())[0]}"
    qtbot.waitUntil(lambda: again.text.image_document.loadResource(2, QUrl(url)).size()
                    == red_square().size())  # read from the blob store, then shown

    stored = workunit(org, add_and_wait(qtbot, again))
    assert len(image_hashes(stored.text_html)) == 1
    with org.ws.read() as session:
        names = session.scalars(select(Attachment.file_name)
                                .where(Attachment.workunit_id == stored.id)).all()
    assert len(names) == 1
    assert names[0].startswith("pasted-image-")
    qtbot.waitUntil(lambda: drafts.load(tickets.ramon_new) is None)  # removed in the background


def test_closing_before_the_autosave_keeps_the_draft_and_discard_drops_it(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    drafts = DraftStore.for_user(org.ws.data_dir, org.ramon)
    editor = make_editor(org.ramon, tickets.ramon_new, autosave_ms=60_000)
    qtbot.keyClicks(editor.text, "Typed just before closing")
    assert drafts.load(tickets.ramon_new) is None
    editor.close()
    assert drafts.load(tickets.ramon_new) is not None

    again = make_editor(org.ramon, tickets.ramon_new)
    discard = again.findChild(QPushButton, "draft_discard")
    assert discard is not None
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: drafts.load(tickets.ramon_new) is None)  # written in the background
    assert again.text.toPlainText() == ""


class HeldDrafts(DraftStore):
    """Holds the first write made on a worker until ``release`` is set (a slow disk), and
    records every write as (its plain text, or None for a removal; whether it was made)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.started = threading.Event()
        self.release = threading.Event()
        self.writes: list[tuple[str | None, bool]] = []

    def apply(self, snapshot: DraftSnapshot) -> bool:
        on_worker = threading.current_thread() is not threading.main_thread()
        if on_worker and not self.started.is_set():
            self.started.set()
            self.release.wait(30)
        written = super().apply(snapshot)
        text = None if snapshot.draft is None else plain_text(snapshot.draft.text_html)
        self.writes.append((text, written))
        return written


@pytest.fixture
def held_drafts(org: Org) -> Iterator[HeldDrafts]:
    drafts = HeldDrafts(DraftStore.for_user(org.ws.data_dir, org.ramon).folder)
    yield drafts
    drafts.release.set()  # never leave a worker waiting, whatever the test did


def draft_text(drafts: DraftStore, ticket_id: uuid.UUID) -> str | None:
    draft = drafts.load(ticket_id)
    return None if draft is None else plain_text(draft.text_html)


def test_an_older_draft_finishing_late_never_replaces_a_newer_one(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
    held_drafts: HeldDrafts,
) -> None:
    editor = make_editor(org.ramon, tickets.ramon_new, drafts=held_drafts,
                         autosave_ms=60_000)
    qtbot.keyClicks(editor.text, "Rebooted the switch")
    editor.save_draft()  # as the autosave does: on a worker, which the slow disk holds
    qtbot.waitUntil(held_drafts.started.is_set)
    qtbot.keyClicks(editor.text, " and replaced its fan")
    editor.close()  # written at once, while the older write still waits
    assert draft_text(held_drafts, tickets.ramon_new) == (
        "Rebooted the switch and replaced its fan")

    held_drafts.release.set()  # the older write finishes last
    qtbot.waitUntil(lambda: not editor.runner.busy)
    assert ("Rebooted the switch", False) in held_drafts.writes
    assert draft_text(held_drafts, tickets.ramon_new) == (
        "Rebooted the switch and replaced its fan")


def test_while_a_draft_is_written_only_the_newest_waits_for_its_turn(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
    held_drafts: HeldDrafts,
) -> None:
    editor = make_editor(org.ramon, tickets.ramon_new, drafts=held_drafts,
                         autosave_ms=60_000)
    qtbot.keyClicks(editor.text, "first")
    editor.save_draft()
    qtbot.waitUntil(held_drafts.started.is_set)
    for more in (" second", " third"):
        qtbot.keyClicks(editor.text, more)
        editor.save_draft()  # one write at a time: these wait, the newest replacing
    held_drafts.release.set()
    qtbot.waitUntil(lambda: len(held_drafts.writes) == 2 and not editor.runner.busy)
    assert held_drafts.writes == [("first", True), ("first second third", True)]
    assert draft_text(held_drafts, tickets.ramon_new) == "first second third"


def test_closing_the_window_right_after_typing_keeps_the_latest_text(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
) -> None:
    drafts = DraftStore.for_user(org.ws.data_dir, org.ramon)
    editor = make_editor(org.ramon, tickets.ramon_new, autosave_ms=60_000)
    qtbot.keyClicks(editor.text, "Spoke to the vendor")
    editor.save_draft()
    qtbot.keyClicks(editor.text, ", they ship a new board on Monday")
    editor.window().close()  # the editor is only hidden: its write goes on in the background
    qtbot.waitUntil(lambda: not editor.runner.busy)
    assert draft_text(drafts, tickets.ramon_new) == (
        "Spoke to the vendor, they ship a new board on Monday")


def test_adding_removes_the_draft_even_if_an_autosave_finishes_after_it(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
    held_drafts: HeldDrafts,
) -> None:
    editor = make_editor(org.ramon, tickets.ramon_new, drafts=held_drafts,
                         autosave_ms=60_000)
    qtbot.keyClicks(editor.text, "Toner replaced.")
    editor.save_draft()
    qtbot.waitUntil(held_drafts.started.is_set)
    with qtbot.waitSignal(editor.workunit_added, timeout=10_000):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    held_drafts.release.set()
    qtbot.waitUntil(lambda: len(held_drafts.writes) == 2 and not editor.runner.busy)
    assert held_drafts.writes == [("Toner replaced.", True), (None, True)]
    assert held_drafts.load(tickets.ramon_new) is None


def test_a_pasted_picture_shows_at_once_and_is_stored_on_a_worker(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blobs = org.ws.blobs
    stored_on: list[threading.Thread] = []
    real_put = blobs.put_bytes

    def put_bytes(data: bytes, *, expected_sha256: str | None = None) -> StoredBlob:
        stored_on.append(threading.current_thread())
        return real_put(data, expected_sha256=expected_sha256)

    monkeypatch.setattr(blobs, "put_bytes", put_bytes)
    editor = make_editor(org.ramon, tickets.ramon_new)
    picture = QMimeData()
    picture.setImageData(red_square())
    editor.text.insertFromMimeData(picture)
    sha = image_hashes(editor.text.toHtml())[0]
    shown = editor.text.image_document.loadResource(2, QUrl(f"attachment:{sha}"))
    assert shown.size() == red_square().size()  # from memory, before any worker ran
    qtbot.waitUntil(lambda: blobs.size_of(sha) is not None)
    assert stored_on
    assert threading.main_thread() not in stored_on


def test_a_restored_drafts_pictures_are_read_on_a_worker_then_shown(
    qtbot: QtBot, org: Org, tickets: Tickets, make_editor: MakeEditor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blobs = org.ws.blobs
    sha = blobs.put_bytes(png_bytes(red_square())).sha256
    missing = "0" * 64
    DraftStore.for_user(org.ws.data_dir, org.ramon).save(WorkunitDraft(
        ticket_id=tickets.ramon_new, saved_at=org.now,
        text_html=(f'<p>Before <img src="attachment:{sha}" width="64" height="40"> '
                   f'and after <img src="attachment:{missing}" width="64" height="40"></p>'),
        images=(InlineImage(sha, "before.png", "image/png", 1),
                InlineImage(missing, "after.png", "image/png", 1))))
    read_on: list[threading.Thread] = []
    real_read = blobs.read_bytes

    def read_bytes(sha256: str) -> bytes:
        read_on.append(threading.current_thread())
        return real_read(sha256)

    monkeypatch.setattr(blobs, "read_bytes", read_bytes)
    editor = make_editor(org.ramon, tickets.ramon_new)
    document = editor.text.image_document
    restore = editor.findChild(QPushButton, "draft_restore")
    assert restore is not None
    restore.click()
    found, lost = QUrl(f"attachment:{sha}"), QUrl(f"attachment:{missing}")
    first = document.loadResource(2, found)  # no event processed yet: nothing is in
    assert first.text(PLACEHOLDER_TEXT_KEY) == "Loading image…"
    editor.grab()  # painting asks for both
    assert document.loading_urls == {found.toString(), lost.toString()}
    qtbot.waitUntil(lambda: not document.loading_urls)

    assert document.loadResource(2, found).size() == red_square().size()
    assert document.loadResource(2, lost).text(PLACEHOLDER_TEXT_KEY) == "Image not available"
    editor.grab()
    assert len(read_on) == 2  # once each, however often painting asks
    assert threading.main_thread() not in read_on
    assert document.loading_urls == frozenset()


def _alive(widget: QWidget) -> bool:
    try:
        widget.objectName()
    except RuntimeError:
        return False
    return True
