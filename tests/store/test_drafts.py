"""Workunit drafts on disk: written whole or not at all, read back as typed, per person."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from desktopdesk.store import drafts as drafts_module
from desktopdesk.store.drafts import DraftShare, DraftStore, InlineImage, WorkunitDraft

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


def test_drafts_do_not_load_qt() -> None:
    script = ("import sys, desktopdesk.store.drafts; "
              "print(sorted(m for m in sys.modules if m.startswith('PySide6')))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
