"""Finding a combo box entry by the value it carries.

``QComboBox.findData`` compares Python objects by identity: an id read again from the
store (an equal ``uuid.UUID``, but another object) is never found, so a choice silently
falls back to the first entry. These compare by value.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox


def find_data(combo: QComboBox, value: object,
              role: int = Qt.ItemDataRole.UserRole) -> int:
    """The first entry whose data (in ``role``) equals ``value``, or -1."""
    return next((row for row in range(combo.count()) if combo.itemData(row, role) == value),
                -1)


def select_data(combo: QComboBox, value: object) -> None:
    """Show the entry holding ``value`` (the first entry when none does)."""
    combo.setCurrentIndex(max(find_data(combo, value), 0))
