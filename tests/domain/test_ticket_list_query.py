"""The desktop ticket list's query: keyset pages, filters, visibility, the text index."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from desktopdesk.domain import acl
from desktopdesk.domain.commands import (
    AddCustomField,
    AddWorkunit,
    ChangeSetting,
    ChangeStatus,
    CloseTicket,
    CreateGroup,
    CreateSla,
    CreateTicket,
    CreateTicketType,
    DeleteTicket,
    UpdateTicketFields,
)
from desktopdesk.domain.ticket_list_lookups import list_lookups, picker_people
from desktopdesk.domain.ticket_list_query import (
    OPEN_STATUSES,
    ListedTicket,
    SortKey,
    TicketFilter,
    TicketSort,
    count_listed,
    ticket_list_page,
    tickets_by_id,
)
from desktopdesk.domain.ticket_search import SEARCH_TABLES, search_words
from desktopdesk.models import (
    Group,
    Priority,
    Resolution,
    Status,
    Ticket,
    User,
    Workunit,
    WorkunitShare,
)
from desktopdesk.store.bootstrap import create_first_admin
from desktopdesk.store.workspace import Workspace
from tests.conftest import Org

EVERYTHING = TicketFilter(statuses=frozenset())


@dataclasses.dataclass
class Sample:
    ids: list[uuid.UUID]
    sla: uuid.UUID
    hardware: uuid.UUID
    reference_field: uuid.UUID


@pytest.fixture
def sample(org: Org) -> Sample:
    """25 tickets with many ties: five titles, equal timestamps, shared priorities and
    statuses, some provisional or unnumbered, some with an SLA fired."""
    sla = org.do(CreateSla(name="Gold"), org.admin).created_id
    hardware = org.do(CreateTicketType(name="Hardware"), org.admin).created_id
    assert sla is not None
    assert hardware is not None
    reference = org.do(AddCustomField(ticket_type_id=None, label="Customer reference",
                                      show_in_list=True), org.admin).created_id
    assert reference is not None
    priorities = list(Priority)
    ids = []
    for n in range(25):
        group = (org.support, org.acme_group)[n % 2]
        actor = (org.tomas, org.ana, org.ramon)[n % 3] if group == org.acme_group else org.javi
        at = org.now + dt.timedelta(minutes=n // 4)  # four tickets share each minute
        result = org.do(CreateTicket(
            title=f"Ticket {'ABCDE'[n % 5]}", group_id=group,
            priority=priorities[n % len(priorities)],
            ticket_type_id=hardware if n % 3 == 0 else None,
            custom_values={str(reference): f"CN-{n}"} if n % 4 == 0 else {},
        ), actor, at)
        assert result.created_id is not None
        ids.append(result.created_id)
    for n in (2, 7, 11):
        org.do(ChangeStatus(ticket_id=ids[n], status=Status.ASSIGNED), org.admin,
               org.now + dt.timedelta(minutes=n // 4))
    org.do(CloseTicket(ticket_id=ids[5], resolution=Resolution.FIXED), org.admin,
           org.now + dt.timedelta(minutes=1))
    with org.ws.sessions.begin() as session:  # states a command cannot make on its own
        session.execute(update(Ticket).where(Ticket.id.in_(ids[20:23]))
                        .values(number=None, provisional_number=7))  # tied provisional
        session.execute(update(Ticket).where(Ticket.id == ids[23])
                        .values(number=None, provisional_number=None))
        session.execute(update(Ticket).where(Ticket.id.in_(ids[3:9:2]))
                        .values(affected_sla_id=sla))
    return Sample(ids, sla, hardware, reference)


def _python_order(key: SortKey, full_names: bool, session: Any) -> Callable[[Ticket], Any]:
    """The order each sort promises, computed in Python from the rows themselves."""
    groups = {g.id: g.name for g in session.scalars(select(Group))}
    users = {u.id: u for u in session.scalars(select(User))}

    def person(user_id: uuid.UUID) -> tuple[Any, ...]:
        user = users[user_id]
        return (user.full_name, user_id) if full_names else (user.username,)

    match key:
        case SortKey.NUMBER:
            return lambda t: ((0, t.number, t.id) if t.number is not None
                              else (1, t.provisional_number or 0, t.id))
        case SortKey.SLA:
            return lambda t: ((0, "", t.id) if t.affected_sla_id is None
                              else (1, str(t.affected_sla_id), t.id))
        case SortKey.PRIORITY:
            return lambda t: ((0, 0, t.id) if t.priority is Priority.MAINTENANCE
                              else (1, int(t.priority), t.id))
        case SortKey.TITLE:
            return lambda t: (t.title, t.id)
        case SortKey.STATUS:
            return lambda t: (int(t.status), t.id)
        case SortKey.UPDATED:
            return lambda t: (t.updated_at, t.id)
        case SortKey.CREATED:
            return lambda t: (t.created_at, t.id)
        case SortKey.GROUP:
            return lambda t: (groups[t.group_id], int(t.status), t.id)
        case SortKey.OWNER:
            return lambda t: (*person(t.owner_id), int(t.status), t.id)
        case SortKey.CREATOR:
            return lambda t: (*person(t.creator_id), int(t.status), t.id)


def _all_pages(session: Any, perms: acl.Permissions, ticket_filter: TicketFilter,
               sort: TicketSort, limit: int) -> list[ListedTicket]:
    rows: list[ListedTicket] = []
    page = ticket_list_page(session, perms, ticket_filter, sort, limit=limit)
    rows.extend(page.rows)
    while page.next_cursor is not None:
        assert len(page.rows) == limit
        page = ticket_list_page(session, perms, ticket_filter, sort, limit=limit,
                                after=page.next_cursor)
        rows.extend(page.rows)
    return rows


@pytest.mark.parametrize("key", list(SortKey))
def test_keyset_pages_give_every_row_once_in_each_order(
    org: Org, sample: Sample, key: SortKey
) -> None:
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.ramon)
        tickets = [t for t in session.scalars(select(Ticket)) if acl.can_view(perms, t)]
        for full_names in (False, True):
            order = _python_order(key, full_names, session)
            expected = [t.id for t in sorted(tickets, key=order)]
            for descending in (False, True):
                sort = TicketSort(key, descending, full_names)
                for limit in (1, 4, 7, 100):
                    listed = [r.id for r in _all_pages(session, perms, EVERYTHING, sort, limit)]
                    want = list(reversed(expected)) if descending else expected
                    assert listed == want, (key, descending, full_names, limit)


def test_paging_on_after_a_new_ticket_neither_repeats_nor_skips(
    org: Org, sample: Sample
) -> None:
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.ramon)
        first = ticket_list_page(session, perms, EVERYTHING, limit=10)
    org.do(CreateTicket(title="Arrives meanwhile", group_id=org.support), org.javi,
           org.now + dt.timedelta(hours=1))
    with org.ws.read() as session:
        rest = _all_pages_from(session, acl.load_permissions(session, org.ramon), first)
    listed = [r.id for r in (*first.rows, *rest)]
    assert len(listed) == len(set(listed)) == 25


def _all_pages_from(session: Any, perms: acl.Permissions, page: Any) -> list[ListedTicket]:
    rows: list[ListedTicket] = []
    while page.next_cursor is not None:
        page = ticket_list_page(session, perms, EVERYTHING, limit=10, after=page.next_cursor)
        rows.extend(page.rows)
    return rows


def test_the_default_filter_hides_closed_tickets(org: Org, sample: Sample) -> None:
    assert TicketFilter().statuses == OPEN_STATUSES
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.admin)
        listed = {r.id for r in _all_pages(session, perms, TicketFilter(), TicketSort(), 50)}
        assert sample.ids[5] not in listed
        assert len(listed) == 24
        assert count_listed(session, perms, TicketFilter()) == 24
        assert count_listed(session, perms, EVERYTHING) == 25


def test_each_quick_filter_narrows_in_sql(org: Org, sample: Sample) -> None:
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.admin)
        tickets = list(session.scalars(select(Ticket)))

        def listed(**kwargs: Any) -> set[uuid.UUID]:
            ticket_filter = dataclasses.replace(EVERYTHING, **kwargs)
            return {r.id for r in _all_pages(session, perms, ticket_filter, TicketSort(), 9)}

        def where(test: Callable[[Ticket], bool]) -> set[uuid.UUID]:
            return {t.id for t in tickets if test(t)}

        assert listed(statuses=frozenset({Status.ASSIGNED})) == where(
            lambda t: t.status is Status.ASSIGNED) == {sample.ids[n] for n in (2, 7, 11)}
        assert listed(priorities=frozenset({Priority.MAINTENANCE, Priority.LOW})) == where(
            lambda t: t.priority in (Priority.MAINTENANCE, Priority.LOW))
        assert listed(group_ids=frozenset({org.acme_group})) == where(
            lambda t: t.group_id == org.acme_group)
        assert listed(owner_id=org.ramon) == where(lambda t: t.owner_id == org.ramon)
        assert listed(creator_id=org.ana) == where(lambda t: t.creator_id == org.ana) != set()
        assert listed(ticket_type_id=sample.hardware) == where(
            lambda t: t.ticket_type_id == sample.hardware)
        both = listed(owner_id=org.ramon, priorities=frozenset({Priority.MEDIUM}))
        assert both == where(lambda t: t.owner_id == org.ramon
                             and t.priority is Priority.MEDIUM)


def test_people_see_only_the_tickets_acl_lets_them(org: Org, sample: Sample) -> None:
    carla_ticket = org.do(CreateTicket(title="Ticket from Carla", group_id=org.independents),
                          org.carla).created_id
    with org.ws.read() as session:
        tickets = list(session.scalars(select(Ticket)))
        for user in (org.ramon, org.javi, org.ana, org.carla, org.outsider, org.admin):
            perms = acl.load_permissions(session, user)
            for ticket_filter in (EVERYTHING, dataclasses.replace(EVERYTHING, text="ticket")):
                listed = {r.id for r in _all_pages(session, perms, ticket_filter,
                                                   TicketSort(SortKey.TITLE), 6)}
                assert listed == {t.id for t in tickets if acl.can_view(perms, t)}, user
        carla = acl.load_permissions(session, org.carla)
        assert {r.id for r in _all_pages(session, carla, EVERYTHING, TicketSort(), 5)} == {
            carla_ticket}
        assert tickets_by_id(session, carla, EVERYTHING, sample.ids[:3]) == {}


def test_text_finds_words_in_titles_descriptions_workunits_and_custom_values(
    org: Org, sample: Sample
) -> None:
    described = org.do(CreateTicket(title="Toner", group_id=org.support,
                                    description_html="<p>The <b>impresión</b> is faint</p>"),
                       org.javi).created_id
    org.do(AddWorkunit(ticket_id=sample.ids[1], text_html="<p>Swapped the fuser unit</p>"),
           org.ramon)
    org.do(AddWorkunit(ticket_id=sample.ids[3], text_html="<p>Supplier quote 4471</p>",
                       is_private=True), org.ramon)
    with org.ws.read() as session:
        def found(user: uuid.UUID, words: str) -> set[uuid.UUID]:
            perms = acl.load_permissions(session, user)
            return {r.id for r in _all_pages(session, perms, TicketFilter(
                text=words, statuses=frozenset()), TicketSort(), 10)}

        assert found(org.admin, "impresion") == {described}  # accents do not matter
        assert found(org.admin, "FAINT impres") == {described}  # prefixes, any case, AND
        assert found(org.admin, "faint fuser") == set()  # every word must match
        assert found(org.admin, "fuser") == {sample.ids[1]}  # a workunit
        assert found(org.admin, "CN-8") == {sample.ids[8]}  # a custom value
        assert found(org.admin, "ticket B") == {sample.ids[n] for n in (1, 6, 11, 16, 21)}
        # A private workunit is the ramon's and his manager's, not the customer's.
        assert found(org.ramon, "4471") == {sample.ids[3]}
        assert found(org.ana, "4471") == set()
        assert found(org.admin, 'quote" OR "x') == set()  # typed syntax is just words
        assert found(org.admin, "") == found(org.admin, "  ,. ")


def test_text_index_follows_every_kind_of_write(org: Org, sample: Sample) -> None:
    """Commands, bulk Core updates and deletes (as the sync writes) keep FTS in step."""
    target = sample.ids[0]
    org.do(UpdateTicketFields(ticket_id=target, changes={"title": "Paper jam in tray two"}),
           org.javi)
    with org.ws.sessions.begin() as session:  # what sync's rebase does: executemany updates
        session.execute(update(Ticket), [{"id": sample.ids[1], "title": "Scanner offline"},
                                         {"id": sample.ids[2], "title": "Scanner noisy"}])
    org.do(DeleteTicket(ticket_id=sample.ids[4]), org.admin)
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.admin)

        def found(words: str) -> set[uuid.UUID]:
            return {r.id for r in _all_pages(session, perms, TicketFilter(
                text=words, statuses=frozenset()), TicketSort(), 10)}

        assert found("jam tray") == {target}
        assert found("scanner") == {sample.ids[1], sample.ids[2]}
        assert found("offline") == {sample.ids[1]}
        assert sample.ids[4] not in found("ticket")
        for table in SEARCH_TABLES:  # the index agrees with its content table, row by row
            session.execute(text(f"INSERT INTO {table}({table}, rank) "
                                 "VALUES ('integrity-check', 1)"))


def _capped_pages(session: Any, perms: acl.Permissions, ticket_filter: TicketFilter,
                  limit: int, cap: int) -> tuple[list[uuid.UUID], list[int]]:
    """Every row a capped list gives, page after page, and each page's ``capped_at``."""
    rows: list[uuid.UUID] = []
    marks: list[int] = []
    after = None
    while True:
        page = ticket_list_page(session, perms, ticket_filter, TicketSort(), limit=limit,
                                after=after, max_matches=cap)
        rows.extend(r.id for r in page.rows)
        marks.append(page.capped_at)
        if page.next_cursor is None:
            return rows, marks
        after = page.next_cursor


