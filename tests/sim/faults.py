"""A transport that loses, drops and repeats requests on purpose.

It wraps the server's functions (``InProcessTransport``: real JSON both ways) and, per
sync, follows a plan of faults, each aimed at the n-th push or pull call of that sync:

- ``drop``: the request never reaches the server (raise before calling it);
- ``lost``: the server does the work and commits, then the answer is lost (raise after);
- ``dup``: the request arrives twice; the desktop gets the second answer.

A ``lost`` or ``drop`` on the n-th pull is a pull cut at page n. Client crashes and
server restarts are rules of the state machine, not transport faults.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from desktopdesk.sync import pull as pull_module
from desktopdesk.sync.client import SyncTransport

KINDS = ("drop", "lost", "dup")


class NetworkError(ConnectionError):
    """A simulated network failure: what a desktop sees when a request or answer is lost."""


@dataclass(frozen=True)
class Fault:
    op: str
    kind: str
    #: Which call of ``op`` in this sync (0: the first push, or the first pull page).
    call: int

    def __str__(self) -> str:
        return f"{self.kind} {self.op}#{self.call}"


def fault_plans(max_faults: int = 2) -> st.SearchStrategy[tuple[Fault, ...]]:
    """No fault about half the time; else one or two (a sync pushes once or twice and
    pulls a few pages, so later calls are rarely worth aiming at)."""
    push = st.builds(Fault, st.just("push"), st.sampled_from(KINDS), st.integers(0, 1))
    pull = st.builds(Fault, st.just("pull"), st.sampled_from(KINDS), st.integers(0, 4))
    some = st.lists(push | pull, min_size=1, max_size=max_faults,
                    unique_by=lambda f: (f.op, f.call))
    return st.just(()) | some.map(tuple)


@contextmanager
def page_rows(rows: int) -> Iterator[None]:
    """Small pull pages, so pulls have several pages to be cut between."""
    saved = pull_module.PAGE_ROWS
    pull_module.PAGE_ROWS = rows
    try:
        yield
    finally:
        pull_module.PAGE_ROWS = saved


class FaultyTransport:
    def __init__(self, server: Callable[[], SyncTransport], rows_per_page: int) -> None:
        self.server = server
        self.rows_per_page = rows_per_page
        self.plan: tuple[Fault, ...] = ()
        self.calls: Counter[str] = Counter()
        #: Faults of the current plan that actually fired (a plan may aim past the end).
        self.fired: list[Fault] = []

    def arm(self, plan: tuple[Fault, ...]) -> None:
        self.plan = plan
        self.calls.clear()
        self.fired = []

    def meta(self, client_id: uuid.UUID, protocol: int) -> dict[str, Any]:
        """Passed through untouched: every sync starts with it, so the simulation also
        checks that a healthy server never makes a desktop rebuild its replica."""
        return self._call("meta", lambda: self.server().meta(client_id, protocol))

    def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("push", lambda: self.server().push(client_id, mutations))

    def pull(self, client_id: uuid.UUID, cookie: str, token: str | None) -> dict[str, Any]:
        def send() -> dict[str, Any]:
            with page_rows(self.rows_per_page):
                return self.server().pull(client_id, cookie, token)

        return self._call("pull", send)

    def _call(self, op: str, send: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        number = self.calls[op]
        self.calls[op] += 1
        fault = next((f for f in self.plan if f.op == op and f.call == number), None)
        if fault is None:
            return send()
        self.fired.append(fault)
        if fault.kind == "drop":
            raise NetworkError(f"{fault}: the request never reached the server")
        send()
        if fault.kind == "lost":
            raise NetworkError(f"{fault}: the server answered, the answer was lost")
        return send()  # dup: the desktop gets the second answer
