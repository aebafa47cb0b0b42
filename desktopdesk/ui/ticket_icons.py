"""The ticket list's small pictures: priority balls, SLA fired, ball in our court, lock.

Made once per process with qtawesome (vector icons, crisp at any scale) and cached: a
list repaints thousands of cells, and building an icon per cell would show.
"""

from __future__ import annotations

import functools

import qtawesome
from PySide6.QtGui import QColor, QIcon

from desktopdesk.models import Priority

#: Integria's priority colours, from the calm to the urgent; maintenance is grey.
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


@functools.cache
def priority_icon(priority: Priority) -> QIcon:
    return qtawesome.icon("mdi6.circle", color=PRIORITY_COLOURS[priority])


@functools.cache
def sla_fired_icon() -> QIcon:
    return qtawesome.icon("mdi6.alarm-light", color=SLA_FIRED_COLOUR)


@functools.cache
def sla_header_icon() -> QIcon:
    return qtawesome.icon("mdi6.alarm-light-outline")


@functools.cache
def ball_in_our_court_icon() -> QIcon:
    return qtawesome.icon("mdi6.tennis-ball", color=BALL_COLOUR)


@functools.cache
def locked_icon() -> QIcon:
    return qtawesome.icon("mdi6.lock-outline")
