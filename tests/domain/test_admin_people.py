"""Setup of people and the calendar: accounts, companies, profiles, holidays."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from desktopdesk.domain import acl
from desktopdesk.domain.admin_queries import (
    companies,
    holidays,
    parse_holiday_list,
    people,
    profiles,
)
from desktopdesk.domain.commands import (
    AddHolidays,
    AddWorkunit,
    CreateCompany,
    CreateUser,
    RemoveHoliday,
    UpdateCompany,
    UpdateProfile,
    UpdateUser,
)
from desktopdesk.domain.errors import FORBIDDEN, VALIDATION, DomainError
from desktopdesk.models import Company, User, UserKind
from tests.conftest import Org
from tests.domain.support import new_ticket, reading, refused


def update_user(org: Org, user_id: uuid.UUID, **changes: Any) -> UpdateUser:
    """The account as it is, with ``changes``: what the user form sends."""
    with reading(org) as session:
        user = session.get(User, user_id)
        assert user is not None
        values: dict[str, Any] = {
            "full_name": user.full_name, "email": user.email, "company_id": user.company_id,
            "kind": user.kind.value, "is_superadmin": user.is_superadmin,
            "enabled": user.enabled}
    return UpdateUser(user_id=user_id, **{**values, **changes})


def user_row(org: Org, user_id: uuid.UUID) -> User:
    with reading(org) as session:
        user = session.get(User, user_id)
        assert user is not None
        return user


# --- Users --------------------------------------------------------------------------------


def test_an_account_is_edited_whole(org: Org) -> None:
    org.do(update_user(org, org.ana, full_name="Ana Ruiz", email="ANA@acme.example",
                       company_id=org.helpdesk_company, kind="independent"), org.admin)

    ana = user_row(org, org.ana)
    assert (ana.full_name, ana.email, ana.company_id, ana.kind) == (
        "Ana Ruiz", "ANA@acme.example", org.helpdesk_company, UserKind.INDEPENDENT)
    assert ana.username == "acme.ana"  # the username stays


@pytest.mark.parametrize(("changes", "field"), [
    ({"full_name": " "}, "full_name"),
    ({"email": "not-an-address"}, "email"),
    ({"company_id": uuid.UUID(int=1)}, "company_id"),
    ({"kind": "robot"}, "kind"),
])
def test_bad_account_values_are_refused(org: Org, changes: dict[str, Any], field: str) -> None:
    error = refused(org, update_user(org, org.ana, **changes), org.admin, VALIDATION)

    assert error.field == field
    assert user_row(org, org.ana).full_name == "Acme.Ana"


def test_a_disabled_account_can_do_nothing(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)

    org.do(update_user(org, org.ana, enabled=False), org.admin)

    refused(org, AddWorkunit(ticket_id=ticket_id, text_html="<p>hi</p>"), org.ana, FORBIDDEN)
    org.do(update_user(org, org.ana, enabled=True), org.admin)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>hi</p>"), org.ana)


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"enabled": False}, "enabled", "cannot be disabled"),
    ({"is_superadmin": False}, "is_superadmin", "cannot be demoted"),
])
def test_the_last_enabled_super_admin_stays(org: Org, change: dict[str, Any], field: str,
                                            words: str) -> None:
    error = refused(org, update_user(org, org.admin, **change), org.admin, VALIDATION)

    assert error.field == field
    assert "last enabled super-admin" in error.message
    assert words in error.message
    # With a second (enabled) super-admin, the first may step down.
    org.do(update_user(org, org.ramon, is_superadmin=True), org.admin)
    org.do(update_user(org, org.admin, **change), org.ramon)
    refused(org, update_user(org, org.ramon, **change), org.ramon, VALIDATION)


def test_a_disabled_super_admin_does_not_count(org: Org) -> None:
    spare = org.do(CreateUser(username="spare", full_name="Spare", is_superadmin=True,
                              enabled=False), org.admin).created_id
    assert spare is not None

    refused(org, update_user(org, org.admin, is_superadmin=False), org.admin, VALIDATION)


def test_the_people_list_shows_companies_and_roles(org: Org) -> None:
    with reading(org) as session:
        rows = {p.username: p for p in people(session)}

    assert rows["acme.ana"].company_name == "Acme"
    assert rows["indie.carla"].kind is UserKind.INDEPENDENT
    assert [p.username for p in rows.values() if p.is_superadmin] == ["admin"]


# --- Companies and profiles ---------------------------------------------------------------


def test_a_company_is_renamed_and_names_stay_unique(org: Org) -> None:
    org.do(UpdateCompany(company_id=org.acme_company, name="Acme Corp"), org.admin)

    error = refused(org, UpdateCompany(company_id=org.helpdesk_company, name="acme corp"),
                    org.admin, VALIDATION)

    assert error.field == "name"
    with reading(org) as session:
        company = session.get(Company, org.acme_company)
        assert company is not None
        assert company.name == "Acme Corp"
        assert {c.name: c.people for c in companies(session)} == {
            "Acme Corp": 2, "Northwind Support": 3}


def update_profile(profile_id: uuid.UUID, name: str, **bits: Any) -> UpdateProfile:
    values: dict[str, Any] = {"can_view": False, "can_edit": False, "can_manage": False,
                              "can_escalate": False, "can_qa": False, "hourly_rate": 0.0}
    return UpdateProfile(profile_id=profile_id, name=name, **{**values, **bits})


def test_profile_bits_decide_access_and_the_rate_is_kept(org: Org) -> None:
    org.do(update_profile(org.standard, "Standard user", can_view=True, can_edit=True,
                          can_manage=True, hourly_rate=45.5), org.admin)

    with reading(org) as session:
        assert acl.load_permissions(session, org.tomas).access(org.support).manage
        rates = {p.name: p.hourly_rate for p in profiles(session)}
    assert rates["Standard user"] == 45.5


@pytest.mark.parametrize(("name", "rate", "field"), [
    ("Incident manager", 1.0, "name"),
    ("Standard", -1.0, "hourly_rate"),
    ("Standard", float("inf"), "hourly_rate"),
])
def test_bad_profiles_are_refused(org: Org, name: str, rate: float, field: str) -> None:
    error = refused(org, update_profile(org.standard, name, hourly_rate=rate), org.admin,
                    VALIDATION)

    assert error.field == field


# --- Holidays -----------------------------------------------------------------------------


def calendar(org: Org) -> list[tuple[str, str]]:
    with reading(org) as session:
        return [(h.day, h.name) for h in holidays(session)]


def test_days_are_added_and_removed(org: Org) -> None:
    org.do(AddHolidays(holidays=(("2026-12-25", "Christmas"), ("2026-01-06", ""))), org.admin)

    assert calendar(org) == [("2026-01-06", ""), ("2026-12-25", "Christmas")]
    org.do(RemoveHoliday(day="2026-01-06"), org.admin)
    assert calendar(org) == [("2026-12-25", "Christmas")]
    error = refused(org, RemoveHoliday(day="2026-01-06"), org.admin, VALIDATION)
    assert "not in the holiday calendar" in error.message


def test_an_imported_list_skips_days_already_there(org: Org) -> None:
    org.do(AddHolidays(holidays=(("2026-12-25", "Christmas"),)), org.admin)
    pasted = "2026-12-25 Xmas again\n\n2026/12/26, Boxing Day\n2026-5-1;Labour day\n2026-12-26\n"

    result = org.do(AddHolidays(holidays=parse_holiday_list(pasted)), org.admin)

    assert calendar(org) == [("2026-05-01", "Labour day"), ("2026-12-25", "Christmas"),
                             ("2026-12-26", "Boxing Day")]
    assert result.warnings == ("2 of the 4 dates were already in the calendar or repeated, "
                               "and were skipped.",)
    with reading(org) as session:
        assert [h.day for h in holidays(session, 2027)] == []


def test_a_bad_date_is_refused_naming_its_line(org: Org) -> None:
    with pytest.raises(DomainError) as info:
        parse_holiday_list("2026-12-25\n\n2026-02-30 Not a day\n")
    assert info.value.message == "Line 3: '2026-02-30' is not a date (YYYY-MM-DD)."

    error = refused(org, AddHolidays(holidays=(("2026-12-25", ""), ("tomorrow", ""))),
                    org.admin, VALIDATION)
    assert error.message.startswith("Line 2: 'tomorrow' is not a date")
    assert error.field == "holidays"
    assert calendar(org) == []  # nothing of a refused list is added


def test_holidays_are_for_super_admins(org: Org) -> None:
    refused(org, AddHolidays(holidays=(("2026-12-25", ""),)), org.ramon, FORBIDDEN)

    assert calendar(org) == []


def test_companies_are_created_once(org: Org) -> None:
    refused(org, CreateCompany(name="ACME"), org.admin, VALIDATION)
    with reading(org) as session:
        assert len(session.scalars(select(Company)).all()) == 2
