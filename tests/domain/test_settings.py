"""Settings: typed values, who may change them, and the effect of each one apply() reads."""

from __future__ import annotations

from typing import Any

import pytest

from desktopdesk.domain import settings
from desktopdesk.domain.commands import (
    AddWorkunit,
    AssignOwner,
    AttachFile,
    ChangeSetting,
    CreateTicket,
    CreateTicketType,
    UpdateTicketFields,
)
from desktopdesk.domain.errors import FORBIDDEN, VALIDATION
from tests.conftest import Org
from tests.domain.support import new_ticket, reading, refused, ticket, workunits

MB = 1024 * 1024


def turn(org: Org, key: str, value: Any) -> None:
    org.do(ChangeSetting(key=key, value=value), org.admin)


def current(org: Org, key: str) -> Any:
    with reading(org) as session:
        return settings.get_setting(session, settings.lookup(key))


# --- Values and scope ---------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value"), [
    ("allow_type_change", 1),
    ("allow_type_change", "yes"),
    ("max_attachment_mb", True),
    ("max_attachment_mb", 2.5),
    ("max_attachment_mb", "5"),
    ("max_attachment_mb", 0),
    ("auto_close_days", -1),
    ("workunit_default_hours", "0.5"),
    ("workunit_default_hours", False),
])
def test_wrongly_typed_values_are_refused(org: Org, key: str, value: Any) -> None:
    before = current(org, key)

    error = refused(org, ChangeSetting(key=key, value=value), org.admin, VALIDATION)

    assert error.field == key
    assert settings.lookup(key).label in error.message
    assert current(org, key) == before


def test_good_values_are_stored_with_their_type(org: Org) -> None:
    turn(org, "workunit_default_hours", 1)
    turn(org, "max_attachment_mb", 5)

    assert current(org, "workunit_default_hours") == 1.0
    assert isinstance(current(org, "workunit_default_hours"), float)
    assert current(org, "max_attachment_mb") == 5


def test_an_unknown_setting_is_refused(org: Org) -> None:
    error = refused(org, ChangeSetting(key="turbo", value=True), org.admin, VALIDATION)
    assert "turbo" in error.message


def test_server_settings_need_a_super_admin(org: Org) -> None:
    error = refused(org, ChangeSetting(key="allow_type_change", value=False), org.ramon,
                    FORBIDDEN)

    assert "Allow changing the ticket type" in error.message
    assert current(org, "allow_type_change") is True


def test_desktop_preferences_are_not_shared_settings(org: Org) -> None:
    for actor in (org.tomas, org.admin):
        error = refused(org, ChangeSetting(key="date_format", value="approximate"), actor,
                        VALIDATION)
        assert "preference of each desktop" in error.message
    assert current(org, "date_format") == "long"


# --- Effects ------------------------------------------------------------------------------


def test_allow_type_change(org: Org) -> None:
    hardware = org.do(CreateTicketType(name="Hardware"), org.ramon).created_id
    ticket_id = new_ticket(org, org.ana)
    change = {"ticket_type_id": str(hardware)}
    turn(org, "allow_type_change", False)

    refused(org, UpdateTicketFields(ticket_id=ticket_id, changes=change), org.ramon, FORBIDDEN)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes=change), org.admin)  # admins may
    assert ticket(org, ticket_id).ticket_type_id == hardware
    turn(org, "allow_type_change", True)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"ticket_type_id": None}), org.ana)
    assert ticket(org, ticket_id).ticket_type_id is None


def test_owner_is_creator(org: Org) -> None:
    assert ticket(org, new_ticket(org, org.ana)).owner_id == org.ramon
    turn(org, "owner_is_creator", True)
    assert ticket(org, new_ticket(org, org.ana)).owner_id == org.ana


def test_required_ticket_type(org: Org) -> None:
    hardware = org.do(CreateTicketType(name="Hardware"), org.ramon).created_id
    turn(org, "required_ticket_type", True)

    error = refused(org, CreateTicket(title="t", group_id=org.acme_group), org.ana, VALIDATION)

    assert error.field == "ticket_type_id"
    new_ticket(org, org.ana, ticket_type_id=hardware)


