"""The SLA report's summary block: the headline figures as tiles, the counted time split
into OK and in breach, and the violations by limit as a small bar chart.

Everything here shows one ``SlaFigures`` and reads nothing. The split bar is painted
like the ticket's SLA histogram (the same green and red, shaded against the palette in
use at each paint), so a switch to dark needs nothing redone.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.sla_metrics import SlaFigures
from desktopdesk.domain.sla_model import Limit
from desktopdesk.domain.ticket_statistics import duration_text
from desktopdesk.ui import palette
from desktopdesk.ui.bar_chart import Bar, HorizontalBarChart
from desktopdesk.ui.form_messages import section_heading
from desktopdesk.ui.sla_histogram import OK_HUE, VIOLATED_HUE
from desktopdesk.ui.sla_report_models import NONE_YET, mean_text
from desktopdesk.ui.ticket_sla_tab import pct_text

#: The tiles, by name: (caption above the figure).
TILES = (("compliance", "Compliance"), ("tickets", "Tickets evaluated"),
         ("breach", "Time in breach"), ("first_response", "First response"),
         ("resolution", "Resolution"))
_BAR_HEIGHT = 16.0


def _count(count: int, one: str, many: str) -> str:
    return f"1 {one}" if count == 1 else f"{count} {many}"


def tile_texts(figures: SlaFigures) -> dict[str, tuple[str, str]]:
    """(figure, what it means) for each tile of ``TILES``."""
    counted = figures.ok_seconds + figures.violated_seconds
    mean = figures.mean_ticket_compliance_pct
    first, resolved = figures.first_response, figures.resolution
    return {
        "compliance": (pct_text(figures.compliance_pct),
                       "of the counted time within the SLA" if mean is None else
                       f"of the counted time within the SLA; {pct_text(mean)} "
                       "per ticket on average"),
        "tickets": (str(figures.tickets),
                    f"with an SLA, {figures.tickets_counted} of them with counted time"),
        "breach": (duration_text(figures.violated_seconds) if counted > 0 else NONE_YET,
                   f"of {duration_text(counted)} counted; "
                   f"{duration_text(figures.ok_seconds)} within the SLA"
                   if counted > 0 else "nothing counted in this period"),
        "first_response": (mean_text(first),
                           f"on average, {_count(first.count, 'ticket', 'tickets')} "
                           "first answered" if first.count else "no ticket first answered"),
        "resolution": (mean_text(resolved),
                       f"on average, {_count(resolved.count, 'ticket', 'tickets')} closed"
                       if resolved.count else "no ticket closed"),
    }


class ComplianceBar(QWidget):
    """Counted time as one bar: the OK part green, the part in breach red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sla_report_split_bar")
        self.setAccessibleName("Counted time, within the SLA and in breach")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader can reach it
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.ok_seconds = self.violated_seconds = 0.0

    def set_split(self, ok_seconds: float, violated_seconds: float) -> None:
        self.ok_seconds, self.violated_seconds = ok_seconds, violated_seconds
        counted = ok_seconds + violated_seconds
        self.setAccessibleDescription(
            "Nothing counted." if counted <= 0 else
            f"Within the SLA: {duration_text(ok_seconds)}; in breach: "
            f"{duration_text(violated_seconds)}.")
        self.setToolTip(self.accessibleDescription())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, int(_BAR_HEIGHT) + 4)

    def ok_width(self) -> float:
        """How much of the bar is green, in logical pixels (snapped to device pixels)."""
        counted = self.ok_seconds + self.violated_seconds
        if counted <= 0:
            return 0.0
        ratio = self.devicePixelRatioF() or 1.0
        return round((self.width() - 2) * self.ok_seconds / counted * ratio) / ratio

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            pal = self.palette()
            bar = QRectF(1, 2, self.width() - 2, _BAR_HEIGHT)
            if self.ok_seconds + self.violated_seconds <= 0:
                painter.setPen(pal.color(QPalette.ColorRole.Mid))
                painter.drawRect(bar.adjusted(0.5, 0.5, -0.5, -0.5))
                return
            ok = self.ok_width()
            painter.fillRect(QRectF(bar.left(), bar.top(), ok, bar.height()),
                             palette.mark_color(OK_HUE, pal))
            painter.fillRect(QRectF(bar.left() + ok, bar.top(), bar.width() - ok,
                                    bar.height()), palette.mark_color(VIOLATED_HUE, pal))
        finally:
            painter.end()


