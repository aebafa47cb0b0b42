"""Three-way merge of field updates made against an older view (sync.md's merge table)."""

from __future__ import annotations

import itertools

import pytest

from desktopdesk.domain.commands import CreateTicket, UpdateTicketFields
from desktopdesk.domain.merge import three_way
from tests.conftest import Org
from tests.domain.support import history, new_ticket, ticket, workunits

# Every combination of base / current / new drawn from three distinct values.
VALUES = ("a", "b", "c")


@pytest.mark.parametrize(("base", "current", "new"), list(itertools.product(VALUES, repeat=3)))
@pytest.mark.parametrize("key", ["title", "description_html"])
def test_the_merge_table(key: str, base: str, current: str, new: str) -> None:
    outcome = three_way({key: current}, {key: new}, {key: base})

    if current == base:
        assert outcome.apply == {key: new}  # nobody else touched it
        assert not outcome.kept_theirs
        assert not outcome.overwrote
    elif current == new:
        assert outcome.apply == {}  # the same change already happened
        assert not outcome.kept_theirs
        assert not outcome.overwrote
    elif key == "description_html":
        assert outcome.apply == {}  # long text: keep theirs, the caller keeps ours
        assert outcome.kept_theirs == (key,)
    else:
        assert outcome.apply == {key: new}  # short field: last to arrive wins
        assert outcome.overwrote == (key,)


def test_a_field_without_a_base_is_applied_as_given() -> None:
    outcome = three_way({"title": "now", "priority": 1}, {"title": "mine", "priority": 3},
                        {"priority": 1})
    assert outcome.apply == {"title": "mine", "priority": 3}
    assert outcome.overwrote == ()
    outcome = three_way({"priority": 2}, {"priority": 3}, {})
    assert outcome.apply == {"priority": 3}


def test_offline_title_edit_overwrites_a_newer_one_and_history_keeps_it(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, title="Printer jams")
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "Printer jams (2F)"}),
           org.tomas)

    result = org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "Jam on HP 4250"},
                                       base={"title": "Printer jams"}), org.ramon)

    assert ticket(org, ticket_id).title == "Jam on HP 4250"
    assert any("title" in warning for warning in result.warnings)
    titles = [(e.old_value, e.new_value) for e in history(org, ticket_id, "field_changed")]
    assert titles == [
        ("Printer jams", "Printer jams (2F)"),
        ("Printer jams (2F)", "Jam on HP 4250"),
    ]


def test_offline_description_edit_becomes_a_workunit_when_the_text_moved_on(org: Org) -> None:
    command = CreateTicket(title="VPN", group_id=org.acme_group, description_html="<p>v1</p>")
    org.do(command, org.ana)
    org.do(UpdateTicketFields(ticket_id=command.ticket_id,
                              changes={"description_html": "<p>v2 by Ana</p>"}), org.ana)

    result = org.do(UpdateTicketFields(
        ticket_id=command.ticket_id, changes={"description_html": "<p>v2 by Ramón</p>"},
        base={"description_html": "<p>v1</p>"}), org.ramon)

    assert ticket(org, command.ticket_id).description_html == "<p>v2 by Ana</p>"
    (note,) = workunits(org, command.ticket_id)
    assert note.author_id == org.ramon
    assert "v2 by Ramón" in note.text_html
    assert "not applied" in note.text_html
    assert any("workunit" in warning for warning in result.warnings)


def test_an_edit_someone_already_made_changes_nothing(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana, title="Old")
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "New"}), org.tomas)
    before = len(history(org, ticket_id))

    result = org.do(UpdateTicketFields(ticket_id=ticket_id, changes={"title": "New"},
                                       base={"title": "Old"}), org.ramon)

    assert result.warnings == ()
    assert len(history(org, ticket_id)) == before


def test_custom_values_merge_by_field(org: Org) -> None:
    from desktopdesk.domain.commands import AddCustomField, CreateTicketType

    type_id = org.do(CreateTicketType(name="Incident"), org.admin).created_id
    field_id = org.do(AddCustomField(ticket_type_id=type_id, label="Asset tag"),
                      org.admin).created_id
    key = f"custom:{field_id}"
    ticket_id = new_ticket(org, org.ana, ticket_type_id=type_id, custom_values={key: "A-1"})
    org.do(UpdateTicketFields(ticket_id=ticket_id, changes={key: "A-2"}), org.tomas)

    result = org.do(UpdateTicketFields(ticket_id=ticket_id, changes={key: "A-3"},
                                       base={key: "A-1"}), org.ramon)

    assert any("Asset tag" in warning for warning in result.warnings)
