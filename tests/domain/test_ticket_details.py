"""The ticket view's data: what the reader sees, and what they may change and why not."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.commands import (
    AddCustomField,
    AddWorkunit,
    AssignOwner,
    AttachFile,
    ChangeSetting,
    ChangeStatus,
    CloseTicket,
    CreateInventoryObject,
    CreateTicketType,
    CreateUser,
    LinkInventory,
    LockTicket,
    SetEmailsInCopy,
    SetParent,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import NOT_FOUND, DomainError
from desktopdesk.domain.handlers.ticket_rules import can_own, owner_candidates
from desktopdesk.domain.ticket_details import EDITABLE_PARTS, TicketDetails, load_ticket_details
from desktopdesk.models import Priority, Resolution, Status, User
from tests.conftest import Org
from tests.domain.support import new_ticket, reading

HOUR = dt.timedelta(hours=1)


def details(org: Org, reader: uuid.UUID, ticket_id: uuid.UUID, **kwargs: object) -> TicketDetails:
    with reading(org) as session:
        return load_ticket_details(session, acl.load_permissions(session, reader), ticket_id,
                                   **kwargs)  # type: ignore[arg-type]


def attach(org: Org, actor: uuid.UUID, ticket_id: uuid.UUID, name: str, data: bytes,
           workunit_id: uuid.UUID | None = None, at: dt.datetime | None = None) -> uuid.UUID:
    blob = org.ws.blobs.put_bytes(data)
    result = org.do(AttachFile(ticket_id=ticket_id, file_name=name, size=blob.size,
                               sha256=blob.sha256, workunit_id=workunit_id), actor, at=at)
    assert result.created_id is not None
    return result.created_id


def workunit(org: Org, actor: uuid.UUID, ticket_id: uuid.UUID, text: str,
             at: dt.datetime | None = None, **kwargs: object) -> uuid.UUID:
    result = org.do(AddWorkunit(ticket_id=ticket_id, text_html=f"<p>{text}</p>",
                                **kwargs), actor, at=at)  # type: ignore[arg-type]
    assert result.created_id is not None
    return result.created_id


# --- Visibility ---------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["outsider", "javi"])
def test_a_ticket_the_reader_may_not_see_is_not_found(org: Org, reader: str) -> None:
    ticket_id = new_ticket(org, org.ana)  # Acme: javi is in Support only

    with pytest.raises(DomainError) as info:
        details(org, getattr(org, reader), ticket_id)

    assert info.value.code == NOT_FOUND


def test_the_fields_are_read_with_names_not_ids(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, title="Laptop for a new starter",
                           description_html="<p>Needs Office</p>", priority=Priority.SERIOUS,
                           emails_in_copy=("boss@acme.example",))

    seen = details(org, org.tomas, ticket_id)

    assert (seen.title, seen.description_html, seen.priority, seen.status) == (
        "Laptop for a new starter", "<p>Needs Office</p>", Priority.SERIOUS, Status.NEW)
    assert seen.number_label == "#1"
    assert not seen.provisional
    assert (seen.group.name, seen.creator.full_name, seen.owner.full_name,
            seen.editor.full_name, seen.creator_group_name) == (
        "Acme", "Acme.Ana", "Ramon", "Acme.Ana", "Acme")
    assert seen.emails_in_copy == ("boss@acme.example",)
    assert seen.ticket_type is None
    assert seen.parent is None
    assert seen.children == ()
    assert seen.allowed_statuses[0] is Status.NEW
    assert Status.ASSIGNED in seen.allowed_statuses[1:]


# --- Workunits and their files ------------------------------------------------------------


def test_private_and_internal_workunits_and_their_files_are_hidden_per_acl(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)  # Acme, owned by ramon
    public = workunit(org, org.ramon, ticket_id, "We ordered the laptop", org.now + HOUR)
    private = workunit(org, org.tomas, ticket_id, "Price looks high to me", org.now + 2 * HOUR,
                       is_private=True)
    internal = workunit(org, org.ramon, ticket_id, "Supplier is late again",
                        org.now + 3 * HOUR, is_internal=True)
    attach(org, org.tomas, ticket_id, "quote.pdf", b"quote", private, org.now + 2 * HOUR)
    attach(org, org.ramon, ticket_id, "supplier-mail.eml", b"mail", internal,
           org.now + 3 * HOUR)
    attach(org, org.ramon, ticket_id, "order.pdf", b"order", public, org.now + HOUR)

    def seen_by(reader: uuid.UUID) -> tuple[set[uuid.UUID], set[str], list[str]]:
        view = details(org, reader, ticket_id)
        return ({w.id for w in view.workunits}, {a.file_name for a in view.attachments},
                [h.summary for h in view.history if h.kind in ("file_added", "workunit_added")])

    ana_workunits, ana_files, ana_history = seen_by(org.ana)  # the creator
    assert ana_workunits == {public}
    assert ana_files == {"order.pdf"}
    assert ana_history == ["Added a workunit", "File: order.pdf"]
    bob_workunits, bob_files, _ = seen_by(org.bob)  # another customer: internal is fine
    assert bob_workunits == {public, internal}
    assert bob_files == {"order.pdf", "supplier-mail.eml"}
    ramon_workunits, ramon_files, ramon_history = seen_by(org.ramon)  # manages Acme
    assert ramon_workunits == {public, private, internal}
    assert ramon_files == {"order.pdf", "quote.pdf", "supplier-mail.eml"}
    assert len(ramon_history) == 6
    tomas_workunits, _, _ = seen_by(org.tomas)  # wrote the private one
    assert tomas_workunits == {public, private, internal}


def test_workunits_show_newest_first_or_by_date_of_completion(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    early = workunit(org, org.ramon, ticket_id, "Written first, done last", org.now + HOUR,
                     completed_at=org.now + HOUR)
    late = workunit(org, org.ramon, ticket_id, "Written last, done first", org.now + 3 * HOUR,
                    completed_at=org.now + 2 * HOUR - dt.timedelta(days=1))

    assert [w.id for w in details(org, org.ramon, ticket_id).workunits] == [late, early]
    by_completion = details(org, org.ramon, ticket_id, sort_workunits_by_completion=True)
    assert [w.id for w in by_completion.workunits] == [early, late]


def test_workunit_entries_carry_author_files_shares_and_the_creators_mark(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    from_ana = workunit(org, org.ana, ticket_id, "Any news?", org.now + HOUR,
                        shared_with_ids=(org.bob,))
    attach(org, org.ana, ticket_id, "screenshot.png", b"png", from_ana, org.now + HOUR)
    workunit(org, org.ramon, ticket_id, "On its way", org.now + 2 * HOUR,
             profile_id=org.manager, hours=1.5, has_cost=True)

    reply, question = details(org, org.ramon, ticket_id).workunits

    assert (question.author.full_name, question.by_creator, question.shared_with,
            question.file_names) == ("Acme.Ana", True, ("Acme.Bob",), ("screenshot.png",))
    assert (reply.by_creator, reply.profile_name, reply.hours, reply.has_cost) == (
        False, "Incident manager", 1.5, True)


def test_attachments_say_whether_their_bytes_are_on_this_desktop(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    attach(org, org.ana, ticket_id, "here.txt", b"here")
    attach(org, org.ana, ticket_id, "not-yet.txt", b"not yet")
    missing = org.ws.blobs.put_bytes(b"not yet").sha256
    has_blob: Callable[[str], bool] = lambda sha256: sha256 != missing  # noqa: E731

    files = {a.file_name: a for a in details(org, org.ana, ticket_id, has_blob=has_blob)
             .attachments}

    assert (files["here.txt"].available, files["not-yet.txt"].available) == (True, False)
    assert files["here.txt"].uploader.full_name == "Acme.Ana"
    assert files["here.txt"].size == 4
    assert all(a.available for a in details(org, org.ana, ticket_id).attachments)


# --- People and links ---------------------------------------------------------------------


def test_contacts_list_roles_and_e_mail_addresses(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    workunit(org, org.tomas, ticket_id, "Looking into it", org.now + HOUR)

    contacts = [(c.person.full_name, c.email, c.roles)
                for c in details(org, org.ramon, ticket_id).contacts]

    assert contacts == [
        ("Acme.Ana", "acme.ana@example.com", ("creator", "editor")),
        ("Ramon", "ramon@example.com", ("owner",)),
        ("Tomas", "tomas@example.com", ("participant",)),
    ]


def test_children_the_reader_cannot_open_show_only_their_number(org: Org) -> None:
    parent = new_ticket(org, org.ramon, org.support, title="Office move")
    seen_child = new_ticket(org, org.ramon, org.support, title="Move the printers")
    hidden_child = new_ticket(org, org.ramon, org.acme_group, title="Acme desks")
    for child in (seen_child, hidden_child):
        org.do(SetParent(ticket_id=child, parent_id=parent), org.ramon)

    children = details(org, org.javi, parent).children  # javi: Support only

    assert [(c.number_label, c.title, c.visible) for c in children] == [
        ("#2", "Move the printers", True), ("#3", "", False)]
    link = details(org, org.javi, seen_child).parent
    assert link is not None
    assert (link.number_label, link.title) == ("#1", "Office move")


def test_owner_choices_are_the_people_who_can_own_it_in_its_group(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    choices = {p.full_name for p in details(org, org.ramon, ticket_id).owner_choices}

    # Acme's VIEW holders and the super-admin; never Javi (Support only) or Carla.
    assert {"Ramon", "Tomas", "Acme.Ana", "Acme.Bob"} <= choices
    assert not choices & {"Javi", "Indie.Carla", "Outsider"}


def test_owner_candidates_agree_with_can_own_for_everyone(org: Org) -> None:
    org.do(CreateUser(username="gone", full_name="Gone", enabled=False), org.admin)
    with reading(org) as session:
        users = list(session.scalars(select(User)))
        for group_id in (org.support, org.acme_group, org.independents):
            expected = {u.id for u in users if can_own(session, u, group_id)}
            assert {u.id for u in owner_candidates(session, group_id)} == expected


def test_group_choices_are_where_the_reader_may_file_plus_where_it_is(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    assert [g.name for g in details(org, org.tomas, ticket_id).group_choices] == [
        "Acme", "Support"]
    assert [g.name for g in details(org, org.ana, ticket_id).group_choices] == ["Acme"]
    assert details(org, org.ana, ticket_id).read_only_reason("group_id") is not None


def test_inventory_and_types_are_offered_by_name(org: Org) -> None:
    laptop = org.do(CreateInventoryObject(name="Laptop 7"), org.ramon).created_id
    org.do(CreateInventoryObject(name="Desk phone"), org.ramon)
    hardware = org.do(CreateTicketType(name="Hardware", group_ids=(org.acme_group,)),
                      org.ramon).created_id
    org.do(CreateTicketType(name="Payroll", group_ids=(org.support,)), org.ramon)
    ticket_id = new_ticket(org, org.ana, ticket_type_id=hardware)
    assert laptop is not None
    org.do(LinkInventory(ticket_id=ticket_id, inventory_object_id=laptop), org.ana)

    seen = details(org, org.ramon, ticket_id)

    assert [c.name for c in seen.inventory] == ["Laptop 7"]
    assert [c.name for c in seen.inventory_choices] == ["Desk phone", "Laptop 7"]
    assert [c.name for c in seen.type_choices] == ["Hardware"]
    # Moved to Support, it could not stay Hardware (CreateTicket's and the move's rule).
    assert [c.name for c in seen.type_choices_for(org.support)] == ["Payroll"]
    assert [c.name for c in seen.type_choices_for(org.acme_group)] == ["Hardware"]


# --- History ------------------------------------------------------------------------------


def test_history_reads_as_sentences_with_names_and_labels(org: Org) -> None:
    hardware = org.do(CreateTicketType(name="Hardware"), org.ramon).created_id
    spare = org.do(AddCustomField(ticket_type_id=hardware, label="Spare given", kind="checkbox"),
                   org.ramon).created_id
    ticket_id = new_ticket(org, org.ana, title="Laptop for a new starter")
    later = iter(org.now + n * HOUR for n in range(1, 20))
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon, next(later))
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={
        "priority": int(Priority.SERIOUS), "ticket_type_id": str(hardware),
        f"custom:{spare}": "1", "sla_disabled": True}), org.ramon, next(later))
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"group_id": str(org.support)}),
           org.ramon, next(later))
    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.tomas), org.ramon, next(later))
    org.do(SetEmailsInCopy(ticket_id=ticket_id, emails=("it@acme.example",)), org.tomas,
           next(later))
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.tomas,
           next(later))
    org.do(LockTicket(ticket_id=ticket_id), org.tomas, next(later))

    lines = [(h.actor.full_name, h.summary) for h in details(org, org.ramon, ticket_id).history]

    assert lines == [
        ("Acme.Ana", "Created the ticket: Laptop for a new starter"),
        ("Acme.Ana", "Status: New"),
        ("Acme.Ana", "Priority: Medium"),
        ("Acme.Ana", "Group: Acme"),
        ("Acme.Ana", "Owner: Ramon"),
        ("Ramon", "Status: New → Assigned"),
        ("Ramon", "Priority: Medium → Serious"),
        ("Ramon", "SLA disabled: no → yes"),
        ("Ramon", "Type: Hardware"),
        ("Ramon", "Spare given: yes"),
        ("Ramon", "Group: Acme → Support"),
        ("Ramon", "Owner: Ramon → Tomas"),
        ("Tomas", "E-mails in copy: it@acme.example"),
        ("Tomas", "Status: Assigned → Closed"),
        ("Tomas", "Resolution: None → Fixed"),
        ("Tomas", "Locked the ticket"),
    ]


# --- What the reader may change -----------------------------------------------------------


def test_only_the_owner_may_change_the_status_and_others_are_told_why(org: Org) -> None:
    ticket_id = new_ticket(org, org.ramon, org.support)

    assert details(org, org.ramon, ticket_id).read_only_reason("status") is None
    reason = details(org, org.tomas, ticket_id).read_only_reason("status")
    assert reason == "Only the owner (Ramon) can change the status."
    assert details(org, org.tomas, ticket_id).read_only_reason("title") is None


def test_a_reader_without_edit_sees_every_field_read_only(org: Org) -> None:
    from desktopdesk.domain.commands import AddMembership, CreateProfile

    viewer = org.do(CreateProfile(name="Viewer", can_view=True), org.admin).created_id
    assert viewer is not None
    org.do(AddMembership(user_id=org.outsider, group_id=org.support, profile_id=viewer),
           org.admin)
    ticket_id = new_ticket(org, org.ramon, org.support)

    seen = details(org, org.outsider, ticket_id)

    assert "not change it" in (seen.read_only_reason("title") or "")
    assert {part for part, _ in seen.read_only} == set(EDITABLE_PARTS)


def test_a_locked_ticket_is_read_only_naming_who_locked_it(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)
    assert details(org, org.ramon, ticket_id).may_lock
    org.do(LockTicket(ticket_id=ticket_id), org.ramon)

    seen = details(org, org.ramon, ticket_id)

    assert dict(seen.read_only) == dict.fromkeys(
        EDITABLE_PARTS, "The ticket is locked by Ramon; a manager of Acme must unlock it first.")
    assert (seen.may_lock, seen.may_unlock) == (False, True)
    assert not details(org, org.tomas, ticket_id).may_unlock


def test_type_changes_switched_off_are_explained(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    assert details(org, org.ramon, ticket_id).read_only_reason("ticket_type_id") is None

    org.do(ChangeSetting(key="allow_type_change", value=False), org.admin)

    assert details(org, org.ramon, ticket_id).read_only_reason("ticket_type_id") == (
        "Changing a ticket's type is not allowed (setting).")
    assert details(org, org.admin, ticket_id).read_only_reason("ticket_type_id") is None


def test_people_sla_and_parent_need_the_rights_their_commands_ask(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    manager = details(org, org.ramon, ticket_id)
    technician = details(org, org.tomas, ticket_id)
    customer = details(org, org.ana, ticket_id)

    for part in ("creator_id", "sla_disabled", "parent_id", "owner_id"):
        assert manager.read_only_reason(part) is None
        assert technician.read_only_reason(part) is not None
    assert technician.read_only_reason("creator_id") == (
        "Only a manager of Acme can change the creator.")
    assert customer.read_only_reason("owner_id") == (
        "Only the owner (Ramon) or a manager of Acme can hand the ticket to someone else.")
    org.do(ChangeSetting(key="allow_creator_owner_change", value=False), org.admin)
    assert details(org, org.ramon, ticket_id).read_only_reason("owner_id") == (
        "Changing the owner is switched off in the settings.")


def test_creator_choices_are_whom_the_reader_may_name_as_creator(org: Org) -> None:
    org.do(CreateUser(username="gone", full_name="Gone", enabled=False), org.admin)
    # Filed by the super-admin for the outsider, who shares no group with anyone.
    for_outsider = new_ticket(org, org.admin, org.acme_group, creator_id=org.outsider)
    ticket_id = new_ticket(org, org.ana)

    offered = details(org, org.ramon, ticket_id).creator_choices  # manager of Acme

    names = [p.full_name for p in offered]
    assert names == sorted(names, key=str.casefold)
    assert {"Acme.Ana", "Acme.Bob", "Ramon", "Tomas", "Javi", "Indie.Carla"} <= set(names)
    assert "Gone" not in names  # disabled: UpdateTicketFields refuses them
    assert "Outsider" not in names  # shares no group with Ramon (people pickers' rule)
    # The current creator is offered even when no picker would show them.
    assert "Outsider" in {p.full_name for p in details(org, org.ramon, for_outsider)
                          .creator_choices}
    # None when the creator may not be changed: for a technician, the customer, and
    # anyone once the ticket is locked.
    assert details(org, org.tomas, ticket_id).creator_choices == ()
    assert details(org, org.ana, ticket_id).creator_choices == ()
    org.do(ChangeSetting(key="creator_sees_all_users", value=True), org.admin)
    assert "Outsider" in {p.full_name for p in details(org, org.ramon, ticket_id)
                          .creator_choices}
    org.do(CloseTicket(ticket_id=ticket_id, resolution=Resolution.FIXED), org.ramon)
    org.do(LockTicket(ticket_id=ticket_id), org.ramon)
    assert details(org, org.ramon, ticket_id).creator_choices == ()


def test_every_creator_offered_is_accepted_by_the_command(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    offered = details(org, org.ramon, ticket_id).creator_choices
    assert len(offered) > 3

    for person in offered:
        org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"creator_id": str(person.id)}),
               org.ramon)
        assert details(org, org.ramon, ticket_id).creator.id == person.id
    gone = org.do(CreateUser(username="gone", full_name="Gone", enabled=False),
                  org.admin).created_id
    with pytest.raises(DomainError):
        org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"creator_id": str(gone)}),
               org.ramon)


@pytest.mark.parametrize(("reader", "part", "change"), [
    ("tomas", "title", {"title": "Renamed"}),
    ("tomas", "priority", {"priority": Priority.LOW}),
    ("tomas", "creator_id", {"creator_id": "javi"}),
    ("ramon", "creator_id", {"creator_id": "javi"}),
    ("tomas", "sla_disabled", {"sla_disabled": True}),
    ("ramon", "sla_disabled", {"sla_disabled": True}),
    ("tomas", "status", {"status": Status.ASSIGNED}),
    ("ramon", "status", {"status": Status.ASSIGNED}),
    ("tomas", "owner_id", {"owner_id": "javi"}),
    ("ramon", "owner_id", {"owner_id": "javi"}),
    ("outsider", "title", {"title": "Renamed"}),
])
def test_what_is_read_only_is_what_the_command_refuses(org: Org, reader: str, part: str,
                                                      change: dict[str, Any]) -> None:
    """The reasons and the handlers agree, on a Support ticket Ramon owns."""
    import dataclasses

    from desktopdesk.domain.commands import AddMembership, CreateProfile
    from desktopdesk.domain.ticket_edit import TicketEdit, commands_for_edit

    viewer = org.do(CreateProfile(name="Viewer", can_view=True), org.admin).created_id
    assert viewer is not None
    org.do(AddMembership(user_id=org.outsider, group_id=org.support, profile_id=viewer),
           org.admin)
    ticket_id = new_ticket(org, org.ramon, org.support)
    actor = getattr(org, reader)
    seen = details(org, actor, ticket_id)
    values = {key: getattr(org, value) if isinstance(value, str) and key.endswith("_id")
              else value for key, value in change.items()}
    commands = commands_for_edit(seen, dataclasses.replace(TicketEdit.of(seen), **values))

    if seen.read_only_reason(part) is None:
        org.ws.execute_all(commands, actor)
    else:
        with pytest.raises(DomainError):
            org.ws.execute_all(commands, actor)
