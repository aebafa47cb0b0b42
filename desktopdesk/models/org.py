"""People and the groups they work in: companies, users, groups, profiles, memberships."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktopdesk.models.base import Base, Replicated, StrCode
from desktopdesk.models.codes import LimitMode, UserKind


class Company(Replicated, Base):
    __tablename__ = "companies"

    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(Replicated, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    company_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("companies.id"))
    kind: Mapped[UserKind] = mapped_column(StrCode(UserKind, 20), default=UserKind.GROUPED)
    is_superadmin: Mapped[bool] = mapped_column(default=False)
    enabled: Mapped[bool] = mapped_column(default=True)

    company: Mapped[Company | None] = relationship(lazy="joined")

    @property
    def is_independent(self) -> bool:
        return self.kind == UserKind.INDEPENDENT


class Profile(Replicated, Base):
    """A named set of ticket access bits, granted per group through memberships."""

    __tablename__ = "profiles"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    can_view: Mapped[bool] = mapped_column(default=False)  # IR
    can_edit: Mapped[bool] = mapped_column(default=False)  # IW
    can_manage: Mapped[bool] = mapped_column(default=False)  # IM
    can_escalate: Mapped[bool] = mapped_column(default=False)  # SI
    can_qa: Mapped[bool] = mapped_column(default=False)  # QA
    #: Hourly rate used to cost workunits filed under this profile.
    hourly_rate: Mapped[float] = mapped_column(default=0.0)


class AssignmentRule(enum.StrEnum):
    """Who owns a ticket filed in a group without an owner."""

    #: The group's default owner (or the person filing it, per settings).
    DEFAULT_OWNER = "default_owner"
    #: Members holding the group's round-robin profile take turns, by username.
    ROUND_ROBIN = "round_robin"


class Group(Replicated, Base):
    """A ticket queue (and tenant): who sees its tickets is decided per group."""

    __tablename__ = "groups"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("groups.id"))
    default_owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    #: 0 means no limit. Counted per creator over the last 365 days.
    open_ticket_limit: Mapped[int] = mapped_column(default=0)
    total_ticket_limit: Mapped[int] = mapped_column(default=0)
    limit_mode: Mapped[LimitMode] = mapped_column(StrCode(LimitMode, 10),
                                                  default=LimitMode.FORCED)
    qa_evaluation: Mapped[bool] = mapped_column(default=True)
    email_from: Mapped[str] = mapped_column(String(254), default="")
    sla_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("slas.id"))
    #: The type forms propose for new tickets here (and mail intake will use). No ON
    #: DELETE rule: SQLite adds this column in place (migration 0007), where a rule would
    #: not be visible to reflection; deleting a type clears it (``DeleteTicketType``).
    default_ticket_type_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ticket_types.id"))
    assignment_rule: Mapped[AssignmentRule] = mapped_column(
        StrCode(AssignmentRule, 20), default=AssignmentRule.DEFAULT_OWNER,
        server_default=AssignmentRule.DEFAULT_OWNER.value)
    #: Round-robin: the profile whose holders in this group take turns.
    round_robin_profile_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("profiles.id"))


class AssignmentTurn(Replicated, Base):
    """Whose turn it was last in a round-robin group: the next ticket goes to the member
    after them (by username), so the server's replay of a command picks deterministically.

    Kept apart from ``Group`` so a ticket filed does not change the group row: a changed
    group makes every desktop's next pull re-check the visibility of private workunits.
    """

    __tablename__ = "assignment_turns"

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), unique=True)
    last_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class Membership(Replicated, Base):
    """User holds profile in group (and, through the tree, in the group's descendants)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "group_id", "profile_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
