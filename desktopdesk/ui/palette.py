"""Light and dark: the Fusion style with a palette that follows the system's colour
scheme (or this desktop's choice), switched live, and the few named colours widgets
need beyond the palette, each readable on both.

Why our own palettes rather than the platform's: only some platform themes hand Qt a
dark palette (KDE, recent Windows and macOS do; plain X11 and many Wayland sessions
do not), and Fusion with a palette of our own looks and reads the same everywhere.
Why named colours: a notice, a warning or a tinted row has no palette role. Widgets ask
for ``notice_background()`` and friends instead of writing ``#fff8e1``, and the answer
depends on the palette in use, so it is right in both schemes.

Following a switch: Qt does not carry a new application palette to a widget that has a
style sheet, nor to anything inside it (``QStyleSheetStyle`` resolved their palette once),
and a colour written into a sheet, a pixmap or a qtawesome icon stays as written. So:

- ``set_style(widget, template)`` gives a widget a style sheet whose ``$danger``,
  ``$muted_text``… are the named colours, filled in again after every switch;
- ``set_icon(label, icon, size)`` shows an icon as a label's pixmap, drawn again then;
- ``follow_palette(widget, method)`` calls ``method`` now and after every switch, for
  whatever else a widget paints with (colours computed from a hue);
- ``icon(name, color)`` is a qtawesome icon that picks its colour when painted, so
  buttons, actions and list items need nothing;
- ``Appearance`` then calls ``refresh_widgets``, which runs those and re-applies every
  style sheet (which makes Qt resolve ``palette(...)`` in them anew).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from string import Template

import qtawesome
from PySide6.QtCore import QObject, QPoint, QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QToolTip,
    QWidget,
)

from desktopdesk.ui.desktop_preferences import SCHEME_PREFERENCES, SchemePreference

log = logging.getLogger("desktopdesk.ui")

STYLE = "Fusion"
Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# --- Contrast (WCAG 2.x) -------------------------------------------------------------------


def relative_luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF()))


def contrast_ratio(first: QColor, second: QColor) -> float:
    """1 (same) to 21 (black on white); text wants 4.5, icons and borders 3."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def composite(over: QColor, under: QColor) -> QColor:
    """``over`` (perhaps translucent) painted on the opaque ``under``."""
    alpha = over.alphaF()
    return QColor.fromRgbF(
        over.redF() * alpha + under.redF() * (1 - alpha),
        over.greenF() * alpha + under.greenF() * (1 - alpha),
        over.blueF() * alpha + under.blueF() * (1 - alpha))


# --- Palettes ------------------------------------------------------------------------------

_LIGHT_ROLES = {
    Role.Window: "#f0f0f0", Role.WindowText: "#1f1f1f",
    Role.Base: "#ffffff", Role.AlternateBase: "#f5f7fa", Role.Text: "#1f1f1f",
    Role.PlaceholderText: "#686c71", Role.Button: "#f3f3f3", Role.ButtonText: "#1f1f1f",
    Role.Light: "#ffffff", Role.Midlight: "#e3e3e3", Role.Mid: "#b8b8b8",
    Role.Dark: "#9f9f9f", Role.Shadow: "#767676", Role.BrightText: "#ffffff",
    Role.Highlight: "#2a6db5", Role.HighlightedText: "#ffffff", Role.Accent: "#2a6db5",
    Role.Link: "#1a5fb4", Role.LinkVisited: "#7b3ea8",
    Role.ToolTipBase: "#ffffdc", Role.ToolTipText: "#1f1f1f",
}
_LIGHT_DISABLED = {
    Role.WindowText: "#8a8a8a", Role.Text: "#8a8a8a", Role.ButtonText: "#8a8a8a",
    Role.Base: "#f0f0f0", Role.Highlight: "#a8b8cc", Role.HighlightedText: "#f5f5f5",
    Role.PlaceholderText: "#a0a0a0",
}
_DARK_ROLES = {
    Role.Window: "#2b2d30", Role.WindowText: "#e6e6e6",
    Role.Base: "#1e1f22", Role.AlternateBase: "#26282b", Role.Text: "#e6e6e6",
    Role.PlaceholderText: "#9a9ea4", Role.Button: "#35373b", Role.ButtonText: "#e6e6e6",
    Role.Light: "#505358", Role.Midlight: "#404347", Role.Mid: "#5c5f64",
    Role.Dark: "#191a1c", Role.Shadow: "#0b0b0c", Role.BrightText: "#ffffff",
    Role.Highlight: "#2f65a8", Role.HighlightedText: "#ffffff", Role.Accent: "#2f65a8",
    Role.Link: "#8ab4f8", Role.LinkVisited: "#c9a0f5",
    Role.ToolTipBase: "#3a3c40", Role.ToolTipText: "#e6e6e6",
}
_DARK_DISABLED = {
    Role.WindowText: "#7c8086", Role.Text: "#7c8086", Role.ButtonText: "#7c8086",
    Role.Base: "#24262a", Role.Highlight: "#3a3f47", Role.HighlightedText: "#9a9ea4",
    Role.PlaceholderText: "#62666b",
}


