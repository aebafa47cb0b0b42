"""AttachFile: a file's metadata, once its bytes are safely in the blob store.

On the server, a command that came over the network (``ctx.remote_actor``) must also
show that its actor holds the bytes: knowing a file's SHA-256 is not knowing the file,
and an attachment lets anyone who sees the ticket download it. The actor holds them if
the server verified an upload of them from this actor (a ``BlobReceipt``) or if the actor
can already see an attachment with them (and could download it anyway). Until then the
refusal reads the same whether the server holds the bytes or not, so it tells nothing.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktopdesk.domain import acl, settings
from desktopdesk.domain.apply import Action, handles
from desktopdesk.domain.commands import AttachFile
from desktopdesk.domain.context import CommandResult
from desktopdesk.domain.errors import FORBIDDEN, VALIDATION, DomainError
from desktopdesk.domain.handlers.common import require_new_id, ticket_label, touch
from desktopdesk.domain.history import EventKind
from desktopdesk.models import Attachment, BlobReceipt, Ticket, Workunit, WorkunitShare

_SHA256 = re.compile(r"[0-9a-f]{64}")
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
MAX_NAME = 255


def clean_file_name(raw: str) -> str:
    """A display name only (never a path): last path part, no control characters."""
    name = re.split(r"[\\/]", raw)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in ("", ".", ".."):
        raise DomainError(VALIDATION, "The file needs a name.", "file_name")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) < 20 else (
            name[:MAX_NAME])
    return name


def sees_attachment_with(session: Session, perms: acl.Permissions, sha256: str) -> bool:
    """True when the actor sees an attachment with these bytes: its ticket, and its
    workunit if it has one (the rule for listing a ticket's files)."""
    seen_workunits = select(Workunit.id).where(acl.visible_workunits_anywhere_clause(perms))
    query = (select(Attachment.id)
             .join(Ticket, Ticket.id == Attachment.ticket_id)
             .where(Attachment.sha256 == sha256, acl.visible_tickets_clause(perms),
                    or_(Attachment.workunit_id.is_(None),
                        Attachment.workunit_id.in_(seen_workunits)))
             .limit(1))
    return session.scalar(query) is not None


def holds_receipt(session: Session, user_id: uuid.UUID, sha256: str) -> bool:
    return session.get(BlobReceipt, (sha256, user_id)) is not None


def may_name_blob(session: Session, perms: acl.Permissions, sha256: str) -> bool:
    """Proof of possession on the server: a receipt, or sight of the same bytes."""
    return (holds_receipt(session, perms.user_id, sha256)
            or sees_attachment_with(session, perms, sha256))


def require_may_add_files(perms: acl.Permissions, ticket: Ticket,
                          external_may_modify: bool) -> None:
    """Who may add files to ``ticket``: whoever may edit it. Also asked before a file is
    made (a work order printed, scans combined), so a refusal leaves no bytes behind."""
    if not acl.can_edit(perms, ticket, external_may_modify):
        raise DomainError(FORBIDDEN, f"You may not add files to {ticket_label(ticket)}.")


def require_size_within(name: str, size: int, limit_mb: int) -> None:
    if size > limit_mb * 1024 * 1024:
        raise DomainError(VALIDATION, f"'{name}' is larger than the {limit_mb} MB limit.", "size")


@dataclass(frozen=True)
class FileToAttach:
    """What a command says of a file it attaches (AttachFile, and the work-order ones)."""

    attachment_id: uuid.UUID
    file_name: str
    size: int
    sha256: str
    mime_type: str
    description: str = ""
    workunit_id: uuid.UUID | None = None


@handles(AttachFile)
def attach_file(action: Action, cmd: AttachFile) -> CommandResult:
    ticket = acl.require_visible(action.session, action.perms, cmd.ticket_id)
    add_attachment(action, ticket, FileToAttach(
        cmd.attachment_id, cmd.file_name, cmd.size, cmd.sha256, cmd.mime_type,
        cmd.description, cmd.workunit_id))
    touch(action, ticket)
    return action.result(created_id=cmd.attachment_id, tickets=(ticket.id,))


def add_attachment(action: Action, ticket: Ticket, file: FileToAttach) -> Attachment:
    """Every check of a file attached to ``ticket``, then its row and ``file_added``.

    The one way a file joins a ticket: the server's proof of possession and the size
    limit hold for work orders and their signed scans exactly as for any file.
    """
    session, perms = action.session, action.perms
    require_new_id(session, Attachment, file.attachment_id, "attachment", "attachment_id")
    require_may_add_files(perms, ticket, action.setting(settings.EXTERNAL_USERS_MAY_MODIFY))
    name = clean_file_name(file.file_name)
    if not _SHA256.fullmatch(file.sha256):
        raise DomainError(VALIDATION, "The file's SHA-256 must be 64 lowercase hex digits.",
                          "sha256")
    require_size_within(name, file.size, action.setting(settings.MAX_ATTACHMENT_MB))
    if action.ctx.remote_actor and not may_name_blob(session, perms, file.sha256):
        raise DomainError(VALIDATION, f"The server has not received the contents of "
                                      f"'{name}' from you; upload the file, then attach it.",
                          "sha256")
    stored_size = action.ctx.blobs.size_of(file.sha256)
    if stored_size is None:
        raise DomainError(VALIDATION, f"The contents of '{name}' have not been stored yet.",
                          "sha256")
    if stored_size != file.size:
        raise DomainError(VALIDATION, f"'{name}' should be {file.size} bytes but the stored "
                                      f"file has {stored_size}.", "size")
    mime = file.mime_type.strip().lower()
    if not _MIME.fullmatch(mime):
        raise DomainError(VALIDATION, f"'{file.mime_type}' is not a MIME type.", "mime_type")
    if file.workunit_id is not None:
        workunit = session.get(Workunit, file.workunit_id)
        shared = frozenset(session.scalars(
            select(WorkunitShare.user_id).where(WorkunitShare.workunit_id == file.workunit_id)))
        # One message whether it is missing, elsewhere or hidden: ids must not leak.
        if (workunit is None or workunit.ticket_id != ticket.id
                or not acl.can_see_workunit(perms, ticket, workunit, shared)):
            raise DomainError(VALIDATION, "That workunit is not on this ticket.", "workunit_id")
    attachment = Attachment(
        id=file.attachment_id,
        ticket_id=ticket.id,
        workunit_id=file.workunit_id,
        file_name=name,
        size=file.size,
        sha256=file.sha256,
        mime_type=mime,
        description=file.description.strip(),
        uploader_id=perms.user_id,
    )
    session.add(attachment)
    action.history.record(ticket.id, EventKind.FILE_ADDED, "file", "", name)
    return attachment
