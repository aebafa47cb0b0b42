"""Sync against a server store on PostgreSQL: the same tests, the larger backend.

Pull pages upsert held-ticket records (``ON CONFLICT``), compare UUIDs in keysets and
correlate subqueries on keys, each of which PostgreSQL plans and types differently from
SQLite. Overriding ``workspace`` puts the ``org`` server store in a throwaway
PostgreSQL database; the desktops stay SQLite files, as in life.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktopdesk.store.workspace import Workspace
from tests.sync.test_client_sync import (  # noqa: F401 - collected again, on PostgreSQL
    desktops,
    test_offline_work_reaches_the_server_and_comes_back_numbered,
    test_pending_edits_stay_on_top_of_newer_server_changes,
    test_the_worked_example_end_to_end,
    test_two_desktops_converge,
)
from tests.sync.test_pull_pipeline import (  # noqa: F401
    small_pages,
    test_a_paged_pull_gives_the_same_replica_with_or_without_prefetch,
    test_work_done_between_two_pages_stays_on_top,
    tickets,
)
from tests.sync.test_pull_recovery import (  # noqa: F401
    test_a_move_in_whose_page_was_lost_is_sent_again,
    test_a_removal_is_sent_until_the_desktop_confirms_it,
    test_asking_twice_for_a_page_gives_the_same_page,
    test_private_workunits_follow_the_users_access,
)


@pytest.fixture
def workspace(pg_url: str, tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path / "server", pg_url)
    assert ws.engine.dialect.name == "postgresql"
    yield ws
    ws.close()
