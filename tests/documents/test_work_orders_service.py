"""Work orders end to end on a store: templates chosen, PDFs kept on the ticket, scans
validating them, and what the screens read back. On the demo workspace, as a user sees it."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from sqlalchemy import select

from desktopdesk.documents.macros import find_macros
from desktopdesk.documents.resources import default_work_order_template
from desktopdesk.documents.scans import inspect_scan, pages_of
from desktopdesk.documents.ticket_values import read_work_order
from desktopdesk.documents.work_order_queries import (
    list_templates,
    ticket_type_choices,
    ticket_work_orders,
)
from desktopdesk.documents.work_orders import (
    SYSTEM_TEMPLATE_NAME,
    TemplateChoice,
    generate_work_order,
    load_template,
    macro_catalogue,
    make_work_order,
    template_for_ticket,
    validate_work_order,
)
from desktopdesk.domain import settings
from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.commands import (
    ChangeSetting,
    CreateWorkOrderTemplate,
    DeleteWorkOrderTemplate,
    UpdateWorkOrderTemplate,
)
from desktopdesk.domain.errors import FORBIDDEN, VALIDATION, DomainError
from desktopdesk.domain.html import plain_text
from desktopdesk.models import Attachment, Ticket, TicketType, WorkOrder
from desktopdesk.store.demo import seed_demo, user_id_by_username
from desktopdesk.store.workspace import Workspace

TODAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path_factory.mktemp("demo") / "ws")
    seed_demo(ws, today=TODAY)
    yield ws
    ws.close()


def ticket_id_of(ws: Workspace, number: int) -> uuid.UUID:
    with ws.read() as session:
        found = session.scalar(select(Ticket.id).where(Ticket.number == number))
        assert found is not None
        return found


def type_id_of(ws: Workspace, name: str) -> uuid.UUID:
    with ws.read() as session:
        found = session.scalar(select(TicketType.id).where(TicketType.name == name))
        assert found is not None
        return found


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def photo(colour: str, size: tuple[int, int] = (1200, 1600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=85)
    return out.getvalue()


def test_the_default_template_prints_every_value_of_a_demo_ticket(demo: Workspace) -> None:
    """#8 has custom fields and accents ("ñ, ç, tildes"): each macro's value is in the
    PDF's text, and the PDF is kept on the ticket as its work order."""
    ramon = user_id_by_username(demo, "ramon")
    ticket_id = ticket_id_of(demo, 8)

    generated = generate_work_order(demo, ramon, ticket_id, zone=dt.UTC)

    with demo.read() as session:
        data = read_work_order(session, load_permissions(session, ramon), ticket_id,
                               site_name="DesktopDesk", zone=dt.UTC)
        attachment = session.get(Attachment, generated.attachment_id)
        assert attachment is not None
        stored = demo.blobs.read_bytes(attachment.sha256)
    text = pdf_text(stored)
    assert "ñ, ç, tildes" in text
    # Every macro the default template uses, the header's site name, and the custom
    # fields (its _custom_fields_ block prints them all).
    used = {use.name for use in find_macros(default_work_order_template(), data.values.names)
            if use.known}
    printed = {"sitename", *used, *data.values.custom_labels}
    assert {"incident_title", "incident_id", "owner", "status"} <= printed
    assert len(data.values.custom_labels) == 8  # the global one and the hardware ones
    for name in sorted(printed):
        value = " ".join(data.values.text(name).split())
        if value and name != "incident_main_text":
            assert value in text, name
    assert "Bob Müller" in text  # a workunit by the customer, with its accent
    assert generated.document.template.name == SYSTEM_TEMPLATE_NAME
    assert re.fullmatch(r"work-order-8-\d{8}-\d{6}\.pdf", attachment.file_name)
    assert attachment.mime_type == "application/pdf"