def _palette(roles: dict[Role, str], disabled: dict[Role, str]) -> QPalette:
    palette = QPalette()
    for role, color in roles.items():
        palette.setColor(role, QColor(color))  # every group
    for role, color in disabled.items():
        palette.setColor(Group.Disabled, role, QColor(color))
    return palette


def light_palette() -> QPalette:
    return _palette(_LIGHT_ROLES, _LIGHT_DISABLED)


def dark_palette() -> QPalette:
    return _palette(_DARK_ROLES, _DARK_DISABLED)


def palette_for(scheme: Qt.ColorScheme) -> QPalette:
    return dark_palette() if scheme == Qt.ColorScheme.Dark else light_palette()


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's by default) shows light text on dark,
    however it was set: by ``Appearance``, a platform theme or a test."""
    palette = palette if palette is not None else QGuiApplication.palette()
    return palette.color(Role.Window).lightnessF() < 0.5


# --- Named colours -------------------------------------------------------------------------


@dataclass(frozen=True)
class SemanticColors:
    """Colours with a meaning but no palette role. Text colours hold 4.5:1 against the
    background they are drawn on, icons and borders 3:1 (checked by the tests)."""

    #: An inline question above the text (restore a draft, remote images) and its text.
    notice_background: str
    notice_border: str
    notice_icon: str
    #: An inline piece of news ("a newer version of this ticket arrived").
    info_background: str
    info_border: str
    info_icon: str
    #: Laid over a row's background (translucent) for tickets nobody has taken up yet.
    new_row_tint: str
    #: Error text on the window or a field; a refused change's marker.
    danger: str
    #: A filled "needs attention" badge and the text on it.
    danger_background: str
    on_danger: str
    #: Secondary text: context lines, hints.
    muted_text: str
    #: Something to note that is not an error ("the server is older than this app").
    warning_text: str
    #: Something that went well or is safe (a strong password).
    success_text: str
    #: Picture placeholders drawn into images ("Loading image…").
    placeholder_background: str
    placeholder_border: str
    placeholder_text: str


LIGHT = SemanticColors(
    notice_background="#fff8e1", notice_border="#e0c27a", notice_icon="#8a6d00",
    info_background="#e8f0fe", info_border="#aecbfa", info_icon="#0b57d0",
    new_row_tint="#2ae62828", danger="#b3261e", danger_background="#b3261e",
    on_danger="#ffffff", muted_text="#5f6368", warning_text="#8a5300", success_text="#137333",
    placeholder_background="#f1f3f4", placeholder_border="#9aa0a6",
    placeholder_text="#5f6368",
)
DARK = SemanticColors(
    notice_background="#3d3522", notice_border="#7a6331", notice_icon="#e8c35a",
    info_background="#1f2b3e", info_border="#3d5a8a", info_icon="#8ab4f8",
    new_row_tint="#40ff5a5a", danger="#f2b8b5", danger_background="#ee6b64",
    on_danger="#1e1f22", muted_text="#b4b8bd", warning_text="#f5c177", success_text="#81c995",
    placeholder_background="#35373b", placeholder_border="#7c8086",
    placeholder_text="#c4c7cc",
)


def semantic_colors(palette: QPalette | None = None) -> SemanticColors:
    """The set that goes with ``palette`` (the application's by default)."""
    return DARK if is_dark(palette) else LIGHT


def _named_colour(name: str) -> Callable[[], QColor]:
    """A function giving the colour ``name`` of ``SemanticColors`` in the palette in use
    when it is called (so it can be handed to ``icon`` and asked at each paint)."""
    if name not in {field.name for field in fields(SemanticColors)}:
        raise ValueError(f"no named colour {name!r}")

    def colour() -> QColor:
        return QColor(getattr(semantic_colors(), name))

    colour.__name__ = colour.__qualname__ = name
    return colour


notice_background = _named_colour("notice_background")
notice_border = _named_colour("notice_border")
notice_icon = _named_colour("notice_icon")
info_background = _named_colour("info_background")
info_border = _named_colour("info_border")
info_icon = _named_colour("info_icon")
#: Translucent: it tints Base and AlternateBase rows alike.
new_row_tint = _named_colour("new_row_tint")
danger = _named_colour("danger")
danger_background = _named_colour("danger_background")
on_danger = _named_colour("on_danger")
muted_text = _named_colour("muted_text")
warning_text = _named_colour("warning_text")
success_text = _named_colour("success_text")
placeholder_background = _named_colour("placeholder_background")
placeholder_border = _named_colour("placeholder_border")
placeholder_text = _named_colour("placeholder_text")


def readable_hue(hue: QColor, on: QColor | Iterable[QColor], least: float = 4.5) -> QColor:
    """``hue`` darkened (on light backgrounds) or lightened (on dark ones) just enough to
    read at ``least``:1 on each of ``on``; ``hue`` itself if it already does. It stays
    recognisably the same colour: only its lightness moves."""
    backgrounds = [on] if isinstance(on, QColor) else list(on)
    dark = sum(b.lightnessF() for b in backgrounds) / len(backgrounds) < 0.5
    shade = max(hue.hslHueF(), 0.0)  # -1 for greys
    saturation, lightness = hue.hslSaturationF(), hue.lightnessF()
    step = 0.02 if dark else -0.02
    color = QColor(hue)
    for _ in range(60):  # from any lightness to the far end
        if all(contrast_ratio(color, background) >= least for background in backgrounds):
            return color
        lightness = min(1.0, max(0.0, lightness + step))
        color = QColor.fromHslF(shade, saturation, lightness)
    return color  # pragma: no cover - black and white read on any background we have


#: How much of a chip's hue shows through its background, per scheme.
_CHIP_TINT = {False: 0.14, True: 0.24}


def chip_colors(hue: QColor, palette: QPalette | None = None) -> tuple[QColor, QColor]:
    """(text, background) for a small label in ``hue`` (a status, a priority, a badge):
    a tint of the hue as background and the hue, darkened on light palettes or
    lightened on dark ones, as text, until it reads at 4.5:1."""
    palette = palette if palette is not None else QGuiApplication.palette()
    tint = QColor(hue)
    tint.setAlphaF(_CHIP_TINT[is_dark(palette)])
    background = composite(tint, palette.color(Role.Base))
    return readable_hue(hue, background), background


def mark_color(hue: QColor, palette: QPalette | None = None) -> QColor:
    """``hue`` for an icon or a stripe drawn straight on the window, a field or a list
    row: 3:1 against each (WCAG's least for graphics), keeping its hue."""
    palette = palette if palette is not None else QGuiApplication.palette()
    return readable_hue(hue, [palette.color(role) for role in
                              (Role.Base, Role.AlternateBase, Role.Window)], 3.0)


# --- Following a switch --------------------------------------------------------------------


def styled(template: str) -> str:
    """``template`` with each ``$name`` of ``SemanticColors`` (``$danger``,
    ``$muted_text``…) replaced by that colour in the palette now in use."""
    return Template(template).substitute(asdict(semantic_colors()))


class _PaletteFollower(QObject):
    """Hangs under a widget (so it goes with it) holding what to redo after a switch."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.setObjectName("palette_follower")
        self.widget = widget
        self.template: str | None = None
        self.icon: tuple[QIcon, QSize] | None = None
        #: Methods to call, in order; a dict so the same bound method is held once.
        self.rebuilds: dict[Callable[[], None], None] = {}

    def apply_style(self) -> None:
        if self.template is not None:
            sheet = styled(self.template)
            if self.widget.styleSheet() != sheet:
                self.widget.setStyleSheet(sheet)

    def apply_icon(self) -> None:
        if self.icon is not None and isinstance(self.widget, QLabel):
            icon, size = self.icon
            self.widget.setPixmap(icon.pixmap(size))

    def rebuild(self) -> None:
        self.apply_style()
        self.apply_icon()
        for rebuild in list(self.rebuilds):
            rebuild()


def _follower(widget: QWidget) -> _PaletteFollower:
    found = widget.findChild(_PaletteFollower, "palette_follower",
                             Qt.FindChildOption.FindDirectChildrenOnly)
    return found if found is not None else _PaletteFollower(widget)


def set_style(widget: QWidget, template: str) -> None:
    """Give ``widget`` the style sheet ``template`` (named colours as ``$name``, see
    ``styled``), now and again after every switch of light and dark. Calling it again
    replaces the template: this is the way to change such a widget's sheet."""
    follower = _follower(widget)
    follower.template = template
    follower.apply_style()


def set_icon(label: QLabel, icon: QIcon, size: QSize) -> None:
    """Show ``icon`` (a ``palette.icon``) as ``label``'s picture, drawn again after every
    switch of light and dark; calling it again replaces the icon."""
    follower = _follower(label)
    follower.icon = (icon, size)
    follower.apply_icon()


def follow_palette(widget: QWidget, rebuild: Callable[[], None]) -> None:
    """Call ``rebuild`` now and after every switch of light and dark, for as long as
    ``widget`` lives. Pass a bound method: given again (say, each time the widget shows
    something new) it is called now but still only once per switch."""
    _follower(widget).rebuilds[rebuild] = None
    rebuild()


def refresh_widgets() -> None:
    """Bring every widget up to the application palette just set: run what
    ``set_style`` and ``follow_palette`` registered, then re-apply each style sheet that
    no ancestor's re-application covers (setting the same sheet again makes Qt resolve
    it, and the palettes of the widgets under it, against the new palette)."""
    for window in QApplication.topLevelWidgets():
        for follower in window.findChildren(_PaletteFollower):
            follower.rebuild()
    for widget in QApplication.allWidgets():
        sheet = widget.styleSheet()
        if sheet and not _under_a_style_sheet(widget):
            widget.setStyleSheet(sheet)


def _under_a_style_sheet(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent.styleSheet():
            return True
        parent = parent.parentWidget()
    return False


class _LiveIconEngine(QIconEngine):
    """Draws a qtawesome glyph in the colour its palette calls for when painted, made
    again only when the application palette changes."""

    def __init__(self, name: str, color: Callable[[], QColor] | None) -> None:
        super().__init__()
        self._name = name
        self._color = color
        self._key: int | None = None
        self._icon = QIcon()

    def _current(self) -> QIcon:
        palette = QGuiApplication.palette()
        if palette.cacheKey() != self._key:
            color = (self._color() if self._color is not None
                     else palette.color(Group.Active, Role.Text))
            self._icon = qtawesome.icon(
                self._name, color=color,
                color_disabled=palette.color(Group.Disabled, Role.Text))
            self._key = palette.cacheKey()
        return self._icon

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        self._current().paint(painter, rect, Qt.AlignmentFlag.AlignCenter, mode, state)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        """Painted at ``size`` device pixels, as qtawesome's own engine does (Qt asks for
        the size times the screen's scale, and sets the scale on what it gets)."""
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        try:
            self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        finally:
            painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _LiveIconEngine(self._name, self._color)


def icon(name: str, color: Callable[[], QColor] | None = None) -> QIcon:
    """The qtawesome glyph ``name`` in ``color()`` (a named colour function such as
    ``muted_text``) or the palette's text colour, whichever is current when it is
    painted: right after a switch with nothing to redo. A pixmap taken from it is not;
    show it in a label with ``set_icon``."""
    return QIcon(_LiveIconEngine(name, color))


# --- Following the system ------------------------------------------------------------------


def resolve(preference: SchemePreference, system: Qt.ColorScheme) -> Qt.ColorScheme:
    """Light or Dark: the choice if one was made, else the system's (Light if it
    does not say)."""
    if preference == "dark":
        return Qt.ColorScheme.Dark
    if preference == "light":
        return Qt.ColorScheme.Light
    return Qt.ColorScheme.Dark if system == Qt.ColorScheme.Dark else Qt.ColorScheme.Light


#: Check boxes, in widgets and in item views (the status mapping grid, lists).
_CHECK_INDICATORS = (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
                     QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck)


class OutlinedIndicatorStyle(QProxyStyle):
    """Fusion, with check boxes that can be seen on a dark palette.

    Fusion outlines a check box in the window colour made darker, which on a dark
    window is nearly black on nearly black: an unticked box vanishes. On a dark palette
    the box gets the placeholder border (3:1 against the window and the base) drawn over
    Fusion's own; the light palette is left as Fusion draws it.
    """

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,
                      painter: QPainter, widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element in _CHECK_INDICATORS and is_dark(option.palette):
            rect = option.rect.adjusted(0, 0, -1, -1)
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setPen(QPen(QColor(DARK.placeholder_border)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
            painter.restore()


class Appearance(QObject):
    """Owns the application's style and palette: Fusion, light or dark as the system
    (or ``preference``) says, switched when the system's scheme changes."""

    #: The palette was set for this scheme (Qt.ColorScheme.Light or Dark).
    scheme_applied = Signal(object)

    def __init__(self, app: QApplication, preference: SchemePreference = "system") -> None:
        super().__init__(app)
        self.setObjectName("appearance")
        self._app = app
        self._preference: SchemePreference = "system"
        self._system = app.styleHints().colorScheme()
        self._scheme: Qt.ColorScheme | None = None
        base = QStyleFactory.create(STYLE)
        if base is not None:
            app.setStyle(OutlinedIndicatorStyle(base))
        else:  # pragma: no cover - Fusion is built into Qt
            log.warning("the %s style is missing; keeping %s", STYLE, app.style().name())
        app.styleHints().colorSchemeChanged.connect(
            self._on_style_hints_color_scheme_changed)
        self.set_preference(preference)

    @property
    def preference(self) -> SchemePreference:
        return self._preference

    @property
    def scheme(self) -> Qt.ColorScheme:
        """Light or Dark, as applied now."""
        assert self._scheme is not None
        return self._scheme

    def set_preference(self, preference: SchemePreference) -> None:
        """"system", "light" or "dark"; applied at once."""
        if preference not in SCHEME_PREFERENCES:
            raise ValueError(f"unknown colour scheme {preference!r}")
        self._preference = preference
        self._request_native_scheme()
        self._apply()

    def _request_native_scheme(self) -> None:
        """Ask the platform too (Qt 6.8+), so window frames and native dialogs match
        where it can; platforms that cannot simply keep theirs."""
        hints = self._app.styleHints()
        if self._preference == "system":
            hints.unsetColorScheme()
            if hints.colorScheme() != Qt.ColorScheme.Unknown:  # else keep the last heard
                self._system = hints.colorScheme()
        else:
            hints.setColorScheme(resolve(self._preference, Qt.ColorScheme.Unknown))

    def _apply(self) -> None:
        scheme = resolve(self._preference, self._system)
        if scheme == self._scheme:
            return
        self._scheme = scheme
        palette = palette_for(scheme)
        qtawesome.reset_cache()  # icons made from now on take the new text colour
        self._app.setPalette(palette)
        QToolTip.setPalette(palette)
        refresh_widgets()
        log.info("colour scheme: %s (preference %s)", scheme.name, self._preference)
        self.scheme_applied.emit(scheme)

    @Slot(Qt.ColorScheme)
    def _on_style_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self._preference == "system":
            self._system = scheme
        elif scheme != resolve(self._preference, Qt.ColorScheme.Unknown):
            self._system = scheme  # the platform's own change, under our override
        self._apply()
