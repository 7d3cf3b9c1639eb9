"""Queues and messages (the first schema).

Revision ID: m001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from zaqar.storage.sqlalchemy.tables import ID_TYPE, json_text, name_type

revision = 'm001'
down_revision = None
branch_labels = ('message',)
depends_on = None


def upgrade():
    op.create_table(
        'queues',
        sa.Column('id', ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column('project', name_type(256), nullable=False),
        sa.Column('name', name_type(64), nullable=False),
        sa.Column('metadata', json_text(), nullable=False),
        sa.Column('created', sa.Double(), nullable=False),
        sa.UniqueConstraint('project', 'name', name='uq_queues_project_name'),
        sqlite_autoincrement=True,
    )
    op.create_table(
        'messages',
        sa.Column('id', ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column('project', name_type(256), nullable=False),
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
        sa.Column('claim_count', sa.Integer(), nullable=False),
        sa.Column('checksum', sa.String(64), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_messages_project_queue_id', 'messages', ['project', 'queue', 'id'])
    op.create_index('ix_messages_expires', 'messages', ['expires'])
    op.create_index('ix_messages_claim_id', 'messages', ['claim_id'])


def downgrade():
    op.drop_table('messages')
    op.drop_table('queues')
