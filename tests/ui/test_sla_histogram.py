"""The SLA histogram: what hovering says, what is painted where (crisp at 2x, readable in
dark), how the axis reads at each range, and the keyboard."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktopdesk.domain.sla_model import (
    ComplianceSpan,
    Limit,
    SlaEvaluation,
    SlaRules,
    SpanState,
    Violation,
)
from desktopdesk.ui.palette import contrast_ratio
from desktopdesk.ui.sla_histogram import SlaHistogram
from tests.ui.conftest import Embed, popup_warnings
from tests.ui.test_palette import MakeAppearance, appearances

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
HOUR = dt.timedelta(hours=1)
RULES = SlaRules(sla_id=uuid.uuid4(), name="Gold", response_hours=4)


def at(hours: float) -> dt.datetime:
    return T0 + hours * HOUR


def evaluation() -> SlaEvaluation:
    """0-4 OK, 4-6 response in breach, 6-8 paused, 8-10 OK; evaluated at 10."""
    return SlaEvaluation(
        ticket_id=uuid.uuid4(), sla_id=RULES.sla_id, until=at(10),
        spans=(ComplianceSpan(at(0), at(4), SpanState.OK),
               ComplianceSpan(at(4), at(6), SpanState.VIOLATED, frozenset({Limit.RESPONSE})),
               ComplianceSpan(at(6), at(8), SpanState.PAUSED),
               ComplianceSpan(at(8), at(10), SpanState.OK)),
        violations=(Violation(Limit.RESPONSE, at(4), at(6)),),
        ok_seconds=6 * 3600, violated_seconds=2 * 3600)


@pytest.fixture
def make_appearance(qapp: QApplication) -> Iterator[MakeAppearance]:
    yield from appearances(qapp)


@pytest.fixture
def histogram(embed: Embed) -> SlaHistogram:
    widget = SlaHistogram()
    widget.set_time_zone(dt.UTC)
    widget.set_evaluation(evaluation(), RULES)
    widget.set_range(at(0), at(10))
    embed(widget, 600, widget.sizeHint().height())
    return widget


def middle_y(widget: SlaHistogram) -> int:
    return int(widget.bar_rect().center().y())


@popup_warnings  # the tooltip
def test_hovering_a_span_says_its_state_limit_times_and_length(
        qtbot: QtBot, histogram: SlaHistogram) -> None:
    x = int(histogram.x_of(at(5)))
    with qtbot.waitSignal(histogram.hovered_span_changed) as hovered:
        qtbot.mouseMove(histogram, QPoint(x, middle_y(histogram)))
    span = hovered.args[0]
    assert isinstance(span, ComplianceSpan)
    assert (span.start, span.end, span.state) == (at(4), at(6), SpanState.VIOLATED)
    assert histogram.hover_text.splitlines() == [
        "In breach: Response time", "From 2026/03/02 13:00 to 2026/03/02 15:00", "2 h"]

    with qtbot.waitSignal(histogram.hovered_span_changed) as hovered:
        qtbot.mouseMove(histogram, QPoint(int(histogram.x_of(at(7))), middle_y(histogram)))
    assert hovered.args[0].state is SpanState.PAUSED
    assert histogram.hover_text.startswith("Paused: the SLA does not count while pending")

    qtbot.mouseMove(histogram, QPoint(int(histogram.x_of(at(9.5))), middle_y(histogram)))
    assert histogram.hover_text.splitlines() == [
        "OK: every limit met", "From 2026/03/02 17:00 to now",
        "2 h so far (1 h in working hours)"]  # Gold counts 08:00-18:00


def test_the_span_under_a_point_follows_the_range(histogram: SlaHistogram) -> None:
    assert histogram.span_at(histogram.x_of(at(5))) == evaluation().spans[1]
    histogram.set_range(at(-10), at(10))  # half of the axis before the ticket opened
    assert histogram.span_at(histogram.x_of(at(-5))) is None
    assert histogram.span_at(histogram.x_of(at(5))) == evaluation().spans[1]
    assert histogram.x_of(at(0)) == pytest.approx(histogram.bar_rect().center().x())


def colour_at(image: QImage, x: float, y: float, scale: int = 1) -> str:
    """The colour painted there, as ``#rrggbb``."""
    return image.pixelColor(int(x * scale), int(y * scale)).name()


def hex_of(colors: dict[str, QColor]) -> dict[str, str]:
    """The widget's colours as painted (8 bits a channel)."""
    return {key: QColor(color.rgb()).name() for key, color in colors.items()}


def test_each_state_is_painted_in_its_colour_and_paused_is_hatched(
        histogram: SlaHistogram) -> None:
    image = histogram.grab().toImage()
    colors = hex_of(histogram.colors())
    y = middle_y(histogram)
    assert colour_at(image, histogram.x_of(at(2)), y) == colors["ok"]
    assert colour_at(image, histogram.x_of(at(5)), y) == colors["violated"]
    # A breach stands taller than the bar: it reads without telling red from green.
    above = histogram.bar_rect().top() - 2
    assert colour_at(image, histogram.x_of(at(5)), above) == colors["violated"]
    assert colour_at(image, histogram.x_of(at(2)), above) != colors["ok"]
    paused = {colour_at(image, x, y)
              for x in range(int(histogram.x_of(at(6.2))), int(histogram.x_of(at(7.8))))}
    assert colors["paused"] in paused
    assert len(paused) > 2, "hatched, not flat"
    assert not paused & {colors["ok"], colors["violated"]}


