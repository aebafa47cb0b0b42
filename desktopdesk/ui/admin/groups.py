"""The Groups section: the tree of groups beside the form of the one chosen.

Groups are queues and tenants at once: who sees a ticket is decided by its group, and a
membership carries its profile down to the subgroups. So the tree is what the section
shows first; the form edits one group's settings and its members.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.admin_queries import GroupDesign
from desktopdesk.domain.commands import AddMembership, Command
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import palette
from desktopdesk.ui.admin.group_form import GroupForm, MembersPanel
from desktopdesk.ui.admin.org_form import OrgSection, button, refill_keeping_edits
from desktopdesk.ui.admin.org_source import GroupsPage, load_groups, save_group
from desktopdesk.ui.admin.section import SectionAccess
from desktopdesk.ui.tasks import TaskRunner

AnyIndex = QModelIndex | QPersistentModelIndex
#: The group id of a row.
GroupIdRole = Qt.ItemDataRole.UserRole + 1


@dataclass(eq=False)
class _Node:
    """A row of the tree; ``parent`` None for a top group."""

    group: GroupDesign
    parent: _Node | None
    row: int
    children: list[_Node] = field(default_factory=list)


class GroupTreeModel(QAbstractItemModel):
    """Groups as ``admin_queries.groups`` orders them (depth-first, by name)."""

    NAME, OWNER, MEMBERS = range(3)
    HEADERS = ("Group", "Default owner", "Members")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._top: list[_Node] = []
        self._texts: dict[uuid.UUID, tuple[str, ...]] = {}
        self._icon = palette.icon("mdi6.account-group-outline")

    def set_page(self, page: GroupsPage) -> None:
        """Rows for a fresh read: a whole new tree, so one reset."""
        self.beginResetModel()
        self._top = []
        self._texts = {}
        trail: list[_Node] = []  # the last node seen at each depth
        for group in page.groups:
            del trail[group.depth:]
            parent = trail[-1] if trail else None
            siblings = parent.children if parent is not None else self._top
            node = _Node(group, parent, len(siblings))
            siblings.append(node)
            trail.append(node)
            owner = page.person(group.default_owner_id)
            self._texts[group.id] = (group.name, owner.full_name if owner else "",
                                     str(len(group.members)))
        self.endResetModel()

    def _node(self, index: AnyIndex) -> _Node | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, _Node) else None

    def _children(self, parent: AnyIndex) -> list[_Node]:
        node = self._node(parent)
        return node.children if node is not None else self._top

    def group(self, index: AnyIndex) -> GroupDesign | None:
        node = self._node(index)
        return node.group if node is not None else None

    def index_of(self, group_id: uuid.UUID | None) -> QModelIndex:
        """The row of ``group_id`` (an invalid index when it is not in the tree)."""
        pending = list(self._top)
        while pending:
            node = pending.pop()
            if node.group.id == group_id:
                return self.createIndex(node.row, 0, node)
            pending.extend(node.children)
        return QModelIndex()

    # --- Qt model interface ---------------------------------------------------------------

    def index(self, row: int, column: int,
              parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self._children(parent)[row])

    def parent(self, child: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self._node(child)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(parent))

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if self._node(index) is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None or not 0 <= index.column() < len(self.HEADERS):
            return None
        text = self._texts[node.group.id][index.column()]
        match role:
            case Qt.ItemDataRole.DisplayRole | Qt.ItemDataRole.ToolTipRole:
                return text
            case Qt.ItemDataRole.AccessibleTextRole:
                return text or "none"
            case Qt.ItemDataRole.DecorationRole if index.column() == self.NAME:
                return self._icon
        if role == GroupIdRole:
            return node.group.id
        return None


class GroupsSection(OrgSection):
    """The tree of groups; the chosen one's settings and members beside it."""

    title = "Groups"
    icon = "mdi6.account-group"
    access = SectionAccess.SETUP

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("groups_section")
        self.setAccessibleName("Groups")
        self._page: GroupsPage | None = None
        self._selecting = False  # the tree's row is set to match a re-read
        self._build()
        self._connect()
        self._show_nothing()

    def _build(self) -> None:
        self.model = GroupTreeModel(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("group_tree")
        self.tree.setAccessibleName("Groups")
        self.tree.setModel(self.model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setObjectName("group_tree_header")
        header.setAccessibleName("Group columns")
        header.setStretchLastSection(False)
        header.setSectionResizeMode(GroupTreeModel.NAME, QHeaderView.ResizeMode.Stretch)
        for column in (GroupTreeModel.OWNER, GroupTreeModel.MEMBERS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.new_button = button(self, "group_new", "New group", "mdi6.plus",
                                 "A new top-level group")
        self.new_sub_button = button(self, "group_new_subgroup", "New subgroup",
                                     "mdi6.file-tree", "A new group under the chosen one")
        self.form = GroupForm(self)
        self.members = MembersPanel(self)

        list_side = QWidget(self)
        new_buttons = QHBoxLayout()
        new_buttons.addWidget(self.new_button)
        new_buttons.addWidget(self.new_sub_button)
        new_buttons.addStretch()
        left = QVBoxLayout(list_side)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(new_buttons)
        left.addWidget(self.tree, 1)

        scroll = QScrollArea(self)
        scroll.setObjectName("group_settings_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("group_tabs")
        self.tabs.setAccessibleName("Group")
        self.tabs.addTab(scroll, "Settings")
        self.tabs.addTab(self.members, "Members")
        editor = QWidget(self)
        right = QVBoxLayout(editor)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.form.heading)
        right.addWidget(self.tabs, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("groups_splitter")
        splitter.addWidget(list_side)
        splitter.addWidget(editor)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([400, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        self.tree.selectionModel().currentRowChanged.connect(self._on_tree_current_row_changed)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.new_sub_button.clicked.connect(self._on_new_sub_button_clicked)
        self.form.save_button.clicked.connect(self._on_save_button_clicked)
        self.form.revert_button.clicked.connect(self._on_revert_button_clicked)
        self.members.command_requested.connect(self._on_members_command_requested)

    # --- Reading --------------------------------------------------------------------------

    def read(self) -> Callable[[], Any]:
        return partial(load_groups, self.workspace)

    def show_page(self, page: Any, select_id: uuid.UUID | None) -> None:
        assert isinstance(page, GroupsPage)
        shown = self.form.group
        creating = shown is None and self.form.isEnabled()
        self._page = page
        self.form.set_page(page)
        self.model.set_page(page)
        self.tree.expandAll()
        wanted = select_id or (shown.id if shown is not None else None)
        index = self.model.index_of(wanted)
        fresh = self.model.group(index)
        if fresh is not None:
            self._selecting = True
            try:
                self.tree.setCurrentIndex(index)
            finally:
                self._selecting = False
            if select_id is None and shown is not None:  # read again meanwhile
                refill_keeping_edits(self.form, partial(self.form.show_group, shown),
                                     partial(self._show_group, fresh))
            else:
                self._show_group(fresh)
        elif not creating:  # a new group being typed stays as typed
            self._show_nothing()

    def current_group(self) -> GroupDesign | None:
        return self.model.group(self.tree.currentIndex())

    def select_group(self, name: str) -> GroupDesign:
        """Choose the group called ``name`` in the tree, as a click would."""
        assert self._page is not None
        group = next(g for g in self._page.groups if g.name == name)
        self.tree.setCurrentIndex(self.model.index_of(group.id))
        return group

    def _show_group(self, group: GroupDesign | None) -> None:
        assert self._page is not None
        self.form.setEnabled(True)
        self.form.show_group(group)
        self.members.show_members(self._page, group)
        self._name_members_tab(group)
        self.new_sub_button.setEnabled(group is not None)

    def _name_members_tab(self, group: GroupDesign | None) -> None:
        count = len(group.members) if group is not None else 0
        self.tabs.setTabText(self.tabs.indexOf(self.members),
                             f"Members ({count})" if count else "Members")

    def _show_nothing(self) -> None:
        self.form.setEnabled(False)
        self.form.heading.setText("Choose a group, or create one")
        self.members.setEnabled(False)
        self.new_sub_button.setEnabled(False)

    @Slot()
    def _on_tree_current_row_changed(self) -> None:
        if self._page is not None and not self._selecting:
            group = self.current_group()
            if group is not None:
                self._show_group(group)

    # --- Creating and saving --------------------------------------------------------------

    def _start_new(self, parent_id: uuid.UUID | None) -> None:
        assert self._page is not None
        self.tree.clearSelection()
        self.tree.setCurrentIndex(QModelIndex())
        self.form.setEnabled(True)
        self.form.show_group(None, parent_id)
        self.members.show_members(self._page, None)
        self._name_members_tab(None)
        self.tabs.setCurrentIndex(0)
        self.form.name_edit.setFocus()

    @Slot()
    def _on_new_button_clicked(self) -> None:
        if self._page is not None:
            self._start_new(None)

    @Slot()
    def _on_new_sub_button_clicked(self) -> None:
        group = self.current_group()
        if group is not None:
            self._start_new(group.id)

    @Slot()
    def _on_save_button_clicked(self) -> None:
        group = self.form.group
        command = save_group(group, self.form.values())
        if command is not None:
            self.send([command], self.form.errors, group.id if group is not None else None)

    @Slot()
    def _on_revert_button_clicked(self) -> None:
        group = self.form.group
        if group is not None:
            self.form.show_group(group)
        elif self.form.isEnabled():
            self.form.show_group(None, self.form.values().parent_id)

    @Slot(object)
    def _on_members_command_requested(self, command: Command) -> None:
        group = self.form.group
        errors = (self.members.add_errors if isinstance(command, AddMembership)
                  else self.members.change_errors)
        self.send([command], errors, group.id if group is not None else None)

    def set_sending(self, sending: bool) -> None:
        self.form.save_button.setEnabled(not sending)
        self.members.set_sending(sending)

