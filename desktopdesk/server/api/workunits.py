"""A ticket's thread: ``GET/POST /tickets/{number}/workunits``.

Listing goes through ``visible_workunits_clause``, so a customer never receives an
internal note, and a private one reaches only its author, the people it is shared with
and the group's managers, whatever the client asks for.
"""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import Permissions, load_permissions, visible_workunits_clause
from desktopdesk.domain.commands import AddWorkunit
from desktopdesk.domain.errors import NOT_FOUND
from desktopdesk.domain.settings import WORKUNIT_DEFAULT_HOURS, get_setting
from desktopdesk.models import Profile, Ticket, User, Workunit, WorkunitShare, new_id
from desktopdesk.server.api import resolve
from desktopdesk.server.api.changes import command_id_for, run_create
from desktopdesk.server.api.models import Ref, TicketNumber
from desktopdesk.server.api.reads import visible_ticket
from desktopdesk.server.deps import ClockDep, CurrentUser, StoreDep
from desktopdesk.server.errors import ApiError, error_responses

router = APIRouter(tags=["workunits"])


class WorkunitOut(BaseModel):
    id: uuid.UUID
    author: str = Field(description="The author's username.")
    text_html: str
    hours: float
    private: bool
    internal: bool
    cost: bool
    profile: Ref | None
    shared_with: list[str] = Field(description="Usernames a private workunit is shared with.")
    completed_at: dt.datetime | None
    created_at: dt.datetime


class NewWorkunit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(
        None, description="Your own id (a UUID): a retry with it returns the workunit "
                          "made the first time (200).")
    text_html: str = Field(description="Rich text; sanitised by the server.")
    hours: float | None = Field(None, description="Time used; left out: the default.")
    private: bool = False
    internal: bool = Field(False, description="Never shown to the ticket's creator.")
    cost: bool = False
    profile: str | None = Field(None, description="The profile's id or name to cost it by.")
    shared_with: list[str] = Field(default_factory=list, description="Usernames.")
    completed_at: AwareDatetime | None = None


def thread(session: Session, perms: Permissions, ticket: Ticket,
           workunit_id: uuid.UUID | None = None) -> list[WorkunitOut]:
    """The workunits of ``ticket`` the caller may see, newest first."""
    query = (select(Workunit, User.username)
             .join(User, User.id == Workunit.author_id)
             .where(Workunit.ticket_id == ticket.id, visible_workunits_clause(perms, ticket))
             .order_by(Workunit.created_at.desc(), Workunit.id.desc()))
    if workunit_id is not None:
        query = query.where(Workunit.id == workunit_id)
    rows = session.execute(query).all()
    ids = [workunit.id for workunit, _ in rows]
    shares: dict[uuid.UUID, list[str]] = {}
    for shared_id, username in session.execute(
            select(WorkunitShare.workunit_id, User.username)
            .join(User, User.id == WorkunitShare.user_id)
            .where(WorkunitShare.workunit_id.in_(ids)).order_by(User.username)):
        shares.setdefault(shared_id, []).append(username)
    profile_ids = {workunit.profile_id for workunit, _ in rows if workunit.profile_id}
    profiles = {profile_id: Ref(id=profile_id, name=name) for profile_id, name in
                session.execute(select(Profile.id, Profile.name)
                                .where(Profile.id.in_(profile_ids)))}
    return [
        WorkunitOut(
            id=workunit.id, author=author, text_html=workunit.text_html, hours=workunit.hours,
            private=workunit.is_private, internal=workunit.is_internal, cost=workunit.has_cost,
            profile=profiles.get(workunit.profile_id) if workunit.profile_id else None,
            shared_with=shares.get(workunit.id, []), completed_at=workunit.completed_at,
            created_at=workunit.created_at,
        )
        for workunit, author in rows
    ]


@router.get(
    "/tickets/{number}/workunits", response_model=list[WorkunitOut],
    summary="The workunits of a ticket you may see, newest first",
    responses=error_responses(401, 404, 422),
)
def list_workunits(number: TicketNumber, store: StoreDep,
                   user_id: CurrentUser) -> list[WorkunitOut]:
    with store.read() as session:
        perms = load_permissions(session, user_id)
        return thread(session, perms, visible_ticket(session, perms, number))


@router.post(
    "/tickets/{number}/workunits", status_code=201, response_model=WorkunitOut,
    summary="Add a workunit (a note, with time used)",
    responses={
        200: {"model": WorkunitOut,
              "description": "A retry of an add already done (same `id`, same caller)"},
        **error_responses(401, 403, 404, 409, 422),
    },
)
def add_workunit(number: TicketNumber, body: NewWorkunit, store: StoreDep,
                 user_id: CurrentUser, clock: ClockDep, response: Response) -> WorkunitOut:
    """Accepted on closed and locked tickets too: work done is never lost."""
    workunit_id = body.id or new_id()
    with store.read() as session:
        perms = load_permissions(session, user_id)
        ticket_id = visible_ticket(session, perms, number).id
        command = AddWorkunit(
            command_id=command_id_for("AddWorkunit", workunit_id) if body.id else new_id(),
            workunit_id=workunit_id,
            ticket_id=ticket_id,
            text_html=body.text_html,
            hours=(body.hours if body.hours is not None
                   else get_setting(session, WORKUNIT_DEFAULT_HOURS)),
            is_private=body.private,
            is_internal=body.internal,
            has_cost=body.cost,
            profile_id=resolve.profile_id(session, body.profile) if body.profile else None,
            shared_with_ids=tuple(resolve.user_id(session, name) for name in body.shared_with),
            completed_at=body.completed_at,
        )
    if run_create(store, command, user_id, clock(), fields={"workunit_id": "id"}) is None:
        response.status_code = 200
    with store.read() as session:
        perms = load_permissions(session, user_id)
        ticket = visible_ticket(session, perms, number)
        found = thread(session, perms, ticket, workunit_id)
    if not found:
        raise ApiError(404, NOT_FOUND, "Workunit not found.", "id")
    return found[0]
