"""Setup of people: companies, user accounts, profiles, and the holiday calendar.

Super-admins only (Integria's "incident setup"). The last enabled super-admin cannot be
disabled or demoted: nobody could administer the system any more.
"""

from __future__ import annotations

import math
import re

from sqlalchemy import func, select

from desktopdesk.domain import acl
from desktopdesk.domain.admin_queries import parse_holiday_day
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import (
    AddHolidays,
    CreateCompany,
    CreateProfile,
    CreateUser,
    RemoveHoliday,
    UpdateCompany,
    UpdateProfile,
    UpdateUser,
)
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.domain.handlers.admin_common import require_unique
from desktopdesk.domain.handlers.common import (
    normalise_emails,
    require_new_id,
    require_row,
    require_text,
)
from desktopdesk.models import Company, Holiday, Profile, User, UserKind

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")
MAX_HOLIDAY_NAME = 100


# --- Companies ----------------------------------------------------------------------------


@handles(CreateCompany)
def create_company(action: Action, cmd: CreateCompany) -> CommandResult:
    acl.require_superadmin(action.perms, "create companies")
    require_new_id(action.session, Company, cmd.company_id, "company", "company_id")
    name = require_text(cmd.name, "The company name", "name", 200)
    require_unique(action, Company, Company.name, name, "company", "name")
    action.session.add(Company(id=cmd.company_id, name=name))
    return action.result(created_id=cmd.company_id, config_changed=True)


@handles(UpdateCompany)
def update_company(action: Action, cmd: UpdateCompany) -> CommandResult:
    acl.require_superadmin(action.perms, "change companies")
    company = require_row(action.session, Company, cmd.company_id, "company", "company_id")
    name = require_text(cmd.name, "The company name", "name", 200)
    require_unique(action, Company, Company.name, name, "company", "name", except_id=company.id)
    company.name = name
    return action.result(config_changed=True)


# --- Users --------------------------------------------------------------------------------


def _user_kind(raw: str) -> UserKind:
    try:
        return UserKind(raw)
    except ValueError:
        raise DomainError(VALIDATION, "A user is 'grouped' or 'independent'.", "kind") from None


def _email(raw: str) -> str:
    emails = normalise_emails((raw,), "email")
    return emails[0] if emails else ""


@handles(CreateUser)
def create_user(action: Action, cmd: CreateUser) -> CommandResult:
    acl.require_superadmin(action.perms, "create users")
    require_new_id(action.session, User, cmd.user_id, "user", "user_id")
    username = cmd.username.strip().lower()
    if not _USERNAME.fullmatch(username):
        raise DomainError(VALIDATION, "A username is 2-60 characters: letters, digits, '.', "
                                      "'_' or '-', starting with a letter or digit.", "username")
    require_unique(action, User, User.username, username, "user", "username")
    full_name = require_text(cmd.full_name, "The full name", "full_name", 200)
    email = _email(cmd.email)
    if cmd.company_id is not None:
        require_row(action.session, Company, cmd.company_id, "company", "company_id")
    action.session.add(User(
        id=cmd.user_id, username=username, full_name=full_name, email=email,
        company_id=cmd.company_id, kind=_user_kind(cmd.kind),
        is_superadmin=cmd.is_superadmin, enabled=cmd.enabled,
    ))
    return action.result(created_id=cmd.user_id, config_changed=True)


@handles(UpdateUser)
def update_user(action: Action, cmd: UpdateUser) -> CommandResult:
    acl.require_superadmin(action.perms, "change user accounts")
    session = action.session
    user = require_row(session, User, cmd.user_id, "user", "user_id")
    full_name = require_text(cmd.full_name, "The full name", "full_name", 200)
    email = _email(cmd.email)
    if cmd.company_id is not None:
        require_row(session, Company, cmd.company_id, "company", "company_id")
    kind = _user_kind(cmd.kind)
    if user.is_superadmin and user.enabled and not (cmd.is_superadmin and cmd.enabled):
        others = session.scalar(select(func.count()).select_from(User).where(
            User.is_superadmin.is_(True), User.enabled.is_(True), User.id != user.id))
        if not others:
            field = "enabled" if not cmd.enabled else "is_superadmin"
            change = "disabled" if not cmd.enabled else "demoted"
            raise DomainError(VALIDATION, f"{user.full_name} is the last enabled super-admin "
                                          f"and cannot be {change}; make someone else a "
                                          "super-admin first.", field)
    user.full_name = full_name
    user.email = email
    user.company_id = cmd.company_id
    user.kind = kind
    user.is_superadmin = cmd.is_superadmin
    user.enabled = cmd.enabled
    return action.result(config_changed=True)