def test_site_name_and_web_address_come_from_the_settings(demo: Workspace) -> None:
    admin = user_id_by_username(demo, "admin")
    demo.execute(ChangeSetting(key=settings.SITE_NAME.key, value="Soporte Técnico Norte"), admin)
    demo.execute(ChangeSetting(key=settings.TICKET_WEB_URL.key,
                               value="https://desk.example.com/"), admin)
    try:
        with demo.read() as session:
            document = make_work_order(session, load_permissions(session, admin),
                                       ticket_id_of(demo, 10),
                                       template=TemplateChoice(None, "T", "<p>_sitename_ "
                                                               "_url_</p>", None))
        assert "Soporte Técnico Norte https://desk.example.com/tickets/10" in pdf_text(
            document.rendered.pdf)
    finally:
        demo.execute(ChangeSetting(key=settings.SITE_NAME.key, value="DesktopDesk"), admin)
        demo.execute(ChangeSetting(key=settings.TICKET_WEB_URL.key, value=""), admin)


def test_a_web_address_that_is_not_one_is_refused(demo: Workspace) -> None:
    admin = user_id_by_username(demo, "admin")
    with pytest.raises(DomainError) as refused:
        demo.execute(ChangeSetting(key=settings.TICKET_WEB_URL.key, value="desk.example"), admin)
    assert "is not a web address" in refused.value.message
    with pytest.raises(DomainError):
        demo.execute(ChangeSetting(key=settings.SITE_NAME.key, value="  "), admin)


def test_the_type_template_then_the_default_then_the_system_one(demo: Workspace) -> None:
    ramon = user_id_by_username(demo, "ramon")
    hardware = type_id_of(demo, "Hardware incident")
    ticket_id = ticket_id_of(demo, 8)  # a hardware incident
    own = demo.execute(CreateWorkOrderTemplate(
        name="Hardware visit", body_html="<p>HW _incident_id_</p>",
        ticket_type_ids=(hardware,)), ramon).created_id
    default = demo.execute(CreateWorkOrderTemplate(
        name="House style", body_html="<p>House _incident_id_</p>", is_default=True),
        ramon).created_id
    assert own is not None
    assert default is not None
    try:
        with demo.read() as session:
            assert template_for_ticket(session, ticket_id).name == "Hardware visit"
        demo.execute(UpdateWorkOrderTemplate(
            template_id=own, name="Hardware visit", body_html="<p>HW</p>", description="",
            logo_data_uri="", is_default=False, ticket_type_ids=()), ramon)
        with demo.read() as session:
            assert template_for_ticket(session, ticket_id).name == "House style"
        demo.execute(DeleteWorkOrderTemplate(template_id=default), ramon)
        with demo.read() as session:
            chosen = template_for_ticket(session, ticket_id)
            assert (chosen.template_id, chosen.name) == (None, SYSTEM_TEMPLATE_NAME)
            assert chosen.logo is not None
            assert chosen.logo.startswith(b"\x89PNG")
            with pytest.raises(DomainError) as missing:
                load_template(session, default)
            assert missing.value.code == VALIDATION
    finally:
        demo.execute(DeleteWorkOrderTemplate(template_id=own), ramon)


def test_a_chosen_template_is_printed_and_named_on_the_work_order(demo: Workspace) -> None:
    ramon = user_id_by_username(demo, "ramon")
    ticket_id = ticket_id_of(demo, 15)
    created = demo.execute(CreateWorkOrderTemplate(
        name="Short note", body_html="<p>Note for _incident_title_ (_Customer reference_)</p>"),
        ramon).created_id
    assert created is not None
    try:
        generated = generate_work_order(demo, ramon, ticket_id, template_id=created)

        assert "Note for Outlook keeps asking for my password" in pdf_text(
            generated.document.rendered.pdf)
        with demo.read() as session:
            row = session.get(WorkOrder, generated.work_order_id)
            assert row is not None
            assert (row.template_id, row.template_name) == (created, "Short note")
    finally:
        demo.execute(DeleteWorkOrderTemplate(template_id=created), ramon)


