"""The form of one group in the Groups section: its settings and its members.

The settings are saved together (Save sends only what changed, see
``org_source.group_changes``); each membership change is a command of its own, sent
at once, since granting or withdrawing a profile is an action in itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.admin_queries import GroupDesign, MemberRow, PersonRow
from desktopdesk.domain.commands import (
    AddMembership,
    ChangeMembershipProfile,
    Command,
    RemoveMembership,
)
from desktopdesk.models import AssignmentRule, LimitMode
from desktopdesk.ui.admin.org_form import (
    NOBODY,
    add_row,
    button,
    record_table,
    save_button,
    set_save_text,
)
from desktopdesk.ui.admin.org_source import GroupsPage, GroupValues
from desktopdesk.ui.combo_data import select_data
from desktopdesk.ui.form_messages import FieldMessages, error_label, heading_label, text_label
from desktopdesk.ui.ticket_tab_models import EntryTableModel

MAX_LIMIT = 100_000
MUTED = "color: $muted_text;"
LIMIT_MODES = (
    (LimitMode.FORCED, "Forced: refuse tickets over the limit"),
    (LimitMode.NOTIFY, "Notify: warn, but create them"),
)
RULES = (
    (AssignmentRule.DEFAULT_OWNER, "The group's default owner"),
    (AssignmentRule.ROUND_ROBIN, "Members with a profile, in turn"),
)


def person_label(person: PersonRow | MemberRow) -> str:
    return f"{person.full_name} ({person.username})"


def _combo(parent: QWidget, name: str, accessible: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    return combo


def _limit_spin(parent: QWidget, name: str, accessible: str) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setObjectName(name)
    spin.setAccessibleName(accessible)
    spin.setRange(0, MAX_LIMIT)
    spin.setSpecialValueText("No limit")
    return spin


def _refill(combo: QComboBox, entries: Sequence[tuple[str, object]]) -> None:
    """Replace a combo's entries, keeping the value it showed when it is still there."""
    shown = combo.currentData()
    combo.blockSignals(True)
    try:
        combo.clear()
        for text, value in entries:
            combo.addItem(text, value)
        select_data(combo, shown)
    finally:
        combo.blockSignals(False)