def test_a_text_search_stops_at_the_cap_and_says_so(org: Org, sample: Sample) -> None:
    search = TicketFilter(text="ticket", statuses=frozenset())
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.admin)
        everything = [r.id for r in _all_pages(session, perms, search, TicketSort(), 100)]
        assert len(everything) == 25
        for limit in (1, 3, 4, 7, 100):  # pages smaller, equal to, larger than the rest
            rows, marks = _capped_pages(session, perms, search, limit, cap=7)
            assert rows == everything[:7], limit
            assert marks[-1] == 7, limit
            assert set(marks[:-1]) <= {0}, limit
        assert count_listed(session, perms, search, max_matches=7) == 8, "more than 7"
        assert count_listed(session, perms, search) == 25


def test_a_search_within_the_cap_is_not_cut(org: Org, sample: Sample) -> None:
    search = TicketFilter(text="ticket B", statuses=frozenset())  # five tickets
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.admin)
        for cap in (5, 6):
            rows, marks = _capped_pages(session, perms, search, 2, cap)
            assert len(rows) == 5
            assert set(marks) == {0}, "all of them are listed"
            assert count_listed(session, perms, search, max_matches=cap) == 5


def test_no_cap_without_text_or_with_zero(org: Org, sample: Sample) -> None:
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.admin)
        for ticket_filter, cap in ((EVERYTHING, 3), (dataclasses.replace(EVERYTHING,
                                                                         text=" ,. "), 3),
                                   (dataclasses.replace(EVERYTHING, text="ticket"), 0)):
            rows, marks = _capped_pages(session, perms, ticket_filter, 4, cap)
            assert len(rows) == 25
            assert set(marks) == {0}
            assert count_listed(session, perms, ticket_filter, max_matches=cap) == 25
        page = ticket_list_page(session, perms, EVERYTHING, limit=4, max_matches=3)
        assert page.next_cursor is not None
        assert page.next_cursor.listed == 0, "the keyset cursor is as it always was"


