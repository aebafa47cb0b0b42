"""The Administration window: the sections a person may use, one at a time.

Which sections are listed is decided from the person's permissions, read on a worker
(``admin_access``); the server refuses every admin command from anyone else whatever a
desktop sends, so hiding a section is about not offering what would be refused. Sections
are built when first opened: a setup screen reads its tables only when someone looks.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.admin_queries import may_design_types, may_set_up
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import palette
from desktopdesk.ui.admin.section import AdminSection, SectionAccess
from desktopdesk.ui.tasks import TaskRunner

log = logging.getLogger("desktopdesk.ui.admin")

SectionRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class AdminAccess:
    """Which kinds of section a person may open."""

    design: bool
    setup: bool

    @property
    def any(self) -> bool:
        return self.design or self.setup

    def allows(self, access: SectionAccess) -> bool:
        return self.setup if access is SectionAccess.SETUP else (self.design or self.setup)


def admin_access(workspace: Workspace, user_id: uuid.UUID) -> AdminAccess:
    """On a worker: the person's current rights (memberships may have changed by sync)."""
    with workspace.read() as session:
        perms = load_permissions(session, user_id)
    return AdminAccess(design=may_design_types(perms), setup=may_set_up(perms))


def default_sections() -> tuple[type[AdminSection], ...]:
    """Every section, in the order the window lists them (imported here, when the window
    opens, so starting the app does not load the designers)."""
    from desktopdesk.ui.admin.companies import CompaniesSection
    from desktopdesk.ui.admin.groups import GroupsSection
    from desktopdesk.ui.admin.holidays import HolidaysSection
    from desktopdesk.ui.admin.people import PeopleSection
    from desktopdesk.ui.admin.profiles import ProfilesSection
    from desktopdesk.ui.admin.settings_section import SettingsSection
    from desktopdesk.ui.admin.sla_editor import SlaEditorSection
    from desktopdesk.ui.admin.status_mapping import StatusMappingSection
    from desktopdesk.ui.admin.type_designer import TypeDesignerSection
    from desktopdesk.ui.admin.work_order_templates import WorkOrderTemplatesSection

    return (TypeDesignerSection, SlaEditorSection, WorkOrderTemplatesSection,
            StatusMappingSection, GroupsSection, PeopleSection, CompaniesSection,
            ProfilesSection, HolidaysSection, SettingsSection)


class AdminWindow(QWidget):
    """A window of its own, so a ticket can stay open beside it."""

    #: Something was saved in a section: lists and tickets may show it differently now.
    config_changed = Signal()

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 access: AdminAccess, *,
                 sections: Sequence[type[AdminSection]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("admin_window")
        self.setAccessibleName("Administration")
        self.setWindowTitle("Administration — DesktopDesk")
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner
        self.access = access
        offered = sections if sections is not None else default_sections()
        self.section_classes = tuple(s for s in offered if access.allows(s.access))
        self._built: dict[type[AdminSection], AdminSection] = {}

        self.navigation = QListWidget(self)
        self.navigation.setObjectName("admin_navigation")
        self.navigation.setAccessibleName("Administration sections")
        self.navigation.setIconSize(QSize(18, 18))
        row_height = self.navigation.fontMetrics().height() + 14
        for section in self.section_classes:
            item = QListWidgetItem(palette.icon(section.icon), section.title, self.navigation)
            item.setData(SectionRole, section)
            item.setSizeHint(QSize(0, row_height))
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("admin_pages")
        self.empty = QLabel("You have no administration rights here.", self)
        self.empty.setObjectName("admin_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.empty)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("admin_splitter")
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([180, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)

        self.navigation.currentItemChanged.connect(self._on_navigation_current_item_changed)
        if self.section_classes:
            self.navigation.setCurrentRow(0)
        self.resize(1100, 720)

    def section(self, section_class: type[AdminSection]) -> AdminSection:
        """The section's page, built (and read) on first use."""
        built = self._built.get(section_class)
        if built is None:
            built = section_class(self.workspace, self.user_id, self.runner, self.pages)
            built.saved.connect(self._on_section_saved)
            built.preferences_changed.connect(self.config_changed)
            self.pages.addWidget(built)
            self._built[section_class] = built
            built.reload()
        return built

    def show_section(self, section_class: type[AdminSection]) -> AdminSection:
        for row in range(self.navigation.count()):
            if self.navigation.item(row).data(SectionRole) is section_class:
                self.navigation.setCurrentRow(row)
                return self.section(section_class)
        raise ValueError(f"{section_class.__name__} is not offered to this person")

    def reload(self) -> None:
        """After a sync: every section already built reads again."""
        for built in self._built.values():
            built.reload()

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_navigation_current_item_changed(self, current: QListWidgetItem | None,
                                            _previous: QListWidgetItem | None) -> None:
        if current is None:
            self.pages.setCurrentWidget(self.empty)
            return
        self.pages.setCurrentWidget(self.section(current.data(SectionRole)))

    @Slot()
    def _on_section_saved(self) -> None:
        # Sections show each other's data (a type offered per group, a group's default
        # type): the others read again, then the rest of the app is told.
        sender = self.sender()
        for built in self._built.values():
            if built is not sender:
                built.reload()
        self.config_changed.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        log.debug("administration window closed")
        super().closeEvent(event)
