"""A ticket's macro values and work list, read once for a work order (or a mail).

Read through ``load_ticket_details``, so a document shows exactly what its reader may see
in the ticket view, with the same names. A work order is handed to the customer, so its
work list leaves out private and internal workunits even when the reader sees them, and
``_time_used_`` is the total of the work listed: the total on paper adds up.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktopdesk.documents.macros import MacroValues
from desktopdesk.domain.acl import Permissions
from desktopdesk.domain.html import sanitize_html
from desktopdesk.domain.ticket_details import TicketDetails, WorkunitEntry, load_ticket_details
from desktopdesk.models import FieldKind, User

#: How dates read on documents: in the reader's zone, to the minute.
MOMENT_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class WorkunitRow:
    """One line of a work order's work list."""

    #: When the work was done (its completion date when given), aware.
    done_at: dt.datetime
    author: str
    hours: float
    #: Sanitised HTML.
    text_html: str


@dataclass(frozen=True)
class WorkOrderData:
    """Everything a work order prints about one ticket, as inert values."""

    ticket_id: uuid.UUID
    #: "#812", or "#L3 (provisional)" for a ticket filed offline.
    ticket_label: str
    values: MacroValues
    #: Oldest first, as a delivery note reads.
    workunits: tuple[WorkunitRow, ...]


def moment_text(moment: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """Stored in UTC, printed in ``zone`` (None: this computer's)."""
    local = moment.astimezone(zone) if zone is not None else moment.astimezone()
    return local.strftime(MOMENT_FORMAT)


def hours_figure(hours: float) -> str:
    """"1.50": hours as a delivery note totals them, two decimals."""
    return f"{hours:.2f}"


def read_work_order(session: Session, perms: Permissions, ticket_id: uuid.UUID, *,
                    site_name: str, base_url: str = "",
                    zone: dt.tzinfo | None = None) -> WorkOrderData:
    """Raises the NOT_FOUND DomainError when ``perms``' person may not see the ticket.

    ``base_url`` is where the server shows tickets (``_url_`` is ``base_url/tickets/N``;
    empty without a server or before the ticket has its number).
    """
    details = load_ticket_details(session, perms, ticket_id)
    rows = tuple(_row(entry) for entry in sorted(
        (w for w in details.workunits if not (w.is_private or w.is_internal)),
        key=lambda w: (w.completed_at or w.created_at, w.created_at, str(w.id))))
    values = _values(session, details, rows, site_name=site_name, base_url=base_url, zone=zone)
    return WorkOrderData(details.id, details.number_label, values, rows)


def ticket_macro_values(session: Session, perms: Permissions, ticket_id: uuid.UUID, *,
                        site_name: str, base_url: str = "",
                        zone: dt.tzinfo | None = None) -> MacroValues:
    """The macro values alone (a mail template needs no work list)."""
    return read_work_order(session, perms, ticket_id, site_name=site_name, base_url=base_url,
                           zone=zone).values


def _row(entry: WorkunitEntry) -> WorkunitRow:
    return WorkunitRow(done_at=entry.completed_at or entry.created_at,
                       author=entry.author.full_name or entry.author.username,
                       hours=entry.hours, text_html=sanitize_html(entry.text_html))


def _values(session: Session, details: TicketDetails, rows: tuple[WorkunitRow, ...], *,
            site_name: str, base_url: str, zone: dt.tzinfo | None) -> MacroValues:
    owner, creator = details.owner, details.creator
    owner_company = _company(session, owner.id)
    creator_company = _company(session, creator.id)
    number = details.number_label.removeprefix("#")
    url = (f"{base_url.rstrip('/')}/tickets/{number}"
           if base_url and not details.provisional else "")
    values = {
        "sitename": site_name,
        "incident_title": details.title,
        "username": owner.username,
        "fullname": owner.full_name,
        "incident_id": number,
        "url": url,
        "creation_timestamp": moment_text(details.created_at, zone),
        "update_timestamp": moment_text(details.updated_at, zone),
        "owner": _with_company(owner.full_name, owner_company),
        "group": details.group.name,
        "author": _with_company(creator.full_name, creator_company),
        "type_tickets": details.ticket_type.name if details.ticket_type else "",
        "priority": details.priority.label,
        "status": details.status.label,
        "resolution": details.resolution.label,
        "time_used": f"{hours_figure(sum(row.hours for row in rows))} h",
        "incident_main_text": sanitize_html(details.description_html),
        "creatorcompany": creator_company,
        "ownercompany": owner_company,
        "incident_closed_by": details.closed_by.full_name if details.closed_by else "",
        "epilog": sanitize_html(details.epilogue_html),
    }
    labels: list[str] = []
    for spec in details.custom_fields:
        if spec.label in values:  # a standard name wins over a field named like it
            continue
        raw = details.custom_value(spec.id)
        values[spec.label] = (("Yes" if raw == "1" else "No" if raw == "0" else raw)
                              if spec.kind is FieldKind.CHECKBOX else raw)
        labels.append(spec.label)
    return MacroValues(values, frozenset({"incident_main_text", "epilog"}), tuple(labels))


def _company(session: Session, user_id: uuid.UUID) -> str:
    user = session.get(User, user_id)  # already in the session: the details read it
    return user.company.name if user is not None and user.company is not None else ""


def _with_company(name: str, company: str) -> str:
    """Integria's mail macros name people with their company: "Ana (Acme)"."""
    return f"{name} ({company})" if company else name
