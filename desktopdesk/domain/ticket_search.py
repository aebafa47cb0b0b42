"""The ticket list's text filter: words looked up in SQLite FTS5, ILIKE elsewhere.

A ticket matches when every word typed begins a word of one of its texts: the title and
description together, a workunit the reader may see, or a custom value. (Words spread
over two texts do not match: "faint fuser" is not a ticket whose title says faint and
whose workunit says fuser. That keeps each lookup one FTS query per table.)

Why FTS5 and not LIKE, measured on the benchmark store (1,000,000 tickets, 1,141,458
workunits, 400,603 custom values; first page, open tickets, newest first):

    word found in          LIKE '%word%'     FTS5 (this module)
    6% of tickets              651 ms             ~60 ms
    0.3% of tickets          5,030 ms             ~55 ms
    no ticket               19,333 ms              ~7 ms

LIKE cannot use an index, so the rarer the word the more of the store it reads; FTS5
answers from its index whatever the word. The price: 227 MB of index in a 2.1 GB file
(about 10%), and a trigger insert per written row (about 8 us per ticket), which the
sync's bulk writes pay too.

Tokenizer: ``unicode61`` with diacritics removed (so "impresion" finds "impresión"),
searched by word prefix ("print" finds "printers"). ``trigram`` would find any
substring, as LIKE does, but on 100,000 tickets its index was 6.8 times larger (90 MB
against 13 MB) and five times slower to write, and it cannot look up words shorter
than three letters; prefixes are what people type into a quick filter.

Plan: a word found in few rows (at most :data:`DRIVE_LIMIT`) drives the query: its
matches are read, filtered and sorted. A common word cannot (sorting a third of the
store is slow), so the sort index drives and the matches only filter; a page's worth
then turns up within a short walk. The cost that remains is reading a common word's
matches into a lookup set: a word in three quarters of all tickets and workunits takes
about 250 ms.

The FTS tables index rows by rowid (external content: the text is not stored twice).
Rowids of tables without an INTEGER PRIMARY KEY may change on VACUUM or a table
rebuild, so whoever does either runs :data:`REBUILD_STATEMENTS` afterwards.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from desktopdesk.domain.acl import Permissions, visible_workunits_of_ticket_row_clause
from desktopdesk.models import CustomFieldValue, Ticket, Workunit

#: Words longer than this are cut; more words than this are ignored (a quick filter,
#: not a query language).
MAX_WORDS = 8
MAX_WORD_LENGTH = 60
#: Up to this many matching rows (tickets, workunits and custom values together) the
#: matches drive the page (read them, sort them); beyond it the sort index drives and the
#: matches only filter, since a page's worth of them turns up within a short walk.
DRIVE_LIMIT = 20_000

_fts = MetaData()  # not Base.metadata: these are no models and no migration compares them
TICKET_TEXT = Table("ticket_text", _fts, Column("rowid", Integer), Column("ticket_text"))
WORKUNIT_TEXT = Table("workunit_text", _fts, Column("rowid", Integer), Column("workunit_text"))
CUSTOM_VALUE_TEXT = Table("custom_value_text", _fts, Column("rowid", Integer),
                          Column("custom_value_text"))
#: The FTS5 tables (migration 0006 makes them, on SQLite only).
SEARCH_TABLES = (TICKET_TEXT.name, WORKUNIT_TEXT.name, CUSTOM_VALUE_TEXT.name)
_SHADOW_SUFFIXES = ("_data", "_idx", "_docsize", "_config", "_content")

#: Re-index every FTS table from its content table (after a VACUUM or a table rebuild).
REBUILD_STATEMENTS = tuple(f"INSERT INTO {name}({name}) VALUES ('rebuild')"
                           for name in SEARCH_TABLES)

_WORD = re.compile(r"\w+", re.UNICODE)


def is_search_index_table(name: str) -> bool:
    """FTS tables and the shadow tables SQLite keeps for them: no model describes these,
    so schema comparisons (Alembic autogenerate, the migration tests) leave them out."""
    return any(name == table or (name.startswith(table) and name[len(table):] in
                                 _SHADOW_SUFFIXES) for table in SEARCH_TABLES)


def search_words(text: str) -> list[str]:
    """The words of ``text`` the filter looks for, in the order typed, each once."""
    words: list[str] = []
    for word in _WORD.findall(text.lower()):
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _fts_prefix_query(word: str) -> str:
    # Quoted, so nothing typed is read as FTS5 syntax (AND, NEAR, column filters, ...).
    return '"' + word.replace('"', '""') + '"*'


def _rowid(table_name: str) -> ColumnElement[int]:
    return literal_column(f"{table_name}.rowid", Integer)


def _fts_rowids(table: Table, query: str) -> Select[Any]:
    return select(table.c.rowid).where(table.c[table.name].match(query))


def _matches_at_most(session: Session, query: str, limit: int) -> bool:
    """Whether the three indexes hold at most ``limit`` matching rows together; each
    count stops at ``limit + 1``, so a common word costs no more than a rare one."""
    capped = [select(func.count()).select_from(_fts_rowids(table, query).limit(limit + 1)
                                                 .subquery()).scalar_subquery()
              for table in (TICKET_TEXT, WORKUNIT_TEXT, CUSTOM_VALUE_TEXT)]
    total = session.scalar(select(capped[0] + capped[1] + capped[2]))
    return (total or 0) <= limit


def _fts_candidates(query: str) -> ColumnElement[bool]:
    """Indexable: tickets with any match, so a rare word drives the page."""
    return or_(
        _rowid("tickets").in_(_fts_rowids(TICKET_TEXT, query)),
        Ticket.id.in_(select(Workunit.ticket_id).where(
            _rowid("workunits").in_(_fts_rowids(WORKUNIT_TEXT, query))).correlate(None)),
        Ticket.id.in_(select(CustomFieldValue.ticket_id).where(
            _rowid("custom_field_values").in_(_fts_rowids(CUSTOM_VALUE_TEXT, query)))
            .correlate(None)),
    )


def _fts_matches(query: str, perms: Permissions) -> ColumnElement[bool]:
    """The exact condition, checked per ticket and never used to drive the page (the
    unary plus keeps SQLite off the rowid index): a common word then costs a walk down
    the sort index that stops at a page's worth of rows."""
    return or_(
        literal_column("+tickets.rowid", Integer).in_(_fts_rowids(TICKET_TEXT, query)),
        exists(select(1).select_from(Workunit).where(
            Workunit.ticket_id == Ticket.id,
            _rowid("workunits").in_(_fts_rowids(WORKUNIT_TEXT, query)),
            visible_workunits_of_ticket_row_clause(perms)).correlate(Ticket)),
        exists(select(1).select_from(CustomFieldValue).where(
            CustomFieldValue.ticket_id == Ticket.id,
            _rowid("custom_field_values").in_(_fts_rowids(CUSTOM_VALUE_TEXT, query)))
            .correlate(Ticket)),
    )


