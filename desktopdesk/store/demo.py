"""The demo workspace: the manual's practical case, generated, never committed.

Seeding goes through ``Workspace.execute`` like any user action (only the first
super-admin is written directly), so the demo is as valid as real data and breaks loudly
when a rule changes under it. A seed and a "today" fix everything but row ids: the same
pair gives the same titles, numbers, statuses, people and history, while the history
keeps ending just before today so the demo always looks current.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import func, select

from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.sla_state import refresh_sla_states
from desktopdesk.models import User, utc_now
from desktopdesk.store.bootstrap import WorkspaceNotEmptyError
from desktopdesk.store.demo_org import ADMIN, PEOPLE, build_org
from desktopdesk.store.demo_plan import Step, plan_tickets
from desktopdesk.store.workspace import Workspace

log = logging.getLogger("desktopdesk.store")

#: Every demo account's password once the server signs people in.
DEMO_PASSWORD = "demo"
DEMO_DIR = "demo"
DEFAULT_SEED = 2026
DEMO_USERNAMES = (ADMIN, *(person.username for person in PEOPLE))
#: Workspace fact recording that (and with which seed) the demo was generated.
DEMO_SEED_INFO = "demo_seed"
#: The organisation is set up this long before today, ahead of the first ticket.
SETUP_DAYS_BEFORE_TODAY = 45


class DemoSeedError(RuntimeError):
    """A step of the demo was refused: the demo no longer fits the rules (a bug)."""


def seed_demo(ws: Workspace, *, seed: int = DEFAULT_SEED, today: dt.datetime | None = None) -> None:
    """Fill an empty workspace with the demo organisation and its tickets."""
    today = _check_today(today)
    users = _user_count(ws)
    if users:
        raise WorkspaceNotEmptyError(
            f"The demo can only be seeded into an empty workspace; {ws.data_dir} already has "
            f"{users} user(s)."
        )
    rng = random.Random(seed)
    org = build_org(ws, today - dt.timedelta(days=SETUP_DAYS_BEFORE_TODAY))
    for step in plan_tickets(org, rng, ws.blobs, today):
        _execute(ws, step, org.users[step.actor])
    # Each command evaluated its ticket's SLA as it went; this catches up with "today",
    # so tickets nobody answered in time show as fired, as on a server's next pass.
    with ws.user_action() as session:
        sla = refresh_sla_states(session, today)
    log.info("demo SLA pass: %s", sla.summary)
    ws.set_info(DEMO_SEED_INFO, str(seed))
    log.info("seeded the demo workspace in %s (seed %s)", ws.data_dir, seed)


def open_demo_workspace(data_dir: Path) -> Workspace:
    """``data_dir/demo``, generated on first use; later opens keep what people changed.

    A fresh demo is built in a temporary folder and renamed into place when complete, so
    an interrupted first run never leaves a half-seeded demo behind.
    """
    target = data_dir / DEMO_DIR
    if not target.exists():
        _build_in_place_of(target)
    ws = Workspace.open(target)
    try:
        if not _user_count(ws):  # an empty store someone created there: seed it in place
            seed_demo(ws)
    except BaseException:
        ws.close()
        raise
    return ws


def user_id_by_username(ws: Workspace, username: str) -> uuid.UUID:
    """The id of ``username``, or a LookupError that lists who there is to choose from."""
    with ws.read() as session:
        user_id = session.scalar(select(User.id).where(User.username == username.lower()))
        if user_id is not None:
            return user_id
        known = session.scalars(select(User.username).order_by(User.username)).all()
    raise LookupError(
        f"No user '{username}' in this workspace; known users: {', '.join(known) or 'none'}."
    )


def _build_in_place_of(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".demo-incoming-", dir=target.parent))
    try:
        with Workspace.open(building) as ws:
            seed_demo(ws)
        building.rename(target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _execute(ws: Workspace, step: Step, actor_id: uuid.UUID) -> None:
    try:
        result = ws.execute(step.command, actor_id, now=step.at)
    except DomainError as exc:
        raise DemoSeedError(
            f"Demo step refused: {step.command.command_name} by {step.actor} at "
            f"{step.at:%Y-%m-%d %H:%M}: {exc.message}"
        ) from exc
    for warning in result.warnings:
        log.debug("demo %s by %s: %s", step.command.command_name, step.actor, warning)


def _check_today(today: dt.datetime | None) -> dt.datetime:
    if today is None:
        return utc_now().replace(microsecond=0)
    if today.tzinfo is None:
        raise ValueError("seed_demo needs a timezone-aware 'today' (UTC is stored)")
    return today.astimezone(dt.UTC)


def _user_count(ws: Workspace) -> int:
    with ws.read() as session:
        return session.scalar(select(func.count()).select_from(User)) or 0

