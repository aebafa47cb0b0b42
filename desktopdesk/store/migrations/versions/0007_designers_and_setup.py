"""groups: default type and assignment rule; round-robin turns; the holiday calendar

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

Groups gain a default ticket type and an assignment rule (default owner, or round-robin
among the members holding a chosen profile). Whose turn it was lives in its own table,
``assignment_turns``, so filing a ticket does not rewrite the group row. ``holidays`` is
the calendar the SLA engine will read (one row per ISO date).

The new group columns are added in place, never by a batch "copy and move": on SQLite
that drops the old ``groups`` table, and with foreign keys on (every connection has
them) the implicit DELETE would cascade to every membership. SQLite's ``ADD COLUMN``
accepts a foreign key written inline when the default is NULL, which these have; other
databases get named constraints as usual. SQLite's reflection reads neither the name nor
an ON DELETE rule of an inline key, so these keys have no rule (the models agree):
deleting a ticket type clears the groups naming it, and profiles are never deleted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (column, referred table) of the new foreign-key columns on ``groups``.
GROUP_REFERENCES = (
    ('default_ticket_type_id', 'ticket_types'),
    ('round_robin_profile_id', 'profiles'),
)


def _replicated_columns() -> list[sa.Column]:
    return [
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for column, table in GROUP_REFERENCES:
        name = f'fk_groups_{column}_{table}'
        reference = sa.ForeignKey(f'{table}.id', name=name)
        op.add_column('groups', sa.Column(column, sa.Uuid(), reference, nullable=True),
                      inline_references=sqlite)
    op.add_column('groups', sa.Column('assignment_rule', sa.String(length=20), nullable=False,
                                      server_default='default_owner'))

    op.create_table('assignment_turns',
    sa.Column('group_id', sa.Uuid(), nullable=False),
    sa.Column('last_user_id', sa.Uuid(), nullable=True),
    *_replicated_columns(),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_assignment_turns_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['last_user_id'], ['users.id'], name=op.f('fk_assignment_turns_last_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_turns')),
    sa.UniqueConstraint('group_id', name=op.f('uq_assignment_turns_group_id'))
    )
    op.create_index(op.f('ix_assignment_turns_version'), 'assignment_turns', ['version'], unique=False)

    op.create_table('holidays',
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    *_replicated_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays')),
    sa.UniqueConstraint('day', name=op.f('uq_holidays_day'))
    )
    op.create_index(op.f('ix_holidays_version'), 'holidays', ['version'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_holidays_version'), table_name='holidays')
    op.drop_table('holidays')
    op.drop_index(op.f('ix_assignment_turns_version'), table_name='assignment_turns')
    op.drop_table('assignment_turns')
    op.drop_column('groups', 'assignment_rule')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot drop a column holding a foreign key, and rebuilding ``groups``
        # would cascade (see above): the two nullable columns stay, unused by 0006.
        return
    for column, table in GROUP_REFERENCES:
        op.drop_constraint(f'fk_groups_{column}_{table}', 'groups', type_='foreignkey')
        op.drop_column('groups', column)
