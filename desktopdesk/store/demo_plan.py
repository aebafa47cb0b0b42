"""Placing the demo's ticket journeys in time, as one chronological list of steps.

Each ticket opens on its story's day and lives until a moment that fits how it ended
(closed tickets settle within days, open ones are still moving); its commands are spread
over that span. All tickets' steps are then merged by time, so ticket numbers follow
opening order and the command log reads like the weeks it describes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from desktopdesk.domain.commands import Command, SetParent
from desktopdesk.models import Status, new_id
from desktopdesk.store.blobs import BlobStore
from desktopdesk.store.demo_journeys import Journey, PlanContext, with_completion
from desktopdesk.store.demo_org import LEAD, DemoOrg
from desktopdesk.store.demo_stories import CUSTOMER_STORIES, Story
from desktopdesk.store.demo_stories_team import TEAM_STORIES

STORIES = CUSTOMER_STORIES + TEAM_STORIES

#: Nothing in the demo happens in the last few minutes before "today".
QUIET_BEFORE_TODAY = dt.timedelta(minutes=20)
#: Longest a closed ticket's life lasts.
MAX_CLOSED_SPAN = dt.timedelta(days=9)


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    actor: str
    command: Command


def plan_tickets(org: DemoOrg, rng: random.Random, blobs: BlobStore,
                 today: dt.datetime) -> list[Step]:
    """Every ticket step of the demo, in the order (and at the time) to execute it."""
    ctx = PlanContext(org, rng, blobs, today)
    for story in STORIES:
        ctx.ticket_ids[story.key] = new_id()
        ctx.opened_at[story.key] = opening_time(rng, today, story.days_ago)
    timed: list[tuple[dt.datetime, int, int, Step]] = []
    for index, story in enumerate(STORIES):
        for order, step in enumerate(_timed_journey(story, ctx)):
            timed.append((step.at, index, order, step))
    for order, step in enumerate(_adoptions(ctx)):
        timed.append((step.at, len(STORIES), order, step))
    return [step for *_, step in sorted(timed, key=lambda item: item[:3])]


def opening_time(rng: random.Random, today: dt.datetime, days_ago: int) -> dt.datetime:
    """Office hours on the story's day; today's tickets came in during the last hours."""
    if days_ago == 0:
        return (today - dt.timedelta(minutes=rng.randint(30, 240))).replace(microsecond=0)
    midnight = today.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - dt.timedelta(days=days_ago) + dt.timedelta(
        hours=8, minutes=rng.randint(0, 9 * 60 + 30), seconds=rng.randint(0, 59))


def _timed_journey(story: Story, ctx: PlanContext) -> list[Step]:
    beats = Journey(story, ctx).live()
    opened = ctx.opened_at[story.key]
    settled = _settling_time(ctx.rng, ctx.today, opened, story.final)
    times = [opened]
    for fraction in sorted(ctx.rng.random() for _ in beats[1:]):
        at = (opened + (settled - opened) * fraction).replace(microsecond=0)
        times.append(max(at, times[-1] + dt.timedelta(minutes=1)))
    return [Step(at, beat.actor, with_completion(beat.command, at, beat.done_before))
            for at, beat in zip(times, beats, strict=True)]


def _settling_time(rng: random.Random, today: dt.datetime, opened: dt.datetime,
                   final: Status) -> dt.datetime:
    """When a ticket's last step happens: closed ones settle, open ones are recent."""
    latest = today - QUIET_BEFORE_TODAY
    if final is Status.CLOSED:
        span = min(MAX_CLOSED_SPAN, (latest - opened) * 0.8)
        return opened + span * rng.uniform(0.15, 1.0)
    return opened + (latest - opened) * rng.uniform(0.55, 0.97)


def _adoptions(ctx: PlanContext) -> list[Step]:
    """The lead files older tickets under a newer parent (a problem found later)."""
    steps = []
    for story in STORIES:
        parent = story.parent
        if parent is None or ctx.opened_at[parent] < ctx.opened_at[story.key]:
            continue
        at = ctx.opened_at[parent] + dt.timedelta(minutes=ctx.rng.randint(30, 240))
        steps.append(Step(min(at, ctx.today - QUIET_BEFORE_TODAY), LEAD, SetParent(
            ticket_id=ctx.ticket_ids[story.key], parent_id=ctx.ticket_ids[parent])))
    return steps