class GroupForm(QWidget):
    """A group's settings; ``values()`` is what the person set, ``show_group`` fills it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("group_form")
        self.setAccessibleName("Group settings")
        self._page: GroupsPage | None = None
        self._group: GroupDesign | None = None
        self._build()
        self.rule_combo.currentIndexChanged.connect(self._on_rule_combo_current_index_changed)

    def _build(self) -> None:
        self.heading = heading_label(self, "group_heading")
        self.errors = FieldMessages(error_label(self, "group_general"))
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("group_name")
        self.name_edit.setAccessibleName("Group name")
        self.name_edit.setMaxLength(100)
        self.parent_combo = _combo(self, "group_parent", "Parent group")
        self.owner_combo = _combo(self, "group_default_owner", "Default owner")
        self.sla_combo = _combo(self, "group_sla", "SLA")
        self.open_limit = _limit_spin(self, "group_open_limit", "Open ticket limit")
        self.total_limit = _limit_spin(self, "group_total_limit", "Total ticket limit")
        self.limit_mode_combo = _combo(self, "group_limit_mode", "When a limit is reached")
        for mode, text in LIMIT_MODES:
            self.limit_mode_combo.addItem(text, mode)
        self.qa_check = QCheckBox("Ask whoever filed a ticket to rate how it was closed", self)
        self.qa_check.setObjectName("group_qa_evaluation")
        self.qa_check.setAccessibleName("QA evaluation")
        self.email_edit = QLineEdit(self)
        self.email_edit.setObjectName("group_email_from")
        self.email_edit.setAccessibleName("E-mail from")
        self.email_edit.setPlaceholderText("The global sender address")
        self.type_combo = _combo(self, "group_default_type", "Default ticket type")
        self.rule_combo = _combo(self, "group_assignment_rule", "Assignment rule")
        for rule, text in RULES:
            self.rule_combo.addItem(text, rule)
        self.rr_profile_combo = _combo(self, "group_round_robin_profile",
                                       "Profile taking turns")
        self.turn_label = text_label(self, "group_next_turn", MUTED)
        self.save_button = save_button(self, "group_save", "Save the group's settings")
        self.revert_button = button(self, "group_revert", "Revert", "mdi6.undo",
                                    "Show the settings as saved")

        form = QFormLayout()
        add_row(form, self.errors, "&Name:", "name", self.name_edit)
        add_row(form, self.errors, "&Parent:", "parent_id", self.parent_combo)
        add_row(form, self.errors, "Default &owner:", "default_owner_id", self.owner_combo)
        add_row(form, self.errors, "&SLA:", "sla_id", self.sla_combo)
        add_row(form, self.errors, "Open ticket &limit:", "open_ticket_limit", self.open_limit)
        add_row(form, self.errors, "&Total ticket limit:", "total_ticket_limit",
                self.total_limit)
        add_row(form, self.errors, "When &reached:", "limit_mode", self.limit_mode_combo)
        limit_hint = text_label(self, "group_limit_hint", MUTED)
        limit_hint.setText("Counted per person, over the last 365 days.")
        form.addRow("", limit_hint)
        add_row(form, self.errors, "&QA evaluation:", "qa_evaluation", self.qa_check)
        add_row(form, self.errors, "&E-mail from:", "email_from", self.email_edit)
        add_row(form, self.errors, "Default ticket t&ype:", "default_ticket_type_id",
                self.type_combo)
        add_row(form, self.errors, "New tickets &go to:", "assignment_rule", self.rule_combo)
        add_row(form, self.errors, "Profile taking t&urns:", "round_robin_profile_id",
                self.rr_profile_combo)
        form.addRow("", self.turn_label)

        buttons = QHBoxLayout()
        buttons.addWidget(self.errors.general, 1)
        buttons.addStretch()
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)

    # --- Filling --------------------------------------------------------------------------

    def set_page(self, page: GroupsPage) -> None:
        """The choices the combos offer, as just read."""
        self._page = page
        _refill(self.sla_combo, [(NOBODY, None), *((s.name, s.id) for s in page.slas)])
        _refill(self.rr_profile_combo,
                [(NOBODY, None), *((p.name, p.id) for p in page.profiles)])

    @property
    def group(self) -> GroupDesign | None:
        """The group shown (None: a new one, or nothing)."""
        return self._group

    def show_group(self, group: GroupDesign | None, new_parent_id: uuid.UUID | None = None,
                   ) -> None:
        """Fill the form with ``group`` as saved, or empty for a new group (under
        ``new_parent_id``)."""
        assert self._page is not None
        page = self._page
        self._group = group
        self.errors.clear()
        values = GroupValues.of(group) if group is not None else GroupValues(
            name="", parent_id=new_parent_id)
        self.heading.setText(group.name if group is not None else "New group")
        set_save_text(self.save_button, "Save" if group is not None else "Create group")

        _refill(self.parent_combo, [("(top level)", None), *(
            ("    " * g.depth + g.name, g.id) for g in page.groups
            if group is None or g.id != group.id)])
        owners = [(person_label(p), p.id) for p in page.people
                  if p.enabled or p.id == values.default_owner_id]
        _refill(self.owner_combo, [(NOBODY, None), *owners])
        offered = page.types_offered_in(group.id if group is not None else None)
        _refill(self.type_combo, [(NOBODY, None), *((t.name, t.id) for t in offered)])

        self.name_edit.setText(values.name)
        select_data(self.parent_combo, values.parent_id)
        select_data(self.owner_combo, values.default_owner_id)
        select_data(self.sla_combo, values.sla_id)
        self.open_limit.setValue(values.open_ticket_limit)
        self.total_limit.setValue(values.total_ticket_limit)
        select_data(self.limit_mode_combo, values.limit_mode)
        self.qa_check.setChecked(values.qa_evaluation)
        self.email_edit.setText(values.email_from)
        select_data(self.type_combo, values.default_ticket_type_id)
        select_data(self.rule_combo, values.assignment_rule)
        select_data(self.rr_profile_combo, values.round_robin_profile_id)
        self._on_rule_combo_current_index_changed()
        self.turn_label.setText(self._turn_text(group))
        self.turn_label.setVisible(bool(self.turn_label.text()))

    def _turn_text(self, group: GroupDesign | None) -> str:
        """Whose turn it is, as saved (round-robin groups only)."""
        if group is None or group.assignment_rule is not AssignmentRule.ROUND_ROBIN:
            return ""
        assert self._page is not None
        if not self._page.auto_assign:
            return ("Auto-assignment is switched off (Settings, \u201cAuto-assign tickets by "
                    "the group\u2019s assignment rule\u201d): new tickets go to the default "
                    "owner until it is on again.")
        nxt = self._page.person(self._page.next_turns.get(group.id))
        last = self._page.person(group.last_assigned_id)
        said = (f"The next ticket goes to {person_label(nxt)}." if nxt is not None else
                "Nobody holding that profile here can own tickets: the default owner "
                "takes them.")
        return said + (f" The last went to {person_label(last)}." if last is not None else "")

    def values(self) -> GroupValues:
        return GroupValues(
            name=self.name_edit.text(),
            parent_id=self.parent_combo.currentData(),
            default_owner_id=self.owner_combo.currentData(),
            open_ticket_limit=self.open_limit.value(),
            total_ticket_limit=self.total_limit.value(),
            limit_mode=LimitMode(self.limit_mode_combo.currentData()),
            qa_evaluation=self.qa_check.isChecked(),
            email_from=self.email_edit.text().strip(),
            sla_id=self.sla_combo.currentData(),
            default_ticket_type_id=self.type_combo.currentData(),
            assignment_rule=AssignmentRule(self.rule_combo.currentData()),
            round_robin_profile_id=self.rr_profile_combo.currentData(),
        )

    @Slot()
    def _on_rule_combo_current_index_changed(self) -> None:
        # Qt hands back a StrEnum's plain text: compare by value.
        self.rr_profile_combo.setEnabled(
            self.rule_combo.currentData() == AssignmentRule.ROUND_ROBIN)


# --- Members ------------------------------------------------------------------------------


class MemberTableModel(EntryTableModel[MemberRow]):
    MEMBER, PROFILE = range(2)
    HEADERS = ("Member", "Profile")

    def text(self, entry: MemberRow, column: int) -> str:
        return person_label(entry) if column == self.MEMBER else entry.profile_name


class MembersPanel(QWidget):
    """Who works in the group with which profile: add, change a profile, remove.

    Emits the command to send; the section sends it with the errors of the row it came
    from (``change_errors`` or ``add_errors``), so a refusal shows under that row.
    """

    #: A membership command to send now.
    command_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("group_members")
        self.setAccessibleName("Group members")
        self._group_id: uuid.UUID | None = None
        self.model = MemberTableModel(self)
        self.table = record_table(self, "member_table", "Members")
        self.table.setModel(self.model)
        self.table.setMinimumHeight(140)
        self.member_profile_combo = _combo(self, "member_profile", "Profile of the member")
        self.change_button = button(self, "member_change_profile", "Change profile",
                                    "mdi6.account-convert",
                                    "Give the chosen member this profile instead")
        self.remove_button = button(self, "member_remove", "Remove", "mdi6.account-remove",
                                    "Withdraw this profile from the member in this group")
        self.add_user_combo = _combo(self, "member_add_user", "Person to add")
        self.add_profile_combo = _combo(self, "member_add_profile", "Profile to give")
        self.add_button = button(self, "member_add", "Add member", "mdi6.account-plus",
                                 "Add the person to the group with this profile")
        self.change_errors = FieldMessages(error_label(self, "member_change"))
        for field in ("membership_id", "profile_id"):
            self.change_errors.add(field, self.member_profile_combo, self.change_errors.general)
        self.add_errors = FieldMessages(error_label(self, "member_add"))
        self.add_errors.add("user_id", self.add_user_combo, self.add_errors.general)
        self.add_errors.add("profile_id", self.add_profile_combo, self.add_errors.general)

        change = QHBoxLayout()
        caption = text_label(self, "member_chosen_caption")
        caption.setText("Chosen member:")
        change.addWidget(caption)
        change.addWidget(self.member_profile_combo, 1)
        change.addWidget(self.change_button)
        change.addWidget(self.remove_button)
        add = QHBoxLayout()
        add.addWidget(self.add_user_combo, 2)
        as_label = text_label(self, "member_add_as")
        as_label.setText("as")
        add.addWidget(as_label)
        add.addWidget(self.add_profile_combo, 1)
        add.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(change)
        layout.addWidget(self.change_errors.general)
        layout.addLayout(add)
        layout.addWidget(self.add_errors.general)

        self.table.selectionModel().currentRowChanged.connect(
            self._on_table_current_row_changed)
        self.change_button.clicked.connect(self._on_change_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self._on_table_current_row_changed()

    def show_members(self, page: GroupsPage, group: GroupDesign | None) -> None:
        """``group``'s members (None: a group not created yet, which has none)."""
        chosen = self.current_member()
        self._group_id = group.id if group is not None else None
        self.change_errors.clear()
        self.add_errors.clear()
        profiles = [(p.name, p.id) for p in page.profiles]
        _refill(self.member_profile_combo, profiles)
        _refill(self.add_profile_combo, profiles)
        _refill(self.add_user_combo,
                [(person_label(p), p.id) for p in page.people if p.enabled])
        self.model.set_entries(group.members if group is not None else ())
        self.table.resizeColumnToContents(MemberTableModel.MEMBER)
        self.setEnabled(group is not None)
        rows = [m.membership_id for m in self.model.entries]
        if chosen is not None and chosen.membership_id in rows:
            self.table.selectRow(rows.index(chosen.membership_id))
        self._on_table_current_row_changed()

    def current_member(self) -> MemberRow | None:
        index = self.table.currentIndex()
        return self.model.entry(index.row()) if index.isValid() else None

    def select_member(self, user_id: uuid.UUID, profile_id: uuid.UUID | None = None) -> bool:
        for row, member in enumerate(self.model.entries):
            if member.user_id == user_id and profile_id in (None, member.profile_id):
                self.table.selectRow(row)
                return True
        return False

    def set_sending(self, sending: bool) -> None:
        self.add_button.setEnabled(not sending)
        chosen = self.current_member() is not None
        self.change_button.setEnabled(chosen and not sending)
        self.remove_button.setEnabled(chosen and not sending)

    @Slot()
    def _on_table_current_row_changed(self) -> None:
        member = self.current_member()
        for widget in (self.member_profile_combo, self.change_button, self.remove_button):
            widget.setEnabled(member is not None)
        if member is not None:
            select_data(self.member_profile_combo, member.profile_id)
        self.change_errors.clear()

    def _request(self, command: Command) -> None:
        self.command_requested.emit(command)

    @Slot()
    def _on_change_button_clicked(self) -> None:
        member = self.current_member()
        profile_id = self.member_profile_combo.currentData()
        if member is not None and profile_id is not None:
            self._request(ChangeMembershipProfile(membership_id=member.membership_id,
                                                  profile_id=profile_id))

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        member = self.current_member()
        if member is not None:
            self._request(RemoveMembership(membership_id=member.membership_id))

    @Slot()
    def _on_add_button_clicked(self) -> None:
        user_id = self.add_user_combo.currentData()
        profile_id = self.add_profile_combo.currentData()
        if self._group_id is not None and user_id is not None and profile_id is not None:
            self._request(AddMembership(user_id=user_id, group_id=self._group_id,
                                        profile_id=profile_id))
