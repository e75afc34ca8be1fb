"""The engine's tables: the change feed, outbox targets and attempts, and
policies that keep proofs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa

from healapi.db.sqlalchemy import types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('policies', sa.Column(
        'record_trace', sa.Boolean, nullable=False,
        server_default=sa.false()))

    counter = op.create_table(
        'change_counter',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=False),
        sa.Column('value', sa.BigInteger, nullable=False),
    )
    op.bulk_insert(counter, [{'id': 1, 'value': 0}])

    op.create_table(
        'changes',
        sa.Column('seq', sa.BigInteger, primary_key=True,
                  autoincrement=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('object_id', sa.String(36), nullable=False),
        sa.Column('table_name', sa.String(255), nullable=True),
        sa.Column('payload', db_types.JsonEncodedDict(mysql_as_long=True),
                  nullable=True),
        sa.Column('created_at', types.DateTime, nullable=False),
    )
    op.create_index('ix_changes_created_at', 'changes', ['created_at'])

    op.add_column('outbox', sa.Column('event_id', sa.String(36),
                                      nullable=True))
    op.add_column('outbox', sa.Column('target', sa.String(16),
                                      nullable=True))
    op.add_column('outbox', sa.Column('url', sa.String(2048),
                                      nullable=True))
    op.add_column('outbox', sa.Column('policy_id', sa.String(36),
                                      nullable=True))
    op.add_column('outbox', sa.Column('project_id', sa.String(255),
                                      nullable=True))
    op.add_column('outbox', sa.Column('status', sa.String(16),
                                      nullable=True))
    op.create_index('ix_outbox_policy_id', 'outbox', ['policy_id'])

    op.create_table(
        'outbox_attempts',
        sa.Column('id', types.BigIntegerKey, primary_key=True,
                  autoincrement=True),
        sa.Column('outbox_id', types.BigIntegerKey,
                  sa.ForeignKey('outbox.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('attempted_at', types.DateTime, nullable=False),
        sa.Column('succeeded', sa.Boolean, nullable=False),
        sa.Column('detail', sa.Text, nullable=False),
        sa.Column('duration_ms', sa.Integer, nullable=False),
    )
    op.create_index('ix_outbox_attempts_outbox_id', 'outbox_attempts',
                    ['outbox_id'])
