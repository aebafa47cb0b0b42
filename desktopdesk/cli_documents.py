"""``desktopdesk work-order``: print work orders to PDF files without opening the window.

For batch printing and for support: ``desktopdesk --data-dir DIR work-order 812 --out
order.pdf``, or several tickets into a folder. It reads the local store only (offline
works) and stores nothing: a work order printed here is not recorded on the ticket, as
printing a page of a report would not be. It prints what the workspace's own user may
see (the account a replica signed in with, a standalone workspace's administrator), or
``--user``'s.
"""

from __future__ import annotations

import argparse
import logging
import re
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from desktopdesk.store.workspace import Workspace

log = logging.getLogger("desktopdesk.cli")

BAD_INPUT = 2
FAILED = 1
_NUMBER = re.compile(r"#?(?P<local>[Ll])?(?P<n>[1-9][0-9]{0,9})")


class PrintError(Exception):
    """What stops a work order from being printed: one line on stderr, and the status."""

    def __init__(self, message: str, status: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.status = status


def add_commands(commands: Any) -> None:
    """``commands``: the parser's subcommands (argparse's private action type)."""
    work_order = commands.add_parser(
        "work-order", help="print tickets' work orders to PDF files",
        description="Print the work order of each ticket to a PDF, from this workspace "
                    "(offline too). Nothing is recorded on the tickets. With one ticket, "
                    "--out is the file; with several, an existing folder.")
    work_order.add_argument("numbers", metavar="NUMBER", nargs="+",
                            help="a ticket number (812 or #812; L3 for one numbered "
                                 "locally, not yet synced)")
    work_order.add_argument("--out", type=Path, required=True, metavar="PATH",
                            help="the PDF to write (one ticket) or the folder (several)")
    work_order.add_argument("--template", metavar="NAME",
                            help="print with this template instead of each ticket's own")


def print_work_orders(args: argparse.Namespace, workspace: Workspace,
                      user_id: uuid.UUID) -> list[str]:
    """Write the work orders ``args`` asks for; the lines to print (problems included).

    Everything is checked before anything is written, so a typo in the third number
    does not leave two files behind.
    """
    from desktopdesk.documents.work_order_pdf import WorkOrderError, write_pdf_atomically
    from desktopdesk.documents.work_orders import make_work_order
    from desktopdesk.domain.acl import load_permissions
    from desktopdesk.domain.errors import DomainError

    targets = _targets(args)
    lines: list[str] = []
    with workspace.read() as session:
        perms = load_permissions(session, user_id)
        template = _template(session, args.template)
        tickets = [(label, _ticket_id(session, label)) for label, _, _ in targets]
        documents = []
        for label, ticket_id in tickets:
            try:
                documents.append(make_work_order(session, perms, ticket_id, template=template))
            except DomainError:
                raise PrintError(f"no ticket {label} that this user may see.") from None
            except WorkOrderError as error:
                raise PrintError(f"{label}: {error}", FAILED) from None
    for (label, wanted, is_folder), document in zip(targets, documents, strict=True):
        path = wanted / document.file_name if is_folder else wanted
        try:
            write_pdf_atomically(path, document.rendered.pdf)
        except OSError as error:
            raise PrintError(f"cannot write {path}: {error.strerror or error}", FAILED) from None
        pages = document.rendered.page_count
        lines.append(f"{label}: {pages} page{'s' if pages != 1 else ''} "
                     f"({document.template.name}) -> {path}")
        lines += [f"  note: {problem}" for problem in document.rendered.problems]
        log.info("printed the work order of %s to %s", label, path)
    return lines


def _targets(args: argparse.Namespace) -> list[tuple[str, Path, bool]]:
    """Each ticket's label ("#812", "#L3"), where its PDF goes, and whether that is a
    folder (the file is then named after the ticket and the time)."""
    labels = []
    for raw in args.numbers:
        match = _NUMBER.fullmatch(raw.strip())
        if match is None:
            raise PrintError(f"{raw!r} is not a ticket number (812, #812, or L3 for one "
                             "numbered locally).")
        labels.append(f"#{'L' if match['local'] else ''}{match['n']}")
    out: Path = args.out
    if len(labels) == 1 and not out.is_dir():
        if out.suffix.lower() != ".pdf":
            raise PrintError(f"{out} should end in .pdf (or be an existing folder).")
        if not out.parent.is_dir():
            raise PrintError(f"the folder {out.parent} does not exist.")
        return [(labels[0], out, False)]
    if not out.is_dir():
        raise PrintError(f"with several tickets, --out is an existing folder; {out} is not.")
    return [(label, out, True) for label in labels]


def _ticket_id(session: Any, label: str) -> uuid.UUID:
    from desktopdesk.models import Ticket

    local = label.startswith("#L")
    number = int(label.removeprefix("#L" if local else "#"))
    column = Ticket.provisional_number if local else Ticket.number
    found = session.scalar(select(Ticket.id).where(column == number))
    if found is None:
        raise PrintError(f"no ticket {label} in this workspace.")
    return found


def _template(session: Any, name: str | None) -> Any:
    """The template called ``name`` (the system one by its name too); None: each ticket's."""
    from sqlalchemy import func

    from desktopdesk.documents.work_orders import (
        SYSTEM_TEMPLATE_NAME,
        load_template,
        system_template,
    )
    from desktopdesk.models import WorkOrderTemplate

    if name is None:
        return None
    if name.strip().casefold() == SYSTEM_TEMPLATE_NAME.casefold():
        return system_template()
    found = session.scalar(select(WorkOrderTemplate.id).where(
        func.lower(WorkOrderTemplate.name) == name.strip().lower()))
    if found is None:
        known = [SYSTEM_TEMPLATE_NAME, *session.scalars(
            select(WorkOrderTemplate.name).order_by(WorkOrderTemplate.name))]
        raise PrintError(f"no work-order template called {name!r} (templates: "
                         f"{', '.join(known)}).")
    return load_template(session, found)
