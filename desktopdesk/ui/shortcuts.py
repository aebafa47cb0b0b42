"""Every keyboard shortcut of the app, declared once: what the help dialog lists, what
``make_action`` builds, and what the tests check for clashes.

A shortcut belongs to a ``Scope``: where it works. Scopes nest (the workunit editor sits
in the ticket view, which sits in the main window), and a key may be used twice only
in scopes that never both apply: Return opens a ticket in the list but is a new line in
the editor. Keys are stored as Qt's standard keys or as portable text ("Ctrl+Shift+W")
and turned into ``QKeySequence`` only when asked, because a standard key's binding
depends on the platform and needs the application to exist.

Choices that are not Qt's standard keys, and why:

- Next / previous ticket are Ctrl+. and Ctrl+, as in Outlook (next / previous item),
  the desktop client help-desk people are most likely to know. Thunderbird's F and B
  and the web help desks' J and K are single letters, which a desktop app can only
  offer where nobody is typing. Alt+Down would take over combo boxes (Qt opens their
  list with it, and the ticket view is full of them) and Ctrl+Down moves the current
  row of a list without selecting it; both are taken.
- New workunit is Ctrl+Shift+W ("workunit"): the mail clients' Ctrl+R (reply) is
  Refresh in Qt's GNOME and macOS tables, and Ctrl+Shift+W is no Qt standard key.
- The workunit editor's "Add" keeps Ctrl+Enter, as chat and mail composers send.
- The SLA report is Ctrl+Shift+R ("report"): no Qt standard key, and Ctrl+R is Refresh
  in some of Qt's tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from desktopdesk.ui import palette
from desktopdesk.ui.ticket_source import SCOPES

StandardKey = QKeySequence.StandardKey


@dataclass(frozen=True)
class Scope:
    """Where shortcuts work, and the widget context their actions are given."""

    label: str
    context: Qt.ShortcutContext
    #: The scope this one sits inside: its shortcuts work here too.
    inside: Scope | None = None

    def chain(self) -> Iterator[Scope]:
        """This scope and every scope around it, innermost first."""
        scope: Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.inside

    def overlaps(self, other: Scope) -> bool:
        """True when a key pressed in one of them could reach the other's shortcut."""
        return other in self.chain() or self in other.chain()


#: Anywhere in the main window (the lead's ticket view is assumed to be inside it).
MAIN_WINDOW = Scope("Main window", Qt.ShortcutContext.WindowShortcut)
#: The ticket table has the focus (Return there would otherwise be taken from text fields).
TICKET_LIST = Scope("Ticket list", Qt.ShortcutContext.WidgetShortcut, MAIN_WINDOW)
TICKET_VIEW = Scope("Ticket view", Qt.ShortcutContext.WidgetWithChildrenShortcut, MAIN_WINDOW)
DETAILS_TAB = Scope("Ticket details", Qt.ShortcutContext.WidgetWithChildrenShortcut,
                    TICKET_VIEW)
FILES_TAB = Scope("Ticket files", Qt.ShortcutContext.WidgetWithChildrenShortcut, TICKET_VIEW)
WORK_ORDERS_TAB = Scope("Ticket work orders", Qt.ShortcutContext.WidgetWithChildrenShortcut,
                        TICKET_VIEW)
WORKUNIT_EDITOR = Scope("Workunit editor", Qt.ShortcutContext.WidgetWithChildrenShortcut,
                        TICKET_VIEW)
#: Every rich-text field (a workunit, a ticket's description, an epilogue) has a toolbar.
TEXT_FORMATTING = Scope("Text formatting", Qt.ShortcutContext.WidgetWithChildrenShortcut,
                        TICKET_VIEW)
#: Windows of their own: the main window's shortcuts do not reach them.
NEW_TICKET_DIALOG = Scope("New ticket dialog", Qt.ShortcutContext.WindowShortcut)
SYNC_PANEL = Scope("Sync panel", Qt.ShortcutContext.WindowShortcut)
WORK_ORDER_VIEWER = Scope("Work-order viewer", Qt.ShortcutContext.WindowShortcut)
SCAN_DIALOG = Scope("Signed scan dialog", Qt.ShortcutContext.WindowShortcut)
#: The page keys work where the pages are (Ctrl+Left moves a page there, and would move
#: a word in a text field).
SCAN_PAGES = Scope("Signed scan pages", Qt.ShortcutContext.WidgetShortcut, SCAN_DIALOG)
#: A PDF's pages (a work order, its signed scan, the template preview), in windows of
#: their own.
PDF_VIEW = Scope("Document pages", Qt.ShortcutContext.WidgetWithChildrenShortcut)
SCOPE_ORDER = (MAIN_WINDOW, TICKET_LIST, TICKET_VIEW, DETAILS_TAB, FILES_TAB, WORK_ORDERS_TAB,
               WORKUNIT_EDITOR, TEXT_FORMATTING, NEW_TICKET_DIALOG, SYNC_PANEL, PDF_VIEW,
               WORK_ORDER_VIEWER, SCAN_DIALOG, SCAN_PAGES)


