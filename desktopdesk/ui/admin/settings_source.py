"""What the Settings screen reads and writes, as plain functions the task runner runs.

No Qt here: each call opens its own session (or preferences file) on the worker's thread
and hands back frozen data. The screen shows every option of the manual's "Advanced
ticket configuration options", in the manual's groups and order; which of them are
shared (``server`` scope, stored as settings rows, changed through ``ChangeSetting`` by
super-admins) and which belong to this desktop (``DesktopPreferences``) is the registry's
word (``desktopdesk.domain.settings``), not this module's.
"""

from __future__ import annotations

import logging
import uuid
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktopdesk.domain import settings
from desktopdesk.domain.acl import load_permissions
from desktopdesk.domain.admin_queries import may_set_up
from desktopdesk.domain.commands import ChangeSetting
from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.settings import Setting, read_setting, stored_settings
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.desktop_preferences import DesktopPreferences

log = logging.getLogger("desktopdesk.ui.admin")

#: The manual's groups, each in the manual's order; the attachment limit and the SLA
#: engine's options (not in that section of the manual, but settings all the same) under
#: groups of their own.
GROUPS: tuple[tuple[str, tuple[Setting[Any], ...]], ...] = (
    ("Visual options", (
        settings.SHOW_CREATOR_IN_LIST, settings.SHOW_OWNER_IN_LIST,
        settings.MAX_SEARCH_RESULTS, settings.QUICK_EDIT, settings.SHOW_FULL_NAMES,
        settings.DATE_FORMAT, settings.WORKUNIT_COMPLETION_DATE)),
    ("Ticket behaviour", (
        settings.QA_EVALUATION_DISABLED, settings.EDIT_CAN_CHANGE_CREATOR,
        settings.EDITOR_ADDS_WORKUNIT_ON_CREATE, settings.ALLOW_TYPE_CHANGE,
        settings.ALLOW_CREATION_DATE, settings.OWNER_IS_CREATOR,
        settings.REQUIRED_TICKET_TYPE, settings.CREATOR_BLANK_BY_DEFAULT,
        settings.ALLOW_CREATOR_OWNER_CHANGE, settings.EXTERNAL_USERS_MAY_MODIFY,
        settings.IGNORE_GROUP_TEMPLATE_FOR_CREATOR, settings.CREATOR_SEES_ALL_USERS,
        settings.AUTO_ASSIGN_BY_GROUP_RULES, settings.EDITOR_IS_FIRST_TO_EDIT)),
    ("Workunit options", (
        settings.AUTO_CLOSE_DAYS, settings.WORKUNIT_DEFAULT_HOURS,
        settings.SORT_WORKUNITS_BY_COMPLETION)),
    ("Files", (settings.MAX_ATTACHMENT_MB,)),
    ("SLA", (settings.SLA_TIME_ZONE, settings.SLA_NOTIFICATION_PERIOD_HOURS)),
    ("Work orders", (settings.SITE_NAME, settings.TICKET_WEB_URL)),
)

#: Options the registry declares that nothing in DesktopDesk acts on yet, with what the
#: screen says about them (a test keeps this list honest against the code). The group
#: template is a mail template's: DesktopDesk sends no mail so far.
NOT_YET_EFFECTIVE: Mapping[str, str] = {
    settings.IGNORE_GROUP_TEMPLATE_FOR_CREATOR.key:
        "Not applied yet: mail notifications are still to come.",
}

#: How a choice reads on screen (the stored value is the key).
CHOICE_LABELS: Mapping[str, Mapping[Any, str]] = {
    settings.DATE_FORMAT.key: {
        "long": "Long: 2026/03/02 09:15:00",
        "approximate": "Approximate: 1 day, 2 hours",
    },
}

#: Text options whose input offers values as one types (it still takes any text: the
#: registry's check says what is wrong with one).
TEXT_SUGGESTIONS: Mapping[str, Callable[[], Sequence[str]]] = {
    settings.SLA_TIME_ZONE.key: lambda: sorted(zoneinfo.available_timezones()),
}

#: Why a shared option is shown read-only to whoever is not a super-admin.
SHARED_READ_ONLY_REASON = ("Only a super-admin can change this: it applies to every "
                           "desktop.")


@dataclass(frozen=True)
class OptionState:
    """One option as the screen shows it: the declaration and the value in force."""

    setting: Setting[Any]
    group: str
    value: Any

    @property
    def key(self) -> str:
        return self.setting.key

    @property
    def shared(self) -> bool:
        return self.setting.scope == "server"

    @property
    def pending_note(self) -> str:
        """"" when the option already changes something in the app."""
        return NOT_YET_EFFECTIVE.get(self.key, "")


@dataclass(frozen=True)
class SettingsState:
    options: tuple[OptionState, ...]
    #: Whether the reader may change the shared options (a super-admin).
    may_change_shared: bool

    def option(self, key: str) -> OptionState:
        return next(option for option in self.options if option.key == key)


@dataclass(frozen=True)
class SavedSettings:
    """Which keys went through, by where they are kept."""

    shared: tuple[str, ...]
    desktop: tuple[str, ...]


def load_settings(workspace: Workspace, user_id: uuid.UUID) -> SettingsState:
    """Every option with its value: shared ones from the store, the others from this
    desktop's preferences."""
    preferences = DesktopPreferences(workspace.data_dir)
    with workspace.read() as session:
        may_change = may_set_up(load_permissions(session, user_id))
        stored = stored_settings(session)
    options = tuple(
        OptionState(setting, group, read_setting(stored, setting) if setting.scope == "server"
                    else preferences.setting(setting))
        for group, members in GROUPS for setting in members)
    return SettingsState(options, may_change)


def save_settings(workspace: Workspace, user_id: uuid.UUID,
                  changes: Mapping[str, Any]) -> SavedSettings:
    """Save the changed options as one action: the shared ones in one transaction (all
    or none), then, once they went through, this desktop's.

    A refusal that names no input is given the key of the option whose command was
    refused, so the screen can show it beside that option.
    """
    by_key = {setting.key: setting for _, members in GROUPS for setting in members}
    shared = {key: value for key, value in changes.items() if by_key[key].scope == "server"}
    desktop = {key: by_key[key].coerce(value) for key, value in changes.items()
               if key not in shared}  # checked before anything is written
    if shared:
        commands = [ChangeSetting(key=key, value=value) for key, value in shared.items()]
        ctx = workspace.context()
        with workspace.user_action() as session:
            for command in commands:
                try:
                    workspace.apply_in(session, command, user_id, ctx)
                except DomainError as error:
                    if error.field is not None:
                        raise
                    raise DomainError(error.code, error.message, command.key) from error
        log.info("changed shared settings %s", ", ".join(shared))
    if desktop:
        preferences = DesktopPreferences(workspace.data_dir)
        for key, value in desktop.items():
            preferences.set_setting(by_key[key], value)
    return SavedSettings(tuple(shared), tuple(desktop))
