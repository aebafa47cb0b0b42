"""Work orders: templates (configuration), each ticket's work orders, a type's template

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-22

``work_order_templates`` are documents with macros, replicated to every desktop;
``ticket_types.work_order_template_id`` chooses one per type (NULL: the default one).
``work_orders`` records each work order printed for a ticket beside its PDF (an
attachment) and, once signed, the scan that validated it (another attachment).

The ticket-type column is added in place, as 0007 adds the group columns (on SQLite a
batch rebuild of ``ticket_types`` would cascade to its fields and their values); its
foreign key is inline there and so carries no ON DELETE rule: deleting a template
clears the types naming it first.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _replicated_columns() -> list[sa.Column]:
    return [
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('work_order_templates',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('logo_data_uri', sa.Text(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    *_replicated_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order_templates')),
    sa.UniqueConstraint('name', name=op.f('uq_work_order_templates_name'))
    )
    op.create_index(op.f('ix_work_order_templates_version'), 'work_order_templates',
                    ['version'], unique=False)

    sqlite = op.get_bind().dialect.name == 'sqlite'
    reference = sa.ForeignKey(
        'work_order_templates.id',
        name='fk_ticket_types_work_order_template_id_work_order_templates')
    op.add_column('ticket_types', sa.Column('work_order_template_id', sa.Uuid(), reference,
                                            nullable=True),
                  inline_references=sqlite)

    op.create_table('work_orders',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('attachment_id', sa.Uuid(), nullable=False),
    sa.Column('template_id', sa.Uuid(), nullable=True),
    sa.Column('template_name', sa.String(length=100), nullable=False),
    sa.Column('generated_by_id', sa.Uuid(), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('signed_attachment_id', sa.Uuid(), nullable=True),
    sa.Column('validated_by_id', sa.Uuid(), nullable=True),
    sa.Column('validated_at', sa.DateTime(), nullable=True),
    *_replicated_columns(),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_work_orders_attachment_id_attachments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['generated_by_id'], ['users.id'], name=op.f('fk_work_orders_generated_by_id_users')),
    sa.ForeignKeyConstraint(['signed_attachment_id'], ['attachments.id'], name=op.f('fk_work_orders_signed_attachment_id_attachments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_work_orders_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['validated_by_id'], ['users.id'], name=op.f('fk_work_orders_validated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_orders')),
    sa.UniqueConstraint('attachment_id', name=op.f('uq_work_orders_attachment_id'))
    )
    op.create_index(op.f('ix_work_orders_ticket_id'), 'work_orders', ['ticket_id'], unique=False)
    op.create_index(op.f('ix_work_orders_version'), 'work_orders', ['version'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_work_orders_version'), table_name='work_orders')
    op.drop_index(op.f('ix_work_orders_ticket_id'), table_name='work_orders')
    op.drop_table('work_orders')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot drop a column holding a foreign key, and rebuilding ``ticket_types``
        # would cascade (see above): the column stays, emptied and unused by 0008.
        op.execute('UPDATE ticket_types SET work_order_template_id = NULL')
    else:
        op.drop_constraint('fk_ticket_types_work_order_template_id_work_order_templates',
                           'ticket_types', type_='foreignkey')
        op.drop_column('ticket_types', 'work_order_template_id')
    op.drop_index(op.f('ix_work_order_templates_version'), table_name='work_order_templates')
    op.drop_table('work_order_templates')
