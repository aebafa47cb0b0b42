"""Work-order commands: templates (configuration) and a ticket's work orders."""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import select

from desktopdesk.domain.commands import (
    CreateTicketType,
    CreateWorkOrderTemplate,
    DeleteWorkOrderTemplate,
    GenerateWorkOrder,
    UpdateWorkOrderTemplate,
    ValidateWorkOrder,
    commands_naming_blobs,
)
from desktopdesk.domain.errors import FORBIDDEN, NOT_FOUND, VALIDATION
from desktopdesk.domain.handlers.admin_work_orders import MAX_LOGO_BYTES
from desktopdesk.models import Attachment, TicketType, WorkOrder, WorkOrderTemplate
from tests.conftest import Org
from tests.domain.support import history, new_ticket, reading, refused, ticket

BODY = "<h1>_incident_title_</h1><p>_workunits_</p>"


def png_uri(size: tuple[int, int] = (40, 20)) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def new_type(org: Org, name: str) -> uuid.UUID:
    result = org.do(CreateTicketType(name=name), org.ramon)
    assert result.created_id is not None
    return result.created_id


def template(org: Org, template_id: uuid.UUID) -> WorkOrderTemplate:
    with reading(org) as session:
        row = session.get(WorkOrderTemplate, template_id)
        assert row is not None
        return row


def type_template(org: Org, type_id: uuid.UUID) -> uuid.UUID | None:
    with reading(org) as session:
        row = session.get(TicketType, type_id)
        assert row is not None
        return row.work_order_template_id


def create(org: Org, name: str = "Field service", **kwargs: object) -> uuid.UUID:
    kwargs.setdefault("body_html", BODY)
    result = org.do(CreateWorkOrderTemplate(name=name, **kwargs), org.ramon)  # type: ignore[arg-type]
    assert result.created_id is not None
    return result.created_id


def update(org: Org, template_id: uuid.UUID, **changes: object) -> None:
    row = template(org, template_id)
    with reading(org) as session:
        types = tuple(session.scalars(select(TicketType.id).where(
            TicketType.work_order_template_id == template_id)))
    state: dict[str, object] = {
        "name": row.name, "body_html": row.body_html, "description": row.description,
        "logo_data_uri": row.logo_data_uri, "is_default": row.is_default,
        "ticket_type_ids": types}
    state.update(changes)
    org.do(UpdateWorkOrderTemplate(template_id=template_id, **state), org.ramon)  # type: ignore[arg-type]


# --- Templates ----------------------------------------------------------------------------


def test_a_template_is_stored_sanitised_with_its_types(org: Org) -> None:
    laptops, printers = new_type(org, "Laptop repair"), new_type(org, "Printers")
    logo = png_uri()
    template_id = create(org, body_html=BODY + "<script>alert(1)</script>", logo_data_uri=logo,
                         description="  For site visits ", ticket_type_ids=(laptops,))

    row = template(org, template_id)
    assert "<script" not in row.body_html
    assert "_incident_title_" in row.body_html
    assert (row.description, row.logo_data_uri, row.is_default) == ("For site visits", logo,
                                                                    False)
    assert type_template(org, laptops) == template_id
    assert type_template(org, printers) is None


def test_the_types_listed_are_the_types_that_use_it(org: Org) -> None:
    laptops, printers = new_type(org, "Laptop repair"), new_type(org, "Printers")
    first = create(org, "First", ticket_type_ids=(laptops,))
    second = create(org, "Second", ticket_type_ids=(printers,))

    update(org, second, ticket_type_ids=(laptops,))

    assert type_template(org, laptops) == second  # moved from the first: the last choice wins
    assert type_template(org, printers) is None  # no longer listed: back to the default
    assert first != second


def test_one_default_at_a_time(org: Org) -> None:
    first = create(org, "First", is_default=True)
    second = create(org, "Second", is_default=True)

    assert (template(org, first).is_default, template(org, second).is_default) == (False, True)