@dataclass(frozen=True)
class Shortcut:
    """One command and its keys. ``standard`` wins where the platform binds it; ``keys``
    (portable text) are used otherwise, and alone when there is no standard key."""

    key: str
    label: str
    scope: Scope
    description: str
    standard: StandardKey | None = None
    keys: tuple[str, ...] = ()
    #: qtawesome name for menus and toolbars; empty for none.
    icon: str = ""
    #: A key Qt's widgets handle themselves (F2 in an item view): listed for the help,
    #: but there is no action to make. Others may be made by their widget's own code
    #: (the formatting toolbar, a tab) or by ``make_action``; the tests hold both to this
    #: table.
    built_in: bool = False

    def sequences(self) -> list[QKeySequence]:
        """Every key sequence that triggers it here, the preferred one first."""
        if self.standard is not None:
            bound = QKeySequence.keyBindings(self.standard)
            if bound:
                return bound
        return [QKeySequence(text) for text in self.keys]

    def native_text(self) -> str:
        """The preferred keys as this platform writes them ("Ctrl+F", "⌘F"); "" if none."""
        sequences = self.sequences()
        if not sequences:
            return ""
        return sequences[0].toString(QKeySequence.SequenceFormat.NativeText)


def _scope_shortcuts() -> tuple[Shortcut, ...]:
    """Ctrl+1, Ctrl+2, …: one per ticket list, in the order the window lists them."""
    return tuple(Shortcut(f"show_{scope.key}", scope.label, MAIN_WINDOW,
                          f"Show the list “{scope.label}”.", keys=(f"Ctrl+{row}",))
                 for row, scope in enumerate(SCOPES, start=1))


