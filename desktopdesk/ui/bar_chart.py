"""A small horizontal bar chart, painted: one row per item, its name, a bar as long as
its value and the value in words (the Statistics tab's "workunits by author").

Painted rather than charted with a library: a handful of rows, drawn in logical
coordinates (crisp at any scale) with the palette in use at each paint, so it reads in
light and dark with nothing redone. Screen readers get every row as the accessible
description, and each row's words show as its tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QHelpEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktopdesk.ui import palette

BAR_HUE = QColor("#2a6db5")
_GAP = 8.0
_MARGIN = 4.0
_MOST_NAME_WIDTH = 180.0


@dataclass(frozen=True)
class Bar:
    name: str
    value: float
    #: What the row says after its bar ("3 workunits · 4.5 h").
    value_text: str


class HorizontalBarChart(QWidget):
    def __init__(self, name: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible_name)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader can reach it
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._bars: tuple[Bar, ...] = ()
        self.empty_text = "Nothing to show."
        self._update_description()

    @property
    def bars(self) -> tuple[Bar, ...]:
        return self._bars

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self._bars = tuple(bars)
        self._update_description()
        self.updateGeometry()
        self.update()

    def _update_description(self) -> None:
        if not self._bars:
            self.setAccessibleDescription(self.empty_text)
            return
        self.setAccessibleDescription("; ".join(f"{bar.name}: {bar.value_text}"
                                                for bar in self._bars) + ".")

    # --- Geometry ---------------------------------------------------------------------------

    def _row_height(self) -> float:
        return QFontMetricsF(self.font()).height() + 8

    def sizeHint(self) -> QSize:
        rows = max(len(self._bars), 1)
        return QSize(360, math.ceil(rows * self._row_height() + 2 * _MARGIN))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.sizeHint().height())

    def _name_width(self) -> float:
        metrics = QFontMetricsF(self.font())
        widest = max((metrics.horizontalAdvance(bar.name) for bar in self._bars), default=0.0)
        return min(widest, _MOST_NAME_WIDTH, self.width() / 3)

    def _value_width(self) -> float:
        metrics = QFontMetricsF(self.font())
        return max((metrics.horizontalAdvance(bar.value_text) for bar in self._bars),
                   default=0.0)

    def bar_rect(self, row: int) -> QRectF:
        """Where row ``row``'s bar is drawn (its length in proportion to the largest)."""
        height = self._row_height()
        top = _MARGIN + row * height
        left = _MARGIN + self._name_width() + _GAP
        room = max(self.width() - left - _GAP - self._value_width() - _MARGIN, 1.0)
        largest = max((bar.value for bar in self._bars), default=0.0)
        value = self._bars[row].value
        length = room * value / largest if largest > 0 else 0.0
        if value > 0:
            length = max(length, 2.0)  # a row with something shows something
        return QRectF(left, top + 4, self._snap(length), height - 8)

    def row_at(self, y: float) -> int | None:
        row = int((y - _MARGIN) // self._row_height())
        return row if 0 <= row < len(self._bars) and y >= _MARGIN else None

    def _snap(self, x: float) -> float:
        ratio = self.devicePixelRatioF() or 1.0
        return round(x * ratio) / ratio

    # --- Painting ---------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            pal = self.palette()
            text = pal.color(QPalette.ColorRole.WindowText)
            fill = palette.mark_color(BAR_HUE, pal)
            metrics = QFontMetricsF(self.font())
            if not self._bars:
                painter.setPen(QColor(palette.semantic_colors(pal).muted_text))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft
                                 | Qt.AlignmentFlag.AlignVCenter, self.empty_text)
                return
            name_width = self._name_width()
            height = self._row_height()
            for row, bar in enumerate(self._bars):
                top = _MARGIN + row * height
                baseline = top + (height - metrics.height()) / 2 + metrics.ascent()
                painter.setPen(text)
                name = metrics.elidedText(bar.name, Qt.TextElideMode.ElideRight, name_width)
                painter.drawText(QPointF(_MARGIN, baseline), name)
                rect = self.bar_rect(row)
                painter.fillRect(rect, fill)
                painter.drawText(QPointF(rect.right() + _GAP, baseline), bar.value_text)
        finally:
            painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            row = self.row_at(event.pos().y())
            if row is None:
                QToolTip.hideText()
            else:
                bar = self._bars[row]
                QToolTip.showText(event.globalPos(), f"{bar.name}: {bar.value_text}", self)
            return True
        return super().event(event)
