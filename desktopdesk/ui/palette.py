"""Light and dark: the Fusion style with a palette that follows the system's colour
scheme (or this desktop's choice), switched live, and the few named colours widgets
need beyond the palette, each readable on both.

Why our own palettes rather than the platform's: only some platform themes hand Qt a
dark palette (KDE, recent Windows and macOS do; plain X11 and many Wayland sessions
do not), and Fusion with a palette of our own looks and reads the same everywhere.
Why named colours: a notice, a warning or a tinted row has no palette role. Widgets ask
for ``notice_background()`` and friends instead of writing ``#fff8e1``, and the answer
depends on the palette in use, so it is right in both schemes.

Widgets that bake these colours into a style sheet or an icon must build them again on
``QEvent.Type.PaletteChange`` (``Appearance`` changes the application palette, which
Qt sends to every widget); icons from qtawesome without a colour take the palette's
text colour when they are made, so they too are made again after a switch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import qtawesome
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QToolTip

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
    Role.PlaceholderText: "#6b6f74", Role.Button: "#f3f3f3", Role.ButtonText: "#1f1f1f",
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
    #: Picture placeholders drawn into images ("Loading image…").
    placeholder_background: str
    placeholder_border: str
    placeholder_text: str


LIGHT = SemanticColors(
    notice_background="#fff8e1", notice_border="#e0c27a", notice_icon="#8a6d00",
    info_background="#e8f0fe", info_border="#aecbfa", info_icon="#0b57d0",
    new_row_tint="#2ae62828", danger="#b3261e", danger_background="#b3261e",
    on_danger="#ffffff", muted_text="#5f6368", warning_text="#8a5300",
    placeholder_background="#f1f3f4", placeholder_border="#9aa0a6",
    placeholder_text="#5f6368",
)
DARK = SemanticColors(
    notice_background="#3d3522", notice_border="#7a6331", notice_icon="#e8c35a",
    info_background="#1f2b3e", info_border="#3d5a8a", info_icon="#8ab4f8",
    new_row_tint="#40ff5a5a", danger="#f2b8b5", danger_background="#ee6b64",
    on_danger="#1e1f22", muted_text="#b4b8bd", warning_text="#f5c177",
    placeholder_background="#35373b", placeholder_border="#7c8086",
    placeholder_text="#c4c7cc",
)


def semantic_colors(palette: QPalette | None = None) -> SemanticColors:
    """The set that goes with ``palette`` (the application's by default)."""
    return DARK if is_dark(palette) else LIGHT


def _named(name: str) -> QColor:
    return QColor(getattr(semantic_colors(), name))


def notice_background() -> QColor:
    return _named("notice_background")


def notice_border() -> QColor:
    return _named("notice_border")


def notice_icon() -> QColor:
    return _named("notice_icon")


def info_background() -> QColor:
    return _named("info_background")


def info_border() -> QColor:
    return _named("info_border")


def info_icon() -> QColor:
    return _named("info_icon")


def new_row_tint() -> QColor:
    """Translucent: it tints Base and AlternateBase rows alike."""
    return _named("new_row_tint")


def danger() -> QColor:
    return _named("danger")


def danger_background() -> QColor:
    return _named("danger_background")


def on_danger() -> QColor:
    return _named("on_danger")


def muted_text() -> QColor:
    return _named("muted_text")


def warning_text() -> QColor:
    return _named("warning_text")


def placeholder_background() -> QColor:
    return _named("placeholder_background")


def placeholder_border() -> QColor:
    return _named("placeholder_border")


def placeholder_text() -> QColor:
    return _named("placeholder_text")


#: How much of a chip's hue shows through its background, per scheme.
_CHIP_TINT = {False: 0.14, True: 0.24}


def chip_colors(hue: QColor, palette: QPalette | None = None) -> tuple[QColor, QColor]:
    """(text, background) for a small label in ``hue`` (a status, a priority, a badge):
    a tint of the hue as background and the hue, darkened on light palettes or
    lightened on dark ones, as text, until it reads at 4.5:1."""
    palette = palette if palette is not None else QGuiApplication.palette()
    dark = is_dark(palette)
    tint = QColor(hue)
    tint.setAlphaF(_CHIP_TINT[dark])
    background = composite(tint, palette.color(Role.Base))
    shade = max(hue.hslHueF(), 0.0)  # -1 for greys
    saturation, lightness = hue.hslSaturationF(), hue.lightnessF()
    step = 0.02 if dark else -0.02
    text = QColor(hue)
    for _ in range(60):  # from any lightness to the far end
        if contrast_ratio(text, background) >= 4.5:
            return text, background
        lightness = min(1.0, max(0.0, lightness + step))
        text = QColor.fromHslF(shade, saturation, lightness)
    return palette.color(Role.Text), background  # pragma: no cover - the far end reads


# --- Following the system ------------------------------------------------------------------


def resolve(preference: SchemePreference, system: Qt.ColorScheme) -> Qt.ColorScheme:
    """Light or Dark: the choice if one was made, else the system's (Light if it
    does not say)."""
    if preference == "dark":
        return Qt.ColorScheme.Dark
    if preference == "light":
        return Qt.ColorScheme.Light
    return Qt.ColorScheme.Dark if system == Qt.ColorScheme.Dark else Qt.ColorScheme.Light


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
        style = QStyleFactory.create(STYLE)
        if style is not None:
            app.setStyle(style)
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
        log.info("colour scheme: %s (preference %s)", scheme.name, self._preference)
        self.scheme_applied.emit(scheme)

    @Slot(Qt.ColorScheme)
    def _on_style_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self._preference == "system":
            self._system = scheme
        elif scheme != resolve(self._preference, Qt.ColorScheme.Unknown):
            self._system = scheme  # the platform's own change, under our override
        self._apply()
