"""What a template could not fill in, above the work-order list after generating: the
paper was printed anyway, so this is a notice to dismiss, not an error dialog."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from desktopdesk.ui import palette
from desktopdesk.ui.form_messages import text_label


def problems_heading(file_name: str, count: int) -> str:
    plural = count != 1
    return (f"{file_name} was generated, but {count} thing{'s' if plural else ''} in its "
            f"template need{'' if plural else 's'} attention:")


class TemplateProblemsStrip(QFrame):
    """"work-order-….pdf was generated, but 2 things need attention: • …", with Dismiss."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("work_order_problems")
        palette.set_style(self,
                          "QFrame#work_order_problems { background: $notice_background;"
                          " border: 1px solid $notice_border; border-radius: 4px; }"
                          " QLabel { background: transparent; border: none; }"
                          " QToolButton { border: none; background: transparent; }")
        icon = QLabel(self)
        icon.setObjectName("work_order_problems_icon")
        palette.set_icon(icon, palette.icon("mdi6.alert-outline", color=palette.notice_icon),
                         QSize(20, 20))
        self.text = text_label(self, "work_order_problems_text")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("work_order_problems_close")
        self.close_button.setAccessibleName("Dismiss")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setIcon(palette.icon("mdi6.close"))
        strip = QHBoxLayout(self)
        strip.setContentsMargins(8, 6, 4, 6)
        strip.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        strip.addWidget(self.text, 1)
        strip.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def show_problems(self, file_name: str, problems: Sequence[str]) -> None:
        """Show ``problems`` of ``file_name`` until dismissed (none: hide)."""
        if not problems:
            self.hide()
            return
        head = problems_heading(file_name, len(problems))
        self.text.setText("\n".join([head, *(f"• {problem}" for problem in problems)]))
        self.setAccessibleName(head)
        self.show()
