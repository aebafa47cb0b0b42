"""The macro engine: what expands, what is left alone, what is reported; a ticket's values."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktopdesk.documents.macros import (
    STANDARD_MACROS,
    MacroValues,
    expand,
    find_macros,
    unknown_macro_message,
    unknown_macros,
)
from desktopdesk.documents.ticket_values import read_work_order, ticket_macro_values
from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.commands import (
    AddCustomField,
    AddWorkunit,
    ChangeStatus,
    CreateTicketType,
)
from desktopdesk.domain.errors import NOT_FOUND, DomainError
from desktopdesk.models import FieldKind, Status
from tests.conftest import T0, Org
from tests.domain.support import new_ticket, reading

VALUES = MacroValues(
    {"incident_title": "Printer <on> fire & smoke", "status": "Assigned",
     "incident_id": "812", "url": "https://desk.example.com/tickets/812?a=1&b=2",
     "incident_main_text": "<p>It <b>smokes</b>.</p>", "Hardware type": "Laptop",
     "R&D code": "RD-7"},
    html_names=frozenset({"incident_main_text"}),
    custom_labels=("Hardware type", "R&D code"),
)


def test_known_macros_expand_with_text_escaped_and_html_kept() -> None:
    result = expand("<p>#_incident_id_ (_status_): _incident_title_</p>_incident_main_text_",
                    VALUES)

    assert result.html == ("<p>#812 (Assigned): Printer &lt;on&gt; fire &amp; smoke</p>"
                           "<p>It <b>smokes</b>.</p>")
    assert result.unknown == ()


def test_custom_fields_expand_by_label_including_spaces_and_ampersands() -> None:
    # In HTML text the label's "&" is written "&amp;"; the macro still matches it.
    result = expand("<p>_Hardware type_ / _R&amp;D code_</p>", VALUES)

    assert result.html == "<p>Laptop / RD-7</p>"


@pytest.mark.parametrize("text", [
    "<p>my_status_field and incident_id_count</p>",
    "<p>__init__ and _private_var</p>",
    "<p>see http://a_b_c/_status_x and C:\\dir_status_\\</p>",
    "<p>file_incident_title_.txt</p>",
    "<p>x_sitename_y, _status_ok_ is not _status_</p>",
])
def test_underscores_in_ordinary_text_are_left_alone(text: str) -> None:
    values = MacroValues({"status": "OPEN", "incident_title": "T", "sitename": "S",
                          "incident_id": "1"})

    result = expand(text, values)

    # Only the last case holds a real macro, standing on its own.
    assert result.html == text.replace("is not _status_", "is not OPEN")


def test_an_unknown_macro_is_reported_and_printed_as_typed() -> None:
    result = expand("<p>_incident_titel_ for _Serial no_ on _status_</p>", VALUES)

    assert result.unknown == ("incident_titel", "Serial no")
    assert result.html == "<p>_incident_titel_ for _Serial no_ on Assigned</p>"


def test_the_message_for_an_unknown_macro_suggests_the_likely_name() -> None:
    known = set(STANDARD_MACROS)

    assert unknown_macro_message("incident_titel", known) == (
        "_incident_titel_ is not a known macro; it is printed as it was typed. "
        "Did you mean _incident_title_?")
    assert "Did you mean _sitename_?" in unknown_macro_message("SiteName", known)
    assert "Did you mean" not in unknown_macro_message("weather", known)


def test_unknown_macros_are_listed_once_each_in_order() -> None:
    template = "_b_ _a_ _b_ _status_ _a_"

    assert unknown_macros(template, {"status"}) == ("b", "a")


def test_addresses_and_paths_are_not_reported_as_unknown_macros() -> None:
    template = "<p>http://intranet/_layouts_/page.aspx and \\\\srv\\_share_\\x</p>"

    assert unknown_macros(template, STANDARD_MACROS) == ()


def test_find_macros_gives_positions_in_the_html_and_whether_known() -> None:
    template = '<p>Dear _fullname_,</p><a href="_url_">_nope_</a>'

    uses = find_macros(template, STANDARD_MACROS)

    assert [(u.name, u.known) for u in uses] == [("fullname", True), ("url", True),
                                                 ("nope", False)]
    assert all(template[u.start:u.end] == f"_{u.name}_" for u in uses)


def test_a_macro_in_an_attribute_gets_its_value_as_escaped_text() -> None:
    result = expand('<a href="_url_">_incident_main_text_</a><img alt="_incident_main_text_">',
                    VALUES)

    assert result.html == ('<a href="https://desk.example.com/tickets/812?a=1&amp;b=2">'
                           '<p>It <b>smokes</b>.</p></a><img alt="It smokes.">')


def test_values_are_not_expanded_again() -> None:
    values = MacroValues({"incident_title": "About _status_", "status": "Closed"})

    assert expand("_incident_title_", values).html == "About _status_"


def test_extra_known_names_are_left_in_place_unreported() -> None:
    result = expand("<p>_workunits_ _status_</p>", VALUES, extra_known={"workunits"})

    assert result == result.__class__("<p>_workunits_ Assigned</p>", ())


def test_macro_values_keep_their_own_copy() -> None:
    source = {"status": "New"}
    values = MacroValues(source)
    source["status"] = "Closed"

    assert values.values["status"] == "New"
    with pytest.raises(ValueError, match="without a value"):
        MacroValues({}, html_names=frozenset({"incident_main_text"}))


_WORDS = st.sampled_from([*STANDARD_MACROS, "foo", "bar", "x1"])


@given(st.lists(st.lists(_WORDS, min_size=2, max_size=4).map("_".join), min_size=1,
                max_size=6),
       st.sampled_from([" ", ", ", " / ", "\n"]))
def test_snake_case_identifiers_never_expand_even_made_of_macro_names(
        identifiers: list[str], separator: str) -> None:
    values = MacroValues({name: "EXPANDED" for name in STANDARD_MACROS})
    text = separator.join(identifiers)

    result = expand(text, values)

    assert result.html == text
    assert result.unknown == ()


# --- A ticket's values ------------------------------------------------------------------


def _hardware_ticket(org: Org) -> tuple[uuid.UUID, dict[str, uuid.UUID]]:
    hardware = org.do(CreateTicketType(name="Hardware incident"), org.admin).created_id
    assert hardware is not None
    fields: dict[str, uuid.UUID] = {}
    for label, kind in (("Serial number", FieldKind.TEXT), ("Under warranty", FieldKind.CHECKBOX),
                        ("Purchase date", FieldKind.DATE), ("Notes", FieldKind.TEXTAREA)):
        created = org.do(AddCustomField(ticket_type_id=hardware, label=label, kind=kind),
                         org.admin).created_id
        assert created is not None
        fields[label] = created
    ticket_id = new_ticket(
        org, org.ana, title="Écran noir — Экран — Οθόνη", ticket_type_id=hardware,
        description_html="<p>Black screen after the <b>update</b>.</p>",
        custom_values={str(fields["Serial number"]): "SN-Ωμέγα-42",
                       str(fields["Under warranty"]): "1"})
    return ticket_id, fields


def test_a_ticket_gives_every_standard_macro_and_its_custom_fields(org: Org) -> None:
    ticket_id, _ = _hardware_ticket(org)
    org.do(AddWorkunit(ticket_id=ticket_id, text_html="<p>Replaced the cable.</p>", hours=1.5),
           org.ramon, at=T0 + dt.timedelta(hours=2))
    org.do(ChangeStatus(ticket_id=ticket_id, status=Status.ASSIGNED), org.ramon,
           at=T0 + dt.timedelta(hours=3))

    with reading(org) as session:
        values = ticket_macro_values(session, load_permissions(session, org.ramon), ticket_id,
                                     site_name="Northwind Support",
                                     base_url="https://desk.example.com/", zone=dt.UTC)

    number = values.values["incident_id"]
    assert number.isdigit()
    assert {name: values.values[name] for name in STANDARD_MACROS} == {
        "sitename": "Northwind Support",
        "incident_title": "Écran noir — Экран — Οθόνη",
        "username": "ramon",
        "fullname": "Ramon",
        "incident_id": number,
        "url": f"https://desk.example.com/tickets/{number}",
        "creation_timestamp": "2026-03-02 09:00",
        "update_timestamp": "2026-03-02 12:00",
        "owner": "Ramon (Northwind Support)",
        "group": "Acme",
        "author": "Acme.Ana (Acme)",
        "type_tickets": "Hardware incident",
        "priority": "Medium",
        "status": "Assigned",
        "resolution": "None",
        "time_used": "1.50 h",
        "incident_main_text": "<p>Black screen after the <b>update</b>.</p>",
        "creatorcompany": "Acme",
        "ownercompany": "Northwind Support",
        "incident_closed_by": "",
        "epilog": "",
    }
    assert values.custom_labels == ("Serial number", "Under warranty", "Purchase date", "Notes")
    assert values.values["Serial number"] == "SN-Ωμέγα-42"
    assert values.values["Under warranty"] == "Yes"
    assert values.values["Purchase date"] == ""
    assert values.is_html("incident_main_text")
    assert not values.is_html("Serial number")


def test_the_work_list_leaves_out_private_and_internal_work_and_totals_what_it_lists(
        org: Org) -> None:
    ticket_id, _ = _hardware_ticket(org)
    for hours, minutes, private, internal in ((1.0, 60, False, False), (2.0, 30, True, False),
                                              (4.0, 10, False, True), (0.25, 20, False, False)):
        org.do(AddWorkunit(ticket_id=ticket_id, text_html=f"<p>{hours} h</p>", hours=hours,
                           is_private=private, is_internal=internal),
               org.ramon, at=T0 + dt.timedelta(minutes=minutes))

    with reading(org) as session:
        data = read_work_order(session, load_permissions(session, org.ramon), ticket_id,
                               site_name="S", zone=dt.UTC)

    assert [row.hours for row in data.workunits] == [0.25, 1.0]  # oldest first
    assert [row.author for row in data.workunits] == ["Ramon", "Ramon"]
    assert data.values.values["time_used"] == "1.25 h"
    assert data.ticket_label == f"#{data.values.values['incident_id']}"


def test_someone_who_may_not_see_the_ticket_gets_no_values(org: Org) -> None:
    ticket_id, _ = _hardware_ticket(org)

    with reading(org) as session, pytest.raises(DomainError) as refused:
        ticket_macro_values(session, load_permissions(session, org.outsider), ticket_id,
                            site_name="S")
    assert refused.value.code == NOT_FOUND


def test_no_url_without_a_server(org: Org) -> None:
    ticket_id, _ = _hardware_ticket(org)

    with reading(org) as session:
        values = ticket_macro_values(session, load_permissions(session, org.ramon), ticket_id,
                                     site_name="S")

    assert values.values["url"] == ""
