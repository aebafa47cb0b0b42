"""Work-order PDFs: the default template on a ticket, read back with pypdf and PDFium."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import uuid
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from desktopdesk.documents.macros import STANDARD_MACROS, MacroValues
from desktopdesk.documents.pdf_pages import render_pages
from desktopdesk.documents.resources import default_work_order_template
from desktopdesk.documents.ticket_values import WorkOrderData, WorkunitRow, read_work_order
from desktopdesk.documents.work_order_blocks import WORK_ORDER_BLOCKS
from desktopdesk.documents.work_order_pdf import (
    RenderedWorkOrder,
    WorkOrderError,
    render_work_order,
    work_order_macro_names,
    write_pdf_atomically,
)
from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.commands import AddCustomField, AddWorkunit, CreateTicketType
from desktopdesk.domain.html import sanitize_html
from desktopdesk.models import FieldKind
from tests.conftest import T0, Org
from tests.domain.support import new_ticket, reading

GENERATED = dt.datetime(2026, 11, 27, 10, 15, tzinfo=dt.UTC)
FOOTER = "generated 2026-11-27 10:15"


def _png(size: tuple[int, int] = (240, 80), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (31, 95, 168, 255) if mode == "RGBA" else (31, 95, 168)).save(
        out, "PNG")
    return out.getvalue()


def _ticket_with_everything(org: Org, workunits: int = 3) -> uuid.UUID:
    """A hardware ticket in three scripts, with custom fields and some work done."""
    hardware = org.do(CreateTicketType(name="Incidència de maquinari"), org.admin).created_id
    assert hardware is not None
    ids = {}
    for label, kind in (("Número de série", FieldKind.TEXT), ("Гарантия", FieldKind.CHECKBOX),
                        ("Τοποθεσία", FieldKind.TEXT), ("Notes", FieldKind.TEXTAREA)):
        created = org.do(AddCustomField(ticket_type_id=hardware, label=label, kind=kind),
                         org.admin).created_id
        assert created is not None
        ids[label] = created
    ticket_id = new_ticket(
        org, org.ana, title="Pantalla en negro — Чёрный экран — Μαύρη οθόνη",
        ticket_type_id=hardware,
        description_html="<p>The screen stays <b>black</b> after the update.</p>"
                         "<ul><li>Model: ThinkPad</li><li>Since: Monday</li></ul>",
        custom_values={str(ids["Número de série"]): "SN-Ωμέγα-42",
                       str(ids["Гарантия"]): "1",
                       str(ids["Τοποθεσία"]): "Αθήνα, 2ος όροφος",  # noqa: RUF001 (Greek)
                       str(ids["Notes"]): "Spare cable in the van"})
    for n in range(workunits):
        org.do(AddWorkunit(ticket_id=ticket_id, hours=0.5 + n % 3,
                           text_html=f"<p>Visit {n + 1}: checked the cable, "
                                     f"replaced the panel — Заменил панель ({n + 1}).</p>"),
               org.tomas, at=T0 + dt.timedelta(hours=n + 1))
    return ticket_id


def _read(org: Org, ticket_id: uuid.UUID) -> WorkOrderData:
    with reading(org) as session:
        return read_work_order(session, load_permissions(session, org.ramon), ticket_id,
                               site_name="Soporte Técnico Norte",
                               base_url="https://desk.example.com", zone=dt.UTC)


def _render(data: WorkOrderData, template: str | None = None,
            logo: bytes | None = None) -> RenderedWorkOrder:
    html = sanitize_html(template if template is not None else default_work_order_template())
    return render_work_order(html, data.values, data.workunits, ticket_label=data.ticket_label,
                             generated_at=GENERATED, logo=logo, zone=dt.UTC)


def _pages(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space made one space (wrapped lines rejoin)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _rendered(values: MacroValues, template: str,
              workunits: tuple[WorkunitRow, ...] = ()) -> RenderedWorkOrder:
    return render_work_order(sanitize_html(template), values, workunits, ticket_label="#7",
                             generated_at=GENERATED, logo=None, zone=dt.UTC)


# --- The default template on a ticket -----------------------------------------------------


def test_every_macro_value_of_the_ticket_is_printed(org: Org) -> None:
    data = _read(org, _ticket_with_everything(org))

    rendered = _render(data)

    text = " ".join(_pages(rendered.pdf))
    printed = {"sitename", "incident_title", "incident_id", "creation_timestamp",
               "update_timestamp", "owner", "group", "author", "type_tickets", "priority",
               "status", "resolution"}
    for name in printed:
        assert " ".join(data.values.text(name).split()) in text, name
    assert "The screen stays black after the update." in text
    assert "Model: ThinkPad" in text
    for label in data.values.custom_labels:
        assert label.upper() in text, label  # data-block labels print in capitals
        assert data.values.text(label) in text, label
    assert "Yes" in text  # the checkbox
    assert rendered.problems == ()


def test_the_work_list_shows_each_entry_and_the_total(org: Org) -> None:
    data = _read(org, _ticket_with_everything(org, workunits=3))

    text = " ".join(_pages(_render(data).pdf))

    for n in (1, 2, 3):
        assert f"Visit {n}: checked the cable, replaced the panel — Заменил панель ({n})." in text
    assert "2026-03-02 10:00 Tomas" in text  # date, time, technician
    assert "Total hours 4.50" in text  # 0.5 + 1.5 + 2.5
    assert "DATE TECHNICIAN WORK DONE HOURS".lower() in text.lower()


def test_every_standard_and_block_macro_is_known_to_the_editor(org: Org) -> None:
    data = _read(org, _ticket_with_everything(org))

    names = work_order_macro_names(data.values)

    assert set(STANDARD_MACROS) | set(WORK_ORDER_BLOCKS) | set(data.values.custom_labels) \
        == names


def test_the_default_template_uses_only_known_macros() -> None:
    from desktopdesk.documents.macros import unknown_macros

    known = set(STANDARD_MACROS) | set(WORK_ORDER_BLOCKS)
    template = sanitize_html(default_work_order_template())

    assert unknown_macros(template, known) == ()
    for block in ("header", "custom_fields", "workunits", "blank_lines", "signatures"):
        assert f"_{block}_" in template


def test_fonts_are_embedded_and_no_standard_font_is_used(org: Org) -> None:
    pdf = _render(_read(org, _ticket_with_everything(org))).pdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = [font.get_object() for page in reader.pages
             for font in page["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        assert "DejaVuSans" in font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"]


def test_signature_boxes_and_lines_for_handwriting_are_printed(org: Org) -> None:
    text = " ".join(_pages(_render(_read(org, _ticket_with_everything(org))).pdf))

    assert re.search(r"TECHNICIAN NAME DATE SIGNATURE CUSTOMER NAME DATE SIGNATURE", text)
    assert "MATERIALS AND NOTES" in text.upper()


def test_footer_and_page_numbers_are_on_every_page_of_a_long_work_order(org: Org) -> None:
    data = _read(org, _ticket_with_everything(org, workunits=45))

    rendered = _render(data)

    pages = _pages(rendered.pdf)
    assert len(pages) >= 3
    assert rendered.page_count == len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Work order for {data.ticket_label} · {FOOTER}" in text
        assert f"Page {number} of {len(pages)}" in text
    # The work list's header row is repeated where the list goes on to a new page.
    continued = [text for text in pages[1:] if "Visit 4" in text or "Visit 30" in text]
    assert continued
    assert all("Work done" in text for text in continued)
    # From the second page, a running header names the site and the ticket.
    assert all(f"Soporte Técnico Norte · Work order {data.ticket_label}" in text
               for text in pages[1:])


def test_a_very_long_work_entry_splits_across_pages_instead_of_failing() -> None:
    long_text = "".join(f"<p>Step {n}: measured, adjusted and tested again.</p>"
                        for n in range(150))
    rows = (WorkunitRow(T0, "Tomás", 3.0, long_text),)

    rendered = _rendered(MacroValues({"sitename": "S"}), "<p>_workunits_</p>", rows)

    text = " ".join(_pages(rendered.pdf))
    assert rendered.page_count >= 3
    assert "Step 0:" in text
    assert "Step 149:" in text
    assert "Total hours 3.00" in text


# --- Template features --------------------------------------------------------------------


def test_unknown_macros_are_reported_and_left_visible() -> None:
    rendered = _rendered(MacroValues({"status": "Open"}),
                         "<p>_status_ / _staus_ / _Serial no_ / snake_case_word</p>")

    assert "Open / _staus_ / _Serial no_ / snake_case_word" in _pages(rendered.pdf)[0]
    assert rendered.problems == (
        "_staus_ is not a known macro; it is printed as it was typed. Did you mean _status_?",
        "_Serial no_ is not a known macro; it is printed as it was typed.",
    )


def test_a_page_break_macro_starts_a_new_page() -> None:
    rendered = _rendered(MacroValues({}), "<p>First part</p><p>_page_break_</p><p>Second part</p>")

    pages = _pages(rendered.pdf)
    assert len(pages) == 2
    assert "First part" in pages[0]
    assert "Second part" not in pages[0]
    assert "Second part" in pages[1]


def test_headings_lists_tables_and_inline_styles_print_their_text() -> None:
    template = (
        "<h1>Title one</h1><h2>Section</h2><h3>Sub</h3><p>Some <b>bold</b>, <i>italic</i>, "
        "<u>under</u>, <s>gone</s>, H<sub>2</sub>O, x<sup>2</sup>, <code>ls -l</code> and "
        '<a href="https://example.com">a link</a>.<br>Next line.</p>'
        "<ol><li>first<ul><li>nested</li></ul></li><li>second</li></ol>"
        "<blockquote><p>Quoted words</p></blockquote><pre>line  1\n  line 2</pre><hr>"
        "<table><tr><th>Part</th><th>Qty</th></tr><tr><td>Cable</td><td>2</td></tr>"
        '<tr><td colspan="2">Spanning cell</td></tr></table>'
    )

    rendered = _rendered(MacroValues({}), template)

    text = _pages(rendered.pdf)[0]
    for expected in ("Title one", "Section", "Sub", "Some bold, italic, under, gone",
                     "H2O", "ls -l", "a link", "Next line.", "first", "nested", "second",
                     "Quoted words", "line 1", "line 2", "Part Qty Cable 2",
                     "Spanning cell"):
        assert expected in text, expected
    assert rendered.problems == ()


def test_a_link_in_the_template_is_a_link_in_the_pdf() -> None:
    rendered = _rendered(MacroValues({"url": "https://desk.example.com/tickets/7"}),
                         '<p><a href="_url_">Open the ticket</a></p>')

    page = pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[0]
    uris = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]
    assert uris == ["https://desk.example.com/tickets/7"]


def test_an_embedded_picture_is_drawn_and_a_web_picture_is_reported() -> None:
    data_uri = "data:image/png;base64," + base64.b64encode(_png((60, 40), "RGB")).decode()
    template = (f'<p><img src="{data_uri}" alt="diagram"></p>'
                '<p><img src="https://example.com/x.png" alt="web picture"></p>')

    # data: URIs are not kept by the description sanitiser, so this template goes in as is.
    rendered = render_work_order(template, MacroValues({}), (), ticket_label="#7",
                                 generated_at=GENERATED, logo=None, zone=dt.UTC)

    page = pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[0]
    assert len(page.images) == 1
    assert rendered.problems == (
        "The image 'web picture' is not printed: pictures from the web are not fetched "
        "(documents are made offline); attach the picture or embed it instead.",)


def test_an_attached_picture_comes_from_the_loader() -> None:
    picture = _png((50, 50), "RGB")

    rendered = render_work_order(
        '<p><img src="attachment:abc" alt="photo"></p><p><img src="attachment:def"></p>',
        MacroValues({}), (), ticket_label="#7", generated_at=GENERATED, logo=None,
        zone=dt.UTC, load_image=lambda src: picture if src == "attachment:abc" else None)

    assert len(pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[0].images) == 1
    assert rendered.problems == (
        "The image 'attachment:def' is not printed: the picture is not on this computer.",)


def test_the_logo_is_drawn_in_the_header(org: Org) -> None:
    rendered = _render(_read(org, _ticket_with_everything(org)), logo=_png())

    assert len(pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[0].images) == 1
    assert rendered.problems == ()


@pytest.mark.parametrize(("logo", "reason"), [
    (b"", "the file is empty"),
    (b"GIF89a not really", "it is not a picture this program can read"),
    (_png()[:60], "the picture is damaged"),
])
def test_an_unreadable_logo_is_left_out_with_a_message(org: Org, logo: bytes,
                                                      reason: str) -> None:
    data = _read(org, _ticket_with_everything(org))

    rendered = _render(data, logo=logo)

    assert data.ticket_label in _pages(rendered.pdf)[0]  # the work order is still made
    assert len(pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[0].images) == 0
    assert len(rendered.problems) == 1
    assert rendered.problems[0].startswith(f"The logo is left out: {reason}")
    assert rendered.problems[0].endswith("Choose a PNG or JPEG picture.")


def test_characters_the_font_lacks_are_left_out_and_reported() -> None:
    rendered = _rendered(MacroValues({"incident_title": "Works now 👍 thanks"}),
                         "<p>_incident_title_ ✓</p>")

    assert "Works now thanks ✓" in _pages(rendered.pdf)[0]
    assert rendered.problems == (
        "These characters have no letter shape in the document's font and are left out: 👍",)


def test_an_empty_work_list_says_so() -> None:
    text = _pages(_rendered(MacroValues({}), "<p>_workunits_</p>").pdf)[0]

    assert "No work recorded yet." in text
    assert "Total hours 0.00" in text


def test_a_picture_taller_than_a_page_in_a_table_cannot_be_laid_out() -> None:
    tall = "data:image/png;base64," + base64.b64encode(_png((40, 4000), "RGB")).decode()
    rows = "".join(f'<tr><td><img src="{tall}" height="2000"></td></tr>' for _ in range(1))
    template = f'<table><tr><td rowspan="2">{"<p>x</p>" * 90}</td><td>a</td></tr>{rows}</table>'

    with pytest.raises(WorkOrderError, match="taller than a page"):
        render_work_order(template, MacroValues({}), (), ticket_label="#7",
                          generated_at=GENERATED, logo=None, zone=dt.UTC)


# --- Writing and looking ------------------------------------------------------------------


def test_a_pdf_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "orders" / "work-order-7.pdf"

    write_pdf_atomically(target, b"%PDF-1.4 new")
    assert target.read_bytes() == b"%PDF-1.4 new"

    with pytest.raises(TypeError):
        write_pdf_atomically(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"%PDF-1.4 new"
    assert [p.name for p in target.parent.iterdir()] == ["work-order-7.pdf"]


def test_every_page_turns_into_a_picture_with_the_header_band(org: Org, tmp_path: Path) -> None:
    """The pages as PNG (``pdf_pages``, PDFium: on every machine, CI included); the files
    stay in the test's folder for a person to look at."""
    rendered = _render(_read(org, _ticket_with_everything(org, workunits=14)))
    assert rendered.page_count >= 2

    images = render_pages(rendered.pdf, dpi=40)

    assert [image.index for image in images] == list(range(rendered.page_count))
    for image in images:
        (tmp_path / f"page-{image.index + 1}.png").write_bytes(image.to_png())
    with Image.open(tmp_path / "page-1.png") as page:
        rgb = page.convert("RGB")
        assert rgb.size == (round(595.28 * 40 / 72), round(841.89 * 40 / 72))
        # The header band's light blue, near the top on the left.
        band = rgb.getpixel((int(rgb.width * 0.12), int(rgb.height * 0.065)))
        assert band == pytest.approx((0xEA, 0xF0, 0xF6), abs=6)
        assert rgb.getpixel((2, 2)) == (255, 255, 255)


def test_a_heading_stays_on_the_page_of_the_signature_boxes_it_heads() -> None:
    template = sanitize_html(default_work_order_template())
    for count in range(8, 22):  # pushes the acceptance part across the page end
        rows = tuple(WorkunitRow(T0, "Tomás", 1.0, "<p>Checked the cable and replaced the "
                                 "panel; tested it with the customer.</p>")
                     for _ in range(count))

        pages = _pages(_rendered(MacroValues({"sitename": "S"}), template, rows).pdf)

        with_boxes = [text for text in pages if "TECHNICIAN NAME DATE SIGNATURE" in text]
        assert len(with_boxes) == 1, count
        assert "Acceptance By signing below" in with_boxes[0], count