def test_deleting_a_template_sends_its_types_back_to_the_default(org: Org) -> None:
    laptops = new_type(org, "Laptop repair")
    template_id = create(org, ticket_type_ids=(laptops,))

    org.do(DeleteWorkOrderTemplate(template_id=template_id), org.ramon)

    assert type_template(org, laptops) is None
    with reading(org) as session:
        assert session.get(WorkOrderTemplate, template_id) is None


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"name": "  "}, "name", "cannot be empty"),
    ({"name": "standard WORK order"}, "name", "comes with DesktopDesk"),
    ({"body_html": "<script>x</script>"}, "body_html", "The template is empty"),
    ({"body_html": "<p><br></p>\n<p> </p>"}, "body_html", "The template is empty"),
    ({"body_html": "<p>" + "x" * 200_001 + "</p>"}, "body_html", "too long"),
    ({"description": "d" * 501}, "description", "too long"),
    ({"logo_data_uri": "data:image/gif;base64,R0lGOD"}, "logo_data_uri", "PNG or JPEG"),
    ({"logo_data_uri": "data:image/png;base64,@@@"}, "logo_data_uri", "damaged"),
    ({"logo_data_uri": "data:image/png;base64," + base64.b64encode(b"\xff\xd8\xffjpeg").decode()},
     "logo_data_uri", "not the PNG picture it claims"),
    ({"logo_data_uri": "data:image/png;base64," + base64.b64encode(
        b"\x89PNG\r\n\x1a\n" + bytes(MAX_LOGO_BYTES)).decode()}, "logo_data_uri", "too large"),
    ({"ticket_type_ids": (uuid.uuid4(),)}, "ticket_type_ids", "Unknown ticket type"),
])
def test_bad_templates_are_refused_naming_the_field(org: Org, changes: dict[str, object],
                                                    field: str, words: str) -> None:
    args: dict[str, object] = {"name": "Field service", "body_html": BODY}
    args.update(changes)

    error = refused(org, CreateWorkOrderTemplate(**args), org.ramon,  # type: ignore[arg-type]
                    VALIDATION)

    assert error.field == field
    assert words in error.message
    with reading(org) as session:
        assert session.scalars(select(WorkOrderTemplate)).first() is None


def test_names_are_unique_ignoring_case(org: Org) -> None:
    create(org, "Field service")

    error = refused(org, CreateWorkOrderTemplate(name="FIELD SERVICE", body_html=BODY),
                    org.ramon, VALIDATION)

    assert "already a work-order template called 'FIELD SERVICE'" in error.message


def test_only_managers_define_templates(org: Org) -> None:
    template_id = create(org)
    refused(org, CreateWorkOrderTemplate(name="Mine", body_html=BODY), org.tomas, FORBIDDEN)
    refused(org, DeleteWorkOrderTemplate(template_id=template_id), org.tomas, FORBIDDEN)


# --- A ticket's work orders ---------------------------------------------------------------


def generate(org: Org, ticket_id: uuid.UUID, actor: uuid.UUID,
             at: dt.datetime | None = None, data: bytes = b"%PDF-1.7 work order") -> uuid.UUID:
    blob = org.ws.blobs.put_bytes(data)
    result = org.do(GenerateWorkOrder(ticket_id=ticket_id, template_id=None,
                                      template_name="Standard work order",
                                      file_name="work-order-1-20260302-0915.pdf",
                                      size=blob.size, sha256=blob.sha256), actor, at=at)
    assert result.created_id is not None
    return result.created_id


def validate(org: Org, work_order_id: uuid.UUID, ticket_id: uuid.UUID, actor: uuid.UUID,
             at: dt.datetime | None = None, data: bytes = b"%PDF-1.7 signed") -> uuid.UUID:
    blob = org.ws.blobs.put_bytes(data)
    command = ValidateWorkOrder(work_order_id=work_order_id, ticket_id=ticket_id,
                                file_name="signed.pdf", size=blob.size, sha256=blob.sha256)
    org.do(command, actor, at=at)
    return command.attachment_id


def work_order(org: Org, work_order_id: uuid.UUID) -> WorkOrder:
    with reading(org) as session:
        row = session.get(WorkOrder, work_order_id)
        assert row is not None
        return row


