"""One workunit as the thread shows it: who, when, how long, its badges, its text, files.

The text is shown in a read-only ``QTextBrowser`` whose document is the editor's
``InlineImageDocument``: ``attachment:`` images come from the local blob store (read on
the ticket view's runner), web images get a placeholder and are never fetched, and
nothing else is loaded. The body is
as tall as its text (no scroll bar of its own inside the thread's); a long one is cut to
``COLLAPSED_HEIGHT`` until "Read more" is pressed.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QColor, QDesktopServices, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.ticket_details import WorkunitEntry
from desktopdesk.store.blobs import BlobStore
from desktopdesk.ui import palette
from desktopdesk.ui.inline_images import InlineImageDocument
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_list_format import person_tooltip
from desktopdesk.ui.ticket_tab_format import hours_text, person_name, workunit_when

#: A body taller than this (in pixels) is collapsed behind "Read more".
COLLAPSED_HEIGHT = 180
#: Not worth a "Read more" to reveal a line or two.
_COLLAPSE_SLACK = 40
#: Links a click may hand to the desktop; anything else in a workunit is not followed.
_OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})
_SHARED_NAMES_SHOWN = 3

#: (icon, hue) of each badge kind; ``palette.chip_colors`` makes the hue a tinted chip
#: that reads in light and dark.
_BADGE_LOOK = {
    "private": ("mdi6.lock-outline", "#a50e0e"),
    "internal": ("mdi6.eye-off-outline", "#8a5a00"),
    "cost": ("mdi6.currency-usd", "#137333"),
    "profile": ("mdi6.badge-account-outline", "#174ea6"),
    "shared": ("mdi6.account-multiple-outline", "#681da8"),
    "creator": ("mdi6.tennis-ball", "#6d5200"),  # the list's "ball in our court"
}
_CARD_STYLE = (
    "QFrame#workunit_card { border: 1px solid palette(midlight); border-radius: 6px;"
    " background: palette(base); }\n"
    "QLabel#workunit_author { font-weight: bold; }\n"
    "QLabel#workunit_when, QLabel#workunit_hours, QLabel#workunit_files"
    " { color: $muted_text; }\n"
    "QPushButton#workunit_read_more { border: none; color: palette(link); padding: 0;"
    " text-align: left; }\n"
)


def badge_colors(kind: str) -> tuple[QColor, QColor]:
    """(text, background) of a badge, in the scheme in use."""
    return palette.chip_colors(QColor(_BADGE_LOOK[kind][1]))


def card_style() -> str:
    """The thread's style sheet (cards and badges) in the scheme in use; the thread sets
    it again after a switch of light and dark."""
    badges = []
    for kind in _BADGE_LOOK:
        text, background = badge_colors(kind)
        badges.append(f"QFrame#badge_{kind} {{ background: {background.name()};"
                      f" border-radius: 8px; }}\n"
                      f"QFrame#badge_{kind} QLabel {{ color: {text.name()}; }}\n")
    return palette.styled(_CARD_STYLE) + "".join(badges)


def open_link(url: QUrl) -> None:
    """A link in a workunit, clicked: to the desktop's browser or mail program."""
    QDesktopServices.openUrl(url)


class WorkunitBody(QTextBrowser):
    """Sanitised HTML, as tall as it needs, collapsed when long."""

    #: Whether the text is long enough to be collapsed changed (True: it is).
    long_changed = Signal(bool)

    def __init__(self, blobs: BlobStore, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workunit_body")
        self.setAccessibleName("Workunit text")
        self.image_document = InlineImageDocument(blobs, self, runner=runner)
        self.image_document.setDocumentMargin(0)  # the text lines up with the header
        self.setDocument(self.image_document)
        self.setReadOnly(True)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QTextBrowser#workunit_body { background: transparent; }")
        self._expanded = False
        self._long = False
        self._fitting = False
        self.anchorClicked.connect(self._on_anchor_clicked)
        self.image_document.documentLayout().documentSizeChanged.connect(
            self._on_document_size_changed)

    @property
    def is_long(self) -> bool:
        return self._long

    @property
    def expanded(self) -> bool:
        return self._expanded

    def set_expanded(self, expanded: bool) -> None:
        self._expanded = expanded
        self.fit()

    def full_height(self) -> int:
        return math.ceil(self.document().size().height()) + 2 * self.frameWidth()

    @Slot()
    def _on_document_size_changed(self) -> None:
        self.fit()  # an image came in, or the text was set

    def fit(self) -> None:
        """Lay the text out at the width shown and take its height (or the collapsed one)."""
        if self._fitting:
            return
        self._fitting = True
        try:
            width = self.viewport().width()
            if width > 0 and self.document().textWidth() != width:
                self.document().setTextWidth(width)
            full = self.full_height()
            is_long = full > COLLAPSED_HEIGHT + _COLLAPSE_SLACK
            height = COLLAPSED_HEIGHT if is_long and not self._expanded else full
            if height != self.height():
                self.setFixedHeight(height)
            self.verticalScrollBar().setValue(0)
        finally:
            self._fitting = False
        if is_long != self._long:
            self._long = is_long
            self.long_changed.emit(is_long)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # the thread scrolls, never the inside of one card

    @Slot(QUrl)
    def _on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme().lower() in _OPENABLE_SCHEMES:
            open_link(url)


def _badge(kind: str, text: str, tooltip: str, parent: QWidget) -> QFrame:
    badge = QFrame(parent)
    badge.setObjectName(f"badge_{kind}")
    badge.setAccessibleName(text)
    badge.setToolTip(tooltip)
    layout = QHBoxLayout(badge)
    layout.setContentsMargins(6, 1, 8, 1)
    layout.setSpacing(3)
    icon = palette.icon(_BADGE_LOOK[kind][0], color=lambda: badge_colors(kind)[0])
    picture = QLabel(badge)
    palette.set_icon(picture, icon, QSize(14, 14))
    label = QLabel(text, badge)
    label.setObjectName("badge_text")
    layout.addWidget(picture)
    layout.addWidget(label)
    return badge


def shared_text(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:_SHARED_NAMES_SHOWN])
    hidden = len(names) - _SHARED_NAMES_SHOWN
    return f"Shared with {shown}" + (f" and {hidden} more" if hidden > 0 else "")


