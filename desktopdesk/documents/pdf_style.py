"""The house style of generated documents: fonts, colours, paragraph and table styles.

Templates pass through the HTML sanitiser, which keeps no classes, colours or sizes, so
a template says *what* a piece is (a heading, a table with header cells) and the look is
decided here once: every work order looks like the same professional delivery note.

DejaVu Sans is bundled and embedded (subset) in every PDF: the standard PDF fonts have no
Cyrillic or Greek, and a font taken from the system would make the output depend on the
computer it was made on.
"""

from __future__ import annotations

import threading
from collections.abc import MutableSet
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desktopdesk.documents.resources import font_path

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
FONT_MONO = "DejaVuSansMono"
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
    FONT_MONO: "DejaVuSansMono.ttf",
}
_fonts_lock = threading.Lock()

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#5B6B7C")
ACCENT = colors.HexColor("#1F3A5F")
LINK = colors.HexColor("#1F5FA8")
BAND = colors.HexColor("#EAF0F6")
RULE = colors.HexColor("#C5CED9")
ZEBRA = colors.HexColor("#F3F6F9")
LABEL_BG = colors.HexColor("#EEF2F6")
WHITE = colors.white

#: Every table names the font for its text cells, even empty ones: reportlab's default is
#: Helvetica, which would appear in the PDF as a font reference that is not embedded.
TABLE_FONT = ("FONTNAME", (0, 0), (-1, -1), FONT)

#: Space around cell contents.
CELL_PAD_X = 5
CELL_PAD_Y = 3.5


def register_fonts() -> None:
    """Register the bundled fonts with reportlab, once per process (thread-safe)."""
    with _fonts_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        for name, file_name in _FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(font_path(file_name))))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                      boldItalic=FONT_BOLD_ITALIC)
        pdfmetrics.registerFontFamily(FONT_MONO, normal=FONT_MONO, bold=FONT_MONO,
                                      italic=FONT_MONO, boldItalic=FONT_MONO)


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """Characters every style can print: those both the regular and bold faces have."""
    register_fonts()
    regular = pdfmetrics.getFont(FONT).face.charToGlyph
    bold = pdfmetrics.getFont(FONT_BOLD).face.charToGlyph
    return frozenset(regular).intersection(bold)


def printable(text: str, missing: MutableSet[str]) -> str:
    """``text`` without the characters the bundled font lacks (emoji, CJK), which would
    print as empty boxes; each one left out is added to ``missing`` to be reported."""
    if text.isascii():
        return text
    covered = _covered()
    kept = []
    for char in text:
        if ord(char) in covered or char.isspace():
            kept.append(char)
        elif not ("\ufe00" <= char <= "\ufe0f" or char == "\u200d"):  # invisible joiners
            missing.add(char)
    return "".join(kept)


@dataclass(frozen=True)
class Styles:
    """Paragraph styles by role (built once; reportlab styles are read-only in use)."""

    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    header_cell: ParagraphStyle
    header_figure: ParagraphStyle
    total: ParagraphStyle
    total_figure: ParagraphStyle
    figure: ParagraphStyle
    pre: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    h4: ParagraphStyle
    site_name: ParagraphStyle
    doc_kind: ParagraphStyle
    doc_number: ParagraphStyle
    doc_date: ParagraphStyle
    box_title: ParagraphStyle

    def heading(self, level: int) -> ParagraphStyle:
        return (self.h1, self.h2, self.h3, self.h4)[min(max(level, 1), 4) - 1]


def _style(name: str, **kwargs: object) -> ParagraphStyle:
    base: dict[str, object] = {"fontName": FONT, "fontSize": 9.5, "leading": 13.5,
                               "textColor": INK, "alignment": TA_LEFT}
    base.update(kwargs)
    return ParagraphStyle(name, **base)


def make_styles() -> Styles:
    register_fonts()
    return Styles(
        body=_style("body", spaceAfter=5),
        small=_style("small", fontSize=8, leading=10.5),
        muted=_style("muted", fontSize=8.5, leading=11.5, textColor=MUTED),
        label=_style("label", fontName=FONT_BOLD, fontSize=7, leading=9.5, textColor=MUTED,
                     textTransform="uppercase"),
        cell=_style("cell", fontSize=9, leading=12),
        header_cell=_style("header_cell", fontName=FONT_BOLD, fontSize=8, leading=10,
                           textColor=WHITE),
        header_figure=_style("header_figure", fontName=FONT_BOLD, fontSize=8, leading=10,
                             textColor=WHITE, alignment=TA_RIGHT),
        total=_style("total", fontName=FONT_BOLD, fontSize=9, leading=12, alignment=TA_RIGHT),
        total_figure=_style("total_figure", fontName=FONT_BOLD, fontSize=9, leading=12,
                            alignment=TA_RIGHT),
        figure=_style("figure", fontSize=9, leading=12, alignment=TA_RIGHT),
        pre=_style("pre", fontName=FONT_MONO, fontSize=8, leading=10.5, backColor=ZEBRA,
                   borderPadding=4, spaceBefore=4, spaceAfter=8),
        h1=_style("h1", fontName=FONT_BOLD, fontSize=16, leading=20, textColor=INK,
                  spaceBefore=10, spaceAfter=8),
        h2=_style("h2", fontName=FONT_BOLD, fontSize=11, leading=14, textColor=ACCENT,
                  spaceBefore=14, spaceAfter=0),
        h3=_style("h3", fontName=FONT_BOLD, fontSize=10, leading=13.5, spaceBefore=10,
                  spaceAfter=4),
        h4=_style("h4", fontName=FONT_BOLD, fontSize=9.5, leading=13, textColor=MUTED,
                  spaceBefore=8, spaceAfter=3),
        site_name=_style("site_name", fontName=FONT_BOLD, fontSize=15, leading=18,
                         textColor=ACCENT),
        doc_kind=_style("doc_kind", fontName=FONT_BOLD, fontSize=8, leading=10,
                        textColor=MUTED, alignment=TA_RIGHT, textTransform="uppercase"),
        doc_number=_style("doc_number", fontName=FONT_BOLD, fontSize=18, leading=22,
                          textColor=ACCENT, alignment=TA_RIGHT),
        doc_date=_style("doc_date", fontSize=8, leading=10, textColor=MUTED,
                        alignment=TA_RIGHT),
        box_title=_style("box_title", fontName=FONT_BOLD, fontSize=8, leading=10,
                         textColor=ACCENT, textTransform="uppercase"),
    )


#: Page geometry: A4 with generous margins; the footer lives in the bottom margin.
MARGIN_X = 18 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 20 * mm
