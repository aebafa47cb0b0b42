"""Work orders over REST: what desktops printed and validated, as the server shows it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from desktopdesk.domain.commands import GenerateWorkOrder, ValidateWorkOrder
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import API, FakeClock, login, run_as, ticket_id, visible_numbers


def test_a_validated_work_order_lists_both_files(client: TestClient, server_store: Workspace,
                                                  clock: FakeClock) -> None:
    number = min(visible_numbers(server_store, "tomas"))
    target = ticket_id(server_store, number)
    pdf = server_store.blobs.put_bytes(b"%PDF-1.7 printed")
    scan = server_store.blobs.put_bytes(b"%PDF-1.7 signed")
    printed = GenerateWorkOrder(ticket_id=target, template_id=None,
                                template_name="Standard work order",
                                file_name="work-order.pdf", size=pdf.size, sha256=pdf.sha256)
    run_as(server_store, "tomas", printed, clock)
    second = GenerateWorkOrder(ticket_id=target, template_id=None, template_name="Other",
                               file_name="again.pdf", size=pdf.size, sha256=pdf.sha256)
    run_as(server_store, "tomas", second, clock)
    run_as(server_store, "tomas", ValidateWorkOrder(
        work_order_id=printed.work_order_id, ticket_id=target, file_name="signed.pdf",
        size=scan.size, sha256=scan.sha256), clock)
    headers = login(client, "ramon")

    listed = client.get(f"{API}/tickets/{number}/work-orders", headers=headers)

    assert listed.status_code == 200, listed.text
    newest, oldest = listed.json()
    assert (newest["file_name"], newest["validated"], newest["signed_url"]) == (
        "again.pdf", False, None)
    assert (oldest["file_name"], oldest["template"], oldest["validated"],
            oldest["signed_file_name"]) == ("work-order.pdf", "Standard work order", True,
                                           "signed.pdf")
    assert oldest["validated_by"].startswith("Tom")
    download = client.get(oldest["signed_url"], headers=headers)
    assert download.content == b"%PDF-1.7 signed"
    assert client.get(oldest["url"], headers=headers).content == b"%PDF-1.7 printed"


def test_a_ticket_one_may_not_see_is_not_found(client: TestClient,
                                               server_store: Workspace) -> None:
    hidden = min(set(visible_numbers(server_store, "ramon"))
                 - visible_numbers(server_store, "indie.carla"))

    answer = client.get(f"{API}/tickets/{hidden}/work-orders",
                        headers=login(client, "indie.carla"))

    assert answer.status_code == 404
