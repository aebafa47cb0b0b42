"""The Companies section: the companies people belong to, created and renamed here.

A company scopes who may share workunits with whom and whose inventory is whose; its
people are set in People.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktopdesk.domain.admin_queries import CompanyRow
from desktopdesk.domain.commands import Command, CreateCompany, UpdateCompany
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.admin.org_form import RecordForm, TableSection, add_row
from desktopdesk.ui.admin.org_source import load_companies
from desktopdesk.ui.admin.section import SectionAccess
from desktopdesk.ui.tasks import TaskRunner
from desktopdesk.ui.ticket_tab_models import EntryTableModel


class CompanyTableModel(EntryTableModel[CompanyRow]):
    NAME, PEOPLE = range(2)
    HEADERS = ("Company", "People")

    def text(self, entry: CompanyRow, column: int) -> str:
        return entry.name if column == self.NAME else str(entry.people)

    def sort_key(self, entry: CompanyRow, column: int) -> Any:
        return entry.name.casefold() if column == self.NAME else entry.people

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return (Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                if column == self.PEOPLE else None)


class CompanyForm(RecordForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("company_form", "Company", parent)
        self.name_edit = self.line_edit("name", "Company name", 200)
        self.first_input = self.name_edit
        add_row(self.rows, self.errors, "&Name:", "name", self.name_edit)
        self.finish()

    def show_company(self, company: CompanyRow | None) -> None:
        self.start(company, company.name if company is not None else "New company",
                   "Create company")
        self.name_edit.setText(company.name if company is not None else "")

    def command(self) -> Command:
        if self.record is None:
            return CreateCompany(name=self.name_edit.text())
        return UpdateCompany(company_id=self.record.id, name=self.name_edit.text())


class CompaniesSection(TableSection):
    title = "Companies"
    icon = "mdi6.domain"
    access = SectionAccess.SETUP
    NOTHING_CHOSEN = "Choose a company, or create one"

    def __init__(self, workspace: Workspace, user_id: uuid.UUID, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(workspace, user_id, runner, parent)
        self.setObjectName("companies_section")
        self.setAccessibleName("Companies")
        self.company_form = CompanyForm(self)
        self.lay_out(CompanyTableModel(self), self.company_form, "companies", "New company",
                     "mdi6.domain-plus")

    def read(self) -> Callable[[], Any]:
        return partial(load_companies, self.workspace)

    def entries(self, page: Any) -> Sequence[CompanyRow]:
        return tuple(page)

    def fill(self, record: Any) -> None:
        self.company_form.show_company(record)

    def command(self) -> Command:
        return self.company_form.command()