def test_at_twice_the_scale_span_edges_stay_crisp(histogram: SlaHistogram) -> None:
    pixmap = QPixmap(histogram.size() * 2)
    pixmap.setDevicePixelRatio(2)
    pixmap.fill(Qt.GlobalColor.transparent)
    histogram.render(pixmap)
    image = pixmap.toImage()
    colors = hex_of(histogram.colors())
    y = middle_y(histogram) * 2
    row = [image.pixelColor(x, y).name() for x in range(int(histogram.x_of(at(3))) * 2,
                                                 int(histogram.x_of(at(5.5))) * 2)]
    assert set(row) == {colors["ok"], colors["violated"]}, "no blurred seam between spans"
    labels = image.copy(0, int(histogram.bar_rect().bottom() + 6) * 2, image.width(), 24)
    assert len({labels.pixel(x, yy) for x in range(labels.width())
                for yy in range(labels.height())}) > 3, "tick labels are drawn"


@pytest.mark.parametrize(("start", "end", "looks_like"), [
    (at(0), at(10), "14:00"),  # hours
    (at(-24 * 6), at(10), "28 Feb"),  # days
    (at(-24 * 700), at(10), "Jan 2026"),  # months
])
def test_tick_labels_adapt_to_the_range(histogram: SlaHistogram, start: dt.datetime,
                                        end: dt.datetime, looks_like: str) -> None:
    histogram.set_range(start, end)
    labels = [label for _, label in histogram.ticks()]
    assert looks_like in labels
    assert len(labels) >= 3
    xs = [x for x, _ in histogram.ticks()]
    assert xs == sorted(xs)
    assert all(histogram.bar_rect().left() <= x <= histogram.bar_rect().right() for x in xs)


@popup_warnings  # the tooltip
def test_the_keyboard_walks_the_spans_and_screen_readers_get_them_all(
        qtbot: QtBot, histogram: SlaHistogram) -> None:
    histogram.setFocus()
    qtbot.waitUntil(histogram.hasFocus)
    qtbot.keyClick(histogram, Qt.Key.Key_Right)
    assert histogram.hovered_span == evaluation().spans[0]
    qtbot.keyClick(histogram, Qt.Key.Key_Right)
    assert histogram.hover_text.startswith("In breach: Response time")
    qtbot.keyClick(histogram, Qt.Key.Key_End)
    assert histogram.hovered_span == evaluation().spans[-1]
    description = histogram.accessibleDescription()
    assert description.startswith("From 2026/03/02 09:00 to 2026/03/02 19:00: OK")
    assert "In breach: Response time, From 2026/03/02 13:00 to 2026/03/02 15:00" in description
    assert histogram.accessibleName() == "SLA compliance over time"


def test_without_an_evaluation_it_says_so(qtbot: QtBot, embed: Embed) -> None:
    widget = SlaHistogram()
    embed(widget, 400, widget.sizeHint().height())
    assert widget.shown_spans() == []
    assert widget.accessibleDescription() == "No SLA compliance to show."
    assert widget.sizeHint().width() == 600


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colours_stand_out_in_light_and_dark(make_appearance: MakeAppearance, embed: Embed,
                                             scheme: str) -> None:
    make_appearance(scheme)  # type: ignore[arg-type]
    widget = SlaHistogram()
    widget.set_time_zone(dt.UTC)
    widget.set_evaluation(evaluation(), RULES)
    embed(widget, 600, widget.sizeHint().height())
    colors = widget.colors()
    window = widget.palette().color(widget.backgroundRole())
    assert (window.lightnessF() < 0.5) == (scheme == "dark")
    for key in ("ok", "violated", "hatch", "frame"):
        assert contrast_ratio(colors[key], window) >= 3.0, key
    assert contrast_ratio(colors["muted"], window) >= 4.5
    # Green and red also differ in lightness, for those who do not tell them apart.
    assert contrast_ratio(colors["ok"], colors["violated"]) >= 1.4
    image = widget.grab().toImage()
    y = middle_y(widget)
    assert colour_at(image, widget.x_of(at(2)), y) == hex_of(colors)["ok"]
    assert colour_at(image, 2, 2) == window.name()


def test_until_a_range_is_set_each_evaluation_shows_its_whole_life(embed: Embed) -> None:
    widget = SlaHistogram()
    embed(widget, 600, widget.sizeHint().height())
    widget.set_evaluation(evaluation(), RULES)
    assert widget.shown_range == (at(0), at(10))
    later = SlaEvaluation(ticket_id=uuid.uuid4(), sla_id=RULES.sla_id, until=at(30),
                          spans=(ComplianceSpan(at(20), at(30), SpanState.OK),),
                          violations=(), ok_seconds=36000, violated_seconds=0)
    widget.set_evaluation(later, RULES)  # another ticket, as an SLA preview shows them
    assert widget.shown_range == (at(20), at(30))
    widget.set_range(at(0), at(40))
    widget.set_evaluation(evaluation(), RULES)
    assert widget.shown_range == (at(0), at(40)), "a range chosen stays"
