"""The special blocks a work-order template places with a macro of their own.

Each is written where its macro stands (alone on its line, or in a table cell):

* ``_header_``: the header band: logo, site name, "Work order", ticket number, date;
* ``_logo_``: the logo alone;
* ``_custom_fields_``: every custom field of the ticket's type as a two-column data block,
  empty ones left blank to be filled in by hand;
* ``_workunits_``: the work list (date, technician, work done, hours) with the total;
* ``_blank_lines_``: ruled lines for materials, notes or anything written on site;
* ``_signatures_``: boxes for the technician and the customer (name, date, signature);
* ``_page_break_``: the next part starts on a new page (the sanitiser keeps no classes,
  so a page break cannot be an ``<hr class="page-break">``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    PageBreak,
    Paragraph,
    Table,
)

from desktopdesk.documents.html_flowables import KEEP_WHOLE, Context, html_flowables
from desktopdesk.documents.macros import MacroValues
from desktopdesk.documents.pdf_images import PreparedImage
from desktopdesk.documents.pdf_style import (
    ACCENT,
    BAND,
    CELL_PAD_X,
    LABEL_BG,
    MUTED,
    RULE,
    TABLE_FONT,
    Styles,
)
from desktopdesk.documents.pdf_tables import TableLook, styled_table
from desktopdesk.documents.ticket_values import WorkunitRow, hours_figure

WORK_ORDER_BLOCKS: Mapping[str, str] = MappingProxyType({
    "header": "Header band: logo, site name, ticket number and date",
    "logo": "The logo alone",
    "custom_fields": "Every custom field of the ticket's type, as a data block",
    "workunits": "The work done: date, technician, work, hours, and the total",
    "blank_lines": "Ruled lines to write on by hand (materials, notes)",
    "signatures": "Signature boxes for the technician and the customer",
    "page_break": "Start a new page here",
})

BLANK_LINE_COUNT = 6
_BLANK_LINE_SPACING = 8 * mm
_LOGO_MAX = (42 * mm, 16 * mm)


@dataclass(frozen=True)
class BlockData:
    """What the blocks print besides the macro values."""

    values: MacroValues
    workunits: Sequence[WorkunitRow]
    ticket_label: str
    #: "2026-11-27 10:15", in the reader's zone.
    generated: str
    logo: PreparedImage | None
    zone: dt.tzinfo | None


def block_renderer(data: BlockData) -> Callable[[Context, str, float], list[Flowable]]:
    """The ``Context.blocks`` function for a work order."""
    builders: dict[str, Callable[[Context, BlockData, float], list[Flowable]]] = {
        "header": _header, "logo": _logo, "custom_fields": _custom_fields,
        "workunits": _workunits, "blank_lines": _blank_lines, "signatures": _signatures,
        "page_break": lambda *_: [PageBreak()],
    }

    def render(ctx: Context, name: str, width: float) -> list[Flowable]:
        build = builders.get(name)
        return build(ctx, data, width) if build is not None else []

    return render


def _text(ctx: Context, value: str) -> str:
    """A plain value as paragraph markup (line breaks kept: a textarea field)."""
    return ctx.markup(value).replace("\n", "<br/>")


def _logo_image(logo: PreparedImage, max_w: float, max_h: float) -> Image:
    w, h = float(logo.width_px), float(logo.height_px)
    scale = min(max_w / w, max_h / h)
    return Image(io.BytesIO(logo.data), width=w * scale, height=h * scale, hAlign="LEFT")


def _header(ctx: Context, data: BlockData, width: float) -> list[Flowable]:
    styles = ctx.styles
    site = Paragraph(_text(ctx, data.values.text("sitename")), styles.site_name)
    left: Any = site
    if data.logo is not None:
        logo = _logo_image(data.logo, *_LOGO_MAX)
        left = Table([[logo, site]], colWidths=[logo.drawWidth + 8, None], hAlign="LEFT",
                     style=[TABLE_FONT, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                            ("LEFTPADDING", (0, 0), (-1, -1), 0),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                            ("TOPPADDING", (0, 0), (-1, -1), 0),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])
    right = [Paragraph("Work order", styles.doc_kind),
             Paragraph(_text(ctx, data.ticket_label), styles.doc_number),
             Paragraph(f"Date {_text(ctx, data.generated)}", styles.doc_date)]
    band = Table([[left, right]], colWidths=[width * 0.58, width * 0.42], style=[
        TABLE_FONT,
        ("BACKGROUND", (0, 0), (-1, -1), BAND),
        ("LINEBELOW", (0, 0), (-1, -1), 2.5, ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 12), ("RIGHTPADDING", (0, 0), (-1, -1), 12),
        ("TOPPADDING", (0, 0), (-1, -1), 10), ("BOTTOMPADDING", (0, 0), (-1, -1), 11),
    ])
    band.spaceAfter = 10
    return [band]


def _logo(ctx: Context, data: BlockData, width: float) -> list[Flowable]:
    if data.logo is None:
        return []
    return [_logo_image(data.logo, min(width, 60 * mm), 25 * mm)]


def _custom_fields(ctx: Context, data: BlockData, width: float) -> list[Flowable]:
    labels = data.values.custom_labels
    if not labels:
        return []
    styles = ctx.styles
    label_w = width * 0.17
    widths = [label_w, width / 2 - label_w, label_w, width / 2 - label_w]
    rows: list[list[Any]] = []
    label_cells: list[tuple[int, int]] = []
    spans: list[tuple[int, int, int, int]] = []
    for index in range(0, len(labels), 2):
        row_number = len(rows)
        row: list[Any] = []
        for column, label in enumerate(labels[index:index + 2]):
            row += [Paragraph(_text(ctx, label), styles.label),
                    Paragraph(_text(ctx, data.values.text(label)), styles.cell)]
            label_cells.append((column * 2, row_number))
        if len(row) == 2:
            row += ["", ""]
            spans.append((1, row_number, 3, row_number))
        rows.append(row)
    return [styled_table(rows, widths, TableLook(label_cells=tuple(label_cells),
                                                 spans=tuple(spans)))]


def _workunits(ctx: Context, data: BlockData, width: float) -> list[Flowable]:
    styles = ctx.styles
    widths = [23 * mm, 34 * mm, 0.0, 18 * mm]
    widths[2] = width - sum(widths)
    header = [Paragraph("Date", styles.header_cell), Paragraph("Technician", styles.header_cell),
              Paragraph("Work done", styles.header_cell), Paragraph("Hours", styles.header_figure)]
    rows: list[list[Any]] = [header]
    spans: list[tuple[int, int, int, int]] = []
    for entry in data.workunits:
        local = entry.done_at.astimezone(data.zone) if data.zone else entry.done_at.astimezone()
        when = [Paragraph(local.strftime("%Y-%m-%d"), styles.cell),
                Paragraph(local.strftime("%H:%M"), styles.muted)]
        text = html_flowables(ctx, entry.text_html, widths[2] - 2 * CELL_PAD_X)
        rows.append([when, Paragraph(_text(ctx, entry.author), styles.cell), text or "",
                     Paragraph(hours_figure(entry.hours), styles.figure)])
    if not data.workunits:
        rows.append([Paragraph("No work recorded yet.", styles.muted), "", "", ""])
        spans.append((0, 1, 3, 1))
    total = sum(entry.hours for entry in data.workunits)
    rows.append([Paragraph("Total hours", styles.total), "", "",
                 Paragraph(hours_figure(total), styles.total_figure)])
    spans.append((0, len(rows) - 1, 2, len(rows) - 1))
    look = TableLook(header_rows=1, zebra_bands=tuple(r - 1 for r in range(len(rows) - 1)),
                     total_row=True, spans=tuple(spans))
    return [styled_table(rows, widths, look)]


class _RuledLines(Flowable):
    """Lines to write on: as wide as the frame, evenly spaced."""

    def __init__(self, count: int, spacing: float) -> None:
        super().__init__()
        self.count, self.spacing = count, spacing
        self.width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.count * self.spacing + 4

    def draw(self) -> None:
        canvas = self.canv
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        for line in range(1, self.count + 1):
            y = self.count * self.spacing - line * self.spacing + 2
            canvas.line(0, y, self.width, y)


def _blank_lines(ctx: Context, data: BlockData, width: float) -> list[Flowable]:
    lines = _RuledLines(BLANK_LINE_COUNT, _BLANK_LINE_SPACING)
    lines.spaceAfter = 8
    return [lines]


def _signature_box(styles: Styles, title: str, width: float) -> Table:
    """Name, date and signature lines; the lines stop short of the box's right edge."""
    label_w, end_w = 25 * mm, 6 * mm
    rows = [[Paragraph(title, styles.box_title), "", ""],
            [Paragraph("Name", styles.label), "", ""],
            [Paragraph("Date", styles.label), "", ""],
            [Paragraph("Signature", styles.label), "", ""],
            ["", "", ""]]
    return Table(rows, colWidths=[label_w, width - label_w - end_w, end_w],
                 rowHeights=[None, 10 * mm, 10 * mm, 22 * mm, 4 * mm], style=[
                     TABLE_FONT,
                     ("SPAN", (0, 0), (2, 0)),
                     ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                     ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
                     ("VALIGN", (0, 1), (-1, -1), "BOTTOM"),
                     ("LEFTPADDING", (0, 0), (-1, -1), 8),
                     ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                     ("TOPPADDING", (0, 0), (-1, 0), 5), ("BOTTOMPADDING", (0, 0), (-1, 0), 5),
                     ("BOTTOMPADDING", (0, 1), (-1, -1), 2),
                     ("LINEBELOW", (1, 1), (1, 3), 0.7, MUTED),
                 ])


def _signatures(ctx: Context, data: BlockData, width: float) -> list[Flowable]:
    gutter = 10 * mm
    box_w = (width - gutter) / 2
    boxes = Table([[_signature_box(ctx.styles, "Technician", box_w), "",
                    _signature_box(ctx.styles, "Customer", box_w)]],
                  colWidths=[box_w, gutter, box_w], hAlign="LEFT", style=[
                      TABLE_FONT,
                      ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                      ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                  ])
    boxes.spaceBefore = 4
    boxes.spaceAfter = 8
    setattr(boxes, KEEP_WHOLE, True)  # one row: it moves whole to the next page anyway
    return [boxes]
