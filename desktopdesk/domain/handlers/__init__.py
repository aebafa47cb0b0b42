"""Command handlers, one module per area; importing this package registers them all."""

from desktopdesk.domain.handlers import admin, files, tickets, workunits

__all__ = ["admin", "files", "tickets", "workunits"]