def test_three_photos_become_the_signed_pdf_of_the_work_order(demo: Workspace,
                                                              tmp_path: Path) -> None:
    tomas = user_id_by_username(demo, "tomas")
    ticket_id = ticket_id_of(demo, 10)
    generated = generate_work_order(demo, tomas, ticket_id)
    scans = [inspect_scan(f"IMG_{n}.jpg", photo(colour)) for n, colour in
             enumerate(("white", "lightyellow", "lightgrey"), start=1)]
    pages = [page for scan in scans for page in pages_of(scan)]

    validated = validate_work_order(demo, tomas, generated.work_order_id, pages)

    assert validated.page_count == 3
    with demo.read() as session:
        [row] = [r for r in ticket_work_orders(session, load_permissions(session, tomas),
                                               ticket_id) if r.id == generated.work_order_id]
        signed = demo.blobs.read_bytes(row.signed_sha256 or "")
    assert row.validated
    assert row.validated_by is not None
    assert row.validated_by.startswith("Tom")
    assert row.signed_file_name == row.file_name.removesuffix(".pdf") + "-signed.pdf"
    assert len(pypdf.PdfReader(io.BytesIO(signed)).pages) == 3
    assert row.signed_size == len(signed) == validated.size


def test_nothing_to_attach_is_refused_before_anything_is_stored(demo: Workspace) -> None:
    tomas = user_id_by_username(demo, "tomas")
    generated = generate_work_order(demo, tomas, ticket_id_of(demo, 10))

    with pytest.raises(DomainError) as refused:
        validate_work_order(demo, tomas, generated.work_order_id, [])

    assert "nothing to attach" in refused.value.message


def test_the_ticket_lists_its_work_orders_newest_first(demo: Workspace) -> None:
    ramon = user_id_by_username(demo, "ramon")
    ticket_id = ticket_id_of(demo, 20)
    first = generate_work_order(demo, ramon, ticket_id)
    second = generate_work_order(demo, ramon, ticket_id)

    with demo.read() as session:
        rows = ticket_work_orders(session, load_permissions(session, ramon), ticket_id)

    assert [row.id for row in rows] == [second.work_order_id, first.work_order_id]
    assert not rows[0].validated
    assert rows[0].template_name == SYSTEM_TEMPLATE_NAME
    assert rows[0].generated_by.startswith("Ram")


def test_the_picker_offers_the_fields_of_the_chosen_types_and_the_global_ones(
        demo: Workspace) -> None:
    hardware = type_id_of(demo, "Hardware incident")
    with demo.read() as session:
        names = {entry.name: entry.group for entry in macro_catalogue(session, [hardware])}
        without_type = {entry.name for entry in macro_catalogue(session)}

    assert names["incident_title"] == "Ticket"
    assert names["Hardware type"] == names["Customer reference"] == "Custom fields"
    assert names["workunits"] == names["signatures"] == "Blocks"
    assert "Application" not in names  # a field of the software requests
    assert "Customer reference" in without_type
    assert "Hardware type" not in without_type


def test_templates_and_types_as_the_editor_reads_them(demo: Workspace) -> None:
    ramon = user_id_by_username(demo, "ramon")
    software = type_id_of(demo, "Software request")
    created = demo.execute(CreateWorkOrderTemplate(
        name="Software visit", body_html="<p>_incident_title_</p>",
        ticket_type_ids=(software,)), ramon).created_id
    try:
        with demo.read() as session:
            [row] = [t for t in list_templates(session) if t.id == created]
            choices = {c.name: c.template_id for c in ticket_type_choices(session)}
        assert row.ticket_type_ids == (software,)
        assert choices == {"Hardware incident": None, "Software request": created}
    finally:
        assert created is not None
        demo.execute(DeleteWorkOrderTemplate(template_id=created), ramon)


