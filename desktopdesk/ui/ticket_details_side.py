"""The Details tab's side column: Properties, Advanced parameters and Dates.

It shows what ``TicketDetails`` says about these parts and reads back what the person
chose, in the terms of ``TicketEdit``; the tab decides what a change means (the
close dialog, the types of another group) and saves. What may not be changed is shown
disabled with the reason, as ``TicketDetails.read_only_reason`` gives it.
"""

from __future__ import annotations

import re
import uuid
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.queries import UserSummary
from desktopdesk.domain.ticket_details import TicketDetails, TicketLink
from desktopdesk.domain.ticket_list_lookups import Choice
from desktopdesk.models import Priority, Status
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import palette, ticket_icons
from desktopdesk.ui.combo_data import select_data
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_details_parts import (
    PartLabels,
    group_form,
    make_combo,
    plain_caption,
    value_label,
)
from desktopdesk.ui.ticket_filter_bar import person_label
from desktopdesk.ui.ticket_list_format import long_date, person_tooltip
from desktopdesk.ui.ticket_picker import ParentPicker
from desktopdesk.ui.ticket_view_source import TicketChoice, find_parent_tickets

SIDE_WIDTH = 350
_SPLIT_EMAILS = re.compile(r"[\s,;]+")
_NO_TYPE = "(No type)"
#: What a part's tooltip says while it may be changed.
_TOOLTIPS = {
    "emails_in_copy": "People kept informed by e-mail, without an account; separate "
                      "addresses with commas",
    "parent_id": "The ticket this one is part of: find it by number or title",
    "sla_disabled": "The SLA's limits are not checked for this ticket",
    "project_task": "The project task this ticket's work belongs to",
}
_NO_CREATOR_CHOICE = "No one else may be made the creator of this ticket."


def parse_emails(text: str) -> tuple[str, ...]:
    """Addresses as typed, split on commas, semicolons or spaces (the command checks them)."""
    return tuple(part for part in _SPLIT_EMAILS.split(text.strip()) if part)


def parent_choice(link: TicketLink | None) -> TicketChoice | None:
    return TicketChoice(link.id, f"{link.number_label} {link.title}".strip()) if link else None


