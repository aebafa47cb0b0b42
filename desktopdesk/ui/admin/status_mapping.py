"""The status mapping editor: which status a ticket may move to from each status, and
which statuses a new ticket may start in, as one grid of checkboxes.

The grid's first row is creation (stored as moves from ``AT_CREATION``), the others the
statuses a ticket is in; the columns are where it may go. Boxes that no mapping may tick
(a status to itself, Closed to anything but Reopened, creating a closed ticket) are
greyed out: ``workflow.open_workflow`` is every box that can be ticked. Warnings about
dead ends follow every tick; they never block a Save, which only a missing creation
status does (``mapping_source.save_mapping``). Saving sends the whole grid as one
``SetStatusMapping``.
"""

from __future__ import annotations

import textwrap
import uuid
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.domain import workflow
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import AT_CREATION, Status
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette
from desktopdesk.ui.admin.mapping_source import (
    MappingLoad,
    Transitions,
    attempt_save_mapping,
    load_mapping,
    normalised,
    warning_lines,
)
from desktopdesk.ui.admin.section import AdminSection, SectionAccess
from desktopdesk.ui.form_messages import error_label, text_label
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_tab_models import greyed

AnyIndex = QModelIndex | QPersistentModelIndex

#: The grid's rows: creation first, then each status a ticket can be in.
ROWS: tuple[int, ...] = (AT_CREATION, *(int(s) for s in Status))
COLUMNS: tuple[Status, ...] = tuple(Status)
CREATION_LABEL = "At creation"


def _row_label(row: int) -> str:
    return CREATION_LABEL if row == AT_CREATION else Status(row).label


def _why_not(frm: int, to: Status) -> str:
    if frm == AT_CREATION:
        return "A ticket cannot be created closed."
    if frm == to:
        return "A status to itself is not a move."
    return "From Closed a ticket can only be reopened."


