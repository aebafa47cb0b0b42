"""What the workunit editor reads and writes, as plain functions the task runner runs.

No Qt here (like ``ticket_source``): each call opens its own session on the worker's
thread and hands back frozen data, so it is tested without a QApplication.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import or_, select

from desktopdesk.domain.commands import AddWorkunit
from desktopdesk.domain.html import sanitize_html
from desktopdesk.domain.settings import (
    WORKUNIT_COMPLETION_DATE,
    WORKUNIT_DEFAULT_HOURS,
    read_setting,
    stored_settings,
)
from desktopdesk.domain.ticket_list_lookups import Choice
from desktopdesk.models import Membership, Profile, User
from desktopdesk.store.drafts import DraftStore, InlineImage, WorkunitDraft
from desktopdesk.store.workspace import Workspace
from desktopdesk.ui.attachment_files import file_attachments, image_attachments

log = logging.getLogger("desktopdesk.ui.workunits")

#: People search starts after this many letters (the manual: "type two letters").
MIN_SEARCH_CHARS = 2
MAX_REMOTE_IMAGE_BYTES = 10 * 1024 * 1024


# --- Reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Colleague:
    id: uuid.UUID
    username: str
    full_name: str

    @property
    def label(self) -> str:
        return f"{self.full_name} ({self.username})"


@dataclass(frozen=True)
class EditorContext:
    """Everything the editor needs before it can be used, read in one go."""

    default_hours: float
    completion_date_enabled: bool
    profiles: tuple[Choice, ...]
    draft: WorkunitDraft | None


def load_editor_context(workspace: Workspace, user_id: uuid.UUID, ticket_id: uuid.UUID,
                        drafts: DraftStore) -> EditorContext:
    with workspace.read() as session:
        stored = stored_settings(session)
        is_superadmin = bool(session.scalar(select(User.is_superadmin)
                                            .where(User.id == user_id)))
        # The rule AddWorkunit applies: a profile the author holds somewhere (any, for
        # a super-admin); offering others would only invite a refusal.
        query = select(Profile.id, Profile.name).order_by(Profile.name)
        if not is_superadmin:
            query = query.where(Profile.id.in_(
                select(Membership.profile_id).where(Membership.user_id == user_id)))
        profiles = tuple(Choice(pid, name) for pid, name in session.execute(query))
        return EditorContext(
            default_hours=read_setting(stored, WORKUNIT_DEFAULT_HOURS),
            completion_date_enabled=read_setting(stored, WORKUNIT_COMPLETION_DATE),
            profiles=profiles,
            draft=drafts.load(ticket_id),
        )


def find_colleagues(workspace: Workspace, user_id: uuid.UUID, text: str,
                    limit: int = 12) -> tuple[Colleague, ...]:
    """Enabled people of the user's own company whose name or username contains ``text``:
    AddWorkunit shares only within the author's company."""
    needle = text.strip()
    if len(needle) < MIN_SEARCH_CHARS:
        return ()
    with workspace.read() as session:
        company_id = session.scalar(select(User.company_id).where(User.id == user_id))
        if company_id is None:
            return ()
        rows = session.execute(
            select(User.id, User.username, User.full_name)
            .where(User.company_id == company_id, User.enabled, User.id != user_id,
                   or_(User.username.icontains(needle, autoescape=True),
                       User.full_name.icontains(needle, autoescape=True)))
            .order_by(User.full_name, User.username).limit(limit))
        return tuple(Colleague(uid, username, full_name) for uid, username, full_name in rows)


def fetch_remote_image(url: str, *, timeout: float = 10.0) -> bytes:
    """The bytes at ``url``; only ever called after the person asked for remote images."""
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"not a web address: {url}")
    chunks: list[bytes] = []
    total = 0
    with requests.get(url, timeout=timeout, stream=True,
                      headers={"Accept": "image/*"}) as response:
        response.raise_for_status()
        for chunk in response.iter_content(64 * 1024):
            total += len(chunk)
            if total > MAX_REMOTE_IMAGE_BYTES:
                raise ValueError(f"the image at {url} is larger than "
                                 f"{MAX_REMOTE_IMAGE_BYTES // (1024 * 1024)} MB")
            chunks.append(chunk)
    return b"".join(chunks)


# --- Adding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkunitSubmission:
    """What the person typed and chose, as they left it; HTML not yet sanitised."""

    ticket_id: uuid.UUID
    text_html: str
    hours: float
    is_private: bool = False
    is_internal: bool = False
    has_cost: bool = False
    profile_id: uuid.UUID | None = None
    shared_with_ids: tuple[uuid.UUID, ...] = ()
    completed_at: dt.datetime | None = None
    #: Names and types of images pasted or dropped into the text (bytes: blob store).
    images: tuple[InlineImage, ...] = ()
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class AddedWorkunit:
    workunit_id: uuid.UUID
    attachment_ids: tuple[uuid.UUID, ...]
    changed_ticket_ids: tuple[uuid.UUID, ...]


def submit_workunit(workspace: Workspace, actor_id: uuid.UUID, submission: WorkunitSubmission,
                    image_bytes: Mapping[str, bytes]) -> AddedWorkunit:
    """Store the bytes, then add the workunit and its files in one transaction.

    Inline images become attachments of the workunit, so whoever may see the workunit may
    fetch its pictures and nobody else can. Bytes go to the blob store first (a refused
    action leaves only unreferenced blobs, which the content-addressed store tolerates).
    ``image_bytes`` holds images whose background write may not have finished yet.
    """
    html = sanitize_html(submission.text_html)
    workunit = AddWorkunit(
        ticket_id=submission.ticket_id, text_html=html, hours=submission.hours,
        is_private=submission.is_private, is_internal=submission.is_internal,
        has_cost=submission.has_cost, profile_id=submission.profile_id,
        shared_with_ids=submission.shared_with_ids, completed_at=submission.completed_at)
    attachments = [
        *image_attachments(workspace.blobs, workunit.ticket_id, html, submission.images,
                           image_bytes, workunit_id=workunit.workunit_id,
                           description="Image in the workunit text"),
        *file_attachments(workspace.blobs, workunit.ticket_id, submission.files,
                          workunit_id=workunit.workunit_id),
    ]
    results = workspace.execute_all([workunit, *attachments], actor_id)
    changed = dict.fromkeys(t for result in results for t in result.changed_ticket_ids)
    return AddedWorkunit(workunit.workunit_id, tuple(a.attachment_id for a in attachments),
                         tuple(changed))
