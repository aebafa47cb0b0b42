"""The formatting toolbar of a rich-text field: bold, italic, underline, lists, links,
images and clear formatting, each with the shortcut people expect from word processors.

It only formats; what is allowed to be stored (tags, link schemes) is the sanitiser's
business (``desktopdesk.domain.html``), which it asks rather than repeats.
"""

from __future__ import annotations

import html as html_escape
from collections.abc import Iterator

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QFont,
    QKeySequence,
    QPalette,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextListFormat,
)
from PySide6.QtWidgets import QInputDialog, QLineEdit, QTextEdit, QToolBar, QWidget

from desktopdesk.domain.html import sanitize_html
from desktopdesk.ui import messages, palette


def ask_link_url(parent: QWidget, current: str) -> str | None:
    """The address typed, or None if cancelled (a module function so tests can answer)."""
    text, accepted = QInputDialog.getText(parent, "Link", "Address (web page or e-mail):",
                                          QLineEdit.EchoMode.Normal, current)
    return text if accepted else None


def normalise_link(typed: str) -> str | None:
    """``typed`` as a link the sanitiser keeps, guessing the scheme people leave out;
    None when it names a scheme that is not allowed (``javascript:``, ``file:``)."""
    url = typed.strip()
    if ":" not in url.split("/", 1)[0]:
        url = f"mailto:{url}" if "@" in url and "/" not in url else f"https://{url}"
    kept = sanitize_html(f'<a href="{html_escape.escape(url, quote=True)}">x</a>')
    return url if "href=" in kept else None


