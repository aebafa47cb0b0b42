"""SLA definitions: creating, changing and deleting them, and every value the server
refuses whatever a desktop sends."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, update

from desktopdesk.domain.commands import (
    CreateGroup,
    CreateSla,
    DeleteSla,
    UpdateGroup,
    UpdateSla,
    command_from_json,
)
from desktopdesk.domain.errors import FORBIDDEN, VALIDATION, DomainError
from desktopdesk.models import Group, Sla, SlaType, Ticket, TicketSlaState, Tombstone
from tests.conftest import T0, Org
from tests.domain.support import new_ticket, reading, refused, snapshot


def make_sla(org: Org, name: str = "Gold", **values: Any) -> uuid.UUID:
    created = org.do(CreateSla(name=name, **values), org.ramon).created_id
    assert created is not None
    return created


def stored(org: Org, sla_id: uuid.UUID) -> Sla | None:
    with reading(org) as session:
        return session.get(Sla, sla_id)


def update_of(org: Org, sla_id: uuid.UUID, **changes: Any) -> UpdateSla:
    """The Update an editor sends: the SLA as stored, with ``changes`` typed over it."""
    row = stored(org, sla_id)
    assert row is not None
    values = {f.name: getattr(row, f.name) for f in dataclasses.fields(UpdateSla)
              if f.name not in ("command_id", "sla_id")}
    values["sla_type"] = int(values["sla_type"])
    return UpdateSla(sla_id=sla_id, **{**values, **changes})


def test_an_sla_is_created_with_every_field(org: Org) -> None:
    base = make_sla(org, "Standard")
    sla_id = make_sla(org, " Gold ", description=" For key accounts ", base_sla_id=base,
                      sla_type=SlaType.BOTH, max_response_hours=4.5, max_resolution_hours=0.0,
                      max_inactivity_hours=24.0, max_open_tickets=3, day_start_hour=22,
                      day_end_hour=6, no_sla_on_weekends=False, no_sla_on_holidays=False,
                      enforced=False, wall_clock=True)

    row = stored(org, sla_id)
    assert row is not None
    assert (row.name, row.description, row.base_sla_id) == ("Gold", "For key accounts", base)
    assert row.sla_type is SlaType.BOTH
    assert (row.max_response_hours, row.max_resolution_hours, row.max_inactivity_hours) == (
        4.5, 0.0, 24.0)
    assert (row.max_open_tickets, row.day_start_hour, row.day_end_hour) == (3, 22, 6)
    assert not row.no_sla_on_weekends
    assert not row.no_sla_on_holidays
    assert not row.enforced
    assert row.wall_clock is True


def test_an_update_replaces_the_whole_definition_and_keeps_the_groups(org: Org) -> None:
    base = make_sla(org, "Standard")
    sla_id = make_sla(org)
    org.do(UpdateGroup(group_id=org.acme_group, changes={"sla_id": str(sla_id)}), org.admin)

    org.do(UpdateSla(sla_id=sla_id, name="Platinum", description="Round the clock",
                     base_sla_id=base, sla_type=SlaType.THIRD_PARTY, max_response_hours=1.0,
                     max_resolution_hours=8.0, max_open_tickets=0, max_inactivity_hours=0.0,
                     day_start_hour=0, day_end_hour=0, no_sla_on_weekends=False,
                     no_sla_on_holidays=False, enforced=False, wall_clock=True), org.ramon)

    row = stored(org, sla_id)
    assert row is not None
    assert (row.name, row.description, row.base_sla_id, row.sla_type) == (
        "Platinum", "Round the clock", base, SlaType.THIRD_PARTY)
    assert (row.max_response_hours, row.max_resolution_hours, row.max_inactivity_hours,
            row.max_open_tickets) == (1.0, 8.0, 0.0, 0)
    assert (row.day_start_hour, row.day_end_hour) == (0, 0)
    assert not row.no_sla_on_weekends
    assert not row.no_sla_on_holidays
    assert not row.enforced
    assert row.wall_clock
    with reading(org) as session:
        group = session.get(Group, org.acme_group)
        assert group is not None
        assert group.sla_id == sla_id, "the group still applies it"


def test_an_sla_may_keep_its_own_name_in_another_case(org: Org) -> None:
    sla_id = make_sla(org)
    org.do(update_of(org, sla_id, name="GOLD"), org.ramon)
    row = stored(org, sla_id)
    assert row is not None
    assert row.name == "GOLD"


def test_saving_an_unchanged_sla_changes_no_row(org: Org) -> None:
    sla_id = make_sla(org)
    before = stored(org, sla_id)
    assert before is not None
    org.do(update_of(org, sla_id), org.ramon, at=org.now.replace(hour=15))
    after = stored(org, sla_id)
    assert after is not None
    assert after.updated_at == before.updated_at, "nothing to send to the desktops"


# --- Refusals -----------------------------------------------------------------------------

BAD_VALUES: list[tuple[dict[str, Any], str, str]] = [
    ({"name": "  "}, "name", "The SLA name cannot be empty."),
    ({"name": "x" * 101}, "name", "The SLA name is too long (101 characters, at most 100)."),
    ({"name": "standard"}, "name", "There is already an SLA called 'standard'."),
    ({"description": "x" * 501}, "description",
     "The description is too long (501 characters, at most 500)."),
    ({"sla_type": 5}, "sla_type", "The SLA type is 0 (normal), 1 (third party) or 2 (both)."),
    ({"max_response_hours": -1.0}, "max_response_hours",
     "The response time is a number of hours, 0 or more (0: not checked)."),
    ({"max_resolution_hours": float("inf")}, "max_resolution_hours",
     "The resolution time is a number of hours, 0 or more (0: not checked)."),
    ({"max_inactivity_hours": float("nan")}, "max_inactivity_hours",
     "The inactivity time is a number of hours, 0 or more (0: not checked)."),
    ({"day_start_hour": 24}, "day_start_hour",
     "The working day starts at an hour from 0 to 23."),
    ({"day_start_hour": -1}, "day_start_hour",
     "The working day starts at an hour from 0 to 23."),
    ({"day_end_hour": 25}, "day_end_hour", "The working day ends at an hour from 0 to 24."),
    ({"max_open_tickets": -1}, "max_open_tickets",
     "The most open tickets at once is 0 (not checked) or more."),
    ({"base_sla_id": uuid.UUID(int=7)}, "base_sla_id", "Unknown base SLA."),
]


@pytest.mark.parametrize(("values", "field", "message"), BAD_VALUES,
                         ids=[f"{v[1]}-{n}" for n, v in enumerate(BAD_VALUES)])
def test_a_bad_new_sla_is_refused_naming_the_field(org: Org, values: dict[str, Any],
                                                   field: str, message: str) -> None:
    make_sla(org, "Standard")
    before = snapshot(org)

    error = refused(org, CreateSla(**{"name": "Gold", **values}), org.ramon, VALIDATION)

    assert (error.field, error.message) == (field, message)
    assert snapshot(org) == before


@pytest.mark.parametrize(("values", "field", "message"), BAD_VALUES,
                         ids=[f"{v[1]}-{n}" for n, v in enumerate(BAD_VALUES)])
def test_a_bad_change_is_refused_the_same_way_and_nothing_changes(
    org: Org, values: dict[str, Any], field: str, message: str,
) -> None:
    make_sla(org, "Standard")
    sla_id = make_sla(org)

    error = refused(org, update_of(org, sla_id, **values), org.ramon, VALIDATION)

    assert (error.field, error.message) == (field, message)
    row = stored(org, sla_id)
    assert row is not None
    assert row.name == "Gold"
    assert row.max_response_hours == 48.0


def test_overnight_and_whole_day_working_hours_are_allowed(org: Org) -> None:
    overnight = make_sla(org, "Night shift", day_start_hour=22, day_end_hour=6)
    whole_day = make_sla(org, "Always", day_start_hour=9, day_end_hour=9)
    until_midnight = make_sla(org, "Late", day_start_hour=12, day_end_hour=24)
    assert all(stored(org, s) is not None for s in (overnight, whole_day, until_midnight))


def test_an_sla_cannot_be_its_own_base_even_through_others(org: Org) -> None:
    a = make_sla(org, "A")
    b = make_sla(org, "B", base_sla_id=a)
    c = make_sla(org, "C", base_sla_id=b)

    itself = refused(org, update_of(org, a, base_sla_id=a), org.ramon, VALIDATION)
    direct = refused(org, update_of(org, b, base_sla_id=c), org.ramon, VALIDATION)
    further = refused(org, update_of(org, a, base_sla_id=c), org.ramon, VALIDATION)

    assert (itself.field, itself.message) == ("base_sla_id", "An SLA cannot be its own base.")
    assert direct.message == ("'C' is based on this SLA (directly or through others); "
                              "choose another base.")
    assert further.field == "base_sla_id"
    assert "'C' is based on this SLA" in further.message
    org.do(update_of(org, c, base_sla_id=a), org.ramon)  # a sideways link is fine


def test_an_unknown_sla_cannot_be_changed_or_deleted(org: Org) -> None:
    ghost = uuid.UUID(int=99)
    assert refused(org, UpdateSla(**{**dataclasses.asdict(update_of(org, make_sla(org))),
                                     "sla_id": ghost, "command_id": uuid.uuid4()}),
                   org.ramon, VALIDATION).message == "Unknown SLA."
    assert refused(org, DeleteSla(sla_id=ghost), org.ramon, VALIDATION).field == "sla_id"


# --- Who may ------------------------------------------------------------------------------

ACTIONS: dict[str, Callable[[Org, uuid.UUID], Any]] = {
    "create": lambda org, sla_id: CreateSla(name="Silver"),
    "update": lambda org, sla_id: update_of(org, sla_id, name="Tin"),
    "delete": lambda org, sla_id: DeleteSla(sla_id=sla_id),
}


@pytest.mark.parametrize("make", ACTIONS.values(), ids=ACTIONS.keys())
def test_only_managers_define_slas(org: Org, make: Callable[[Org, uuid.UUID], Any]) -> None:
    sla_id = make_sla(org)
    for outsider in (org.tomas, org.ana, org.carla):
        error = refused(org, make(org, sla_id), outsider, FORBIDDEN)
        assert "You need MANAGE on a group to" in error.message
    row = stored(org, sla_id)
    assert row is not None
    assert row.name == "Gold"
    org.do(make(org, sla_id), org.ramon)


def test_the_server_checks_what_arrives_over_the_wire(org: Org) -> None:
    """A desktop may send anything: JSON with hours no form offers, a type out of range,
    a field the command does not have. Each is refused before anything is written."""
    sla_id = make_sla(org)
    wire = json.loads(json.dumps(update_of(org, sla_id).to_json()))

    def sent(**args: Any) -> Any:
        return command_from_json({**wire, "args": {**wire["args"], **args,
                                                   "command_id": str(uuid.uuid4())}})

    bad: list[tuple[dict[str, Any], str]] = [
        ({"max_response_hours": -0.5}, "max_response_hours"),
        ({"max_open_tickets": -3}, "max_open_tickets"),
        ({"day_end_hour": 48}, "day_end_hour"),
        ({"sla_type": 9}, "sla_type"),
        ({"base_sla_id": str(sla_id)}, "base_sla_id")]
    for args, field in bad:
        assert refused(org, sent(**args), org.ramon, VALIDATION).field == field
    unreadable: list[tuple[dict[str, Any], str]] = [
        ({"max_response_hours": "lots"}, "max_response_hours"),
        ({"owner_id": str(org.ramon)}, "owner_id")]
    for args, field in unreadable:
        with pytest.raises(DomainError) as info:
            sent(**args)
        assert (info.value.code, info.value.field) == (VALIDATION, field)
    row = stored(org, sla_id)
    assert row is not None
    assert row.max_response_hours == 48.0


# --- Deleting -----------------------------------------------------------------------------


def test_an_sla_groups_apply_cannot_be_deleted_and_the_refusal_names_them(org: Org) -> None:
    sla_id = make_sla(org)
    org.do(UpdateGroup(group_id=org.support, changes={"sla_id": str(sla_id)}), org.admin)
    one = refused(org, DeleteSla(sla_id=sla_id), org.ramon, VALIDATION)
    assert (one.field, one.message) == ("sla_id", "1 group applies 'Gold' ('Support'); give it "
                                                  "another SLA (or none) in Groups first.")

    org.do(UpdateGroup(group_id=org.acme_group, changes={"sla_id": str(sla_id)}), org.admin)
    two = refused(org, DeleteSla(sla_id=sla_id), org.ramon, VALIDATION)
    assert two.message == ("2 groups apply 'Gold' ('Acme', 'Support'); give them another SLA "
                           "(or none) in Groups first.")
    assert stored(org, sla_id) is not None


def test_a_long_list_of_groups_is_cut_short(org: Org) -> None:
    sla_id = make_sla(org)
    for n in range(7):
        org.do(CreateGroup(name=f"Team {n}", sla_id=sla_id), org.admin)
    error = refused(org, DeleteSla(sla_id=sla_id), org.ramon, VALIDATION)
    assert error.message.startswith("7 groups apply 'Gold' ('Team 0', 'Team 1', 'Team 2', "
                                    "'Team 3', 'Team 4' and 2 more)")


def test_deleting_clears_what_pointed_at_the_sla_and_reaches_the_desktops(org: Org) -> None:
    sla_id = make_sla(org)
    derived = make_sla(org, "Gold for Acme", base_sla_id=sla_id)
    fired = new_ticket(org, org.ramon)
    quiet = new_ticket(org, org.ramon)
    with org.ws.user_action() as session:  # as the SLA pass left them
        session.execute(update(Ticket).where(Ticket.id == fired).values(affected_sla_id=sla_id))
        session.add(TicketSlaState(ticket_id=fired, sla_id=sla_id, compliance_pct=40,
                                   fired_limits="response"))

    with reading(org) as session:
        before = session.get(Ticket, fired)
        assert before is not None
        updated_at, version = before.updated_at, before.version

    result = org.do(DeleteSla(sla_id=sla_id), org.ramon, at=T0 + dt.timedelta(days=3))

    assert stored(org, sla_id) is None
    assert result.changed_ticket_ids == (fired,)
    with reading(org) as session:
        tickets = {t.id: t for t in session.scalars(select(Ticket))}
        assert tickets[fired].affected_sla_id is None
        assert tickets[quiet].affected_sla_id is None
        # Versioned for the desktops, but not an update: auto-close and the list's
        # "Updated" read updated_at.
        assert tickets[fired].updated_at == updated_at
        assert version is not None
        assert tickets[fired].version is not None
        assert tickets[fired].version > version
        # Cleared, or dropped by the SLA pass that follows (the group applies no SLA).
        assert not session.scalars(select(TicketSlaState)
                                   .where(TicketSlaState.sla_id == sla_id)).all()
        base = session.get(Sla, derived)
        assert base is not None
        assert base.base_sla_id is None
        assert session.scalar(select(Tombstone).where(Tombstone.row_id == sla_id)) is not None
