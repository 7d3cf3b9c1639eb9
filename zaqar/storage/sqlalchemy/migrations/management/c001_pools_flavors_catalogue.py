"""Pools, flavors and the catalogue (the first management schema).

Revision ID: c001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from zaqar.storage.sqlalchemy.tables import SCOPE_MAX, name_type

revision = 'c001'
down_revision = None
branch_labels = ('management',)
depends_on = None


def upgrade():
    op.create_table(
        'pools',
        sa.Column('name', name_type(64), primary_key=True),
        sa.Column('uri', name_type(255), nullable=False, unique=True),
        sa.Column('weight', sa.BigInteger(), nullable=False),
        sa.Column('flavor', name_type(255), nullable=True, index=True),
        sa.Column('options', sa.Text(), nullable=False),
    )
    op.create_table(
        'flavors',
        sa.Column('project', name_type(SCOPE_MAX), primary_key=True),
        sa.Column('name', name_type(64), primary_key=True),
        sa.Column('capabilities', sa.Text(), nullable=False),
    )
    op.create_table(
        'catalogue',
        sa.Column('project', name_type(SCOPE_MAX), primary_key=True),
        sa.Column('queue', name_type(64), primary_key=True),
        sa.Column('pool', name_type(64), nullable=False, index=True),
    )


def downgrade():
    op.drop_table('catalogue')
    op.drop_table('flavors')
    op.drop_table('pools')
