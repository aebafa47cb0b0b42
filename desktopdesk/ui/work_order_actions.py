"""The Work orders tab's commands: generate, open, print, save, validate, open the signed
copy, as actions with their keys from ``shortcuts`` (so the F1 list has them).

The same actions make the tab's buttons and the list's context menu. Each is enabled
by what is selected, and when it is not its tooltip says why (not downloaded yet, not
validated yet, a signed scan already being added).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMenu, QToolButton, QWidget

from desktopdesk.ui.action_buttons import action_button, button_action
from desktopdesk.ui.ticket_tab_models import NOT_DOWNLOADED_WHY
from desktopdesk.ui.work_orders_source import WorkOrderItem

SELECT_FIRST = "Select a work order first."


def _action(key: str, owner: QWidget, text: str) -> QAction:
    """The registry's action with the button's text; its usual tooltip (what it does and
    its key) is kept as its data, for when there is no "why not" to show instead."""
    action = button_action(key, owner, text)
    action.setData(action.toolTip())
    return action


def _explain(action: QAction, why_not: str) -> None:
    action.setEnabled(not why_not)
    action.setToolTip(why_not or str(action.data()))


class WorkOrderActions(QObject):
    """The tab's actions; connect their ``triggered`` to the tab's slots."""

    def __init__(self, tab: QWidget) -> None:
        super().__init__(tab)
        self.setObjectName("work_order_actions")
        self.generate = _action("generate_work_order", tab, "Generate work order")
        self.open = _action("open_work_order", tab, "Open")
        self.print = _action("print_work_order", tab, "Print…")
        self.save = _action("save_work_order_as", tab, "Save as…")
        self.validate = _action("validate_work_order", tab, "Validate with signed scan…")
        self.open_signed = _action("open_signed_scan", tab, "Open signed scan")

    @staticmethod
    def button(parent: QWidget, action: QAction, name: str, accessible: str) -> QToolButton:
        return action_button(parent, action, name, accessible)

    def action_row(self, parent: QWidget) -> tuple[QHBoxLayout, dict[str, QToolButton]]:
        """Open, Print, Save as | Validate, Open signed scan: the row and its buttons."""
        buttons = {
            "open": self.button(parent, self.open, "button_open_work_order",
                                "Open work order"),
            "print": self.button(parent, self.print, "button_print_work_order",
                                 "Print work order"),
            "save": self.button(parent, self.save, "button_save_work_order_as",
                                "Save work order as"),
            "validate": self.button(parent, self.validate, "button_validate_work_order",
                                    "Validate with signed scan"),
            "open_signed": self.button(parent, self.open_signed, "button_open_signed_scan",
                                       "Open signed scan"),
        }
        row = QHBoxLayout()
        row.setSpacing(2)
        for name in ("open", "print", "save"):
            row.addWidget(buttons[name])
        separator = QFrame(parent)
        separator.setObjectName("work_orders_separator")
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        row.addSpacing(6)
        row.addWidget(separator)
        row.addSpacing(6)
        row.addWidget(buttons["validate"])
        row.addWidget(buttons["open_signed"])
        row.addStretch(1)
        return row, buttons

    def context_menu(self, parent: QWidget) -> QMenu:
        menu = QMenu(parent)
        menu.setObjectName("work_orders_context_menu")
        menu.setAccessibleName("Work order actions")
        for action in (self.open, self.print, self.save):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.validate)
        menu.addAction(self.open_signed)
        menu.addSeparator()
        menu.addAction(self.generate)
        return menu

    def update(self, item: WorkOrderItem | None, *, can_generate: bool,
               validating: bool) -> None:
        """Enable what applies to ``item`` (None: nothing selected or nothing listed)."""
        if item is None:
            pdf_why = SELECT_FIRST
        elif not item.pdf_available:
            pdf_why = NOT_DOWNLOADED_WHY
        else:
            pdf_why = ""
        for action in (self.open, self.print, self.save):
            _explain(action, pdf_why)
        if item is None:
            signed_why = SELECT_FIRST
        elif not item.row.validated:
            signed_why = "Not validated yet: there is no signed scan to show."
        elif not item.signed_available:
            signed_why = NOT_DOWNLOADED_WHY
        else:
            signed_why = ""
        _explain(self.open_signed, signed_why)
        if validating:
            validate_why = "The signed scan of a work order is being added."
        else:
            validate_why = SELECT_FIRST if item is None else ""
        _explain(self.validate, validate_why)
        self.validate.setText("Validate again with signed scan…"
                              if item is not None and item.row.validated
                              else "Validate with signed scan…")
        self.generate.setEnabled(can_generate)
