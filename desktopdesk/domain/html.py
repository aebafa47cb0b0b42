"""Rich text is sanitised before it is stored: no scripts, no event handlers, no styles
that hide things, and links only to schemes a help desk needs.

Images may point at ``attachment:<sha256>`` (files of the ticket, shown inline) or at the
web; the viewer decides whether to fetch remote ones (by default it does not).
"""

from __future__ import annotations

import nh3

_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "span": {"style"},
    "p": {"style"},
}
#: No colours: a colour chosen on a light screen (or the link colour Qt writes into the
#: document from the palette) is unreadable on a dark one, and the other way round.
_STYLE_PROPERTIES = {"font-weight", "font-style", "text-decoration"}
_URL_SCHEMES = {"http", "https", "mailto", "attachment"}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        filter_style_properties=_STYLE_PROPERTIES,
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(html: str) -> str:
    """Text content only (for titles derived from rich text, search and history)."""
    return nh3.clean(html, tags=set()).strip()