SHORTCUTS: tuple[Shortcut, ...] = (
    # --- Main window -----------------------------------------------------------------------
    Shortcut("new_ticket", "New ticket", MAIN_WINDOW, "File a new ticket.",
             standard=StandardKey.New, keys=("Ctrl+N",), icon="mdi6.ticket-outline"),
    Shortcut("find_tickets", "Search tickets", MAIN_WINDOW,
             "Go to the search box above the ticket list, its text selected.",
             standard=StandardKey.Find, keys=("Ctrl+F",), icon="mdi6.magnify"),
    Shortcut("next_ticket", "Next ticket", MAIN_WINDOW,
             "Select the next ticket of the list; an open ticket view follows.",
             keys=("Ctrl+.",), icon="mdi6.chevron-down"),
    Shortcut("previous_ticket", "Previous ticket", MAIN_WINDOW,
             "Select the previous ticket of the list; an open ticket view follows.",
             keys=("Ctrl+,",), icon="mdi6.chevron-up"),
    Shortcut("refresh", "Refresh", MAIN_WINDOW,
             "Read the list again and, on a copy linked to a server, sync now.",
             standard=StandardKey.Refresh, keys=("F5",), icon="mdi6.refresh"),
    *_scope_shortcuts(),
    Shortcut("sla_report", "SLA report", MAIN_WINDOW,
             "Open the SLA report: compliance, violations and response times by group "
             "and owner, computed from this desktop's tickets.",
             keys=("Ctrl+Shift+R",), icon="mdi6.chart-box-outline"),
    Shortcut("help", "Keyboard shortcuts", MAIN_WINDOW,
             "List these shortcuts.", standard=StandardKey.HelpContents, keys=("F1",),
             icon="mdi6.keyboard-outline"),
    Shortcut("quit", "Quit", MAIN_WINDOW, "Close DesktopDesk (drafts are kept).",
             standard=StandardKey.Quit, keys=("Ctrl+Q",), icon="mdi6.exit-to-app"),
    # --- Ticket list -----------------------------------------------------------------------
    Shortcut("open_ticket", "Open ticket", TICKET_LIST, "Open the selected ticket.",
             keys=("Return", "Enter"), icon="mdi6.open-in-app"),
    Shortcut("quick_edit", "Quick edit", TICKET_LIST,
             "Change the owner, priority or status in the current cell (if quick edit "
             "is on).", keys=("F2",), built_in=True),
    # --- Ticket view -----------------------------------------------------------------------
    Shortcut("new_workunit", "New workunit", TICKET_VIEW,
             "Go to the workunit editor to write what was done.",
             keys=("Ctrl+Shift+W",), icon="mdi6.comment-plus-outline"),
    Shortcut("generate_work_order", "Generate work order", TICKET_VIEW,
             "Print the ticket's work order and keep it on the ticket (Work orders tab).",
             keys=("Ctrl+Shift+P",), icon="mdi6.file-document-plus-outline"),
    # --- Ticket details and files ----------------------------------------------------------
    Shortcut("save_details", "Save ticket", DETAILS_TAB,
             "Save the changes to the ticket's fields (drafts save themselves).",
             standard=StandardKey.Save, keys=("Ctrl+S",)),
    Shortcut("open_file", "Open file", FILES_TAB, "Open the selected file.",
             standard=StandardKey.Open, keys=("Ctrl+O",)),
    Shortcut("save_file_as", "Save file as", FILES_TAB,
             "Save a copy of the selected file on this computer.",
             standard=StandardKey.SaveAs, keys=("Ctrl+Shift+S",)),
    Shortcut("add_files", "Add files", FILES_TAB, "Attach files to the ticket.",
             keys=("Ctrl+Shift+A", "Ins")),
    # --- Ticket work orders ------------------------------------------------------------------
    Shortcut("open_work_order", "Open work order", WORK_ORDERS_TAB,
             "Show the selected work order.", standard=StandardKey.Open, keys=("Ctrl+O",),
             icon="mdi6.file-eye-outline"),
    Shortcut("print_work_order", "Print work order", WORK_ORDERS_TAB,
             "Print the selected work order.", standard=StandardKey.Print, keys=("Ctrl+P",),
             icon="mdi6.printer-outline"),
    Shortcut("save_work_order_as", "Save work order as", WORK_ORDERS_TAB,
             "Save a copy of the selected work order's PDF on this computer.",
             standard=StandardKey.SaveAs, keys=("Ctrl+Shift+S",),
             icon="mdi6.content-save-outline"),
    Shortcut("validate_work_order", "Validate with signed scan", WORK_ORDERS_TAB,
             "Attach the photos or scans of the signed paper as the signed work order.",
             keys=("Ctrl+Shift+V",), icon="mdi6.file-sign"),
    Shortcut("open_signed_scan", "Open signed scan", WORK_ORDERS_TAB,
             "Show the signed copy of the selected work order.", keys=("Ctrl+Shift+O",),
             icon="mdi6.file-check-outline"),
    # --- Workunit editor --------------------------------------------------------------------
    Shortcut("add_workunit", "Add workunit", WORKUNIT_EDITOR,
             "Add the workunit as written.", keys=("Ctrl+Return", "Ctrl+Enter"),
             icon="mdi6.send"),
    # --- Text formatting (RichTextToolbar's) ------------------------------------------------
    Shortcut("bold", "Bold", TEXT_FORMATTING, "Bold text.", keys=("Ctrl+B",)),
    Shortcut("italic", "Italic", TEXT_FORMATTING, "Italic text.", keys=("Ctrl+I",)),
    Shortcut("underline", "Underline", TEXT_FORMATTING, "Underlined text.",
             keys=("Ctrl+U",)),
    Shortcut("bullet_list", "Bulleted list", TEXT_FORMATTING,
             "Start or end a bulleted list.", keys=("Ctrl+Shift+8",)),
    Shortcut("numbered_list", "Numbered list", TEXT_FORMATTING,
             "Start or end a numbered list.", keys=("Ctrl+Shift+7",)),
    Shortcut("link", "Link", TEXT_FORMATTING, "Link the selected text to a web page or "
             "an e-mail address.", keys=("Ctrl+K",)),
    Shortcut("image", "Insert image", TEXT_FORMATTING,
             "Insert a picture from a file (pasting one works too).",
             keys=("Ctrl+Shift+I",)),
    Shortcut("clear_formatting", "Clear formatting", TEXT_FORMATTING,
             "Back to plain text; pictures stay.", keys=("Ctrl+\\",)),
    # --- New ticket dialog ------------------------------------------------------------------
    Shortcut("create_ticket", "Create ticket", NEW_TICKET_DIALOG,
             "File the ticket as filled in.", keys=("Ctrl+Return", "Ctrl+Enter")),
    # --- Sync panel ------------------------------------------------------------------------
    Shortcut("sync_now", "Sync now", SYNC_PANEL,
             "Send waiting changes and fetch the server's.",
             standard=StandardKey.Refresh, keys=("F5",)),
    # --- Document pages (pdf_view) ------------------------------------------------------------
    Shortcut("pdf_zoom_in", "Zoom in", PDF_VIEW, "Show the pages larger.",
             standard=StandardKey.ZoomIn, keys=("Ctrl++",), icon="mdi6.magnify-plus-outline"),
    Shortcut("pdf_zoom_in_unshifted", "Zoom in (no Shift)", PDF_VIEW,
             "Zoom in without Shift, on keyboards where + and = share a key.",
             keys=("Ctrl+=",)),
    Shortcut("pdf_zoom_out", "Zoom out", PDF_VIEW, "Show the pages smaller.",
             standard=StandardKey.ZoomOut, keys=("Ctrl+-",),
             icon="mdi6.magnify-minus-outline"),
    Shortcut("pdf_actual_size", "Actual size", PDF_VIEW,
             "Show the pages at their printed size (100 %).", keys=("Ctrl+0",)),
    Shortcut("pdf_fit_width", "Fit width", PDF_VIEW,
             "Fit the pages to the width of the view.", keys=("Ctrl+9",),
             icon="mdi6.arrow-expand-horizontal"),
    # --- Work-order viewer -------------------------------------------------------------------
    Shortcut("viewer_print", "Print", WORK_ORDER_VIEWER, "Print the document shown.",
             standard=StandardKey.Print, keys=("Ctrl+P",), icon="mdi6.printer-outline"),
    Shortcut("viewer_save_as", "Save as", WORK_ORDER_VIEWER,
             "Save a copy of the PDF shown on this computer.",
             standard=StandardKey.SaveAs, keys=("Ctrl+Shift+S",),
             icon="mdi6.content-save-outline"),
    # --- Signed scan dialog ------------------------------------------------------------------
    Shortcut("scan_add_files", "Add files", SCAN_DIALOG,
             "Add photos or scans of the signed paper (PDF, JPEG, PNG, TIFF).",
             standard=StandardKey.Open, keys=("Ctrl+O",), icon="mdi6.file-plus-outline"),
    Shortcut("scan_rotate_left", "Rotate left", SCAN_PAGES,
             "Turn the selected pages a quarter turn to the left.", keys=("Ctrl+L",),
             icon="mdi6.rotate-left"),
    Shortcut("scan_rotate_right", "Rotate right", SCAN_PAGES,
             "Turn the selected pages a quarter turn to the right.", keys=("Ctrl+R",),
             icon="mdi6.rotate-right"),
    Shortcut("scan_move_up", "Move earlier", SCAN_PAGES,
             "Move the selected pages one place earlier.", keys=("Ctrl+Left", "Ctrl+Up"),
             icon="mdi6.arrow-left-bold-outline"),
    Shortcut("scan_move_down", "Move later", SCAN_PAGES,
             "Move the selected pages one place later.", keys=("Ctrl+Right", "Ctrl+Down"),
             icon="mdi6.arrow-right-bold-outline"),
    Shortcut("scan_remove", "Remove pages", SCAN_PAGES, "Remove the selected pages.",
             standard=StandardKey.Delete, keys=("Del",), icon="mdi6.trash-can-outline"),
)

