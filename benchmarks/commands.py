"""How fast the local store applies typical user actions (target: under 5 ms each).

Each action is measured as the user gets it: ``Workspace.execute`` with its own
transaction and commit, on a SQLite file that already holds a working set of tickets.

    python benchmarks/commands.py [--tickets 5000] [--rounds 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from desktopdesk.domain.commands import (
    AddMembership,
    AddWorkunit,
    AssignOwner,
    ChangeStatus,
    Command,
    CreateGroup,
    CreateProfile,
    CreateTicket,
    CreateUser,
    UpdateTicketFields,
)
from desktopdesk.models import Priority, Status
from desktopdesk.store.bootstrap import create_first_admin
from desktopdesk.store.workspace import Workspace

TARGET_MS = 5.0


def build(ws: Workspace, tickets: int) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    admin = create_first_admin(ws)

    def make(command: Command) -> uuid.UUID:
        created = ws.execute(command, admin).created_id
        assert created is not None
        return created

    manager = make(CreateProfile(name="Manager", can_view=True, can_edit=True, can_manage=True))
    lead = make(CreateUser(username="lead", full_name="Team Lead"))
    tech = make(CreateUser(username="tech", full_name="Technician"))
    group = make(CreateGroup(name="Support", default_owner_id=lead))
    for user in (lead, tech):
        make(AddMembership(user_id=user, group_id=group, profile_id=manager))
    ids = [
        make(CreateTicket(title=f"Preloaded ticket {n}", group_id=group,
                          description_html="<p>Something broke.</p>"))
        for n in range(tickets)
    ]
    return lead, tech, group, ids


def measure(label: str, rounds: int, make_command: Callable[[int], tuple[Command, uuid.UUID]],
            ws: Workspace) -> float:
    samples = []
    for n in range(rounds):
        command, actor = make_command(n)
        start = time.perf_counter()
        ws.execute(command, actor)
        samples.append((time.perf_counter() - start) * 1000)
    p50 = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[18]
    verdict = "ok" if p50 < TARGET_MS else "SLOW"
    print(f"{label:<22} {1000 / statistics.mean(samples):8.0f}/s   p50 {p50:5.2f} ms   "
          f"p95 {p95:5.2f} ms   {verdict}")
    return p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5000, help="tickets preloaded")
    parser.add_argument("--rounds", type=int, default=300, help="actions timed per command")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, Workspace.open(Path(tmp)) as ws:
        start = time.perf_counter()
        lead, tech, group, ids = build(ws, args.tickets)
        print(f"preloaded {args.tickets} tickets in {time.perf_counter() - start:.1f} s "
              f"({ws.db_path.stat().st_size / 1e6:.1f} MB)")
        owned_by_lead = list(ids)
        rng.shuffle(owned_by_lead)
        results = {
            "CreateTicket": measure("CreateTicket", args.rounds, lambda n: (
                CreateTicket(title=f"New ticket {n}", group_id=group,
                             description_html="<p>Printer <b>jammed</b>.</p>"), tech), ws),
            "AddWorkunit": measure("AddWorkunit", args.rounds, lambda n: (
                AddWorkunit(ticket_id=rng.choice(ids), text_html="<p>Checked cables.</p>",
                            hours=0.5), tech), ws),
            "UpdateTicketFields": measure("UpdateTicketFields", args.rounds, lambda n: (
                UpdateTicketFields(ticket_id=rng.choice(ids), changes={
                    "title": f"Renamed {n}", "priority": int(rng.choice(list(Priority)))}),
                tech), ws),
            "ChangeStatus": measure("ChangeStatus", args.rounds, lambda n: (
                ChangeStatus(ticket_id=owned_by_lead[n], status=int(Status.ASSIGNED)), lead), ws),
            "AssignOwner": measure("AssignOwner", args.rounds, lambda n: (
                AssignOwner(ticket_id=owned_by_lead[args.rounds + n], owner_id=tech), lead), ws),
        }
        overall = statistics.median(results.values())
        print(f"typical action (median of p50s): {overall:.2f} ms  target < {TARGET_MS} ms  "
              f"{'met' if overall < TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
