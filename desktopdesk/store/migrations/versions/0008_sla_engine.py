"""SLA engine: Integria's wall-clock option, each ticket's SLA standing, SLA notices

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-15

``slas.wall_clock`` keeps Integria's counting for teams migrating from it (every hour
counts; working hours only delay when a breach is declared). ``ticket_sla_states`` is
each ticket's compliance as the authority last evaluated it, replicated with the ticket
so lists filter on it offline; ``sla_notices`` is the authority's record of the breaches
it told owners about, at most one per ticket, limit and notification period, and
``sla_schedule`` when each ticket's standing next changes by time alone (the scheduled
pass evaluates only the tickets due).

The column is added in place (see 0007 for why ``slas`` is never rebuilt on SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('slas', sa.Column('wall_clock', sa.Boolean(), nullable=False,
                                    server_default='0'))

    op.create_table('ticket_sla_states',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('sla_id', sa.Uuid(), nullable=True),
    sa.Column('compliance_pct', sa.Integer(), nullable=True),
    sa.Column('fired_limits', sa.String(length=60), nullable=False),
    sa.Column('fired_since', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['sla_id'], ['slas.id'], name=op.f('fk_ticket_sla_states_sla_id_slas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_sla_states_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_sla_states')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_ticket_sla_states_ticket_id'))
    )
    op.create_index('ix_ticket_sla_states_compliance', 'ticket_sla_states', ['compliance_pct', 'ticket_id'], unique=False)
    op.create_index(op.f('ix_ticket_sla_states_version'), 'ticket_sla_states', ['version'], unique=False)

    op.create_table('sla_notices',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('group_id', sa.Uuid(), nullable=True),
    sa.Column('sla_id', sa.Uuid(), nullable=False),
    sa.Column('limit_kind', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('recipient_id', sa.Uuid(), nullable=True),
    sa.Column('mail_wanted', sa.Boolean(), nullable=False),
    sa.Column('mailed_at', sa.DateTime(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_sla_notices_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_sla_notices_recipient_id_users')),
    sa.ForeignKeyConstraint(['sla_id'], ['slas.id'], name=op.f('fk_sla_notices_sla_id_slas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_sla_notices_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_notices'))
    )
    op.create_index('ix_sla_notices_subject', 'sla_notices', ['ticket_id', 'group_id', 'limit_kind', 'at'], unique=False)

    op.create_table('sla_schedule',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_sla_schedule_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_sla_schedule'))
    )
    op.create_index(op.f('ix_sla_schedule_due_at'), 'sla_schedule', ['due_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sla_schedule_due_at'), table_name='sla_schedule')
    op.drop_table('sla_schedule')
    op.drop_index('ix_sla_notices_subject', table_name='sla_notices')
    op.drop_table('sla_notices')
    op.drop_index(op.f('ix_ticket_sla_states_version'), table_name='ticket_sla_states')
    op.drop_index('ix_ticket_sla_states_compliance', table_name='ticket_sla_states')
    op.drop_table('ticket_sla_states')
    op.drop_column('slas', 'wall_clock')
