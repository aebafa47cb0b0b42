"""The keyboard shortcuts dialog (F1): every shortcut of ``shortcuts.SHORTCUTS``, grouped
by where it works, searchable by name, key or description, with the version below.

It renders the registry and holds nothing of its own, so a shortcut added there shows
here without touching this module.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Slot,
    qVersion,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktopdesk import __version__
from desktopdesk.ui.shortcuts import SCOPE_ORDER, SHORTCUTS, Scope, Shortcut

AnyIndex = QModelIndex | QPersistentModelIndex
#: The ``Shortcut`` of a row; None on a group's row.
ShortcutRole = Qt.ItemDataRole.UserRole + 1
HEADERS = ("Action", "Keys", "What it does")
ACTION_COLUMN, KEYS_COLUMN, DESCRIPTION_COLUMN = range(3)
APP_NAME = "DesktopDesk"


class ShortcutTreeModel(QAbstractItemModel):
    """Two levels, read-only: a row per scope, under it a row per shortcut.

    An index's internal id says where it is: 0 for a scope's row, the scope's number
    plus one for its shortcuts (so ``parent()`` needs no pointers into Python objects).
    """

    def __init__(self, shortcuts: tuple[Shortcut, ...] = SHORTCUTS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        scopes = [s for s in SCOPE_ORDER if any(sc.scope == s for sc in shortcuts)]
        scopes += [sc.scope for sc in shortcuts if sc.scope not in scopes]
        self._groups: list[tuple[Scope, list[tuple[Shortcut, str]]]] = [
            (scope, [(sc, sc.native_text()) for sc in shortcuts if sc.scope == scope])
            for scope in dict.fromkeys(scopes)]
        self._bold = QFont()
        self._bold.setBold(True)

    def index(self, row: int, column: int,
              parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: AnyIndex = QModelIndex(),  # type: ignore[override]  # noqa: B008
               ) -> QModelIndex:
        if not child.isValid():
            return QModelIndex()
        group = child.internalId()
        return QModelIndex() if group == 0 else self.createIndex(group - 1, 0, 0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.column() != 0 or parent.internalId() != 0:
            return 0  # shortcuts have no children; only column 0 of a group has
        return len(self._groups[parent.row()][1])

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        group = index.internalId()
        if group == 0:
            scope = self._groups[index.row()][0]
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return scope.label if index.column() == ACTION_COLUMN else ""
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            return None
        found, keys = self._groups[group - 1][1][index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (found.label, keys or "—", found.description)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return found.description
        if role == ShortcutRole:
            return found
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(HEADERS)):
            return HEADERS[section]
        return None

    def shortcut_count(self) -> int:
        return sum(len(rows) for _scope, rows in self._groups)


class ShortcutFilter(QSortFilterProxyModel):
    """Words typed match a shortcut's name, keys or description, or its group's name
    (which keeps the whole group); a matching shortcut keeps its group's row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._words: tuple[str, ...] = ()

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._words = tuple(text.casefold().split())
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        text = " ".join(str(model.data(model.index(source_row, column, source_parent)) or "")
                        for column in range(model.columnCount(source_parent))).casefold()
        return all(word in text for word in self._words)


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts_dialog")
        self.setAccessibleName("Keyboard shortcuts")
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(760, 620)

        self.search = QLineEdit(self)
        self.search.setObjectName("shortcuts_search")
        self.search.setAccessibleName("Search shortcuts")
        self.search.setPlaceholderText("Search by name, key or what it does…")
        self.search.setClearButtonEnabled(True)

        self.model = ShortcutTreeModel(parent=self)
        self.proxy = ShortcutFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTreeView(self)
        self.view.setObjectName("shortcuts_view")
        self.view.setAccessibleName("Shortcuts")
        self.view.setModel(self.proxy)
        self.view.setRootIsDecorated(False)
        self.view.setItemsExpandable(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(ACTION_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(KEYS_COLUMN, QHeaderView.ResizeMode.ResizeToContents)

        self.empty_label = QLabel("No shortcut matches.", self)
        self.empty_label.setObjectName("shortcuts_empty")
        self.empty_label.hide()
        self.about_label = QLabel(f"{APP_NAME} {__version__} · Qt {qVersion()}", self)
        self.about_label.setObjectName("shortcuts_about")
        self.about_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("shortcuts_buttons")
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("shortcuts_close")
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.about_label)
        layout.addWidget(buttons)

        self.search.textChanged.connect(self._on_search_text_changed)
        self._show_groups()
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def visible_shortcuts(self) -> list[Shortcut]:
        """The shortcuts the list shows now, top to bottom."""
        shown = []
        for group in range(self.proxy.rowCount()):
            parent = self.proxy.index(group, 0)
            for row in range(self.proxy.rowCount(parent)):
                found = self.proxy.index(row, 0, parent).data(ShortcutRole)
                if isinstance(found, Shortcut):
                    shown.append(found)
        return shown

    def _show_groups(self) -> None:
        """Groups open, their names across the whole row (spans are per proxy row, so
        again after every search)."""
        self.view.expandAll()
        for group in range(self.proxy.rowCount()):
            self.view.setFirstColumnSpanned(group, QModelIndex(), True)
        self.empty_label.setVisible(self.proxy.rowCount() == 0)

    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._show_groups()
