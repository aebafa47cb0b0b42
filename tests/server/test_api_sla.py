"""GET /sla/metrics (filters, ranges, who sees what, bad parameters) and the ticket list's
SLA filters (``sla_fired``, ``compliance_below``, ``compliance_above``) over the demo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from desktopdesk.domain.acl import can_view, load_permissions
from desktopdesk.domain.sla_config import ticket_rules
from desktopdesk.domain.sla_engine import evaluate
from desktopdesk.domain.sla_timeline import timeline_for
from desktopdesk.models import Group, Ticket, TicketSlaState, User
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import API, DEMO_TODAY, FakeClock, login, user_id, walk_pages

METRICS = f"{API}/sla/metrics"


def get_metrics(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(METRICS, headers=headers, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


def measured(store: Workspace, username: str, *, start: dt.datetime | None = None,
             end: dt.datetime = DEMO_TODAY, **where: Any) -> set[int]:
    """Numbers of the tickets the metrics should cover, decided in Python: visible (by
    ``can_view``), held to an SLA, alive in [start, end), and matching ``where``
    (``group_id=``, ``owner_id=``)."""
    with store.read() as session:
        perms = load_permissions(session, user_id(store, username))
        sla_groups = set(session.scalars(select(Group.id).where(Group.sla_id.is_not(None))))
        found = set()
        for ticket in session.scalars(select(Ticket)):
            if (can_view(perms, ticket) and ticket.group_id in sla_groups
                    and not ticket.sla_disabled and ticket.created_at < end
                    and (start is None or ticket.closed_at is None
                         or ticket.closed_at >= start)
                    and all(getattr(ticket, k) == v for k, v in where.items())):
                assert ticket.number is not None
                found.add(ticket.number)
        return found


def error(response: Any, status: int, field: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == field, body
    message = body["message"]
    assert isinstance(message, str)
    return message


# --- Metrics --------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "ramon", "acme.ana", "indie.carla"])
def test_metrics_cover_exactly_the_tickets_with_an_sla_the_caller_may_see(
    client: TestClient, server_store: Workspace, username: str
) -> None:
    body = get_metrics(client, login(client, username))
    expected = measured(server_store, username)
    assert body["tickets"] == len(expected)
    assert sum(row["tickets"] for row in body["by_group"]) == body["tickets"]
    assert sum(row["tickets"] for row in body["by_owner"]) == body["tickets"]
    assert body["from"] is None
    assert dt.datetime.fromisoformat(body["to"]) == DEMO_TODAY
    if username == "admin":
        assert body["tickets"] > 10
        assert 0 <= body["compliance_pct"] <= 100
        assert body["ok_seconds"] + body["violated_seconds"] > 0


def test_one_ticket_gives_its_own_evaluation(
    client: TestClient, server_store: Workspace
) -> None:
    headers = login(client, "admin")
    numbers = sorted(measured(server_store, "admin"))
    checked = 0
    for number in numbers[:12]:
        body = get_metrics(client, headers, ticket=number)
        with server_store.read() as session:
            ticket = session.scalar(select(Ticket).where(Ticket.number == number))
            assert ticket is not None
            rules = ticket_rules(session, ticket.id)
            timeline = timeline_for(session, ticket.id)
        assert rules is not None
        assert timeline is not None
        evaluation = evaluate(timeline, rules, DEMO_TODAY)
        assert body["tickets"] == 1
        assert body["ok_seconds"] == pytest.approx(evaluation.ok_seconds, abs=0.01)
        assert body["violated_seconds"] == pytest.approx(evaluation.violated_seconds, abs=0.01)
        pct = evaluation.compliance_pct
        assert body["compliance_pct"] == (None if pct is None else pytest.approx(pct, abs=0.01))
        assert body["violations"]["total"] == len(evaluation.violations)
        assert body["resolution"]["count"] == (evaluation.resolved_at is not None)
        checked += 1
    assert checked


def test_group_by_name_or_id_and_owner_by_username_or_id(
    client: TestClient, server_store: Workspace
) -> None:
    headers = login(client, "admin")
    with server_store.read() as session:
        group_id, group_name = session.execute(
            select(Group.id, Group.name).where(Group.sla_id.is_not(None))
            .order_by(Group.name)).first() or (None, None)
    assert group_id is not None
    by_name = get_metrics(client, headers, group=group_name)
    assert get_metrics(client, headers, group=str(group_id)) == by_name
    assert by_name["tickets"] == len(measured(server_store, "admin", group_id=group_id)) > 0
    assert [row["group"]["name"] for row in by_name["by_group"]] == [group_name]

    ramon = user_id(server_store, "ramon")
    by_username = get_metrics(client, headers, owner="Ramon")
    assert get_metrics(client, headers, owner=str(ramon)) == by_username
    assert by_username["tickets"] == len(measured(server_store, "admin", owner_id=ramon)) > 0
    assert [row["owner"] for row in by_username["by_owner"]] == ["ramon"]

    both = get_metrics(client, headers, group=group_name, owner="ramon")
    assert both["tickets"] == len(measured(server_store, "admin", group_id=group_id,
                                           owner_id=ramon))


def test_a_date_range_measures_the_tickets_alive_in_it_naive_times_being_utc(
    client: TestClient, server_store: Workspace
) -> None:
    headers = login(client, "admin")
    start, end = DEMO_TODAY - dt.timedelta(days=20), DEMO_TODAY - dt.timedelta(days=10)
    naive = get_metrics(client, headers, **{"from": start.replace(tzinfo=None).isoformat(),
                                            "to": end.replace(tzinfo=None).isoformat()})
    zoned = get_metrics(client, headers, **{"from": start.isoformat().replace("+00:00", "Z"),
                                            "to": end.isoformat()})
    assert naive == zoned
    assert dt.datetime.fromisoformat(naive["from"]) == start
    assert dt.datetime.fromisoformat(naive["to"]) == end
    alive = measured(server_store, "admin", start=start, end=end)
    assert naive["tickets"] == len(alive)
    assert 0 < len(alive) < len(measured(server_store, "admin"))
    later = get_metrics(client, headers, **{"from": start.replace(tzinfo=None).isoformat()
                                            + "-05:00", "to": end.isoformat()})
    assert later["from"] != naive["from"]  # -05:00 is five hours later than UTC
    day_only = get_metrics(client, headers, **{"from": start.date().isoformat()})
    assert dt.datetime.fromisoformat(day_only["from"]) == dt.datetime.combine(
        start.date(), dt.time(), dt.UTC)
    future = get_metrics(client, headers, to=(DEMO_TODAY + dt.timedelta(days=5)).isoformat())
    assert dt.datetime.fromisoformat(future["to"]) == DEMO_TODAY  # never past now


def test_metrics_move_with_the_servers_clock(
    client: TestClient, server_store: Workspace, clock: FakeClock
) -> None:
    headers = login(client, "admin")
    before = get_metrics(client, headers)
    clock.advance(dt.timedelta(days=3))
    after = get_metrics(client, login(client, "admin"))  # the old token has expired
    assert dt.datetime.fromisoformat(after["to"]) == DEMO_TODAY + dt.timedelta(days=3)
    assert (after["ok_seconds"] + after["violated_seconds"]
            > before["ok_seconds"] + before["violated_seconds"])


def test_hidden_tickets_groups_and_people_answer_like_missing_ones(
    client: TestClient, server_store: Workspace
) -> None:
    headers = login(client, "acme.ana")
    hidden = sorted(measured(server_store, "admin") - measured(server_store, "acme.ana"))
    assert hidden
    missing = client.get(METRICS, headers=headers, params={"ticket": 999_999})
    refused = client.get(METRICS, headers=headers, params={"ticket": hidden[0]})
    assert error(missing, 404, "ticket") == error(refused, 404, "ticket")
    assert refused.content == missing.content

    with server_store.read() as session:
        perms = load_permissions(session, user_id(server_store, "acme.ana"))
        other = session.scalar(select(Group.name).where(Group.id.not_in(list(perms.by_group))))
    assert other is not None
    no_group = client.get(METRICS, headers=headers, params={"group": "No such group"})
    not_hers = client.get(METRICS, headers=headers, params={"group": other})
    assert not_hers.content == no_group.content
    error(not_hers, 404, "group")

    carla = login(client, "indie.carla")  # independent: knows only herself
    nobody = client.get(METRICS, headers=carla, params={"owner": "nobody.at.all"})
    someone = client.get(METRICS, headers=carla, params={"owner": "ramon"})
    assert nobody.content == someone.content
    error(someone, 404, "owner")
    assert get_metrics(client, carla, owner="indie.carla")["tickets"] == 0


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "last tuesday"}, "from"),
    ({"to": "2026-13-01"}, "to"),
    ({"from": "2026-03-01", "to": "2026-02-01"}, "from"),
    ({"from": "2026-03-01T10:00", "to": "2026-03-01T10:00Z"}, "from"),
    ({"ticket": "twelve"}, "ticket"),
    ({"ticket": 0}, "ticket"),
])
def test_bad_parameters_are_refused_naming_the_parameter(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.get(METRICS, headers=login(client, "admin"), params=params)
    message = error(response, 422, field)
    assert response.json()["code"] == "validation"
    assert field in message


def test_metrics_need_a_signed_in_caller(client: TestClient) -> None:
    assert client.get(METRICS).status_code == 401


# --- The ticket list's SLA filters -----------------------------------------------------


def _numbers(items: list[dict[str, Any]]) -> set[int]:
    return {item["number"] for item in items}


def test_the_ticket_list_filters_on_sla_fired_and_compliance(
    client: TestClient, server_store: Workspace
) -> None:
    """What the SLA pass left, made varied on purpose: some tickets fired, a spread of
    compliance values, one never evaluated."""
    with server_store.sessions.begin() as session:
        rows = session.execute(select(Ticket.id, Ticket.number, Group.sla_id)
                               .join(Group, Group.id == Ticket.group_id)
                               .where(Ticket.number.is_not(None), Group.sla_id.is_not(None))
                               .order_by(Ticket.number)).all()
        assert len(rows) >= 10
        session.execute(update(Ticket).values(affected_sla_id=None))
        session.execute(delete(TicketSlaState))
        compliance: dict[int, int | None] = {}
        for n, (ticket_id, number, sla_id) in enumerate(rows[:10]):
            value = None if n == 9 else n * 11  # 0, 11, ... 88; the last never counted
            assert number is not None
            compliance[number] = value
            session.add(TicketSlaState(ticket_id=ticket_id, sla_id=sla_id,
                                       compliance_pct=value))
            if n in (1, 4):
                session.execute(update(Ticket).where(Ticket.id == ticket_id)
                                .values(affected_sla_id=sla_id))
    fired = {rows[1][1], rows[4][1]}
    headers = login(client, "admin")
    everything = _numbers(walk_pages(client, headers, status="all", limit=500))

    assert _numbers(walk_pages(client, headers, status="all", sla_fired="true")) == fired
    assert _numbers(walk_pages(client, headers, status="all", sla_fired="false",
                               limit=7)) == everything - fired
    below = _numbers(walk_pages(client, headers, status="all", compliance_below=40, limit=2))
    assert below == {n for n, v in compliance.items() if v is not None and v < 40}
    assert len(below) == 4
    between = _numbers(walk_pages(client, headers, status="all", compliance_above=20,
                                  compliance_below=70))
    assert between == {n for n, v in compliance.items() if v is not None and 20 < v < 70}
    assert rows[9][1] not in _numbers(walk_pages(client, headers, status="all",
                                                 compliance_above=0))
    bad = client.get(f"{API}/tickets", headers=headers, params={"compliance_below": 150})
    error(bad, 422, "compliance_below")


def test_a_customer_filtering_the_list_on_compliance_sees_only_her_tickets(
    client: TestClient, server_store: Workspace
) -> None:
    with server_store.sessions.begin() as session:
        for ticket_id, sla_id in session.execute(
                select(Ticket.id, Group.sla_id).join(Group, Group.id == Ticket.group_id)
                .where(Group.sla_id.is_not(None))).all():
            state = session.scalar(select(TicketSlaState)
                                   .where(TicketSlaState.ticket_id == ticket_id))
            if state is None:
                session.add(TicketSlaState(ticket_id=ticket_id, sla_id=sla_id,
                                           compliance_pct=10))
            else:
                state.compliance_pct = 10
    headers = login(client, "acme.ana")
    with server_store.read() as session:
        ana = session.scalar(select(User).where(User.username == "acme.ana"))
        assert ana is not None
        perms = load_permissions(session, ana.id)
        hers = {t.number for t in session.scalars(select(Ticket).join(
            TicketSlaState, TicketSlaState.ticket_id == Ticket.id))
            if can_view(perms, t)}
    listed = _numbers(walk_pages(client, headers, status="all", compliance_below=50))
    assert listed == hers
    assert listed
