"""Pieces shared by the controllers: id parsing, row shapes, dialect quirks."""

import json
import re

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite

from zaqar.storage.sqlalchemy import tables

M = tables.messages
Q = tables.queues

_MESSAGE_ID = re.compile(r'[0-9]{1,18}')
_CLAIM_ID = re.compile(r'[0-9a-fA-F]{32}')


def message_id(text):
    """Return the integer id of a well-formed message id, else None."""
    if isinstance(text, str) and _MESSAGE_ID.fullmatch(text):
        return int(text)
    return None


def message_ids(texts):
    return [mid for mid in map(message_id, texts) if mid is not None]


def is_claim_id(text):
    return isinstance(text, str) and _CLAIM_ID.fullmatch(text) is not None


def dumps(value):
    return json.dumps(value, separators=(',', ':'))


def in_queue(project, queue):
    return sa.and_(M.c.project == project, M.c.queue == queue)


def live(now):
    """Messages that have not expired."""
    return M.c.expires > now


def free(now):
    """Messages under no live claim."""
    return sa.or_(M.c.claim_expires.is_(None), M.c.claim_expires <= now)


def claimed(now):
    return M.c.claim_expires > now


def message(row, now):
    """The message dict of base.py from a messages row."""
    live_claim = row.claim_expires is not None and row.claim_expires > now
    result = {
        'id': str(row.id),
        'ttl': row.ttl,
        'age': int(now - row.created),
        'body': json.loads(row.body),
        'claim_id': row.claim_id if live_claim else None,
        'claim_count': row.claim_count,
        'created': row.created,
    }
    if row.checksum is not None:
        result['checksum'] = row.checksum
    return result


def messages(rows, now):
    """Message dicts sorted by id (RETURNING gives no order)."""
    return [message(row, now) for row in sorted(rows, key=lambda r: r.id)]


def extend_for_claim(now, ttl, grace):
    """SET values that extend messages to outlive a claim by ``grace``.

    Ordered ttl first: MySQL evaluates SET left to right with new values.
    """
    until = now + ttl + grace
    short = M.c.expires < until
    return [
        (M.c.ttl, sa.case((short, ttl + grace), else_=M.c.ttl)),
        (M.c.expires, sa.case((short, until), else_=M.c.expires)),
    ]


def _queue_row(project, name, now, metadata=None):
    return {'project': project, 'name': name, 'created': now,
            'metadata': dumps(metadata or {})}


def create_queue(conn, project, name, now, metadata=None):
    """Insert the queue row unless it exists; return True if inserted."""
    row = _queue_row(project, name, now, metadata)
    dialect = conn.dialect.name
    if dialect == 'sqlite':
        stmt = sqlite.insert(Q).values(row).on_conflict_do_nothing()
    elif dialect == 'postgresql':
        stmt = postgresql.insert(Q).values(row).on_conflict_do_nothing()
    else:
        return _insert_in_savepoint(conn, row)
    return conn.execute(stmt).rowcount == 1


def lock_queue(conn, project, name, now):
    """Make sure the queue row exists and hold it locked until commit.

    Concurrent posts to one queue then draw their ids in commit order, so
    a reader paging by id never skips a message committed late. SQLite
    needs no lock: its writers are serialised (BEGIN IMMEDIATE).
    """
    row = _queue_row(project, name, now)
    dialect = conn.dialect.name
    if dialect == 'sqlite':
        conn.execute(sqlite.insert(Q).values(row).on_conflict_do_nothing())
    elif dialect == 'postgresql':
        stmt = postgresql.insert(Q).values(row)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[Q.c.project, Q.c.name],
            set_={'name': stmt.excluded.name}))
    elif not _insert_in_savepoint(conn, row):
        conn.execute(sa.select(Q.c.id).where(
            Q.c.project == project, Q.c.name == name).with_for_update())


def _insert_in_savepoint(conn, row):
    """Generic insert-if-missing (MySQL); return True if inserted."""
    try:
        with conn.begin_nested():
            conn.execute(sa.insert(Q).values(row))
    except sa_exc.IntegrityError:
        return False
    return True


def one_statement(conn):
    """True when claim and pop can be one UPDATE/DELETE ... RETURNING with
    a LIMIT subquery (PostgreSQL, SQLite >= 3.35; not MySQL/MariaDB)."""
    return conn.dialect.name in ('postgresql', 'sqlite') and conn.dialect.update_returning


def queue_metadata(conn, project, name):
    """The queue's metadata dict, or None when the queue does not exist."""
    text = conn.execute(sa.select(Q.c.metadata).where(
        Q.c.project == project, Q.c.name == name)).scalar()
    return None if text is None else json.loads(text)