_BY_KEY = {shortcut.key: shortcut for shortcut in SHORTCUTS}
if len(_BY_KEY) != len(SHORTCUTS):  # pragma: no cover - a typo in the table above
    raise RuntimeError("two shortcuts share a key name")


def shortcut(key: str) -> Shortcut:
    """The shortcut named ``key``; KeyError if there is none."""
    return _BY_KEY[key]


def in_scope(scope: Scope) -> tuple[Shortcut, ...]:
    return tuple(s for s in SHORTCUTS if s.scope == scope)


@dataclass(frozen=True)
class Clash:
    first: Shortcut
    second: Shortcut
    keys: str  # the sequence both answer to, in portable text


def clashes(shortcuts: tuple[Shortcut, ...] = SHORTCUTS) -> list[Clash]:
    """Pairs that answer to the same keys where both can apply; Qt would trigger
    neither and log "Ambiguous shortcut overload"."""
    found = []
    for index, first in enumerate(shortcuts):
        first_keys = {seq.toString() for seq in first.sequences()}
        for second in shortcuts[index + 1:]:
            if not first.scope.overlaps(second.scope):
                continue
            for text in sorted(first_keys & {seq.toString() for seq in second.sequences()}):
                found.append(Clash(first, second, text))
    return found


def make_action(shortcut_key: str, parent: QObject,
                slot: Callable[[], object] | None = None) -> QAction:
    """A QAction for the registry's ``shortcut_key``: named ``action_<key>``, with its
    label, keys, the context of its scope, a tooltip naming the keys and the description
    as status tip. Added to ``parent`` when it is a widget, so the keys work at once
    (putting it in a menu as well is fine)."""
    found = shortcut(shortcut_key)
    if found.built_in:
        raise ValueError(f"{shortcut_key!r} is a key Qt's widgets handle, not an action")
    action = QAction(found.label, parent)
    if found.icon:
        action.setIcon(palette.icon(found.icon))
    action.setObjectName(f"action_{found.key}")
    action.setShortcuts(found.sequences())
    action.setShortcutContext(found.scope.context)
    native = found.native_text()
    action.setToolTip(f"{found.label} ({native})" if native else found.label)
    action.setStatusTip(found.description)
    if slot is not None:
        action.triggered.connect(slot)
    if isinstance(parent, QWidget):
        parent.addAction(action)
    return action