def test_rows_carry_what_the_columns_show(org: Org, sample: Sample) -> None:
    org.do(AddWorkunit(ticket_id=sample.ids[0], text_html="<p>Still broken</p>"), org.javi)
    org.do(AddWorkunit(ticket_id=sample.ids[2], text_html="<p>Any news?</p>"), org.javi)
    org.do(AddWorkunit(ticket_id=sample.ids[2], text_html="<p>Looking</p>"), org.ramon,
           org.now + dt.timedelta(hours=2))
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.admin)
        rows = tickets_by_id(session, perms, EVERYTHING, sample.ids)
    first, second, third = rows[sample.ids[0]], rows[sample.ids[2]], rows[sample.ids[3]]
    assert first.type_name == "Hardware"
    assert first.list_fields == (("Customer reference", "CN-0"),)
    assert first.ball_in_our_court  # javi filed it and wrote last
    assert not second.ball_in_our_court  # ramon answered after javi
    assert third.sla_name == "Gold"
    assert third.sla_fired
    assert not first.sla_fired
    assert rows[sample.ids[20]].number_label == "#L7 (provisional)"
    assert rows[sample.ids[23]].number_label == "(unnumbered)"
    assert (first.group_name, first.creator_username, first.owner_username) == (
        "Support", "javi", first.owner_username)


