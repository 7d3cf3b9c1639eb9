"""Subscriptions; project columns widened to hold a topic scope.

Revision ID: m002
Revises: m001
"""

import sqlalchemy as sa
from alembic import op

from zaqar.storage.sqlalchemy.tables import ID_TYPE, SCOPE_MAX, json_text, name_type

revision = 'm002'
down_revision = 'm001'
branch_labels = None
depends_on = None


def _widen(length_from, length_to):
    if op.get_context().dialect.name == 'sqlite':
        return  # SQLite does not enforce VARCHAR lengths
    for table in ('queues', 'messages'):
        op.alter_column(table, 'project', type_=name_type(length_to),
                        existing_type=name_type(length_from), existing_nullable=False)


def upgrade():
    _widen(256, SCOPE_MAX)
    op.create_table(
        'subscriptions',
        sa.Column('id', ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column('project', name_type(SCOPE_MAX), nullable=False),
        sa.Column('source', name_type(64), nullable=False),
        sa.Column('subscriber', sa.Text(), nullable=False),
        sa.Column('subscriber_hash', sa.String(64), nullable=False),
        sa.Column('ttl', sa.BigInteger(), nullable=False),
        sa.Column('expires', sa.Double(), nullable=False),
        sa.Column('options', json_text(), nullable=False),
        sa.Column('confirmed', sa.Boolean(), nullable=False),
        sa.UniqueConstraint('project', 'source', 'subscriber_hash',
                            name='uq_subscriptions_subscriber'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_subscriptions_project_source_id', 'subscriptions',
                    ['project', 'source', 'id'])


def downgrade():
    op.drop_table('subscriptions')
    _widen(SCOPE_MAX, 256)
