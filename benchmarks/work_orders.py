"""How fast work orders are made (target: under 200 ms each, one alone or in a batch).

Each work order is measured as a person gets it: the ticket read from the local store
(``read_work_order``) and the default template rendered to PDF bytes. The store holds
tickets of a type with custom fields, each with a description and a few workunits in
three scripts; the batch renders every ticket once, as batch printing from the command
line would.

    python benchmarks/work_orders.py [--tickets 500] [--workunits 6] [--rounds 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from PIL import Image

from desktopdesk.documents.pdf_pages import render_pages
from desktopdesk.documents.resources import default_work_order_template
from desktopdesk.documents.scans import inspect_scan, pages_of
from desktopdesk.documents.ticket_values import read_work_order
from desktopdesk.documents.work_order_pdf import render_work_order
from desktopdesk.documents.work_orders import generate_work_order, validate_work_order
from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.commands import (
    AddCustomField,
    AddMembership,
    AddWorkunit,
    Command,
    CreateGroup,
    CreateProfile,
    CreateTicket,
    CreateTicketType,
    CreateUser,
)
from desktopdesk.domain.html import sanitize_html
from desktopdesk.models import FieldKind
from desktopdesk.store.bootstrap import create_first_admin
from desktopdesk.store.workspace import Workspace

TARGET_MS = 200.0
GENERATED = dt.datetime(2026, 11, 27, 10, 15, tzinfo=dt.UTC)


def build(ws: Workspace, tickets: int, workunits: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    admin = create_first_admin(ws)

    def make(command: Command, actor: uuid.UUID = admin) -> uuid.UUID:
        created = ws.execute(command, actor).created_id
        assert created is not None
        return created

    manager = make(CreateProfile(name="Manager", can_view=True, can_edit=True, can_manage=True))
    lead = make(CreateUser(username="lead", full_name="Tomás Ortega"))
    group = make(CreateGroup(name="Soporte Norte", default_owner_id=lead))
    make(AddMembership(user_id=lead, group_id=group, profile_id=manager))
    hardware = make(CreateTicketType(name="Hardware incident"))
    fields = [make(AddCustomField(ticket_type_id=hardware, label=label, kind=kind))
              for label, kind in (("Serial number", FieldKind.TEXT),
                                  ("Under warranty", FieldKind.CHECKBOX),
                                  ("Site", FieldKind.TEXT), ("Notes", FieldKind.TEXTAREA))]
    ids = []
    for n in range(tickets):
        ticket = make(CreateTicket(
            title=f"Pantalla en negro {n} — Чёрный экран — Μαύρη οθόνη", group_id=group,
            ticket_type_id=hardware,
            description_html="<p>The screen stays <b>black</b> after the update.</p>"
                             "<ul><li>Model: ThinkPad</li><li>Since: Monday</li></ul>",
            custom_values={str(fields[0]): f"SN-{n:05d}", str(fields[1]): "1",
                           str(fields[2]): "Αθήνα", str(fields[3]): "Spare cable in the van"}),
            lead)
        for w in range(workunits):
            make(AddWorkunit(ticket_id=ticket, hours=0.25 + w % 4 * 0.5,
                             text_html=f"<p>Visit {w + 1}: checked the cable and replaced the "
                                       "panel — Заменил панель.</p>"), lead)
        ids.append(ticket)
    return lead, ids


def one_work_order(ws: Workspace, reader: uuid.UUID, ticket_id: uuid.UUID,
                   template: str) -> tuple[float, float, int]:
    """(read ms, render ms, PDF size) for one ticket."""
    start = time.perf_counter()
    with ws.read() as session:
        data = read_work_order(session, load_permissions(session, reader), ticket_id,
                               site_name="Soporte Técnico Norte", zone=dt.UTC)
    read = time.perf_counter()
    rendered = render_work_order(template, data.values, data.workunits,
                                 ticket_label=data.ticket_label, generated_at=GENERATED,
                                 logo=None, zone=dt.UTC)
    done = time.perf_counter()
    return (read - start) * 1000, (done - read) * 1000, len(rendered.pdf)


def report(label: str, samples: list[tuple[float, float, int]]) -> None:
    totals = [r + p for r, p, _ in samples]
    p50 = statistics.median(totals)
    p95 = statistics.quantiles(totals, n=20)[18] if len(totals) >= 20 else max(totals)
    verdict = "ok" if p95 < TARGET_MS else "SLOW"
    print(f"{label:<22} n={len(samples):<4} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
          f"(read {statistics.median(r for r, _, _ in samples):5.1f} + render "
          f"{statistics.median(p for _, p, _ in samples):5.1f} ms)  "
          f"~{statistics.mean(s for _, _, s in samples) / 1024:.0f} KB  {verdict}")


def kept_and_signed(ws: Workspace, reader: uuid.UUID, ids: list[uuid.UUID]) -> None:
    """What the window does around the PDF: print and keep it on the ticket (render, blob,
    command), draw its first page for the preview, and validate it with three 12 MP
    phone photos (checked, reduced, combined, stored)."""
    kept, pictured = [], []
    generated = []
    for ticket_id in ids:
        started = time.perf_counter()
        made = generate_work_order(ws, reader, ticket_id, zone=dt.UTC)
        kept.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        render_pages(made.document.rendered.pdf, dpi=96, pages=[0])
        pictured.append((time.perf_counter() - started) * 1000)
        generated.append(made)
    print(f"print and keep on the ticket  p50 {statistics.median(kept):6.1f} ms  "
          f"max {max(kept):6.1f} ms")
    print(f"first page as a picture (96 dpi)  p50 {statistics.median(pictured):6.1f} ms")
    photos = [_phone_photo(colour) for colour in ("white", "ivory", "lightgrey")]
    started = time.perf_counter()
    pages = [page for n, data in enumerate(photos)
             for page in pages_of(inspect_scan(f"IMG_{n}.jpg", data))]
    checked = time.perf_counter()
    signed = validate_work_order(ws, reader, generated[0].work_order_id, pages)
    done = time.perf_counter()
    print(f"validate with 3 photos of 12 MP ({sum(map(len, photos)) / 1e6:.1f} MB): check "
          f"{(checked - started) * 1000:.0f} ms + combine and keep "
          f"{(done - checked) * 1000:.0f} ms -> {signed.size / 1024:.0f} KB PDF")


def _phone_photo(colour: str) -> bytes:
    """4000x3000 with noise, so JPEG sizes are a phone's rather than a flat colour's."""
    base = Image.new("RGB", (4000, 3000), colour)
    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    out = io.BytesIO()
    Image.blend(base, noise, 0.25).save(out, "JPEG", quality=90)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500, help="tickets in the batch")
    parser.add_argument("--workunits", type=int, default=6, help="workunits per ticket")
    parser.add_argument("--rounds", type=int, default=20, help="repeats of the single one")
    args = parser.parse_args()
    template = sanitize_html(default_work_order_template())
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace.open(Path(folder) / "ws")
        try:
            started = time.perf_counter()
            reader, ids = build(ws, args.tickets, args.workunits)
            print(f"built {len(ids)} tickets with {args.workunits} workunits each in "
                  f"{time.perf_counter() - started:.1f} s")
            first = one_work_order(ws, reader, ids[0], template)  # fonts load once here
            print(f"first work order (fonts loaded): {first[0] + first[1]:.1f} ms")
            report("one work order", [one_work_order(ws, reader, ids[0], template)
                                      for _ in range(args.rounds)])
            started = time.perf_counter()
            batch = [one_work_order(ws, reader, ticket, template) for ticket in ids]
            elapsed = time.perf_counter() - started
            report(f"batch of {len(ids)}", batch)
            print(f"batch total {elapsed:.1f} s, {len(ids) / elapsed:.1f} work orders/s")
            kept_and_signed(ws, reader, ids[: args.rounds])
        finally:
            ws.close()


if __name__ == "__main__":
    main()
