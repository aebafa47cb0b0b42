"""ticket list: keyset indexes for every sort, and a full-text index (SQLite)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

The desktop's ticket list pages on (sort key, id) and must stay quick at a million
tickets, so every column it sorts by gets an index on (key, id): a page is then an
index seek plus LIMIT rows, however deep. A trailing ``status`` lets SQLite drop closed
tickets (most of a big store) from the default "not closed" list without reading them. Three old indexes become prefixes of the new
ones and are replaced rather than kept beside them (each index costs every sync write).
Group, owner and creator sorts walk their (foreign key, status, id) index per group or
person, so those three keep serving the "my open tickets" lookups they served before.

On SQLite the list's text filter uses FTS5 (``desktopdesk.domain.ticket_search`` says
why, with the figures). The three external-content tables index the rows by their
rowid and are kept current by triggers, so every writer (commands, sync's bulk Core
inserts and updates, deletes and cascades) keeps them right without knowing they exist.

A later migration that rebuilds ``tickets``, ``workunits`` or ``custom_field_values``
(a batch "copy and move") drops these triggers with the old table and may renumber
rowids: it must create the triggers again and run each table's ``'rebuild'``.
PostgreSQL gets the indexes only; its text filter is a plain ILIKE.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (name, columns) created; the first three replace the (narrower) indexes of 0001.
NEW_INDEXES = (
    ('ix_tickets_group_status_id', ['group_id', 'status', 'id']),
    ('ix_tickets_owner_status_id', ['owner_id', 'status', 'id']),
    ('ix_tickets_creator_status_id', ['creator_id', 'status', 'id']),
    ('ix_tickets_updated_at_id', ['updated_at', 'id', 'status']),
    ('ix_tickets_created_at_id', ['created_at', 'id', 'status']),
    ('ix_tickets_title_id', ['title', 'id', 'status']),
    ('ix_tickets_status_id', ['status', 'id']),
    ('ix_tickets_priority_id', ['priority', 'id', 'status']),
    ('ix_tickets_affected_sla_id', ['affected_sla_id', 'id', 'status']),
)
OLD_INDEXES = (
    ('ix_tickets_group_status', ['group_id', 'status']),
    ('ix_tickets_owner_status', ['owner_id', 'status']),
    ('ix_tickets_creator', ['creator_id']),
    ('ix_tickets_updated_at', ['updated_at']),
)

#: FTS table -> (content table, indexed columns). Frozen here: migrations never import
#: the application, so a later change to the search module cannot rewrite history.
SEARCH_TABLES = {
    'ticket_text': ('tickets', ('title', 'description_html')),
    'workunit_text': ('workunits', ('text_html',)),
    'custom_value_text': ('custom_field_values', ('value',)),
}
TOKENIZER = "unicode61 remove_diacritics 2"


def _search_sql(fts: str, content: str, columns: Sequence[str]) -> list[str]:
    cols = ', '.join(columns)
    new = ', '.join(f'new.{c}' for c in columns)
    old = ', '.join(f'old.{c}' for c in columns)
    delete_old = (f"INSERT INTO {fts}({fts}, rowid, {cols}) "
                  f"VALUES ('delete', old.rowid, {old});")
    insert_new = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{content}', "
        f"content_rowid='rowid', tokenize='{TOKENIZER}')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {content} BEGIN {insert_new} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {content} BEGIN {delete_old} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {content} "
        f"BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def upgrade() -> None:
    for name, columns in OLD_INDEXES:
        op.drop_index(name, table_name='tickets')
    for name, columns in NEW_INDEXES:
        op.create_index(name, 'tickets', columns, unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        for fts, (content, columns) in SEARCH_TABLES.items():
            for statement in _search_sql(fts, content, columns):
                op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for fts, (content, _columns) in SEARCH_TABLES.items():
            for suffix in ('ai', 'ad', 'au'):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    for name, _columns in NEW_INDEXES:
        op.drop_index(name, table_name='tickets')
    for name, columns in OLD_INDEXES:
        op.create_index(name, 'tickets', columns, unique=False)
