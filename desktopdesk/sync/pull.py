"""The server side of pull: pages of what changed for one desktop since its cookie.

A pull is cut at the change-sequence value current when it starts (``upto``), so its
pages are consistent; anything changed later comes with the next pull. Pages go, in
parent-before-child order, through six phases:

1. configuration rows changed since the cookie (users, groups, types, fields, ...);
2. move-ins: tickets now visible that the desktop does not hold, each sent whole with
   every child the user may see, and recorded as held as it is sent;
3. changes to held tickets still in sight and their children since the cookie;
4. visibility: private and internal workunits of held tickets whose group or creator
   changed, or of all held tickets when the user's access changed, sent again if now
   visible and deleted if not (every other workunit is visible with its ticket);
5. tombstones of deleted rows the desktop may hold;
6. move-outs: held tickets no longer visible, sent as deletes (the desktop cascades).

Each page is at most ``PAGE_ROWS`` rows (a ticket and its children are never split);
the cookie comes only with the last page, and re-applying a page is harmless.

What the desktop holds is recorded as pages are made, but a page may never arrive (its
answer lost, the desktop crashed before applying it). So every record carries the pull
that made it (``generation``: that pull's ``upto``; a removal is kept, negated, until it
is confirmed), and a pull starting from a cookie treats what later pulls recorded as
unconfirmed: visible tickets are sent whole again and removals are sent again. Asking
twice for the same page gives the same page.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktopdesk.domain import acl
from desktopdesk.domain.counters import CHANGE_SEQUENCE
from desktopdesk.models import (
    Attachment,
    Base,
    Counter,
    CustomFieldValue,
    Group,
    HistoryEvent,
    Membership,
    Profile,
    Replicated,
    SyncClient,
    SyncClientTicket,
    Ticket,
    TicketInventoryLink,
    TicketSlaState,
    Tombstone,
    User,
    WorkOrder,
    Workunit,
    WorkunitShare,
)
from desktopdesk.sync.rows import encode_row, replicated_models

PAGE_ROWS = 1000

#: Rows hanging off a ticket, parents before children (anyone who sees a ticket sees its
#: SLA standing: the list filters on it offline; and its work orders, whose files hang off
#: no workunit). New kinds go last: a pull cursor counts its place in this tuple.
TICKET_CHILDREN: tuple[type[Replicated], ...] = (
    Workunit, WorkunitShare, Attachment, CustomFieldValue, TicketInventoryLink, HistoryEvent,
    TicketSlaState, WorkOrder,
)
#: Tickets whose children are loaded together when sending move-ins: at most, and at
#: the start of a page (before it knows how many rows a ticket brings).
MOVE_IN_CHUNK = 100
FIRST_MOVE_IN_CHUNK = 16
PHASES = ("config", "move_in", "changes", "visibility", "tombstones", "move_out")


def config_models() -> list[type[Replicated]]:
    """Replicated models that are not tickets or their children, parents first."""
    by_table = replicated_models()
    ticket_side = {"tickets", *(entity_of_model(m) for m in TICKET_CHILDREN)}
    return [by_table[t.name] for t in Base.metadata.sorted_tables
            if t.name in by_table and t.name not in ticket_side]


def _table(model: type[Replicated]) -> Table:
    return model.__table__  # type: ignore[attr-defined]


def entity_of_model(model: type[Replicated]) -> str:
    return _table(model).name


def _self_references(model: type[Replicated]) -> list[str]:
    """Columns of ``model`` naming another row of the same table (a parent group)."""
    table = _table(model)
    return [column.name for column in table.columns
            if any(fk.column.table is table for fk in column.foreign_keys)]


#: A row's column values, as the database returns them.
Row = dict[str, Any]
#: A child row with the entity it belongs to.
Child = tuple[str, Row]


@dataclass
class Cursor:
    """Where a pull stands: the snapshot, the phase, and the keyset position in it.

    ``rows_per_ticket`` is a hint, not a position: how many rows a ticket sent whole
    brought on the previous page, so the next page loads about as many tickets as it
    has room for at once. Pages do not depend on it.
    """

    since: int
    upto: int
    phase: str = PHASES[0]
    entity: int = 0
    after: str = ""
    rows_per_ticket: int = 0

    def encode(self) -> str:
        raw = json.dumps([self.since, self.upto, self.phase, self.entity, self.after,
                          self.rows_per_ticket])
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            since, upto, phase, entity, after, *hint = json.loads(
                base64.urlsafe_b64decode(token))
        except (ValueError, TypeError) as error:
            raise ValueError("not a pull page token") from error
        rows_per_ticket = hint[0] if hint else 0
        if phase not in PHASES or not all(isinstance(v, int) for v in (
                since, upto, entity, rows_per_ticket)) or len(hint) > 1:
            raise ValueError("not a pull page token")
        return cls(since, upto, phase, entity, str(after), max(0, rows_per_ticket))


def encode_cookie(version: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": version}).encode()).decode()


#: Where a first pull starts: before version 0, which the first administrator (written
#: directly by ``create_first_admin``, not by a command) carries.
BEFORE_EVERYTHING = -1


def decode_cookie(cookie: str) -> int:
    """The change-sequence value a desktop has seen; an empty cookie starts before all."""
    if not cookie:
        return BEFORE_EVERYTHING
    try:
        version = json.loads(base64.urlsafe_b64decode(cookie))["v"]
    except (ValueError, TypeError, KeyError) as error:
        raise ValueError("not a pull cookie") from error
    if not isinstance(version, int) or version < 0:
        raise ValueError("not a pull cookie")
    return version


@dataclass
class PullPage:
    operations: list[dict[str, Any]] = field(default_factory=list)
    #: Ask again with this token for the next page; None on the last page.
    next_token: str | None = None
    #: Only on the last page: the cookie for the next pull.
    cookie: str | None = None
    last_mutation_id: int = 0


def pull_page(session: Session, user_id: uuid.UUID, client_id: uuid.UUID, *,
              cookie: str = "", token: str | None = None) -> PullPage:
    """One page for ``client_id`` (a registered client of ``user_id``), in the caller's
    transaction (it records which tickets the desktop now holds)."""
    client = session.get(SyncClient, client_id)
    if client is None or client.user_id != user_id:
        raise PermissionError("unknown client for this user")
    perms = acl.load_permissions(session, user_id)
    if token:
        cursor = Cursor.decode(token)
    else:
        cursor = Cursor(decode_cookie(cookie), _current(session))
        _forget_unconfirmed(session, perms, client_id, cursor.since)
    page = PullPage(last_mutation_id=client.last_mutation_id)
    builder = _PageBuilder(session, perms, client_id, cursor, page)
    builder.fill()
    if builder.finished:
        page.cookie = encode_cookie(cursor.upto)
    else:
        page.next_token = cursor.encode()
    return page


def _current(session: Session) -> int:
    return session.scalar(select(Counter.value).where(Counter.name == CHANGE_SEQUENCE)) or 0


def _removed_by(upto: int) -> int:
    """The generation of a held-ticket record whose removal the pull ``upto`` sent."""
    return -1 - upto


def _forget_unconfirmed(session: Session, perms: acl.Permissions, client_id: uuid.UUID,
                        since: int) -> None:
    """A pull from cookie ``since``: the desktop applied every pull up to it, and maybe
    none after. Removals it applied are forgotten; tickets sent whole after it are sent
    again if still visible (the others stay recorded, so they go out as removals)."""
    mine = SyncClientTicket.client_id == client_id
    session.execute(delete(SyncClientTicket).where(
        mine, SyncClientTicket.generation < 0,
        SyncClientTicket.generation >= _removed_by(since)))
    visible = select(Ticket.id).where(acl.visible_tickets_clause(perms))
    session.execute(delete(SyncClientTicket).where(
        mine, SyncClientTicket.generation > since, SyncClientTicket.ticket_id.in_(visible)))


class _PageBuilder:
    def __init__(self, session: Session, perms: acl.Permissions, client_id: uuid.UUID,
                 cursor: Cursor, page: PullPage) -> None:
        self.session = session
        self.perms = perms
        self.client_id = client_id
        self.cursor = cursor
        self.page = page
        self.finished = False
        #: Tickets sent whole by this page (not yet flushed as held).
        self._sent: set[uuid.UUID] = set()
        #: Rows this page puts, by entity and id.
        self._in_page: set[tuple[str, uuid.UUID]] = set()
        #: Tickets the move-in query found not held (no need to look up their records).
        self._not_held: set[uuid.UUID] = set()
        #: Rows the page held when move-ins started (configuration rows come first).
        self._rows_before_move_ins = 0
        #: Tickets this page sent whole whose records are not yet written.
        self._unrecorded: list[uuid.UUID] = []

    @property
    def full(self) -> bool:
        return len(self.page.operations) >= PAGE_ROWS

    def changed(self, model: type[Replicated]) -> ColumnElement[bool]:
        return and_(model.version > self.cursor.since, model.version <= self.cursor.upto)

    def fill(self) -> None:
        phases = {"config": self._config, "move_in": self._move_ins,
                  "changes": self._changes, "visibility": self._visibility,
                  "tombstones": self._tombstones, "move_out": self._move_outs}
        while not self.full:
            done = phases[self.cursor.phase]()
            if not done:
                return
            index = PHASES.index(self.cursor.phase)
            if index + 1 == len(PHASES):
                self.finished = True
                return
            self.cursor.phase, self.cursor.entity, self.cursor.after = PHASES[index + 1], 0, ""

    # --- Phases: each returns True when it has nothing more to send ------------------------

    def _rows(self, model: type[Replicated], where: ColumnElement[bool],
              limit: int | None = None) -> list[Row]:
        """Plain column values (Core, not ORM objects: a pull reads many thousands)."""
        query: Select[Any] = select(*_table(model).c).where(where).order_by(model.id)
        if limit is not None:
            query = query.limit(limit)
        return [dict(found._mapping) for found in self.session.execute(query)]

    def _keyset(self, model: type[Replicated], where: ColumnElement[bool]) -> list[Row]:
        if self.cursor.after:
            where = and_(where, model.id > uuid.UUID(self.cursor.after))
        return self._rows(model, where, PAGE_ROWS - len(self.page.operations))

    def _put(self, entity: str, values: Row) -> None:
        if (entity, values["id"]) in self._in_page:
            return  # a page carries a row once (the desktop applies a page in bulk)
        self._in_page.add((entity, values["id"]))
        data = encode_row(entity, values)
        if entity == "tickets" and values["parent_id"] is not None and not self._may_see(
                values["parent_id"]):
            data["parent_id"] = None  # a parent this user may not see stays unknown
        self.page.operations.append({"op": "put", "entity": entity, "row": data})

    def _delete(self, entity: str, row_id: uuid.UUID) -> None:
        self.page.operations.append({"op": "delete", "entity": entity, "id": str(row_id)})

    def _may_see(self, ticket_id: uuid.UUID) -> bool:
        ticket = self.session.get(Ticket, ticket_id)
        return ticket is not None and acl.can_view(self.perms, ticket)

    def _config(self) -> bool:
        models = config_models()
        while self.cursor.entity < len(models):
            model = models[self.cursor.entity]
            for row in self._keyset(model, self.changed(model)):
                self._put_after_parents(model, row)
                self.cursor.after = str(row["id"])
            if self.full:
                return False
            self.cursor.entity, self.cursor.after = self.cursor.entity + 1, ""
        return True

    def _put_after_parents(self, model: type[Replicated], row: Row) -> None:
        """A row naming a parent in its own table (a group's parent group) goes after that
        parent when the parent changed too and the keyset has not reached it yet: each
        page is committed on its own, so it may only name rows already sent or in it."""
        for key in _self_references(model):
            parent_id = row[key]
            if parent_id is None or parent_id < row["id"]:
                continue  # unchanged (the desktop has it) or already sent by the keyset
            for parent in self._rows(model, and_(model.id == parent_id, self.changed(model))):
                self._put_after_parents(model, parent)
        self._put(entity_of_model(model), row)

    def _held_before(self) -> Select[Any]:
        """Tickets the desktop held before this pull (not removed, not moved in by it).

        Records of this pull carry its ``upto``; an earlier pull with the same ``upto``
        is possible only when nothing changed since it, and then nothing moves in.
        """
        held = select(SyncClientTicket.ticket_id).where(
            SyncClientTicket.client_id == self.client_id, SyncClientTicket.generation >= 0)
        if self.cursor.upto > self.cursor.since:
            held = held.where(SyncClientTicket.generation != self.cursor.upto)
        return held

    def _held_in_sight(self) -> Select[Any]:
        """Tickets the desktop held before this pull and may still see: it has them. (A
        record the desktop never confirmed, of a ticket now out of sight, may name one it
        never got: only its removal goes out.)"""
        visible = select(Ticket.id).where(acl.visible_tickets_clause(self.perms))
        return self._held_before().where(SyncClientTicket.ticket_id.in_(visible))

    def _was_held(self, generation: int | None) -> bool:
        """The Python form of :meth:`_held_before`, for one record's generation."""
        return generation is not None and generation >= 0 and not (
            generation == self.cursor.upto and self.cursor.upto > self.cursor.since)

    def _held_generation(self, ticket_id: uuid.UUID) -> int | None:
        return self.session.scalar(select(SyncClientTicket.generation).where(
            SyncClientTicket.client_id == self.client_id,
            SyncClientTicket.ticket_id == ticket_id))

    def _write_held(self) -> None:
        """Record the tickets sent whole since the last call as held, stamped with this
        pull's snapshot (the changes phase skips what it sent whole): one upsert, as a
        record may exist (a removal, or a page sent before and lost)."""
        if not self._unrecorded:
            return
        values = [{"client_id": self.client_id, "ticket_id": ticket_id,
                   "generation": self.cursor.upto} for ticket_id in self._unrecorded]
        dialect = self.session.get_bind().dialect.name
        upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(
            SyncClientTicket).values(values)
        self.session.execute(upsert.on_conflict_do_update(
            index_elements=[SyncClientTicket.client_id, SyncClientTicket.ticket_id],
            set_={"generation": upsert.excluded.generation}))
        self._unrecorded = []

    def _move_ins(self) -> bool:
        self._rows_before_move_ins = len(self.page.operations)
        visible = acl.visible_tickets_clause(self.perms)
        # Correlated on the record's key: NOT IN (all held tickets) would be rebuilt for
        # every chunk, which makes a first pull quadratic in the number of tickets.
        held = self._held_before().where(SyncClientTicket.ticket_id == Ticket.id)
        new = and_(visible, ~held.exists())
        while not self.full:
            # Keyset, not "not yet recorded": the same token must give the same page.
            after = and_(new, Ticket.id > uuid.UUID(self.cursor.after)) if self.cursor.after \
                else new
            chunk = self._rows(Ticket, after, self._move_in_chunk())
            if not chunk:
                return True
            ticket_ids = [ticket["id"] for ticket in chunk]
            self._not_held.update(ticket_ids)
            children = self._children_of(ticket_ids)
            try:
                for ticket in chunk:
                    self._send_whole(ticket, children)
                    self.cursor.after = str(ticket["id"])
                    if self.full:
                        return False
            finally:
                self._write_held()
        return False

    def _move_in_chunk(self) -> int:
        """How many tickets to load with their children for the rest of this page.

        A page starts with a small chunk, then sizes the next by the rows per ticket seen
        so far, so it does not load children it has no room for (the next page would load
        them again: a first pull used to read every row twice).
        """
        room = PAGE_ROWS - len(self.page.operations)
        if self._sent:
            self._sent_rows_hint()
        if not self.cursor.rows_per_ticket:
            return FIRST_MOVE_IN_CHUNK
        return max(1, min(MOVE_IN_CHUNK, room // self.cursor.rows_per_ticket + 1))

    def _sent_rows_hint(self) -> None:
        """Rows per ticket sent whole in this page so far, for the next chunk and page."""
        sent_rows = len(self.page.operations) - self._rows_before_move_ins
        self.cursor.rows_per_ticket = max(1, round(sent_rows / len(self._sent)))

    def _children_of(self, ticket_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Child]]:
        """The visible children of many tickets at once (one query per child table)."""
        by_ticket: dict[uuid.UUID, list[Child]] = {ticket_id: [] for ticket_id in ticket_ids}
        workunit_ticket: dict[uuid.UUID, uuid.UUID] = {}
        for model in TICKET_CHILDREN:
            entity = entity_of_model(model)
            for row in self._rows(model, self._child_of(model, ticket_ids)):
                if model is WorkunitShare:
                    by_ticket[workunit_ticket[row["workunit_id"]]].append((entity, row))
                    continue
                if model is Workunit:
                    workunit_ticket[row["id"]] = row["ticket_id"]
                by_ticket[row["ticket_id"]].append((entity, row))
        return by_ticket

    def _send_whole(self, ticket: Row,
                    children: dict[uuid.UUID, list[Child]] | None = None) -> None:
        """A ticket with its children, after its parent if that is visible and not held."""
        ticket_id = ticket["id"]
        if ticket_id in self._sent or (ticket_id not in self._not_held
                                       and self._was_held(self._held_generation(ticket_id))):
            return
        self._sent.add(ticket_id)
        self._unrecorded.append(ticket_id)
        parent_id = ticket["parent_id"]
        if parent_id is not None and self._may_see(parent_id):
            (parent,) = self._rows(Ticket, Ticket.id == parent_id)
            self._send_whole(parent)
        self._put("tickets", ticket)
        if children is None or ticket_id not in children:
            children = self._children_of([ticket_id])
        for entity, row in children[ticket_id]:
            self._put(entity, row)

    def _child_of(self, model: type[Replicated], ticket_ids: Any) -> ColumnElement[bool]:
        """Rows of ``model`` under the given tickets that this user may see."""
        if model is WorkunitShare:
            return WorkunitShare.workunit_id.in_(
                select(Workunit.id).where(self._child_of(Workunit, ticket_ids)))
        if isinstance(ticket_ids, list):  # one expanding parameter, not one per id
            ticket_ids = bindparam("ticket_ids", ticket_ids, expanding=True)
        condition: ColumnElement[bool] = model.ticket_id.in_(  # type: ignore[attr-defined]
            ticket_ids)
        if model is Workunit:
            return and_(condition, self._visible_workunits())
        if model is Attachment:
            # The workunits of these tickets only: over all workunits, the subquery would
            # scan the whole table for every chunk of a first pull.
            return and_(condition, (Attachment.workunit_id.is_(None)) | Attachment.workunit_id.in_(
                select(Workunit.id).where(self._child_of(Workunit, ticket_ids))))
        return condition

    def _visible_workunits(self) -> ColumnElement[bool]:
        return acl.visible_workunits_anywhere_clause(self.perms)

    def _changes(self) -> bool:
        models: list[type[Replicated]] = [Ticket, *TICKET_CHILDREN]
        while self.cursor.entity < len(models):
            model = models[self.cursor.entity]
            under = self._changed_in_sight(model)
            for row in self._keyset(model, and_(self.changed(model), under)):
                self._put(entity_of_model(model), row)
                self.cursor.after = str(row["id"])
            if self.full:
                return False
            self.cursor.entity, self.cursor.after = self.cursor.entity + 1, ""
        return True

    def _changed_in_sight(self, model: type[Replicated]) -> ColumnElement[bool]:
        """Rows of ``model`` the user may see, under tickets held before this pull and
        still in sight, as conditions on each row (correlated on keys).

        The version index finds the few rows changed since the cookie and these are
        checked one by one; ``ticket_id IN (every held ticket)`` would build that set of
        tens of thousands for every table at every incremental pull.
        """
        if model is Ticket:
            return and_(self._held_record(Ticket.id).exists(),
                        acl.visible_tickets_clause(self.perms))
        if model is WorkunitShare:
            return select(Workunit.id).where(
                Workunit.id == WorkunitShare.workunit_id,
                self._changed_in_sight(Workunit)).exists()
        ticket_id: Any = model.ticket_id  # type: ignore[attr-defined]
        in_sight = select(Ticket.id).where(Ticket.id == ticket_id,
                                           acl.visible_tickets_clause(self.perms))
        condition = and_(self._held_record(ticket_id).exists(), in_sight.exists())
        if model is Workunit:
            return and_(condition, self._visible_workunits())
        if model is Attachment:
            on_visible_workunit = select(Workunit.id).where(
                Workunit.id == Attachment.workunit_id, self._visible_workunits()).exists()
            return and_(condition, Attachment.workunit_id.is_(None) | on_visible_workunit)
        return condition

    def _held_record(self, ticket_id: Any) -> Select[Any]:
        """The record saying the desktop held ``ticket_id`` before this pull (see
        :meth:`_held_before`), correlated on that column."""
        return self._held_before().where(SyncClientTicket.ticket_id == ticket_id)

    def _visibility(self) -> bool:
        if self.cursor.since < 0:
            return True  # a first pull sent every ticket whole
        tickets = self._held_in_sight()
        if not self._access_changed():
            tickets = tickets.where(SyncClientTicket.ticket_id.in_(
                select(Ticket.id).where(self.changed(Ticket))))
        restricted = and_(Workunit.ticket_id.in_(tickets),
                          Workunit.is_private | Workunit.is_internal)
        while not self.full:
            batch = [row["id"] for row in self._keyset(Workunit, restricted)]
            if not batch:
                return True
            self.cursor.after = str(batch[-1])
            shown = set(self.session.scalars(select(Workunit.id).where(
                Workunit.id.in_(batch), self._visible_workunits())))
            for row in self._rows(Workunit, Workunit.id.in_(shown)):
                self._put("workunits", row)
            for model in (WorkunitShare, Attachment):
                for row in self._rows(model, model.workunit_id.in_(shown)):
                    self._put(entity_of_model(model), row)
            hidden = [workunit_id for workunit_id in batch if workunit_id not in shown]
            # A deleted workunit would leave its attachments behind (SET NULL), not hidden.
            for attachment_id in self.session.scalars(
                    select(Attachment.id).where(Attachment.workunit_id.in_(hidden))):
                self._delete("attachments", attachment_id)
            for workunit_id in hidden:
                self._delete("workunits", workunit_id)
        return False

    def _access_changed(self) -> bool:
        """Whether anything deciding this user's access changed since the cookie: their
        memberships or account, any group (the tree passes grants down) or profile."""
        user = self.perms.user_id
        since, upto = self.cursor.since, self.cursor.upto
        queries: list[Select[Any]] = [
            select(Membership.id).where(Membership.user_id == user, self.changed(Membership)),
            select(User.id).where(User.id == user, self.changed(User)),
            select(Group.id).where(self.changed(Group)),
            select(Profile.id).where(self.changed(Profile)),
            select(Tombstone.id).where(
                Tombstone.entity.in_(("memberships", "groups", "profiles")),
                Tombstone.version > since, Tombstone.version <= upto),
        ]
        return any(self.session.scalar(query.limit(1)) is not None for query in queries)

    def _tombstones(self) -> bool:
        query = (select(Tombstone)
                 .where(Tombstone.version > self.cursor.since,
                        Tombstone.version <= self.cursor.upto)
                 .order_by(Tombstone.id))
        if self.cursor.after:
            query = query.where(Tombstone.id > int(self.cursor.after))
        for stone in self.session.scalars(query.limit(PAGE_ROWS - len(self.page.operations))):
            self.page.operations.append(
                {"op": "delete", "entity": stone.entity, "id": str(stone.row_id)})
            self.cursor.after = str(stone.id)
        return not self.full

    def _move_outs(self) -> bool:
        """Recorded tickets no longer visible (also removals not yet confirmed: sent again).

        The records stay, marked as removed by this pull, until a later pull's cookie shows
        the desktop applied the removal (see :func:`_forget_unconfirmed`).
        """
        visible = select(Ticket.id).where(acl.visible_tickets_clause(self.perms))
        mine = SyncClientTicket.client_id == self.client_id
        leaving = list(self.session.scalars(select(SyncClientTicket.ticket_id).where(
            mine, SyncClientTicket.ticket_id.not_in(visible))))
        for ticket_id in leaving:
            self.page.operations.append(
                {"op": "delete", "entity": "tickets", "id": str(ticket_id)})
        if leaving:
            self.session.execute(update(SyncClientTicket).where(
                mine, SyncClientTicket.ticket_id.in_(leaving)).values(
                generation=_removed_by(self.cursor.upto)))
        return True
