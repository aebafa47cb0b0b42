"""One ticket's life as the commands its people would issue, in order.

A journey follows the rules a real team lives by, so seeding exercises them rather than
working around them: only the current owner changes the status or hands the ticket on,
a close carries a resolution, customers comment but never triage. The seeded generator
picks the small things: who helps, which notes, how long each took.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    AttachFile,
    ChangeStatus,
    CloseTicket,
    Command,
    CreateTicket,
    LinkInventory,
    LockTicket,
    ReopenTicket,
    SetEmailsInCopy,
    UpdateTicketFields,
)
from desktopdesk.models import Priority, Status, new_id
from desktopdesk.store import demo_texts as texts
from desktopdesk.store.blobs import BlobStore
from desktopdesk.store.demo_files import make_file
from desktopdesk.store.demo_org import (
    GROUP_DEFAULT_OWNERS,
    LEAD,
    PEOPLE,
    TECHNICIANS,
    WORK_PROFILE,
    DemoOrg,
)
from desktopdesk.store.demo_stories import Story

STAFF = (LEAD, *TECHNICIANS)
WORK_HOURS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
#: Values a customer rarely knows; the technician fills them in after checking the asset.
FILLED_BY_TECHNICIAN = ("Purchase date", "Under warranty")
FIRST_NAMES = {p.username: p.full_name.split()[0] for p in PEOPLE}


@dataclass(frozen=True)
class Beat:
    """One command of a journey, not yet placed in time."""

    actor: str
    command: Command
    #: For workunits written up after the work: completed this long before writing.
    done_before: dt.timedelta | None = None


@dataclass
class PlanContext:
    org: DemoOrg
    rng: random.Random
    blobs: BlobStore
    today: dt.datetime
    #: Story key -> the ticket's id and opening time, fixed before any journey runs.
    ticket_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    opened_at: dict[str, dt.datetime] = field(default_factory=dict)


class Journey:
    def __init__(self, story: Story, ctx: PlanContext) -> None:
        self.story, self.ctx, self.rng, self.org = story, ctx, ctx.rng, ctx.org
        self.ticket_id = ctx.ticket_ids[story.key]
        self.typist = story.entered_by or story.creator
        self.owner = GROUP_DEFAULT_OWNERS[story.group] or self.typist
        self.beats: list[Beat] = []
        self.pending_values: dict[str, str] = {}
        self.pending_cc: tuple[str, ...] = ()
        self.pending_inventory: tuple[str, ...] = ()

    @property
    def by_customer(self) -> bool:
        return self.story.creator not in STAFF

    def live(self) -> list[Beat]:
        final = self.story.final
        self._open()
        if final is Status.NEW:
            self._while_new()
            return self.beats
        self._triage()
        if final is Status.UNCONFIRMED:
            self._status(Status.UNCONFIRMED)
            self._note(self.owner, texts.UNCONFIRMED)
            return self.beats
        self._work()
        self._finish()
        return self.beats

    # --- Phases ---------------------------------------------------------------------------

    def _open(self) -> None:
        story, rng = self.story, self.rng
        values = self._custom_values()
        cc_now = bool(story.cc) and (not self.by_customer or rng.random() < 0.5)
        self.pending_cc = () if cc_now else story.cc
        self.pending_inventory = story.inventory if self.by_customer else ()
        self._do(self.typist, CreateTicket(
            ticket_id=self.ticket_id, title=story.title, group_id=self.org.groups[story.group],
            description_html=story.description, priority=story.priority,
            ticket_type_id=self.org.types[story.ticket_type] if story.ticket_type else None,
            custom_values=values,
            creator_id=self.org.users[story.creator] if story.entered_by else None,
            parent_id=self._parent_at_creation(),
            emails_in_copy=story.cc if cc_now else (),
            inventory_object_ids=() if self.by_customer else tuple(
                self.org.inventory[key] for key in story.inventory),
        ))
        worked = story.final not in (Status.NEW, Status.UNCONFIRMED)
        for name in story.files:
            if not (name.endswith(".log") and worked):
                self._attach(story.creator, name)

    def _while_new(self) -> None:
        if self.by_customer and self.rng.random() < 0.5:
            self._note(self.story.creator, texts.CREATOR_DETAIL)
        if self.owner == LEAD and (self.story.assignee or self.rng.random() < 0.4):
            self._escalate(self.story.assignee or self.rng.choice(TECHNICIANS))

    def _triage(self) -> None:
        rng = self.rng
        if self.by_customer and rng.random() < 0.35:
            self._note(self.story.creator, texts.CREATOR_DETAIL)
        target = self.story.assignee
        if target is None and self.owner == LEAD and rng.random() < 0.85:
            target = rng.choice(TECHNICIANS)
        elif target is None and self.owner in TECHNICIANS and rng.random() < 0.2:
            target = self._another_technician()
        if target is not None and target != self.owner:
            self._escalate(target)

    def _work(self) -> None:
        rng = self.rng
        if rng.random() < 0.25:
            self._status(Status.UNCONFIRMED)  # New -> Unconfirmed -> Assigned, as it happens
        self._status(Status.ASSIGNED)
        self._note(self.owner, texts.PICK_UP)
        self._fill_in_details()
        for _ in range(rng.randint(1, 3)):
            self._technician_note()
        for name in self.story.files:
            if name.endswith(".log"):
                workunit_id = self._note(self.owner, ("<p>Attaching the log collected from the "
                                                      "device.</p>",))
                self._attach(self.owner, name, workunit_id)
        if self.pending_cc:
            self._do(self.owner, SetEmailsInCopy(ticket_id=self.ticket_id,
                                                 emails=self.pending_cc))
        if self.by_customer and rng.random() < 0.4:
            self._note(self.story.creator, texts.CREATOR_CHASE)
        if rng.random() < 0.15:
            self._escalate(self._another_technician())
            self._note(self.owner, texts.PICK_UP)

    def _finish(self) -> None:
        story, final = self.story, self.story.final
        if final is Status.ASSIGNED:
            return
        if final is Status.PENDING_THIRD_PERSON:
            self._note(self.owner, texts.WAITING)
            self._status(final)
            return
        if final is Status.PENDING_TO_BE_CLOSED:
            self._note(self.owner, texts.FIX_APPLIED)
            self._status(final)
            return
        comes_back = story.reopened or final is Status.REOPENED
        if comes_back or self.rng.random() < 0.5:
            self._note(self.owner, texts.FIX_APPLIED)
            self._status(Status.PENDING_TO_BE_CLOSED)
        self._close()
        if comes_back:
            self._note(story.creator, texts.CREATOR_AGAIN)
            self._do(self.owner, ReopenTicket(ticket_id=self.ticket_id))
            self._note(self.owner, texts.REOPENING)
            if final is Status.REOPENED:
                return
            self._technician_note()
            self._close()
        if self.by_customer and self.rng.random() < 0.6:
            self._note(story.creator, texts.CREATOR_THANKS)
        if story.locked:
            self._do(self.owner, LockTicket(ticket_id=self.ticket_id))

    # --- Moves ----------------------------------------------------------------------------

    def _escalate(self, to: str) -> None:
        self._note(self.owner, texts.ESCALATION, internal=True, tech=FIRST_NAMES[to])
        self._do(self.owner, AssignOwner(ticket_id=self.ticket_id, owner_id=self.org.users[to]))
        self.owner = to

    def _status(self, status: Status) -> None:
        self._do(self.owner, ChangeStatus(ticket_id=self.ticket_id, status=status))

    def _close(self) -> None:
        epilogue = self.story.epilogue or texts.EPILOGUES[self.story.resolution]
        self._do(self.owner, CloseTicket(ticket_id=self.ticket_id,
                                         resolution=self.story.resolution,
                                         epilogue_html=epilogue))

    def _fill_in_details(self) -> None:
        """What a technician sets after looking: asset links, known values, priority."""
        for key in self.pending_inventory:
            self._do(self.owner, LinkInventory(ticket_id=self.ticket_id,
                                               inventory_object_id=self.org.inventory[key]))
        changes: dict[str, Any] = {
            f"custom:{self.org.fields[label]}": value
            for label, value in self.pending_values.items()
        }
        priority = self.story.priority
        if priority in (Priority.LOW, Priority.MEDIUM) and self.rng.random() < 0.2:
            changes["priority"] = int(priority) + 1
        if changes:
            self._do(self.owner, UpdateTicketFields(ticket_id=self.ticket_id, changes=changes))

    def _technician_note(self) -> None:
        rng = self.rng
        roll = rng.random()
        internal, private = roll < 0.15, 0.15 <= roll < 0.25
        on_site = self.story.ticket_type == "hardware" and 0.25 <= roll < 0.45
        pool: tuple[str, ...] = texts.WORK
        if internal or private or on_site:
            pool = texts.INTERNAL if internal else texts.PRIVATE if private else texts.ON_SITE
        costed = rng.random() < 0.6
        colleagues = [t for t in TECHNICIANS if t != self.owner]
        shared = (self.org.users[rng.choice(colleagues)],) if rng.random() < 0.1 else ()
        self._note(
            self.owner, pool, internal=internal, private=private,
            hours=rng.choice(WORK_HOURS), costed=costed, shared=shared,
            done_before=dt.timedelta(hours=rng.randint(2, 5)) if on_site else None,
        )

    def _note(self, author: str, pool: tuple[str, ...], *, internal: bool = False,
              private: bool = False, hours: float = 0.25, costed: bool = False,
              shared: tuple[uuid.UUID, ...] = (), done_before: dt.timedelta | None = None,
              tech: str = "") -> uuid.UUID:
        text = self.rng.choice(pool).format(
            creator=FIRST_NAMES.get(self.story.creator, ""), tech=tech,
            ref=f"SR-{self.rng.randint(100000, 999999)}",
        )
        workunit_id = new_id()
        profile = self.org.profiles[WORK_PROFILE[author]] if costed else None
        self._do(author, AddWorkunit(
            workunit_id=workunit_id, ticket_id=self.ticket_id, text_html=text, hours=hours,
            is_internal=internal, is_private=private, has_cost=costed, profile_id=profile,
            shared_with_ids=shared,
        ), done_before)
        return workunit_id

    def _attach(self, author: str, name: str, workunit_id: uuid.UUID | None = None) -> None:
        at = self.ctx.opened_at[self.story.key]
        demo_file = make_file(name, self.rng, at, self.story.title)
        stored = self.ctx.blobs.put_bytes(demo_file.content)
        self._do(author, AttachFile(
            ticket_id=self.ticket_id, file_name=name, size=stored.size, sha256=stored.sha256,
            mime_type=demo_file.mime_type, description=demo_file.description,
            workunit_id=workunit_id,
        ))

    # --- Helpers --------------------------------------------------------------------------

    def _do(self, actor: str, command: Command, done_before: dt.timedelta | None = None) -> None:
        self.beats.append(Beat(actor, command, done_before))

    def _another_technician(self) -> str:
        return self.rng.choice([t for t in TECHNICIANS if t != self.owner])

    def _parent_at_creation(self) -> uuid.UUID | None:
        """The parent, when it already exists; an older child is adopted later instead."""
        parent = self.story.parent
        if parent is None or self.ctx.opened_at[parent] >= self.ctx.opened_at[self.story.key]:
            return None
        return self.ctx.ticket_ids[parent]

    def _custom_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for label, raw in self.story.values:
            value = self._resolve(raw)
            if self.by_customer and label in FILLED_BY_TECHNICIAN:
                self.pending_values[label] = value
            else:
                values[str(self.org.fields[label])] = value
        reference = self._customer_reference()
        if reference:
            values[str(self.org.fields["Customer reference"])] = reference
        return values

    def _customer_reference(self) -> str:
        if not self.by_customer or self.rng.random() < 0.4:
            return ""
        if self.story.group == "acme":
            return f"ACME-PO-{self.rng.randint(4100, 4999)}"
        return f"CN-{self.rng.randint(100, 999)}"

    def _resolve(self, raw: str) -> str:
        """``@+N`` / ``@-N``: a date N days from the demo's today (so dates stay current)."""
        if not raw.startswith("@"):
            return raw
        return (self.ctx.today.date() + dt.timedelta(days=int(raw[1:]))).isoformat()


def with_completion(command: Command, at: dt.datetime,
                    done_before: dt.timedelta | None) -> Command:
    """Stamp a written-up-later workunit with when the work was actually done."""
    if done_before is None or not isinstance(command, AddWorkunit):
        return command
    return dataclasses.replace(command, completed_at=at - done_before)
