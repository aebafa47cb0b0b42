"""The ticket's Work orders tab: print the work order, see it, and bring back the signed
paper as its validation.

The list (``work_orders_source.load_work_orders``) is read on the runner while the tab
is shown, as the SLA tab reads its report (``LazyReportTab``), so it follows each read
of the ticket. Generating and validating run on the runner too, through
``documents.work_orders`` (one command each, offline included); both change the
ticket's files, so the tab says ``work_orders_changed`` and the ticket view reads the
ticket again. What a template could not fill in (unknown macros, pictures left out)
shows in a strip above the list after generating (``TemplateProblemsStrip``): the paper
is printed anyway. Its parts have modules of their own: the commands and their keys
(``WorkOrderActions``), the template drop-down (``TemplateBox``), and the viewers that
show, print and save the PDFs (``WorkOrderDocuments``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktopdesk.documents.work_orders import (
    GeneratedWorkOrder,
    generate_work_order,
    validate_work_order,
)
from desktopdesk.domain.errors import DomainError
from desktopdesk.domain.ticket_details import TicketDetails
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui import messages, palette, work_orders_source
from desktopdesk.ui.scan_dialog import ScanDialog
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_list_format import long_date
from desktopdesk.ui.ticket_sla_tab import LazyReportTab
from desktopdesk.ui.ticket_tab_views import EntryTable
from desktopdesk.ui.work_order_actions import WorkOrderActions
from desktopdesk.ui.work_order_documents import WorkOrderDocuments
from desktopdesk.ui.work_order_problems import TemplateProblemsStrip
from desktopdesk.ui.work_order_template_box import TemplateBox
from desktopdesk.ui.work_order_viewer import WorkOrderViewer, choose_pdf_path
from desktopdesk.ui.work_orders_model import WorkOrdersModel
from desktopdesk.ui.work_orders_source import WorkOrderItem, WorkOrdersData

log = logging.getLogger("desktopdesk.ui.work_orders")

_PAGE_MESSAGE, _PAGE_LIST = range(2)
_COLUMN_SAMPLES = {
    WorkOrdersModel.TEMPLATE: "Standard work order",
    WorkOrdersModel.GENERATED_BY: "Javier Delgado",
    WorkOrdersModel.GENERATED: "2026/12/31 23:59:59",
    WorkOrdersModel.STATE: "Validated by Javier Delgado on 2026/12/31 23:59:59",
}
_EMPTY = ("No work orders yet.\nGenerate one to print it for the customer to sign; "
          "the signed paper comes back with “Validate with signed scan…”.")


class WorkOrdersTab(LazyReportTab):
    #: A work order was generated or validated: the ticket's files changed.
    work_orders_changed = Signal(object)
    #: A work order was generated: the ``GeneratedWorkOrder``.
    generated = Signal(object)
    #: A viewer was opened (the dialog), for tests and the ticket view.
    viewer_opened = Signal(object)

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("ticket_work_orders_tab")
        self.setAccessibleName("Work orders")
        self.data: WorkOrdersData | None = None
        self._generating = 0
        self._select_after: uuid.UUID | None = None
        self.scan_dialog: ScanDialog | None = None
        self.documents = WorkOrderDocuments(workspace, runner, self)
        self._build()
        self._connect()
        self._update_actions()

    def reader(self, ticket_id: uuid.UUID) -> Callable[[], Any]:
        return partial(work_orders_source.load_work_orders, self.workspace, self.user_id,
                       ticket_id)

    # --- Building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.commands = WorkOrderActions(self)
        self.generate_action = self.commands.generate
        self.open_action = self.commands.open
        self.print_action = self.commands.print
        self.save_action = self.commands.save
        self.validate_action = self.commands.validate
        self.open_signed_action = self.commands.open_signed

        self.template_label = QLabel("Template:", self)
        self.template_label.setObjectName("work_order_template_label")
        self.template_box = TemplateBox(self)
        self.template_label.setBuddy(self.template_box)
        self.generate_button = WorkOrderActions.button(
            self, self.generate_action, "button_generate_work_order", "Generate work order")
        font = self.generate_button.font()
        font.setBold(True)
        self.generate_button.setFont(font)
        self.status = QLabel(self)
        self.status.setObjectName("work_orders_status")
        palette.set_style(self.status, "QLabel#work_orders_status { color: $muted_text; }")

        top = QHBoxLayout()
        top.addWidget(self.template_label)
        top.addWidget(self.template_box)
        top.addWidget(self.generate_button)
        top.addStretch(1)
        top.addWidget(self.status)

        actions, buttons = self.commands.action_row(self)
        self.open_button = buttons["open"]
        self.print_button = buttons["print"]
        self.save_button = buttons["save"]
        self.validate_button = buttons["validate"]
        self.open_signed_button = buttons["open_signed"]
        self.problems = TemplateProblemsStrip(self)

        self.pages = QStackedWidget(self)
        self.pages.setObjectName("work_orders_pages")
        message_page = QWidget(self.pages)
        self.message_icon = QLabel(message_page)
        self.message_icon.setObjectName("work_orders_message_icon")
        self.message_icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        palette.set_icon(self.message_icon, palette.icon("mdi6.file-document-outline",
                                                         color=palette.muted_text),
                         QSize(48, 48))
        self.message = QLabel(message_page)
        self.message.setObjectName("work_orders_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        message_layout = QVBoxLayout(message_page)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message_icon)
        message_layout.addWidget(self.message)
        message_layout.addStretch(2)

        self.model = WorkOrdersModel(self)
        self.table = EntryTable(self.model, "work_orders_table", "Work orders of the ticket",
                                self.pages, stretch_column=WorkOrdersModel.FILE)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.fit_columns(_COLUMN_SAMPLES)
        self.pages.addWidget(message_page)
        self.pages.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.problems)
        layout.addWidget(self.pages, 1)

    def _connect(self) -> None:
        self.generate_action.triggered.connect(self._on_generate_action_triggered)
        self.open_action.triggered.connect(self._on_open_action_triggered)
        self.print_action.triggered.connect(self._on_print_action_triggered)
        self.save_action.triggered.connect(self._on_save_action_triggered)
        self.validate_action.triggered.connect(self._on_validate_action_triggered)
        self.open_signed_action.triggered.connect(self._on_open_signed_action_triggered)
        self.documents.viewer_opened.connect(self.viewer_opened)
        self.documents.status_changed.connect(self.status.setText)
        self.table.activated.connect(self._on_table_activated)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu_requested)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)

    # --- What is shown --------------------------------------------------------------------

    def show_details(self, details: TicketDetails) -> None:
        if details.id != self.ticket_id:
            # The previous ticket's options and choice must not print this one
            # (Ctrl+Shift+P generates before the list is read).
            self.data = None
            self.template_box.forget()
        super().show_details(details)
        self._update_actions()  # Generate works before the list is read (Ctrl+Shift+P)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentIndex(_PAGE_MESSAGE)
        self._update_actions()

    def show_data(self, data: Any) -> None:
        assert isinstance(data, WorkOrdersData)
        same_ticket = self.data is not None and self.data.ticket_id == data.ticket_id
        selected = self.current_item()
        keep = self._select_after or (selected.row.id if selected and same_ticket else None)
        self._select_after = None
        if not same_ticket:
            self.problems.hide()
        self.data = data
        self.template_box.show_options(data.templates, data.ticket_id)
        self.model.set_entries(data.items)
        if data.items:
            self.pages.setCurrentIndex(_PAGE_LIST)
            if keep is None or not self.table.select_first(lambda e: e.row.id == keep):
                self.table.select_first(lambda _entry: True)
        else:
            self.show_message(_EMPTY)
        self._update_actions()

    def current_item(self) -> WorkOrderItem | None:
        entry = self.table.current_entry()
        return entry if isinstance(entry, WorkOrderItem) else None

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        listed = self.pages.currentIndex() == _PAGE_LIST
        self.commands.update(self.current_item() if listed else None,
                             can_generate=self.ticket_id is not None and not self._generating,
                             validating=self.scan_dialog is not None)
        self.template_box.setEnabled(self.data is not None and not self._generating)

    def context_menu(self) -> QMenu:
        return self.commands.context_menu(self)

    @Slot(QPoint)
    def _on_table_context_menu_requested(self, position: QPoint) -> None:
        menu = self.context_menu()
        menu.exec(self.table.viewport().mapToGlobal(position))
        menu.deleteLater()

    # --- Generate -------------------------------------------------------------------------

    @Slot()
    def _on_generate_action_triggered(self) -> None:
        self.generate()

    def generate(self) -> None:
        """Print the work order with the template chosen, on the runner."""
        if self.ticket_id is None or self._generating:
            return
        self._generating += 1
        self.status.setText("Generating the work order…")
        self._update_actions()
        task = self.runner.run(partial(generate_work_order, self.workspace, self.user_id,
                                       self.ticket_id,
                                       template_id=self.template_box.chosen(self.ticket_id)))
        task.succeeded.connect(self._on_generate_task_succeeded)
        task.failed.connect(self._on_generate_task_failed)

    @Slot(object)
    def _on_generate_task_succeeded(self, result: GeneratedWorkOrder) -> None:
        self._generating -= 1
        document = result.document
        pages = document.rendered.page_count
        self.status.setText(f"Generated {document.file_name} "
                            f"({pages} page{'s' if pages != 1 else ''}).")
        self.problems.show_problems(document.file_name, document.rendered.problems)
        self._select_after = result.work_order_id
        self._update_actions()
        self.generated.emit(result)
        self.work_orders_changed.emit(document.ticket_id)
        if document.ticket_id == self.ticket_id:
            self.reload()

    @Slot(object)
    def _on_generate_task_failed(self, error: BaseException) -> None:
        self._generating -= 1
        self.status.setText("")
        self._update_actions()
        if isinstance(error, DomainError):
            messages.warning(self, error.message, title="Work order not generated")
        else:
            messages.error(self, "The work order could not be generated.",
                           details=str(error))

    # --- Open, print, save ----------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_table_activated(self, _index: QModelIndex) -> None:
        self.open_selected()

    @Slot()
    def _on_open_action_triggered(self) -> None:
        self.open_selected()

    @Slot()
    def _on_print_action_triggered(self) -> None:
        item = self.current_item()
        if item is not None:
            self.documents.print(item)

    @Slot()
    def _on_open_signed_action_triggered(self) -> None:
        self.open_signed()

    def open_selected(self) -> WorkOrderViewer | None:
        item = self.current_item()
        return None if item is None else self.documents.open(item)

    def open_signed(self) -> WorkOrderViewer | None:
        item = self.current_item()
        return None if item is None else self.documents.open_signed(item)

    @Slot()
    def _on_save_action_triggered(self) -> None:
        item = self.current_item()
        if item is None or not item.pdf_available:
            return
        target = choose_pdf_path(self, item.row.file_name)
        if target is not None:
            self.documents.save(item, target)

    def save_selected(self, target: Path) -> None:
        item = self.current_item()
        if item is not None:
            self.documents.save(item, target)

    # --- Validate -------------------------------------------------------------------------

    @Slot()
    def _on_validate_action_triggered(self) -> None:
        self.validate_selected()

    def validate_selected(self, **dialog_options: Any) -> ScanDialog | None:
        """Open the signed-scan dialog for the selected work order (not modal: the
        technician may look at the ticket meanwhile)."""
        item = self.current_item()
        if item is None or self.scan_dialog is not None:
            return None
        row = item.row
        replaces = None
        if row.validated:
            when = f" on {long_date(row.validated_at)}" if row.validated_at else ""
            replaces = f"attached by {row.validated_by}{when} (it stays among the files)"
        dialog = ScanDialog(
            self.workspace, self.runner,
            partial(validate_work_order, self.workspace, self.user_id, row.id),
            work_order_name=row.file_name, ticket_id=row.ticket_id, replaces=replaces,
            parent=self.window(), **dialog_options)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.validated.connect(partial(self._on_scan_dialog_validated, row.id, row.ticket_id))
        dialog.finished.connect(self._on_scan_dialog_finished)
        self.scan_dialog = dialog
        self._update_actions()
        dialog.show()
        return dialog

    def _on_scan_dialog_validated(self, work_order_id: uuid.UUID, ticket_id: uuid.UUID,
                                  result: object) -> None:
        pages = getattr(result, "page_count", 0)
        self.status.setText(f"Validated: the signed copy ({pages} page"
                            f"{'s' if pages != 1 else ''}) is attached." if pages
                            else "Validated: the signed copy is attached.")
        self._select_after = work_order_id
        self.work_orders_changed.emit(ticket_id)
        if ticket_id == self.ticket_id:
            self.reload()

    @Slot()
    def _on_scan_dialog_finished(self) -> None:
        self.scan_dialog = None
        self._update_actions()
