"""Workunit drafts on disk: written whole or not at all, read back as typed, per person."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from desktopdesk.store import drafts as drafts_module
from desktopdesk.store.drafts import (
    DraftShare,
    DraftSnapshot,
    DraftStore,
    InlineImage,
    WorkunitDraft,
)

SAVED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def full_draft(ticket_id: uuid.UUID, text: str = "<p>Replaced the <b>fuser</b></p>"
               ) -> WorkunitDraft:
    return WorkunitDraft(
        ticket_id=ticket_id, text_html=text, saved_at=SAVED, hours=1.5, is_private=True,
        is_internal=True, has_cost=True, profile_id=uuid.uuid4(),
        shared_with=(DraftShare(uuid.uuid4(), "Tomás Ortega (tomas)"),),
        completed_at=dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC),
        attachment_paths=("/home/ramon/invoice.pdf",),
        images=(InlineImage("a" * 64, "pasted-image.png", "image/png", 1234),),
    )


@pytest.fixture
def store(tmp_path: Path) -> DraftStore:
    return DraftStore.for_user(tmp_path / "data", uuid.uuid4())


def test_a_saved_draft_reads_back_exactly(store: DraftStore) -> None:
    ticket = uuid.uuid4()
    draft = full_draft(ticket)
    store.save(draft)
    assert store.load(ticket) == draft


def test_there_is_no_draft_until_one_is_saved_and_none_after_discarding(
    store: DraftStore,
) -> None:
    ticket = uuid.uuid4()
    assert store.load(ticket) is None
    store.save(full_draft(ticket))
    store.discard(ticket)
    assert store.load(ticket) is None
    store.discard(ticket)  # discarding nothing is fine


def test_each_ticket_and_each_person_has_their_own_draft(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ramon, tomas = DraftStore.for_user(data_dir, uuid.uuid4()), DraftStore.for_user(
        data_dir, uuid.uuid4())
    first, second = uuid.uuid4(), uuid.uuid4()
    ramon.save(full_draft(first, "<p>one</p>"))
    ramon.save(full_draft(second, "<p>two</p>"))
    assert tomas.load(first) is None
    assert [ramon.load(t).text_html for t in (first, second)] == [  # type: ignore[union-attr]
        "<p>one</p>", "<p>two</p>"]
    assert ramon.path_for(first).parent.parent == data_dir / "drafts"


def test_saving_again_replaces_the_draft_and_leaves_no_temporary_files(
    store: DraftStore,
) -> None:
    ticket = uuid.uuid4()
    store.save(full_draft(ticket, "<p>first</p>"))
    store.save(full_draft(ticket, "<p>second</p>"))
    assert store.load(ticket).text_html == "<p>second</p>"  # type: ignore[union-attr]
    assert [p.name for p in store.folder.iterdir()] == [f"{ticket}.json"]


def test_a_save_that_fails_midway_keeps_the_previous_draft(
    store: DraftStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticket = uuid.uuid4()
    store.save(full_draft(ticket, "<p>kept</p>"))

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(drafts_module.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save(full_draft(ticket, "<p>lost</p>"))
    monkeypatch.undo()
    assert store.load(ticket).text_html == "<p>kept</p>"  # type: ignore[union-attr]
    assert [p.name for p in store.folder.iterdir()] == [f"{ticket}.json"]


@pytest.mark.parametrize("content", [
    b"{not json", b"\xff\xfe", b"[]", b'{"format": 99, "ticket_id": "x"}',
    b'{"format": 1, "ticket_id": "not-a-uuid"}',
])
def test_a_damaged_draft_is_set_aside_not_offered(store: DraftStore, content: bytes) -> None:
    ticket = uuid.uuid4()
    store.folder.mkdir(parents=True)
    store.path_for(ticket).write_bytes(content)
    assert store.load(ticket) is None
    assert not store.path_for(ticket).exists()
    assert store.path_for(ticket).with_suffix(".bad").read_bytes() == content


def test_a_draft_filed_under_another_ticket_is_not_offered(store: DraftStore) -> None:
    ticket, other = uuid.uuid4(), uuid.uuid4()
    store.save(full_draft(other))
    os.replace(store.path_for(other), store.path_for(ticket))
    assert store.load(ticket) is None


def test_the_file_is_plain_readable_json(store: DraftStore) -> None:
    ticket = uuid.uuid4()
    store.save(full_draft(ticket, "<p>Señal débil</p>"))
    payload = json.loads(store.path_for(ticket).read_text(encoding="utf-8"))
    assert payload["format"] == drafts_module.DRAFT_FORMAT
    assert payload["text_html"] == "<p>Señal débil</p>"
    assert payload["saved_at"] == "2026-03-02T09:30:00+00:00"


# --- Writes from several threads ----------------------------------------------------------


def test_an_older_snapshot_written_last_does_not_replace_a_newer_draft(
    store: DraftStore,
) -> None:
    ticket = uuid.uuid4()
    older = DraftSnapshot(ticket, full_draft(ticket, "<p>Replaced the</p>"))
    newer = DraftSnapshot(ticket, full_draft(ticket, "<p>Replaced the fuser unit.</p>"))
    assert store.apply(newer)
    assert not store.apply(older)  # its worker finished second
    assert store.load(ticket).text_html == "<p>Replaced the fuser unit.</p>"  # type: ignore[union-attr]


def test_a_save_still_on_its_way_does_not_bring_back_a_discarded_draft(
    store: DraftStore,
) -> None:
    ticket = uuid.uuid4()
    typed = DraftSnapshot(ticket, full_draft(ticket))
    store.discard(ticket)  # the workunit was added meanwhile
    assert not store.apply(typed)
    assert store.load(ticket) is None


def test_another_store_on_the_same_folder_keeps_the_same_order(tmp_path: Path) -> None:
    """The editor's store and one made elsewhere for the same person share the order."""
    user, ticket = uuid.uuid4(), uuid.uuid4()
    mine = DraftStore.for_user(tmp_path / "data", user)
    theirs = DraftStore(tmp_path / "data" / "drafts" / ".." / "drafts" / str(user))
    older = DraftSnapshot(ticket, full_draft(ticket, "<p>older</p>"))
    theirs.save(full_draft(ticket, "<p>newer</p>"))
    assert not mine.apply(older)
    assert mine.load(ticket).text_html == "<p>newer</p>"  # type: ignore[union-attr]


