"""One macro engine for work orders and (later) mail templates: ``_name_`` in a template.

Integria replaces macros by plain string replacement, which mangles ordinary text with
underscores in it. Here two rules keep such text intact:

* only *known* names expand (the manual's list, the custom fields by label, and whatever
  else the caller knows, such as a work order's blocks);
* a macro stands on its own: the underscores that open and close it may not touch a
  letter, digit or another underscore. ``my_status_field``, ``__init__`` and
  ``http://a_b_c`` are text; ``#_incident_id_``, ``(_status_)`` and ``_owner_,`` expand.

Something shaped like a macro that is not known (``_incident_titel_``, ``_Serial no_``) is
*reported*, never printed blank: it stays in the output as it was typed, so a typo shows
on paper as well as in the editor's warning. Shaped like a macro means: starts with a
letter or digit, does not end with a space, at most ``MAX_NAME_LENGTH`` characters, no
line break or markup inside, and not inside a URL or path (an opening underscore right
after ``/ . = ? & : @ % + ~ -`` or a backslash is taken as part of an address). Text that
merely looks like one (``_emphasis_``) is reported too: a warning costs less than a
silently wrong delivery note.

Macros are found in the HTML text between tags and inside attribute values (``<a
href="_url_">``); the positions reported are offsets in the HTML string. A known name
must be written exactly as it is known (labels are case-sensitive, as in Integria).
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from desktopdesk.domain.html import plain_text

#: Longest name taken for a macro when it is not known (known names may be longer).
MAX_NAME_LENGTH = 60

#: The manual's macros ("Work Parts" and "Email Templates"), with what they print, for the
#: editor's macro picker. Custom fields come on top of these, by label.
STANDARD_MACROS: Mapping[str, str] = MappingProxyType({
    "sitename": "Name of the site, as configured",
    "incident_title": "Title of the ticket",
    "username": "Username of the ticket's owner",
    "fullname": "Full name of the ticket's owner",
    "incident_id": "Ticket number (write #_incident_id_ for #812)",
    "url": "Address of the ticket on the server",
    "creation_timestamp": "Date and time the ticket was created",
    "update_timestamp": "Date and time the ticket was last updated",
    "owner": "Who manages the ticket (with their company)",
    "group": "Group the ticket is assigned to",
    "author": "Who the ticket is for: its creator (with their company)",
    "type_tickets": "Type of the ticket",
    "priority": "Priority of the ticket",
    "status": "Status of the ticket",
    "resolution": "Resolution of the ticket",
    "time_used": "Total time of the work listed",
    "incident_main_text": "Description of the ticket (formatted text)",
    "creatorcompany": "Company of the ticket's creator",
    "ownercompany": "Company of the ticket's owner",
    "incident_closed_by": "Who closed the ticket",
    "epilog": "Closing summary of the ticket (formatted text)",
})

#: An opening underscore right after one of these is inside an address or a path.
_URLISH = "/.=?&:@%+~\\-"
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")


@dataclass(frozen=True)
class MacroValues:
    """What each macro prints: plain text (escaped when expanded) or sanitised HTML.

    ``custom_labels`` names the values that are custom fields, in display order, so a
    picker can list them apart and a document can print them all in one block.
    """

    values: Mapping[str, str]
    html_names: frozenset[str] = frozenset()
    custom_labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A private copy: the caller's dict changing later must not change a document.
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
        missing = (self.html_names | set(self.custom_labels)) - set(self.values)
        if missing:
            raise ValueError(f"names without a value: {sorted(missing)}")

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.values)

    def is_html(self, name: str) -> bool:
        return name in self.html_names

    def text(self, name: str) -> str:
        """The value as plain text (HTML values lose their markup)."""
        value = self.values.get(name, "")
        return plain_text(value) if name in self.html_names else value

    def html(self, name: str) -> str:
        """The value as HTML: text escaped, HTML as it is."""
        value = self.values.get(name, "")
        return value if name in self.html_names else html.escape(value)

    def merged(self, other: MacroValues) -> MacroValues:
        """These values with ``other``'s on top (same names: ``other`` wins)."""
        html_names = (self.html_names - other.names) | other.html_names
        labels = tuple(dict.fromkeys((*self.custom_labels, *other.custom_labels)))
        return MacroValues({**self.values, **other.values}, html_names, labels)