def _like_matches(words: list[str], perms: Permissions) -> ColumnElement[bool]:
    def every_word_in(*columns: Any) -> ColumnElement[bool]:
        return and_(*(or_(*(c.icontains(word, autoescape=True) for c in columns))
                      for word in words))

    return or_(
        every_word_in(Ticket.title, Ticket.description_html),
        exists(select(1).select_from(Workunit).where(
            Workunit.ticket_id == Ticket.id, every_word_in(Workunit.text_html),
            visible_workunits_of_ticket_row_clause(perms)).correlate(Ticket)),
        exists(select(1).select_from(CustomFieldValue).where(
            CustomFieldValue.ticket_id == Ticket.id, every_word_in(CustomFieldValue.value))
            .correlate(Ticket)),
    )


def text_clause(session: Session, text: str, perms: Permissions) -> ColumnElement[bool]:
    """Tickets matching every word of ``text`` (nothing typed: every ticket)."""
    words = search_words(text)
    if not words:
        return true()
    if session.get_bind().dialect.name != "sqlite":
        return _like_matches(words, perms)
    query = " ".join(_fts_prefix_query(word) for word in words)  # FTS5: implicit AND
    matches = _fts_matches(query, perms)
    if _matches_at_most(session, query, DRIVE_LIMIT):
        return and_(_fts_candidates(query), matches)
    return matches
