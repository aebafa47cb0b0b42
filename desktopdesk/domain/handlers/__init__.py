"""Command handlers, one module per area; importing this package registers them all."""

from desktopdesk.domain.handlers import (
    admin,
    admin_groups,
    admin_people,
    admin_sla,
    admin_types,
    admin_work_orders,
    create_ticket,
    files,
    ticket_links,
    ticket_score,
    ticket_status,
    update_ticket,
    work_orders,
    workunits,
)

__all__ = [
    "admin",
    "admin_groups",
    "admin_people",
    "admin_sla",
    "admin_types",
    "admin_work_orders",
    "create_ticket",
    "files",
    "ticket_links",
    "ticket_score",
    "ticket_status",
    "update_ticket",
    "work_orders",
    "workunits",
]
