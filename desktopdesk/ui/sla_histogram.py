"""A ticket's SLA compliance over time, painted: a time axis with green (OK), red (in
breach) and grey-hatched (paused) spans, Integria's slice bar done as a widget.

Painted by hand rather than with a chart library: it is one bar and an axis, and the
painting stays in logical (device-independent) coordinates with span edges snapped to
device pixels, so it is crisp at any scale. Colours are taken from the palette in use at
each paint (``palette.mark_color`` keeps a hue and moves its lightness until it stands
3:1 off the window), so a switch to dark needs nothing redone. Red and green also differ
in shape and lightness, for people who do not tell them apart: a span in breach stands
taller than the bar.

Hovering a span (or moving along them with the arrow keys) says what it was: its state,
the limits in breach, its start and end in this desktop's time, its length (and how
much of it was working time, which is what the SLA counts). Screen readers get the
whole sequence as the accessible description.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktopdesk.domain.business_time import clock_for
from desktopdesk.domain.sla_model import (
    ComplianceSpan,
    Limit,
    SlaEvaluation,
    SlaRules,
    SpanState,
)
from desktopdesk.domain.ticket_statistics import duration_text
from desktopdesk.models.codes import SlaType
from desktopdesk.ui import palette

#: Green and red as hues (Integria's slice bar is green and red); ``colors`` shades them.
OK_HUE = QColor("#43a047")
VIOLATED_HUE = QColor("#e53935")
MOMENT_FORMAT = "%Y/%m/%d %H:%M"

_MARGIN = 8.0
_BAR_HEIGHT = 22.0
#: How far a span in breach stands above the bar.
_RAISE = 5.0
_TICK = 4.0
_HATCH_SPACING = 6.0
#: Most spans the accessible description spells out.
_SPOKEN_SPANS = 12

_STATE_NAMES = {SpanState.OK: "OK", SpanState.VIOLATED: "In breach",
                SpanState.PAUSED: "Paused"}
_PAUSED_WHY = {
    SlaType.NORMAL: "the SLA does not count while pending on a third person, nor once closed",
    SlaType.THIRD_PARTY: "this SLA counts only while pending on a third person",
    SlaType.BOTH: "the ticket is closed",
}

#: Tick steps, shortest first: (seconds, unit, how many units).
_STEPS = (
    (900, "minute", 15), (1800, "minute", 30), (3600, "hour", 1), (7200, "hour", 2),
    (10800, "hour", 3), (21600, "hour", 6), (43200, "hour", 12), (86400, "day", 1),
    (172800, "day", 2), (604800, "week", 1), (1209600, "week", 2), (2629746, "month", 1),
    (7889238, "month", 3), (31556952, "month", 12),
)


# --- Times, as this desktop reads them --------------------------------------------------------


def to_local(moment: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    """``moment`` in ``zone``, or in this computer's zone when None."""
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def from_local(wall: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    """A naive wall time in ``zone`` (this computer's when None) as an aware moment."""
    return wall.replace(tzinfo=zone) if zone is not None else wall.astimezone()


def moment_text(moment: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    return to_local(moment, zone).strftime(MOMENT_FORMAT)


def span_text(span: ComplianceSpan, rules: SlaRules | None, until: dt.datetime | None,
              zone: dt.tzinfo | None = None) -> str:
    """What hovering ``span`` says: its state (and limits), its times, its length."""
    if span.state is SpanState.VIOLATED:
        limits = sorted(span.limits, key=list(Limit).index)
        head = f"In breach: {', '.join(limit.label for limit in limits) or 'a limit'}"
    elif span.state is SpanState.PAUSED:
        why = _PAUSED_WHY.get(rules.sla_type if rules else SlaType.NORMAL, "")
        head = f"Paused: {why}" if why else "Paused"
    else:
        head = "OK: every limit met"
    ongoing = until is not None and span.end >= until
    end = "now" if ongoing else moment_text(span.end, zone)
    wall = (span.end - span.start).total_seconds()
    length = duration_text(wall) + (" so far" if ongoing else "")
    if rules is not None and span.state is not SpanState.PAUSED \
            and not rules.working_time.wall_clock:
        counted = clock_for(rules.working_time).counted_seconds(span.start, span.end)
        if abs(counted - wall) >= 60:
            length += f" ({duration_text(counted)} in working hours)"
    return f"{head}\nFrom {moment_text(span.start, zone)} to {end}\n{length}"


# --- Ticks ----------------------------------------------------------------------------------


def tick_moments(start: dt.datetime, end: dt.datetime, step: tuple[int, str, int],
                 zone: dt.tzinfo | None) -> Iterator[dt.datetime]:
    """The round moments of ``step`` in [start, end] on this desktop's clock: whole hours,
    midnights, Mondays, firsts of the month."""
    _, unit, count = step
    local_start = to_local(start, zone).replace(tzinfo=None)
    day = local_start.date()
    last = to_local(end, zone).date()
    while day <= last:
        midnight = dt.datetime.combine(day, dt.time())
        round_day = (
            (unit == "day" and day.toordinal() % count == 0)
            or (unit == "week" and day.weekday() == 0 and (day.toordinal() // 7) % count == 0)
            or (unit == "month" and day.day == 1 and (day.month - 1) % count == 0))
        walls = [midnight] if round_day else []
        if unit in ("minute", "hour"):
            minutes = count * (60 if unit == "hour" else 1)
            walls = [midnight + dt.timedelta(minutes=m) for m in range(0, 1440, minutes)]
        for wall in walls:
            moment = from_local(wall, zone)
            if start <= moment <= end:
                yield moment
        day += dt.timedelta(days=1)


def tick_label(moment: dt.datetime, step: tuple[int, str, int], zone: dt.tzinfo | None) -> str:
    """Hours within a day ("14:00"), the date at midnights and for longer steps ("3 Mar"),
    the month for months ("Mar 2026")."""
    local = to_local(moment, zone)
    _, unit, _ = step
    if unit == "month":
        return f"{local:%b %Y}"
    if unit in ("minute", "hour") and (local.hour or local.minute):
        return f"{local:%H:%M}"
    return f"{local.day} {local:%b}"


class SlaHistogram(QWidget):
    #: The span under the mouse (or chosen with the keyboard) changed: a ComplianceSpan,
    #: or None when there is none.
    hovered_span_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sla_histogram")
        self.setAccessibleName("SLA compliance over time")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(240)
        self._evaluation: SlaEvaluation | None = None
        self._rules: SlaRules | None = None
        self._start: dt.datetime | None = None
        self._end: dt.datetime | None = None
        self._zone: dt.tzinfo | None = None
        #: Until ``set_range``, each evaluation shows its whole life.
        self._follows_life = True
        self._hovered: ComplianceSpan | None = None
        #: What the last hover said (the tooltip's text), for tests and tools.
        self.hover_text = ""
        self._update_description()

    # --- What is shown ----------------------------------------------------------------------

    def set_evaluation(self, evaluation: SlaEvaluation | None, rules: SlaRules | None) -> None:
        """Show ``evaluation`` (None: nothing to show). A range given with ``set_range``
        stays; until one is, the axis covers the evaluation's whole life."""
        self._evaluation = evaluation
        self._rules = rules
        if evaluation is not None and self._follows_life and evaluation.spans:
            self._start, self._end = evaluation.spans[0].start, evaluation.until
        self._set_hovered(None)
        self._update_description()
        self.update()

    def set_range(self, start: dt.datetime, end: dt.datetime) -> None:
        """The stretch of time the axis covers; before opening and after now stay empty."""
        if end <= start:
            end = start + dt.timedelta(minutes=1)
        self._start, self._end = start, end
        self._follows_life = False
        self._set_hovered(None)
        self._update_description()
        self.update()

    def set_time_zone(self, zone: dt.tzinfo | None) -> None:
        """Where the axis and the texts read times: None (the default) is this
        computer's zone."""
        self._zone = zone
        self._update_description()
        self.update()

    @property
    def evaluation(self) -> SlaEvaluation | None:
        return self._evaluation

    @property
    def shown_range(self) -> tuple[dt.datetime, dt.datetime] | None:
        if self._start is None or self._end is None:
            return None
        return self._start, self._end

    @property
    def hovered_span(self) -> ComplianceSpan | None:
        return self._hovered

    def shown_spans(self) -> list[ComplianceSpan]:
        """The spans that overlap the range, in time order."""
        if self._evaluation is None or self._start is None or self._end is None:
            return []
        start, end = self._start, self._end
        return [span for span in self._evaluation.spans
                if span.end > start and span.start < end]

    def sizeHint(self) -> QSize:
        return QSize(600, math.ceil(self._bar_top() + _BAR_HEIGHT + _TICK + 2
                                    + QFontMetricsF(self.font()).height() + 4))

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.sizeHint().height())

    # --- Geometry ---------------------------------------------------------------------------

    def _bar_top(self) -> float:
        return QFontMetricsF(self.font()).height() + 4 + _RAISE

    def bar_rect(self) -> QRectF:
        """Where the spans are drawn, in logical coordinates."""
        return QRectF(_MARGIN, self._bar_top(), max(self.width() - 2 * _MARGIN, 1.0),
                      _BAR_HEIGHT)

    def x_of(self, moment: dt.datetime) -> float:
        """The x of ``moment`` (may fall outside the bar when outside the range)."""
        if self._start is None or self._end is None:
            return _MARGIN
        bar = self.bar_rect()
        whole = (self._end - self._start).total_seconds()
        return bar.left() + bar.width() * (moment - self._start).total_seconds() / whole

    def moment_at(self, x: float) -> dt.datetime | None:
        if self._start is None or self._end is None:
            return None
        bar = self.bar_rect()
        fraction = min(max((x - bar.left()) / bar.width(), 0.0), 1.0)
        return self._start + (self._end - self._start) * fraction

    def span_at(self, x: float) -> ComplianceSpan | None:
        """The span drawn at ``x``; None before the ticket opened, after now, or off the
        bar."""
        bar = self.bar_rect()
        if not bar.left() <= x <= bar.right():
            return None
        moment = self.moment_at(x)
        if moment is None:
            return None
        return next((span for span in self.shown_spans() if span.start <= moment < span.end),
                    None)

    def _snap(self, x: float) -> float:
        """``x`` on a device pixel's edge: neighbouring spans meet without a seam."""
        ratio = self.devicePixelRatioF() or 1.0
        return round(x * ratio) / ratio

    def _span_rect(self, span: ComplianceSpan) -> QRectF:
        bar = self.bar_rect()
        left = self._snap(max(self.x_of(span.start), bar.left()))
        right = self._snap(min(self.x_of(span.end), bar.right()))
        top = bar.top() - (_RAISE if span.state is SpanState.VIOLATED else 0.0)
        return QRectF(left, top, max(right - left, 0.0), bar.bottom() - top)

    # --- Texts ------------------------------------------------------------------------------

    def text_for(self, span: ComplianceSpan) -> str:
        until = self._evaluation.until if self._evaluation is not None else None
        return span_text(span, self._rules, until, self._zone)

    def summary_text(self) -> str:
        """The whole bar in words, for screen readers."""
        if self._evaluation is None or self._start is None or self._end is None:
            return "No SLA compliance to show."
        spans = self.shown_spans()
        lead = (f"From {moment_text(self._start, self._zone)} to "
                f"{moment_text(self._end, self._zone)}: ")
        if not spans:
            return lead + "the ticket was not open yet."
        parts = [self.text_for(span).replace("\n", ", ") for span in spans[:_SPOKEN_SPANS]]
        more = len(spans) - _SPOKEN_SPANS
        if more > 0:
            parts.append(f"and {more} more spans")
        return lead + "; ".join(parts) + "."

    def _update_description(self) -> None:
        self.setAccessibleDescription(self.summary_text())

    # --- Ticks ------------------------------------------------------------------------------

    def tick_step(self) -> tuple[int, str, int]:
        """The shortest step whose labels do not crowd each other at this width."""
        if self._start is None or self._end is None:
            return _STEPS[0]
        metrics = QFontMetricsF(self.font())
        room = metrics.horizontalAdvance("30 Sep") + 16
        seconds = (self._end - self._start).total_seconds()
        width = self.bar_rect().width()
        for step in _STEPS:
            if seconds / step[0] * room <= width:
                return step
        return _STEPS[-1]

    def ticks(self) -> list[tuple[float, str]]:
        """(x, label) of each tick on the axis."""
        if self._start is None or self._end is None:
            return []
        step = self.tick_step()
        return [(self.x_of(moment), tick_label(moment, step, self._zone))
                for moment in tick_moments(self._start, self._end, step, self._zone)]

    # --- Painting ---------------------------------------------------------------------------

    def colors(self) -> dict[str, QColor]:
        """The colours of this paint, from the palette in use."""
        pal = self.palette()
        window = pal.color(QPalette.ColorRole.Window)
        dark = palette.is_dark(pal)
        ok = palette.mark_color(OK_HUE, pal)
        violated = palette.mark_color(VIOLATED_HUE, pal)
        if not dark:
            # Lighter green, darker red: they differ in lightness too, not hue alone.
            violated = palette.readable_hue(VIOLATED_HUE, window, 5.5)
        else:
            ok = palette.readable_hue(OK_HUE, window, 5.0)
        return {
            "ok": ok,
            "violated": violated,
            "paused": palette.composite(_alpha(pal.color(QPalette.ColorRole.Mid), 0.45),
                                        pal.color(QPalette.ColorRole.Base)),
            "hatch": palette.mark_color(QColor(palette.semantic_colors(pal).muted_text), pal),
            "empty": pal.color(QPalette.ColorRole.Base),
            "frame": palette.mark_color(pal.color(QPalette.ColorRole.Mid), pal),
            "text": pal.color(QPalette.ColorRole.WindowText),
            "muted": QColor(palette.semantic_colors(pal).muted_text),
            "focus": pal.color(QPalette.ColorRole.Highlight),
        }

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            colors = self.colors()
            bar = self.bar_rect()
            painter.fillRect(bar, colors["empty"])
            painter.setPen(QPen(colors["frame"], 1.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(bar.adjusted(-0.5, -0.5, 0.5, 0.5))
            for span in self.shown_spans():
                self._paint_span(painter, span, colors)
            self._paint_ticks(painter, bar, colors)
            self._paint_legend(painter, colors)
            if self._evaluation is None:
                painter.setPen(colors["muted"])
                painter.drawText(bar, Qt.AlignmentFlag.AlignCenter, "No SLA to show")
            if self._hovered is not None and self._hovered in self.shown_spans():
                outline = self._span_rect(self._hovered).adjusted(-1.0, -1.0, 1.0, 1.0)
                painter.setPen(QPen(colors["focus"] if self.hasFocus() else colors["text"],
                                    2.0))
                painter.drawRect(outline)
        finally:
            painter.end()

    def _paint_span(self, painter: QPainter, span: ComplianceSpan,
                    colors: dict[str, QColor]) -> None:
        rect = self._span_rect(span)
        if rect.width() <= 0:
            return
        if span.state is SpanState.PAUSED:
            painter.fillRect(rect, colors["paused"])
            self._hatch(painter, rect, colors["hatch"])
        else:
            painter.fillRect(rect, colors["ok" if span.state is SpanState.OK else "violated"])

    def _hatch(self, painter: QPainter, rect: QRectF, color: QColor) -> None:
        """Diagonal lines, clipped to ``rect``; drawn as lines rather than a pattern brush,
        so they keep their spacing and crispness at any scale."""
        painter.save()
        painter.setClipRect(rect)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(color, 1.0))
        height = rect.height()
        x = rect.left() - height - (rect.left() % _HATCH_SPACING)
        path = QPainterPath()
        while x < rect.right():
            path.moveTo(QPointF(x, rect.bottom()))
            path.lineTo(QPointF(x + height, rect.top()))
            x += _HATCH_SPACING
        painter.drawPath(path)
        painter.restore()

    def _paint_ticks(self, painter: QPainter, bar: QRectF, colors: dict[str, QColor]) -> None:
        metrics = QFontMetricsF(self.font())
        baseline = bar.bottom() + _TICK + 2 + metrics.ascent()
        last_right = -math.inf
        for x, label in self.ticks():
            snapped = self._snap(x) + 0.5
            painter.setPen(QPen(colors["frame"], 1.0))
            painter.drawLine(QPointF(snapped, bar.bottom() + 1),
                             QPointF(snapped, bar.bottom() + _TICK))
            width = metrics.horizontalAdvance(label)
            left = min(max(x - width / 2, 0.0), self.width() - width)
            if left <= last_right + 4:
                continue  # never one label over another
            painter.setPen(colors["muted"])
            painter.drawText(QPointF(left, baseline), label)
            last_right = left + width

    def _paint_legend(self, painter: QPainter, colors: dict[str, QColor]) -> None:
        metrics = QFontMetricsF(self.font())
        swatch = metrics.height() * 0.7
        entries = (("ok", "OK"), ("violated", "In breach"), ("paused", "Paused"))
        x = self.width() - _MARGIN
        baseline = metrics.ascent()
        for key, text in reversed(entries):
            x -= metrics.horizontalAdvance(text)
            painter.setPen(colors["text"])
            painter.drawText(QPointF(x, baseline), text)
            x -= swatch + 4
            box = QRectF(self._snap(x), self._snap((metrics.height() - swatch) / 2),
                         self._snap(swatch), self._snap(swatch))
            painter.fillRect(box, colors[key])
            if key == "paused":
                self._hatch(painter, box, colors["hatch"])
            x -= 14

    # --- Hover and keys ---------------------------------------------------------------------

    def _set_hovered(self, span: ComplianceSpan | None, at: QPoint | None = None) -> None:
        if span == self._hovered:
            if span is not None and at is not None:
                QToolTip.showText(self.mapToGlobal(at), self.hover_text, self)
            return
        self._hovered = span
        self.hover_text = self.text_for(span) if span is not None else ""
        if span is None:
            QToolTip.hideText()
        elif at is not None:
            QToolTip.showText(self.mapToGlobal(at), self.hover_text, self)
        self.hovered_span_changed.emit(span)
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        position = event.position()
        self._set_hovered(self.span_at(position.x()), position.toPoint())
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if not self.hasFocus():
            self._set_hovered(None)
        super().leaveEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._set_hovered(None)
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Left and Right (Home, End) walk the spans, saying each as hovering does."""
        spans = self.shown_spans()
        keys = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End)
        if not spans or event.key() not in keys:
            super().keyPressEvent(event)
            return
        index = spans.index(self._hovered) if self._hovered in spans else -1
        match event.key():
            case Qt.Key.Key_Left:
                index = max(index - 1, 0) if index >= 0 else len(spans) - 1
            case Qt.Key.Key_Right:
                index = min(index + 1, len(spans) - 1)
            case Qt.Key.Key_Home:
                index = 0
            case _:
                index = len(spans) - 1
        span = spans[index]
        rect = self._span_rect(span)
        self._set_hovered(span, QPoint(int(rect.center().x()), int(rect.bottom())))
        event.accept()


def _alpha(color: QColor, alpha: float) -> QColor:
    tinted = QColor(color)
    tinted.setAlphaF(alpha)
    return tinted
