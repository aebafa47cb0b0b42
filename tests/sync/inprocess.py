"""A sync transport that calls the server's functions directly, through real JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.pull import pull_page
from desktopdesk.sync.push import PushedMutation, process_push, register_client


def _wire(value: Any) -> Any:
    """What survives the trip: JSON in, JSON out (catches anything not serialisable)."""
    return json.loads(json.dumps(value))


class InProcessTransport:
    def __init__(self, server: Workspace, user_id: uuid.UUID,
                 clock: Callable[[], dt.datetime]) -> None:
        self.server = server
        self.user_id = user_id
        self.clock = clock

    def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        batch = [PushedMutation(m["mutation_id"], m["command"]) for m in _wire(mutations)]
        result = process_push(self.server, self.user_id, client_id, batch, self.clock)
        return _wire({"results": [dataclasses.asdict(o) for o in result.outcomes],
                      "last_mutation_id": result.last_mutation_id, "stopped": result.stopped})

    def pull(self, client_id: uuid.UUID, cookie: str, token: str | None) -> dict[str, Any]:
        register_client(self.server, self.user_id, client_id, self.clock())
        with self.server.sessions.begin() as session:
            page = pull_page(session, self.user_id, client_id, cookie=cookie, token=token)
        return _wire(dataclasses.asdict(page))
