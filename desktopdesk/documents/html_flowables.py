"""Sanitised HTML to reportlab flowables, in the house style of ``pdf_style``.

Understands what the sanitiser keeps (``desktopdesk.domain.html``): paragraphs, headings,
bold/italic/underline/strike, sub/superscript, code, links, lists (nested), tables with
header cells and spans, block quotes, preformatted text, rules, images and line breaks.
Anything else is treated as a plain container, so unexpected markup still prints its
text. Text is always escaped into reportlab's paragraph markup: nothing in the HTML can
inject markup or fetch anything.

A table's look follows from its header cells: a first row of ``<th>`` is a header band
(repeated on each page) over zebra rows; ``<th>`` cells elsewhere are labels of a data
block (``<th>Status</th><td>Open</td><th>Owner</th><td>Ana</td>``: two columns of data).

``<dd-block name="...">`` elements are the places of a document's special blocks (the
work list, signature boxes): the caller's ``blocks`` function turns them into flowables.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    FrameBreak,
    HRFlowable,
    Image,
    ListFlowable,
    ListItem,
    Paragraph,
    Spacer,
    Table,
    XPreformatted,
)

from desktopdesk.documents import pdf_tables
from desktopdesk.documents.html_tree import Node, parse_html, text_of
from desktopdesk.documents.pdf_images import ImageError, image_from_data_uri, prepare_image
from desktopdesk.documents.pdf_style import (
    FONT,
    FONT_MONO,
    LINK,
    RULE,
    TABLE_FONT,
    Styles,
    printable,
)

BLOCK_TAG = "dd-block"
#: Set (True) on a flowable a heading must keep whole with it, such as signature boxes.
KEEP_WHOLE = "keep_whole"
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table",
                     "thead", "tbody", "tfoot", "tr", "td", "th", "blockquote", "pre", "hr",
                     "img", BLOCK_TAG})
_INLINE = {"b": ("<b>", "</b>"), "strong": ("<b>", "</b>"), "i": ("<i>", "</i>"),
           "em": ("<i>", "</i>"), "u": ("<u>", "</u>"), "s": ("<strike>", "</strike>"),
           "sub": ("<sub>", "</sub>"), "sup": ("<super>", "</super>"),
           "code": (f'<font face="{FONT_MONO}">', "</font>")}
_LINK_SCHEMES = ("http://", "https://", "mailto:")
#: Images without a size are taken as 96 dpi, as browsers and Qt show them.
_PX = 0.75
_MAX_IMAGE_HEIGHT = 90 * mm


@dataclass
class Context:
    """What every part of a conversion shares."""

    styles: Styles
    #: Bytes of an image ``src`` that is not a data URI (``attachment:...``); None: unknown.
    load_image: Callable[[str], bytes | None]
    #: Flowables of a special block, by name, at a width (none: the document has none).
    blocks: Callable[[Context, str, float], list[Flowable]]
    problems: list[str] = field(default_factory=list)
    #: Characters left out because the font has no glyph for them (reported once).
    missing_chars: set[str] = field(default_factory=set)

    def markup(self, text: str) -> str:
        """Plain text as paragraph markup: printable characters, escaped."""
        return html.escape(printable(text, self.missing_chars), quote=False)


def _style_markup(node: Node) -> tuple[str, str]:
    """Markup for what a ``style`` attribute keeps (weight, slant, decoration)."""
    style = node.attrs.get("style", "").lower()
    opening, closing = "", ""
    for pattern, tags in ((r"font-weight\s*:\s*(bold|[6-9]00)", ("<b>", "</b>")),
                          (r"font-style\s*:\s*italic", ("<i>", "</i>")),
                          (r"text-decoration[^;]*underline", ("<u>", "</u>")),
                          (r"text-decoration[^;]*line-through", ("<strike>", "</strike>"))):
        if re.search(pattern, style):
            opening, closing = opening + tags[0], tags[1] + closing
    return opening, closing


class _Flow:
    """Turns a container's children into flowables: runs of inline content become
    paragraphs in ``style``; block elements become their own flowables. Inline markup
    open when a block interrupts it is closed before and reopened after."""

    def __init__(self, ctx: Context, style: ParagraphStyle, width: float) -> None:
        self.ctx, self.style, self.width = ctx, style, width
        self.out: list[Flowable] = []
        self._markup: list[str] = []
        self._open: list[tuple[str, str]] = []
        self._has_text = False
        self._breaks = 0

    def run(self, children: list[Node | str]) -> list[Flowable]:
        for child in children:
            self._child(child)
        self._flush()
        return self.out

    def _child(self, child: Node | str) -> None:
        if isinstance(child, str):
            if child.strip():
                self._has_text = True
            self._markup.append(self.ctx.markup(child))
            return
        if child.tag == "br":
            self._markup.append("<br/>")
            self._breaks += 1
            return
        if child.tag in _BLOCKS:
            self._flush()
            self.out.extend(block_flowables(self.ctx, child, self.width))
            return
        opening, closing = _INLINE.get(child.tag, ("", ""))
        if child.tag == "a":
            href = child.attrs.get("href", "")
            if href.startswith(_LINK_SCHEMES):
                opening = f'<a href="{html.escape(href, quote=True)}" color="{LINK.hexval()}">'
                closing = "</a>"
        extra_open, extra_close = _style_markup(child)
        opening, closing = opening + extra_open, extra_close + closing
        self._markup.append(opening)
        self._open.append((opening, closing))
        for grandchild in child.children:
            self._child(grandchild)
        self._open.pop()
        self._markup.append(closing)

    def _paragraph(self, text: str) -> Paragraph:
        try:
            return Paragraph(text, self.style)
        except ValueError:  # markup reportlab refuses (links in links): the words alone
            plain = re.sub(r"<[^>]*>", " ", text.replace("<br/>", "\n"))
            return Paragraph(self.ctx.markup(html.unescape(plain)), self.style)

    def _flush(self) -> None:
        closing = "".join(c for _, c in reversed(self._open))
        text = "".join(self._markup) + closing
        if self._has_text:
            self.out.append(self._paragraph(text))
        elif self._breaks:  # an empty line the author left on purpose
            self.out.append(Spacer(1, self.style.leading * self._breaks))
        self._markup = [o for o, _ in self._open]
        self._has_text = False
        self._breaks = 0


def flowables_of(ctx: Context, children: list[Node | str], style: ParagraphStyle,
                 width: float) -> list[Flowable]:
    return _Flow(ctx, style, width).run(children)


def html_flowables(ctx: Context, text: str, width: float, *,
                   page_level: bool = False) -> list[Flowable]:
    """The flowables of an HTML fragment at ``width`` points; ``page_level`` for the
    document's own flow (headings then keep with what they head), not a table cell's."""
    flowables = flowables_of(ctx, parse_html(text).children, ctx.styles.body, width)
    return guard_headings(flowables) if page_level else flowables


def block_flowables(ctx: Context, node: Node, width: float) -> list[Flowable]:
    styles = ctx.styles
    tag = node.tag
    if tag == BLOCK_TAG:
        return ctx.blocks(ctx, node.attrs.get("name", ""), width)
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return _heading(ctx, node, int(tag[1]), width)
    if tag in ("ul", "ol"):
        return _list(ctx, node, width)
    if tag == "table":
        return pdf_tables.html_table(
            node, width, ctx.styles,
            lambda cell, style, cell_width: flowables_of(ctx, cell.children, style, cell_width))
    if tag == "blockquote":
        return _quote(ctx, node, width)
    if tag == "pre":
        return [XPreformatted(ctx.markup(text_of(node)), styles.pre)]
    if tag == "hr":
        return [HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=4,
                           spaceAfter=8)]
    if tag == "img":
        return _image(ctx, node, width)
    children = node.children
    if node.attrs.get("style"):  # <p style="font-weight:600">: the whole paragraph bold
        children = [Node("span", {"style": node.attrs["style"]}, node.children)]
    return flowables_of(ctx, children, styles.body, width)


#: Room a heading needs under it for the start of what it heads, else it moves to the next
#: page. Not keepWithNext: reportlab would carry a whole work list along with its heading.
_HEADING_ROOM = {1: 50 * mm, 2: 40 * mm, 3: 30 * mm}


class HeadingGuard(Flowable):
    """Breaks the page before a heading when what it heads would not start under it.

    ``following`` (set by ``guard_headings`` for the page-level flow only) is the heading
    and what comes after it up to the next heading. The start of it must fit: ``room``
    points of it, or all of a block kept together (signature boxes), whichever is more;
    a table counts as fitting once it starts (it splits by rows). A flowable that cannot
    split says so with the attribute named by ``KEEP_WHOLE``.
    """

    def __init__(self, room: float) -> None:
        super().__init__()
        self.room = room
        self.following: list[Flowable] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        frame = self._doctemplateAttr("frame")
        if frame is not None and self.following and avail_height < self._needed(avail_width):
            frame.add_generated_content(FrameBreak)
        return 0, 0

    def _needed(self, width: float) -> float:
        total = 0.0
        for flowable in self.following:
            whole = getattr(flowable, KEEP_WHOLE, False)
            if isinstance(flowable, Table) and total > 0 and not whole:
                return max(total + 3 * 14, self.room)
            height = (flowable.wrapOn(self.canv, width, 100_000)[1]
                      + flowable.getSpaceBefore() + flowable.getSpaceAfter())
            if whole:
                return min(total + height, 600.0)
            total += height
            if total >= self.room:
                return self.room
        return total

    def draw(self) -> None:
        pass


def guard_headings(flowables: list[Flowable]) -> list[Flowable]:
    """Give each heading guard of a page-level flow what it guards."""
    guards = [n for n, f in enumerate(flowables) if isinstance(f, HeadingGuard)]
    for index, position in enumerate(guards):
        end = guards[index + 1] if index + 1 < len(guards) else len(flowables)
        flowables[position].following = flowables[position + 1:end]
    return flowables


def _heading(ctx: Context, node: Node, level: int, width: float) -> list[Flowable]:
    parts = flowables_of(ctx, node.children, ctx.styles.heading(level), width)
    if not parts:
        return []
    if level == 2:
        parts.append(HRFlowable(width="100%", thickness=0.8, color=ctx.styles.h2.textColor,
                                spaceBefore=2, spaceAfter=6))
    return [HeadingGuard(_HEADING_ROOM.get(level, 25 * mm)), *parts]


def _list(ctx: Context, node: Node, width: float) -> list[Flowable]:
    indent = 14
    items = []
    for child in node.children:
        if isinstance(child, str):
            continue
        content: list[Node | str] = child.children if child.tag == "li" else [child]
        flowables = flowables_of(ctx, content, ctx.styles.body, width - indent)
        if flowables:
            items.append(ListItem(flowables))
    if not items:
        return []
    numbered = node.tag == "ol"
    return [ListFlowable(items, bulletType="1" if numbered else "bullet",
                         start=None if numbered else "•", leftIndent=indent,
                         bulletFontName=FONT, bulletFontSize=9,
                         bulletColor=ctx.styles.body.textColor, spaceAfter=4)]


def _quote(ctx: Context, node: Node, width: float) -> list[Flowable]:
    inner = flowables_of(ctx, node.children, ctx.styles.body, width - 14)
    if not inner:
        return []
    quote = Table([[inner]], colWidths=[width - 4], style=[
        TABLE_FONT,
        ("LINEBEFORE", (0, 0), (0, 0), 2, RULE),
        ("LEFTPADDING", (0, 0), (0, 0), 10), ("RIGHTPADDING", (0, 0), (0, 0), 0),
        ("TOPPADDING", (0, 0), (0, 0), 0), ("BOTTOMPADDING", (0, 0), (0, 0), 0)])
    quote.spaceAfter = 6
    return [quote]


def _image(ctx: Context, node: Node, width: float) -> list[Flowable]:
    src = node.attrs.get("src", "")
    label = node.attrs.get("alt") or src[:60] or "(no address)"
    try:
        data = image_bytes(ctx, src)
        prepared = prepare_image(data)
    except ImageError as problem:
        ctx.problems.append(f"The image {label!r} is not printed: {problem}.")
        return []
    natural_w, natural_h = prepared.width_px * _PX, prepared.height_px * _PX
    asked_w, asked_h = _size_attr(node, "width"), _size_attr(node, "height")
    if asked_w and asked_h:
        w, h = asked_w, asked_h
    elif asked_w:
        w, h = asked_w, natural_h * asked_w / natural_w
    elif asked_h:
        w, h = natural_w * asked_h / natural_h, asked_h
    else:
        w, h = natural_w, natural_h
    scale = min(1.0, width / w, _MAX_IMAGE_HEIGHT / h)
    return [Image(io.BytesIO(prepared.data), width=w * scale, height=h * scale, hAlign="LEFT")]


def image_bytes(ctx: Context, src: str) -> bytes:
    if src.startswith("data:"):
        return image_from_data_uri(src)
    if src.startswith(("http://", "https://")):
        raise ImageError("pictures from the web are not fetched (documents are made "
                           "offline); attach the picture or embed it instead")
    data = ctx.load_image(src) if src else None
    if data is None:
        raise ImageError("the picture is not on this computer")
    return data


def _size_attr(node: Node, name: str) -> float | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*", node.attrs.get(name, ""))
    return float(match.group(1)) * _PX if match and float(match.group(1)) > 0 else None