@dataclass(frozen=True)
class MacroUse:
    """One macro in a template: ``html[start:end]`` is ``_name_``."""

    name: str
    start: int
    end: int
    known: bool


@dataclass(frozen=True)
class Expansion:
    html: str
    #: Names used but not known, in order of first use; they are left in ``html`` as typed.
    unknown: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    #: The name as it appears in HTML text (``R&amp;D``) -> the name (``R&D``).
    by_escaped: Mapping[str, str]


@lru_cache(maxsize=64)
def _pattern(known: frozenset[str]) -> _Pattern:
    """One regex per set of known names (cached: a batch reuses the same set)."""
    by_escaped = {html.escape(name, quote=False): name for name in known if name}
    # Longest first, so "incident_title" is tried before a shorter name it starts with.
    alternatives = "|".join(re.escape(e) for e in sorted(by_escaped, key=lambda e: (-len(e), e)))
    known_part = f"(?P<known>{alternatives})|" if alternatives else ""
    generic = (rf"(?<![{re.escape(_URLISH)}]_)"
               rf"(?P<other>[^\W_][^<>\n\r]{{0,{MAX_NAME_LENGTH - 1}}}?)(?<!\s)")
    regex = re.compile(rf"(?<![\w])_(?:{known_part}(?:{generic}))_(?!\w)")
    return _Pattern(regex, MappingProxyType(by_escaped))


def _uses(template_html: str, known: frozenset[str]) -> Iterable[tuple[MacroUse, bool]]:
    """Every macro with whether it sits inside a tag (an attribute value)."""
    pattern = _pattern(known)
    offset = 0
    for segment in _TAG_OR_TEXT.split(template_html):
        in_tag = segment.startswith("<")
        for match in pattern.regex.finditer(segment):
            escaped = match.group("known") if "known" in pattern.regex.groupindex else None
            if escaped is not None:
                name, is_known = pattern.by_escaped[escaped], True
            else:
                name, is_known = html.unescape(match.group("other")), False
            yield MacroUse(name, offset + match.start(), offset + match.end(), is_known), in_tag
        offset += len(segment)


def find_macros(template_html: str, known_names: Collection[str] = ()) -> list[MacroUse]:
    """Every macro in the template, known or not, in order (for the editor's highlights)."""
    return [use for use, _ in _uses(template_html, frozenset(known_names))]


def unknown_macros(template_html: str, known_names: Collection[str]) -> tuple[str, ...]:
    """Names used that are not known, each once, in order of first use."""
    unknown = (use.name for use in find_macros(template_html, known_names) if not use.known)
    return tuple(dict.fromkeys(unknown))


def expand(template_html: str, values: MacroValues,
           extra_known: Collection[str] = ()) -> Expansion:
    """The template with every known macro replaced by its value.

    Text values are HTML-escaped; HTML values go in as they are, except inside a tag
    (an attribute value), where every value goes in as escaped plain text. Names in
    ``extra_known`` are known but have no value here (a work order's blocks, which the
    renderer replaces): they are left as typed and not reported.
    """
    known = values.names | frozenset(extra_known)
    parts: list[str] = []
    unknown: dict[str, None] = {}
    position = 0
    for use, in_tag in _uses(template_html, known):
        if not use.known:
            unknown[use.name] = None
            continue
        if use.name not in values.values:
            continue
        parts.append(template_html[position:use.start])
        if in_tag:
            parts.append(html.escape(values.text(use.name), quote=True))
        else:
            parts.append(values.html(use.name))
        position = use.end
    parts.append(template_html[position:])
    return Expansion("".join(parts), tuple(unknown))


def unknown_macro_message(name: str, known_names: Collection[str]) -> str:
    """What to tell the person who wrote ``_name_``, with the likely intended name."""
    close = difflib.get_close_matches(name, list(known_names), n=1, cutoff=0.75)
    if not close and name.casefold() in {k.casefold() for k in known_names}:
        close = [k for k in known_names if k.casefold() == name.casefold()][:1]
    hint = f" Did you mean _{close[0]}_?" if close else ""
    return f"_{name}_ is not a known macro; it is printed as it was typed.{hint}"
