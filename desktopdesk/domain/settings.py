"""Typed settings with defaults: the manual's "Advanced ticket configuration options".

Declared once here (key, type, default, scope, help) and stored as JSON values in the
``settings`` table; a key never stored reads as its default.
"""

from __future__ import annotations

import urllib.parse
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktopdesk.domain.errors import VALIDATION, DomainError
from desktopdesk.models import SettingValue

T = TypeVar("T", bool, int, float, str)

#: ``server`` settings are shared by every desktop (edited by super-admins);
#: ``desktop`` ones are this person's preferences on this machine.
Scope = Literal["server", "desktop"]


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    type: type[T]
    default: T
    scope: Scope
    label: str
    help: str
    choices: tuple[T, ...] = ()
    minimum: float | None = None
    #: A further check of a well-typed value: returns what is wrong with it, or None.
    check: Callable[[T], str | None] | None = None

    def coerce(self, raw: Any) -> T:
        """Check ``raw`` against the declared type and range, or say what is wrong."""
        # bool is an int subclass: refuse True for an int setting and 1 for a bool one.
        ok = isinstance(raw, self.type) and (self.type is bool) == isinstance(raw, bool)
        if self.type is float and isinstance(raw, int) and not isinstance(raw, bool):
            raw, ok = float(raw), True
        if not ok:
            raise DomainError(
                VALIDATION,
                f"Setting '{self.label}' needs a {self.type.__name__}, not {raw!r}.",
                self.key,
            )
        if self.choices and raw not in self.choices:
            allowed = ", ".join(str(c) for c in self.choices)
            raise DomainError(
                VALIDATION, f"Setting '{self.label}' must be one of: {allowed}.", self.key
            )
        if self.minimum is not None and raw < self.minimum:
            raise DomainError(
                VALIDATION, f"Setting '{self.label}' cannot be below {self.minimum}.", self.key
            )
        problem = self.check(raw) if self.check is not None else None
        if problem:
            raise DomainError(VALIDATION, f"Setting '{self.label}': {problem}", self.key)
        return raw


REGISTRY: dict[str, Setting[Any]] = {}


def _declare(setting: Setting[T]) -> Setting[T]:
    REGISTRY[setting.key] = setting
    return setting


# --- Visual options -----------------------------------------------------------------------
SHOW_CREATOR_IN_LIST = _declare(Setting(
    "show_creator_in_list", bool, True, "server", "Show ticket creator in lists",
    "Adds the creator column to ticket lists and searches."))
SHOW_OWNER_IN_LIST = _declare(Setting(
    "show_owner_in_list", bool, True, "server", "Show ticket owner in lists",
    "Adds the owner column to ticket lists and searches."))
MAX_SEARCH_RESULTS = _declare(Setting(
    "max_search_results", int, 1000, "server", "Maximum tickets per search",
    "A text search in the ticket list stops at this many matches and asks for a narrower "
    "search; 0 means no cap. The manual recommends 200-500.",
    minimum=0))
QUICK_EDIT = _declare(Setting(
    "quick_edit", bool, False, "server", "Enable quick edit",
    "Lets owner, priority and status be changed inline in the list, through the same rules."))
SHOW_FULL_NAMES = _declare(Setting(
    "show_full_names", bool, False, "desktop", "Show full names instead of usernames",
    "Lists show people by their full name rather than their username."))
DATE_FORMAT = _declare(Setting(
    "date_format", str, "long", "desktop", "Date format",
    "'long' shows yyyy/mm/dd h:m:s; 'approximate' shows e.g. '1 day, 2 hours'.",
    choices=("long", "approximate")))
WORKUNIT_COMPLETION_DATE = _declare(Setting(
    "workunit_completion_date", bool, False, "server", "Date of completion on workunits",
    "Shows a 'date of completion' on workunits, which may differ from when it was written."))

# --- Ticket behaviour ---------------------------------------------------------------------
QA_EVALUATION_DISABLED = _declare(Setting(
    "qa_evaluation_disabled", bool, False, "server", "Disable evaluation of tickets",
    "Creators are no longer asked to rate how a closed ticket was handled (each group can "
    "also switch evaluation off for its own tickets)."))
EDIT_CAN_CHANGE_CREATOR = _declare(Setting(
    "edit_can_change_creator", bool, False, "server", "Users with EDIT may change the creator",
    "Without it only MANAGE holders may change a ticket's creator."))
EDITOR_ADDS_WORKUNIT_ON_CREATE = _declare(Setting(
    "editor_adds_workunit_on_create", bool, False, "server",
    "Editor adds a workunit on ticket creation",
    "A workunit of the default time is added, by the editor, to every new ticket."))
ALLOW_TYPE_CHANGE = _declare(Setting(
    "allow_type_change", bool, True, "server", "Allow changing the ticket type",
    "When off, a ticket's type is fixed once created (super-admins can still change it)."))
ALLOW_CREATION_DATE = _declare(Setting(
    "allow_creation_date", bool, False, "server", "Allow setting the creation date",
    "Lets the person creating a ticket give its creation date and time."))
OWNER_IS_CREATOR = _declare(Setting(
    "owner_is_creator", bool, False, "server", "Ignore the group's default owner",
    "New tickets go to the person creating them instead of the group's default owner."))
REQUIRED_TICKET_TYPE = _declare(Setting(
    "required_ticket_type", bool, False, "server", "Ticket type required",
    "A ticket cannot be created without choosing a type."))
CREATOR_BLANK_BY_DEFAULT = _declare(Setting(
    "creator_blank_by_default", bool, False, "server", "Ignore the default creator",
    "The creator must be chosen explicitly instead of defaulting to the person typing."))
