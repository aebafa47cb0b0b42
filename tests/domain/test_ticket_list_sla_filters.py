"""The list's SLA filters: "SLA fired", "compliance below/above N %", and the fired limits
each row carries for its SLA icon's tooltip."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select, text, update

from desktopdesk.domain import acl
from desktopdesk.domain.commands import CreateSla, CreateTicket
from desktopdesk.domain.sla_model import Limit
from desktopdesk.domain.ticket_list_query import (
    ListedTicket,
    SortKey,
    TicketFilter,
    TicketSort,
    count_listed,
    filter_clause,
    parse_limits,
    ticket_list_page,
    tickets_by_id,
)
from desktopdesk.models import Ticket, TicketSlaState
from tests.conftest import Org

EVERYTHING = TicketFilter(statuses=frozenset())


@dataclasses.dataclass(frozen=True)
class Sample:
    ids: list[uuid.UUID]
    #: ticket id -> its compliance_pct row value (absent: no state row at all).
    compliance: dict[uuid.UUID, int | None]
    fired: set[uuid.UUID]


#: Per ticket n: compliance of its state row; "none" = no row; None = a row with NULL.
_COMPLIANCE: list[int | str | None] = [
    100, 0, 50, 49, 51, "none", None, 80, 80, 20, 99, 1, "none", 65, 35, 70, None, 10]


@pytest.fixture
def sample(org: Org) -> Sample:
    """18 tickets in Support and Acme with varied compliance rows, a few fired."""
    sla = org.do(CreateSla(name="Gold"), org.admin).created_id
    assert sla is not None
    ids: list[uuid.UUID] = []
    for n in range(len(_COMPLIANCE)):
        group = (org.support, org.acme_group)[n % 2]
        actor = org.tomas if group == org.acme_group else org.javi
        at = org.now + dt.timedelta(minutes=n // 3)  # ties, for the keyset tiebreak
        created = org.do(CreateTicket(title=f"Ticket {'ABC'[n % 3]}", group_id=group),
                         actor, at).created_id
        assert created is not None
        ids.append(created)
    compliance: dict[uuid.UUID, int | None] = {}
    fired = {ids[n] for n in (1, 3, 9, 12)}
    limits = {ids[1]: "response,inactivity", ids[3]: "resolution", ids[9]: "bogus,response"}
    with org.ws.sessions.begin() as session:  # what the authority's SLA pass writes
        for ticket_id, value in zip(ids, _COMPLIANCE, strict=True):
            if value == "none":
                continue
            assert not isinstance(value, str)
            compliance[ticket_id] = value
            session.add(TicketSlaState(ticket_id=ticket_id, sla_id=sla, compliance_pct=value,
                                       fired_limits=limits.get(ticket_id, "")))
        session.execute(update(Ticket).where(Ticket.id.in_(fired)).values(affected_sla_id=sla))
    return Sample(ids, compliance, fired)


def _all_pages(session: Any, perms: acl.Permissions, ticket_filter: TicketFilter,
               sort: TicketSort, limit: int) -> list[ListedTicket]:
    rows: list[ListedTicket] = []
    page = ticket_list_page(session, perms, ticket_filter, sort, limit=limit)
    rows.extend(page.rows)
    while page.next_cursor is not None:
        page = ticket_list_page(session, perms, ticket_filter, sort, limit=limit,
                                after=page.next_cursor)
        rows.extend(page.rows)
    return rows


def _listed(org: Org, user: uuid.UUID, **kwargs: Any) -> set[uuid.UUID]:
    with org.ws.read() as session:
        perms = acl.load_permissions(session, user)
        ticket_filter = dataclasses.replace(EVERYTHING, **kwargs)
        rows = _all_pages(session, perms, ticket_filter, TicketSort(), 5)
        assert count_listed(session, perms, ticket_filter) == len(rows)
        return {row.id for row in rows}


def _where(sample: Sample, test: Any) -> set[uuid.UUID]:
    return {t for t, value in sample.compliance.items() if value is not None and test(value)}


def test_sla_fired_lists_exactly_the_fired_tickets_and_not_fired_the_rest(
    org: Org, sample: Sample
) -> None:
    assert _listed(org, org.admin, sla_fired=True) == sample.fired
    assert _listed(org, org.admin, sla_fired=False) == set(sample.ids) - sample.fired
    assert _listed(org, org.admin, sla_fired=None) == set(sample.ids)


def test_compliance_below_and_above_are_strict_and_skip_tickets_never_evaluated(
    org: Org, sample: Sample
) -> None:
    below_50 = _listed(org, org.admin, compliance_below=50)
    assert below_50 == _where(sample, lambda v: v < 50)
    assert below_50 == {sample.ids[n] for n in (1, 3, 9, 11, 14, 17)}
    assert _listed(org, org.admin, compliance_above=50) == _where(sample, lambda v: v > 50)
    assert sample.ids[2] not in below_50 | _listed(org, org.admin, compliance_above=50)
    # No state row, or a row with nothing counted yet: neither 0 % nor 100 %.
    never = {sample.ids[n] for n in (5, 6, 12, 16)}
    assert not never & _listed(org, org.admin, compliance_below=101)
    assert not never & _listed(org, org.admin, compliance_above=-1)
    assert _listed(org, org.admin, compliance_below=0) == set()
    assert _listed(org, org.admin, compliance_above=100) == set()


def test_both_bounds_give_the_range_between_and_combine_with_other_filters(
    org: Org, sample: Sample
) -> None:
    between = _listed(org, org.admin, compliance_above=30, compliance_below=80)
    assert between == _where(sample, lambda v: 30 < v < 80)
    assert between == {sample.ids[n] for n in (2, 3, 4, 13, 14, 15)}
    fired_and_low = _listed(org, org.admin, compliance_below=50, sla_fired=True)
    assert fired_and_low == {sample.ids[n] for n in (1, 3, 9)}
    acme = _listed(org, org.admin, compliance_below=50, group_ids=frozenset({org.acme_group}))
    assert acme == {sample.ids[n] for n in (1, 3, 9, 11, 17)}


def test_a_customer_filtering_on_compliance_sees_only_her_tickets(
    org: Org, sample: Sample
) -> None:
    javi_sees = _listed(org, org.javi, compliance_below=101)
    assert javi_sees == {t for t in _where(sample, lambda v: True)
                         if sample.ids.index(t) % 2 == 0}  # Support only
    assert _listed(org, org.ana, compliance_below=101) == {
        t for t in _where(sample, lambda v: True) if sample.ids.index(t) % 2 == 1}
    assert _listed(org, org.outsider, compliance_below=101, sla_fired=True) == set()


@pytest.mark.parametrize("key", [SortKey.UPDATED, SortKey.NUMBER, SortKey.SLA, SortKey.TITLE,
                                 SortKey.OWNER])
def test_keyset_pages_under_a_compliance_filter_list_each_match_once_in_order(
    org: Org, sample: Sample, key: SortKey
) -> None:
    ticket_filter = dataclasses.replace(EVERYTHING, compliance_above=15)
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.admin)
        for descending in (False, True):
            sort = TicketSort(key, descending)
            whole = [r.id for r in _all_pages(session, perms, EVERYTHING, sort, 100)]
            want = [t for t in whole if sample.compliance.get(t) is not None
                    and (sample.compliance[t] or 0) > 15]
            for limit in (1, 3, 4):
                listed = [r.id for r in _all_pages(session, perms, ticket_filter, sort, limit)]
                assert listed == want, (key, descending, limit)


def test_rows_name_the_limits_in_breach_only_while_an_sla_is_fired(
    org: Org, sample: Sample
) -> None:
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.admin)
        rows = tickets_by_id(session, perms, EVERYTHING, sample.ids)
    assert rows[sample.ids[1]].sla_fired_limits == (Limit.RESPONSE, Limit.INACTIVITY)
    assert rows[sample.ids[3]].sla_fired_limits == (Limit.RESOLUTION,)
    assert rows[sample.ids[9]].sla_fired_limits == (Limit.RESPONSE,)  # unknown name dropped
    assert rows[sample.ids[12]].sla_fired_limits == ()  # fired, no state row synced yet
    assert rows[sample.ids[0]].sla_fired_limits == ()
    with org.ws.sessions.begin() as session:  # the SLA cleared; the state row lags behind
        session.execute(update(Ticket).where(Ticket.id == sample.ids[1])
                        .values(affected_sla_id=None))
    with org.ws.read() as session:
        row = tickets_by_id(session, acl.load_permissions(session, org.admin), EVERYTHING,
                            [sample.ids[1]])[sample.ids[1]]
    assert not row.sla_fired
    assert row.sla_fired_limits == ()


def test_parse_limits_reads_the_stored_list() -> None:
    assert parse_limits("inactivity,response") == (Limit.RESPONSE, Limit.INACTIVITY)
    assert parse_limits("") == parse_limits(None) == ()


def test_the_compliance_filter_walks_the_compliance_index(org: Org, sample: Sample) -> None:
    """The filter reads ticket_sla_states through its index, not by scanning the table."""
    ticket_filter = dataclasses.replace(EVERYTHING, compliance_below=40)
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.javi)
        query = select(Ticket.id).where(filter_clause(session, perms, ticket_filter))
        compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = " ".join(str(row[-1]) for row in session.execute(
            text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "ix_ticket_sla_states_compliance" in plan, plan
