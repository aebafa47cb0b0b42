"""How ticket-list cells read: dates long or approximate, people, titles. No Qt here.

Kept apart from the model so the wording is tested with plain asserts, and so other
lists (a search result, a report) can say things the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktopdesk.domain.ticket_list_query import ListedTicket

LONG_DATE = "%Y/%m/%d %H:%M:%S"

_UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


@dataclass(frozen=True)
class ListDisplay:
    """The desktop's preferences for how the list reads (settings ``show_full_names``,
    ``date_format``)."""

    full_names: bool = False
    approximate_dates: bool = False


def long_date(moment: dt.datetime) -> str:
    """Stored in UTC, shown in this computer's zone, as the manual's yyyy/mm/dd h:m:s."""
    return moment.astimezone().strftime(LONG_DATE)


def approximate_age(moment: dt.datetime, now: dt.datetime) -> str:
    """"1 day, 2 hours": the two largest units, the way Integria's lists say it."""
    seconds = int((now - moment).total_seconds())
    if seconds < 0:
        return "in the future"
    if seconds < 60:
        return "just now"
    parts: list[str] = []
    for name, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}" if count == 1 else f"{count} {name}s")
        elif parts:
            break  # "1 day, 2 hours", never "1 month, 0 weeks, 3 days"
        if len(parts) == 2:
            break
    return ", ".join(parts)


def date_text(moment: dt.datetime, display: ListDisplay, now: dt.datetime) -> str:
    return approximate_age(moment, now) if display.approximate_dates else long_date(moment)


def person_text(username: str, full_name: str, display: ListDisplay) -> str:
    return full_name if display.full_names else username


def person_tooltip(username: str, full_name: str) -> str:
    return f"{full_name} ({username})"


def title_text(ticket: ListedTicket) -> str:
    """The title, then the type and the custom fields marked "show in list"."""
    extras = [ticket.type_name] if ticket.type_name else []
    extras += [f"{label}: {value}" for label, value in ticket.list_fields]
    return " · ".join([ticket.title, *extras])
