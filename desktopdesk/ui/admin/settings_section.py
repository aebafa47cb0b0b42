"""The Settings page: every option of the manual's "Advanced ticket configuration
options", grouped as the manual groups them, each with its input, what it does, and
where it applies.

Shared options (kept with the tickets, the same on every desktop) change through
``ChangeSetting`` and only for super-admins; everyone else sees them read-only with the
reason. This desktop's options (full names, date format, workunit order) are anyone's
to change, so the page is also what a person opens as their preferences. Changes are
collected and saved together with Save (one transaction for the shared ones); a refusal
is shown beside the option it is about, with what was chosen kept.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.settings import Setting
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette
from desktopdesk.ui.admin.section import AdminSection, SectionAccess
from desktopdesk.ui.admin.settings_source import (
    CHOICE_LABELS,
    GROUPS,
    NOT_YET_EFFECTIVE,
    SHARED_READ_ONLY_REASON,
    TEXT_SUGGESTIONS,
    SavedSettings,
    SettingsState,
    load_settings,
    save_settings,
)
from desktopdesk.ui.form_messages import ERROR_STYLE, error_label, heading_label, text_label
from desktopdesk.ui.tasks import TaskRunner

MUTED_STYLE = "color: $muted_text;"
NOTE_STYLE = "color: $warning_text;"
NOTICE_STYLE = ("QFrame#settings_read_only_notice { background: $info_background;"
                " border: 1px solid $info_border; border-radius: 4px; }")
#: The registry gives no upper bounds; these only keep the inputs a sensible width.
_INT_MAXIMUM = 1_000_000
_FLOAT_MAXIMUM = 1_000.0
#: A text option's input fits this many characters (America/Argentina/Buenos_Aires).
_TEXT_WIDTH_CHARS = 32
_SCOPE_TEXT = {
    "server": ("Every desktop", "Kept with the tickets: the same for everyone, on every "
                                "desktop."),
    "desktop": ("This desktop", "Kept on this computer only: other desktops keep their "
                                "own choice."),
}
_SCOPE_ICONS = {"server": "mdi6.earth", "desktop": "mdi6.monitor"}
_LOCKED_ICON = "mdi6.lock-outline"
_TAG_ICON_SIZE = QSize(14, 14)


class _WheelGuard(QObject):
    """Scrolling the page over a spin box or a list must not change the option under the
    pointer: the wheel reaches an input only once it has the focus, and scrolls the page
    until then."""

    def __init__(self, page: QScrollArea) -> None:
        super().__init__(page)
        self._page = page

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget)
                and not watched.hasFocus()):
            QApplication.sendEvent(self._page.verticalScrollBar(), event)
            return True
        return False


class OptionRow(QWidget):
    """One option: its input (by type), what it does, where it applies, and a refusal."""

    edited = Signal()

    def __init__(self, setting: Setting[Any], guard: _WheelGuard, parent: QWidget) -> None:
        super().__init__(parent)
        self.setting = setting
        self.setObjectName(f"setting_row_{setting.key}")
        self.input = self._make_input(setting, guard)
        self.caption: QLabel | None = None
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        if isinstance(self.input, QCheckBox):
            top.addWidget(self.input)
            indent = (self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
                      + self.style().pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing))
        else:
            self.caption = QLabel(f"{setting.label}:", self)
            self.caption.setObjectName(f"setting_caption_{setting.key}")
            self.caption.setBuddy(self.input)
            top.addWidget(self.caption)
            top.addWidget(self.input)
            indent = 0
        top.addStretch(1)
        scope_text, scope_tip = _SCOPE_TEXT[setting.scope]
        self.scope_icon = QLabel(self)
        self.scope_icon.setObjectName(f"setting_scope_icon_{setting.key}")
        self.scope_label = text_label(self, f"setting_scope_{setting.key}", MUTED_STYLE)
        self.scope_label.setText(scope_text)
        for label in (self.scope_icon, self.scope_label):
            label.setToolTip(scope_tip)
        self._show_scope_icon(_SCOPE_ICONS[setting.scope])
        top.addWidget(self.scope_icon)
        top.addWidget(self.scope_label)
        self.help_label = text_label(self, f"setting_help_{setting.key}", MUTED_STYLE)
        self.help_label.setText(setting.help)
        self.note_label = text_label(self, f"setting_note_{setting.key}", NOTE_STYLE)
        self.note_label.setText(NOT_YET_EFFECTIVE.get(setting.key, ""))
        self.note_label.setVisible(setting.key in NOT_YET_EFFECTIVE)
        self.error_label = error_label(self, f"setting_{setting.key}")
        self.input.setAccessibleDescription(setting.help)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        for label in (self.help_label, self.note_label, self.error_label):
            label.setContentsMargins(indent, 0, 0, 0)
            layout.addWidget(label)

    def _make_input(self, setting: Setting[Any], guard: _WheelGuard) -> QWidget:
        name, accessible = f"setting_{setting.key}", setting.label
        widget: QWidget
        if setting.type is bool:
            box = QCheckBox(setting.label, self)
            box.toggled.connect(self.edited)
            widget = box
        elif setting.choices:
            combo = QComboBox(self)
            labels = CHOICE_LABELS.get(setting.key, {})
            for choice in setting.choices:
                combo.addItem(labels.get(choice, str(choice)), choice)
            combo.currentIndexChanged.connect(self.edited)
            widget = combo
        elif setting.type is str:
            edit = QLineEdit(self)
            edit.setClearButtonEnabled(True)
            edit.setMinimumWidth(edit.fontMetrics().averageCharWidth() * _TEXT_WIDTH_CHARS)
            suggest = TEXT_SUGGESTIONS.get(setting.key)
            if suggest is not None:  # still free text: the suggestions only help typing
                completer = QCompleter(list(suggest()), edit)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                edit.setCompleter(completer)
            edit.textChanged.connect(self.edited)
            widget = edit
        elif setting.type is int:
            spin = QSpinBox(self)
            spin.setRange(int(setting.minimum or 0), _INT_MAXIMUM)
            spin.valueChanged.connect(self.edited)
            widget = spin
        else:
            double = QDoubleSpinBox(self)
            double.setDecimals(2)
            double.setSingleStep(0.25)
            double.setRange(setting.minimum or 0.0, _FLOAT_MAXIMUM)
            double.valueChanged.connect(self.edited)
            widget = double
        widget.setObjectName(name)
        widget.setAccessibleName(accessible)
        if not isinstance(widget, QCheckBox):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            widget.installEventFilter(guard)
        return widget

    def value(self) -> Any:
        widget = self.input
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QSpinBox | QDoubleSpinBox):
            return widget.value()
        if isinstance(widget, QLineEdit):
            return widget.text().strip()
        raise TypeError(f"no value for {widget!r}")  # pragma: no cover - built above

    def differs_from(self, stored: Any) -> bool:
        """Whether the input says something else than ``stored`` (a stored time with more
        decimals than the input shows is not a change the person made)."""
        if isinstance(self.input, QDoubleSpinBox):
            return abs(self.input.value() - float(stored)) >= 10 ** -self.input.decimals() / 2
        return bool(self.value() != stored)

    def set_value(self, value: Any) -> None:
        widget = self.input
        was = widget.blockSignals(True)
        try:
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(value), 0))
            elif isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            elif isinstance(widget, QDoubleSpinBox):
                widget.setValue(float(value))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(value))
        finally:
            widget.blockSignals(was)

    def _show_scope_icon(self, name: str) -> None:
        palette.set_icon(self.scope_icon, palette.icon(name, color=palette.muted_text),
                         _TAG_ICON_SIZE)

    def set_locked(self, reason: str | None) -> None:
        """Read-only with ``reason`` (as the input's tooltip, and a lock by the scope),
        or editable (None)."""
        self.input.setEnabled(reason is None)
        self.input.setToolTip(reason or "")
        if self.caption is not None:
            self.caption.setEnabled(reason is None)
        self._show_scope_icon(_LOCKED_ICON if reason else _SCOPE_ICONS[self.setting.scope])
        self.scope_icon.setToolTip(reason or _SCOPE_TEXT[self.setting.scope][1])

    def set_modified(self, modified: bool) -> None:
        """A changed option reads in bold until it is saved or reverted."""
        target = self.caption if self.caption is not None else self.input
        font = target.font()
        if font.bold() != modified:
            font.setBold(modified)
            target.setFont(font)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.input.setAccessibleDescription(message)

    def clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()
        self.input.setAccessibleDescription(self.setting.help)

    @property
    def error_text(self) -> str:
        return "" if self.error_label.isHidden() else self.error_label.text()


class SettingsSection(AdminSection):
    title = "Settings"
    icon = "mdi6.cog-outline"
    access = SectionAccess.SETUP

    #: The options were read (first time and after each save or reload).
    loaded = Signal()
    #: A save was refused or failed (its message); what was chosen is kept.
    save_failed = Signal(str)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("settings_section")
        self.setAccessibleName("Settings")
        self.state: SettingsState | None = None
        self._baseline: dict[str, Any] = {}
        self._saving = False
        self._build()
        self._update_buttons()
        self.reload()

    # --- Building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("settings_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setEnabled(False)  # until the values are in
        self._guard = _WheelGuard(self.scroll_area)
        heading = heading_label(self, "settings_heading")
        heading.setText("Settings")
        intro = text_label(self, "settings_intro", MUTED_STYLE)
        intro.setText("How tickets look and behave. Options marked “Every desktop” are the "
                      "same for everyone; those marked “This desktop” are your own choice "
                      "on this computer.")
        self.read_only_notice = QFrame(self)
        self.read_only_notice.setObjectName("settings_read_only_notice")
        self.read_only_notice.setAccessibleName("Why some options cannot be changed")
        palette.set_style(self.read_only_notice, NOTICE_STYLE)
        notice_icon = QLabel(self.read_only_notice)
        notice_icon.setObjectName("settings_read_only_icon")
        palette.set_icon(notice_icon, palette.icon("mdi6.lock-outline", color=palette.info_icon),
                         QSize(18, 18))
        self.read_only_text = text_label(self.read_only_notice, "settings_read_only_text")
        self.read_only_text.setText(
            "You can change the options marked “This desktop”. The others apply to every "
            "desktop, so only a super-admin can change them.")
        notice = QHBoxLayout(self.read_only_notice)
        notice.setContentsMargins(8, 6, 8, 6)
        notice.addWidget(notice_icon, 0, Qt.AlignmentFlag.AlignTop)
        notice.addWidget(self.read_only_text, 1)
        self.read_only_notice.hide()

        content = QWidget()
        content.setObjectName("settings_content")
        column = QVBoxLayout(content)
        self.rows: dict[str, OptionRow] = {}
        self.group_boxes: dict[str, QGroupBox] = {}
        for group, members in GROUPS:
            box = QGroupBox(group, content)
            box.setObjectName(f"settings_group_{group.lower().replace(' ', '_')}")
            box.setAccessibleName(group)
            grid = QGridLayout(box)
            grid.setVerticalSpacing(12)
            for index, setting in enumerate(members):
                row = OptionRow(setting, self._guard, box)
                row.edited.connect(self._on_option_row_edited)
                grid.addWidget(row, index, 0)
                self.rows[setting.key] = row
            column.addWidget(box)
            self.group_boxes[group] = box
        column.addStretch(1)
        self.scroll_area.setWidget(content)

        self.general_error = text_label(self, "error_settings_general", ERROR_STYLE)
        self.general_error.setAccessibleName("Problem saving the settings")
        self.general_error.hide()
        self.changes_label = text_label(self, "settings_changes", MUTED_STYLE)
        self.revert_button = QPushButton(palette.icon("mdi6.undo-variant"), "&Revert", self)
        self.revert_button.setObjectName("settings_revert")
        self.revert_button.setAccessibleName("Revert the changed options")
        self.revert_button.clicked.connect(self._on_revert_button_clicked)
        self.save_button = QPushButton(palette.icon("mdi6.content-save-outline"), "&Save", self)
        self.save_button.setObjectName("settings_save")
        self.save_button.setAccessibleName("Save the changed options")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.changes_label, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.read_only_notice)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.general_error)
        layout.addLayout(buttons)

    # --- Reading --------------------------------------------------------------------------

    def reload(self) -> None:
        task = self.runner.run(partial(load_settings, self.workspace, self.user_id))
        task.succeeded.connect(self._on_load_task_succeeded)
        task.failed.connect(self._on_load_task_failed)

    @Slot(object)
    def _on_load_task_succeeded(self, state: SettingsState) -> None:
        """Show what is stored, keeping any option the person changed and has not saved."""
        for option in state.options:
            row = self.rows[option.key]
            if not self._is_modified(option.key):
                row.set_value(option.value)
            row.set_locked(None if state.may_change_shared or not option.shared
                           else SHARED_READ_ONLY_REASON)
        self._baseline = {option.key: option.value for option in state.options}
        self.state = state
        self.scroll_area.setEnabled(True)
        self.read_only_notice.setVisible(not state.may_change_shared)
        self._update_buttons()
        self.loaded.emit()

    @Slot(object)
    def _on_load_task_failed(self, error: BaseException) -> None:
        message = error.message if isinstance(error, DomainError) else str(error)
        messages.error(self, "The settings could not be read.", details=message)

    # --- Changing -------------------------------------------------------------------------

    def _is_modified(self, key: str) -> bool:
        return key in self._baseline and self.rows[key].differs_from(self._baseline[key])

    def changed_options(self) -> dict[str, Any]:
        """The options whose input differs from what is stored, with the new values."""
        return {key: row.value() for key, row in self.rows.items() if self._is_modified(key)}

    def _update_buttons(self) -> None:
        changed = self.changed_options()
        for key, row in self.rows.items():
            row.set_modified(key in changed)
        self.save_button.setEnabled(bool(changed) and not self._saving)
        self.revert_button.setEnabled(bool(changed) and not self._saving)
        if self._saving:
            self.changes_label.setText("Saving…")
        elif changed:
            names = ", ".join(self.rows[key].setting.label for key in changed)
            self.changes_label.setText(f"Not saved yet: {names}")
        else:
            self.changes_label.setText("")

    def _clear_errors(self) -> None:
        for row in self.rows.values():
            row.clear_error()
        self.general_error.clear()
        self.general_error.hide()

    @Slot()
    def _on_option_row_edited(self) -> None:
        row = self.sender()
        if isinstance(row, OptionRow):
            row.clear_error()
        self._update_buttons()

    @Slot()
    def _on_revert_button_clicked(self) -> None:
        for key, value in self._baseline.items():
            self.rows[key].set_value(value)
        self._clear_errors()
        self._update_buttons()

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    def save(self) -> None:
        changes = self.changed_options()
        if not changes or self._saving:
            return
        self._clear_errors()
        self._saving = True
        self._update_buttons()
        task = self.runner.run(partial(save_settings, self.workspace, self.user_id, changes))
        task.succeeded.connect(self._on_save_task_succeeded)
        task.failed.connect(self._on_save_task_failed)

    @Slot(object)
    def _on_save_task_succeeded(self, saved: SavedSettings) -> None:
        self._saving = False
        if saved.desktop:
            self.preferences_changed.emit(saved.desktop)
        if saved.shared:
            self.saved.emit()
        # What was saved is now what is stored: nothing is left "changed" while re-reading.
        self._baseline.update({key: self.rows[key].value()
                               for key in (*saved.shared, *saved.desktop)})
        self._update_buttons()
        self.reload()

    @Slot(object)
    def _on_save_task_failed(self, error: BaseException) -> None:
        self._saving = False
        self._update_buttons()
        if not isinstance(error, DomainError):
            messages.error(self, "The settings could not be saved.", details=str(error))
            self.save_failed.emit(str(error))
            return
        row = self.rows.get(error.field or "")
        if row is not None:
            row.show_error(error.message)
            self.scroll_area.ensureWidgetVisible(row)
            row.input.setFocus()
        else:
            self.general_error.setText(error.message)
            self.general_error.show()
        self.save_failed.emit(error.message)
