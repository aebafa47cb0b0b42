"""Tables in the house style: a template's HTML tables and a document's own tables.

One look for all: thin rules between rows, a navy header band repeated on each page,
zebra rows under a header, shaded label cells in data blocks, a bold totals row.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Table

from desktopdesk.documents.html_tree import Node, text_of
from desktopdesk.documents.pdf_style import (
    ACCENT,
    CELL_PAD_X,
    CELL_PAD_Y,
    INK,
    LABEL_BG,
    RULE,
    TABLE_FONT,
    ZEBRA,
    Styles,
)

#: Flowables of a cell's content in a style at a width (the HTML renderer's, passed in).
CellRenderer = Callable[[Node, ParagraphStyle, float], list[Flowable]]

#: A row taller than this lets the table split inside rows (a long text in a cell); below
#: it rows move whole to the next page, which reads better.
TALL_ROW = 300.0


@dataclass(frozen=True)
class TableLook:
    """Which parts of a table are styled as what."""

    header_rows: int = 0
    #: Row index -> band index for zebra shading (rows of one band share a shade).
    zebra_bands: tuple[int, ...] = ()
    label_cells: tuple[tuple[int, int], ...] = ()
    total_row: bool = False
    spans: tuple[tuple[int, int, int, int], ...] = ()  # (col0, row0, col1, row1)
    boxed: bool = True


def styled_table(rows: list[list[Any]], widths: Sequence[float], look: TableLook) -> Table:
    """A reportlab table with the house style applied to ``look``'s parts."""
    commands: list[tuple[Any, ...]] = [
        TABLE_FONT,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD_Y + 1),
        ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
    ]
    if look.boxed:
        commands.append(("BOX", (0, 0), (-1, -1), 0.6, RULE))
    if look.header_rows:
        last = look.header_rows - 1
        commands += [("BACKGROUND", (0, 0), (-1, last), ACCENT),
                     ("LINEBELOW", (0, last), (-1, last), 0.6, ACCENT),
                     ("VALIGN", (0, 0), (-1, last), "MIDDLE")]
    for row, band in enumerate(look.zebra_bands):
        if band % 2 == 1 and row >= look.header_rows:
            commands.append(("BACKGROUND", (0, row), (-1, row), ZEBRA))
    for col, row in look.label_cells:
        # Labels are smaller than values: more room above puts their baselines level.
        commands += [("BACKGROUND", (col, row), (col, row), LABEL_BG),
                     ("TOPPADDING", (col, row), (col, row), CELL_PAD_Y + 1.8)]
    if look.total_row:
        commands += [("LINEABOVE", (0, -1), (-1, -1), 1.2, ACCENT),
                     ("BACKGROUND", (0, -1), (-1, -1), LABEL_BG)]
    for col0, row0, col1, row1 in look.spans:
        commands.append(("SPAN", (col0, row0), (col1, row1)))
    table = Table(rows, colWidths=list(widths), style=commands, repeatRows=look.header_rows,
                  splitInRow=1 if _has_tall_row(rows, widths) else 0, hAlign="LEFT")
    table.spaceAfter = 8
    return table


def _has_tall_row(rows: list[list[Any]], widths: Sequence[float]) -> bool:
    # Some flowables (lists) measure themselves only on a canvas; a scratch one will do.
    scratch = Canvas(io.BytesIO())
    for row in rows:
        for cell, width in zip(row, widths, strict=False):
            flowables = cell if isinstance(cell, list) else [cell]
            height = 0.0
            for flowable in flowables:
                if isinstance(flowable, Flowable):
                    height += flowable.wrapOn(scratch, width - 2 * CELL_PAD_X, 10_000)[1]
            if height > TALL_ROW:
                return True
    return False


# --- Tables written in a template ---------------------------------------------------------


@dataclass
class _Cell:
    node: Node
    row: int
    col: int
    colspan: int
    rowspan: int

    @property
    def is_th(self) -> bool:
        return self.node.tag == "th"


def _span(node: Node, name: str) -> int:
    try:
        return max(1, min(int(node.attrs.get(name, "1")), 50))
    except ValueError:
        return 1


def _rows_of(node: Node) -> list[Node]:
    rows: list[Node] = []
    for child in node.children:
        if isinstance(child, str):
            continue
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(_rows_of(child))
    return rows


def _grid(node: Node) -> tuple[list[_Cell], int, int]:
    """Cells placed on the grid the spans make; (cells, rows, columns)."""
    taken: set[tuple[int, int]] = set()
    cells: list[_Cell] = []
    rows = _rows_of(node)
    for r, row in enumerate(rows):
        c = 0
        for child in row.children:
            if isinstance(child, str) or child.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            colspan = _span(child, "colspan")
            rowspan = min(_span(child, "rowspan"), len(rows) - r)
            cells.append(_Cell(child, r, c, colspan, rowspan))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            c += colspan
    columns = max((cell.col + cell.colspan for cell in cells), default=0)
    return cells, len(rows), columns


def _column_widths(cells: list[_Cell], columns: int, header_row: bool,
                   width: float) -> list[float]:
    """Shares of the width by how much text each column holds; label columns narrow."""
    weights = [4.0] * columns
    labels = [True] * columns
    for cell in cells:
        if cell.colspan != 1:
            continue
        if not cell.is_th and not (header_row and cell.row == 0):
            labels[cell.col] = False
        longest = max((len(line) for line in text_of(cell.node).split("\n")), default=0)
        weights[cell.col] = max(weights[cell.col], min(float(longest), 40.0))
    if not header_row and any(labels) and not all(labels):
        # A data block: labels a fixed narrow share, values the rest in equal parts, so
        # every ticket's block looks the same whatever its values.
        label_w = min(width * 0.17, width / columns)
        value_w = (width - label_w * labels.count(True)) / labels.count(False)
        return [label_w if label else value_w for label in labels]
    for col in range(columns):
        if labels[col]:
            weights[col] = min(weights[col], 12.0)
    total = sum(weights)
    return [width * w / total for w in weights]


def html_table(node: Node, width: float, styles: Styles,
               render_cell: CellRenderer) -> list[Flowable]:
    cells, row_count, columns = _grid(node)
    if not cells or not columns:
        return []
    first_row = [cell for cell in cells if cell.row == 0]
    header_row = row_count > 1 and all(cell.is_th for cell in first_row)
    widths = _column_widths(cells, columns, header_row, width)
    rows: list[list[Any]] = [["" for _ in range(columns)] for _ in range(row_count)]
    labels: list[tuple[int, int]] = []
    spans: list[tuple[int, int, int, int]] = []
    for cell in cells:
        in_header = header_row and cell.row == 0
        style = (styles.header_cell if in_header else styles.label if cell.is_th
                 else styles.cell)
        cell_width = sum(widths[cell.col:cell.col + cell.colspan]) - 2 * CELL_PAD_X
        rows[cell.row][cell.col] = render_cell(cell.node, style, cell_width)
        if cell.is_th and not in_header:
            labels.append((cell.col, cell.row))
        if cell.colspan > 1 or cell.rowspan > 1:
            spans.append((cell.col, cell.row, cell.col + cell.colspan - 1,
                          cell.row + cell.rowspan - 1))
    zebra = tuple(range(row_count)) if header_row and not labels else ()
    look = TableLook(header_rows=1 if header_row else 0,
                     zebra_bands=tuple(r - 1 for r in zebra) if zebra else (),
                     label_cells=tuple(labels), spans=tuple(spans))
    return [styled_table(rows, widths, look)]
