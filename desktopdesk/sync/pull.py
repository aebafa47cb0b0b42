"""The server side of pull: pages of what changed for one desktop since its cookie.

A pull is cut at the change-sequence value current when it starts (``upto``), so its
pages are consistent; anything changed later comes with the next pull. Pages go, in
parent-before-child order, through five phases:

1. configuration rows changed since the cookie (users, groups, types, fields, ...);
2. move-ins: tickets now visible that the desktop does not hold, each sent whole with
   every child the user may see, and recorded as held as it is sent;
3. changes to held tickets and their children since the cookie;
4. tombstones of deleted rows the desktop may hold;
5. move-outs: held tickets no longer visible, sent as deletes (the desktop cascades).

Each page is at most ``PAGE_ROWS`` rows (a ticket and its children are never split);
the cookie comes only with the last page, and re-applying a page is harmless.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, delete, select
from sqlalchemy.orm import Session

from desktopdesk.domain import acl
from desktopdesk.domain.counters import CHANGE_SEQUENCE
from desktopdesk.models import (
    Attachment,
    Base,
    Counter,
    CustomFieldValue,
    HistoryEvent,
    Replicated,
    SyncClient,
    SyncClientTicket,
    Ticket,
    TicketInventoryLink,
    Tombstone,
    Workunit,
    WorkunitShare,
)
from desktopdesk.sync.rows import encode_value, replicated_models

PAGE_ROWS = 1000

#: Rows hanging off a ticket, parents before children.
TICKET_CHILDREN: tuple[type[Replicated], ...] = (
    Workunit, WorkunitShare, Attachment, CustomFieldValue, TicketInventoryLink, HistoryEvent,
)
#: Tickets whose children are loaded together when sending move-ins.
MOVE_IN_CHUNK = 100
PHASES = ("config", "move_in", "changes", "tombstones", "move_out")


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


#: A row's column values, as the database returns them.
Row = dict[str, Any]
#: A child row with the entity it belongs to.
Child = tuple[str, Row]


@dataclass
class Cursor:
    """Where a pull stands: the snapshot, the phase, and the keyset position in it."""

    since: int
    upto: int
    phase: str = PHASES[0]
    entity: int = 0
    after: str = ""

    def encode(self) -> str:
        raw = json.dumps([self.since, self.upto, self.phase, self.entity, self.after])
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            since, upto, phase, entity, after = json.loads(base64.urlsafe_b64decode(token))
        except (ValueError, TypeError) as error:
            raise ValueError("not a pull page token") from error
        if phase not in PHASES or not all(isinstance(v, int) for v in (since, upto, entity)):
            raise ValueError("not a pull page token")
        return cls(since, upto, phase, entity, str(after))


def encode_cookie(version: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": version}).encode()).decode()


def decode_cookie(cookie: str) -> int:
    """The change-sequence value a desktop has seen; an empty cookie starts from zero."""
    if not cookie:
        return 0
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
    cursor = Cursor.decode(token) if token else Cursor(decode_cookie(cookie), _current(session))
    perms = acl.load_permissions(session, user_id)
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

    @property
    def full(self) -> bool:
        return len(self.page.operations) >= PAGE_ROWS

    def changed(self, model: type[Replicated]) -> ColumnElement[bool]:
        return and_(model.version > self.cursor.since, model.version <= self.cursor.upto)

    def fill(self) -> None:
        phases = {"config": self._config, "move_in": self._move_ins,
                  "changes": self._changes, "tombstones": self._tombstones,
                  "move_out": self._move_outs}
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
        data = {key: encode_value(value) for key, value in values.items()}
        if entity == "tickets" and values["parent_id"] is not None and not self._may_see(
                values["parent_id"]):
            data["parent_id"] = None  # a parent this user may not see stays unknown
        self.page.operations.append({"op": "put", "entity": entity, "row": data})

    def _may_see(self, ticket_id: uuid.UUID) -> bool:
        ticket = self.session.get(Ticket, ticket_id)
        return ticket is not None and acl.can_view(self.perms, ticket)

    def _config(self) -> bool:
        models = config_models()
        while self.cursor.entity < len(models):
            model = models[self.cursor.entity]
            for row in self._keyset(model, self.changed(model)):
                self._put(entity_of_model(model), row)
                self.cursor.after = str(row["id"])
            if self.full:
                return False
            self.cursor.entity, self.cursor.after = self.cursor.entity + 1, ""
        return True

    def _held(self) -> Select[Any]:
        return select(SyncClientTicket.ticket_id).where(
            SyncClientTicket.client_id == self.client_id)

    def _move_ins(self) -> bool:
        visible = acl.visible_tickets_clause(self.perms)
        new = and_(visible, Ticket.id.not_in(self._held()))
        while not self.full:
            # Autoflush makes the tickets just recorded as held drop out of this query.
            chunk = self._rows(Ticket, new, MOVE_IN_CHUNK)
            if not chunk:
                return True
            children = self._children_of([ticket["id"] for ticket in chunk])
            for ticket in chunk:
                self._send_whole(ticket, children)
                if self.full:
                    return False
        return False

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
        if ticket_id in self._sent or self.session.get(
                SyncClientTicket, (self.client_id, ticket_id)) is not None:
            return
        self._sent.add(ticket_id)
        # Stamped with this pull's snapshot: the changes phase skips what it sent whole.
        self.session.add(SyncClientTicket(client_id=self.client_id, ticket_id=ticket_id,
                                          generation=self.cursor.upto))
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
        condition: ColumnElement[bool] = model.ticket_id.in_(  # type: ignore[attr-defined]
            ticket_ids)
        if model is Workunit:
            return and_(condition, self._visible_workunits())
        if model is Attachment:
            return and_(condition, (Attachment.workunit_id.is_(None)) | Attachment.workunit_id.in_(
                select(Workunit.id).where(self._visible_workunits())))
        return condition

    def _visible_workunits(self) -> ColumnElement[bool]:
        return acl.visible_workunits_anywhere_clause(self.perms)

    def _changes(self) -> bool:
        models: list[type[Replicated]] = [Ticket, *TICKET_CHILDREN]
        held = self._held().where(SyncClientTicket.generation != self.cursor.upto)
        while self.cursor.entity < len(models):
            model = models[self.cursor.entity]
            under = Ticket.id.in_(held) if model is Ticket else self._child_of(model, held)
            for row in self._keyset(model, and_(self.changed(model), under)):
                self._put(entity_of_model(model), row)
                self.cursor.after = str(row["id"])
            if self.full:
                return False
            self.cursor.entity, self.cursor.after = self.cursor.entity + 1, ""
        return True

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
        visible = select(Ticket.id).where(acl.visible_tickets_clause(self.perms))
        leaving = list(self.session.scalars(
            self._held().where(SyncClientTicket.ticket_id.not_in(visible))))
        for ticket_id in leaving:
            self.page.operations.append(
                {"op": "delete", "entity": "tickets", "id": str(ticket_id)})
        if leaving:
            self.session.execute(delete(SyncClientTicket).where(
                SyncClientTicket.client_id == self.client_id,
                SyncClientTicket.ticket_id.in_(leaving)))
        return True
