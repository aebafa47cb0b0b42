"""Replicated rows round-trip through JSON, and upserts only move forward in version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktopdesk.models import Base, Replicated, Status, Ticket
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.rows import replicated_models, row_to_json, rows_to_json, upsert
from tests.conftest import Org
from tests.domain.support import new_ticket


def test_every_replicated_table_is_an_entity() -> None:
    entities = replicated_models()
    replicated_tables = {
        mapper.local_table.name for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Replicated)
    }
    assert set(entities) == replicated_tables
    assert {"tickets", "workunits", "attachments", "history_events", "users"} <= set(entities)
    assert "command_log" not in entities  # local bookkeeping never travels


def test_a_whole_workspace_copies_row_by_row_through_json(org: Org, tmp_path: Path) -> None:
    ticket_id = new_ticket(org, org.ana, description_html="<p>Ñandú — Привет</p>")
    with org.ws.read() as session:
        payload = json.dumps([
            item for model in replicated_models().values()
            for item in rows_to_json(session.scalars(select(model)))
        ])

    with Workspace.open(tmp_path / "replica") as replica:
        with replica.sessions.begin() as session:
            # Parents before children, as pull pages order them.
            for table in Base.metadata.sorted_tables:
                for item in json.loads(payload):
                    if item["entity"] == table.name:
                        assert upsert(session, item["entity"], item["row"])
        with replica.read() as session, org.ws.read() as original:
            copy = session.get(Ticket, ticket_id)
            source = original.get(Ticket, ticket_id)
            assert copy is not None
            assert source is not None
            assert row_to_json(copy) == row_to_json(source)
            assert copy.status is Status.NEW
            assert copy.created_at.tzinfo is not None


def test_an_older_or_equal_version_never_overwrites(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, title="Current")
    with org.ws.sessions.begin() as session:
        held = session.get(Ticket, ticket_id)
        assert held is not None
        assert held.version is not None
        stale = row_to_json(held) | {"title": "Stale", "version": held.version - 1}
        same = row_to_json(held) | {"title": "Same version"}
        newer = row_to_json(held) | {"title": "Newer", "version": held.version + 1}
        assert not upsert(session, "tickets", stale)
        assert not upsert(session, "tickets", same)
        assert upsert(session, "tickets", newer)
        assert held.title == "Newer"


def test_unknown_columns_and_entities_are_refused(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    with org.ws.sessions.begin() as session:
        held = session.get(Ticket, ticket_id)
        assert held is not None
        row = row_to_json(held) | {"extra": 1}
        with pytest.raises(ValueError, match="extra"):
            upsert(session, "tickets", row)
        with pytest.raises(ValueError, match="secrets"):
            upsert(session, "secrets", {})