def test_creator_blank_by_default(org: Org) -> None:
    turn(org, "creator_blank_by_default", True)

    error = refused(org, CreateTicket(title="t", group_id=org.acme_group), org.ana, VALIDATION)

    assert error.field == "creator_id"
    assert ticket(org, new_ticket(org, org.ana, creator_id=org.ana)).creator_id == org.ana


def test_allow_creator_owner_change(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    turn(org, "allow_creator_owner_change", False)

    refused(org, AssignOwner(ticket_id=ticket_id, owner_id=org.tomas), org.ramon, FORBIDDEN)
    refused(org, UpdateTicketFields(ticket_id=ticket_id, changes={"creator_id": str(org.bob)}),
            org.ramon, FORBIDDEN)
    refused(org, CreateTicket(title="t", group_id=org.acme_group, owner_id=org.tomas),
            org.ramon, FORBIDDEN)
    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.tomas), org.admin)
    assert ticket(org, ticket_id).owner_id == org.tomas
    turn(org, "allow_creator_owner_change", True)
    org.do(AssignOwner(ticket_id=ticket_id, owner_id=org.ramon), org.ramon)
    assert ticket(org, ticket_id).owner_id == org.ramon


def test_external_users_may_modify(org: Org) -> None:
    ticket_id = new_ticket(org, org.carla, org.independents)
    turn(org, "external_users_may_modify", False)
    blob = org.ws.blobs.put_bytes(b"screenshot")

    refused(org, AddWorkunit(ticket_id=ticket_id, text_html="any news?"), org.carla, FORBIDDEN)
    refused(org, UpdateTicketFields(ticket_id=ticket_id, changes={"title": "x"}), org.carla,
            FORBIDDEN)
    refused(org, AttachFile(ticket_id=ticket_id, file_name="s.png", size=blob.size,
                            sha256=blob.sha256), org.carla, FORBIDDEN)
    turn(org, "external_users_may_modify", True)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="any news?"), org.carla)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "x"}), org.carla)


def test_edit_can_change_creator(org: Org) -> None:
    ticket_id = new_ticket(org, org.javi, org.support)
    change = {"creator_id": str(org.tomas)}

    refused(org, UpdateTicketFields(ticket_id=ticket_id, changes=change), org.javi, FORBIDDEN)
    refused(org, CreateTicket(title="t", group_id=org.support, creator_id=org.tomas), org.javi,
            FORBIDDEN)
    turn(org, "edit_can_change_creator", True)
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes=change), org.javi)
    assert ticket(org, ticket_id).creator_id == org.tomas


def test_allow_creation_date(org: Org) -> None:
    back_then = org.now.replace(year=2025)
    backdated = CreateTicket(title="t", group_id=org.acme_group, created_at=back_then)

    error = refused(org, backdated, org.ana, VALIDATION)
    assert error.field == "created_at"
    turn(org, "allow_creation_date", True)
    org.do(backdated, org.ana)
    assert ticket(org, backdated.ticket_id).created_at == back_then
    refused(org, CreateTicket(title="t", group_id=org.acme_group,
                              created_at=org.now.replace(year=2027)), org.ana, VALIDATION)


def test_editor_adds_workunit_on_create(org: Org) -> None:
    assert workunits(org, new_ticket(org, org.ana)) == []
    turn(org, "editor_adds_workunit_on_create", True)
    turn(org, "workunit_default_hours", 0.5)

    [added] = workunits(org, new_ticket(org, org.ramon, creator_id=org.ana))

    assert (added.author_id, added.hours) == (org.ramon, 0.5)


def test_max_attachment_mb(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    blob = org.ws.blobs.put_bytes(b"\0" * (MB + 1))
    attach = AttachFile(ticket_id=ticket_id, file_name="dump.bin", size=blob.size,
                        sha256=blob.sha256)
    turn(org, "max_attachment_mb", 1)

    error = refused(org, attach, org.ana, VALIDATION)

    assert "1 MB" in error.message
    assert "dump.bin" in error.message
    turn(org, "max_attachment_mb", 2)
    org.do(attach, org.ana)