def test_bad_pages_are_refused(org: Org) -> None:
    with org.ws.read() as session:
        perms = acl.load_permissions(session, org.admin)
        for limit in (0, 1001):
            with pytest.raises(ValueError, match="a page holds"):
                ticket_list_page(session, perms, limit=limit)


def test_search_words_are_cleaned_and_capped() -> None:
    assert search_words("Printer, PRINTER  jam!") == ["printer", "jam"]
    assert search_words("") == []
    assert len(search_words(" ".join(f"w{n}" for n in range(20)))) == 8


def test_pickers_offer_people_by_the_rule(org: Org) -> None:
    with org.ws.read() as session:
        def people(user: uuid.UUID) -> set[str]:
            return {p.username for p in picker_people(session,
                                                      acl.load_permissions(session, user))}

        assert people(org.carla) == {"indie.carla"}  # independents see only themselves
        assert "outsider" not in people(org.ramon)  # shares no group with him
        assert {"tomas", "javi", "acme.ana"} <= people(org.ramon)
        assert "outsider" in people(org.admin)
    org.do(ChangeSetting(key="creator_sees_all_users", value=True), org.admin)
    with org.ws.read() as session:
        assert "outsider" in {p.username for p in picker_people(
            session, acl.load_permissions(session, org.ramon))}


