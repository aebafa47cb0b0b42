"""SLA definitions and what the SLA engine (``desktopdesk.domain.sla_engine``) records.

The engine itself is pure Python in the domain; these rows are its inputs (``Sla``) and
what it keeps between passes: each ticket's compliance as last evaluated
(``TicketSlaState``, replicated so lists can filter on it offline), the notices it
raised (``SlaNotice``) and when each ticket is next due (``SlaSchedule``); the last two
are the authority's own bookkeeping (the mail notices ask for comes with the
notifications work).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base, Replicated, new_id
from desktopdesk.models.codes import SlaType


class Sla(Replicated, Base):
    __tablename__ = "slas"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: Informative link only, as in Integria.
    base_sla_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("slas.id"))
    sla_type: Mapped[SlaType] = mapped_column(default=SlaType.NORMAL)
    #: Each limit in hours; 0 means the limit is not checked.
    max_response_hours: Mapped[float] = mapped_column(default=48.0)
    max_resolution_hours: Mapped[float] = mapped_column(default=480.0)
    max_open_tickets: Mapped[int] = mapped_column(default=10)
    max_inactivity_hours: Mapped[float] = mapped_column(default=96.0)
    day_start_hour: Mapped[int] = mapped_column(default=8)
    day_end_hour: Mapped[int] = mapped_column(default=18)
    no_sla_on_weekends: Mapped[bool] = mapped_column(default=True)
    no_sla_on_holidays: Mapped[bool] = mapped_column(default=True)
    enforced: Mapped[bool] = mapped_column(default=True)
    #: Integria's way: every hour counts towards a limit, working hours, weekends and
    #: holidays only delay the moment a breach is declared. For teams migrating from it.
    wall_clock: Mapped[bool] = mapped_column(default=False, server_default="0")


class TicketSlaState(Replicated, Base):
    """A ticket's SLA standing as the authority last evaluated it.

    Written only by the SLA pass (``desktopdesk.domain.sla_state``), and only when a
    value shown changes: the compliance is kept in whole percent so a ticket in breach
    does not travel to every desktop at every pass. Which SLA is fired stays on the
    ticket (``Ticket.affected_sla_id``), where the list sorts on it.
    """

    __tablename__ = "ticket_sla_states"
    __table_args__ = (Index("ix_ticket_sla_states_compliance", "compliance_pct", "ticket_id"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    sla_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("slas.id", ondelete="SET NULL"))
    #: Lifetime compliance, 0..100; NULL while no counted time has passed.
    compliance_pct: Mapped[int | None] = mapped_column()
    #: The limits in breach now, comma separated (``response,inactivity``); "" if none.
    fired_limits: Mapped[str] = mapped_column(String(60), default="")
    fired_since: Mapped[dt.datetime | None] = mapped_column()


class SlaNotice(Base):
    """One breach the authority told someone about (or would have, for an SLA that is
    informative only): at most one per ticket, limit and notification period.

    ``ticket_id`` is NULL for a group over its SLA's open-ticket cap (``group_id`` set).
    ``mail_wanted`` is the SLA's "enforced"; ``mailed_at`` stays NULL until mail exists.
    """

    __tablename__ = "sla_notices"
    __table_args__ = (Index("ix_sla_notices_subject", "ticket_id", "group_id", "limit_kind", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"))
    group_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    sla_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("slas.id", ondelete="CASCADE"))
    #: ``desktopdesk.domain.sla_model.Limit`` value, or ``max_open`` for a group.
    limit_kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column()
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    mail_wanted: Mapped[bool] = mapped_column(default=True)
    mailed_at: Mapped[dt.datetime | None] = mapped_column()
    #: What was in breach, in words (the limit and the times), for the mail and the log.
    detail: Mapped[str] = mapped_column(Text, default="")


class SlaSchedule(Base):
    """When a ticket's SLA standing next changes by time alone (a deadline, or the
    compliance moving a whole percent): the scheduled pass evaluates only tickets due,
    not every open ticket (``desktopdesk.domain.sla_forecast``). ``due_at`` NULL: only a
    command on the ticket or a change of the SLAs can change it. The authority's own
    bookkeeping, not replicated.
    """

    __tablename__ = "sla_schedule"

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    due_at: Mapped[dt.datetime | None] = mapped_column(index=True)
