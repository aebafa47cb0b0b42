"""What every page of the Administration window is: a widget over the store that reads
on the task runner, saves through commands, and says when it saved something."""

from __future__ import annotations

import enum
import uuid
from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.tasks import TaskRunner


class SectionAccess(enum.StrEnum):
    """Who may open a section; the server refuses the commands to anyone else anyway."""

    #: Ticket types, custom fields (and SLAs): MANAGE on some group (or super-admin).
    DESIGN = "design"
    #: Status mapping, groups, people, companies, profiles, holidays, settings:
    #: super-admins only.
    SETUP = "setup"


class AdminSection(QWidget):
    """Subclasses set the class attributes, build themselves in ``__init__`` and read
    their data in ``reload`` (on ``runner``, never on the GUI thread)."""

    #: The entry in the window's list ("Ticket types").
    title: ClassVar[str] = ""
    #: qtawesome icon name for the entry.
    icon: ClassVar[str] = ""
    access: ClassVar[SectionAccess] = SectionAccess.SETUP

    #: A command went through: other sections (and open windows) may want to re-read.
    saved = Signal()
    #: This desktop's own preferences changed (their keys): views re-read them.
    preferences_changed = Signal(tuple)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.user_id = user_id
        self.runner = runner

    def reload(self) -> None:
        """Read what the section shows again (after a save here, or a sync)."""
        raise NotImplementedError