def test_lookups_offer_visible_groups_and_the_moves_the_mapping_allows(
    org: Org, sample: Sample
) -> None:
    with org.ws.read() as session:  # an independent filer: no group is hers to browse
        assert list_lookups(session, acl.load_permissions(session, org.carla)).groups == ()
    org.do(CreateTicket(title="Mine", group_id=org.independents), org.carla)
    with org.ws.read() as session:  # ...except the ones her tickets are in
        lookups = list_lookups(session, acl.load_permissions(session, org.carla))
        assert [g.name for g in lookups.groups] == ["Independent customers"]
        assert [t.name for t in lookups.types] == ["Hardware"]
        assert Status.CLOSED not in lookups.moves_from(Status.NEW)  # closing asks more
        assert Status.ASSIGNED in lookups.moves_from(Status.NEW)
        assert lookups.moves_from(Status.CLOSED) == (Status.REOPENED,)
        assert not lookups.settings.quick_edit


def test_on_postgresql_pages_and_text_work_the_same_way(tmp_path: Path, pg_url: str) -> None:
    """No FTS there: the text filter is ILIKE over the same four texts, still per text."""
    with Workspace.open(tmp_path / "pg", db_url=pg_url) as ws:
        admin = create_first_admin(ws)
        group = ws.execute(CreateGroup(name="Support"), admin).created_id
        assert group is not None
        at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
        ids = [ws.execute(CreateTicket(title=f"Ticket {'AB'[n % 2]} 100% done_{n}",
                                       group_id=group), admin, now=at).created_id
               for n in range(7)]  # one instant for all: ties everywhere
        ws.execute(AddWorkunit(ticket_id=ids[3], text_html="<p>Fuser swapped</p>"), admin)
        with ws.read() as session:
            perms = acl.load_permissions(session, admin)
            for key in SortKey:
                for descending in (False, True):
                    rows = _all_pages(session, perms, EVERYTHING,
                                      TicketSort(key, descending), 2)
                    assert {r.id for r in rows} == set(ids), key
                    assert len(rows) == len(ids), key

            def found(words: str) -> set[Any]:
                return {r.id for r in _all_pages(session, perms, dataclasses.replace(
                    EVERYTHING, text=words), TicketSort(), 3)}

            assert found("fuser") == {ids[3]}
            assert found("ticket b") == {ids[n] for n in (1, 3, 5)}
            assert found("100%") == set(ids)  # typed % and _ are text, not wildcards
            assert found("done_1") == {ids[1]}


def test_the_row_correlated_workunit_rule_agrees_with_the_python_one(
    org: Org, sample: Sample
) -> None:
    """What text search checks per listed ticket is ``acl.can_see_workunit``, in SQL."""
    support_ticket, acme_ticket = sample.ids[0], sample.ids[1]
    for ticket, author in ((support_ticket, org.ramon), (acme_ticket, org.ramon),
                           (acme_ticket, org.ana)):
        for private, internal in ((False, False), (True, False), (False, True)):
            if author == org.ana and (private or internal):
                continue  # customers write neither
            org.do(AddWorkunit(ticket_id=ticket, text_html="<p>Note</p>", is_private=private,
                               is_internal=internal,
                               shared_with_ids=(org.tomas,) if private else ()), author)
    with org.ws.read() as session:
        pairs = session.execute(select(Workunit, Ticket).join(
            Ticket, Ticket.id == Workunit.ticket_id)).all()
        for user in (org.ramon, org.tomas, org.javi, org.ana, org.bob, org.admin):
            perms = acl.load_permissions(session, user)
            in_sql = set(session.scalars(
                select(Workunit.id).join(Ticket, Ticket.id == Workunit.ticket_id)
                .where(acl.visible_workunits_of_ticket_row_clause(perms))))
            by_rule = {w.id for w, t in pairs if acl.can_see_workunit(
                perms, t, w, frozenset(s.user_id for s in session.scalars(
                    select(WorkunitShare).where(WorkunitShare.workunit_id == w.id))))}
            assert in_sql == by_rule, user