ALLOW_CREATOR_OWNER_CHANGE = _declare(Setting(
    "allow_creator_owner_change", bool, True, "server", "Allow changing creator and owner",
    "When off, nobody but super-admins may change a ticket's creator or owner."))
EXTERNAL_USERS_MAY_MODIFY = _declare(Setting(
    "external_users_may_modify", bool, True, "server", "Independent users may modify tickets",
    "Independent (external) users may edit and comment on the tickets they created."))
CREATOR_SEES_ALL_USERS = _declare(Setting(
    "creator_sees_all_users", bool, False, "server", "Creators can see all users",
    "User pickers show users of other groups too."))
IGNORE_GROUP_TEMPLATE_FOR_CREATOR = _declare(Setting(
    "ignore_group_template_for_creator", bool, False, "server",
    "Ignore the group's template for the creator",
    "Mail to a ticket's creator uses the general mail template, not the one of the ticket's "
    "group."))
AUTO_ASSIGN_BY_GROUP_RULES = _declare(Setting(
    "auto_assign_by_group_rules", bool, True, "server",
    "Auto-assign tickets by the group's assignment rule",
    "A new ticket filed without an owner follows its group's assignment rule (round-robin "
    "among members); when off, it goes to the group's default owner."))
EDITOR_IS_FIRST_TO_EDIT = _declare(Setting(
    "editor_is_first_to_edit", bool, False, "server", "Ticket editor is the first to edit it",
    "The first person other than the creator who changes a ticket becomes its editor, "
    "instead of whoever typed it in."))
AUTO_CLOSE_DAYS = _declare(Setting(
    "auto_close_days", int, 72, "server", "Auto-close after (days)",
    "Tickets not updated for this many days are closed as Expired, with a workunit by their "
    "owner saying why; those pending on a third person are left alone. Counted in days, as "
    "Integria counts them (its manual says hours). 0 disables it.",
    minimum=0))

# --- Workunit options ---------------------------------------------------------------------
WORKUNIT_DEFAULT_HOURS = _declare(Setting(
    "workunit_default_hours", float, 0.25, "server", "Workunit default time (hours)",
    "Time proposed for a new workunit; 0.25 is 15 minutes.", minimum=0))
SORT_WORKUNITS_BY_COMPLETION = _declare(Setting(
    "sort_workunits_by_completion", bool, False, "desktop", "Sort workunits by completion date",
    "Orders a ticket's workunits by their date of completion instead of newest first."))

# --- Files --------------------------------------------------------------------------------
MAX_ATTACHMENT_MB = _declare(Setting(
    "max_attachment_mb", int, 50, "server", "Largest attachment (MB)",
    "Files above this size are refused.", minimum=1))

# --- Work orders --------------------------------------------------------------------------


def _site_name_problem(name: str) -> str | None:
    if not name.strip():
        return "the site name cannot be empty: it heads every work order."
    if len(name) > 100:
        return f"the site name is too long ({len(name)} characters, at most 100)."
    return None


def _web_url_problem(url: str) -> str | None:
    """Empty, or an absolute http(s) address without spaces."""
    if not url:
        return None
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(
            ch.isspace() for ch in url):
        return (f"'{url}' is not a web address; give one such as "
                "https://helpdesk.example.com, or leave it empty.")
    return None


SITE_NAME = _declare(Setting(
    "site_name", str, "DesktopDesk", "server", "Site name",
    "Your organisation's name as work orders print it (the _sitename_ macro, the header "
    "and the author of the PDF).", check=_site_name_problem))
TICKET_WEB_URL = _declare(Setting(
    "ticket_web_url", str, "", "server", "Web address of tickets",
    "Where people open tickets in a browser; _url_ prints this address followed by "
    "/tickets/<number>. Empty: _url_ prints nothing.", check=_web_url_problem))

# --- SLA ----------------------------------------------------------------------------------


def _time_zone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone this machine knows, or None."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"'{name}' is not a known time zone (for example Europe/Madrid or UTC)."
    return None


SLA_TIME_ZONE = _declare(Setting(
    "sla_time_zone", str, "UTC", "server", "SLA time zone",
    "The zone of the SLAs' working hours, weekends and holidays (an IANA name such as "
    "Europe/Madrid): a working day starts at the start hour there, whatever zone each "
    "desktop is in.", check=_time_zone_problem))
SLA_NOTIFICATION_PERIOD_HOURS = _declare(Setting(
    "sla_notification_period_hours", int, 24, "server", "SLA notification period (hours)",
    "An owner is told of the same breach on the same ticket at most once in this many "
    "hours (and a group's default owner of its open-ticket cap).", minimum=1))


def stored_settings(session: Session) -> dict[str, Any]:
    """Every stored value at once: an action reads several settings, one query serves all."""
    return {key: value for key, value in session.execute(
        select(SettingValue.key, SettingValue.value))}


def read_setting(stored: dict[str, Any], setting: Setting[T]) -> T:
    if setting.key not in stored or stored[setting.key] is None:
        return setting.default
    return setting.coerce(stored[setting.key])


def get_setting(session: Session, setting: Setting[T]) -> T:
    stored = session.scalar(select(SettingValue.value).where(SettingValue.key == setting.key))
    return read_setting({setting.key: stored}, setting)


def lookup(key: str) -> Setting[Any]:
    try:
        return REGISTRY[key]
    except KeyError:
        raise DomainError(VALIDATION, f"There is no setting called '{key}'.", "key") from None
