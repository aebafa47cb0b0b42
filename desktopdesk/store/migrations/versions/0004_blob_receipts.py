"""blob receipts: server-only proof that a user sent a blob's bytes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

No backfill: a receipt records bytes the server verified from that user, and the old
upload routes kept no such record. People who can see an attachment may still attach
its bytes elsewhere; anyone else sends the file once more.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('blob_receipts',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_blob_receipts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sha256', 'user_id', name=op.f('pk_blob_receipts'))
    )


def downgrade() -> None:
    op.drop_table('blob_receipts')
