"""Command handlers, one module per area; importing this package registers them all."""

from desktopdesk.domain.handlers import (
    admin,
    create_ticket,
    files,
    ticket_links,
    ticket_status,
    update_ticket,
    workunits,
)

__all__ = [
    "admin",
    "create_ticket",
    "files",
    "ticket_links",
    "ticket_status",
    "update_ticket",
    "workunits",
]