class WorkunitCard(QFrame):
    """One workunit; built once per entry and reused while the entry stays the same."""

    #: "Read more" or "Show less" was pressed: (workunit id, now expanded).
    expanded_changed = Signal(object, bool)

    def __init__(self, entry: WorkunitEntry, blobs: BlobStore, runner: TaskRunner,
                 reader_id: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        author = person_name(entry.author)
        when = workunit_when(entry)
        self.setObjectName("workunit_card")
        self.setAccessibleName(f"Workunit by {author}, {when}")
        self.setFrameShape(QFrame.Shape.StyledPanel)

        you = " (you)" if entry.author.id == reader_id else ""
        self.author = QLabel(author + you, self)
        self.author.setObjectName("workunit_author")
        self.author.setToolTip(person_tooltip(entry.author.username, entry.author.full_name))
        self.when = QLabel(when, self)
        self.when.setObjectName("workunit_when")
        self.hours = QLabel(hours_text(entry.hours), self)
        self.hours.setObjectName("workunit_hours")
        self.hours.setToolTip("Time spent")
        header = QHBoxLayout()
        header.addWidget(self.author)
        header.addWidget(self.when)
        header.addStretch(1)
        header.addWidget(self.hours)

        self.badges = self._badges(entry)
        badges = QHBoxLayout()
        badges.setSpacing(4)
        for badge in self.badges:
            badges.addWidget(badge)
        badges.addStretch(1)

        self.read_more = QPushButton("Read more", self)
        self.read_more.setObjectName("workunit_read_more")
        self.read_more.setAccessibleName(f"Read more of the workunit by {author}")
        self.read_more.setCursor(Qt.CursorShape.PointingHandCursor)
        self.read_more.setVisible(False)
        self.body = WorkunitBody(blobs, runner, self)
        self.body.long_changed.connect(self._on_body_long_changed)
        self.body.setHtml(entry.text_html)
        self.files = QLabel(self)
        self.files.setObjectName("workunit_files")
        self.files.setWordWrap(True)
        self.files.setVisible(bool(entry.file_names))
        if entry.file_names:
            self.files.setText("Files: " + ", ".join(entry.file_names))
            self.files.setToolTip("Attached with this workunit; open them from the Files tab.")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addLayout(header)
        if self.badges:
            layout.addLayout(badges)
        layout.addWidget(self.body)
        layout.addWidget(self.read_more, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.files)

        self.read_more.clicked.connect(self._on_read_more_clicked)

    def _badges(self, entry: WorkunitEntry) -> list[QFrame]:
        badges = []
        if entry.by_creator:
            badges.append(_badge("creator", "From the creator",
                                 "Written by the person who opened the ticket: "
                                 "the ball is in our court.", self))
        if entry.is_private:
            badges.append(_badge("private", "Private", "Only its author, the people it is "
                                 "shared with and the group's managers see it.", self))
        if entry.is_internal:
            badges.append(_badge("internal", "Internal",
                                 "Never shown to the person who opened the ticket.", self))
        if entry.has_cost:
            badges.append(_badge("cost", "Cost", "Counts towards the ticket's cost.", self))
        if entry.profile_name:
            badges.append(_badge("profile", entry.profile_name,
                                 "The profile whose hourly rate costs this work.", self))
        if entry.shared_with:
            badges.append(_badge("shared", shared_text(entry.shared_with),
                                 "Shared with " + ", ".join(entry.shared_with), self))
        return badges

    def badge_texts(self) -> list[str]:
        return [badge.accessibleName() for badge in self.badges]

    @property
    def expanded(self) -> bool:
        return self.body.expanded

    def set_expanded(self, expanded: bool) -> None:
        self.body.set_expanded(expanded)
        self.read_more.setText("Show less" if expanded else "Read more")
        author = person_name(self.entry.author)
        self.read_more.setAccessibleName(
            f"{'Show less' if expanded else 'Read more'} of the workunit by {author}")

    @Slot(bool)
    def _on_body_long_changed(self, is_long: bool) -> None:
        self.read_more.setVisible(is_long)

    @Slot()
    def _on_read_more_clicked(self) -> None:
        self.set_expanded(not self.body.expanded)
        self.expanded_changed.emit(self.entry.id, self.body.expanded)
