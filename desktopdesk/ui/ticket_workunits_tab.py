"""The Workunits tab: the thread, and the new-workunit editor folded under it.

The ticket view often sits below the ticket list in a few hundred pixels, so the tab
gives them to the thread: the editor stays folded into one "Add a workunit…" line, as
help desks fold their reply box, until the person writes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.ui import palette
from desktopdesk.ui.shortcuts import shortcut
from desktopdesk.ui.workunit_editor import WorkunitEditor
from desktopdesk.ui.workunit_thread import WorkunitThread


class WorkunitsTab(QWidget):
    """The thread, and under it the new-workunit editor: folded into one line until the
    person writes (a click, or the New workunit shortcut, opens it), then sharing a
    splitter with the thread. Adding a workunit folds it again to show the thread."""

    def __init__(self, thread: WorkunitThread, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workunits_tab")
        self.setAccessibleName("Workunits")
        self.workunit_thread = thread
        self.editor: WorkunitEditor | None = None
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("workunits_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(thread)
        # The editor scrolls rather than squeezing the thread when the view is short.
        self.editor_scroll = QScrollArea(self.splitter)
        self.editor_scroll.setObjectName("workunit_editor_scroll")
        self.editor_scroll.setWidgetResizable(True)
        self.editor_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.editor_scroll.setMinimumHeight(160)
        self.editor_pane = QFrame()
        self.editor_pane.setObjectName("workunit_editor_pane")
        self.editor_pane.setStyleSheet("QFrame#workunit_editor_pane { border-top: 1px solid "
                                       "palette(mid); }")
        caption = QLabel("New workunit", self.editor_pane)
        caption.setObjectName("workunit_editor_caption")
        font = caption.font()
        font.setBold(True)
        caption.setFont(font)
        self.fold_button = QToolButton(self.editor_pane)
        self.fold_button.setObjectName("workunit_editor_fold")
        self.fold_button.setAccessibleName("Fold the workunit editor")
        self.fold_button.setToolTip("Fold the editor away; what is typed is kept")
        self.fold_button.setIcon(palette.icon("mdi6.chevron-down"))
        self.fold_button.setAutoRaise(True)
        caption_row = QHBoxLayout()
        caption_row.setContentsMargins(9, 6, 6, 0)
        caption_row.addWidget(caption, 1)
        caption_row.addWidget(self.fold_button)
        self._editor_layout = QVBoxLayout(self.editor_pane)
        self._editor_layout.setContentsMargins(0, 0, 0, 0)
        self._editor_layout.setSpacing(0)
        self._editor_layout.addLayout(caption_row)
        self.editor_scroll.setWidget(self.editor_pane)
        self.splitter.addWidget(self.editor_scroll)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.editor_scroll.hide()

        new_workunit = shortcut("new_workunit")
        self.composer_bar = QFrame(self)
        self.composer_bar.setObjectName("workunit_composer_bar")
        self.composer_bar.setStyleSheet("QFrame#workunit_composer_bar { border-top: 1px solid "
                                        "palette(mid); }")
        self.composer = QPushButton(palette.icon(new_workunit.icon, color=palette.muted_text),
                                    "", self.composer_bar)
        self.composer.setObjectName("workunit_composer")
        self.composer.setAccessibleName("Write a new workunit")
        keys = new_workunit.native_text()
        self.composer.setToolTip(f"Write a new workunit ({keys})" if keys else "")
        self.composer.setCursor(Qt.CursorShape.IBeamCursor)
        self.composer.setStyleSheet(
            "QPushButton#workunit_composer { text-align: left; padding: 6px 10px;"
            " color: palette(placeholder-text); background: palette(base);"
            " border: 1px solid palette(mid); border-radius: 4px; }"
            " QPushButton#workunit_composer:hover, QPushButton#workunit_composer:focus"
            " { border-color: palette(highlight); }")
        composer_row = QHBoxLayout(self.composer_bar)
        composer_row.setContentsMargins(9, 6, 9, 6)
        composer_row.addWidget(self.composer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.composer_bar)
        self.composer.clicked.connect(self._on_composer_clicked)
        self.fold_button.clicked.connect(self._on_fold_button_clicked)
        self._update_composer()

    @property
    def is_unfolded(self) -> bool:
        return not self.editor_scroll.isHidden()

    def set_editor(self, editor: WorkunitEditor) -> None:
        """Show ``editor`` (made on ``editor_pane``) folded, in place of the last one."""
        if self.editor is not None:
            self._editor_layout.removeWidget(self.editor)
            self.editor.deleteLater()
        self._editor_layout.addWidget(editor, 1)
        self.editor = editor
        editor.context_loaded.connect(self._on_editor_context_loaded)
        editor.workunit_added.connect(self._on_editor_workunit_added)
        self.fold()

    def unfold(self, *, focus: bool = True) -> None:
        """Open the editor with room to write: as tall as it wants, up to two thirds."""
        self.composer_bar.hide()
        self.editor_scroll.show()
        total = sum(self.splitter.sizes())
        wanted = min(self.editor_pane.sizeHint().height(), total * 2 // 3)
        if total and self.splitter.sizes()[1] < wanted:
            self.splitter.setSizes([total - wanted, wanted])
        if focus and self.editor is not None:
            self.editor.text.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def fold(self) -> None:
        """Back to the one line; what is typed stays (and is kept as a draft)."""
        focused = QApplication.focusWidget()
        refocus = focused is not None and self.editor_scroll.isAncestorOf(focused)
        self.editor_scroll.hide()
        self.composer_bar.show()
        self._update_composer()
        if refocus:
            self.composer.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_composer(self) -> None:
        """Say so when a draft or folded text waits, so it is not forgotten."""
        editor = self.editor
        waiting = editor is not None and (not editor.draft_bar.isHidden()
                                          or editor.current_draft() is not None)
        self.composer.setText("Continue your unsent workunit…" if waiting
                              else "Add a workunit…")

    @Slot()
    def _on_composer_clicked(self) -> None:
        self.unfold()

    @Slot()
    def _on_fold_button_clicked(self) -> None:
        self.fold()

    @Slot()
    def _on_editor_context_loaded(self) -> None:
        self._update_composer()

    @Slot(object)
    def _on_editor_workunit_added(self, _added: object) -> None:
        self.fold()  # the thread shows what was just added
