"""A work order as a PDF: a template's HTML, a ticket's values, reportlab Platypus.

The template (sanitised HTML, see ``desktopdesk.domain.html``) is expanded with the shared
macro engine, then laid out in the house style (``pdf_style``): the special blocks of
``work_order_blocks`` where their macros stand, a running header from the second page,
and on every page a footer "Work order for #N · generated <date>" with "Page i of n".

Nothing here stops a technician from getting their paper: an unknown macro is printed as
typed, an unreadable logo or picture is left out, and each becomes a message in
``RenderedWorkOrder.problems`` for the person to fix at leisure. Only a template whose
layout cannot fit on a page at all raises ``WorkOrderError``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
)
from reportlab.platypus.doctemplate import LayoutError

from desktopdesk import __version__
from desktopdesk.atomic_file import write_atomically
from desktopdesk.documents.html_flowables import BLOCK_TAG, Context, html_flowables
from desktopdesk.documents.macros import MacroValues, expand, unknown_macro_message
from desktopdesk.documents.pdf_images import ImageError, PreparedImage, prepare_image
from desktopdesk.documents.pdf_style import (
    ACCENT,
    FONT,
    FONT_BOLD,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    RULE,
    Styles,
    make_styles,
    printable,
)
from desktopdesk.documents.ticket_values import WorkunitRow, moment_text
from desktopdesk.documents.work_order_blocks import WORK_ORDER_BLOCKS, BlockData, block_renderer


class WorkOrderError(Exception):
    """The work order cannot be laid out; the message says what to change."""


@dataclass(frozen=True)
class RenderedWorkOrder:
    pdf: bytes
    page_count: int
    #: One sentence each, for the person who made it (unknown macros, pictures left out).
    problems: tuple[str, ...] = ()


def work_order_macro_names(values: MacroValues) -> frozenset[str]:
    """Every name a work-order template may use with these values (for the editor)."""
    return values.names | frozenset(WORK_ORDER_BLOCKS)


def render_work_order(template_html: str, values: MacroValues,
                      workunits: Sequence[WorkunitRow], *, ticket_label: str,
                      generated_at: dt.datetime, logo: bytes | None,
                      zone: dt.tzinfo | None = None,
                      load_image: Callable[[str], bytes | None] | None = None,
                      ) -> RenderedWorkOrder:
    """The PDF of one work order.

    ``template_html`` must have been sanitised; ``load_image`` gives the bytes of an
    ``<img src>`` that is not a data URI (``attachment:<sha256>``), None when it has none.
    Times print in ``zone`` (None: this computer's).
    """
    problems: list[str] = []
    placeholders = MacroValues({name: f'<{BLOCK_TAG} name="{name}"></{BLOCK_TAG}>'
                                for name in WORK_ORDER_BLOCKS},
                               html_names=frozenset(WORK_ORDER_BLOCKS))
    with_blocks = values.merged(placeholders)
    expansion = expand(template_html, with_blocks)
    problems += [unknown_macro_message(name, with_blocks.names) for name in expansion.unknown]
    prepared_logo = _logo(logo, problems)
    generated = moment_text(generated_at, zone)
    styles = make_styles()
    ctx = Context(styles=styles, load_image=load_image or (lambda _src: None),
                  blocks=block_renderer(BlockData(values, workunits, ticket_label, generated,
                                                  prepared_logo, zone)))
    width = A4[0] - 2 * MARGIN_X
    story = html_flowables(ctx, expansion.html, width, page_level=True)
    site_name = printable(values.text("sitename"), ctx.missing_chars)
    title = values.text("incident_title")
    label = printable(ticket_label, ctx.missing_chars)
    problems += ctx.problems
    if ctx.missing_chars:
        problems.append("These characters have no letter shape in the document's font and are "
                        f"left out: {' '.join(sorted(ctx.missing_chars))}")
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"Work order {ticket_label}: {title}".strip(": "),
        author=site_name, subject=f"Work order for {ticket_label}",
        creator=f"DesktopDesk {__version__}",
        # Else each page starts in Helvetica: a font reference nothing uses, not embedded.
        initialFontName=FONT, initialFontSize=9.5)
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, width, A4[1] - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    canvas_class = _decorated_canvas(
        footer=f"Work order for {label} · generated {generated}",
        running=f"{site_name} · Work order {label}".strip(" ·"))
    try:
        doc.build(story or [_nothing(styles)], canvasmaker=canvas_class)
    except LayoutError as error:
        raise WorkOrderError(
            "The work order cannot be laid out: a part of the template (a table row or a "
            f"picture) is taller than a page. Split it into smaller parts. ({error})"
        ) from None
    return RenderedWorkOrder(out.getvalue(), doc.page, tuple(problems))


def _logo(logo: bytes | None, problems: list[str]) -> PreparedImage | None:
    if logo is None:
        return None
    try:
        return prepare_image(logo)
    except ImageError as problem:
        problems.append(f"The logo is left out: {problem}. Choose a PNG or JPEG picture.")
        return None


def _nothing(styles: Styles) -> Flowable:
    return Paragraph("The template is empty.", styles.muted)


def _decorated_canvas(*, footer: str, running: str) -> type[Canvas]:
    """A canvas that holds its pages until the end, to print "Page i of n" on each."""

    class _DecoratedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held_pages)
            for state in self._held_pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            page_w, _ = A4
            number = self._pageNumber
            self.saveState()
            y = MARGIN_BOTTOM - 9 * 2.8346
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, y + 10, page_w - MARGIN_X, y + 10)
            self.setFillColor(MUTED)
            self.setFont(FONT, 7.5)
            self.drawString(MARGIN_X, y, footer)
            self.setFont(FONT_BOLD, 7.5)
            self.drawRightString(page_w - MARGIN_X, y, f"Page {number} of {total}")
            if number > 1 and running:
                top = A4[1] - MARGIN_TOP + 16
                self.setFillColor(ACCENT)
                self.setFont(FONT_BOLD, 8)
                self.drawString(MARGIN_X, top, running)
                self.line(MARGIN_X, top - 5, page_w - MARGIN_X, top - 5)
            self.restoreState()

    return _DecoratedCanvas


def write_pdf_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all: a half-written work order must
    never be taken for the real one (a temporary file in the same folder, then a rename).
    """
    return write_atomically(path, (data,))
