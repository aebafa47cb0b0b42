"""an index on every replicated table's version

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Every pull asks each table "what changed since version n" (the server), and every
rebase asks for rows with no version yet (a desktop); without an index each is a scan
of the whole table: an incremental sync of 100 changes spent half a second scanning
200,000 workunits.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The replicated tables at this revision (later tables create their own index).
TABLES = (
    'attachments', 'companies', 'custom_field_values', 'custom_fields', 'groups',
    'history_events', 'inventory_objects', 'memberships', 'profiles', 'settings', 'slas',
    'status_transitions', 'ticket_inventory_links', 'ticket_type_groups', 'ticket_types',
    'tickets', 'users', 'workunit_shares', 'workunits',
)


def upgrade() -> None:
    for table in TABLES:
        op.create_index(op.f(f'ix_{table}_version'), table, ['version'], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(op.f(f'ix_{table}_version'), table_name=table)
