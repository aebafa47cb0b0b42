"""Light and dark palettes, following the system, and the named colours on both."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qtawesome
import shiboken6
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QLabel,
    QStyle,
    QStyleOptionButton,
    QToolTip,
)
from pytestqt.qtbot import QtBot

from desktopdesk.ui import palette
from desktopdesk.ui.desktop_preferences import PREFERENCES_FILE, DesktopPreferences
from desktopdesk.ui.palette import (
    DARK,
    LIGHT,
    Appearance,
    OutlinedIndicatorStyle,
    SchemePreference,
    composite,
    contrast_ratio,
    dark_palette,
    light_palette,
    semantic_colors,
)
from tests.conftest import Org
from tests.ui.conftest import MakeWindow

Role = QPalette.ColorRole
MakeAppearance = Callable[[SchemePreference], Appearance]
TEXT = 4.5  # WCAG AA, normal text
GRAPHIC = 3.0  # WCAG AA, icons and other non-text marks


@pytest.fixture
def make_appearance(qapp: QApplication) -> Iterator[MakeAppearance]:
    yield from appearances(qapp)


def appearances(qapp: QApplication) -> Iterator[MakeAppearance]:
    """Appearances on the test application; its style and palettes are put back after
    (the body of the ``make_appearance`` fixtures here and in test_dark_mode)."""
    style, app_palette, tip_palette = qapp.style().name(), qapp.palette(), QToolTip.palette()
    made: list[Appearance] = []

    def make(preference: SchemePreference) -> Appearance:
        made.append(Appearance(qapp, preference))
        return made[-1]

    yield make
    for appearance in made:
        shiboken6.delete(appearance)  # stops it listening to the style hints
    qapp.styleHints().unsetColorScheme()
    qapp.setStyle(style)
    qapp.setPalette(app_palette)
    QToolTip.setPalette(tip_palette)
    qtawesome.reset_cache()


def system_says(qapp: QApplication, scheme: Qt.ColorScheme) -> None:
    """What the platform does when the desktop switches (offscreen never does)."""
    qapp.styleHints().colorSchemeChanged.emit(scheme)


def is_darkish(color: QColor) -> bool:
    return color.lightnessF() < 0.35


def is_lightish(color: QColor) -> bool:
    return color.lightnessF() > 0.75


def test_the_palette_follows_the_system_scheme_live(
    qapp: QApplication, qtbot: QtBot, make_appearance: MakeAppearance,
) -> None:
    appearance = make_appearance("system")
    style = qapp.style()
    assert isinstance(style, OutlinedIndicatorStyle)  # Fusion, check boxes outlined
    assert style.baseStyle().name().lower() == "fusion"
    with qtbot.waitSignal(appearance.scheme_applied) as applied:
        system_says(qapp, Qt.ColorScheme.Dark)
    assert applied.args == [Qt.ColorScheme.Dark]
    now = qapp.palette()
    assert all(is_darkish(now.color(role)) for role in (Role.Window, Role.Base, Role.Button))
    assert all(is_lightish(now.color(role))
               for role in (Role.WindowText, Role.Text, Role.ButtonText))
    assert is_lightish(QToolTip.palette().color(Role.ToolTipText))

    system_says(qapp, Qt.ColorScheme.Light)
    now = qapp.palette()
    assert all(is_lightish(now.color(role)) for role in (Role.Window, Role.Base, Role.Button))
    assert all(is_darkish(now.color(role))
               for role in (Role.WindowText, Role.Text, Role.ButtonText))
    assert appearance.scheme == Qt.ColorScheme.Light


def test_a_chosen_scheme_wins_until_the_system_is_chosen_again(
    qapp: QApplication, make_appearance: MakeAppearance,
) -> None:
    appearance = make_appearance("dark")
    assert palette.is_dark(qapp.palette())
    system_says(qapp, Qt.ColorScheme.Light)
    assert palette.is_dark(qapp.palette())  # the choice holds
    appearance.set_preference("system")
    assert not palette.is_dark(qapp.palette())  # the system said light meanwhile
    appearance.set_preference("dark")
    appearance.set_preference("light")
    assert not palette.is_dark(qapp.palette())
    with pytest.raises(ValueError, match="unknown colour scheme"):
        appearance.set_preference("sepia")  # type: ignore[arg-type]


def test_icons_made_after_a_switch_are_drawn_in_the_new_text_colour(
    qapp: QApplication, make_appearance: MakeAppearance,
) -> None:
    def ink() -> QColor:
        image = qtawesome.icon("mdi6.magnify").pixmap(QSize(32, 32)).toImage()
        inked = [image.pixelColor(x, y) for x in range(32) for y in range(32)
                 if image.pixelColor(x, y).alpha() == 255]
        assert inked
        return inked[0]

    appearance = make_appearance("light")
    assert is_darkish(ink())
    appearance.set_preference("dark")
    assert is_lightish(ink())


# --- Contrast ------------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21)
    assert contrast_ratio(QColor("#777777"), QColor("#777777")) == pytest.approx(1)
    assert contrast_ratio(QColor("#767676"), QColor("white")) == pytest.approx(4.54, abs=0.01)


PALETTES = [pytest.param(light_palette, id="light"), pytest.param(dark_palette, id="dark")]


@pytest.mark.parametrize("make_palette", PALETTES)
def test_the_palettes_text_is_readable_on_its_backgrounds(
    qapp: QApplication, make_palette: Callable[[], QPalette],
) -> None:
    shown = make_palette()
    for text, background in [
        (Role.WindowText, Role.Window), (Role.Text, Role.Base), (Role.Text, Role.AlternateBase),
        (Role.ButtonText, Role.Button), (Role.HighlightedText, Role.Highlight),
        (Role.ToolTipText, Role.ToolTipBase), (Role.Link, Role.Base),
        (Role.LinkVisited, Role.Base), (Role.PlaceholderText, Role.Base),
        (Role.PlaceholderText, Role.Window),  # hints on a window: "Select a ticket…"
    ]:
        ratio = contrast_ratio(shown.color(text), shown.color(background))
        assert ratio >= TEXT, f"{text.name} on {background.name}: {ratio:.2f}"


@pytest.mark.parametrize("make_palette", PALETTES)
def test_the_named_colours_are_readable_on_what_they_are_drawn_on(
    qapp: QApplication, make_palette: Callable[[], QPalette],
) -> None:
    shown = make_palette()
    named = semantic_colors(shown)
    assert named is (DARK if make_palette is dark_palette else LIGHT)

    def color(value: str | Role) -> QColor:
        return shown.color(value) if isinstance(value, Role) else QColor(value)

    checks: list[tuple[str, str | Role, str | Role, float]] = [
        ("notice text", Role.WindowText, named.notice_background, TEXT),
        ("notice icon", named.notice_icon, named.notice_background, GRAPHIC),
        ("news text", Role.WindowText, named.info_background, TEXT),
        ("news icon", named.info_icon, named.info_background, GRAPHIC),
        ("error on a window", named.danger, Role.Window, TEXT),
        ("error in a field", named.danger, Role.Base, TEXT),
        ("badge", named.on_danger, named.danger_background, TEXT),
        ("badge on the status bar", named.danger_background, Role.Window, GRAPHIC),
        ("muted on a window", named.muted_text, Role.Window, TEXT),
        ("muted on a card", named.muted_text, Role.Base, TEXT),
        ("muted on a quote", named.muted_text, Role.AlternateBase, TEXT),
        ("warning", named.warning_text, Role.Window, TEXT),
        ("placeholder", named.placeholder_text, named.placeholder_background, TEXT),
    ]
    for what, text, background, least in checks:
        ratio = contrast_ratio(color(text), color(background))
        assert ratio >= least, f"{what}: {ratio:.2f}"

    tint = QColor(named.new_row_tint)
    assert 0 < tint.alpha() < 255  # translucent, over whichever row colour
    for row in (Role.Base, Role.AlternateBase):
        tinted = composite(tint, shown.color(row))
        assert contrast_ratio(shown.color(Role.Text), tinted) >= TEXT
        assert tinted.red() - tinted.green() >= 12, "the row should look reddish"


# The hues chips are drawn in today: statuses, priorities, workunit badges.
CHIP_HUES = ["#b3261e", "#0b57d0", "#7a5900", "#3c4043", "#146c2e", "#5b8bd0", "#4caf50",
             "#e0b000", "#f07800", "#d32f2f", "#9e9e9e", "#681da8", "#ffffff", "#000000"]


@pytest.mark.parametrize("make_palette", PALETTES)
def test_chips_of_any_hue_are_readable_and_keep_their_hue(
    qapp: QApplication, make_palette: Callable[[], QPalette],
) -> None:
    shown = make_palette()
    for hue in CHIP_HUES:
        text, background = palette.chip_colors(QColor(hue), shown)
        assert contrast_ratio(text, background) >= TEXT, hue
        if QColor(hue).hslSaturationF() > 0.3:
            assert abs(text.hslHueF() - QColor(hue).hslHueF()) < 0.02, hue  # still "red"
        assert palette.is_dark(shown) == (background.lightnessF() < 0.5), hue


@pytest.mark.parametrize("make_palette", PALETTES)
def test_marks_of_any_hue_stand_out_from_rows_and_windows(
    qapp: QApplication, make_palette: Callable[[], QPalette],
) -> None:
    shown = make_palette()
    for hue in CHIP_HUES:
        mark = palette.mark_color(QColor(hue), shown)
        for role in (Role.Base, Role.AlternateBase, Role.Window):
            assert contrast_ratio(mark, shown.color(role)) >= GRAPHIC, (hue, role.name)
        if QColor(hue).hslSaturationF() > 0.3:
            assert abs(mark.hslHueF() - QColor(hue).hslHueF()) < 0.02, hue


def test_widgets_under_a_style_sheet_follow_a_switch(
    qtbot: QtBot, make_appearance: MakeAppearance,
) -> None:
    """Qt leaves a widget with a style sheet, and everything inside it, on the palette it
    had; ``Appearance`` re-applies the sheets, and redoes ``set_style``, ``set_icon`` and
    ``follow_palette`` work."""
    appearance = make_appearance("light")
    frame = QFrame()
    qtbot.addWidget(frame)
    frame.setObjectName("framed")
    frame.setStyleSheet("QFrame#framed { background: palette(base); }")
    plain = QLabel("plain", frame)
    warned = QLabel("warned", frame)
    palette.set_style(warned, "color: $warning_text;")
    icon = QLabel(frame)
    palette.set_icon(icon, palette.icon("mdi6.magnify", color=palette.danger), QSize(16, 16))
    calls: list[bool] = []

    class Counter(QLabel):
        def count(self) -> None:
            calls.append(palette.is_dark())

    counted = Counter(frame)
    palette.follow_palette(counted, counted.count)
    palette.follow_palette(counted, counted.count)  # called now, held once for switches
    frame.show()  # polished: Qt resolves the sheets of widgets it shows

    def ink() -> QColor:
        image = icon.pixmap().toImage()
        return next(image.pixelColor(x, y) for x in range(16) for y in range(16)
                    if image.pixelColor(x, y).alpha() == 255)

    assert is_darkish(plain.palette().color(Role.WindowText))
    assert ink() == QColor(LIGHT.danger)
    appearance.set_preference("dark")
    assert is_lightish(plain.palette().color(Role.WindowText))
    assert warned.palette().color(Role.WindowText) == QColor(DARK.warning_text)
    assert ink() == QColor(DARK.danger)
    assert calls == [False, False, True]
    palette.set_style(warned, "color: $danger;")  # a new template replaces the old
    assert warned.palette().color(Role.WindowText) == QColor(DARK.danger)


def test_the_named_colour_functions_follow_the_application_palette(
    qapp: QApplication, make_appearance: MakeAppearance,
) -> None:
    appearance = make_appearance("dark")
    assert palette.danger() == QColor(DARK.danger)
    assert palette.notice_background() == QColor(DARK.notice_background)
    assert palette.new_row_tint().alpha() == QColor(DARK.new_row_tint).alpha()
    appearance.set_preference("light")
    assert (palette.danger(), palette.muted_text(), palette.notice_background()) == (
        QColor(LIGHT.danger), QColor(LIGHT.muted_text), QColor(LIGHT.notice_background))


def test_the_colour_chosen_in_the_view_menu_applies_and_is_remembered(
        make_appearance: MakeAppearance, make_window: MakeWindow, org: Org) -> None:
    appearance = make_appearance("light")
    window = make_window(org.ramon, appearance=appearance)
    dark = window.findChild(QAction, "action_color_scheme_dark")
    assert dark is not None
    dark.trigger()
    assert is_darkish(QApplication.palette().color(Role.Window))
    assert DesktopPreferences(org.ws.data_dir).color_scheme == "dark"
    light = window.findChild(QAction, "action_color_scheme_light")
    assert light is not None
    light.trigger()
    assert is_lightish(QApplication.palette().color(Role.Window))
    assert DesktopPreferences(org.ws.data_dir).color_scheme == "light"


def test_an_unknown_stored_scheme_reads_as_following_the_system(tmp_path: Path) -> None:
    (tmp_path / PREFERENCES_FILE).write_text('{"appearance": {"color_scheme": "purple"}}',
                                             encoding="utf-8")
    assert DesktopPreferences(tmp_path).color_scheme == "system"


def test_an_unticked_check_box_can_be_seen_on_the_dark_palette(
        qtbot: QtBot, make_appearance: MakeAppearance) -> None:
    make_appearance("dark")
    box = QCheckBox("Under warranty")
    qtbot.addWidget(box)
    box.resize(box.sizeHint())
    image = box.grab().toImage()
    indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator,
                                           _check_option(box), box)
    background = image.pixelColor(image.width() - 2, image.height() // 2)
    edge = max((image.pixelColor(x, y)
                for x in range(indicator.left(), indicator.right() + 1)
                for y in range(indicator.top(), indicator.bottom() + 1)),
               key=lambda c: contrast_ratio(c, background))  # its outline, at best
    assert contrast_ratio(edge, background) >= GRAPHIC


def _check_option(box: QCheckBox) -> QStyleOptionButton:
    option = QStyleOptionButton()
    option.initFrom(box)
    return option