class SlaSummary(QWidget):
    """The headline figures of one set of tickets."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sla_report_summary")
        self.setAccessibleName("Summary")
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        tiles = QHBoxLayout()
        tiles.setSpacing(10)
        for name, title in TILES:
            tiles.addWidget(self._tile(name, title), 1)

        self.split_bar = ComplianceBar(self)
        self.split_legend = QLabel(self)
        self.split_legend.setObjectName("sla_report_split_legend")
        self.split_legend.setWordWrap(True)
        self.violations_chart = HorizontalBarChart(
            "sla_report_violations_chart", "Violations by limit", self)
        split = QVBoxLayout()
        split.addWidget(section_heading("Counted time", "sla_report_split_heading", self))
        split.addWidget(self.split_bar)
        split.addWidget(self.split_legend)
        split.addStretch(1)
        violations = QVBoxLayout()
        self.violations_heading = section_heading("Violations by limit",
                                                "sla_report_violations_heading", self)
        violations.addWidget(self.violations_heading)
        violations.addWidget(self.violations_chart)
        violations.addStretch(1)
        lower = QGridLayout()
        lower.setHorizontalSpacing(24)
        lower.addLayout(split, 0, 0)
        lower.addLayout(violations, 0, 1)
        lower.setColumnStretch(0, 1)
        lower.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tiles)
        layout.addSpacing(6)
        layout.addLayout(lower)

    def _tile(self, name: str, title: str) -> QFrame:
        tile = QFrame(self)
        tile.setObjectName(f"sla_report_tile_{name}")
        tile.setAccessibleName(title)
        tile.setFrameShape(QFrame.Shape.StyledPanel)
        tile.setAutoFillBackground(True)
        tile.setBackgroundRole(QPalette.ColorRole.Base)
        caption_above = QLabel(title, tile)
        caption_above.setObjectName(f"sla_report_{name}_title")
        value = QLabel(tile)
        value.setObjectName(f"sla_report_{name}")
        value.setAccessibleName(title)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = value.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        value.setFont(font)
        caption = QLabel(tile)
        caption.setObjectName(f"sla_report_{name}_caption")
        caption.setWordWrap(True)
        caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        palette.set_style(caption_above, "color: $muted_text;")
        palette.set_style(caption, "color: $muted_text;")
        layout = QVBoxLayout(tile)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(2)
        layout.addWidget(caption_above)
        layout.addWidget(value)
        layout.addWidget(caption, 1)
        self.values[name] = value
        self.captions[name] = caption
        return tile

    def show_figures(self, figures: SlaFigures) -> None:
        for name, (value, caption) in tile_texts(figures).items():
            self.values[name].setText(value)
            self.captions[name].setText(caption)
            self.values[name].setAccessibleDescription(caption)
        self.split_bar.set_split(figures.ok_seconds, figures.violated_seconds)
        counted = figures.ok_seconds + figures.violated_seconds
        self.split_legend.setText(
            "Nothing counted in this period." if counted <= 0 else
            f"Within the SLA (green): {duration_text(figures.ok_seconds)} · "
            f"in breach (red): {duration_text(figures.violated_seconds)}")
        total = figures.violations.total
        self.violations_heading.setText(f"Violations by limit ({total})")
        self.violations_chart.set_bars([
            Bar(limit.label, figures.violations[limit], str(figures.violations[limit]))
            for limit in Limit])

    def texts(self) -> dict[str, str]:
        """What each tile's figure says, by name (see ``TILES``)."""
        return {name: label.text() for name, label in self.values.items()}
