"""A new password typed twice, with a strength hint under the first field.

Shared by the master password dialog (choosing the credential file's password) and the
administrator's Reset password dialog, so both word the hint the same way, colour it the
same way and put each refusal under the field it is about.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLineEdit, QWidget

from desktopdesk.sync.credential_access import master_password_strength
from desktopdesk.ui import palette
from desktopdesk.ui.form_messages import ERROR_STYLE, FieldMessages, message_label, with_messages

#: Weak, fair, strong; never the error red, since a weak password is a hint, not a refusal.
STRENGTH_STYLES = ("color: $warning_text;", "color: $muted_text;", "color: $success_text;")


def password_edit(parent: QWidget, name: str, accessible: str) -> QLineEdit:
    """A line edit that hides what is typed."""
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class NewPasswordFields(QObject):
    """The two edits, their error labels and the strength hint, registered with the
    dialog's ``FieldMessages``; the dialog lays out ``password_row`` and ``repeat_row``.

    Object names: ``<password_name>``, ``<password_name>_error``, ``strength_name``,
    ``<repeat_name>``, ``<repeat_name>_error``.
    """

    def __init__(self, parent: QWidget, messages: FieldMessages, *,
                 password_field: str, repeat_field: str,
                 password_name: str, repeat_name: str, strength_name: str,
                 password_accessible: str, repeat_accessible: str) -> None:
        super().__init__(parent)
        #: Off while the first field is an existing password (unlocking), not a new one.
        self.hints_strength = True
        self.password_edit = password_edit(parent, password_name, password_accessible)
        self.password_error = message_label(parent, f"{password_name}_error", ERROR_STYLE)
        self.strength_label = message_label(parent, strength_name)
        self.repeat_edit = password_edit(parent, repeat_name, repeat_accessible)
        self.repeat_error = message_label(parent, f"{repeat_name}_error", ERROR_STYLE)
        messages.add(password_field, self.password_edit, self.password_error)
        messages.add(repeat_field, self.repeat_edit, self.repeat_error)
        self.password_row = with_messages(parent, self.password_edit, self.password_error,
                                          self.strength_label)
        self.repeat_row = with_messages(parent, self.repeat_edit, self.repeat_error)
        self.password_edit.textChanged.connect(self._on_password_edit_text_changed)

    @Slot(str)
    def _on_password_edit_text_changed(self, text: str) -> None:
        if not self.hints_strength:
            return
        strength = master_password_strength(text)
        self.strength_label.setText(strength.words)
        palette.set_style(self.strength_label, STRENGTH_STYLES[strength.level])
        self.strength_label.setVisible(bool(text))
