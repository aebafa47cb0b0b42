"""SQLAlchemy 2 typed models, one module per area. No behaviour beyond simple properties."""

from desktopdesk.models.auth import ApiToken, Credential, LoginFailure
from desktopdesk.models.base import Base, Replicated, new_id, utc_now
from desktopdesk.models.blob_receipts import BlobReceipt
from desktopdesk.models.bookkeeping import CommandLogEntry, Counter, WorkspaceInfo
from desktopdesk.models.calendar import Holiday
from desktopdesk.models.codes import (
    AT_CREATION,
    FieldKind,
    LimitMode,
    Priority,
    Resolution,
    SlaType,
    Status,
    UserKind,
)
from desktopdesk.models.documents import WorkOrder, WorkOrderTemplate
from desktopdesk.models.fields import CustomField, CustomFieldValue, TicketType, TicketTypeGroup
from desktopdesk.models.history import HistoryEvent
from desktopdesk.models.org import (
    AssignmentRule,
    AssignmentTurn,
    Company,
    Group,
    Membership,
    Profile,
    User,
)
from desktopdesk.models.settings import SettingValue
from desktopdesk.models.sla import Sla, SlaNotice, SlaSchedule, TicketSlaState
from desktopdesk.models.sync import (
    BlobTransfer,
    OutboxEntry,
    OutboxState,
    SyncClient,
    SyncClientTicket,
    SyncConflict,
    SyncMutation,
    SyncShadow,
    SyncState,
    Tombstone,
)
from desktopdesk.models.tickets import (
    Attachment,
    InventoryObject,
    Ticket,
    TicketInventoryLink,
    Workunit,
    WorkunitShare,
)
from desktopdesk.models.workflow import StatusTransition

__all__ = [
    "AT_CREATION",
    "ApiToken",
    "AssignmentRule",
    "AssignmentTurn",
    "Attachment",
    "Base",
    "BlobReceipt",
    "BlobTransfer",
    "CommandLogEntry",
    "Company",
    "Counter",
    "Credential",
    "CustomField",
    "CustomFieldValue",
    "FieldKind",
    "Group",
    "HistoryEvent",
    "Holiday",
    "InventoryObject",
    "LimitMode",
    "LoginFailure",
    "Membership",
    "OutboxEntry",
    "OutboxState",
    "Priority",
    "Profile",
    "Replicated",
    "Resolution",
    "SettingValue",
    "Sla",
    "SlaNotice",
    "SlaSchedule",
    "SlaType",
    "Status",
    "StatusTransition",
    "SyncClient",
    "SyncClientTicket",
    "SyncConflict",
    "SyncMutation",
    "SyncShadow",
    "SyncState",
    "Ticket",
    "TicketInventoryLink",
    "TicketSlaState",
    "TicketType",
    "TicketTypeGroup",
    "Tombstone",
    "User",
    "UserKind",
    "WorkOrder",
    "WorkOrderTemplate",
    "WorkspaceInfo",
    "Workunit",
    "WorkunitShare",
    "new_id",
    "utc_now",
]
