"""The SLA report's tables: one row per group or per owner, with its share of the figures.

Rows are the frozen ``SlaBreakdownRow``s of one ``SlaMetrics``, replaced in one reset
each time the report is computed again (a new computation, nothing to match row by row).
Sorting goes through the table's proxy on typed keys: percentages and durations as
numbers, with the rows that have none (nothing counted, nobody answered) after the rest.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QObject, Qt

from desktopdesk.domain.sla_metrics import DurationFigure, SlaBreakdownRow, SlaFigures
from desktopdesk.domain.sla_model import Limit
from desktopdesk.domain.ticket_statistics import duration_text
from desktopdesk.ui.ticket_sla_tab import pct_text
from desktopdesk.ui.ticket_tab_models import EntryTableModel

NONE_YET = "—"
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def mean_text(figure: DurationFigure) -> str:
    """"3 h", or "—" when no ticket reached that moment."""
    return NONE_YET if figure.mean_seconds is None else duration_text(figure.mean_seconds)


def violations_text(figures: SlaFigures) -> str:
    """"Response time 2 · Resolution time 0 · Inactivity 1"."""
    return " · ".join(f"{limit.label} {figures.violations[limit]}" for limit in Limit)


def compliance_tooltip(figures: SlaFigures) -> str:
    counted = figures.ok_seconds + figures.violated_seconds
    if counted <= 0:
        return "No counted time: every ticket was paused or outside working hours."
    return (f"{duration_text(figures.ok_seconds)} within the SLA of "
            f"{duration_text(counted)} counted; mean per ticket "
            f"{pct_text(figures.mean_ticket_compliance_pct)}")


def _mean_tooltip(figure: DurationFigure, what: str) -> str:
    if figure.count == 0:
        return f"No ticket {what} in this period"
    tickets = "1 ticket" if figure.count == 1 else f"{figure.count} tickets"
    return f"Mean working time over {tickets} {what} in this period"


def _missing_last(value: float | None) -> float:
    return math.inf if value is None else value


class BreakdownTableModel(EntryTableModel[SlaBreakdownRow]):
    NAME, TICKETS, COMPLIANCE, VIOLATIONS, FIRST_RESPONSE, RESOLUTION = range(6)

    def __init__(self, what: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: "Group" or "Owner": what the first column names.
        self.what = what
        self.HEADERS = (what, "Tickets", "Compliance", "Violations", "First response",
                        "Resolution")

    def text(self, entry: SlaBreakdownRow, column: int) -> str:
        figures = entry.figures
        match column:
            case self.NAME:
                return entry.display_name or entry.name
            case self.TICKETS:
                return str(figures.tickets)
            case self.COMPLIANCE:
                return pct_text(figures.compliance_pct)
            case self.VIOLATIONS:
                return str(figures.violations.total)
            case self.FIRST_RESPONSE:
                return mean_text(figures.first_response)
            case _:
                return mean_text(figures.resolution)

    def tooltip(self, entry: SlaBreakdownRow, column: int) -> str | None:
        figures = entry.figures
        match column:
            case self.NAME:
                return entry.name if entry.name != entry.display_name else None
            case self.COMPLIANCE:
                return compliance_tooltip(figures)
            case self.VIOLATIONS:
                return violations_text(figures)
            case self.FIRST_RESPONSE:
                return _mean_tooltip(figures.first_response, "first answered")
            case self.RESOLUTION:
                return _mean_tooltip(figures.resolution, "closed")
        return None

    def sort_key(self, entry: SlaBreakdownRow, column: int) -> Any:
        figures = entry.figures
        match column:
            case self.TICKETS:
                return figures.tickets
            case self.COMPLIANCE:
                return _missing_last(figures.compliance_pct)
            case self.VIOLATIONS:
                return figures.violations.total
            case self.FIRST_RESPONSE:
                return _missing_last(figures.first_response.mean_seconds)
            case self.RESOLUTION:
                return _missing_last(figures.resolution.mean_seconds)
        return super().sort_key(entry, column)

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return None if column == self.NAME else _RIGHT

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Figures' headers sit over their right-aligned figures."""
        if (role == Qt.ItemDataRole.TextAlignmentRole
                and orientation == Qt.Orientation.Horizontal
                and 0 < section < len(self.HEADERS)):
            return int(_RIGHT)
        return super().headerData(section, orientation, role)