# --- Profiles -----------------------------------------------------------------------------


def _hourly_rate(rate: float) -> float:
    if not math.isfinite(rate) or rate < 0:
        raise DomainError(VALIDATION, "The hourly rate must be zero or more.", "hourly_rate")
    return rate


@handles(CreateProfile)
def create_profile(action: Action, cmd: CreateProfile) -> CommandResult:
    acl.require_superadmin(action.perms, "create profiles")
    require_new_id(action.session, Profile, cmd.profile_id, "profile", "profile_id")
    name = require_text(cmd.name, "The profile name", "name", 100)
    require_unique(action, Profile, Profile.name, name, "profile", "name")
    action.session.add(Profile(
        id=cmd.profile_id, name=name, can_view=cmd.can_view, can_edit=cmd.can_edit,
        can_manage=cmd.can_manage, can_escalate=cmd.can_escalate, can_qa=cmd.can_qa,
        hourly_rate=_hourly_rate(cmd.hourly_rate),
    ))
    return action.result(created_id=cmd.profile_id, config_changed=True)


@handles(UpdateProfile)
def update_profile(action: Action, cmd: UpdateProfile) -> CommandResult:
    acl.require_superadmin(action.perms, "change profiles")
    profile = require_row(action.session, Profile, cmd.profile_id, "profile", "profile_id")
    name = require_text(cmd.name, "The profile name", "name", 100)
    require_unique(action, Profile, Profile.name, name, "profile", "name", except_id=profile.id)
    profile.hourly_rate = _hourly_rate(cmd.hourly_rate)
    profile.name = name
    profile.can_view = cmd.can_view
    profile.can_edit = cmd.can_edit
    profile.can_manage = cmd.can_manage
    profile.can_escalate = cmd.can_escalate
    profile.can_qa = cmd.can_qa
    return action.result(config_changed=True)


# --- Holidays -----------------------------------------------------------------------------


@handles(AddHolidays)
def add_holidays(action: Action, cmd: AddHolidays) -> CommandResult:
    """Each pair is a line of the list: a bad one is refused by its line number, and
    nothing is added; days already in the calendar, or repeated, are skipped."""
    acl.require_superadmin(action.perms, "change the holiday calendar")
    if not cmd.holidays:
        raise DomainError(VALIDATION, "Give at least one date.", "holidays")
    wanted: dict[str, str] = {}
    for line, (raw_day, raw_name) in enumerate(cmd.holidays, start=1):
        day = parse_holiday_day(raw_day, line)
        name = raw_name.strip()
        if len(name) > MAX_HOLIDAY_NAME:
            raise DomainError(VALIDATION, f"Line {line}: a holiday's name has at most "
                                          f"{MAX_HOLIDAY_NAME} characters.", "holidays")
        wanted.setdefault(day, name)
    known = set(action.session.scalars(select(Holiday.day).where(Holiday.day.in_(wanted))))
    for day, name in sorted(wanted.items()):
        if day not in known:
            action.session.add(Holiday(day=day, name=name))
    skipped = len(cmd.holidays) - len(wanted) + len(known)
    warnings = (f"{skipped} of the {len(cmd.holidays)} dates were already in the calendar "
                "or repeated, and were skipped.",) if skipped else ()
    return action.result(config_changed=True, warnings=warnings)


@handles(RemoveHoliday)
def remove_holiday(action: Action, cmd: RemoveHoliday) -> CommandResult:
    acl.require_superadmin(action.perms, "change the holiday calendar")
    day = parse_holiday_day(cmd.day, None)
    holiday = action.session.scalar(select(Holiday).where(Holiday.day == day))
    if holiday is None:
        raise DomainError(VALIDATION, f"{day} is not in the holiday calendar.", "day")
    action.session.delete(holiday)
    return action.result(config_changed=True)
