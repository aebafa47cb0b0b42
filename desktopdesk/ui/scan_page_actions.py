"""What the validate dialog does to its pages: add, turn, move, remove, as actions.

Their keys come from ``shortcuts`` (so the F1 list has them): "Add files…" works
anywhere in the dialog, the page keys where the pages are (Ctrl+Left moves a page there;
in a text field it would move a word). The same actions make the tool row above the
pages and the pages' context menu, and are enabled by what is selected.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton, QWidget

from desktopdesk.ui.action_buttons import action_button, button_action


class ScanPageActions(QObject):
    """The dialog's page commands; connect their ``triggered`` to the dialog's slots."""

    def __init__(self, dialog: QWidget, pages: QWidget) -> None:
        super().__init__(dialog)
        self.setObjectName("scan_page_actions")
        self.add = button_action("scan_add_files", dialog, "Add files…")
        self.rotate_left = button_action("scan_rotate_left", pages, "Rotate left")
        self.rotate_right = button_action("scan_rotate_right", pages, "Rotate right")
        self.move_up = button_action("scan_move_up", pages, "Move earlier")
        self.move_down = button_action("scan_move_down", pages, "Move later")
        self.remove = button_action("scan_remove", pages, "Remove")

    def tool_row(self, parent: QWidget) -> tuple[QHBoxLayout, list[QToolButton]]:
        """Add files, then the page commands in groups; the row and its buttons."""
        row = QHBoxLayout()
        row.setSpacing(2)
        add = self._tool(parent, self.add, "scan_add_button")
        row.addWidget(add)
        row.addSpacing(12)
        buttons = [add]
        for index, (action, name) in enumerate((
                (self.rotate_left, "scan_rotate_left_button"),
                (self.rotate_right, "scan_rotate_right_button"),
                (self.move_up, "scan_move_up_button"),
                (self.move_down, "scan_move_down_button"),
                (self.remove, "scan_remove_button"))):
            if index in (2, 4):
                row.addSpacing(8)
            button = self._tool(parent, action, name)
            row.addWidget(button)
            buttons.append(button)
        return row, buttons

    @staticmethod
    def _tool(parent: QWidget, action: QAction, name: str) -> QToolButton:
        return action_button(parent, action, name, action.text().rstrip("…"), icon_px=18)

    def context_menu(self, parent: QWidget) -> QMenu:
        menu = QMenu(parent)
        menu.setObjectName("scan_context_menu")
        menu.setAccessibleName("Page actions")
        menu.addAction(self.rotate_left)
        menu.addAction(self.rotate_right)
        menu.addSeparator()
        menu.addAction(self.move_up)
        menu.addAction(self.move_down)
        menu.addSeparator()
        menu.addAction(self.remove)
        menu.addSeparator()
        menu.addAction(self.add)
        return menu

    def update(self, selected_rows: list[int], page_count: int, *, attaching: bool) -> None:
        """Enable what applies to ``selected_rows`` (sorted) of ``page_count`` pages."""
        selected = bool(selected_rows) and not attaching
        for action in (self.rotate_left, self.rotate_right, self.remove):
            action.setEnabled(selected)
        self.move_up.setEnabled(selected and selected_rows[0] > 0)
        self.move_down.setEnabled(selected and selected_rows[-1] < page_count - 1)
        self.add.setEnabled(not attaching)
