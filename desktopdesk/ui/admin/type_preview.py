"""The live preview: the ticket form of the type being designed, as it will look.

It is the very form the Create Ticket dialog and the Details tab use
(``CustomFieldForm``), built from the definitions being edited, unsaved ones included,
so linked fields cascade here exactly as they will there. What was chosen in it is
kept across rebuilds (every keystroke in the editor rebuilds it) while a field keeps
its kind.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QFrame, QScrollArea, QVBoxLayout, QWidget

from desktopdesk.domain.ticket_form import CustomFieldSpec
from desktopdesk.models import FieldKind
from desktopdesk.ui.custom_field_form import CustomFieldForm
from desktopdesk.ui.form_messages import heading_label, text_label


class TypePreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("type_preview")
        self.setAccessibleName("Preview of the ticket form")
        self._kinds: dict[str, FieldKind] = {}
        self.heading = heading_label(self, "type_preview_heading")
        self.heading.setText("Preview")
        self.caption = text_label(self, "type_preview_caption", "color: $muted_text;")
        self.empty = text_label(self, "type_preview_empty", "color: $muted_text;")
        self.empty.setText("No custom fields: the form shows only the standard ones.")
        self.form = CustomFieldForm(self)
        self.form.setObjectName("type_preview_form")
        self.form.setAccessibleName("Preview of the custom fields")
        content = QWidget(self)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.form)
        column.addWidget(self.empty)
        column.addStretch(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("type_preview_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.caption)
        layout.addWidget(self.scroll_area, 1)

    def show_form(self, caption: str, specs: Sequence[CustomFieldSpec]) -> None:
        """Show ``specs`` under ``caption``, keeping what was chosen where it still fits."""
        self.caption.setText(caption)
        chosen = self.form.values()
        kept = {str(s.id): chosen[str(s.id)] for s in specs
                if str(s.id) in chosen and _still_fits(s, chosen[str(s.id)],
                                                       self._kinds.get(str(s.id)))}
        self._kinds = {str(s.id): s.kind for s in specs}
        self.form.set_fields(specs, kept)
        self.empty.setVisible(not specs)

    def editor(self, field_id: uuid.UUID) -> QWidget:
        """The preview's input for a field (KeyError if it shows none)."""
        return self.form.editor(field_id)

    def pick(self, field_id: uuid.UUID, choice: str) -> None:
        """Choose ``choice`` in a combo or linked field's list (the screenshot shows a
        chain chosen); LookupError if it is not offered now."""
        combo = self.editor(field_id)
        index = combo.findText(choice) if isinstance(combo, QComboBox) else -1
        if not isinstance(combo, QComboBox) or index < 0:
            raise LookupError(f"{choice!r} is not offered")
        combo.setCurrentIndex(index)


def _still_fits(spec: CustomFieldSpec, value: str, kind_before: FieldKind | None) -> bool:
    """Whether a value chosen in the preview still means something for ``spec``."""
    if spec.kind != kind_before:
        return False
    if spec.kind in (FieldKind.COMBO, FieldKind.LINKED):
        return value in spec.options or any(value == child for _, child in spec.linked_values)
    return True
