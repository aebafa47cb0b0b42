"""The SLA pass on PostgreSQL: its upsert, its Core reads of native UUIDs, its tombstones.

The same tests as on SQLite (imported, so they run again here), with the ``org``
fixture's store on a throwaway PostgreSQL database (skipped where there is none).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktopdesk.store.workspace import Workspace
from tests.domain.test_sla_state import (  # noqa: F401 (collected again here)
    sla,
    test_a_group_losing_its_sla_clears_its_tickets_and_desktops_delete_the_state,
    test_a_group_over_its_open_ticket_cap_tells_its_default_owner_once,
    test_a_moving_compliance_is_written_again_in_whole_percent,
    test_an_answer_clears_the_flag_as_the_command_is_applied,
    test_an_unanswered_ticket_fires_without_being_updated,
    test_the_owner_is_told_once_per_notification_period,
)
from tests.domain.test_sla_timeline import (  # noqa: F401
    test_a_tickets_life_becomes_its_timeline,
    test_many_tickets_load_in_chunks_and_unknown_ids_are_left_out,
)


@pytest.fixture
def workspace(pg_url: str, tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path / "pg", db_url=pg_url)
    assert ws.engine.dialect.name == "postgresql"
    yield ws
    ws.close()
