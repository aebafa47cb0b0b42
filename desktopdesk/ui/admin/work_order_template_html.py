"""A template's HTML as the rich-text editor gives it back, put the way the PDF reads it.

Qt's editor keeps how text looks, not what it is: it reads a ``<th>`` as a bold cell and
writes back ``<td><p><span style="font-weight:700">Status</span></p></td>``. The work-order
renderer, though, lays a table out by its header cells (a first row of ``<th>`` is a
header band, ``<th>`` beside ``<td>`` a data block's labels), so a template opened and
saved would lose its look. Here a cell written all in bold is a header cell again, the
paragraph Qt wraps every cell in is dropped, and the bold Qt spells out inside headings
and header cells (bold already) goes. No Qt: the preview runs this on a worker.
"""

from __future__ import annotations

import html
import re

from desktopdesk.documents.html_tree import Node, parse_html
from desktopdesk.domain.html import plain_text, sanitize_html

_VOID = frozenset({"br", "hr", "img"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
_BOLD_STYLE = re.compile(r"^\s*font-weight\s*:\s*(bold|[6-9]00)\s*;?\s*$", re.IGNORECASE)
_BOLD_IN_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.IGNORECASE)


def tidy_template_html(editor_html: str) -> str:
    """``editor_html`` (``QTextEdit.toHtml()``, or any HTML) sanitised and tidied."""
    root = parse_html(sanitize_html(editor_html))
    _tidy_children(root)
    text = sanitize_html("".join(_serialise(child) for child in root.children)).strip()
    # An emptied editor still holds a paragraph with a line break: that is no template.
    if not plain_text(text) and not any(f"<{tag}" in text for tag in ("img", "table", "hr")):
        return ""
    return text


def _is_bold(node: Node) -> bool:
    if node.tag in ("b", "strong"):
        return True
    return node.tag == "span" and bool(_BOLD_IN_STYLE.search(node.attrs.get("style", "")))


def _all_bold(node: Node | str, inside_bold: bool = False) -> bool:
    """Whether every piece of text under ``node`` is bold (and there is some)."""
    if isinstance(node, str):
        return inside_bold or not node.strip()
    bold = inside_bold or _is_bold(node)
    return all(_all_bold(child, bold) for child in node.children)


def _has_text(node: Node | str) -> bool:
    if isinstance(node, str):
        return bool(node.strip())
    return any(_has_text(child) for child in node.children)


def _unwrap_bold(children: list[Node | str]) -> list[Node | str]:
    """The children with plain-bold wrappers removed (their content kept)."""
    kept: list[Node | str] = []
    for child in children:
        if isinstance(child, Node):
            child.children = _unwrap_bold(child.children)
            if child.tag in ("b", "strong") or (
                    child.tag == "span" and _BOLD_STYLE.match(child.attrs.get("style", ""))):
                kept.extend(child.children)
                continue
        kept.append(child)
    return kept


def _tidy_children(node: Node) -> None:
    for child in node.children:
        if isinstance(child, Node):
            _tidy(child)


def _tidy(node: Node) -> None:
    _tidy_children(node)
    if node.attrs.get("style", None) == "":
        del node.attrs["style"]
    if node.tag in ("td", "th"):
        elements = [c for c in node.children if isinstance(c, Node) or c.strip()]
        if len(elements) == 1 and isinstance(elements[0], Node) and elements[0].tag == "p":
            node.children = elements[0].children  # Qt's paragraph in every cell
        if node.tag == "td" and _has_text(node) and _all_bold(node):
            node.tag = "th"
        if node.tag == "th":
            node.children = _unwrap_bold(node.children)
    elif node.tag in _HEADINGS:
        node.children = _unwrap_bold(node.children)
    if node.tag in ("p", "td", "th", "li", *_HEADINGS) and node.children:
        _strip_edges(node)


def _strip_edges(node: Node) -> None:
    """No blank at the start or end of a block (Qt leaves one after a macro typed last)."""
    first, last = node.children[0], node.children[-1]
    if isinstance(first, str):
        node.children[0] = first.lstrip()
    if isinstance(last, str):
        node.children[-1] = str(node.children[-1]).rstrip()  # the first, stripped, if alone


def _serialise(node: Node | str) -> str:
    if isinstance(node, str):
        return html.escape(node, quote=False)
    attrs = "".join(f' {name}="{html.escape(value, quote=True)}"'
                    for name, value in node.attrs.items())
    if node.tag in _VOID:
        return f"<{node.tag}{attrs}>"
    inner = "".join(_serialise(child) for child in node.children)
    return f"<{node.tag}{attrs}>{inner}</{node.tag}>"