class TransitionGridModel(QAbstractTableModel):
    """The mapping as checkable cells; a tick or untick by the person says
    ``transitions_edited``, a whole mapping set from code does not."""

    transitions_edited = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._possible = frozenset(workflow.open_workflow())
        self._allowed: set[tuple[int, int]] = set()
        self._editable = True

    # --- What the grid holds ------------------------------------------------------------

    def transitions(self) -> Transitions:
        return normalised(self._allowed)

    def set_transitions(self, transitions: Transitions) -> None:
        """Show ``transitions`` (rows no mapping may hold are left out)."""
        self._allowed = {pair for pair in transitions if pair in self._possible}
        self._changed_all()

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._changed_all()

    def pair(self, index: AnyIndex) -> tuple[int, int]:
        return ROWS[index.row()], int(COLUMNS[index.column()])

    def index_of(self, frm: int, to: int) -> QModelIndex:
        return self.index(ROWS.index(frm), COLUMNS.index(Status(to)))

    def _changed_all(self) -> None:
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, self.columnCount() - 1))

    # --- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ROWS)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or self.pair(index) not in self._possible:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled
        if self._editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        pair = self.pair(index)
        frm, to = pair[0], COLUMNS[index.column()]
        possible = pair in self._possible
        if role == Qt.ItemDataRole.CheckStateRole and possible:
            return (Qt.CheckState.Checked if pair in self._allowed
                    else Qt.CheckState.Unchecked)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if not possible:
                return _why_not(frm, to)
            allowed = pair in self._allowed
            if frm == AT_CREATION:
                return (f"A new ticket {'may' if allowed else 'may not'} start as "
                        f"{to.label}.")
            return (f"{Status(frm).label} to {to.label}: "
                    f"{'allowed' if allowed else 'not allowed'}.")
        if role == Qt.ItemDataRole.DisplayRole and not possible:
            return "—"
        if role == Qt.ItemDataRole.ForegroundRole and not possible:
            return greyed()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def setData(self, index: AnyIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (role != Qt.ItemDataRole.CheckStateRole or not index.isValid()
                or not self.flags(index) & Qt.ItemFlag.ItemIsUserCheckable):
            return False
        pair = self.pair(index)
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self._allowed.add(pair)
        else:
            self._allowed.discard(pair)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.transitions_edited.emit()
        return True

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(COLUMNS):
                return None
            label = COLUMNS[section].label
            if role == Qt.ItemDataRole.DisplayRole:
                return "\n".join(textwrap.wrap(label, 13))
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"To {label}"
        else:
            if not 0 <= section < len(ROWS):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return _row_label(ROWS[section])
            if role == Qt.ItemDataRole.FontRole and ROWS[section] == AT_CREATION:
                font = QGuiApplication.font()
                font.setItalic(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return ("Statuses a new ticket may start in" if ROWS[section] == AT_CREATION
                        else f"From {_row_label(ROWS[section])}")
        return None


def draw_check_box(painter: QPainter, box: QRectF, checked: bool, enabled: bool,
                   colours: QPalette) -> None:
    """A checkbox that reads in light and dark alike: Fusion's item check is outlined
    in a shade of the window colour, which all but vanishes on a dark Base. Unticked,
    an outline in the muted text colour; ticked, the highlight with a tick on it."""
    group = QPalette.ColorGroup.Active if enabled else QPalette.ColorGroup.Disabled
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    frame = box.adjusted(0.75, 0.75, -0.75, -0.75)
    if checked:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colours.color(group, QPalette.ColorRole.Highlight))
        painter.drawRoundedRect(frame, 3, 3)
        pen = QPen(colours.color(group, QPalette.ColorRole.HighlightedText),
                   max(1.5, box.width() / 8))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        w, x, y = box.width(), box.x(), box.y()
        painter.drawPolyline([QPointF(x + w * 0.25, y + w * 0.52),
                              QPointF(x + w * 0.43, y + w * 0.70),
                              QPointF(x + w * 0.76, y + w * 0.32)])
    else:
        outline = (palette.muted_text() if enabled
                   else colours.color(group, QPalette.ColorRole.Text))
        painter.setPen(QPen(outline, 1.3))
        painter.setBrush(colours.color(group, QPalette.ColorRole.Base))
        painter.drawRoundedRect(frame, 3, 3)
    painter.restore()


class CenteredCheckDelegate(QStyledItemDelegate):
    """A cell that is only a checkbox: the box drawn in its middle, and a click anywhere
    in the cell (or Space on it) toggles it: a bigger target than the box alone."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: AnyIndex) -> None:
        state = index.data(Qt.ItemDataRole.CheckStateRole)
        if state is None:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.features &= ~QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
        style = item.widget.style() if item.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, item.widget)
        side = max(14, round(item.fontMetrics.height() * 0.95))
        box = QStyle.alignedRect(item.direction, Qt.AlignmentFlag.AlignCenter,
                                 QSize(side, side), item.rect)
        enabled = bool(item.state & QStyle.StateFlag.State_Enabled)
        draw_check_box(painter, QRectF(box), Qt.CheckState(state) == Qt.CheckState.Checked,
                       enabled, item.palette)

    def editorEvent(self, event: QEvent, model: QAbstractItemModel,
                    option: QStyleOptionViewItem, index: AnyIndex) -> bool:
        flags = model.flags(index)
        if not (flags & Qt.ItemFlag.ItemIsUserCheckable and flags & Qt.ItemFlag.ItemIsEnabled):
            return False
        kind = event.type()
        if isinstance(event, QMouseEvent):
            if event.button() != Qt.MouseButton.LeftButton:
                return False
            if kind != QEvent.Type.MouseButtonRelease:
                # Toggled on release, as a button is; a double click is two clicks.
                return kind in (QEvent.Type.MouseButtonPress,
                                QEvent.Type.MouseButtonDblClick)
            if not option.rect.contains(event.position().toPoint()):
                return False
        elif not (isinstance(event, QKeyEvent) and kind == QEvent.Type.KeyPress
                  and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select)):
            return False
        checked = Qt.CheckState(index.data(Qt.ItemDataRole.CheckStateRole))
        toggled = (Qt.CheckState.Unchecked if checked == Qt.CheckState.Checked
                   else Qt.CheckState.Checked)
        return model.setData(index, toggled, Qt.ItemDataRole.CheckStateRole)


class TransitionGrid(QTableView):
    """The grid sized to show every cell: no scrolling for a table this small."""

    def __init__(self, model: TransitionGridModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_mapping_grid")
        self.setAccessibleName("Allowed status changes")
        self.setModel(model)
        self.setItemDelegate(CenteredCheckDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTabKeyNavigation(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        columns = self.horizontalHeader()
        columns.setObjectName("status_mapping_to")
        columns.setAccessibleName("To status")
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        columns.setHighlightSections(False)
        rows = self.verticalHeader()
        rows.setObjectName("status_mapping_from")
        rows.setAccessibleName("From status")
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 14)
        rows.setHighlightSections(False)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        frame = 2 * self.frameWidth()
        height = (self.horizontalHeader().sizeHint().height()
                  + self.verticalHeader().defaultSectionSize() * len(ROWS) + frame)
        return QSize(hint.width(), height)

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self.sizeHint().height())


class WarningPanel(QFrame):
    """The mapping's dead ends, one per line, or a word that there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_mapping_warnings")
        self.setAccessibleName("Warnings about the mapping")
        self.icon_label = QLabel(self)
        self.icon_label.setObjectName("status_mapping_warnings_icon")
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = text_label(self, "status_mapping_warnings_text")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.icon_label)
        layout.addWidget(self.text, 1)
        self.lines: tuple[str, ...] = ()

    def show_lines(self, lines: tuple[str, ...]) -> None:
        self.lines = lines
        if lines:
            icon = palette.icon("mdi6.alert-outline", color=palette.warning_text)
            palette.set_style(self.text, "color: $warning_text;")
            self.text.setText("\n".join(lines))
        else:
            icon = palette.icon("mdi6.check-circle-outline", color=palette.success_text)
            palette.set_style(self.text, "color: $success_text;")
            self.text.setText("Every status can be reached from the creation statuses, "
                              "and every ticket can reach Closed.")
        palette.set_icon(self.icon_label, icon, QSize(18, 18))
        self.text.setAccessibleName(self.text.text())