class RichTextToolbar(QToolBar):
    """Acts on ``edit``; add ``actions()`` to the widget around it so the shortcuts work
    while typing (they are scoped to that widget and its children)."""

    #: The image button was pressed: the owner picks a file and inserts it.
    image_requested = Signal()

    def __init__(self, edit: QTextEdit, parent: QWidget | None = None) -> None:
        super().__init__("Formatting", parent)
        self._edit = edit
        self.setObjectName("rich_text_toolbar")
        self.setAccessibleName("Text formatting")
        self.setIconSize(QSize(18, 18))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.bold = self._add("bold", "Bold", "mdi6.format-bold", "Ctrl+B", checkable=True)
        self.italic = self._add("italic", "Italic", "mdi6.format-italic", "Ctrl+I",
                                checkable=True)
        self.underline = self._add("underline", "Underline", "mdi6.format-underline", "Ctrl+U",
                                   checkable=True)
        self.addSeparator()
        self.bullet_list = self._add("bullet_list", "Bulleted list",
                                     "mdi6.format-list-bulleted", "Ctrl+Shift+8", checkable=True)
        self.numbered_list = self._add("numbered_list", "Numbered list",
                                       "mdi6.format-list-numbered", "Ctrl+Shift+7",
                                       checkable=True)
        self.addSeparator()
        self.link = self._add("link", "Link", "mdi6.link-variant", "Ctrl+K")
        self.image = self._add("image", "Insert image", "mdi6.image-plus-outline",
                               "Ctrl+Shift+I")
        self.clear_formatting = self._add("clear_formatting", "Clear formatting",
                                          "mdi6.format-clear", "Ctrl+\\")

        self.bold.triggered.connect(self._on_bold_triggered)
        self.italic.triggered.connect(self._on_italic_triggered)
        self.underline.triggered.connect(self._on_underline_triggered)
        self.bullet_list.triggered.connect(self._on_bullet_list_triggered)
        self.numbered_list.triggered.connect(self._on_numbered_list_triggered)
        self.link.triggered.connect(self._on_link_triggered)
        self.image.triggered.connect(self.image_requested)
        self.clear_formatting.triggered.connect(self._on_clear_formatting_triggered)
        edit.currentCharFormatChanged.connect(self._on_edit_current_char_format_changed)
        edit.cursorPositionChanged.connect(self._on_edit_cursor_position_changed)

    def _add(self, key: str, label: str, icon: str, shortcut: str, *,
             checkable: bool = False) -> QAction:
        action = QAction(palette.icon(icon), label, self)
        action.setObjectName(f"action_{key}")
        sequence = QKeySequence(shortcut)
        action.setShortcut(sequence)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setCheckable(checkable)
        native = sequence.toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{label} ({native})")
        self.addAction(action)
        button = self.widgetForAction(action)
        button.setObjectName(f"button_{key}")
        button.setAccessibleName(label)
        return action

    # --- Character formats ----------------------------------------------------------------

    @Slot(bool)
    def _on_bold_triggered(self, checked: bool) -> None:
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold if checked else QFont.Weight.Normal)
        self._edit.mergeCurrentCharFormat(fmt)

    @Slot(bool)
    def _on_italic_triggered(self, checked: bool) -> None:
        fmt = QTextCharFormat()
        fmt.setFontItalic(checked)
        self._edit.mergeCurrentCharFormat(fmt)

    @Slot(bool)
    def _on_underline_triggered(self, checked: bool) -> None:
        fmt = QTextCharFormat()
        fmt.setFontUnderline(checked)
        self._edit.mergeCurrentCharFormat(fmt)

    @Slot()
    def _on_clear_formatting_triggered(self) -> None:
        """Plain text again, links included; pictures stay (their format *is* the image)."""
        cursor = self._edit.textCursor()
        if not cursor.hasSelection():
            self._edit.setCurrentCharFormat(QTextCharFormat())
            return
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        cursor.beginEditBlock()
        try:
            for block in _blocks_between(self._edit, start, end):
                for piece in block.textFormats():
                    if piece.format.isImageFormat():
                        continue
                    lo = max(start, block.position() + piece.start)
                    hi = min(end, block.position() + piece.start + piece.length)
                    if lo < hi:
                        part = QTextCursor(self._edit.document())
                        part.setPosition(lo)
                        part.setPosition(hi, QTextCursor.MoveMode.KeepAnchor)
                        part.setCharFormat(QTextCharFormat())
        finally:
            cursor.endEditBlock()
        self._on_edit_current_char_format_changed(self._edit.currentCharFormat())

    # --- Lists ----------------------------------------------------------------------------

    @Slot()
    def _on_bullet_list_triggered(self) -> None:
        self._toggle_list(QTextListFormat.Style.ListDisc)

    @Slot()
    def _on_numbered_list_triggered(self) -> None:
        self._toggle_list(QTextListFormat.Style.ListDecimal)

    def _toggle_list(self, style: QTextListFormat.Style) -> None:
        cursor = self._edit.textCursor()
        current = cursor.currentList()
        cursor.beginEditBlock()
        try:
            if current is not None and current.format().style() == style:
                start, end = cursor.selectionStart(), cursor.selectionEnd()
                for block in _blocks_between(self._edit, start, end):
                    text_list = block.textList()
                    if text_list is not None:
                        text_list.remove(block)
                        unindent = QTextCursor(block)
                        block_format = unindent.blockFormat()
                        block_format.setIndent(0)
                        unindent.setBlockFormat(block_format)
            elif current is not None:
                list_format = current.format()
                list_format.setStyle(style)
                current.setFormat(list_format)
            else:
                list_format = QTextListFormat()
                list_format.setStyle(style)
                cursor.createList(list_format)
        finally:
            cursor.endEditBlock()
        self._on_edit_cursor_position_changed()

    # --- Links ----------------------------------------------------------------------------

    @Slot()
    def _on_link_triggered(self) -> None:
        cursor = self._edit.textCursor()
        typed = ask_link_url(self, cursor.charFormat().anchorHref())
        if typed is None:
            return
        if not typed.strip():  # an emptied address removes the link
            fmt = QTextCharFormat()
            fmt.setAnchor(False)
            fmt.setAnchorHref("")
            fmt.setFontUnderline(False)
            fmt.setForeground(self.palette().brush(QPalette.ColorRole.Text))
            self._edit.mergeCurrentCharFormat(fmt)
            return
        url = normalise_link(typed)
        if url is None:
            messages.warning(self, "Links may point to web pages (http, https) or to e-mail "
                                   "addresses (mailto).", title="Link not added")
            return
        fmt = QTextCharFormat()
        fmt.setAnchor(True)
        fmt.setAnchorHref(url)
        fmt.setFontUnderline(True)
        fmt.setForeground(self.palette().brush(QPalette.ColorRole.Link))
        if cursor.hasSelection():
            self._edit.mergeCurrentCharFormat(fmt)
            return
        before = self._edit.currentCharFormat()
        link_format = QTextCharFormat(before)
        link_format.merge(fmt)
        cursor.insertText(url, link_format)
        self._edit.setTextCursor(cursor)
        self._edit.setCurrentCharFormat(before)  # what is typed next is not part of the link

    # --- Keeping the buttons in step with the text ----------------------------------------

    @Slot(QTextCharFormat)
    def _on_edit_current_char_format_changed(self, fmt: QTextCharFormat) -> None:
        self.bold.setChecked(fmt.fontWeight() > QFont.Weight.Medium.value)
        self.italic.setChecked(fmt.fontItalic())
        self.underline.setChecked(fmt.fontUnderline() and not fmt.isAnchor())

    @Slot()
    def _on_edit_cursor_position_changed(self) -> None:
        current = self._edit.textCursor().currentList()
        style = current.format().style() if current is not None else None
        self.bullet_list.setChecked(style == QTextListFormat.Style.ListDisc)
        self.numbered_list.setChecked(style == QTextListFormat.Style.ListDecimal)


def _blocks_between(edit: QTextEdit, start: int, end: int) -> Iterator[QTextBlock]:
    document = edit.document()
    block = document.findBlock(start)
    last = document.findBlock(end)
    while block.isValid():
        yield block
        if block == last:
            return
        block = block.next()