def test_two_writes_of_one_draft_never_interleave(
    store: DraftStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The older write is held halfway (its file written, not yet renamed into place)
    while a newer one arrives: the newer must wait, or the older rename would land last."""
    ticket = uuid.uuid4()
    older = DraftSnapshot(ticket, full_draft(ticket, "<p>older</p>"))
    newer = DraftSnapshot(ticket, full_draft(ticket, "<p>newer</p>"))
    halfway, go_on = threading.Event(), threading.Event()
    real_replace = os.replace

    def slow_replace(source: str, target: Path) -> None:
        if threading.current_thread().name == "older":
            halfway.set()
            go_on.wait(30)
        real_replace(source, target)

    monkeypatch.setattr(drafts_module.os, "replace", slow_replace)
    results: dict[str, bool] = {}
    first = threading.Thread(name="older", target=lambda: results.update(
        older=store.apply(older)))
    second = threading.Thread(name="newer", target=lambda: results.update(
        newer=store.apply(newer)))
    first.start()
    try:
        assert halfway.wait(30)
        second.start()
        second.join(0.2)  # time enough to finish, if it did not wait for the file
        assert second.is_alive()
    finally:
        go_on.set()
        first.join(30)
        if second.ident is not None:
            second.join(30)
    assert results == {"older": True, "newer": True}
    assert store.load(ticket).text_html == "<p>newer</p>"  # type: ignore[union-attr]


def test_a_snapshot_holds_its_own_tickets_draft() -> None:
    with pytest.raises(ValueError, match="its own ticket"):
        DraftSnapshot(uuid.uuid4(), full_draft(uuid.uuid4()))


def test_drafts_do_not_load_qt() -> None:
    script = ("import sys, desktopdesk.store.drafts; "
              "print(sorted(m for m in sys.modules if m.startswith('PySide6')))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