class StatusMappingSection(AdminSection):
    """Edits the mapping and saves it whole; unsaved changes are marked until Save or
    Revert."""

    title = "Status mapping"
    icon = "mdi6.transit-connection-variant"
    access = SectionAccess.SETUP

    #: A read of the store was shown (after ``reload``).
    mapping_loaded = Signal()
    #: Whether there is something to save changed.
    modified_changed = Signal(bool)
    #: A Save was refused or failed: the message shown.
    save_failed = Signal(str)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("status_mapping_section")
        self.setAccessibleName("Status mapping")
        self.loaded: MappingLoad | None = None
        self._saving = False
        self._was_modified = False
        self._build()
        self._connect()
        self._update_state()
        self.reload()

    # --- Building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.intro = text_label(self, "status_mapping_intro")
        self.intro.setText(
            "Each row is where a ticket is; tick where it may go next. The first row is "
            "where a new ticket may start. Nothing ticked in the moves leaves every move "
            "open, as a new installation has it.")
        self.read_only_note = text_label(self, "status_mapping_read_only",
                                         "color: $muted_text;")
        self.read_only_note.setText("Only a super-admin may change the status mapping; "
                                    "it is shown here to read.")
        self.read_only_note.hide()
        self.open_button = self._button("status_mapping_open", "Reset to open workflow",
                                        "mdi6.restore", "Tick every move and every open "
                                        "status at creation: nothing restricted")
        self.example_button = self._button(
            "status_mapping_example", "Load the manual's example", "mdi6.book-open-outline",
            "New to Assigned or Pending on a third person, then Pending to be closed, "
            "then Closed; from Closed only Reopened")
        presets = QHBoxLayout()
        presets.addWidget(self.open_button)
        presets.addWidget(self.example_button)
        presets.addStretch(1)

        self.model = TransitionGridModel(self)
        self.grid = TransitionGrid(self.model, self)
        self.warnings = WarningPanel(self)
        self.error = error_label(self, "transitions")

        self.changes_label = text_label(self, "status_mapping_changes", "color: $muted_text;")
        self.revert_button = self._button("status_mapping_revert", "Revert",
                                          "mdi6.undo-variant",
                                          "Show the mapping as saved again")
        self.save_button = self._button("status_mapping_save", "Save", "mdi6.content-save",
                                        "Save the mapping (Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_action = QAction("Save the status mapping", self)
        self.save_action.setObjectName("action_save_status_mapping")
        self.save_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.save_action)
        buttons = QHBoxLayout()
        buttons.addWidget(self.changes_label, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.read_only_note)
        layout.addLayout(presets)
        layout.addWidget(self.grid)
        layout.addWidget(self.warnings)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def _button(self, name: str, text: str, icon: str, tooltip: str) -> QPushButton:
        button = QPushButton(palette.icon(icon), text, self)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setToolTip(tooltip)
        return button

    def _connect(self) -> None:
        self.model.transitions_edited.connect(self._on_model_transitions_edited)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.example_button.clicked.connect(self._on_example_button_clicked)
        self.revert_button.clicked.connect(self.revert)
        self.save_button.clicked.connect(self.save)
        self.save_action.triggered.connect(self.save)

    # --- Reading --------------------------------------------------------------------------

    def reload(self) -> None:
        task = self.runner.run(partial(load_mapping, self.workspace, self.user_id))
        task.succeeded.connect(self._on_load_task_succeeded)
        task.failed.connect(self._on_load_task_failed)

    @Slot(object)
    def _on_load_task_succeeded(self, loaded: MappingLoad) -> None:
        """Unsaved edits survive a reload (a sync, say): they are then judged against
        the mapping just read, and Revert goes back to it."""
        keep_edits = self.has_unsaved_changes()
        self.loaded = loaded
        if not keep_edits:
            self.model.set_transitions(loaded.shown)
        self.model.set_editable(loaded.may_change)
        self.read_only_note.setVisible(not loaded.may_change)
        self._update_state()
        self.mapping_loaded.emit()

    @Slot(object)
    def _on_load_task_failed(self, error: BaseException) -> None:
        messages.error(self, "The status mapping could not be read.", details=str(error))

    # --- Editing --------------------------------------------------------------------------

    def transitions(self) -> Transitions:
        """What the grid shows now, as ``SetStatusMapping`` would send it."""
        return self.model.transitions()

    def set_transitions(self, transitions: Transitions) -> None:
        self.model.set_transitions(transitions)
        self._edited()

    def has_unsaved_changes(self) -> bool:
        return self.loaded is not None and self.transitions() != self.loaded.shown

    def warning_texts(self) -> tuple[str, ...]:
        return self.warnings.lines

    @Slot()
    def _on_model_transitions_edited(self) -> None:
        self._edited()

    @Slot()
    def _on_open_button_clicked(self) -> None:
        self.set_transitions(workflow.open_workflow())

    @Slot()
    def _on_example_button_clicked(self) -> None:
        self.set_transitions(workflow.manual_example())

    @Slot()
    def revert(self) -> None:
        if self.loaded is not None:
            self.set_transitions(self.loaded.shown)

    def _edited(self) -> None:
        self.error.hide()
        self._update_state()

    def _update_state(self) -> None:
        loaded = self.loaded
        may_change = loaded is not None and loaded.may_change and not self._saving
        modified = self.has_unsaved_changes()
        self.warnings.show_lines(
            warning_lines(self.transitions(), loaded.state.open_tickets) if loaded else ())
        self.warnings.setVisible(loaded is not None)
        self.grid.setEnabled(loaded is not None and not self._saving)
        for preset in (self.open_button, self.example_button):
            preset.setEnabled(may_change)
        self.save_button.setEnabled(may_change and modified)
        self.save_action.setEnabled(may_change and modified)
        self.revert_button.setEnabled(modified and not self._saving)
        self.save_button.setText("Saving…" if self._saving else "Save")
        self.changes_label.setText("Saving…" if self._saving
                                   else "● Unsaved changes" if modified else "")
        if modified != self._was_modified:
            self._was_modified = modified
            self.modified_changed.emit(modified)

    # --- Saving ---------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        if self._saving or not self.has_unsaved_changes():
            return
        self.error.hide()
        self._saving = True
        self._update_state()
        task = self.runner.run(partial(attempt_save_mapping, self.workspace, self.user_id,
                                       self.transitions()))
        task.succeeded.connect(self._on_save_task_succeeded)
        task.failed.connect(self._on_save_task_failed)

    @Slot(object)
    def _on_save_task_succeeded(self, result: CommandResult | DomainError) -> None:
        if isinstance(result, DomainError):
            self._on_save_task_failed(result)
            return
        self._saving = False
        assert self.loaded is not None
        # Saved as shown: no longer modified, even before the reload lands.
        self.loaded = MappingLoad(self.loaded.state, self.transitions(),
                                  self.loaded.may_change)
        self._update_state()
        self.saved.emit()
        self.reload()

    @Slot(object)
    def _on_save_task_failed(self, error: BaseException) -> None:
        self._saving = False
        if isinstance(error, DomainError):
            message = f"Not saved: {error.message}"
        else:
            message = "The status mapping could not be saved; your changes are still here."
            messages.error(self, message, details=str(error))
        self.error.setText(message)
        self.error.show()
        self._update_state()
        self.save_failed.emit(message)