class TicketDetailsSide(QWidget):
    """Properties, Advanced parameters and Dates of one ticket, stacked."""

    #: The person changed a part's input: the part's name ("priority", "parent_id").
    edited = Signal(str)
    #: The parent's link was activated: its id.
    ticket_open_requested = Signal(object)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 labels: PartLabels, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("details_side")
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self.labels = labels
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self._build_properties())
        layout.addWidget(self._build_advanced())
        layout.addWidget(self._build_dates())
        layout.addStretch(1)
        self.setFixedWidth(SIDE_WIDTH)
        self._connect()

    # --- Building -------------------------------------------------------------------------

    def _build_properties(self) -> QGroupBox:
        box = QGroupBox("Properties", self)
        box.setObjectName("details_properties")
        self.status = make_combo("details_status", "Status", box)
        self.priority = make_combo("details_priority", "Priority", box)
        for priority in (*sorted(p for p in Priority if p is not Priority.MAINTENANCE),
                         Priority.MAINTENANCE):
            self.priority.addItem(ticket_icons.priority_icon(priority), priority.label, priority)
        self.group = make_combo("details_group", "Group", box)
        self.ticket_type = make_combo("details_type", "Ticket type", box)
        self.owner = make_combo("details_owner", "Owner", box)
        self.creator = make_combo("details_creator", "Creator", box)
        form = group_form(box)
        row = self.labels.row
        row(form, "status", "&Status", self.status)
        row(form, "priority", "&Priority", self.priority)
        row(form, "group_id", "&Group", self.group)
        row(form, "ticket_type_id", "T&ype", self.ticket_type)
        row(form, "owner_id", "&Owner", self.owner)
        row(form, "creator_id", "&Creator", self.creator)
        return box

    def _build_advanced(self) -> QGroupBox:
        box = QGroupBox("Advanced parameters", self)
        box.setObjectName("details_advanced")
        self.editor_text = value_label("details_editor", box)
        self.creator_group_text = value_label("details_creator_group", box)
        self.parent_picker = ParentPicker(
            self.runner, partial(find_parent_tickets, self.workspace, self.user_id), box)
        self.parent_picker.setObjectName("details_parent")
        self.parent_picker.search_edit.setPlaceholderText("Number or words of its title…")
        self.project_task = QLineEdit(box)
        self.project_task.setObjectName("details_project_task")
        self.project_task.setAccessibleName("Project task")
        self.project_task.setPlaceholderText("None")
        self.inventory = QListWidget(box)
        self.inventory.setObjectName("details_inventory")
        self.inventory.setAccessibleName("Inventory objects")
        self.inventory.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.inventory.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inventory.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.inventory.setUniformItemSizes(True)
        self.inventory_empty = QLabel("None to link", box)
        self.inventory_empty.setObjectName("details_inventory_empty")
        palette.set_style(self.inventory_empty, "color: $muted_text;")
        self.inventory_empty.hide()
        inventory_box = QWidget(box)
        inventory_layout = QVBoxLayout(inventory_box)
        inventory_layout.setContentsMargins(0, 0, 0, 0)
        inventory_layout.addWidget(self.inventory)
        inventory_layout.addWidget(self.inventory_empty)
        self.emails = QLineEdit(box)
        self.emails.setObjectName("details_emails_in_copy")
        self.emails.setAccessibleName("E-mails in copy")
        self.emails.setPlaceholderText("name@example.com, …")
        self.sla_disabled = QCheckBox("Do not apply the SLA", box)
        self.sla_disabled.setObjectName("details_sla_disabled")
        self.sla_disabled.setAccessibleName("SLA disabled")
        form = group_form(box)
        form.addRow(plain_caption("Editor", box), self.editor_text)
        form.addRow(plain_caption("Creator group", box), self.creator_group_text)
        row = self.labels.row
        row(form, "parent_id", "P&arent ticket", self.parent_picker,
            self.parent_picker.search_edit)
        row(form, "project_task", "T&ask", self.project_task)
        row(form, "inventory", "&Inventory", inventory_box, self.inventory)
        row(form, "emails_in_copy", "&E-mails in copy", self.emails)
        row(form, "sla_disabled", "SLA", self.sla_disabled)
        return box

    def _build_dates(self) -> QGroupBox:
        box = QGroupBox("Dates", self)
        box.setObjectName("details_dates")
        self.created_text = value_label("details_created", box)
        self.updated_text = value_label("details_updated", box)
        self.closed_text = value_label("details_closed", box)
        self.closed_by_text = value_label("details_closed_by", box)
        form = group_form(box)
        form.addRow(plain_caption("Created", box), self.created_text)
        form.addRow(plain_caption("Updated", box), self.updated_text)
        form.addRow(plain_caption("Closed", box), self.closed_text)
        form.addRow(plain_caption("Closed by", box), self.closed_by_text)
        self._dates_form: QFormLayout = form
        return box

    def _connect(self) -> None:
        self._part_of_widget: dict[QObject, str] = {
            self.priority: "priority", self.owner: "owner_id", self.creator: "creator_id",
            self.project_task: "project_task", self.emails: "emails_in_copy",
            self.sla_disabled: "sla_disabled", self.inventory: "inventory",
            self.parent_picker: "parent_id",
        }
        for line in (self.project_task, self.emails):
            line.textEdited.connect(self._on_input_edited)
        for combo in (self.priority, self.owner, self.creator):
            combo.currentIndexChanged.connect(self._on_input_edited)
        self.sla_disabled.toggled.connect(self._on_input_edited)
        self.inventory.itemChanged.connect(self._on_input_edited)
        self.parent_picker.changed.connect(self._on_input_edited)
        self.parent_picker.open_requested.connect(self.ticket_open_requested)

    @Slot()
    def _on_input_edited(self) -> None:
        part = self._part_of_widget.get(self.sender())
        if part is not None:
            self.edited.emit(part)

    # --- Showing --------------------------------------------------------------------------

    def fill(self, details: TicketDetails) -> None:
        """Show ``details`` (the caller keeps what this emits meanwhile from counting as
        the person's edits)."""
        self.fill_status(details)
        select_data(self.priority, details.priority)
        self._fill_choices(self.group, details.group_choices, details.group)
        self.fill_types(details, details.group.id)
        self._fill_people(self.owner, details.owner_choices, details.owner)
        self._fill_people(self.creator, details.creator_choices, details.creator)
        self._fill_parent(details)
        self.project_task.setText(details.project_task)
        self._fill_inventory(details)
        self.emails.setText(", ".join(details.emails_in_copy))
        self.sla_disabled.setChecked(details.sla_disabled)
        self._fill_texts(details)

    def fill_status(self, details: TicketDetails) -> None:
        self.status.clear()
        for status in details.allowed_statuses or (details.status,):
            self.status.addItem(status.label, status)
        select_data(self.status, details.status)

    def select_status(self, status: Status) -> None:
        select_data(self.status, status)

    def _fill_choices(self, combo: QComboBox, choices: tuple[Choice, ...],
                      current: Choice) -> None:
        combo.clear()
        for choice in sorted({*choices, current}, key=lambda c: c.name.casefold()):
            combo.addItem(choice.name, choice.id)
        select_data(combo, current.id)

    def fill_types(self, details: TicketDetails, group_id: uuid.UUID) -> None:
        """The types the ticket may have in ``group_id``, its own type selected."""
        combo = self.ticket_type
        combo.clear()
        combo.addItem(_NO_TYPE, None)
        known = {*details.type_choices_for(group_id)}
        if details.ticket_type is not None:
            known.add(details.ticket_type)
        for choice in sorted(known, key=lambda c: c.name.casefold()):
            combo.addItem(choice.name, choice.id)
        select_data(combo, details.ticket_type.id if details.ticket_type else None)

    def _fill_people(self, combo: QComboBox, people: tuple[UserSummary, ...],
                     current: UserSummary) -> None:
        combo.clear()
        unique = {person.id: person for person in (*people, current)}
        for person in sorted(unique.values(), key=lambda p: p.full_name.casefold()):
            combo.addItem(person_label(person), person.id)
            combo.setItemData(combo.count() - 1, person_tooltip(person.username,
                                                                person.full_name),
                              Qt.ItemDataRole.ToolTipRole)
        select_data(combo, current.id)

    def _fill_parent(self, details: TicketDetails) -> None:
        link = details.parent
        self.parent_picker.set_search(partial(find_parent_tickets, self.workspace,
                                              self.user_id, excluding=details.id))
        if link is None:
            self.parent_picker.set_choice(None)
        elif link.visible:
            self.parent_picker.set_choice(
                parent_choice(link), openable=True,
                tooltip=f"Open {link.number_label} ({link.status.label})")
        else:
            self.parent_picker.set_choice(TicketChoice(link.id, link.number_label),
                                          tooltip="You may not open this ticket.")

    def _fill_inventory(self, details: TicketDetails) -> None:
        self.inventory.clear()
        linked = {choice.id for choice in details.inventory}
        choices = {*details.inventory_choices, *details.inventory}
        for choice in sorted(choices, key=lambda c: c.name.casefold()):
            item = QListWidgetItem(choice.name, self.inventory)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if choice.id in linked
                               else Qt.CheckState.Unchecked)
            item.setToolTip(choice.name)
        self.inventory.setVisible(bool(choices))
        self.inventory_empty.setVisible(not choices)
        rows = min(max(self.inventory.count(), 1), 5)
        row_height = self.inventory.sizeHintForRow(0) if self.inventory.count() else 22
        self.inventory.setFixedHeight(rows * row_height + 2 * self.inventory.frameWidth() + 2)

    def _fill_texts(self, details: TicketDetails) -> None:
        self.editor_text.setText(details.editor.full_name)
        self.editor_text.setToolTip("Who filed it in the application; it cannot be changed.")
        self.creator_group_text.setText(details.creator_group_name or "None")
        self.creator_group_text.setToolTip("The group it was filed in; it cannot be changed.")
        self.created_text.setText(long_date(details.created_at))
        self.updated_text.setText(long_date(details.updated_at))
        closed = details.closed_at is not None
        self.closed_text.setText(long_date(details.closed_at) if details.closed_at else "")
        self.closed_by_text.setText(details.closed_by.full_name if details.closed_by else "")
        for widget in (self.closed_text, self.closed_by_text):
            self._dates_form.setRowVisible(widget, closed)

    def apply_read_only(self, details: TicketDetails) -> None:
        """Disable what the reader may not change, with the reason as the tooltip and a
        lock beside the caption (the parent's link still opens it)."""
        choices: dict[str, QWidget] = {
            "priority": self.priority, "group_id": self.group,
            "ticket_type_id": self.ticket_type, "creator_id": self.creator,
            "sla_disabled": self.sla_disabled, "status": self.status,
            "owner_id": self.owner, "inventory": self.inventory,
        }
        for part, widget in choices.items():
            reason = self.read_only_reason(details, part)
            widget.setEnabled(reason is None)
            self.labels.explain(part, widget, reason, _TOOLTIPS.get(part, ""))
        for part, line in (("project_task", self.project_task),
                           ("emails_in_copy", self.emails)):
            reason = details.read_only_reason(part)
            line.setReadOnly(reason is not None)
            self.labels.explain(part, line, reason, _TOOLTIPS.get(part, ""))
        reason = details.read_only_reason("parent_id")
        self.parent_picker.set_editable(reason is None)
        self.labels.explain("parent_id", self.parent_picker, reason, _TOOLTIPS["parent_id"])

    @staticmethod
    def read_only_reason(details: TicketDetails, part: str) -> str | None:
        """The details' reason, and for the creator also when no one else is offered."""
        reason = details.read_only_reason(part)
        if reason is None and part == "creator_id" and not any(
                person.id != details.creator.id for person in details.creator_choices):
            return _NO_CREATOR_CHOICE
        return reason

    # --- What the person made of it -------------------------------------------------------

    def readings(self) -> dict[str, Any]:
        """What each input says now, in the terms of ``TicketEdit``, in the form's order."""
        return {
            "priority": self.priority.currentData(),
            "status": self.status.currentData(),
            "group_id": self.group.currentData(),
            "ticket_type_id": self.ticket_type.currentData(),
            "owner_id": self.owner.currentData(),
            "creator_id": self.creator.currentData(),
            "parent_id": self.parent_picker.parent_id(),
            "project_task": self.project_task.text(),
            "sla_disabled": self.sla_disabled.isChecked(),
            "emails_in_copy": parse_emails(self.emails.text()),
            "inventory_ids": self._checked_inventory(),
        }

    def _checked_inventory(self) -> frozenset[uuid.UUID]:
        checked = set()
        for row in range(self.inventory.count()):
            item = self.inventory.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                checked.add(item.data(Qt.ItemDataRole.UserRole))
        return frozenset(checked)