def stored_blob_count(ws: Workspace) -> int:
    return sum(1 for path in (ws.data_dir / "blobs").rglob("*") if path.is_file())


def test_a_refused_print_leaves_no_bytes_behind(demo: Workspace) -> None:
    """An independent customer sees her own ticket but, with "Independent users may
    modify tickets" off, may not add files to it: she is told so before anything is
    printed or stored."""
    carla = user_id_by_username(demo, "indie.carla")
    admin = user_id_by_username(demo, "admin")
    with demo.read() as session:
        own = session.scalar(select(Ticket.id).where(Ticket.creator_id == carla).limit(1))
    assert own is not None
    demo.execute(ChangeSetting(key=settings.EXTERNAL_USERS_MAY_MODIFY.key, value=False), admin)
    before = stored_blob_count(demo)
    try:
        with pytest.raises(DomainError) as refused:
            generate_work_order(demo, carla, own)
    finally:
        demo.execute(ChangeSetting(key=settings.EXTERNAL_USERS_MAY_MODIFY.key, value=True),
                     admin)

    assert refused.value.code == FORBIDDEN
    assert "may not add files" in refused.value.message
    assert stored_blob_count(demo) == before


def test_a_signed_scan_over_the_size_limit_is_refused_before_it_is_stored(
        demo: Workspace) -> None:
    tomas = user_id_by_username(demo, "tomas")
    admin = user_id_by_username(demo, "admin")
    generated = generate_work_order(demo, tomas, ticket_id_of(demo, 10))
    noisy = Image.effect_noise((2200, 1600), 60).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    pages = pages_of(inspect_scan("noise.png", out.getvalue())) * 3
    demo.execute(ChangeSetting(key=settings.MAX_ATTACHMENT_MB.key, value=1), admin)
    before = stored_blob_count(demo)
    try:
        with pytest.raises(DomainError) as refused:
            validate_work_order(demo, tomas, generated.work_order_id, pages)
    finally:
        demo.execute(ChangeSetting(key=settings.MAX_ATTACHMENT_MB.key, value=50), admin)

    assert refused.value.field == "size"
    assert "larger than the 1 MB limit" in refused.value.message
    assert stored_blob_count(demo) == before


MANUAL_MACROS = ("sitename", "incident_title", "username", "fullname", "incident_id", "url",
                 "creation_timestamp", "update_timestamp", "owner", "group", "author",
                 "type_tickets", "priority", "status", "resolution", "time_used",
                 "incident_main_text")


def test_every_macro_of_the_manual_prints_its_value(demo: Workspace) -> None:
    """The issue's list, each on a line of its own, with the web address set so _url_
    has a value: every value is in the PDF's text (the description as its text)."""
    admin = user_id_by_username(demo, "admin")
    ramon = user_id_by_username(demo, "ramon")
    ticket_id = ticket_id_of(demo, 8)
    body = "".join(f"<p>{name}: _{name}_</p>" for name in MANUAL_MACROS)
    demo.execute(ChangeSetting(key=settings.TICKET_WEB_URL.key,
                               value="https://desk.example.com"), admin)
    try:
        with demo.read() as session:
            perms = load_permissions(session, ramon)
            document = make_work_order(session, perms, ticket_id, zone=dt.UTC,
                                       template=TemplateChoice(None, "All", body, None))
            values = read_work_order(session, perms, ticket_id, site_name="DesktopDesk",
                                     base_url="https://desk.example.com", zone=dt.UTC).values
    finally:
        demo.execute(ChangeSetting(key=settings.TICKET_WEB_URL.key, value=""), admin)
    text = pdf_text(document.rendered.pdf)

    assert document.rendered.problems == ()
    for name in MANUAL_MACROS:
        printed = " ".join(plain_text(values.text(name)).split())
        assert printed, f"_{name}_ has no value on #8"
        assert f"{name}: {printed}" in text, name
    assert "url: https://desk.example.com/tickets/8" in text
    assert "time_used: 4.75 h" in text
