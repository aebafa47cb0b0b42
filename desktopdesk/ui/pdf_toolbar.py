"""The bar over a PDF's pages: zoom out, the zoom, zoom in, fit width, 100 %, what is
being done, and "Page i of n". The buttons only say they were clicked; the view zooms
(and holds the keys, from ``shortcuts``, that the tooltips name)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from desktopdesk.ui import palette
from desktopdesk.ui.shortcuts import shortcut

#: The zoom steps of + and - (Ctrl+wheel too); fit width may land between them.
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
MIN_ZOOM, MAX_ZOOM = ZOOM_STEPS[0], ZOOM_STEPS[-1]


def zoom_in_step(zoom: float) -> float:
    return next((step for step in ZOOM_STEPS if step > zoom + 1e-3), MAX_ZOOM)


def zoom_out_step(zoom: float) -> float:
    return next((step for step in reversed(ZOOM_STEPS) if step < zoom - 1e-3), MIN_ZOOM)


class PdfToolbar(QWidget):
    """The bar's widgets; ``show_state`` sets them all from the view's state at once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdf_toolbar")
        self.zoom_out_button = self._tool("zoom_out", "Zoom out", "mdi6.magnify-minus-outline",
                                          "Zoom out")
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("pdf_zoom")
        self.zoom_label.setAccessibleName("Zoom")
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("400 %") + 8)
        self.zoom_in_button = self._tool("zoom_in", "Zoom in", "mdi6.magnify-plus-outline",
                                         "Zoom in")
        self.fit_button = self._tool("fit_width", "Fit width", "mdi6.arrow-expand-horizontal",
                                     "Fit the page to the width")
        self.fit_button.setCheckable(True)
        self.actual_button = self._tool("actual_size", "100%", "",
                                        "Show the page at its printed size")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("pdf_status")
        self.status_label.setAccessibleName("Page drawing status")
        palette.set_style(self.status_label, "color: $muted_text;")
        self.page_label = QLabel(self)
        self.page_label.setObjectName("pdf_page")
        self.page_label.setAccessibleName("Current page")

        bar = QHBoxLayout(self)
        bar.setContentsMargins(4, 2, 8, 2)
        bar.setSpacing(2)
        for widget in (self.zoom_out_button, self.zoom_label, self.zoom_in_button):
            bar.addWidget(widget)
        bar.addSpacing(6)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.actual_button)
        bar.addSpacing(12)
        bar.addWidget(self.status_label, 1)
        bar.addWidget(self.page_label)

    def _tool(self, name: str, text: str, icon: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(f"pdf_{name}")
        button.setAccessibleName(text)
        keys = shortcut(f"pdf_{name}").native_text()
        button.setToolTip(f"{tip} ({keys})" if keys else tip)
        button.setAutoRaise(True)
        if icon:
            button.setIcon(palette.icon(icon))
            button.setIconSize(QSize(18, 18))
        else:
            button.setText(text)
        return button

    def show_state(self, *, pages: int, current: int, zoom: float, fits_width: bool,
                   status: str) -> None:
        """The bar for a document of ``pages`` pages (0: none) shown at ``zoom``."""
        for widget in (self.actual_button, self.fit_button):
            widget.setEnabled(pages > 0)
        self.zoom_in_button.setEnabled(pages > 0 and zoom < MAX_ZOOM - 1e-3)
        self.zoom_out_button.setEnabled(pages > 0 and zoom > MIN_ZOOM + 1e-3)
        self.fit_button.setChecked(fits_width)
        self.zoom_label.setText(f"{round(zoom * 100)} %" if pages else "")
        self.status_label.setText(status)
        self.page_label.setText(f"Page {current} of {pages}" if pages else "")
