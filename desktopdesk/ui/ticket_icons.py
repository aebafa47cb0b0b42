"""The ticket list's small pictures: priority balls, SLA fired, ball in our court, lock.

Made once per process (vector icons, crisp at any scale) and cached: a list repaints
thousands of cells, and building an icon per cell would show. They are ``palette.icon``s,
so each is drawn in the scheme in use: the priority colours keep their hue but move their
lightness until they stand out 3:1 from the rows and the window, light or dark.
"""

from __future__ import annotations

import functools

from PySide6.QtGui import QColor, QIcon

from desktopdesk.models import Priority
from desktopdesk.ui import palette

#: Integria's priority colours, from the calm to the urgent; maintenance is grey. As hues:
#: ``shown`` gives the colour to draw them in.
PRIORITY_COLOURS = {
    Priority.INFORMATIVE: QColor("#5b8bd0"),
    Priority.LOW: QColor("#4caf50"),
    Priority.MEDIUM: QColor("#e0b000"),
    Priority.SERIOUS: QColor("#f07800"),
    Priority.VERY_SERIOUS: QColor("#d32f2f"),
    Priority.MAINTENANCE: QColor("#9e9e9e"),
}
SLA_FIRED_COLOUR = QColor("#d32f2f")
BALL_COLOUR = QColor("#c6a700")


def shown(hue: QColor) -> QColor:
    """``hue`` as drawn on the current palette's rows and window (3:1 at least)."""
    return palette.mark_color(hue)


@functools.cache
def priority_icon(priority: Priority) -> QIcon:
    return palette.icon("mdi6.circle", color=lambda: shown(PRIORITY_COLOURS[priority]))


@functools.cache
def sla_fired_icon() -> QIcon:
    return palette.icon("mdi6.alarm-light", color=lambda: shown(SLA_FIRED_COLOUR))


@functools.cache
def sla_header_icon() -> QIcon:
    return palette.icon("mdi6.alarm-light-outline")


@functools.cache
def ball_in_our_court_icon() -> QIcon:
    return palette.icon("mdi6.tennis-ball", color=lambda: shown(BALL_COLOUR))


@functools.cache
def locked_icon() -> QIcon:
    return palette.icon("mdi6.lock-outline")