def test_a_generated_work_order_is_an_attachment_with_history(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    later = org.now + dt.timedelta(hours=2)

    work_order_id = generate(org, ticket_id, org.tomas, at=later)

    row = work_order(org, work_order_id)
    assert (row.ticket_id, row.template_id, row.template_name, row.generated_by_id,
            row.generated_at) == (ticket_id, None, "Standard work order", org.tomas, later)
    assert not row.signed_attachment_id
    with reading(org) as session:
        pdf = session.get(Attachment, row.attachment_id)
        assert pdf is not None
        assert (pdf.mime_type, pdf.file_name, pdf.uploader_id, pdf.description) == (
            "application/pdf", "work-order-1-20260302-0915.pdf", org.tomas,
            "Work order (Standard work order)")
    assert [e.new_value for e in history(org, ticket_id, "work_order_generated")] == [
        "work-order-1-20260302-0915.pdf"]
    assert [e.new_value for e in history(org, ticket_id, "file_added")] == [
        "work-order-1-20260302-0915.pdf"]
    assert ticket(org, ticket_id).updated_at == later


def test_validating_links_the_signed_scan_by_whom_and_when(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    work_order_id = generate(org, ticket_id, org.tomas)
    signed_at = org.now + dt.timedelta(days=1)

    signed_id = validate(org, work_order_id, ticket_id, org.tomas, at=signed_at)

    row = work_order(org, work_order_id)
    assert (row.signed_attachment_id, row.validated_by_id, row.validated_at) == (
        signed_id, org.tomas, signed_at)
    [event] = history(org, ticket_id, "work_order_validated")
    assert (event.old_value, event.new_value, event.actor_id) == (
        "work-order-1-20260302-0915.pdf", "signed.pdf", org.tomas)
    with reading(org) as session:
        signed = session.get(Attachment, signed_id)
        assert signed is not None
        assert signed.description == "Signed copy of work-order-1-20260302-0915.pdf"


def test_validating_again_links_the_newer_scan_and_keeps_the_older(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    work_order_id = generate(org, ticket_id, org.tomas)
    first = validate(org, work_order_id, ticket_id, org.tomas, data=b"%PDF first")

    second = validate(org, work_order_id, ticket_id, org.ramon, data=b"%PDF second")

    row = work_order(org, work_order_id)
    assert (row.signed_attachment_id, row.validated_by_id) == (second, org.ramon)
    with reading(org) as session:
        assert session.get(Attachment, first) is not None


def test_work_orders_follow_the_rules_of_files(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    blob = org.ws.blobs.put_bytes(b"%PDF-1.7 work order")
    command = GenerateWorkOrder(ticket_id=ticket_id, template_id=None,
                                template_name="Standard work order", file_name="w.pdf",
                                size=blob.size + 1, sha256=blob.sha256)
    assert refused(org, command, org.tomas, VALIDATION).field == "size"
    refused(org, GenerateWorkOrder(ticket_id=ticket_id, template_id=None, template_name="S",
                                   file_name="w.pdf", size=blob.size, sha256=blob.sha256),
            org.javi, NOT_FOUND)  # Support only: does not see Acme's ticket
    with reading(org) as session:
        assert session.scalars(select(WorkOrder)).first() is None
        assert session.scalars(select(Attachment)).first() is None


def test_a_scan_for_an_unknown_or_hidden_work_order_is_refused_alike(org: Org) -> None:
    ticket_id = new_ticket(org, org.ana)
    work_order_id = generate(org, ticket_id, org.tomas)
    blob = org.ws.blobs.put_bytes(b"%PDF signed")

    def command(work_order: uuid.UUID, ticket: uuid.UUID, mime: str = "application/pdf"
                ) -> ValidateWorkOrder:
        return ValidateWorkOrder(work_order_id=work_order, ticket_id=ticket,
                                 file_name="s.pdf", size=blob.size, sha256=blob.sha256,
                                 mime_type=mime)

    hidden = refused(org, command(work_order_id, ticket_id), org.javi, VALIDATION)
    missing = refused(org, command(uuid.uuid4(), ticket_id), org.tomas, VALIDATION)
    elsewhere = refused(org, command(work_order_id, uuid.uuid4()), org.tomas, VALIDATION)
    assert hidden.message == missing.message == elsewhere.message
    wrong_kind = refused(org, command(work_order_id, ticket_id, "text/html"), org.tomas,
                         VALIDATION)
    assert wrong_kind.field == "mime_type"
    assert "PDF, JPEG, PNG or TIFF" in wrong_kind.message
    assert work_order(org, work_order_id).signed_attachment_id is None


def test_sync_uploads_the_bytes_of_every_command_that_attaches_a_file() -> None:
    assert {"AttachFile", "GenerateWorkOrder", "ValidateWorkOrder"} <= commands_naming_blobs()
    assert "AddWorkunit" not in commands_naming_blobs()
