"""Schema of the SQL message store.

There is no claims table: a claim is the set of messages that carry its
``claim_id`` with ``claim_expires`` in the future. A message's id is its
autoincrement primary key, which also gives FIFO order and paging markers.
Queues and messages are joined by (project, name) strings, without a
foreign key, so posting needs no queue lookup.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData()


def name_type(length):
    # Names compare byte-wise and case-sensitively on every backend: the
    # default collations of PostgreSQL and MySQL would sort "B" before "a"
    # differently and, on MySQL, even match "a" = "A".
    return (sa.String(length)
            .with_variant(sa.String(length, collation='C'), 'postgresql')
            .with_variant(mysql.VARCHAR(length, charset='utf8mb4',
                                        collation='utf8mb4_bin'), 'mysql'))


def json_text():
    # Bodies may reach the 256 KiB post limit; MySQL's TEXT stops at 64 KiB.
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql')


# A storage scope: a project id (at most 256 characters) plus, for topics,
# a namespace suffix (zaqar/api/context.py).
SCOPE_MAX = 300

# SQLite makes only INTEGER PRIMARY KEY an alias of the rowid.
ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

queues = sa.Table(
    'queues', metadata,
    sa.Column('id', ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column('project', name_type(SCOPE_MAX), nullable=False),
    sa.Column('name', name_type(64), nullable=False),
    sa.Column('metadata', json_text(), nullable=False),
    sa.Column('created', sa.Double(), nullable=False),
    sa.UniqueConstraint('project', 'name', name='uq_queues_project_name'),
    # AUTOINCREMENT: never reuse the id of a deleted row.
    sqlite_autoincrement=True,
)

messages = sa.Table(
    'messages', metadata,
    sa.Column('id', ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column('project', name_type(SCOPE_MAX), nullable=False),
    sa.Column('queue', name_type(64), nullable=False),
    sa.Column('body', json_text(), nullable=False),
    sa.Column('ttl', sa.Integer(), nullable=False),
    sa.Column('created', sa.Double(), nullable=False),
    sa.Column('expires', sa.Double(), nullable=False),
    sa.Column('delay_until', sa.Double(), nullable=False),
    sa.Column('client_id', name_type(256), nullable=False),
    sa.Column('claim_id', name_type(32), nullable=True),
    sa.Column('claim_expires', sa.Double(), nullable=True),
    sa.Column('claim_ttl', sa.Integer(), nullable=True),
    sa.Column('claim_created', sa.Double(), nullable=True),
    sa.Column('claim_count', sa.Integer(), nullable=False, default=0),
    sa.Column('checksum', sa.String(64), nullable=True),
    sa.Index('ix_messages_project_queue_id', 'project', 'queue', 'id'),
    sa.Index('ix_messages_expires', 'expires'),
    # Claim get/renew/release look messages up by claim id.
    sa.Index('ix_messages_claim_id', 'claim_id'),
    # A deleted message's id must never be given to a new one: ids are
    # markers, and a stale delete must not hit a newer message.
    sqlite_autoincrement=True,
)

subscriptions = sa.Table(
    'subscriptions', metadata,
    sa.Column('id', ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column('project', name_type(SCOPE_MAX), nullable=False),
    sa.Column('source', name_type(64), nullable=False),
    sa.Column('subscriber', sa.Text(), nullable=False),
    # SHA-256 of the subscriber: a bounded key for uniqueness (URIs are
    # unbounded, and MySQL cannot index long text).
    sa.Column('subscriber_hash', sa.String(64), nullable=False),
    sa.Column('ttl', sa.BigInteger(), nullable=False),
    sa.Column('expires', sa.Double(), nullable=False),
    sa.Column('options', json_text(), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False, default=False),
    sa.UniqueConstraint('project', 'source', 'subscriber_hash',
                        name='uq_subscriptions_subscriber'),
    sa.Index('ix_subscriptions_project_source_id', 'project', 'source', 'id'),
    sqlite_autoincrement=True,
)
